"""The report: six figures with their context, and a summary built from the data and model."""

import io
import json
import zipfile
from datetime import date

from lib import grid_model, report, report_archive, settings
from lib.prices import get_prices


def _items():
    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    return report.report_items(result.frame, result.provenance, settings.default_scenario(), [],
                               date(2026, 11, 26))


def test_report_has_six_figures_each_with_title_and_sources():
    """Test six uniquely named figures whose contexts carry a title and a sources line."""
    items, _ = _items()
    assert len(items) == 6 and len({slug for slug, _, _ in items}) == 6
    assert all(ctx.title and ctx.sources for _, _, ctx in items)
    model = dict((slug, ctx) for slug, _, ctx in items)["demand-vs-supply"]
    assert "lead time" in model.subtitle


def test_summary_states_the_headline_numbers_and_the_crash_moves():
    """Test that the summary quotes the model and the 12 Dec 2025 moves from the data."""
    _, summary = _items()
    gap = grid_model.build_gap_table(settings.default_scenario())
    numbers = grid_model.summarise(gap)
    assert f"First shortfall: {numbers.first_shortfall:%B %Y}" in summary
    assert f"powered in 2030: {numbers.share_2030_pct:.0f}%" in summary
    assert "^IXIC: -1.69% (-398.69)" in summary
    assert "ALAB to 15 May 2026 (snapshot)" in summary


def test_report_zip_without_images_still_holds_csvs_and_summary():
    """Test the zip built with images off: a CSV per figure, the summary and a manifest."""
    items, summary = _items()
    data, _ = report_archive.build_report_zip(items, summary, images=False)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"summary.md", "manifest.json"} <= set(names)
    assert sum(n.endswith(".csv") for n in names) == 6
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    assert manifest
