"""Tests for lib/grid_model.py: contracts, invariants (hypothesis), edge cases, a hand example."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lib.grid_model import (
    GAP_COLUMNS,
    GAP_DTYPES,
    MAX_GW,
    MAX_HORIZON_YEARS,
    MODEL_START_YEAR,
    YEAR_COLUMNS,
    YEAR_DTYPES,
    YEAR_LIMITS,
    Scenario,
    ScenarioError,
    build_gap_table,
    evaluate,
    get_shortfall_gw,
    growth_to_reach_gw_per_year,
    powered_share_pct,
    summarise,
    tranche_table,
    yearly_table,
)

SEEDED = settings(max_examples=80, deadline=None, derandomize=True)
# A tiny scenario worked by hand: 5 GW/yr of demand, one 10 GW tranche energised after 2 years.
TINY = Scenario(
    demand_start_gw=0.0, demand_growth_gw_per_year=5.0, realisation_pct=100.0,
    arrival_delay_months=0.0, headroom_gw=0.0, tranche_gw=10.0, tranche_every_years=10.0,
    lead_time_years=2.0, tranche_growth_pct=0.0, load_factor_pct=100.0,
    start_year=2024, end_year=2026,
)  # fmt: skip


def _floats(low: float, high: float) -> hs.SearchStrategy[float]:
    return hs.floats(low, high, allow_nan=False, allow_infinity=False)


@hs.composite
def scenarios(draw: hs.DrawFn) -> Scenario:
    """Valid scenarios over a wide range, horizons of 1-15 years."""
    start = draw(hs.integers(2020, 2030))
    return Scenario(
        demand_start_gw=draw(_floats(0, 300)),
        demand_growth_gw_per_year=draw(_floats(0, 200)),
        realisation_pct=draw(_floats(0, 100)),
        arrival_delay_months=draw(_floats(0, 48)),
        headroom_gw=draw(_floats(0, 200)),
        tranche_gw=draw(_floats(0, 100)),
        tranche_every_years=draw(_floats(1 / 12, 10)),
        lead_time_years=draw(_floats(0, 15)),
        tranche_growth_pct=draw(_floats(-100, 200)),
        load_factor_pct=draw(_floats(0, 100)),
        start_year=start,
        end_year=start + draw(hs.integers(0, 14)),
    )


def test_gap_table_meets_its_contract():
    """Test that the monthly table has the agreed columns, dtypes and month starts."""
    gap = build_gap_table(Scenario())
    assert gap.columns.tolist() == GAP_COLUMNS
    assert {c: str(t) for c, t in gap.dtypes.items()} == GAP_DTYPES
    assert len(gap) == 144 and gap["Month"].iloc[0] == pd.Timestamp("2024-01-01")
    assert (gap["Month"].dt.day == 1).all() and gap["Month"].iloc[-1] == pd.Timestamp("2035-12-01")


def test_yearly_table_meets_its_contract():
    """Test that the yearly table has the agreed columns, dtypes and one row per year."""
    yearly = yearly_table(build_gap_table(Scenario()))
    assert yearly.columns.tolist() == YEAR_COLUMNS
    assert {c: str(t) for c, t in yearly.dtypes.items()} == YEAR_DTYPES
    assert yearly["Year"].tolist() == list(range(2024, 2036))
    # the GW the year's sentence quotes ("33 of 115 GW"), beside demand and shortfall
    assert "Powered (GW)" in YEAR_COLUMNS
    powered = yearly["Demand (GW)"] - yearly["Shortfall (GW)"]
    assert (yearly["Powered (GW)"] - powered).abs().max() < 1e-8


@SEEDED
@given(scenarios())
def test_supply_never_falls_and_steps_only_when_a_tranche_energises(s):
    """Test that supply is non-decreasing and changes only in energisation months."""
    gap = build_gap_table(s)
    steps = gap["Supply (GW)"].diff().dropna()
    assert (steps >= 0).all()
    energised = set(tranche_table(s)["Energised"])
    assert set(gap["Month"].iloc[1:][steps.to_numpy() > 0]) <= energised


@SEEDED
@given(scenarios(), _floats(0, 10))
def test_a_longer_lead_time_never_raises_supply(s, extra_years):
    """Test that adding lead time never gives more supply at any month."""
    later = replace(s, lead_time_years=min(s.lead_time_years + extra_years, 100))
    assert (evaluate(later)["supply_gw"] <= evaluate(s)["supply_gw"]).all()


@SEEDED
@given(scenarios())
def test_shortfall_is_exactly_demand_above_supply_and_share_is_a_percentage(s):
    """Test that shortfall == max(0, demand - supply) exactly and share lies in [0, 100]."""
    gap = build_gap_table(s)
    gap_gw = gap["Demand (GW)"].to_numpy() - gap["Supply (GW)"].to_numpy()
    assert np.array_equal(gap["Shortfall (GW)"].to_numpy(), np.maximum(gap_gw, 0.0))
    for share in (gap["Powered share (%)"], yearly_table(gap)["Powered share (%)"]):
        assert share.between(0, 100).all()


@SEEDED
@given(scenarios(), _floats(0, 100))
def test_more_demand_growth_never_lowers_unserved_energy(s, extra_gw_per_year):
    """Test that a steeper demand line never reduces unserved energy."""
    steeper = replace(s, demand_growth_gw_per_year=s.demand_growth_gw_per_year + extra_gw_per_year)
    assert evaluate(steeper)["unserved_twh"].sum() >= evaluate(s)["unserved_twh"].sum()


@SEEDED
@given(scenarios())
def test_yearly_means_turn_into_the_yearly_energy(s):
    """Test that yearly Shortfall (GW) x hours x load factor equals the year's TWh."""
    yearly = yearly_table(build_gap_table(s))
    hours = np.array(
        [8784.0 if pd.Timestamp(y, 1, 1).is_leap_year else 8760.0 for y in yearly["Year"]]
    )
    twh = yearly["Shortfall (GW)"] * hours * s.load_factor_pct / 100 / 1000
    np.testing.assert_allclose(twh, yearly["Unserved energy (TWh)"], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "changes",
    [
        {"demand_growth_gw_per_year": 0.0},
        {"tranche_gw": 0.0, "headroom_gw": 0.0},
        {"demand_start_gw": 0.0, "demand_growth_gw_per_year": 0.0, "headroom_gw": 0.0},
        {"end_year": 2024},
        {"lead_time_years": 100.0, "arrival_delay_months": 1200.0},
        {"demand_growth_gw_per_year": MAX_GW, "demand_start_gw": MAX_GW, "headroom_gw": MAX_GW},
        {"tranche_gw": MAX_GW, "tranche_growth_pct": 1000.0, "tranche_every_years": 1 / 12},
        {"start_year": 1900, "end_year": 1999, "tranche_every_years": 1 / 12},
    ],
)
def test_edge_cases_give_finite_answers(changes):
    """Test that zero, tiny-horizon and huge scenarios still give finite numbers."""
    gap = build_gap_table(replace(Scenario(), **changes))
    assert np.isfinite(gap[GAP_COLUMNS[1:]].to_numpy()).all()
    assert math.isfinite(summarise(gap).unserved_twh)


def test_a_one_month_horizon_gives_one_finite_row():
    """Test that evaluating a single month works and its year summarises."""
    gap = build_gap_table(Scenario(), n_months=1)
    assert len(gap) == 1 and len(yearly_table(gap)) == 1
    assert summarise(gap).first_shortfall is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_year": 2030, "end_year": 2029}, "before start_year"),
        ({"tranche_gw": -1.0}, "tranche_gw"),
        ({"headroom_gw": float("nan")}, "finite"),
        ({"demand_growth_gw_per_year": float("inf")}, "finite"),
        ({"tranche_every_years": 0.0}, "tranche_every_years"),
        ({"realisation_pct": 150.0}, "realisation_pct"),
        ({"start_year": 2024.5}, "whole year"),
        ({"lead_time_years": True}, "number"),
        ({"headroom_gw": 2 * MAX_GW}, "headroom_gw"),
        ({"start_year": 1900, "end_year": 2100}, "at most"),
    ],
)
def test_impossible_values_raise_a_clear_scenario_error(changes, message):
    """Test that impossible inputs raise ScenarioError naming the problem."""
    with pytest.raises(ScenarioError, match=message):
        replace(Scenario(), **changes).validated()


def test_a_tiny_scenario_matches_the_hand_calculation():
    """Test first shortfall, peak, supply step and unserved TWh against a hand calculation."""
    gap = build_gap_table(TINY)
    summary = summarise(gap)
    # Demand 5 GW/yr from 0; supply 0 until the tranche lands in Jan 2026 (decided Jan 2024 + 2).
    assert summary.first_shortfall == pd.Timestamp("2024-02-01")  # Jan: demand 0 = supply 0
    assert summary.peak_shortfall_gw == pytest.approx(5 * 23 / 12)  # Dec 2025, 23 months in
    assert summary.peak_shortfall_month == pd.Timestamp("2025-12-01")
    assert gap["Supply (GW)"].tolist() == [0.0] * 24 + [10.0] * 12
    days_2024 = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # leap year
    days_2025 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    # Month i's shortfall is 5i/12 GW for i < 24, then 5(i-24)/12 GW; x 24 h per day, / 1000.
    gwh = sum(5 * i / 12 * 24 * d for i, d in enumerate(days_2024 + days_2025))
    gwh += sum(5 * j / 12 * 24 * d for j, d in enumerate(days_2025))  # 2026 has 2025's months
    assert summary.unserved_twh == pytest.approx(gwh / 1000)


def test_summary_handles_no_shortfall_and_a_horizon_without_2030():
    """Test the summary's None values when supply always wins and 2030 is not modelled."""
    gap = build_gap_table(replace(Scenario(), headroom_gw=1000.0, end_year=2027))
    summary = summarise(gap)
    assert summary.first_shortfall is None and summary.peak_shortfall_month is None
    assert summary.peak_shortfall_gw == 0.0 and summary.unserved_twh == 0.0
    assert summary.share_2030_pct is None
    with pytest.raises(ValueError, match="outside the horizon"):
        powered_share_pct(gap, 2030)


def test_yearly_powered_share_is_served_over_demanded_energy():
    """Test the 2030 share and shortfall helpers against the yearly table."""
    gap = build_gap_table(Scenario())
    row = yearly_table(gap).set_index("Year").loc[2030]
    served_share = 100 * (row["Demand (GW)"] - row["Shortfall (GW)"]) / row["Demand (GW)"]
    assert powered_share_pct(gap, 2030) == pytest.approx(served_share)
    assert summarise(gap).share_2030_pct == pytest.approx(served_share)
    assert get_shortfall_gw(gap, 2030) == pytest.approx(row["Shortfall (GW)"])


def test_a_target_sets_the_growth_of_the_requested_line():
    """Test that with_target makes the unrealised line reach the target in January."""
    s = replace(Scenario(), realisation_pct=100.0, arrival_delay_months=0.0).with_target(233, 2030)
    gap = build_gap_table(s).set_index("Month")
    assert gap.loc["2030-01-01", "Demand (GW)"] == pytest.approx(233.0)
    with pytest.raises(ScenarioError):
        growth_to_reach_gw_per_year(233, 2024, 0.0, 2024)


def test_tranches_arrive_one_lead_time_after_their_decision():
    """Test that the tranche table shows 4-year lead times for the defaults."""
    tranches = tranche_table(Scenario())
    assert len(tranches) == 12 and (tranches["Tranche (GW)"] == 6.5).all()
    gap_years = (tranches["Energised"].dt.year - tranches["Decided"].dt.year).unique()
    assert gap_years.tolist() == [4]


def test_yearly_table_does_not_change_its_input():
    """Test that yearly_table and summarise leave the gap table untouched."""
    gap = build_gap_table(Scenario())
    before = gap.copy()
    yearly_table(gap), summarise(gap)
    pd.testing.assert_frame_equal(gap, before)


@SEEDED
@given(scenarios(), hs.integers(2020, 2030))
def test_the_start_year_moves_the_window_not_the_scenario(s, other_start):
    """Test that the model runs on the calendar from January 2024 (MODEL_START_YEAR): two
    horizons of one scenario agree, month by month, where they overlap."""
    other = replace(s, start_year=min(other_start, s.end_year))  # the windows overlap
    a, b = build_gap_table(s).set_index("Month"), build_gap_table(other).set_index("Month")
    both = a.index.intersection(b.index)
    assert len(both) > 0
    pd.testing.assert_frame_equal(a.loc[both], b.loc[both], rtol=1e-9, atol=1e-9)


def test_no_new_load_and_no_tranche_before_the_model_starts():
    """Test that a horizon from 2020 holds the start level and the headroom until 2024."""
    s = replace(Scenario(), start_year=2020, demand_start_gw=5.0)
    early = build_gap_table(s).set_index("Month").loc[:"2023-12-01"]
    assert len(early) == 48 and MODEL_START_YEAR == 2024
    assert (early["Demand (GW)"] == 5.0 * s.realisation_pct / 100).all()
    assert (early["Supply (GW)"] == s.headroom_gw).all()


def test_a_later_window_keeps_the_scenarios_first_shortfall():
    """Test that a horizon starting after the first shortfall reports that month, not the
    window's first month (Start year 2026 said "First shortfall Jan 2026" for a scenario short
    since Apr 2025), and that the window's own numbers stay the window's."""
    whole = replace(Scenario(), start_year=2024, end_year=2035)
    first = summarise(build_gap_table(whole), whole).first_shortfall
    assert first is not None and first.year < 2026
    for start in (2026, 2030):
        later = replace(whole, start_year=start)
        gap = build_gap_table(later)
        summary = summarise(gap, later)
        assert summary.first_shortfall == first
        assert gap["Shortfall (GW)"].iloc[0] > 0  # the window opens short
        assert summary.unserved_twh == pytest.approx(gap["Unserved energy (TWh)"].sum())
    assert summarise(build_gap_table(whole)).first_shortfall == first  # no scenario: the table's


def test_a_window_more_than_a_horizon_after_the_model_start_keeps_its_first_shortfall():
    """Test that a window starting over MAX_HORIZON_YEARS after January MODEL_START_YEAR (the
    years allow 2150) still gets its summary: the months before it were one table of more than
    MAX_HORIZON_YEARS, which raised "the horizon may span at most 100 years" for a 2-year
    window."""
    whole = replace(Scenario(), start_year=MODEL_START_YEAR, end_year=2035)
    first = summarise(build_gap_table(whole), whole).first_shortfall
    late = replace(Scenario(), start_year=YEAR_LIMITS[1] - 1, end_year=YEAR_LIMITS[1])
    assert late.start_year - MODEL_START_YEAR > MAX_HORIZON_YEARS
    assert summarise(build_gap_table(late), late).first_shortfall == first
    never = replace(late, demand_growth_gw_per_year=0.0, demand_start_gw=0.0)
    assert summarise(build_gap_table(never), never).first_shortfall is None


@SEEDED
@given(start=hs.integers(MODEL_START_YEAR, 2030), growth=hs.floats(0.0, 60.0),
       headroom=hs.floats(0.0, 80.0))
def test_first_shortfall_is_the_same_for_every_window_that_reaches_it(start, growth, headroom):
    """Test that any window's first shortfall is the whole run's, when the whole run has one
    before the window ends: the model runs from January MODEL_START_YEAR whatever the window."""
    scenario = replace(Scenario(), demand_growth_gw_per_year=growth, headroom_gw=headroom,
                       start_year=MODEL_START_YEAR, end_year=2035)
    whole = summarise(build_gap_table(scenario), scenario).first_shortfall
    window = replace(scenario, start_year=start)
    first = summarise(build_gap_table(window), window).first_shortfall
    assert first == whole
