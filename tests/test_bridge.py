"""Tests for lib/bridge.py: the year-by-year bridge between expected demand and powered load."""

from dataclasses import replace

from hypothesis import given

from lib import bridge, grid_model, settings, tables
from tests.test_grid_model import SEEDED, scenarios


def _table(scenario):
    return bridge.bridge_table(grid_model.yearly_table(grid_model.build_gap_table(scenario)))


@SEEDED
@given(scenarios())
def test_powered_load_never_shrinks_from_one_year_to_the_next(scenario):
    """Test that powered growth is never below zero, not even by float noise: demand and firm
    supply only rise, so what can be powered only rises."""
    growth = _table(scenario)["Powered growth (GW/year)"].dropna()
    assert (growth >= 0).all(), growth[growth < 0]


def test_a_flat_year_reads_zero_growth_in_the_shown_table():
    """Test that 'Queue as filed', whose firm supply stays flat through 2026-2027, shows their
    powered growth as 0.0 (the subtraction left -1e-14 GW, shown as '-0.0')."""
    table = _table(settings.preset_scenario("Queue as filed"))
    flat = table[table["Year"].isin([2026, 2027])]
    assert flat["Powered growth (GW/year)"].tolist() == [0.0, 0.0]
    shown = tables.markdown_table(table, bridge.BRIDGE_TABLE)
    assert "-0.0" not in shown


def test_a_year_with_no_expected_load_has_no_powered_share_to_claim():
    """Test that with a realisation of 0% nothing is claimed as powered: no 2030 share in the
    summary, "–" in the table, no bar label, and a sentence that says there is nothing to
    power instead of "100% ... (0 of 0 GW)"."""
    from dataclasses import replace

    from lib import figures

    gap = grid_model.build_gap_table(replace(settings.default_scenario(), realisation_pct=0.0))
    yearly = grid_model.yearly_table(gap)
    table = bridge.bridge_table(yearly)
    assert grid_model.summarise(gap).share_2030_pct is None
    assert table["Powered share (%)"].isna().all()
    assert "| –" in tables.markdown_table(table, bridge.BRIDGE_TABLE)
    sentence = bridge.bridge_sentence(table, 2030)
    assert sentence == "In 2030, no new load is expected: nothing to power."
    assert not any(figures.fig_bridge(yearly).data[1].text)


def test_a_horizon_without_the_year_says_so_and_gives_its_last_year():
    """Test that a horizon ending in 2028 says 2030 is outside it and reads its last year,
    instead of leaving the sentence beside "Powered in 2030: n/a" empty."""
    table = _table(replace(settings.default_scenario(), end_year=2028))
    last = table.iloc[-1]
    assert bridge.bridge_sentence(table, 2030) == (
        "2030 is outside this horizon (2024–2028). In 2028, "
        f"{last['Powered share (%)']:.0f}% of the expected load can be powered "
        f"({last['Powered (GW)']:.0f} of {last['Expected demand (GW)']:.0f} GW).")
