"""Every model setting in one table (like datasette's SETTINGS): name, label, bounds, default
and where the default comes from. Sliders, widget keys, URL parameters, tooltips, presets and
the Method page all read this table; lib/grid_model.Scenario holds the same defaults (a test
keeps the two equal). A source_id is a fact_id in data/grid (see lib/grid_facts.fact)."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import pandas as pd

from lib import tables
from lib.grid_facts import fact
from lib.grid_model import Scenario, ScenarioError, validate_scenario

GROUPS = ("Demand", "Build-out", "Energy", "Horizon")
ASSUMPTION = "assumption"
MAX_PARAM_CHARS = 40  # longer URL values are not numbers we would ever write: ignored unread
_NAME_RE = re.compile(r"[A-Za-z0-9_]{1,40}")  # echoed in notices only if it looks like a name


@dataclass(frozen=True)
class Setting:
    """One model knob. Integer settings (years) have int default, bounds and step; the rest
    are floats throughout, as st.slider needs one numeric type."""

    name: str  # Scenario field, widget key and URL parameter
    label: str  # on screen, unit included
    group: str  # one of GROUPS
    default: float
    bounds: tuple[float, float]
    step: float
    help: str  # tooltip: what it means and where the default comes from
    source_id: str  # a fact_id in data/grid, or ASSUMPTION
    assumption: str = ""  # why this value, when source_id == ASSUMPTION
    # other data/grid rows behind the default: the rest of a sum, or rows that agree with it
    also: tuple[str, ...] = ()

    @property
    def is_integer(self) -> bool:
        """True for whole-number settings (the horizon years)."""
        return isinstance(self.default, int)

    def on_step(self, value: float) -> bool:
        """Whether value is one the slider can hold: its lower bound plus whole steps, give or
        take float rounding (a tolerance in steps let 1e-07 pass for 0 on steps of 0.5)."""
        nearest = self.bounds[0] + round((value - self.bounds[0]) / self.step) * self.step
        return abs(value - nearest) <= 1e-9 * max(1.0, abs(value))


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "demand_start_gw", "Large load at start (GW)", "Demand", 0.0, (0.0, 250.0), 1.0,
        "Large (AI/data-centre) load the straight line starts from in January 2024, when the "
        "model starts, on top of the grid as it was then; like the growth, it is scaled by the "
        "realisation rate. Default 0: demand is measured as new load since then.",
        ASSUMPTION,
        "The model counts only new large load on top of the January 2024 grid: load already "
        "connected then is served by the existing fleet and is in neither demand nor supply. "
        "The 2024 queue (56-63 GW) is requests, not running load, so it is not a starting level.",
    ),
    Setting(
        "demand_growth_gw_per_year", "Requested large load growth (GW/year)", "Demand",
        38.8, (0.0, 100.0), 0.1,
        "The slope of the market's straight line, in GW of large load requested per year; "
        "the realisation rate then scales it to the expected demand the chart draws. "
        "Default: ERCOT's queue of more than 233 GW (9 Dec 2025 board), mostly data centres "
        "aiming to connect by 2030, reached linearly from 0 in Jan 2024 to Jan 2030: 233 / 6 "
        "= 38.8 GW/year. Requests are not peak demand; the line is front-loaded, since most "
        "requests ask for power late in the decade. After 2030 the line keeps the same pace, "
        "past the queue as filed: the market's straight line, extrapolated.",
        "ercot_large_load_queue:13",
        also=("ercot_large_load_queue:14",),
    ),
    Setting(
        "realisation_pct", "Realisation rate (%)", "Demand", 49.8, (0.0, 100.0), 0.1,
        "Share of the requested line that actually energises. Default: ERCOT's own haircut, "
        "applied here to the requests as a proxy (its base is a forecast, not the queue): "
        "large load that actually energised was 49.8% of what transmission providers forecast in "
        "recent years (April 2025 Senate hearing, as an AI-generated summary of it reports: a "
        "secondary source; see Agrees). 100% is the queue as filed.",
        "ercot_forecast_adjustments:1",
        also=("ercot_forecast_adjustments:2",),
    ),
    Setting(
        "arrival_delay_months", "Arrival delay (months)", "Demand", 6.0, (0.0, 36.0), 1.0,
        "Months by which new load arrives later than requested. Default: ERCOT shifts "
        "large-load in-service dates 180 days (about 6 months) later in its adjusted forecast "
        "(observed average delay about 220 days; from the same AI-generated summary of the "
        "hearing, a secondary source; see Agrees).",
        "ercot_forecast_adjustments:3",
        also=("ercot_forecast_adjustments:4",
              "ercot_forecast_adjustments:5"),
    ),
    Setting(
        "headroom_gw", "Firm headroom at start (GW)", "Build-out", 13.5, (0.0, 100.0), 0.5,
        "Firm capacity free for new large load in January 2024, when the model starts, "
        "including projects already decided before then. Default 13.5 GW: the gas and "
        "battery capacity added in 2024-2025 while the peak stayed near its 2023 record. An "
        "assumption; see its reason.",
        ASSUMPTION,
        "No row in data/grid gives ERCOT's spare firm capacity or reserve margin. Gas plus "
        "batteries added in 2024-2025 = 3.4 + 4.374 (2024, Dallas Fed: "
        "ercot_generation_additions:5, :3) + 0.52 + 5.2 (2025, ERCOT: :15, :12) = 13.5 GW, while "
        "the peak went from 85.5 GW (2023) to 83.7 GW (2025), so none of it was used up by "
        "other load. Solar (9.7 + 4.5 GW) is left out as it adds little at an evening peak; "
        "batteries are counted in full, which flatters supply. Retirements are not "
        "subtracted, which flatters it too: one op-ed puts ERCOT's gas at a net loss of 0.366 GW "
        "from summer 2024 to summer 2025 (ercot_generation_additions:9), against 3.4 + 0.52 GW "
        "of gas added in the figures above. Not added: the firm capacity "
        "energised up to June 2026 (about 5 GW storage + 1.5 GW gas since summer 2025, "
        "ercot_generation_additions:18, :20), as it overlaps the 2025 figures by an amount no "
        "source gives; raise the headroom to count it.",
    ),
    Setting(
        "tranche_gw", "Tranche size (firm GW)", "Build-out", 6.5, (0.0, 50.0), 0.5,
        "Firm capacity decided in each tranche (gas, storage, the lines to carry it). "
        "Default 6.5 GW: the firm part (5 GW storage + 1.5 GW gas) of the ~10.5 GW added in "
        "ERCOT from summer 2025 to June 2026; the 4 GW of solar is left out. ERCOT's own 2025 "
        "figures agree in size: 5.2 GW of batteries + 0.52 GW of gas.",
        "ercot_generation_additions:18",  # 5 GW of storage, with the 1.5 GW of gas below
        also=("ercot_generation_additions:20", "ercot_generation_additions:17",
              "ercot_generation_additions:12", "ercot_generation_additions:15"),
    ),
    Setting(
        "tranche_every_years", "Tranche interval (years)", "Build-out", 1.0,
        (0.5, 10.0), 0.5,
        "How often a new tranche is decided; the first is decided in January 2024. "
        "Default 1: the additions behind the tranche size are yearly totals.",
        ASSUMPTION,
        "Capacity additions in data/grid are reported per year (or summer to summer), so one "
        "tranche a year matches the tranche size; it is a modelling choice, not a sourced fact.",
    ),
    Setting(
        "lead_time_years", "Lead time (years)", "Build-out", 4.0, (0.0, 15.0), 0.5,
        "Years from deciding a tranche to energising it. Default 4: a new large gas turbine "
        "order waits three to four years (2025); ERCOT's 345-kV lines take 4-5 years after "
        "approval (lead_times:17), non-priority turbine slots 5-7 years (lead_times:3).",
        "lead_times:1",
        also=("lead_times:2",
              "lead_times:5",
              "lead_times:17"),
    ),
    Setting(
        "tranche_growth_pct", "Tranche growth (% per tranche)", "Build-out", 0.0,
        (-50.0, 100.0), 1.0,
        "Each tranche is this much larger than the one before (negative: smaller). "
        "Default 0: the build-out stays at today's pace.",
        ASSUMPTION,
        "No source in data/grid projects how fast firm additions will grow; 0% keeps today's "
        "pace so that any acceleration is a visible choice of the user.",
    ),
    Setting(
        "load_factor_pct", "Load factor (%)", "Energy", 50.0, (10.0, 100.0), 1.0,
        "Average load as a share of peak, turning unserved GW into TWh. Default 50%: LBNL's "
        "2028 range (325-580 TWh needing 74-132 GW) implies 325 / (74 x 8.76) = 50% and "
        "580 / (132 x 8.76) = 50%.",
        "us_datacenter_power:10",
        also=("us_datacenter_power:6",
              "us_datacenter_power:7",
              "us_datacenter_power:11"),
    ),
    Setting(
        "start_year", "Start year", "Horizon", 2024, (2020, 2030), 1,
        "The horizon (the window the chart, numbers and downloads cover) starts in January of "
        "this year. The model runs on the calendar from January 2024, so a later start shows a "
        "later part of the same scenario; before 2024 the line holds its start level (0 by "
        "default) and no tranche arrives.",
        ASSUMPTION,
        "2024 is the year of the earliest queue snapshot in data/grid (56 GW, Sept 2024, "
        "ercot_large_load_queue:1), before the queue took off.",
    ),
    Setting(
        "end_year", "End year", "Horizon", 2035, (2025, 2050), 1,
        "The horizon ends in December of this year.",
        ASSUMPTION,
        "A few years past ERCOT's furthest forecast year in data/grid (2032, "
        "ercot_peak_demand:24), so that tranches decided around 2030 are seen arriving.",
    ),
)  # fmt: skip
SETTINGS_BY_NAME: Mapping[str, Setting] = MappingProxyType({s.name: s for s in SETTINGS})


@dataclass(frozen=True)
class Preset:
    """A named scenario: the settings it sets (applied on top of the defaults, or of the
    current scenario, by preset_scenario) and the facts behind them."""

    name: str
    explanation: str  # one sentence: the button's tooltip, and the Grid page's scenario line
    values: Mapping[str, float] = field(hash=False)  # read-only mapping: not hashable
    source_ids: tuple[str, ...] = ()


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        p.name: p
        for p in (
            Preset(
                "Queue as filed",
                "Every GW in ERCOT's large-load queue (more than 233 GW at the Dec 2025 board) "
                "energises on the requested date: the market's straight line, no haircut, at "
                "232.8 GW by Jan 2030 (38.8 GW a year, the slider's step nearest 233 / 6) and at "
                "the same pace after.",
                MappingProxyType({"realisation_pct": 100.0, "arrival_delay_months": 0.0}),
                ("ercot_large_load_queue:13", "ercot_large_load_queue:11"),
            ),
            Preset(
                "Realistic realisation",
                "ERCOT's own haircut: about half (49.8%) of forecast large load has actually "
                "energised, and loads arrive about 180 days late.",
                MappingProxyType({"realisation_pct": 49.8, "arrival_delay_months": 6.0}),
                ("ercot_forecast_adjustments:1", "ercot_forecast_adjustments:3"),
            ),
            Preset(
                "Fast build-out",
                "Firm capacity at 2025's whole build rate (11 GW a year, counted as if all "
                "firm) with turbines at the short end of today's three-to-four-year wait.",
                MappingProxyType(
                    {"tranche_gw": 11.0, "tranche_every_years": 1.0, "lead_time_years": 3.0}
                ),
                ("ercot_generation_additions:11", "lead_times:1"),
            ),
        )
    }
)


def preset_help(name: str) -> str:
    """A preset button's help: its explanation, then what it sets, in the sliders' order, and
    that the other settings go back to their defaults (presets do not combine)."""
    preset = PRESETS[name]
    sets = ", ".join(f"{s.label} {_compact(preset.values[s.name])}" for s in SETTINGS
                     if s.name in preset.values)
    return (f"{preset.explanation}\n\nSets {sets}; every other setting goes back to its "
            "default.")


def default_scenario() -> Scenario:
    """The Scenario made of every setting's default."""
    return Scenario(**{s.name: s.default for s in SETTINGS})


def preset_scenario(name: str, base: Scenario | None = None) -> Scenario:
    """base (default: the defaults) with the preset's values applied; KeyError if unknown."""
    return replace(default_scenario() if base is None else base, **PRESETS[name].values)


def setting_tooltip(setting: Setting) -> str:
    """Help text plus its source (title and URL) or the assumption's reason."""
    if setting.source_id == ASSUMPTION:
        return f"{setting.help}\n\nAssumption: {setting.assumption}"
    source = fact(setting.source_id)
    text = (f"{setting.help}\n\nSource: {source.title}, read at {source.host} ({source.url}), "
            f"{setting.source_id}.")
    if setting.also:
        text += "\n\nAgrees: " + "; ".join(
            f"{f.summary}, {f.title}, read at {f.host} ({fact_id})"
            for fact_id in setting.also if (f := fact(fact_id))) + "."
    return text


def _as_number(raw: object) -> tuple[float | None, str]:
    """Parse one raw value; (None, reason) when it is not a usable finite number."""
    if isinstance(raw, (list, tuple)):  # repeated URL parameter: the last one wins
        raw = raw[-1] if raw else ""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None, f"is a {type(raw).__name__}, not a number"
    if isinstance(raw, str):
        if len(raw) > MAX_PARAM_CHARS:
            return None, f"is {len(raw)} characters long, not a number"
        text = raw.strip()
        # float() also reads "1_0" and non-ASCII digits ("４"): not how a number is written
        if not text.isascii() or "_" in text:
            return None, "is not a number"
        try:
            raw = float(text)
        except ValueError:
            return None, "is not a number"
    try:
        value = float(raw)
    except OverflowError:  # an int beyond float range
        return None, "is too large"
    if not math.isfinite(value):
        return None, "is not a finite number"
    return value + 0.0, ""  # -0.0 becomes 0.0


def link_problem(setting: Setting, raw: object) -> str:
    """Why a link's value cannot go on the setting's slider, in words that never repeat the
    value ("is outside 2020-2030"); "" when it can."""
    value, problem = _as_number(raw)
    low, high = setting.bounds
    if value is None:
        return problem
    if not low <= value <= high:
        return f"is outside {_compact(low)} to {_compact(high)}"
    if not setting.on_step(value):
        return f"is between the slider's steps of {_compact(setting.step)}"
    return ""


def _coerce(setting: Setting, raw: object) -> tuple[float, str]:
    """A value within the setting's bounds, and a notice when raw had to be changed."""
    value, problem = _as_number(raw)
    if value is None:
        return (setting.default,
                f"{setting.label}: {problem}; using the default {setting.default}.")
    low, high = setting.bounds
    used = _typed(setting, min(max(value, low), high))
    if used != value:
        why = ("is not a whole number" if low <= value <= high
               else f"is outside {_compact(low)} to {_compact(high)}")
        return used, f"{setting.label}: {value:g} {why}; using {used:g}."
    return used, ""


def _typed(setting: Setting, value: float) -> float:
    """int for whole-number settings (rounded), float otherwise."""
    return round(value) if setting.is_integer else float(value)


def _safe_name(key: object) -> str:
    """key quoted when it looks like a parameter name; never echoes arbitrary text to the page."""
    return f"'{key}'" if isinstance(key, str) and _NAME_RE.fullmatch(key) else "(unreadable name)"


def scenario_from_mapping(
    values: Mapping[str, object], ignore: Collection[str] = ()
) -> tuple[Scenario, list[str]]:
    """A valid Scenario from untrusted values (e.g. URL query parameters), never raising:
    missing settings keep their defaults; text, NaN, inf, out-of-range values and unknown keys
    (except those in ignore) each produce a one-line notice."""
    notices: list[str] = []
    chosen: dict[str, float] = {s.name: s.default for s in SETTINGS}
    for key in values:
        setting = SETTINGS_BY_NAME.get(key) if isinstance(key, str) else None
        if setting is None:
            if key not in ignore:
                notices.append(f"Unknown setting {_safe_name(key)} ignored")
            continue
        chosen[key], notice = _coerce(setting, values[key])
        notices += [notice] if notice else []
    if chosen["end_year"] < chosen["start_year"]:
        notices.append(f"End year was before start year; using {chosen['start_year']} for both.")
        chosen["end_year"] = chosen["start_year"]
    try:
        scenario = Scenario(**chosen)
        validate_scenario(scenario)
    except ScenarioError as exc:  # bounds make this unreachable; kept so that it never raises
        return default_scenario(), [*notices, f"{exc}; using the defaults."]
    return scenario, notices


def _compact(value: float) -> str:
    """Shortest text that parses back to exactly value: "4", "49.8", "0.1"."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def scenario_to_mapping(scenario: Scenario, include_defaults: bool = False) -> dict[str, str]:
    """URL-ready {name: text} for the settings that differ from their defaults (all of them
    with include_defaults); scenario_from_mapping turns it back into the same Scenario."""
    return {
        s.name: _compact(getattr(scenario, s.name))
        for s in SETTINGS
        if include_defaults or getattr(scenario, s.name) != s.default
    }


SETTINGS_TABLE_COLUMNS = ["Group", "Setting", "Default", "Range", "Source", "Agrees", "Why"]


def settings_table() -> pd.DataFrame:
    """SETTINGS_TABLE_COLUMNS, one row per setting, for the Method page."""
    rows = [
        [
            s.group,
            s.label,
            _compact(s.default),
            f"{_compact(s.bounds[0])} to {_compact(s.bounds[1])}",  # "-50-100" read as a sum
            s.source_id,
            ", ".join(s.also),
            s.assumption or s.help,
        ]
        for s in SETTINGS
    ]
    return pd.DataFrame(rows, columns=SETTINGS_TABLE_COLUMNS)


def settings_markdown() -> str:
    """settings_table() as the Method page's list, by group: each setting's default, range,
    source (and the rows that agree) and reasoning in full. A list, not a grid: a grid cut the
    long reasoning at the page's edge, and a wide table squeezed it into a narrow column."""
    lines = []
    for group, rows in settings_table().groupby("Group", sort=False):
        lines.append(f"**{group}**\n")
        for row in rows.itertuples(index=False):
            source = "a labelled assumption" if row.Source == ASSUMPTION else row.Source
            agrees = f" (agrees: {row.Agrees})" if row.Agrees else ""
            lines.append(f"- **{tables.escape(row.Setting)}**: default {row.Default}, range "
                         f"{row.Range}; source {tables.escape(source + agrees)}. "
                         f"{tables.escape(row.Why)}")
        lines.append("")
    return "\n".join(lines)
