"""The plotly.js the browser loads (static/vendor) can draw every figure the app builds."""

import json
import re
from datetime import date
from pathlib import Path

import plotly
import plotly.graph_objects as go

from lib import figures, report, settings
from lib.prices import get_prices

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = sorted((ROOT / "static" / "vendor").glob("plotly-basic-*.min.js"))
BASIC_TRACES = {"scatter", "bar", "pie"}  # what plotly.js's "basic" bundle registers


def _header_version(text: str) -> str:
    return re.search(r"plotly\.js (?:\(basic - minified\) )?v(\d+\.\d+\.\d+)", text[:300]).group(1)


def _figures():
    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    saved = [("Slow build", settings.default_scenario())]
    items, _ = report.report_items(result.frame, result.provenance, settings.default_scenario(),
                                   saved, date(2026, 11, 26))
    return [fig for _, fig, _ in items]


def test_one_bundle_whose_version_matches_the_python_package():
    """Test that the served bundle is the plotly.js version plotly (Python) serialises for."""
    assert len(BUNDLES) == 1
    python_side = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    served = BUNDLES[0].read_text()
    assert _header_version(served) == _header_version(python_side)
    assert BUNDLES[0].name == f"plotly-basic-{_header_version(served)}.min.js"
    assert "window.Plotly = Plotly" in served[-200:]


def test_every_figure_uses_only_traces_the_bundle_draws():
    """Test that each report figure (the app's charts) needs only scatter, bar or pie."""
    for fig in _figures():
        assert {trace.type for trace in fig.data} <= BASIC_TRACES, fig.layout.title.text


def test_figure_json_is_what_plotly_js_reads():
    """Test that the JSON keeps every trace and the layout (the template included)."""
    for fig in _figures():
        parsed = json.loads(figures.figure_json(fig))
        assert len(parsed["data"]) == len(fig.data)
        assert parsed["layout"]["template"]["layout"]


def test_every_figure_passes_plotly_validation():
    """Test that figures built without plotly's validation would pass it: every property is
    one plotly knows, with a valid value (axis titles as {"text": ...}, as plotly.js 3+ reads)."""
    for fig in _figures():
        as_dict = fig.to_dict()
        checked = go.Figure(as_dict)  # raises ValueError on an unknown or invalid property
        assert len(checked.data) == len(fig.data)
        for name in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
            axis = as_dict["layout"].get(name, {})
            assert not isinstance(axis.get("title"), str), (fig.layout.title.text, name)
