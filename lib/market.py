"""Market analytics on tidy price frames: ranges, rebasing, drawdowns and range statistics.

Input frames follow `lib.prices.PRICE_COLUMNS` (Date, Symbol, Close, Volume (shares)).
Prices are daily closes in USD (index points for ^IXIC). Percentages are 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lib.tables import Column

ALAB_LISTING = date(2024, 3, 20)  # Astera Labs' first trading day (first row of its series)
TRADING_DAYS_PER_YEAR = 252  # convention for annualising daily volatility
RANGE_PRESETS = ("1M", "3M", "6M", "YTD", "1Y", "Since ALAB IPO", "Max", "Custom")
DEFAULT_RANGE = "1Y"
VIEW_MODES = ("Rebased (100 = range start)", "Price", "Log price")
_MONTHS_BACK = {"1M": 1, "3M": 3, "6M": 6, "1Y": 12}

LAST_CLOSE = "Last close (USD, adjusted; index points)"
STATS_COLUMNS = [
    "Symbol", "Return (%)", "Max drawdown (%)", "Drawdown peak date", "Trough date",
    "Volatility (% a year)", "Worst day (%)", "Worst day date", LAST_CLOSE, "First date",
    "Last date",
]
_DAY = "{:%-d %b %Y}"
STATS_KEY = Column("Symbol")  # the statistics are shown a column per symbol
STATS_TABLE = (  # a row per statistic, with stats_with_origin's Origin last
    Column("Return (%)", fmt="{:.1f}%", help="last close ÷ first close − 1, over the range (from "
                                             "the series' first date, if later)."),
    Column("Max drawdown (%)", fmt="{:.1f}%",
           help="largest fall from a running peak to a later trough in the range."),
    Column("Drawdown peak date", fmt=_DAY, help="the close before the largest drawdown (not "
           "the highest close in the data, which the home page's cards measure from)."),
    Column("Trough date", fmt=_DAY, help="the lowest point of the largest drawdown."),
    Column("Volatility (% a year)", fmt="{:.1f}%",
           help="standard deviation of daily % changes × √252."),
    Column("Worst day (%)", fmt="{:.2f}%", help="the largest close-to-close fall in the range."),
    Column("Worst day date", fmt=_DAY),
    Column(LAST_CLOSE, fmt="{:,.2f}", help="USD for a share, split- and dividend-adjusted as "
           "Yahoo gives it; points for an index (^IXIC)."),
    Column("First date", fmt=_DAY, help="each series' own first trading day in the range."),
    Column("Last date", fmt=_DAY, help="each series' own last trading day in the data."),
    Column("Origin", help="live: Yahoo Finance now; cached: an earlier live download; "
                          "snapshot: bundled with the app."),
)


@dataclass(frozen=True)
class DayMove:
    """One symbol's close-to-close move on one trading day."""

    symbol: str
    day: date
    close: float
    change: float  # in price units (USD, or points for an index)
    change_pct: float


def range_bounds(preset: str, last_day: date, first_day: date,
                 custom: tuple[date, ...] | None = None) -> tuple[date, date]:
    """Start and end dates (inclusive) for a range preset, ending at `last_day`.

    `last_day` is the latest date in the data, not today: the snapshot ends before today.
    A custom range of one date (the end not picked yet) runs from it to `last_day`.
    """
    if preset == "Custom" and custom:
        start, end = sorted(custom) if len(custom) > 1 else (custom[0], last_day)
        return max(start, first_day), min(end, last_day)
    if preset in _MONTHS_BACK:
        start = (pd.Timestamp(last_day) - pd.DateOffset(months=_MONTHS_BACK[preset])).date()
    elif preset == "YTD":
        start = date(last_day.year, 1, 1)
    elif preset == "Since ALAB IPO":
        start = ALAB_LISTING
    else:  # "Max" and anything unknown
        start = first_day
    return max(start, first_day), last_day


def fit_range(dates: tuple[date, ...], first_day: date,
              last_day: date) -> tuple[tuple[date, ...], str]:
    """A linked custom range as the date picker can hold it (in order, within the data), and a
    note of what changed ("" when nothing did).

    The picker refuses a range that runs backwards or leaves the data, and a refused link value
    is silently replaced by the picker's default: fitted first, the link keeps its meaning.
    """
    ordered = tuple(sorted(dates))
    fitted = tuple(min(max(d, first_day), last_day) for d in ordered)
    span = f"{first_day:%-d %b %Y} to {last_day:%-d %b %Y}"
    notes = ["ran backwards; it is shown in order"] if ordered != tuple(dates) else []
    if len(ordered) == 2 and fitted[0] == fitted[1] != ordered[0]:  # wholly outside the data
        return (first_day, last_day), _range_note([*notes, f"lies outside the data; the whole "
                                                              f"span ({span}) is shown"])
    if ordered and ordered[0] < first_day:
        notes.append(f"began before the first close ({first_day:%-d %b %Y}); it starts there")
    if ordered and ordered[-1] > last_day:
        notes.append(f"ended after the last close ({last_day:%-d %b %Y}); it ends there")
    return fitted, _range_note(notes)


def _range_note(notes: list[str]) -> str:
    return f"The link's custom range {' and '.join(notes)}." if notes else ""


def wide_closes(frame: pd.DataFrame, start: date | None = None,
                end: date | None = None) -> pd.DataFrame:
    """Closes as a Date x Symbol table, limited to [start, end]; symbols keep their order."""
    order = list(dict.fromkeys(frame["Symbol"]))
    wide = frame.pivot(index="Date", columns="Symbol", values="Close").reindex(columns=order)
    if start is not None:
        wide = wide.loc[wide.index >= pd.Timestamp(start)]
    if end is not None:
        wide = wide.loc[wide.index <= pd.Timestamp(end)]
    wide.columns.name = None
    return wide


def rebase(wide: pd.DataFrame, base: float = 100.0) -> pd.DataFrame:
    """Each series divided by its first value in the table, times `base` (100 = range start)."""
    first = wide.apply(lambda s: s.dropna().iloc[0] if s.notna().any() else np.nan)
    return wide.div(first) * base


def drawdown_pct(wide: pd.DataFrame) -> pd.DataFrame:
    """Percent below the running peak within the table (0 at a new high, negative below it)."""
    return (wide / wide.cummax() - 1.0) * 100.0


def day_move(frame: pd.DataFrame, symbol: str, day: date) -> DayMove | None:
    """Close and change from the previous trading day's close, or None if `day` has no bar."""
    closes = frame.loc[frame["Symbol"] == symbol].set_index("Date")["Close"].sort_index()
    stamp = pd.Timestamp(day)
    if stamp not in closes.index:
        return None
    position = closes.index.get_loc(stamp)
    if position == 0:
        return None
    close, previous = float(closes.iloc[position]), float(closes.iloc[position - 1])
    return DayMove(symbol, day, close, close - previous, (close / previous - 1.0) * 100.0)


def price_unit(symbol: str) -> str:
    """The unit of a symbol's prices: "pts" for an index (^ symbols), "USD" for a share."""
    return "pts" if symbol.startswith("^") else "USD"


def close_label(symbol: str) -> str:
    """What a symbol's price is: a share's bars are split- and dividend-adjusted (a terminal's
    close differs), an index's close is its close."""
    return "close" if symbol.startswith("^") else "adjusted close"


def change_text(move: DayMove) -> str:
    """A day's change with its unit: "-398.69 pts" for an index (^ symbols), "-8.83 USD" else."""
    return f"{move.change:+,.2f} {price_unit(move.symbol)}"


def series_stats(closes: pd.Series) -> dict[str, object]:
    """Statistics of one close series over its own dates (NaNs dropped)."""
    s = closes.dropna()
    if len(s) < 2:
        return {}
    daily_pct = s.pct_change().dropna() * 100.0
    dd = drawdown_pct(s.to_frame()).iloc[:, 0]
    trough = dd.idxmin()
    peak = s.loc[:trough].idxmax()
    worst = daily_pct.idxmin()
    fell, had_drawdown = daily_pct.min() < 0, dd.min() < 0  # a range that only rose has neither
    return {
        "Return (%)": (s.iloc[-1] / s.iloc[0] - 1.0) * 100.0,
        "Max drawdown (%)": float(dd.min()),
        "Drawdown peak date": peak.date() if had_drawdown else None,
        "Trough date": trough.date() if had_drawdown else None,
        "Volatility (% a year)": float(daily_pct.std() * np.sqrt(TRADING_DAYS_PER_YEAR)),
        "Worst day (%)": float(daily_pct.min()) if fell else float("nan"),
        "Worst day date": worst.date() if fell else None,
        LAST_CLOSE: float(s.iloc[-1]),
        "First date": s.index[0].date(),
        "Last date": s.index[-1].date(),
    }


def range_stats(wide: pd.DataFrame) -> pd.DataFrame:
    """One row of STATS_COLUMNS per symbol over the table's range."""
    rows = [{"Symbol": sym, **series_stats(wide[sym])} for sym in wide.columns]
    return pd.DataFrame(rows).reindex(columns=STATS_COLUMNS)


def peak_drawdown(frame: pd.DataFrame, symbol: str) -> tuple[float, date, date] | None:
    """Latest close's distance below the all-time (in-data) peak.

    Returns (percent, peak date, last date).
    """
    s = frame.loc[frame["Symbol"] == symbol].set_index("Date")["Close"].dropna()
    if s.empty:
        return None
    peak = s.idxmax()
    return (float(s.iloc[-1] / s.max() - 1.0) * 100.0, peak.date(), s.index[-1].date())


def peak_distance_text(distance: tuple[float, date, date] | None) -> str:
    """peak_drawdown in words: "55% below its 10 Sep 2025 peak on 21 Aug 2026" ("" for none)."""
    if distance is None:
        return ""
    pct, peak, last = distance
    if round(pct) == 0:
        return f"at its peak on {last:%-d %b %Y}" if peak == last else \
            f"within 1% of its {peak:%-d %b %Y} peak on {last:%-d %b %Y}"
    return f"{abs(pct):.0f}% below its {peak:%-d %b %Y} peak on {last:%-d %b %Y}"


@dataclass(frozen=True)
class MarketView:
    """Everything the Market page draws for one choice of range and mode."""

    start: date
    end: date
    values: pd.DataFrame  # Date x Symbol, in the chosen mode's units
    drawdown: pd.DataFrame  # Date x Symbol, % below the running peak within the range
    stats: pd.DataFrame  # STATS_COLUMNS
    y_title: str
    log: bool
    mode: str  # one of VIEW_MODES


SCALE_HINT_RATIO = 20  # last closes this many times apart: the smaller lines look flat


def market_view(frame: pd.DataFrame, preset: str, mode: str,
                custom: tuple[date, ...] | None = None) -> MarketView:
    """Slice, transform and summarise a tidy price frame for one range preset and view mode."""
    first_day, last_day = frame["Date"].min().date(), frame["Date"].max().date()
    start, end = range_bounds(preset, last_day, first_day, custom)
    wide = wide_closes(frame, start, end).dropna(axis=1, how="all")
    rebased = mode.startswith("Rebased")
    values = rebase(wide) if rebased else wide
    y_title = ("Rebased (100 = range start)" if rebased
               else "Adjusted close (USD; index points for ^IXIC)")
    return MarketView(start, end, values, drawdown_pct(wide), range_stats(wide), y_title,
                      log=mode == "Log price", mode=mode)


LATE_START_DAYS = 7  # a first close this long after the range start is news, not a holiday


def coverage_notes(frame: pd.DataFrame, symbols: list[str], view: MarketView) -> list[str]:
    """Notes for picked series whose data start after, or end before, the view's range (series
    keep their own dates): a line rebased from a later start, or missing from the chart, is
    otherwise read as comparable to the others."""
    notes = []
    for symbol in symbols:
        dates = frame.loc[frame["Symbol"] == symbol, "Date"]
        if dates.empty:
            continue  # no data at all: the price notices say so
        first, last = dates.min().date(), dates.max().date()
        if last < view.start:
            notes.append(f"{symbol} has no prices in this range: its data end on "
                         f"{last:%-d %b %Y}.")
            continue
        if first > view.end:
            notes.append(f"{symbol} has no prices in this range: its data start on "
                         f"{first:%-d %b %Y}.")
            continue
        if (first - view.start).days > LATE_START_DAYS:
            notes.append(f"{symbol}'s data start on {first:%-d %b %Y}, after the range does: its "
                         "line is rebased and its statistics run from there.")
        if last < view.end:
            notes.append(f"{symbol}'s data end on {last:%-d %b %Y}, before the range does: its "
                         "line and statistics stop there.")
    return notes


def scale_hint(view: MarketView) -> str | None:
    """In the Price view, a hint when the series' scales are far apart, or None."""
    if view.mode != "Price" or view.values.shape[1] < 2:
        return None
    last = view.values.ffill().iloc[-1].dropna()
    if last.empty or last.min() <= 0 or last.max() / last.min() < SCALE_HINT_RATIO:
        return None
    big, small = last.idxmax(), last.idxmin()
    return (f"Prices differ a lot in scale ({big} about {last.max() / last.min():,.0f}× {small} "
            "at the end of the range), so the smaller ones look flat here: Log price or "
            "Rebased compares them.")


def range_problem(view: MarketView) -> str | None:
    """Why a range has nothing to chart (no trading day, or only one), or None."""
    span = f"{view.start:%-d %b %Y} to {view.end:%-d %b %Y}"
    days = view.values.dropna(how="all").index
    if len(days) == 0:
        return f"No trading day falls in {span}: pick a longer range."
    if len(days) == 1:
        return (f"Only one trading day ({days[0]:%-d %b %Y}) falls in {span}: a chart and "
                "statistics need two. Pick a longer range.")
    return None


def events_phrase(days: int, events: int) -> str:
    """The Market caption's sentence on event triangles (one per day, however many events)."""
    if events == 0:
        return "No dated, sourced events fall in the range."
    if events == 1:
        return "A triangle marks the one dated, sourced event in the range; hover for the source."
    if days == events:
        return (f"Triangles mark the {events} dated, sourced events in the range; hover for the "
                "source.")
    return (f"Triangles mark the {days} days with dated, sourced events ({events} in all); hover "
            "for the source.")


def move_label(move: DayMove | None, name: str = "Nasdaq") -> str:
    """'12 Dec 2025: Nasdaq −1.69% (−398.69 pts)' from the data, or '' when the day is absent."""
    if move is None:
        return ""
    sign = "−" if move.change < 0 else "+"
    return (f"{move.day:%-d %b %Y}: {name} {sign}{abs(move.change_pct):.2f}% "
            f"({sign}{abs(move.change):,.2f} pts)")


def stats_with_origin(stats: pd.DataFrame, provenance: dict) -> pd.DataFrame:
    """Add where each series came from ('live', 'cached', 'snapshot') beside its last close."""
    origin = [getattr(provenance.get(sym), "origin", "") for sym in stats["Symbol"]]
    return stats.assign(Origin=origin)


def weekly_closes(wide: pd.DataFrame) -> pd.DataFrame:
    """Last close of each week (weeks ending Friday): enough detail for a multi-year axis. The
    last week is dated by the table's last day, not by a Friday after the data end."""
    weekly = wide.resample("W-FRI").last()
    if len(weekly):
        weekly.index = weekly.index.where(weekly.index <= wide.index.max(), wide.index.max())
    return weekly


def day_moves(frame: pd.DataFrame, symbols: list[str], day: date) -> list[DayMove]:
    """The moves of each symbol that traded on `day` (symbols without a bar are left out)."""
    return [m for m in (day_move(frame, s, day) for s in symbols) if m is not None]


def as_of_text(provenance: dict) -> str:
    """'Prices: ^IXIC, ORCL, AVGO to 21 Aug 2026 (snapshot); ALAB to 15 May 2026 (snapshot).'"""
    groups: dict[tuple, list[str]] = {}
    for p in provenance.values():
        if p.as_of is not None:
            groups.setdefault((p.as_of, p.origin), []).append(p.symbol)
    parts = [f"{', '.join(syms)} to {day:%-d %b %Y} ({origin})"
             for (day, origin), syms in sorted(groups.items(), key=lambda kv: kv[0][0],
                                               reverse=True)]
    return f"Prices: {'; '.join(parts)}." if parts else "No price data."
