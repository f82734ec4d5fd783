"""AppTest of the Grid page: the metrics follow the sliders and presets, facts are sourced."""

from dataclasses import replace

import pytest

from lib import grid_model, settings
from tests.apptest_helpers import metric, open_page, texts

PAGE = "pages/grid.py"


def expected(**changes) -> grid_model.GapSummary:
    scenario = replace(settings.default_scenario(), **changes)
    return grid_model.summarise(grid_model.build_gap_table(scenario))


def test_default_metrics_match_the_model():
    """Test that the four headline numbers are the model's for the default scenario."""
    at = open_page(PAGE)
    assert not at.exception
    summary = expected()
    assert metric(at, "First shortfall") == f"{summary.first_shortfall:%b %Y}"
    assert metric(at, "Peak shortfall (GW)") == f"{summary.peak_shortfall_gw:,.1f}"
    assert metric(at, "Share powered in 2030") == f"{summary.share_2030_pct:.0f}%"
    assert "Realistic realisation" in texts(at)


def test_longer_lead_time_never_brings_the_shortfall_later():
    """Test that moving the lead-time slider to 8 years updates the metric, earlier or equal."""
    at = open_page(PAGE)
    before = expected().first_shortfall
    at.slider(key="lead_time_years").set_value(8.0).run()
    after = expected(lead_time_years=8.0)
    assert metric(at, "Peak shortfall (GW)") == f"{after.peak_shortfall_gw:,.1f}"
    assert after.first_shortfall <= before
    assert metric(at, "First shortfall") == f"{after.first_shortfall:%b %Y}"


def test_queue_as_filed_preset_sets_sliders_and_lowers_the_powered_share():
    """Test that the preset button moves the realisation slider to 100% and the share falls."""
    at = open_page(PAGE)
    default_share = metric(at, "Share powered in 2030")
    at.button(key="preset_queue_as_filed").click().run()
    assert at.slider(key="realisation_pct").value == pytest.approx(100.0)
    share = expected(realisation_pct=100.0, arrival_delay_months=0.0).share_2030_pct
    assert metric(at, "Share powered in 2030") == f"{share:.0f}%"
    assert float(metric(at, "Share powered in 2030").rstrip("%")) < float(default_share.rstrip("%"))
    assert "Queue as filed" in texts(at)


def test_a_link_with_settings_opens_that_scenario():
    """Test that ?lead_time_years=6&tranche_gw=10 sets both sliders."""
    at = open_page(PAGE, lead_time_years="6", tranche_gw="10")
    assert at.slider(key="lead_time_years").value == 6.0
    assert at.slider(key="tranche_gw").value == 10.0
    assert not at.exception


@pytest.mark.parametrize("query", [
    {"lead_time_years": "abc"}, {"tranche_gw": "1e999"}, {"realisation_pct": "-5"},
    {"nonsense": "x" * 5000}, {"end_year": "NaN"},
])
def test_odd_links_fall_back_to_defaults_with_one_calm_notice(query):
    """Test that hostile parameters give defaults, one info notice and no exception."""
    at = open_page(PAGE, **query)
    assert not at.exception and not at.error
    assert sum("not understood" in box.value for box in at.info) == 1
    assert metric(at, "First shortfall") == f"{expected().first_shortfall:%b %Y}"


def test_what_we_know_shows_sourced_tables():
    """Test that lead times and peak demand tables carry a source link per row."""
    at = open_page(PAGE)
    frames = [df.value for df in at.dataframe]
    lead = next(f for f in frames if "Asset" in f.columns)
    assert lead["URL"].str.startswith("http").all()
    peaks = next(f for f in frames if "Peak demand (GW)" in f.columns)
    assert peaks["Peak demand (GW)"].max() > 80
