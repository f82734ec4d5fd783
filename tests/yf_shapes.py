"""Frames shaped exactly as the installed yfinance (1.7.0) ``yf.download`` returns them.

Numbers come from the bundled snapshot in data/prices; only the shapes are built here. Read from
.venv/lib/python3.11/site-packages/yfinance:

* scrapers/history.py ``PriceHistory.history(auto_adjust=True, actions=False)``, per ticker:
  columns Open, High, Low, Close, Volume (Volume int64; no 'Adj Close', it became Close); index
  named 'Date', midnight in the exchange's time zone, dtype datetime64[s, America/New_York].
* A ticker that fails (unknown, delisted, rate-limited, offline) becomes ``utils.empty_df()``:
  no rows, float64 columns Open, High, Low, Close, Adj Close, Volume.
* multi.py ``download``: daily bars default to ignore_tz=True, so each index loses its time zone
  (tz_localize(None), datetime64[s]); every frame is reindexed to the union of dates (NaN rows,
  and then Volume is float64); ``pd.concat(axis=1, sort=True, keys=tickers,
  names=['Ticker', 'Price'])``; group_by='column' swaps the levels to (Price, Ticker) and sorts
  the columns: Adj Close, Close, High, Low, Open, Volume, tickers upper-cased and sorted.
  multi_level_index=False drops the Ticker level only when exactly one ticker was requested.

So a failed ticker in a batch shows up as all-NaN columns, including an 'Adj Close' only it has;
offline every ticker fails: 0 rows, the six empty_df columns for each ticker.
``real_download`` runs the installed ``yf.download`` with its ``Ticker`` replaced by one
serving the snapshot, so a test can check these builders against the library itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "data" / "prices"
EXCHANGE_TZ = "America/New_York"  # Yahoo's exchangeTimezoneName for NASDAQ/NYSE listings
START, END = "2025-12-08", "2025-12-20"  # two trading weeks around the 12 December 2025 sell-off
NOW = datetime(2026, 11, 26, 14, 2, tzinfo=UTC)  # a fixed "fetched at" for live rows
HISTORY_COLUMNS = ["Open", "High", "Low", "Close", "Volume"]
EMPTY_DF_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]


def snapshot_bars(symbol: str) -> pd.DataFrame:
    """The snapshot CSV for a symbol (Date, Open, High, Low, Close, Volume), as stored."""
    manifest = pd.read_csv(SNAPSHOT_DIR / "manifest.csv", dtype="str").set_index("ticker")
    return pd.read_csv(SNAPSHOT_DIR / manifest.loc[symbol, "file"], parse_dates=["Date"])


def history_frame(symbol: str, start: str, end: str) -> pd.DataFrame:
    """One ticker as ``Ticker.history(start, end, auto_adjust=True, actions=False)`` returns it."""
    bars = snapshot_bars(symbol)
    bars = bars[(bars["Date"] >= start) & (bars["Date"] < end)]  # end exclusive, as in yfinance
    index = pd.to_datetime(bars["Date"].dt.date.to_numpy())  # history.py: to_datetime(index.date)
    frame = bars[HISTORY_COLUMNS].set_axis(index.tz_localize(EXCHANGE_TZ), axis=0)
    frame.index.name = "Date"
    return frame.astype({"Volume": "int64"})


def failed_frame() -> pd.DataFrame:
    """What a failed ticker contributes: ``yfinance.utils.empty_df()``."""
    frame = pd.DataFrame(index=[], data={c: np.nan for c in EMPTY_DF_COLUMNS})
    frame.index.name = "Date"
    return frame


def download_frame(
    symbols: Iterable[str], start: str, end: str, *, failed: Iterable[str] = (),
    group_by: str = "column", multi_level_index: bool = True,
) -> pd.DataFrame:
    """``yf.download(symbols, start, end, auto_adjust=True)`` when ``failed`` tickers fail."""
    tickers = sorted({s.upper() for s in symbols})  # download() dedupes via set(); order is lost
    bad = {s.upper() for s in failed}
    dfs = {t: failed_frame() if t in bad else history_frame(t, start, end) for t in tickers}
    for frame in dfs.values():
        if not frame.empty:
            frame.index = frame.index.tz_localize(None)  # ignore_tz=True for daily bars
    union = None
    for frame in dfs.values():
        if not frame.empty:
            union = frame.index if union is None else union.union(frame.index)
    union = pd.DatetimeIndex([]) if union is None else union
    dfs = {t: frame.reindex(union) for t, frame in dfs.items()}
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    if group_by == "column":
        data.columns = data.columns.swaplevel(0, 1)
        data = data.sort_index(level=0, axis=1)
    if not multi_level_index and len(tickers) == 1:
        data = data.droplevel(0 if group_by == "ticker" else 1, axis=1).rename_axis(None, axis=1)
    return data


def offline_frame(symbols: Iterable[str]) -> pd.DataFrame:
    """``yf.download`` with no network: every ticker failed."""
    symbols = list(symbols)
    return download_frame(symbols, "2025-12-01", "2025-12-20", failed=symbols)


class _SnapshotTicker:
    """Stands in for ``yfinance.Ticker`` inside the real download().

    history() serves snapshot rows.
    """

    rate_limited: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()

    def __init__(self, ticker: str, session=None) -> None:
        self.ticker = ticker.upper()
        self._price_history = None  # download() reads it for soft errors

    def history(self, *, start=None, end=None, auto_adjust=True, actions=True, **_) -> pd.DataFrame:
        from yfinance.exceptions import YFPricesMissingError, YFRateLimitError

        assert auto_adjust and not actions, "these builders model auto_adjust=True, actions=False"
        if self.ticker in self.rate_limited:
            raise YFRateLimitError()
        if self.ticker in self.unknown:
            raise YFPricesMissingError(self.ticker, "(1d)")
        return history_frame(self.ticker, str(start), str(end))


@contextmanager
def snapshot_yahoo(rate_limited: Iterable[str] = (), unknown: Iterable[str] = ()):
    """Within the block, the installed ``yf.download`` serves snapshot rows, never the network."""
    import yfinance.multi

    ticker = type("Ticker", (_SnapshotTicker,), {
        "rate_limited": frozenset(rate_limited), "unknown": frozenset(unknown)})
    with mock.patch.object(yfinance.multi, "Ticker", ticker):
        yield yfinance.download


def real_download(symbols, start: str, end: str, *, failed: Iterable[str] = (), **kwargs):
    """The installed ``yf.download`` on snapshot rows, with ``failed`` tickers unknown to Yahoo."""
    with snapshot_yahoo(unknown=failed) as download:
        return download(list(symbols), start=start, end=end, auto_adjust=True, progress=False,
                        **kwargs)


class StandIn:
    """A stand-in for yf.download that records its calls and returns, raises or stalls."""

    def __init__(self, frame=None, error=None, stall_s=0.0):
        self.frame, self.error, self.stall_s = frame, error, stall_s
        self.calls: list[tuple[list[str], dict]] = []
        self.release = threading.Event()  # set it to end a stall early

    def __call__(self, tickers, **kwargs):
        self.calls.append((list(tickers), kwargs))
        if self.stall_s:
            self.release.wait(self.stall_s)
        if self.error is not None:
            raise self.error
        return self.frame
