"""Market page: the four AI-infrastructure series, rebased.

Shown with drawdowns, events and statistics.
"""

import streamlit as st

from lib import events, market, prices, report, scenario_state, tables, ui

ui.route_through_app()
st.title("Market: AI infrastructure on one chart")
st.caption("The Nasdaq Composite with Oracle, Broadcom and Astera Labs to start with; add any "
           "Yahoo Finance symbol. Daily closes from Yahoo Finance, live when it answers, else "
           "the bundled snapshot (Yahoo bars as two public projects downloaded them: the "
           "Sources & method page gives each file's route). Each series keeps its own last "
           "date.")

# a link may name more than the list takes
linked = scenario_state.linked_symbol_count(st.query_params.get_all("symbols"))
ui.check_link()  # dropped symbols go back to the defaults on the list, with its notice
catalogue = ui.snapshot_catalogue()
LABEL = scenario_state.PARAM_LABELS  # the link notice names each control as it is labelled here
preset = st.segmented_control(LABEL["range"], market.RANGE_PRESETS, default=market.DEFAULT_RANGE,
                                key="range", required=True, bind="query-params")
left, right = st.columns([2, 3])
mode = left.radio(LABEL["mode"], market.VIEW_MODES, key="mode", horizontal=True,
                  bind="query-params")
picked = right.multiselect(
    LABEL["symbols"], list(catalogue["ticker"]), default=list(prices.CORE_SYMBOLS), key="symbols",
    accept_new_options=True, max_selections=scenario_state.MAX_SYMBOLS, bind="query-params",
    help="Add snapshot names (NVDA, power producers) or type any Yahoo Finance symbol.",
)
if linked > scenario_state.MAX_SYMBOLS:
    st.info(f"The link named {linked} symbols; the first {scenario_state.MAX_SYMBOLS} are shown.",
            icon=":material/link_off:")
symbols, rejected = prices.clean_symbols(picked)
if rejected:  # never echoed: the text came from the visitor
    st.warning(f"Ignored {len(rejected)} entr{'y' if len(rejected) == 1 else 'ies'} that "
               "cannot be a ticker symbol (letters, digits and . ^ = - only, up to 15 "
               "characters).", icon=":material/warning:")
if not symbols:
    st.info("Pick at least one symbol to draw the chart.")
    st.stop()

result = ui.cached_prices(tuple(symbols), ui.is_offline())
ui.show_notices(result.notices)
as_of = market.as_of_text(result.provenance)
st.caption(as_of,
           help="  \n".join(prices.provenance_line(p) for p in result.provenance.values()))
if result.frame.empty:
    st.warning("No price data for the chosen symbols.")
    st.stop()

custom = None
if preset == "Custom":
    lo, hi = result.frame["Date"].min().date(), result.frame["Date"].max().date()
    ui.fit_linked_range("custom_range", lo, hi)
    chosen = st.date_input(LABEL["custom_range"], value=(market.ALAB_LISTING, hi), min_value=lo,
                           max_value=hi, key="custom_range", bind="query-params",
                           help=f"The prices run from {lo:%-d %b %Y} to {hi:%-d %b %Y}; the "
                                "picker takes dates in that span.")
    custom = tuple(chosen) or None  # one date while the end is being picked: to the last close

view = market.market_view(result.frame, preset or market.DEFAULT_RANGE, mode, custom)
if problem := market.range_problem(view):
    st.info(problem, icon=":material/date_range:")
    st.stop()
shown = report.market_events(view)
fig, context = report.market_chart(result.frame, view, shown, as_of)
ui.chart(fig, "market_chart", context=context)
st.caption(f"{view.start:%-d %b %Y} to {view.end:%-d %b %Y}. Lower panel: percent below the "
           "highest close so far in the range. "
           + market.events_phrase(shown["Date"].nunique(), len(shown)))
ui.show_notices([*market.coverage_notes(result.frame, symbols, view),
                 *filter(None, [market.scale_hint(view)])])

st.subheader("Statistics for the range")
stats = market.stats_with_origin(view.stats, result.provenance)
ui.table(tables.markdown_table_across(stats, market.STATS_KEY, market.STATS_TABLE), stats,
         "market_statistics.csv", "market_stats_csv", tables.definitions(market.STATS_TABLE))
events_box = ui.lazy_expander("Events in the range", "events_open")
if events_box is not None:
    if shown.empty:
        events_box.caption("No dated events in this range; a longer range shows them.")
    else:
        ui.data_grid(events.with_price_check(shown, result.frame)
                     [["Date", "Symbol", "Event", events.PRICE_CHECK_COLUMN, "Source", "URL"]],
                     events_box, column_config=ui.EVENT_COLUMN_CONFIG)
