"""Live daily closes from Yahoo Finance: one batched ``yf.download`` bounded by a timeout.

Failures are classified into the LiveFetchError family (yfinance only logs most of them, so its
log is captured during the call); ``LIVE_BREAKER`` remembers a failure for a while so a page never
waits on Yahoo twice in a row. Every frame returned meets PRICE_COLUMNS (``check_prices``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Self

import pandas as pd

from lib.price_contract import ContractError, check_prices, concat_prices, empty_prices, tidy_rows

LIVE_TIMEOUT_S = 2.0  # a page must not wait longer than this on Yahoo
BREAKER_COOL_DOWN_S = 600.0  # 10 min: Yahoo's rate limits usually lift within minutes

Download = Callable[..., pd.DataFrame]


class LiveFetchError(RuntimeError):
    """The live download failed; subclasses say why, ``notice`` is the line for the page."""

    kind, label = "error", "request failed"

    @property
    def notice(self) -> str:
        return f"Yahoo Finance {self.label}; showing cached/snapshot data."


class RateLimited(LiveFetchError):
    kind, label = "rate_limited", "rate-limited the request"


class FetchTimeout(LiveFetchError):
    kind, label = "timeout", "did not answer in time"


class NetworkError(LiveFetchError):
    kind, label = "network", "could not be reached"


class NoData(LiveFetchError):
    kind, label = "no_data", "returned no prices"


@dataclass
class CircuitBreaker:
    """Remembers a failed live fetch for ``cool_down_s`` seconds so later calls skip the network."""

    cool_down_s: float = BREAKER_COOL_DOWN_S
    clock: Callable[[], float] = time.monotonic
    _open_until_s: float = field(default=float("-inf"), init=False, repr=False)
    _error: LiveFetchError | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def trip(self, error: LiveFetchError) -> None:
        with self._lock:
            self._open_until_s, self._error = self.clock() + self.cool_down_s, error

    def blocking(self) -> tuple[LiveFetchError, float] | None:
        """The remembered failure and seconds left while open, else None."""
        with self._lock:
            left_s = self._open_until_s - self.clock()
            return (self._error, left_s) if self._error is not None and left_s > 0 else None

    def reset(self) -> None:
        with self._lock:
            self._open_until_s, self._error = float("-inf"), None


LIVE_BREAKER = CircuitBreaker()  # shared by every session in this process, like Yahoo's limit


def normalise_download(raw: pd.DataFrame, symbols: Iterable[str]) -> pd.DataFrame:
    """Any yf.download frame -> PRICE_COLUMNS rows for the requested symbols, in their order.

    Reads (Price, Ticker) and (Ticker, Price) column MultiIndexes and the flat columns of a
    single ticker (multi_level_index=False); a tz-aware index keeps the exchange's dates.
    Symbols absent from the frame or all NaN (failed inside a batch) yield no rows.
    """
    wanted = list(dict.fromkeys(symbols))
    if raw is not None and not isinstance(raw, pd.DataFrame):
        raise ContractError(f"columns: expected a DataFrame from yf.download, got {type(raw)}")
    if raw is None or raw.empty:
        return empty_prices()
    frames = (_one_symbol(raw, s, len(wanted)) for s in wanted)
    return check_prices(concat_prices(frames))


def _one_symbol(raw: pd.DataFrame, symbol: str, n_symbols: int) -> pd.DataFrame:
    bars = _columns_of(raw, symbol, n_symbols)
    if bars is None or "Close" not in bars.columns:
        return empty_prices()
    tidy = tidy_rows(symbol, bars.index, bars["Close"], bars.get("Volume"))
    return tidy.drop_duplicates("Date", keep="last")  # Yahoo sometimes repeats today's bar


def _columns_of(raw: pd.DataFrame, symbol: str, n_symbols: int) -> pd.DataFrame | None:
    """One symbol's flat OHLCV columns, whatever the column layout; None if it is absent."""
    if not isinstance(raw.columns, pd.MultiIndex):
        if n_symbols != 1:
            raise ContractError("columns: flat yf.download columns cannot hold several symbols")
        return raw
    if raw.columns.nlevels != 2:
        raise ContractError(f"columns: expected 2 levels, got {raw.columns.nlevels}")
    price_level = 0 if "Close" in raw.columns.get_level_values(0) else 1
    tickers = raw.columns.get_level_values(1 - price_level)
    matches = [t for t in dict.fromkeys(tickers) if str(t).upper() == symbol]
    return raw.xs(matches[0], axis=1, level=1 - price_level) if matches else None


def fetch_live(
    symbols: Iterable[str],
    start: date | str | None,
    end: date | str | None,
    *,
    download: Download | None = None,
    timeout_s: float = LIVE_TIMEOUT_S,
) -> pd.DataFrame:
    """One batched yf.download for all symbols, given at most ``timeout_s`` seconds overall.

    Returns PRICE_COLUMNS rows (symbols Yahoo had nothing for are simply absent). Raises
    RateLimited, FetchTimeout, NetworkError or NoData (all LiveFetchError) when nothing came back.
    """
    wanted = list(dict.fromkeys(symbols))
    call = functools.partial(
        download or _yf_download, wanted, start=_iso(start), end=_iso(end), auto_adjust=True,
        progress=False, threads=True, timeout=timeout_s, group_by="column",
        multi_level_index=True,
    )
    raw, log_lines = _run_bounded(call, timeout_s)
    try:
        frame = normalise_download(raw, wanted)
    except (ValueError, KeyError, TypeError) as exc:  # ContractError included
        raise NoData(f"Yahoo Finance sent an unreadable frame: {exc}") from exc
    if frame.empty:
        raise _classify_log(log_lines, wanted)
    return frame


def _yf_download(*args, **kwargs) -> pd.DataFrame:
    import yfinance  # imported on first live call, so offline pages start fast

    return yfinance.download(*args, **kwargs)


def _iso(day: date | str | None) -> str | None:
    return None if day is None else pd.Timestamp(day).strftime("%Y-%m-%d")


def _run_bounded(call: Callable[[], pd.DataFrame], timeout_s: float):
    """Run call in a daemon thread and stop waiting after timeout_s seconds.

    An abandoned thread ends on its own when yfinance's per-request timeout fires; being a
    daemon, it never delays interpreter exit. Returns (result, yfinance log lines).
    """
    box: dict = {}
    done, log = threading.Event(), _LogLines()

    def work() -> None:
        try:
            with log:
                box["value"] = call()
        except Exception as exc:  # noqa: BLE001 - any failure becomes a LiveFetchError below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="aigrid-live-prices", daemon=True).start()
    if not done.wait(timeout_s):
        raise FetchTimeout(f"Yahoo Finance did not answer within {timeout_s:g} s")
    if "error" in box:
        raise _classify_exception(box["error"]) from box["error"]
    return box["value"], log.lines


class _LogLines(logging.Handler):
    """Collects yfinance's log lines while a download runs.

    yfinance 1.7's download() catches each ticker's exception (YFRateLimitError included) and
    only logs it, so the log is the one place a rate limit shows. Concurrent calls may see each
    other's lines; that can only mislabel why a fetch that already failed, failed.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a malformed record must not break the fetch
            self.lines.append(record.getMessage())

    def __enter__(self) -> Self:
        logging.getLogger("yfinance").addHandler(self)
        return self

    def __exit__(self, *_) -> None:
        logging.getLogger("yfinance").removeHandler(self)


_RATE_LIMIT_MARKS = ("YFRateLimitError", "Too Many Requests", "Rate limited")
_NETWORK_MARKS = ("curl: (", "DNSError", "Could not resolve host", "ConnectionError", "timed out")


def _classify_log(lines: list[str], symbols: list[str]) -> LiveFetchError:
    text = "\n".join(lines)
    if any(mark in text for mark in _RATE_LIMIT_MARKS):
        return RateLimited("Yahoo Finance rate-limited the request")
    if any(mark in text for mark in _NETWORK_MARKS):
        return NetworkError("Yahoo Finance could not be reached")
    return NoData(f"Yahoo Finance returned no rows for {', '.join(symbols)}")


def _classify_exception(exc: Exception) -> LiveFetchError:
    names = {cls.__name__ for cls in type(exc).__mro__}  # no yfinance import needed to match
    if "YFRateLimitError" in names:
        return RateLimited(str(exc))
    if names & {"OSError", "TimeoutError", "ConnectionError", "RequestException", "CurlError"}:
        return NetworkError(f"{type(exc).__name__}: {exc}")
    return LiveFetchError(f"{type(exc).__name__}: {exc}")

