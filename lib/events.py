"""Dated, sourced market and grid events (data/events.csv) for chart markers and captions."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lib.market import day_move, move_label

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
EVENT_COLUMNS = ["Date", "Symbol", "Event", "Source", "URL", "Excerpt", "Conflict", "Event ID"]
CRASH_DAY = date(2025, 12, 12)  # the Friday the Nasdaq fell 1.69%


@lru_cache(maxsize=4)
def load_events(path: Path = DATA_DIR / "events.csv") -> pd.DataFrame:
    """All events, one row each; dates given only as YYYY-MM fall on the month's first day."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame({
        "Date": pd.to_datetime(raw["date"], format="mixed"),
        "Symbol": raw["ticker"],
        "Event": raw["event"],
        "Source": raw["source_title"],
        "URL": raw["source_url"],
        "Excerpt": raw["excerpt"],
        "Conflict": raw["conflict"].str.lower() == "true",
        "Event ID": raw["event_id"],
    })


def chart_events(events: pd.DataFrame, symbols: list[str], start: date, end: date,
                 include_grid: bool = True) -> pd.DataFrame:
    """Events to mark on a chart: in range, for the shown symbols (and GRID), not the
    rows that say of themselves that other sources disagree (those stay on the Sources page)."""
    wanted = set(symbols) | ({"GRID"} if include_grid else set())
    keep = (
        events["Symbol"].isin(wanted)
        & ~events["Conflict"]
        & (events["Date"] >= pd.Timestamp(start))
        & (events["Date"] <= pd.Timestamp(end))
    )
    return events.loc[keep].sort_values(["Date", "Symbol"]).reset_index(drop=True)


PRICE_CHECK_COLUMN = "Close-to-close (%)"


def with_price_check(events: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Add PRICE_CHECK_COLUMN: the move the price data shows for each ticker event's day,
    so a reader can see which reported figure the data confirms."""
    moves = []
    for row in events.itertuples():
        move = day_move(prices, row.Symbol, row.Date.date()) if row.Symbol != "GRID" else None
        moves.append(round(move.change_pct, 2) if move else None)
    return events.assign(**{PRICE_CHECK_COLUMN: moves})


def crash_label(frame: pd.DataFrame) -> str:
    """The Nasdaq's move on CRASH_DAY as a chart label, from the data ("" without that bar)."""
    return move_label(day_move(frame, "^IXIC", CRASH_DAY))
