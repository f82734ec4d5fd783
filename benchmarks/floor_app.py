"""Floor of the Grid page's slider round trip: its 12 sliders in a fragment, no chart.

With AIGRID_FLOOR=metrics the fragment also holds the page's four headline metrics. The runner
measures both next to hello-world and the Grid page, which shows where a slider move's time goes:
Streamlit's own round trip, the sliders, the metrics, then the chart and the rest of the page.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # lib/, as app.py sees it

import streamlit as st  # noqa: E402

from lib import grid_model, ui  # noqa: E402

WITH_METRICS = os.environ.get("AIGRID_FLOOR") == "metrics"

st.set_page_config(layout="wide")  # as app.py


@st.fragment
def panel() -> None:
    controls, output = st.columns([1, 2.7], gap="large")
    with controls:
        scenario = ui.scenario_sliders()
    summary = grid_model.summarise(grid_model.build_gap_table(scenario))
    with output:
        if WITH_METRICS:
            ui.headline_metrics(summary, scenario)
        st.write(f"Peak shortfall {summary.peak_shortfall_gw:.1f} GW")


panel()
