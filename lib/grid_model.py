"""Grid-capacity model: the market's straight demand line against stepped firm supply (ERCOT).

Scenario arithmetic, not a forecast. Demand is new large (AI/data-centre) load in GW on top of
the grid of January 2024 (MODEL_START_YEAR); supply is the firm GW available for it: a headroom
plus tranches that are decided every few years from then and energised only after a lead time.
The model runs on the calendar: the horizon (start_year to end_year) is the window it reports,
so a later start year shows a later part of the same scenario. The numpy core (`evaluate`) works
on a monthly axis; the DataFrame wrappers follow the contracts below.
Defaults and their sources live in lib/settings.py; this module knows nothing about the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
import pandas as pd

GAP_COLUMNS = [
    "Month",
    "Demand (GW)",
    "Supply (GW)",
    "Shortfall (GW)",
    "Powered share (%)",
    "Unserved energy (TWh)",
]
# Powered (GW) = demand - shortfall: the load supply carries, as the bridge quotes it
YEAR_COLUMNS = ["Year", *GAP_COLUMNS[1:4], "Powered (GW)", *GAP_COLUMNS[4:]]
TRANCHE_COLUMNS = ["Decided", "Energised", "Tranche (GW)"]
GAP_DTYPES = {"Month": "datetime64[ns]", **{c: "float64" for c in GAP_COLUMNS[1:]}}
YEAR_DTYPES = {"Year": "int64", **{c: "float64" for c in YEAR_COLUMNS[1:]}}

# A million GW is ~100x the world's installed capacity: anything larger is a typo, and the cap
# keeps every sum finite (at most 1,200 months x 1e6 GW).
MAX_GW = 1e6
MAX_HORIZON_YEARS = 100  # 1,200 months: keeps arrays small and tranche counts bounded
YEAR_LIMITS = (1900, 2150)  # + a 100-year lead time stays inside datetime64[ns] (to 2262)
# The demand line and the first tranche decision start in January of this year: the sourced
# defaults describe the queue from 2024 on (lib/settings.py).
MODEL_START_YEAR = 2024
_EPS_MONTHS = 1e-9  # so 12 * 0.5 * 2 == 12.000000000000002 still lands in month 12, not 13


class ScenarioError(ValueError):
    """A scenario value that the model cannot evaluate (the message names the field)."""


@dataclass(frozen=True)
class Scenario:
    """One set of model inputs; units are in the names. Defaults are sourced in lib/settings.py."""

    demand_start_gw: float = 0.0  # new large load in January MODEL_START_YEAR
    demand_growth_gw_per_year: float = 38.8  # queue as filed: ~233 GW by 2030
    realisation_pct: float = 49.8  # ERCOT's haircut
    arrival_delay_months: float = 6.0  # ERCOT's 180-day shift
    headroom_gw: float = 13.5  # firm spare capacity at the start
    tranche_gw: float = 6.5  # firm GW decided per tranche
    tranche_every_years: float = 1.0
    lead_time_years: float = 4.0  # decision to energisation
    tranche_growth_pct: float = 0.0  # each tranche this much larger than the one before
    load_factor_pct: float = 50.0  # average load / peak load, for GW -> TWh
    start_year: int = 2024  # horizon runs from January of start_year ...
    end_year: int = 2035  # ... to December of end_year

    def validated(self) -> Scenario:
        """Return self, or raise ScenarioError naming the first impossible value."""
        validate_scenario(self)
        return self

    def with_target(self, target_gw: float, target_year: int) -> Scenario:
        """Return a copy whose requested line (before realisation and the arrival delay)
        reaches target_gw in January of target_year, e.g. the large-load queue as filed by
        2030; the expected demand drawn is that line scaled by the realisation rate and
        shifted later by the arrival delay."""
        growth = growth_to_reach_gw_per_year(
            target_gw, target_year, self.demand_start_gw, MODEL_START_YEAR
        )
        return replace(self, demand_growth_gw_per_year=growth)


SCENARIO_FIELDS = tuple(f.name for f in fields(Scenario))
_INT_FIELDS = ("start_year", "end_year")
# Inclusive limits of what the model can evaluate (the sliders' bounds are narrower).
_LIMITS: dict[str, tuple[float, float]] = {
    "demand_start_gw": (0.0, MAX_GW),
    "demand_growth_gw_per_year": (0.0, MAX_GW),
    "realisation_pct": (0.0, 100.0),
    "arrival_delay_months": (0.0, 12.0 * MAX_HORIZON_YEARS),
    "headroom_gw": (0.0, MAX_GW),
    "tranche_gw": (0.0, MAX_GW),
    "tranche_every_years": (1 / 12, float(MAX_HORIZON_YEARS)),  # at most one tranche a month
    "lead_time_years": (0.0, float(MAX_HORIZON_YEARS)),
    "tranche_growth_pct": (-100.0, 1000.0),
    "load_factor_pct": (0.0, 100.0),
    "start_year": YEAR_LIMITS,
    "end_year": YEAR_LIMITS,
}


def _check_field(name: str, value: object) -> None:
    """Raise ScenarioError unless value is a finite number within the field's limits."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ScenarioError(f"{name} must be a number; got {value!r}")
    if name in _INT_FIELDS and not isinstance(value, Integral):
        raise ScenarioError(f"{name} must be a whole year (an int); got {value!r}")
    if not math.isfinite(value):
        raise ScenarioError(f"{name} must be a finite number; got {value!r}")
    low, high = _LIMITS[name]
    if not low <= value <= high:
        raise ScenarioError(f"{name} must be between {low:g} and {high:g}; got {value!r}")


def validate_scenario(scenario: Scenario) -> None:
    """Raise ScenarioError for NaN/inf, negative sizes, values beyond the model's limits, or a
    horizon that ends before it starts or spans more than MAX_HORIZON_YEARS."""
    for name in SCENARIO_FIELDS:
        _check_field(name, getattr(scenario, name))
    if scenario.end_year < scenario.start_year:
        raise ScenarioError(
            f"end_year ({scenario.end_year}) is before start_year ({scenario.start_year})"
        )
    if scenario.end_year - scenario.start_year >= MAX_HORIZON_YEARS:
        raise ScenarioError(f"the horizon may span at most {MAX_HORIZON_YEARS} years")


def growth_to_reach_gw_per_year(
    target_gw: float, target_year: int, start_gw: float, start_year: int
) -> float:
    """GW/year for a straight line from start_gw (January start_year) to target_gw (January
    target_year); raises ScenarioError when the target is not later or would need a fall."""
    years = target_year - start_year
    if years <= 0:
        raise ScenarioError(f"target year {target_year} must be after start year {start_year}")
    if not math.isfinite(target_gw) or target_gw < start_gw:
        raise ScenarioError(f"target {target_gw!r} GW must be finite and >= the starting level")
    return (target_gw - start_gw) / years


def horizon_months(scenario: Scenario) -> int:
    """Number of months from January of start_year to December of end_year."""
    return 12 * (scenario.end_year - scenario.start_year + 1)


@lru_cache(maxsize=64)
def _month_axis(start_year: int, n_months: int) -> tuple[np.ndarray, np.ndarray]:
    """First day of each month (datetime64[M]) and its hours; read-only, cached per horizon."""
    months = np.datetime64(f"{start_year:04d}-01", "M") + np.arange(n_months)
    days = (months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")
    hours = days.astype(np.float64) * 24.0
    months.flags.writeable = hours.flags.writeable = False
    return months, hours


def _offset_months(scenario: Scenario) -> int:
    """Months from January MODEL_START_YEAR to the horizon's first month (negative before)."""
    return 12 * (scenario.start_year - MODEL_START_YEAR)


def _tranches(scenario: Scenario, n_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decision month index, energisation month index (both counted from January
    MODEL_START_YEAR) and size (GW) of every tranche decided before the horizon's end, n_months
    from its start. Energisation is the first month start at or after decision + lead time."""
    every_months = 12.0 * scenario.tranche_every_years
    k = np.arange(max(math.ceil((_offset_months(scenario) + n_months) / every_months), 0))
    decided = np.floor(k * every_months + _EPS_MONTHS).astype(np.int64)
    energised = np.ceil(decided + 12.0 * scenario.lead_time_years - _EPS_MONTHS).astype(np.int64)
    with np.errstate(over="ignore"):  # huge growth overflows to inf; the cap brings it back
        factor = np.minimum((1.0 + scenario.tranche_growth_pct / 100.0) ** k, MAX_GW)
    sizes_gw = np.minimum(scenario.tranche_gw * factor, MAX_GW)
    return decided, energised, sizes_gw


def _demand_gw(scenario: Scenario, n_months: int) -> np.ndarray:
    """Realised demand at each month start: rate x (start + growth x years since arrival),
    the line growing from January MODEL_START_YEAR (+ the arrival delay) and flat before."""
    since_start = _offset_months(scenario) + np.arange(n_months)
    grown_years = np.maximum(since_start - scenario.arrival_delay_months, 0.0) / 12.0
    line_gw = scenario.demand_start_gw + scenario.demand_growth_gw_per_year * grown_years
    return scenario.realisation_pct / 100.0 * line_gw


def _supply_gw(scenario: Scenario, n_months: int) -> np.ndarray:
    """Firm supply at each month start: headroom plus every tranche energised by then."""
    _, energised, sizes_gw = _tranches(scenario, n_months)
    at = energised - _offset_months(scenario)  # month index in the horizon
    before, inside = at <= 0, (at > 0) & (at < n_months)
    added_gw = np.bincount(at[inside], weights=sizes_gw[inside], minlength=n_months)
    added_gw = added_gw.astype(np.float64, copy=False)  # int zeros when nothing is inside
    added_gw[0] = sizes_gw[before].sum()
    return scenario.headroom_gw + np.cumsum(added_gw)


def evaluate(scenario: Scenario, n_months: int | None = None) -> dict[str, np.ndarray]:
    """Monthly model arrays over the horizon (or n_months from its start instead): month
    (datetime64[M]), hours, demand_gw, supply_gw, shortfall_gw, powered_share_pct, unserved_twh.
    Shortfall = max(0, demand - supply); unserved = shortfall x hours x load factor / 1000."""
    validate_scenario(scenario)
    n = horizon_months(scenario) if n_months is None else int(n_months)
    if not 1 <= n <= 12 * MAX_HORIZON_YEARS:
        raise ScenarioError(f"n_months must be between 1 and {12 * MAX_HORIZON_YEARS}; got {n}")
    months, hours = _month_axis(scenario.start_year, n)
    demand_gw, supply_gw = _demand_gw(scenario, n), _supply_gw(scenario, n)
    shortfall_gw = np.maximum(demand_gw - supply_gw, 0.0)
    # Divide only where supply falls short, so the ratio is < 1 and never overflows.
    ratio = np.divide(supply_gw, demand_gw, out=np.ones(n), where=supply_gw < demand_gw)
    return {
        "month": months,
        "hours": hours,
        "demand_gw": demand_gw,
        "supply_gw": supply_gw,
        "shortfall_gw": shortfall_gw,
        "powered_share_pct": 100.0 * ratio,
        "unserved_twh": shortfall_gw * hours * (scenario.load_factor_pct / 100.0) / 1000.0,
    }


def build_gap_table(scenario: Scenario, n_months: int | None = None) -> pd.DataFrame:
    """Monthly GAP_COLUMNS table (Month = first day of the month, datetime64[ns])."""
    arrays = evaluate(scenario, n_months)
    keys = ["demand_gw", "supply_gw", "shortfall_gw", "powered_share_pct", "unserved_twh"]
    data = {"Month": arrays["month"].astype("datetime64[ns]")}
    data.update({col: arrays[key] for col, key in zip(GAP_COLUMNS[1:], keys, strict=True)})
    return pd.DataFrame(data, columns=GAP_COLUMNS, copy=False)


def tranche_table(scenario: Scenario) -> pd.DataFrame:
    """TRANCHE_COLUMNS: every tranche decided from January MODEL_START_YEAR to the horizon's
    end, its energisation month (which may fall after the horizon ends) and its size in firm
    GW."""
    n = horizon_months(scenario.validated())
    decided, energised, sizes_gw = _tranches(scenario, n)
    start = np.datetime64(f"{MODEL_START_YEAR:04d}-01", "M")
    return pd.DataFrame(
        {
            "Decided": (start + decided).astype("datetime64[ns]"),
            "Energised": (start + energised).astype("datetime64[ns]"),
            "Tranche (GW)": sizes_gw,
        },
        columns=TRANCHE_COLUMNS,
    )


def _yearly_sums(gap: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Calendar years of a gap table (months ascending, as built) and per-year sums of hours,
    GW x hours for each GW column, and unserved TWh."""
    months = gap["Month"].to_numpy().astype("datetime64[M]")
    days = (months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")
    hours = days.astype(np.float64) * 24.0
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    starts = np.flatnonzero(np.r_[True, year[1:] != year[:-1]])
    sums = {col: np.add.reduceat(gap[col].to_numpy() * hours, starts) for col in GAP_COLUMNS[1:4]}
    sums["Hours"] = np.add.reduceat(hours, starts)
    sums["Unserved energy (TWh)"] = np.add.reduceat(gap["Unserved energy (TWh)"].to_numpy(), starts)
    return year[starts], sums


def yearly_table(gap: pd.DataFrame) -> pd.DataFrame:
    """YEAR_COLUMNS per calendar year. GW columns are hours-weighted annual means, so
    Shortfall (GW) x hours x load factor / 1000 = Unserved energy (TWh), the annual sum.
    Powered share = served energy / demanded energy over the year, in %, 100 with no demand."""
    if gap.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in YEAR_DTYPES.items()})
    years, sums = _yearly_sums(gap)
    demand, short = sums["Demand (GW)"], sums["Shortfall (GW)"]
    served = np.divide(demand - short, demand, out=np.ones(len(years)), where=demand > 0)
    share_pct = 100.0 * served  # (D - S) / D <= 1 exactly; 100 x D / D need not be
    data = {"Year": years}
    data.update({col: sums[col] / sums["Hours"] for col in GAP_COLUMNS[1:4]})
    # rounded to 1e-9 GW (1 W): the subtraction leaves float noise, and a flat year would
    # otherwise grow by -1e-14 GW ("-0.0") in the bridge
    data["Powered (GW)"] = np.round((demand - short) / sums["Hours"], 9)
    data["Powered share (%)"] = share_pct
    data["Unserved energy (TWh)"] = sums["Unserved energy (TWh)"]
    return pd.DataFrame(data, columns=YEAR_COLUMNS)


def _year_row(gap: pd.DataFrame, year: int) -> pd.Series:
    """The yearly_table row for one year; ValueError when the year is outside the horizon."""
    table = yearly_table(gap)
    rows = table[table["Year"] == year]
    if rows.empty:
        years = table["Year"]
        raise ValueError(f"{year} is outside the horizon {years.min()}-{years.max()}")
    return rows.iloc[0]


def powered_share_pct(gap: pd.DataFrame, year: int) -> float:
    """Share (%) of the year's demanded energy that supply could serve."""
    return float(_year_row(gap, year)["Powered share (%)"])


def get_shortfall_gw(gap: pd.DataFrame, year: int) -> float:
    """Hours-weighted mean shortfall (GW) over one calendar year."""
    return float(_year_row(gap, year)["Shortfall (GW)"])


@dataclass(frozen=True)
class GapSummary:
    """Headline numbers of one gap table."""

    first_shortfall: pd.Timestamp | None  # first month with demand above supply
    peak_shortfall_gw: float  # 0.0 when supply always covers demand
    peak_shortfall_month: pd.Timestamp | None  # first month at the peak; None if no shortfall
    unserved_twh: float  # to the horizon end
    # Powered share of 2030; None if 2030 is outside the horizon or expects no load (no share).
    share_2030_pct: float | None


def _first_short_month(gap: pd.DataFrame) -> pd.Timestamp | None:
    short = gap["Shortfall (GW)"].to_numpy() > 0
    return gap["Month"].iloc[int(np.argmax(short))] if short.any() else None


def first_shortfall(gap: pd.DataFrame, scenario: Scenario | None = None) -> pd.Timestamp | None:
    """The first month in which demand exceeds supply. Given the table's scenario, counted from
    January MODEL_START_YEAR, where the model starts, even when the table's window starts
    later: a window from 2026 opens on a shortfall that began before it."""
    year = MODEL_START_YEAR
    # the months before the window, in tables of at most MAX_HORIZON_YEARS (the year limits
    # allow a window that starts more than one horizon after MODEL_START_YEAR)
    while scenario is not None and year < scenario.start_year:
        end = min(scenario.start_year, year + MAX_HORIZON_YEARS) - 1
        earlier = _first_short_month(build_gap_table(replace(scenario, start_year=year,
                                                             end_year=end)))
        if earlier is not None:
            return earlier
        year = end + 1
    return _first_short_month(gap)


def summarise(gap: pd.DataFrame, scenario: Scenario | None = None) -> GapSummary:
    """First shortfall (see first_shortfall), and over the table's window: peak shortfall and
    its month, total unserved TWh, 2030 powered share."""
    shortfall_gw = gap["Shortfall (GW)"].to_numpy()
    short = shortfall_gw > 0
    peak_i = int(np.argmax(shortfall_gw)) if short.any() else None
    years = gap["Month"].dt.year
    return GapSummary(
        first_shortfall=first_shortfall(gap, scenario),
        peak_shortfall_gw=float(shortfall_gw.max(initial=0.0)),
        peak_shortfall_month=None if peak_i is None else gap["Month"].iloc[peak_i],
        unserved_twh=float(gap["Unserved energy (TWh)"].sum()),
        share_2030_pct=(powered_share_pct(gap, 2030)
                        if gap["Demand (GW)"].to_numpy()[years == 2030].any() else None),
    )
