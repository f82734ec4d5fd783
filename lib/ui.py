"""The one lib module that talks to Streamlit: cached loaders, shared sidebar controls, notices.

Everything here is thin glue around pure functions in the rest of lib/.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib import (
    bridge,
    export,
    figure_data,
    figures,
    grid_facts,
    market,
    prices,
    report,
    report_archive,
    scenario_state,
    settings,
    tables,
)
from lib.grid_model import MODEL_START_YEAR, Scenario

PRICE_TTL_S = 15 * 60  # a live refresh at most every 15 minutes per symbol set


@st.cache_data(ttl=PRICE_TTL_S, show_spinner="Loading prices…", max_entries=64)
def cached_prices(symbols: tuple[str, ...], offline: bool) -> prices.PriceResult:
    """Prices for `symbols`, live unless offline, falling back to cache then snapshot."""
    return prices.get_prices(list(symbols), offline=offline)


@st.cache_data(ttl=PRICE_TTL_S, show_spinner=False, max_entries=64)
def collision_market(symbols: tuple[str, ...], offline: bool, start_year: int, end_year: int,
                     as_of: str) -> report.CollisionMarket:
    """The home chart's market half, computed once per prices and horizon, not per slider move.
    `as_of` (the prices' as-of text) keys it to the data: a refresh gives a new entry."""
    del as_of  # part of the cache key only
    frame = cached_prices(symbols, offline).frame
    return report.collision_market(frame, list(symbols), start_year, end_year)


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
    """Calm, one-line notices (offline, rate-limited, unknown symbol) in one info box, never an
    error box: a list of them when there are several."""
    unique = list(dict.fromkeys(notices))
    if unique:
        text = unique[0] if len(unique) == 1 else "\n".join(f"- {n}" for n in unique)
        st.info(text, icon=":material/info:")


def note_unlisted_symbols(key: str, offered: list[str]) -> None:
    """Before a bound symbols list is built: say when the link names symbols it does not offer
    (the list drops them silently). Only on the session's first view of the list: after that
    the parameter holds what the visitor picked."""
    if key not in st.session_state:
        notice = scenario_state.unlisted_notice(st.query_params.get_all(key), offered)
        if notice:
            st.info(notice, icon=":material/link_off:")


def fit_linked_range(key: str, first_day: date, last_day: date) -> None:
    """Before the bound custom-range picker is built: put a link's range in order and within
    the data (the picker would drop it for its default), and say so.

    The fitted range goes to the address bar and the page runs again before the picker is
    drawn: the picker takes its first value from the address bar, not from the server."""
    note_key = f"{key}_link_note"
    if note := st.session_state.pop(note_key, ""):
        st.info(note, icon=":material/link_off:")
    if key in st.session_state:
        return
    linked = tuple(date.fromisoformat(v) for v in st.query_params.get_all(key))
    fitted, note = market.fit_range(linked, first_day, last_day)
    if note:
        st.session_state[key] = fitted
        st.query_params[key] = [d.isoformat() for d in fitted]
        st.session_state[note_key] = note
        st.rerun()


# --- grid scenario controls ------------------------------------------------------------------


def setting_slider(setting, rerun: tuple[str, ...] = ()) -> float:
    """One bound slider per setting; its key is the setting name and the URL parameter.
    rerun: keys of the fragments a move reruns, in place of whatever holds the slider.

    The setting's default is always the slider's value argument, also once the key is in
    session state (where the state's value wins): a bound slider leaves its parameter out of
    the URL while it holds that value, so it must be the value a link without the parameter
    opens on. (Streamlit would log a warning for the pair; .streamlit/config.toml turns it
    off.)"""
    kwargs = {"on_change": st.rerun, "args": (list(rerun),)} if rerun else {}
    lo, hi = setting.bounds
    return st.slider(setting.label, _typed(setting, lo), _typed(setting, hi),
                     value=_typed(setting, setting.default), step=_typed(setting, setting.step),
                     key=setting.name,
                     format="%d" if setting.is_integer or setting.step >= 1 else "%.1f",
                     help=settings.setting_tooltip(setting), bind="query-params", **kwargs)


def _typed(setting, value):
    return int(value) if setting.is_integer else float(value)


def apply_preset(name: str) -> None:
    """Button callback: put every slider at the preset's value (others at their defaults)."""
    scenario = settings.preset_scenario(name)
    for s in settings.SETTINGS:
        st.session_state[s.name] = _typed(s, getattr(scenario, s.name))


def preset_buttons(row=None) -> None:
    """One button per preset, in `row` (a horizontal container) or in equal columns; each sets
    every slider (the URL follows)."""
    count = len(settings.PRESETS)
    columns = [row] * count if row is not None else st.columns(count)
    for column, name in zip(columns, settings.PRESETS, strict=True):
        column.button(name, key=f"preset_{name.lower().replace(' ', '_')}",
                      help=settings.preset_help(name), on_click=apply_preset, args=(name,),
                      width="stretch")


@st.fragment
def scenario_controls(rerun: tuple[str, ...], columns: int = 1) -> None:
    """The scenario's sliders under small group headings, in `columns` columns (groups kept
    whole, in order), in a fragment of their own. A move reruns only the fragments whose keys
    `rerun` lists, and they read the scenario with current_scenario(): the sliders are not
    built and sent again, nor is anything else on the page (the browser has moved the thumb).

    Their own fragment matters. A move of a slider in the page body starts a full run, which
    lets go of every download on the page before the slider's callback narrows the run to
    those fragments; the downloads outside them would then fail (Streamlit 1.67)."""
    slots = st.columns(columns) if columns > 1 else [nullcontext()]
    for i, group in enumerate(settings.GROUPS):
        with slots[min(i, len(slots) - 1)]:
            st.markdown(f"**{group}**")
            for setting in (s for s in settings.SETTINGS if s.group == group):
                setting_slider(setting, rerun)


def carry_over_page_switch(page: str) -> None:
    """On a page switch, before the next page draws its widgets: the settings and AI names
    the last page held go on the next page's widgets (which share their keys) and into the
    address bar.

    Streamlit carries a bound widget's value over when it was set in the app, but not one
    the widget read from a link: /?tranche_gw=9 -> Grid opened on the default 6.5 GW, with
    the address bar saying so. A Back or Forward run is left to its entry's own URL (the
    history script restores what Streamlit drops there)."""
    state = st.session_state
    # Link settings no widget holds yet (a link to Market or Sources has no slider to read
    # them): the frontend would drop them on the next page switch.
    _put_on_widgets({key: st.query_params.get_all(key) for key in st.query_params
                     if key not in state})
    last, state[PAGE_KEY] = state.get(PAGE_KEY), page
    if last in (None, page) or _is_history_navigation():
        return
    keys = [s.name for s in settings.SETTINGS if s.name in state]
    keys += [key for key in scenario_state.VIEW_DEFAULTS if key in state]
    if scenario_state.carries_symbols(state.get("symbols")):
        keys.append("symbols")
    if last == MARKET_PAGE and scenario_state.market_only(state.get("symbols")):
        state[MARKET_LIST_KEY] = list(state["symbols"])
    elif page == MARKET_PAGE and (kept := state.pop(MARKET_LIST_KEY, None)):
        if (back := scenario_state.kept_market_list(kept, state.get("symbols"))) is not None:
            state["symbols"] = back
            keys.append("symbols")
    if page == MARKET_PAGE and state.get("symbols") == []:
        # home reads an empty list as the four names, as a link without symbols does
        state["symbols"] = list(prices.CORE_SYMBOLS)
    for key in keys:
        state[key] = state[key]  # set in the app: Streamlit keeps it on the new widget
    _show_in_address_bar(keys)


PAGE_KEY = "aigrid_page"
MARKET_PAGE = "market"  # the Market page's url_path
# A Market list with names the home list does not offer, while another page is open: home
# would drop them, and the Market page shows them again on return.
MARKET_LIST_KEY = "aigrid_market_symbols"


def note_market_list() -> None:
    """On home: which names of the Market page's list this page's list leaves out."""
    state = st.session_state
    if notice := scenario_state.market_only_notice(state.get(MARKET_LIST_KEY, ()),
                                                   state.get("symbols")):
        st.info(notice, icon=":material/info:")


# A page's own choices that no link holds (a toggle, the fact shown), by widget key.
_KEPT_CHOICES = "aigrid_page_choices"


def kept_widget(widget, label: str, key: str, default, default_arg: str = "value", **kwargs):
    """`widget(label, key=key, ...)` whose value outlives a visit to another page: Streamlit
    forgets a widget's value as soon as the visitor opens a page without it, so the value it
    returns is kept in the session and is its default (the `default_arg` argument) on return."""
    kept = st.session_state.setdefault(_KEPT_CHOICES, {})
    value = widget(label, key=key, **{default_arg: kept.get(key, default)}, **kwargs)
    kept[key] = value
    return value


def _is_history_navigation() -> bool:
    """Whether this run opens a Back/Forward entry (Streamlit's run context knows; no public
    API says it)."""
    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "is_history_navigation", False))


def current_scenario(show_notices: bool = False) -> Scenario:
    """The scenario the sliders hold now (a default for any slider not drawn yet). Sliders stay
    within bounds, but the end year can be set before the start year: the model then uses the
    start year for both, and show_notices says so on the page."""
    state = st.session_state
    scenario, notices = settings.scenario_from_mapping(
        {s.name: state[s.name] for s in settings.SETTINGS if s.name in state})
    if show_notices:
        for notice in notices:
            st.warning(notice, icon=":material/warning:")
    return scenario


def check_link() -> None:
    """Drop link parameters the app cannot use (before any widget reads them); one calm notice.
    Dropped settings, AI names and Market range or view go back to their defaults (the page
    runs once more for that).

    A parameter already bound to a widget of this session holds what the visitor chose in it
    (a typed symbol, an emptied list), not what a link brought: Streamlit refuses to drop it,
    and the page checks the widget's value itself."""
    if note := st.session_state.pop(LINK_NOTE_KEY, ""):  # from the run before (see below)
        st.info(note, icon=":material/link_off:")
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    dropped = {}
    for key, why in scenario_state.check_link(params).problems.items():
        try:
            del st.query_params[key]
        except StreamlitAPIException:  # bound to a widget: the page's own checks apply
            continue
        dropped[key] = why
    defaults = _link_widget_defaults()
    tidied, left_out = _tidied_symbols()
    notice = " ".join(filter(None, [scenario_state.drop_notice(dropped), left_out]))
    if reset := {key: defaults[key] for key in dropped if key in defaults} | tidied:
        _reset_linked_settings(reset, notice)
    if notice:
        st.info(notice, icon=":material/link_off:")


def _tidied_symbols() -> tuple[dict[str, list[str]], str]:
    """A link's symbols as the symbol lists write them ({"symbols": [...]}, also put in the
    address bar) when they need tidying on the session's first view of a list, else {}; and
    the notice for entries left out."""
    if "symbols" in st.session_state or "symbols" not in st.query_params:
        return {}, ""
    linked = st.query_params.get_all("symbols")
    if (tidy := scenario_state.tidy_symbols(linked)) is None:
        return {}, ""
    st.query_params["symbols"] = tidy
    return {"symbols": tidy}, scenario_state.left_out_notice(linked)


def _link_widget_defaults() -> dict[str, object]:
    """What each widget a link can set opens on, by key: sliders, AI names, Market range and
    view."""
    return {**{s.name: _typed(s, s.default) for s in settings.SETTINGS},
            "symbols": list(prices.CORE_SYMBOLS), **scenario_state.VIEW_DEFAULTS}


LINK_NOTE_KEY = "aigrid_link_note"


def _reset_linked_settings(values: dict[str, object], note: str) -> None:
    """Dropped settings and symbols go back to their defaults on their widgets too (tidied
    symbols take their tidy form: `values` holds both, by widget key). On a page's
    first run a bound widget takes the link's value even once it is gone from the address bar
    (/?tranche_gw=7.3: the notice said "reset", the slider showed 7.5 and the model used 7.3;
    the Market list kept a dropped "<script>"), so the defaults go to state and the page runs
    again, without the parameter, with the notice."""
    st.session_state.update(values)
    st.session_state[LINK_NOTE_KEY] = note
    st.rerun()


def headline_metrics(summary, scenario: Scenario) -> None:
    """Four headline numbers of the model, each with how it is computed."""
    row = st.container(horizontal=True, gap="medium")  # one element where columns made five
    _first_shortfall_metric(row, summary)
    peak_month = summary.peak_shortfall_month
    # the peak's month and the sum's window under the numbers: both move with the horizon
    row.metric("Peak shortfall (GW)", f"{summary.peak_shortfall_gw:,.1f}",
               delta=f"in {peak_month:%b %Y}" if peak_month is not None else None,
               delta_color="off", delta_arrow="off",
               help="Largest monthly gap between demand and supply"
               + (f", in {peak_month:%b %Y}." if peak_month is not None else "."))
    row.metric("Unserved (TWh)", f"{summary.unserved_twh:,.0f}",
               delta=f"Jan {scenario.start_year} – Dec {scenario.end_year}", delta_color="off",
               delta_arrow="off",
               help=f"Energy the expected demand cannot get over the horizon, Jan "
                    f"{scenario.start_year} to Dec {scenario.end_year}: the sum over months of "
                    "shortfall × hours × load factor.")
    _share_2030_metric(row, summary, "Powered in 2030")


def _first_shortfall_metric(target, summary) -> None:
    first = summary.first_shortfall
    target.metric("First shortfall", f"{first:%b %Y}" if first is not None else "No shortfall",
                  delta=grid_facts.past_month_note(first, date.today()), delta_color="off",
                  delta_arrow="off",
                  help="First month in which expected demand exceeds firm supply: from then on "
                       "part of the expected load waits for power (not a blackout). Counted from "
                       f"January {MODEL_START_YEAR}, where the model starts, also when the chart "
                       f"starts later. {grid_facts.past_peaks_note()}")


def _share_2030_metric(target, summary, label: str) -> None:
    share = summary.share_2030_pct
    target.metric(label, bridge.share_text(share) if share is not None else "n/a",
                  help="Served energy ÷ expected energy in 2030"
                       + (": n/a when 2030 is outside the horizon or no load is expected in it."
                          if share is None else "."))


# Widths so that at 1440 px the text columns show most of their text and the link stays in
# view (auto widths cut "2024-summer/2025-..." and pushed the Link column off the grid).
SOURCE_COLUMN_CONFIG = {
    "Date": st.column_config.DateColumn(width="small"),
    "Period": st.column_config.TextColumn(width="medium"),
    "Source": st.column_config.TextColumn(width="medium"),
    "URL": st.column_config.LinkColumn("Link", display_text="source", width="small"),
    "Fact ID": st.column_config.TextColumn(help="Row in data/grid; see the Sources & method page."),
    # the fact tables' long text, narrowed so that Source and Link stay in view at 1440 px
    # (a cell's full text shows on hover)
    **{name: st.column_config.TextColumn(width="medium")
       for name in ("Asset", "Note", "Scenario")},
    "Region": st.column_config.TextColumn(width="small"),
}
EVENT_COLUMN_CONFIG = {"Date": SOURCE_COLUMN_CONFIG["Date"],
                       "Event": st.column_config.TextColumn(width="large"),
                       "Source": SOURCE_COLUMN_CONFIG["Source"], "URL": SOURCE_COLUMN_CONFIG["URL"]}
_YEAR_MEAN = ("Average over the year's hours; the headline peak shortfall is the largest single "
              "month.")
YEAR_COLUMN_CONFIG = {
    "Year": st.column_config.NumberColumn(format="%d"),
    **{c: st.column_config.NumberColumn(format="%.1f", help=_YEAR_MEAN) for c in
       ("Demand (GW)", "Supply (GW)", "Shortfall (GW)")},
    "Powered (GW)": st.column_config.NumberColumn(
        format="%.1f", help="Demand − shortfall: the expected load firm supply carries, "
                            "averaged over the year's hours (the bridge's powered GW)."),
    # short headers: seven columns fit the Grid page's results column at 1440 px (the CSV keeps
    # the full names)
    "Powered share (%)": st.column_config.NumberColumn(
        "Powered (%)", format="%.1f", help="Powered share: served energy ÷ expected energy "
                                           "over the year."),
    "Unserved energy (TWh)": st.column_config.NumberColumn(
        "Unserved (TWh)", format="%.1f", help="Unserved energy: sum over the year's months."),
}
ROW_PX = 35  # st.dataframe's row height at the default font size


def all_rows_height(frame) -> int:
    """A data grid's height (px) that shows every row of a short table without a scroll bar."""
    return (len(frame) + 1) * ROW_PX + 3


CARD_WIDTH_PX = 220  # a headline card: four fit a row at 1440 px; fewer wrap onto more rows
BRIDGE_TABLE_WIDTH_PX = 380  # the bridge table: four columns; it wraps under the chart when narrow


def crash_cards(frame, symbols: list[str], day) -> None:
    """12 Dec 2025 move of each series, from the data, with its drawdown from its peak."""
    moves = market.day_moves(frame, symbols, day)
    if not moves:
        return
    st.markdown(f"**{day:%A %-d %B %Y}**, close to close, and each name's distance below its "
                "peak close in the data")
    row = st.container(horizontal=True, gap="medium")  # cards wrap in a narrow window
    for move in moves:
        card = row.container(width=CARD_WIDTH_PX)
        below = market.peak_distance_text(market.peak_drawdown(frame, move.symbol))
        card.metric(move.symbol, f"{move.change_pct:+.2f}%", market.change_text(move),
                    help=f"{market.close_label(move.symbol).capitalize()} {move.close:,.2f} "
                         f"{market.price_unit(move.symbol)} on {move.day:%-d %b %Y}. "
                         f"{below[:1].upper()}{below[1:]}.")
        card.caption(below)


def model_cards(summary, sentence: str, preset: str | None) -> None:
    """The current scenario's first shortfall and 2030 powered share, with the bridge sentence."""
    row = st.container(horizontal=True, gap="medium")  # wraps in a narrow window
    _first_shortfall_metric(row.container(width=CARD_WIDTH_PX), summary)
    _share_2030_metric(row.container(width=CARD_WIDTH_PX), summary, "Powered in 2030")
    row.container(width=2 * CARD_WIDTH_PX).markdown(
        f"**Scenario: {preset or 'custom'}.** {sentence}")


def data_grid(frame, container=st, **kwargs) -> None:
    """An interactive table (sortable, searchable) without the index, a missing value shown as
    the Markdown tables show it ("–"), not as "None"."""
    container.dataframe(frame, hide_index=True, placeholder=tables.MISSING, **kwargs)


def table(markdown: str, frame, csv_name: str, key: str, explain: str) -> None:
    """A small table drawn as Markdown (lib/tables.py); under it, a CSV of the unformatted
    `frame` and `explain` (Markdown: what each number means) behind "How is this computed?"."""
    st.markdown(markdown)
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.download_button("CSV", lambda: frame.to_csv(index=False), csv_name, "text/csv",
                        key=key, on_click="ignore", icon=":material/table:")
    with row.popover("How is this computed?", icon=":material/function:"):
        st.markdown(explain)


def lazy_expander(label: str, key: str, icon: str | None = None):
    """A collapsed box whose contents the caller builds only while it is open, so a closed box
    costs a rerun nothing. Returns the box when open, else None. Keep the label fixed: a new
    label makes a new widget, which starts closed."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    return box if box.open else None


def share_link(scenario: Scenario) -> None:
    """A link that reopens this exact view, with a Copy button."""
    box = lazy_expander("Share this view", "share_open", icon=":material/link:")
    if box is None:
        return
    params = dict(settings.scenario_to_mapping(scenario))
    symbols = st.session_state.get("symbols")
    if symbols and list(symbols) != list(prices.CORE_SYMBOLS):
        params["symbols"] = list(symbols)
    base = st.context.url or "http://localhost:8501/"
    with box:
        st.caption("This link reopens the same settings and names.")
        _copy_link(key="share_link", data={"url": scenario_state.share_url(base, params),
                                           "label": "Link to this view"})


def _save_scenario(current: Scenario) -> None:
    """Save under the typed name, else the matching preset's; then empty the name field, so
    the next save is not filed under this one's name."""
    saved = st.session_state.get("saved_scenarios", [])
    name = st.session_state.get("scenario_name", "").strip() or scenario_state.short_name(current)
    st.session_state["saved_scenarios"] = scenario_state.save_scenario(saved, name, current)
    st.session_state["scenario_name"] = ""


def _clear_scenarios() -> None:
    st.session_state["saved_scenarios"] = []


def scenario_compare(current: Scenario) -> None:
    """Save up to five scenarios in this session and overlay them with the current one."""
    box = lazy_expander("Compare scenarios", "compare_open", icon=":material/stacked_line_chart:")
    if box is not None:
        with box:
            _compare_controls(current)


def _compare_controls(current: Scenario) -> None:
    saved = st.session_state.get("saved_scenarios", [])
    name_col, save_col, clear_col = st.columns([3, 1, 1], vertical_alignment="bottom")
    name_col.text_input("Name for the current scenario", key="scenario_name",
                        max_chars=scenario_state.MAX_NAME_CHARS, placeholder="e.g. Slow turbines")
    save_col.button("Save scenario", key="save_scenario", width="stretch",
                    on_click=_save_scenario, args=(current,))
    clear_col.button("Clear saved", key="clear_scenarios", width="stretch", disabled=not saved,
                     on_click=_clear_scenarios)
    st.caption(f"{len(saved)} of {scenario_state.MAX_SAVED} saved; the oldest drops out first."
               + ("" if saved else " Save one to overlay it on the current scenario."))
    table = scenario_state.compare_table([*saved, (scenario_state.CURRENT_NAME, current)])
    if saved:  # with nothing saved the chart would only repeat the one above
        chart(figures.fig_compare(table), "compare_chart",
              context=report.compare_context(current, table))
        st.caption(report.COMPARE_KEY)
        for note in scenario_state.overlap_notes(table):
            st.caption(note)
    st.download_button("Download comparison (CSV)", table.to_csv(index=False),
                       "scenario_comparison.csv", "text/csv", on_click="ignore", key="compare_csv")


# Off the toolbar: selection tools (nothing to select), "Share chart" (uploads to Plotly's
# cloud) and plotly's own PNG (no title or sources; the PNG button under each chart has both).
CHART_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud", "toImage"]}
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"  # served at /app/static/
# The one plotly.js the browser loads (scatter, bar, pie); scripts/vendor_plotly.sh fetches it.
PLOTLY_BUNDLE = next(STATIC_DIR.glob("vendor/plotly-basic-*.min.js")).relative_to(STATIC_DIR)

_HERE = Path(__file__).resolve().parent
_plotly_chart = st.components.v2.component(
    "aigrid_chart", js=(_HERE / "chart_component.js").read_text(), isolate_styles=False)
# One history entry per run, and Back across a page switch keeps the scenario: see the file.
_history = st.components.v2.component("aigrid_history", js=(_HERE / "history.js").read_text(),
                                      isolate_styles=False)
HISTORY_KEY = "aigrid_history"
# A count of full runs, the component's data: each run redraws it, which history.js watches.
_HISTORY_RUNS = "aigrid_history_runs"
# st.code would give a copy button too, but loads a 1.5 MB syntax highlighter for one line.
_copy_link = st.components.v2.component(
    "aigrid_copy_link", js=(_HERE / "copy_link.js").read_text(),
    css=(_HERE / "copy_link.css").read_text(), isolate_styles=False)


def static_url(relative: Path | str) -> str:
    """URL of a file under static/, honouring server.baseUrlPath."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app/static", str(relative)) if part)


def chart(fig, key: str, container=None, context=None) -> None:
    """Draw a figure with the app's own template and, given an export context, PNG / SVG / CSV
    downloads of exactly that figure.

    The chart keeps its place across reruns: a new figure updates it with Plotly.react, where
    st.plotly_chart would build the whole chart again on every slider move.
    """
    with container if container is not None else nullcontext():
        _plotly_chart(key=key, data={"figure": figures.figure_json(fig), "config": CHART_CONFIG,
                                     "plotly_src": static_url(PLOTLY_BUNDLE),
                                     # the chart's name for a screen reader: its export title
                                     "label": context.title if context is not None else "Chart"})
        if context is not None:
            downloads(fig, key, context, st)


def history_keeper() -> None:
    """The page's history script (lib/history.js), in the sidebar, drawing nothing."""
    with st.sidebar:
        runs = st.session_state[_HISTORY_RUNS] = st.session_state.get(_HISTORY_RUNS, 0) + 1
        _history(key=HISTORY_KEY, data={"run": runs}, on_restore_change=_restore_settings)


def _restore_settings() -> None:
    """A Back/Forward entry's settings that Streamlit dropped on a page switch (the history
    script sends the entry's query string) go back on their widgets before the page runs, and
    into the address bar: a page without those widgets would not write them back, and the
    entry would lose them for good (Back to /market?tranche_gw=9 left /market)."""
    query = (st.session_state.get(HISTORY_KEY) or {}).get("restore") or ""
    on_market = st.session_state.get(PAGE_KEY) == MARKET_PAGE
    _show_in_address_bar(_put_on_widgets(parse_qs(query.lstrip("?")), market=on_market))


def _put_on_widgets(params: dict[str, list[str]], market: bool = False) -> list[str]:
    """A link's settings the link check accepts, the Market range and view it offers, and AI
    names when the home list offers them all (or, given `market`, any names the Market list
    takes: a Back entry of the Market page), on their widgets' keys. Returns the keys set."""
    state = st.session_state
    named = scenario_state.linked_settings(params)
    for name, value in named.items():
        state[name] = _typed(settings.SETTINGS_BY_NAME[name], value)
    view = scenario_state.linked_view(params)
    state.update(view)
    keys = [*named, *view]
    symbols = params.get("symbols", [])
    if market and scenario_state.market_only(symbols):
        state["symbols"] = scenario_state.linked_market_symbols(params)
        keys.append("symbols")
    elif scenario_state.carries_symbols(symbols):
        state["symbols"] = scenario_state.linked_symbols(params)
        keys.append("symbols")
    return keys


def _show_in_address_bar(keys: list[str]) -> None:
    """What the widgets of `keys` hold, into the address bar where it lacks it (defaults stay
    out). A widget bound on this page writes its own parameter."""
    state = st.session_state
    for key, value in scenario_state.carried_params({k: state[k] for k in keys
                                                     if k in state}).items():
        if key not in st.query_params:
            try:
                st.query_params[key] = value
            except StreamlitAPIException:  # bound on this page: its widget writes it
                continue


@st.cache_resource(show_spinner=False)
def _browser_for_export() -> str | None:
    return export.find_browser()


EXPORT_SIZES = {"Slide 16:9": export.SLIDE, "A4 landscape": export.A4,
                "Half page": export.HALF}


def export_size_choice() -> None:
    """Sidebar choice of the page size images are drawn for (slide, A4, half page). Radio
    buttons, not a select box: a select box's code is a large download of its own on the
    pages that have none."""
    st.sidebar.radio("Image size for downloads", list(EXPORT_SIZES), key="export_size",
                     help="PNG and SVG downloads and the report are drawn for this size: "
                          "1600×900 for a slide, A4 landscape at 192 dpi, or half an A4 "
                          "page at 2×.")


def export_size():
    return EXPORT_SIZES.get(st.session_state.get("export_size"), export.SLIDE)


def downloads(fig, key: str, context, target=st) -> None:
    """Small download buttons under a chart; images render only when clicked."""
    row = target.container(horizontal=True, gap="small", vertical_alignment="center")
    png = svg = csv = note = row
    can_draw = _browser_for_export() is not None
    size = export_size()
    png.download_button("PNG", lambda: export.to_png(fig, context, size), f"{key}.png",
                        "image/png", key=f"{key}_png", on_click="ignore", disabled=not can_draw,
                        icon=":material/image:")
    svg.download_button("SVG", lambda: export.to_svg(fig, context, size), f"{key}.svg",
                        "image/svg+xml", key=f"{key}_svg", on_click="ignore",
                        disabled=not can_draw, icon=":material/polyline:")
    csv.download_button("CSV", lambda: figure_data.figure_data_csv(fig), f"{key}.csv", "text/csv",
                        key=f"{key}_csv", on_click="ignore", icon=":material/table:")
    if not can_draw:
        note.caption(export.FIX_MESSAGE)


def report_download(result: prices.PriceResult, scenario: Scenario) -> None:
    """One zip: every figure as PNG and CSV, and a summary of the scenario and the data."""
    st.subheader("Report")
    saved = list(st.session_state.get("saved_scenarios", []))
    size = export_size()

    def build() -> bytes:
        items, summary = report.report_items(result.frame, result.provenance, scenario, saved,
                                             date.today())
        return report_archive.build_report_zip(items, summary, size=size)[0]

    st.download_button("Download report (zip)", build, "ai-grid-report.zip", "application/zip",
                       key="report_zip", on_click="ignore", icon=":material/download:",
                       type="primary")
    can_draw = _browser_for_export() is not None
    figures_held = "Six figures" if saved else "Five figures (six once a scenario is saved)"
    st.caption(f"{figures_held}: PNG and the CSV of what each plots; a summary of the scenario, "
               "each setting's source, headline numbers, data as-of dates and sources. The "
               "market figure is this page's names over the last year, rebased (the Market "
               "page's default view)."
               + ("" if can_draw else f" {export.FIX_MESSAGE} The zip will hold CSVs only."))
