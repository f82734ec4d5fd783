"""The price contract: PRICE_COLUMNS, ``check_prices`` and the helpers that build conforming rows.

Shared by the snapshot and cache reader (``lib.prices``) and the live download
(``lib.live_prices``), so neither imports the other's internals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

PRICE_COLUMNS = ["Date", "Symbol", "Close", "Volume (shares)"]


class ContractError(ValueError):
    """A frame does not meet PRICE_COLUMNS; the message names the column and the problem."""


def check_prices(df: pd.DataFrame) -> pd.DataFrame:
    """Return df unchanged if it meets PRICE_COLUMNS, else raise ContractError naming the column.

    Date datetime64[ns] without time zone; Symbol non-empty text; Close float64, finite and > 0
    (USD, index points for ^IXIC); Volume (shares) float64, >= 0 or NaN; one row per
    (Symbol, Date), dates increasing within each symbol.
    """
    if not isinstance(df, pd.DataFrame):
        raise ContractError(f"expected a DataFrame, got {type(df).__name__}")
    if list(df.columns) != PRICE_COLUMNS:
        raise ContractError(f"columns: expected {PRICE_COLUMNS}, got {list(df.columns)}")
    problem = next(_problems(df), None)
    if problem:
        raise ContractError(problem)
    return df


def _problems(df: pd.DataFrame) -> Iterator[str]:
    """Contract problems, first one first (later checks rely on the dtypes checked earlier)."""
    dates, symbols, close, volume = (df[c] for c in PRICE_COLUMNS)
    if dates.dtype != np.dtype("datetime64[ns]") or dates.isna().any():
        yield f"Date: expected datetime64[ns] without time zone or gaps, got {dates.dtype}"
    if not pd.api.types.is_string_dtype(symbols) or symbols.isna().any():
        yield f"Symbol: expected text in every row, got {symbols.dtype}"
    if (symbols.str.len() == 0).any():
        yield "Symbol: empty symbol"
    if close.dtype != np.float64 or not (np.isfinite(close) & (close > 0)).all():
        yield f"Close: expected finite positive float64 prices, got {close.dtype}"
    if volume.dtype != np.float64 or (volume < 0).any():
        yield f"Volume (shares): expected float64 >= 0 or NaN, got {volume.dtype}"
    if df.duplicated(["Symbol", "Date"]).any():
        yield "Date: more than one row for the same Symbol and Date"
    if (dates.groupby(symbols, sort=False).diff() < pd.Timedelta(0)).any():
        yield "Date: not increasing within a Symbol"


def empty_prices() -> pd.DataFrame:
    """A PRICE_COLUMNS frame with no rows and the contract's dtypes."""
    return pd.DataFrame({
        "Date": pd.Series([], dtype="datetime64[ns]"),
        "Symbol": pd.Series([], dtype="str"),
        "Close": pd.Series([], dtype="float64"),
        "Volume (shares)": pd.Series([], dtype="float64"),
    })


def tidy_rows(
    symbol: str, dates: Iterable, close: Iterable, volume: Iterable | None
) -> pd.DataFrame:
    """PRICE_COLUMNS rows for one symbol; rows without a positive Close are dropped.

    A ticker that failed inside a yf.download batch is all NaN, so it yields no rows.
    """
    days = _naive_days(dates)
    close_usd = _floats(close)
    shares = _floats(volume) if volume is not None else np.full(len(days), np.nan)
    frame = pd.DataFrame({
        "Date": days,
        "Symbol": pd.Series([symbol] * len(days), dtype="str"),
        "Close": close_usd,
        "Volume (shares)": shares,
    })
    keep = np.isfinite(close_usd) & (close_usd > 0)
    return frame[keep].sort_values("Date", kind="stable").reset_index(drop=True)


def _naive_days(values: Iterable) -> pd.DatetimeIndex:
    """Calendar days without time zone; a tz-aware index keeps the exchange's local date."""
    try:
        days = pd.DatetimeIndex(values)
    except (TypeError, ValueError) as exc:
        raise ContractError(f"Date: cannot read as dates ({exc})") from exc
    if days.tz is not None:
        days = days.tz_localize(None)
    return days.normalize().as_unit("ns")


def _floats(values: Iterable) -> np.ndarray:
    return pd.to_numeric(pd.Series(list(values)), errors="coerce").astype("float64").to_numpy()


def concat_prices(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """PRICE_COLUMNS frames stacked in order; empty ones skipped, none at all gives no rows."""
    kept = [f for f in frames if not f.empty]
    return pd.concat(kept, ignore_index=True) if kept else empty_prices()

