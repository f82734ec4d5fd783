"""Home page: the AI names and the grid model on one calendar axis, and the bridge between them."""

from datetime import date

import streamlit as st

from lib import (
    bridge,
    events,
    figures,
    grid_facts,
    grid_model,
    market,
    prices,
    report,
    scenario_state,
    tables,
    ui,
)

ui.route_through_app()
st.title("AI vs the grid")
st.caption("The market prices AI demand as a straight line up; the power it needs arrives in "
           "slow, lumpy steps. Top: AI-infrastructure stocks. Below: the market's demand line for "
           "new large load in Texas (ERCOT) against a stepped firm build-out. Scenario "
           "arithmetic, not a forecast.")
ui.check_link()

offered = list(scenario_state.HOME_SYMBOLS)
ui.note_unlisted_symbols("symbols", offered)
ui.note_market_list()
picked = st.sidebar.multiselect("AI names", offered, default=list(prices.CORE_SYMBOLS),
                                key="symbols", max_selections=10, bind="query-params")
symbols = picked or list(prices.CORE_SYMBOLS)
result = ui.cached_prices(tuple(symbols), ui.is_offline())
ui.show_notices([*([] if picked else ["No AI names picked: the chart shows the four defaults."]),
                 *result.notices])
ui.crash_cards(result.frame, symbols, events.CRASH_DAY)
as_of = market.as_of_text(result.provenance)


RESULTS = "home_results"  # what a slider move reruns, and nothing else (see scenario_controls)


@st.fragment(key=RESULTS)
def scenario_view() -> None:
    """Everything that depends on the grid scenario."""
    scenario = ui.current_scenario(show_notices=True)
    gap = grid_model.build_gap_table(scenario)
    summary = grid_model.summarise(gap, scenario)
    yearly = grid_model.yearly_table(gap)
    table = bridge.bridge_table(yearly)
    ui.model_cards(summary, bridge.bridge_sentence(table, 2030),
                   scenario_state.matching_preset(scenario))
    part = ui.collision_market(tuple(symbols), ui.is_offline(), scenario.start_year,
                               scenario.end_year, as_of)
    ui.chart(report.collision_figure(part, gap, summary.first_shortfall, date.today()),
             "collision_chart",
             context=report.collision_context(scenario, as_of))
    st.caption(report.collision_caption(part, as_of, scenario.start_year,
                                        scenario_state.scenario_summary(scenario)))

    st.subheader("The bridge: how much of the straight line can be powered")
    st.caption(grid_facts.recent_additions_note())
    row = st.container(horizontal=True, gap="large")  # the table wraps under a narrow chart
    ui.chart(figures.fig_bridge(yearly), "bridge_chart", row.container(width="stretch"),
             context=report.model_context(report.BRIDGE_TITLE, scenario))
    with row.container(width=ui.BRIDGE_TABLE_WIDTH_PX):
        ui.table(tables.markdown_table(table, bridge.BRIDGE_TABLE), table, "bridge_by_year.csv",
                 "bridge_csv", bridge.FORMULA)

    ui.share_link(scenario)
    ui.scenario_compare(scenario)
    ui.report_download(result, scenario)


ui.preset_buttons()  # a preset reruns the whole page
with st.expander("All settings", icon=":material/tune:"):
    ui.scenario_controls(rerun=(RESULTS,), columns=3)
scenario_view()
