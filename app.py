"""Entry point: page config, shared sidebar controls and navigation only."""

from pathlib import Path

import streamlit as st

from lib import ui

HERE = Path(__file__).parent
PAGES = [
    st.Page(HERE / "pages/collision.py", title="AI vs the grid", icon=":material/compare_arrows:",
            url_path="collision", default=True),
    st.Page(HERE / "pages/market.py", title="Market", icon=":material/show_chart:",
            url_path="market"),
    st.Page(HERE / "pages/grid.py", title="Grid", icon=":material/bolt:", url_path="grid"),
    st.Page(HERE / "pages/sources.py", title="Sources & method", icon=":material/menu_book:",
            url_path="sources"),
]


def run() -> None:
    st.set_page_config(page_title="AI bubble vs the power grid", page_icon="⚡",
                       layout="wide")
    navigation = st.navigation(PAGES)
    ui.carry_over_page_switch(navigation.url_path)
    st.html(HERE / "lib/app.css")
    ui.offline_toggle()
    ui.export_size_choice()
    ui.history_keeper()
    navigation.run()


run()
