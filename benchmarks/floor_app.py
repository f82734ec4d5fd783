"""Floors of the Grid page's slider round trip: its parts alone, wired as the page wires them.

As on the page, the sliders sit in a fragment of their own and a move reruns only the fragment
that shows the results (ui.scenario_controls). AIGRID_FLOOR selects the part:
- unset: the page's 12 sliders, and one line of text as the result;
- "metrics": the 12 sliders and the page's four headline metrics;
- "chart": one slider (lead time) and the Grid chart, drawn by the app's chart component;
- "chart_data": one slider and the same figure sent to the page, where undrawn_chart.js only
  notes its arrival: the round trip before plotly.js draws;
- "plotly_chart": one slider and the same figure drawn by st.plotly_chart.
The runner measures each next to hello-world and the Grid page, which shows where a slider
move's time goes: Streamlit's own round trip, the sliders, the metrics, the chart, the rest.
benchmarks/static links to the app's static/ folder, which Streamlit serves next to the main
script: the chart component loads plotly.js from there.
"""

import os
import sys
from dataclasses import astuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # lib/, as app.py sees it

import streamlit as st  # noqa: E402

from lib import figures, grid_model, settings, ui  # noqa: E402

FLOOR = os.environ.get("AIGRID_FLOOR", "")
RESULTS = "floor_results"
_undrawn_chart = st.components.v2.component(
    "floor_undrawn_chart", js=(Path(__file__).parent / "undrawn_chart.js").read_text(),
    isolate_styles=False)

st.set_page_config(layout="wide")  # as app.py


@st.fragment(key=RESULTS)
def results() -> None:
    scenario = ui.current_scenario()
    gap = grid_model.build_gap_table(scenario)
    summary = grid_model.summarise(gap)
    if FLOOR == "metrics":
        ui.headline_metrics(summary, scenario)
    if FLOOR == "plotly_chart":
        st.plotly_chart(figures.fig_gap(gap, summary.first_shortfall), key="grid_chart")
    elif FLOOR == "chart":
        ui.chart(figures.fig_gap(gap, summary.first_shortfall), "grid_chart")
    elif FLOOR == "chart_data":
        _undrawn_chart(key="grid_chart", data={
            "figure": figures.figure_json(figures.fig_gap(gap, summary.first_shortfall))})
    else:  # every slider's value in the text, so that each move changes what is watched
        values = ", ".join(f"{value:g}" for value in astuple(scenario))
        st.write(f"Peak shortfall {summary.peak_shortfall_gw:.1f} GW ({values})")


@st.fragment
def one_slider() -> None:
    lead = settings.SETTINGS_BY_NAME["lead_time_years"]
    ui.setting_slider(lead, rerun=(RESULTS,))


controls, output = st.columns([1, 2.7], gap="large")
with controls:
    if FLOOR in ("chart", "chart_data", "plotly_chart"):
        one_slider()
    else:
        ui.scenario_controls(rerun=(RESULTS,))
with output:
    results()
