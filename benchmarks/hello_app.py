"""Hello-world baseline: the smallest Streamlit app with one slider, for the benchmarks."""

import streamlit as st

value = st.slider("Value", 0, 100, 50, key="value")
st.write(f"Value is {value}")
