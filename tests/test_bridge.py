"""Tests for lib/bridge.py: the year-by-year bridge between expected demand and powered load."""

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

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


@SEEDED
@given(st.floats(min_value=0.0, max_value=100.0))
def test_a_share_text_never_claims_all_or_none_that_it_is_not(pct):
    """Test that a share shown as 100% is 100%, one shown as 0% is 0%, and the shown number is
    the share rounded to the digits it shows (whole percent where that is honest)."""
    text = bridge.share_text(pct)
    assert text.endswith("%")
    if text == "100%":
        assert pct == 100.0
    if text == "0%":
        assert pct == 0.0
    if text[0] in "<>":
        assert (0 < pct < 0.1) if text[0] == "<" else (99.9 < pct < 100)
    else:
        shown = float(text[:-1])
        digits = len(text[:-1].partition(".")[2])
        assert abs(shown - pct) <= 0.5 * 10 ** -digits + 1e-9
        assert digits == 0 or round(pct) in (0, 100)


def test_a_year_short_of_full_reads_below_100_in_every_place_it_is_shown():
    """Test that a scenario that powers 99.6% of 2030's expected load (shortfall months in
    it) never shows 100%: the headline, the sentence with its GW, the table, the bar label and
    the report's summary all say less (they read "100%" and "115 of 115 GW")."""
    from lib import figures, report

    scenario = replace(settings.default_scenario(), headroom_gw=0.5, tranche_gw=40.0)
    gap = grid_model.build_gap_table(scenario)
    yearly = grid_model.yearly_table(gap)
    table = bridge.bridge_table(yearly)
    share = grid_model.powered_share_pct(gap, 2030)
    assert 99.5 <= share < 100
    sentence = bridge.bridge_sentence(table, 2030)
    assert "100%" not in sentence and f"{bridge.share_text(share)} of the expected" in sentence
    powered, expected = sentence.rpartition("(")[2].split(" GW")[0].split(" of ")
    assert powered != expected
    row = tables.markdown_table(table[table["Year"] == 2030], bridge.BRIDGE_TABLE)
    assert "100%" not in row and "99.6%" in row
    labels = figures.fig_bridge(yearly).data[1].text
    assert labels[list(yearly["Year"]).index(2030)] == "99.6%"
    summary = grid_model.summarise(gap, scenario)
    text = report.summary_markdown(scenario, summary, table, [], "as of", date(2026, 11, 27))
    assert "- Share of expected load powered in 2030: 99.6%" in text
    assert [line for line in text.splitlines() if line.startswith("| 2030 |")][0].endswith(
        "| 99.6 |")


def test_gw_of_gw_takes_a_decimal_only_where_it_shows_a_difference():
    """Test "115 of 115 GW" for a year with no shortfall whose means differ by float noise (it
    read "115.2 of 115.2 GW", unlike every other sentence), and one decimal where it tells
    apart what whole GW would not."""
    assert bridge.gw_of_gw(115.2 - 1e-9, 115.2) == "115 of 115 GW"
    assert bridge.gw_of_gw(114.7, 115.2) == "114.7 of 115.2 GW"
    assert bridge.gw_of_gw(33.0, 115.2) == "33 of 115 GW"
