"""Floors of the Grid page's slider round trip: its parts alone, each in a fragment.

AIGRID_FLOOR selects the part:
- unset: the page's 12 sliders, no chart;
- "metrics": the 12 sliders and the page's four headline metrics;
- "chart": one slider (lead time) and the Grid chart, drawn by the app's chart component;
- "plotly_chart": one slider and the same figure drawn by st.plotly_chart.
The runner measures each next to hello-world and the Grid page, which shows where a slider
move's time goes: Streamlit's own round trip, the sliders, the metrics, the chart, the rest.
benchmarks/static links to the app's static/ folder, which Streamlit serves next to the main
script: the chart component loads plotly.js from there.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # lib/, as app.py sees it

import streamlit as st  # noqa: E402

from lib import figures, grid_model, settings, ui  # noqa: E402

FLOOR = os.environ.get("AIGRID_FLOOR", "")

st.set_page_config(layout="wide")  # as app.py


@st.fragment
def panel() -> None:
    controls, output = st.columns([1, 2.7], gap="large")
    with controls:
        scenario = ui.scenario_sliders()
    summary = grid_model.summarise(grid_model.build_gap_table(scenario))
    with output:
        if FLOOR == "metrics":
            ui.headline_metrics(summary, scenario)
        st.write(f"Peak shortfall {summary.peak_shortfall_gw:.1f} GW")


@st.fragment
def chart_panel() -> None:
    lead = next(s for s in settings.SETTINGS if s.name == "lead_time_years")
    value = ui.setting_slider(lead, lead.name in st.session_state)
    scenario = settings.scenario_from_mapping({lead.name: value})[0]
    gap = grid_model.build_gap_table(scenario)
    fig = figures.fig_gap(gap, grid_model.summarise(gap).first_shortfall)
    if FLOOR == "plotly_chart":
        st.plotly_chart(fig, key="grid_chart")
    else:
        ui.chart(fig, "grid_chart")


if FLOOR in ("chart", "plotly_chart"):
    chart_panel()
else:
    panel()
