"""Entry point: page config, shared sidebar controls and navigation only."""

from pathlib import Path

import streamlit as st

from lib import ui

HERE = Path(__file__).parent
PAGES = [
    st.Page(HERE / "pages/market.py", title="Market", icon=":material/show_chart:",
            url_path="market"),
]


def run() -> None:
    st.set_page_config(page_title="AI bubble vs the power grid", page_icon=":material/bolt:",
                       layout="wide")
    navigation = st.navigation(PAGES)
    ui.offline_toggle()
    navigation.run()


run()
