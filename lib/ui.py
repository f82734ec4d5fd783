"""The one lib module that talks to Streamlit: cached loaders, shared sidebar controls, notices.

Everything here is thin glue around pure functions in the rest of lib/.
"""

from __future__ import annotations

import streamlit as st

from lib import prices

PRICE_TTL_S = 15 * 60  # a live refresh at most every 15 minutes per symbol set


@st.cache_data(ttl=PRICE_TTL_S, show_spinner="Loading prices…", max_entries=64)
def cached_prices(symbols: tuple[str, ...], offline: bool) -> prices.PriceResult:
    """Prices for `symbols`, live unless offline, falling back to cache then snapshot."""
    return prices.get_prices(list(symbols), offline=offline)


@st.cache_data(show_spinner=False)
def snapshot_catalogue():
    return prices.snapshot_catalogue()


def route_through_app() -> None:
    """Make sure a page runs inside app.py's navigation.

    With a top-level pages/ folder, Streamlit's legacy multipage mode runs a page script on
    its own on a server's first run when that run opens a page URL (e.g. a shared /grid
    link): no page config, no shared sidebar. Switch the legacy mode off and rerun, so the
    same URL is served by app.py's `st.navigation`.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def offline_toggle() -> bool:
    """Sidebar switch shared by every page; forced on by AIGRID_OFFLINE=1."""
    forced = prices.is_offline_env()
    return st.sidebar.toggle(
        "Offline: bundled snapshot only", value=forced, disabled=forced, key="offline",
        help="Skip Yahoo Finance and use the prices bundled with the app."
        + (" Forced on by AIGRID_OFFLINE=1." if forced else ""),
    )


def is_offline() -> bool:
    return bool(st.session_state.get("offline", prices.is_offline_env()))


def show_notices(notices) -> None:
    """Calm, one-line notices (offline, rate-limited, unknown symbol): info, never an error box."""
    for text in dict.fromkeys(notices):
        st.info(text, icon=":material/info:")


STATS_COLUMN_CONFIG = {
    "Return (%)": st.column_config.NumberColumn(format="%.1f%%", help="Last close / first close − 1, over the range."),
    "Max drawdown (%)": st.column_config.NumberColumn(format="%.1f%%", help="Largest fall from a running peak to a later trough within the range."),
    "Peak date": st.column_config.DateColumn(help="Close before the largest drawdown."),
    "Trough date": st.column_config.DateColumn(help="Lowest point of the largest drawdown."),
    "Volatility (% a year)": st.column_config.NumberColumn(format="%.1f%%", help="Standard deviation of daily % changes × √252."),
    "Worst day (%)": st.column_config.NumberColumn(format="%.2f%%", help="Largest close-to-close fall in the range."),
    "Worst day date": st.column_config.DateColumn(),
    "Last close": st.column_config.NumberColumn(format="%.2f", help="USD; index points for ^IXIC."),
    "Last date": st.column_config.DateColumn(help="Each series' own last trading day in the data."),
    "Origin": st.column_config.TextColumn(help="live: Yahoo Finance now; cached: an earlier live download; snapshot: bundled with the app."),
}
