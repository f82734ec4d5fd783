"""Grid page: the market's straight demand line against a stepped, lagging firm build-out."""

from datetime import date

import streamlit as st

from lib import figures, grid_facts, grid_model, report, scenario_state, ui

ui.route_through_app()
st.title("Grid: a straight line of demand, steps of supply")
st.caption("ERCOT (Texas). Demand is the market's linear expectation of new large load; supply "
           "is firm capacity that arrives in tranches, each only after its lead time. "
           "Scenario arithmetic, not a forecast: every default has a source or is labelled an "
           "assumption (hover the ? beside each slider).")
ui.check_link()


# A slider move reruns these two fragments and nothing else on the page (see scenario_controls).
RESULTS, YEARS = "grid_results", "grid_years"


@st.fragment(key=RESULTS)
def results() -> None:
    """The scenario's headline numbers and chart, with its downloads."""
    scenario = ui.current_scenario(show_notices=True)
    gap = grid_model.build_gap_table(scenario)
    summary = grid_model.summarise(gap, scenario)
    preset = scenario_state.matching_preset(scenario)
    st.caption(f"{scenario_state.scenario_line(preset)} Supply is firm GW (gas, storage), "
               f"not nameplate solar. {scenario_state.first_tranche_sentence(scenario)}")
    ui.headline_metrics(summary, scenario)
    ui.chart(figures.fig_gap(gap, summary.first_shortfall, today=date.today()), "grid_chart",
             context=report.model_context(report.GAP_TITLE, scenario))


@st.fragment(key=YEARS)
def years() -> None:
    """The scenario year by year, on request."""
    if ui.kept_widget(st.toggle, "Show the numbers year by year", "grid_show_years", False):
        yearly = grid_model.yearly_table(grid_model.build_gap_table(ui.current_scenario()))
        st.caption("GW columns are averages over each year's hours (the headline peak "
                   "shortfall is the largest single month; a year's mean shortfall is not the "
                   "difference of its means when some months have none); unserved energy is "
                   f"the year's sum. {grid_facts.recent_additions_note()}")
        ui.data_grid(yearly, column_config=ui.YEAR_COLUMN_CONFIG,
                     height=ui.all_rows_height(yearly))
        st.download_button("Download CSV", lambda: yearly.to_csv(index=False),
                           "grid_by_year.csv", "text/csv", on_click="ignore",
                           key="grid_year_csv")


ui.preset_buttons()  # a preset reruns the whole page
controls, output = st.columns([1, 2.7], gap="large")
with controls:
    ui.scenario_controls(rerun=(RESULTS, YEARS))
with output:
    results()
    st.caption("Shortfall (GW) = max(0, demand − supply). Unserved energy (TWh) = shortfall "
               "× hours in the month × load factor ÷ 1000. Powered share = served energy ÷ "
               f"expected energy. {grid_facts.shortfall_meaning()} "
               f"{grid_facts.past_peaks_note()} Method, and any fact ID looked up: Sources & "
               "method page.")
    years()


REQUESTS = "Large-load requests"  # the one fact drawn as a chart; the others are tables
FACT_TABLES = {"How long building takes": grid_facts.lead_time_table,
               "Peak demand": grid_facts.peak_history, "Capacity added": grid_facts.additions_table}


@st.fragment
def what_we_know() -> None:
    """Sourced facts, one at a time: only the chosen one is built and sent. A segmented control,
    not tabs: with tabs here, every slider move on the page took about 10 ms longer."""
    st.header("What we know", divider="gray")
    shown = ui.kept_widget(st.segmented_control, "Fact to show", "grid_fact", REQUESTS,
                           "default", options=[REQUESTS, *FACT_TABLES], required=True,
                           label_visibility="collapsed")
    if shown in FACT_TABLES:
        ui.data_grid(FACT_TABLES[shown](), column_config=ui.SOURCE_COLUMN_CONFIG)
        return
    queue = grid_facts.queue_history()
    ui.chart(figures.fig_queue_history(queue, grid_facts.record_peak_gw(),
                                       grid_facts.record_peak_label()), "queue_chart",
             context=report.queue_context(queue))
    st.caption("Requests to ERCOT from loads of 75 MW or more, as reported on each date (hover "
               "for the date, the source and, where it gives one, the data-centre share: "
               f"{grid_facts.data_centre_share_text(queue)}). {report.QUEUE_CAVEAT} The record "
               "peak is "
               "ERCOT's preliminary Aug 2024 figure; several later sources still cite the 2023 "
               "record (85.5 GW): both are on the Sources page.")


what_we_know()
