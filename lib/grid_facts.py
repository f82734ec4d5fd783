"""Sourced grid facts from data/grid: typed frames, a fact lookup and tables for the pages.

Each CSV row has a stable `fact_id` first (`file:n`), data columns, then source_title,
source_url and excerpt (see data/grid/SOURCES.md). Numbers become floats (years Int64), dates
written as YYYY, YYYY-MM or YYYY-MM-DD become datetime64 (first day of the period), and the text
as written is kept beside them in `<column>_text` so the precision shown stays honest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from lib.tables import escape

GRID_DIR = Path(__file__).resolve().parent.parent / "data" / "grid"
FACT_FILES = (
    "ercot_large_load_queue",
    "ercot_peak_demand",
    "ercot_generation_additions",
    "lead_times",
    "ercot_forecast_adjustments",
    "us_datacenter_power",
)
SOURCE_FIELDS = ["source_title", "source_url", "excerpt"]
_NUMBERS = {
    "ercot_large_load_queue": ["requested_gw", "data_center_share_pct"],
    "ercot_peak_demand": ["peak_demand_gw"],
    "ercot_generation_additions": ["added_gw"],
    "lead_times": ["min_years", "max_years", "typical_years"],
    "ercot_forecast_adjustments": ["value"],
    "us_datacenter_power": ["value"],
}
_YEARS = {"ercot_peak_demand": ["year"], "us_datacenter_power": ["year"]}
_DATES = {
    "ercot_large_load_queue": ["as_of"],
    "ercot_peak_demand": ["date"],
    "ercot_forecast_adjustments": ["as_of"],
}
_DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

QUEUE_COLUMNS = [
    "As of",
    "Requested (GW)",
    "Data-centre share (%)",
    "Scope",
    "Source",
    "URL",
    "Fact ID",
]
PEAK_COLUMNS = [
    "Year",
    "Peak demand (GW)",
    "Kind",
    "Date",
    "Scenario",
    "Source",
    "URL",
    "Fact ID",
]
LEAD_TIME_COLUMNS = [
    "Asset",
    "Min (years)",
    "Max (years)",
    "Typical (years)",
    "Region",
    "Source",
    "URL",
    "Fact ID",
]
ADDITIONS_COLUMNS = [
    "Period",
    "Technology",
    "Added (GW)",
    "Note",
    "Source",
    "URL",
    "Fact ID",
]
# The site an excerpt was read at stands before the title that names its publisher.
SOURCES_COLUMNS = ["Fact ID", "Value", "As of", "Read at", "Title", "URL", "Excerpt", "File"]
_SOURCE_RENAME = {"source_title": "Source", "source_url": "URL", "fact_id": "Fact ID"}


class GridDataError(ValueError):
    """A data/grid file that breaks its contract (the message names the file and column)."""


class UnknownFactError(KeyError):
    """A fact_id that no data/grid file holds."""


def parse_date(text: str) -> pd.Timestamp | None:
    """First day of the period for YYYY, YYYY-MM or YYYY-MM-DD; None for anything else."""
    text = text.strip()
    if not _DATE_RE.fullmatch(text):
        return None
    try:
        return pd.Timestamp(text if len(text) > 4 else f"{text}-01")
    except ValueError:  # e.g. 2025-13: matches the shape but is not a date
        return None


def _to_number(raw: pd.DataFrame, name: str, column: str) -> pd.Series:
    """Floats from text; blanks become NaN, anything else that is not a number raises."""
    text = raw[column].str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    bad = numbers.isna() & (text != "")
    if bad.any():
        raise GridDataError(f"{name}.csv: {column} is not a number in row {text[bad].iloc[0]!r}")
    return numbers


def _check_shape(raw: pd.DataFrame, name: str) -> None:
    """Raise GridDataError unless fact_id comes first, sources last, ids unique and prefixed."""
    cols = list(raw.columns)
    if not cols or cols[0] != "fact_id" or cols[-3:] != SOURCE_FIELDS:
        raise GridDataError(f"{name}.csv: needs fact_id first and {SOURCE_FIELDS} last")
    ids = raw["fact_id"]
    if ids.duplicated().any() or not ids.str.startswith(f"{name}:").all():
        raise GridDataError(f"{name}.csv: fact_id values must be unique and start with {name}:")


@lru_cache(maxsize=32)
def _load(name: str, folder: Path) -> pd.DataFrame:
    """Read and type one file (cached: the files are small and read-only)."""
    raw = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    _check_shape(raw, name)
    typed = raw.copy()
    for column in _NUMBERS.get(name, []):
        typed[column] = _to_number(raw, name, column)
    for column in _YEARS.get(name, []):
        typed[column] = _to_number(raw, name, column).astype("Int64")
    for column in _DATES.get(name, []):
        typed[f"{column}_text"] = raw[column]
        typed[column] = pd.to_datetime(raw[column].map(parse_date)).astype("datetime64[ns]")
    return typed


def load_grid_file(name: str, folder: Path = GRID_DIR) -> pd.DataFrame:
    """One data/grid file as a typed frame (a copy: callers may change it)."""
    if name not in FACT_FILES:
        raise GridDataError(f"unknown grid file {name!r}; expected one of {FACT_FILES}")
    return _load(name, Path(folder)).copy()


@dataclass(frozen=True)
class Fact:
    """One sourced number. value is None for a range (see low/high) or a blank cell."""

    value: float | None
    unit: str
    as_of: pd.Timestamp | None  # first day of the period written in as_of_text
    title: str
    url: str
    excerpt: str
    file: str
    fact_id: str = ""
    as_of_text: str = ""  # as written in the file: YYYY, YYYY-MM, YYYY-MM-DD or a period
    low: float | None = None
    high: float | None = None
    label: str = ""  # what the number counts, from the file's scope/asset/note columns

    @property
    def host(self) -> str:
        """The site the excerpt was read at, e.g. "rtowww.com": where a title names another
        publisher, the page is a repost or a mirror."""
        return urlsplit(self.url).netloc.removeprefix("www.")

    @property
    def summary(self) -> str:
        """Value with unit, e.g. "233 GW", "3–4 years", "≥5 years", "up to 4 years"."""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g} {self.unit}"
        if self.low is not None or self.high is not None:
            bound = "≥" if self.low is not None else "up to "
            return f"{bound}{self.low if self.low is not None else self.high:g} {self.unit}"
        return "" if self.value is None else f"{self.value:g} {self.unit}"


def _opt(x: object) -> float | None:
    """A float, or None for NaN/NA."""
    return None if pd.isna(x) else float(x)


def _row_details(name: str, row: pd.Series) -> dict:
    """The file-specific part of a Fact: value, unit, as_of_text, label (and low/high)."""
    if name == "ercot_large_load_queue":
        return {
            "value": row.requested_gw,
            "unit": "GW",
            "as_of_text": row.as_of_text,
            "label": row.scope,
        }
    if name == "ercot_peak_demand":
        label = f"{row.year} peak demand, {row.kind}: {row.scenario}"
        as_of_text = row.date_text or str(row.year)
        return {"value": row.peak_demand_gw, "unit": "GW", "as_of_text": as_of_text, "label": label}
    if name == "ercot_generation_additions":
        label = f"{row.technology} added, {row.period}: {row.note}"
        return {"value": row.added_gw, "unit": "GW", "as_of_text": row.period, "label": label}
    if name == "lead_times":
        low, high = _opt(row.min_years), _opt(row.max_years)
        label = f"{row.asset} ({row.region})"
        return {
            "value": row.typical_years,
            "low": low,
            "high": high,
            "unit": "years",
            "label": label,
        }
    if name == "ercot_forecast_adjustments":
        label = f"{row.factor}: {row.applies_to}"
        return {"value": row.value, "unit": row.unit, "as_of_text": row.as_of_text, "label": label}
    label = f"{row.kind}, {row.year}: {row.note}"  # us_datacenter_power
    return {"value": row.value, "unit": row.unit, "as_of_text": str(row.year), "label": label}


def _to_fact(name: str, row: pd.Series) -> Fact:
    """Build the Fact for one typed row."""
    details = _row_details(name, row)
    details["value"] = _opt(details["value"])
    as_of_text = details.setdefault("as_of_text", "")
    return Fact(
        as_of=parse_date(as_of_text),
        title=row.source_title,
        url=row.source_url,
        excerpt=row.excerpt,
        file=f"{name}.csv",
        fact_id=row.fact_id,
        **details,
    )


@lru_cache(maxsize=4)
def _facts(folder: Path) -> dict[str, Fact]:
    """Every fact of every file, keyed by fact_id, in file order."""
    return {
        row.fact_id: _to_fact(name, row)
        for name in FACT_FILES
        for row in _load(name, folder).itertuples(index=False)
    }


def all_facts(folder: Path = GRID_DIR) -> dict[str, Fact]:
    """Every fact keyed by fact_id (a fresh dict; the Facts are frozen)."""
    return dict(_facts(Path(folder)))


def fact(fact_id: str, folder: Path = GRID_DIR) -> Fact:
    """Look up one fact, e.g. fact("lead_times:1").summary == "3–4 years"."""
    try:
        return _facts(Path(folder))[fact_id]
    except KeyError:
        raise UnknownFactError(f"no fact {fact_id!r} in {folder}") from None


_FACT_ID = re.compile(r"[a-z0-9_]+:\d+")


def find_fact(text: str, folder: Path = GRID_DIR) -> Fact | None:
    """The fact an ID names, typed as the captions cite it ("lead_times:25", in any case, with
    "fact" before it or spaces around it); None when the text names none."""
    cleaned = str(text).strip().lower().removeprefix("fact").strip()
    if len(cleaned) > 80 or not _FACT_ID.fullmatch(cleaned):
        return None
    return _facts(Path(folder)).get(cleaned)


def fact_markdown(found: Fact) -> str:
    """One fact in full as Markdown: ID, value, what it counts, date, source link, excerpt."""
    label = f" — {escape(found.label)}" if found.label else ""  # labels hold brackets
    when = f". As of {escape(found.as_of_text)}" if found.as_of_text else ". Undated"
    return (f"**{escape(found.fact_id)}**: {escape(found.summary or 'no single value')}"
            f"{label}{when}.  \nSource: [{escape(found.title)}](<{found.url}>), in "
            f"data/grid/{escape(found.file)}  \n> {escape(found.excerpt)}")


def _table(
    name: str,
    rename: dict[str, str],
    columns: list[str],
    folder: Path,
    keep: Callable[[pd.DataFrame], pd.Series] | None = None,
) -> pd.DataFrame:
    """One file renamed to its public contract, optionally filtered."""
    frame = load_grid_file(name, folder)
    if keep is not None:
        frame = frame[keep(frame)]
    return frame.rename(columns={**rename, **_SOURCE_RENAME})[columns].reset_index(drop=True)


@lru_cache(maxsize=4)
def grid_manifest(folder: Path = GRID_DIR) -> pd.DataFrame:
    """data/grid/manifest.csv: each fact file with its row count and SHA-256, as `make data`
    wrote them from the raw files (cached: data/grid is read-only while the app runs)."""
    return pd.read_csv(folder / "manifest.csv")


def queue_history(folder: Path = GRID_DIR) -> pd.DataFrame:
    """QUEUE_COLUMNS: ERCOT large-load (>=75 MW) queue snapshots, oldest first. Undated rows
    (one) are left out: a history needs a date."""
    rename = {
        "as_of": "As of",
        "requested_gw": "Requested (GW)",
        "scope": "Scope",
        "data_center_share_pct": "Data-centre share (%)",
    }
    table = _table(
        "ercot_large_load_queue", rename, QUEUE_COLUMNS, folder, keep=lambda f: f["as_of"].notna()
    )
    return table.sort_values("As of", kind="stable").reset_index(drop=True)


def data_centre_share_text(queue: pd.DataFrame) -> str:
    """'70–89% in the sources that give it, from Oct 2025': the span of the data-centre
    share (%) of the requests in a queue_history table."""
    given = queue.dropna(subset=["Data-centre share (%)"])
    if given.empty:
        return "no source gives it"
    shares = given["Data-centre share (%)"]
    return (f"{shares.min():.0f}–{shares.max():.0f}% in the sources that give it, from "
            f"{given['As of'].min():%b %Y}")


def peak_history(folder: Path = GRID_DIR) -> pd.DataFrame:
    """PEAK_COLUMNS: ERCOT peak demand, actual and forecast, by year. Date is the day of the
    peak for actuals and the publication date for forecasts (NaT when the page gives none)."""
    rename = {
        "year": "Year",
        "peak_demand_gw": "Peak demand (GW)",
        "kind": "Kind",
        "date": "Date",
        "scenario": "Scenario",
    }
    table = _table("ercot_peak_demand", rename, PEAK_COLUMNS, folder)
    return table.astype({"Year": "int64"})


def _record_peak(folder: Path) -> pd.Series:
    """The peak_history row of the highest actual ERCOT peak in the sourced data."""
    peaks = peak_history(folder)
    return peaks.loc[peaks["Kind"] == "actual"].sort_values("Peak demand (GW)").iloc[-1]


@lru_cache(maxsize=4)
def record_peak_gw(folder: Path = GRID_DIR) -> float:
    """The highest actual ERCOT peak demand in the sourced data (GW)."""
    return float(_record_peak(folder)["Peak demand (GW)"])


@lru_cache(maxsize=4)
def record_peak_label(folder: Path = GRID_DIR) -> str:
    """The record peak as the queue chart labels it: value, month, and "preliminary" when its
    source says so (later sources still cite the 2023 record; see data/grid/SOURCES.md)."""
    row = _record_peak(folder)
    notes = [f"{row['Date']:%b %Y}"] if pd.notna(row["Date"]) else []
    if "preliminary" in str(row["Scenario"]):
        notes.append("preliminary")
    when = f" ({', '.join(notes)})" if notes else ""
    return f"Record peak demand {row['Peak demand (GW)']:.1f} GW{when}"


LOAD_WAIT_FACT = "lead_times:25"  # ERCOT: 24-36+ months from site acquisition to power


def shortfall_meaning(folder: Path = GRID_DIR) -> str:
    """What a shortfall is on the grid, in one sentence, with the sourced wait for power: the
    model's shortfall is load that waits to connect, not load that is cut off."""
    wait = fact(LOAD_WAIT_FACT, folder)
    return (f"A shortfall is expected new load that no firm supply carries yet: that load waits "
            f"for power (in ERCOT {wait.summary} from site to power, fact {wait.fact_id}); it is "
            "not a forecast of blackouts.")


# ERCOT's measured peaks around the model's start: the 2023 record as later cited, the
# preliminary Aug 2024 record, the summer 2025 peak (see data/grid/SOURCES.md).
PAST_PEAK_FACTS = ("ercot_peak_demand:5", "ercot_peak_demand:7", "ercot_peak_demand:8")


def past_peaks_note(folder: Path = GRID_DIR) -> str:
    """The model's line before today set beside ERCOT's measured peaks: the line is the
    market's expectation from January 2024, and the measured peak did not follow it."""
    peaks = [fact(fact_id, folder) for fact_id in PAST_PEAK_FACTS]
    years = [f"{p.value:.1f} GW in {p.as_of:%Y}" for p in peaks]
    listed = f"{', '.join(years[:-1])} and {years[-1]}"
    return ("Before today the lines are the scenario's, not measurements: ERCOT's measured peak "
            f"demand was {listed} (facts {', '.join(PAST_PEAK_FACTS)}), so a shortfall dated "
            "in the past is the straight line's, not one the grid has had.")


RECENT_ADDITION_FACTS = ("ercot_generation_additions:18", "ercot_generation_additions:20")


def recent_additions_note(folder: Path = GRID_DIR) -> str:
    """What the default headroom leaves out: the firm capacity energised since summer 2025
    (storage + gas), which the model's supply does not show until its first tranche."""
    added = sum(fact(fact_id, folder).value or 0.0 for fact_id in RECENT_ADDITION_FACTS)
    return (f"Firm capacity energised from summer 2025 to June 2026 (about {added:g} GW of "
            f"storage and gas, facts {', '.join(RECENT_ADDITION_FACTS)}) is not in the default "
            "headroom, so 2026–2027 show little new supply until the first tranche: raise the "
            "headroom to count it.")


PAST_MONTH_NOTE = "Past: not a measured gap"  # short: it fits a card's width


def past_month_note(month: pd.Timestamp | None, today: date) -> str | None:
    """A short mark for a model month before today's (a first shortfall on the card): that
    month is the straight line's, not a shortfall the grid has had (see past_peaks_note).
    None for no month, this month or a later one."""
    if month is None or (month.year, month.month) >= (today.year, today.month):
        return None
    return PAST_MONTH_NOTE


def lead_time_table(folder: Path = GRID_DIR) -> pd.DataFrame:
    """LEAD_TIME_COLUMNS: build and connection lead times in years (NaN where not stated)."""
    rename = {
        "asset": "Asset",
        "min_years": "Min (years)",
        "max_years": "Max (years)",
        "typical_years": "Typical (years)",
        "region": "Region",
    }
    return _table("lead_times", rename, LEAD_TIME_COLUMNS, folder)


def additions_table(folder: Path = GRID_DIR) -> pd.DataFrame:
    """ADDITIONS_COLUMNS: capacity added in ERCOT/Texas (GW, nameplate; negative = lost)."""
    rename = {
        "period": "Period",
        "technology": "Technology",
        "added_gw": "Added (GW)",
        "note": "Note",
    }
    return _table("ercot_generation_additions", rename, ADDITIONS_COLUMNS, folder)


def all_sources(folder: Path = GRID_DIR) -> pd.DataFrame:
    """SOURCES_COLUMNS: one row per fact, for a Sources page."""
    rows = [
        [f.fact_id, f.summary, f.as_of_text, f.host, f.title, f.url, f.excerpt, f.file]
        for f in _facts(Path(folder)).values()
    ]
    return pd.DataFrame(rows, columns=SOURCES_COLUMNS)
