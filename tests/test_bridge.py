"""Tests for lib/bridge.py: the year-by-year bridge between expected demand and powered load."""

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
