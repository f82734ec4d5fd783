"""Daily closing prices: live from Yahoo Finance, else the user's cache, else the bundled snapshot.

Every frame leaving this module meets PRICE_COLUMNS (``check_prices``) and comes with one
``Provenance`` per symbol, because the series end on different days. The live path is one batched
``yf.download`` bounded by a wall-clock timeout; after a failure a circuit breaker skips the
network for a while, so a page never waits on Yahoo twice in a row.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal, Self

import numpy as np
import pandas as pd

from lib import cache

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "prices"
PRICE_COLUMNS = ["Date", "Symbol", "Close", "Volume (shares)"]
CORE_SYMBOLS = ("^IXIC", "ORCL", "AVGO", "ALAB")
DEFAULT_START = date(2020, 1, 1)  # the bundled snapshot starts on the first trading day of 2020
LIVE_TIMEOUT_S = 2.0  # a page must not wait longer than this on Yahoo
BREAKER_COOL_DOWN_S = 600.0  # 10 min: Yahoo's rate limits usually lift within minutes
SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.^=-]{0,14}$")  # ^IXIC, BRK.B, EURUSD=X, GC=F
YAHOO_SOURCE = "Yahoo Finance via yfinance"
OFFLINE_NOTICE = "Offline: showing the bundled snapshot."

Origin = Literal["live", "cached", "snapshot", "missing"]
Download = Callable[..., pd.DataFrame]


class ContractError(ValueError):
    """A frame does not meet PRICE_COLUMNS; the message names the column and the problem."""


class SnapshotIntegrityError(ContractError):
    """A bundled snapshot file does not match the SHA-256 recorded in the manifest."""


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


@dataclass(frozen=True)
class Provenance:
    """Where one symbol's rows came from and how fresh they are."""

    symbol: str
    origin: Origin
    as_of: date | None  # the series' own last row, not today
    fetched_at: datetime | None  # UTC download time (live, cached); None for snapshot/missing
    detail: str  # human-readable source, or why the symbol is missing


@dataclass(frozen=True)
class PriceResult:
    """Prices for the requested symbols, with per-symbol provenance and notices for the page."""

    frame: pd.DataFrame  # PRICE_COLUMNS, symbols in requested order
    provenance: dict[str, Provenance]  # keyed by symbol, in requested order
    notices: tuple[str, ...]  # calm one-line messages, each at most once


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


# --- the contract -----------------------------------------------------------------------------


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


def _empty_prices() -> pd.DataFrame:
    return pd.DataFrame({
        "Date": pd.Series([], dtype="datetime64[ns]"),
        "Symbol": pd.Series([], dtype="str"),
        "Close": pd.Series([], dtype="float64"),
        "Volume (shares)": pd.Series([], dtype="float64"),
    })


def _tidy(symbol: str, dates: Iterable, close: Iterable, volume: Iterable | None) -> pd.DataFrame:
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


def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    kept = [f for f in frames if not f.empty]
    return pd.concat(kept, ignore_index=True) if kept else _empty_prices()


def _window(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None):
    """Rows with start <= Date < end (end exclusive, as in yf.download)."""
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["Date"] >= start
    if end is not None:
        keep &= frame["Date"] < end
    return frame[keep].reset_index(drop=True)


def clean_symbol(text: str) -> str | None:
    """A user-typed ticker as an upper-case symbol, or None if it cannot be one.

    ASCII only (so 'ß'.upper() cannot sneak in as 'SS'), 1-15 characters of A-Z, 0-9 and
    . ^ = - ; anything with spaces, quotes, slashes or other punctuation is rejected.
    """
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    if not candidate.isascii():
        return None
    candidate = candidate.upper()
    return candidate if SYMBOL_RE.fullmatch(candidate) else None


def clean_symbols(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """(valid symbols in order without repeats, the texts that cannot be symbols)."""
    cleaned = [(text, clean_symbol(text)) for text in texts]
    valid = list(dict.fromkeys(symbol for _, symbol in cleaned if symbol))
    return valid, [text for text, symbol in cleaned if symbol is None]


def provenance_line(prov: Provenance) -> str:
    """One line for a chart caption: the symbol, its source and its own last date."""
    if prov.as_of is None:
        return f"{prov.symbol}: no data ({prov.detail})"
    return f"{prov.symbol}: {prov.detail}; last close {prov.as_of:%Y-%m-%d}"


def is_offline_env() -> bool:
    """True when AIGRID_OFFLINE is set to 1 (or true/yes/on): use the bundled snapshot only."""
    return os.environ.get("AIGRID_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


# --- the bundled snapshot ---------------------------------------------------------------------


def _read_manifest(data_dir: Path) -> pd.DataFrame:
    manifest = pd.read_csv(Path(data_dir) / "manifest.csv", dtype="str", keep_default_na=False)
    return manifest.set_index("ticker", drop=False)


def snapshot_catalogue(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The snapshot manifest: ticker, name, role, first_date, last_date, rows, source."""
    manifest = _read_manifest(data_dir).reset_index(drop=True)
    return manifest.assign(
        first_date=pd.to_datetime(manifest["first_date"]).dt.as_unit("ns"),
        last_date=pd.to_datetime(manifest["last_date"]).dt.as_unit("ns"),
        rows=manifest["rows"].astype("int64"),
    )[["ticker", "name", "role", "first_date", "last_date", "rows", "source"]]


def load_snapshot(symbols: Iterable[str], data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Bundled daily closes for the symbols the manifest lists (others are skipped).

    Each file is checked against the manifest's SHA-256 before it is parsed; a mismatch raises
    SnapshotIntegrityError naming the file.
    """
    manifest = _read_manifest(data_dir)
    wanted = [s for s in dict.fromkeys(symbols) if s in manifest.index]
    return check_prices(_concat(_snapshot_file(data_dir, manifest.loc[s]) for s in wanted))


def _snapshot_file(data_dir: Path, entry: pd.Series) -> pd.DataFrame:
    path = Path(data_dir) / Path(entry["file"]).name  # the manifest names a file, never a path
    raw = path.read_bytes()  # hash and parse the same bytes
    digest = hashlib.sha256(raw).hexdigest()
    if digest != entry["sha256"]:
        raise SnapshotIntegrityError(
            f"{path.name}: SHA-256 {digest[:12]} does not match the manifest's {entry['sha256'][:12]}"
        )
    bars = pd.read_csv(io.BytesIO(raw), parse_dates=["Date"])
    return _tidy(entry["ticker"], bars["Date"], bars["Close"], bars["Volume"])


# --- the live download ------------------------------------------------------------------------


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
        return _empty_prices()
    frames = (_one_symbol(raw, s, len(wanted)) for s in wanted)
    return check_prices(_concat(frames))


def _one_symbol(raw: pd.DataFrame, symbol: str, n_symbols: int) -> pd.DataFrame:
    bars = _columns_of(raw, symbol, n_symbols)
    if bars is None or "Close" not in bars.columns:
        return _empty_prices()
    tidy = _tidy(symbol, bars.index, bars["Close"], bars.get("Volume"))
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


# --- putting it together ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Request:
    offline: bool
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    folder: Path  # the user's cache folder
    data_dir: Path  # the bundled snapshot
    now: datetime  # UTC, stamped on live rows as their fetch time
    failure: LiveFetchError | None = None  # why the live download gave nothing, if it did


def get_prices(
    symbols: str | Iterable[str],
    *,
    offline: bool,
    start: date | str | None = None,
    end: date | str | None = None,
    download: Download | None = None,
    cache_dir: Path | str | None = None,
    now: datetime | None = None,
    data_dir: Path = DATA_DIR,
    breaker: CircuitBreaker | None = None,
) -> PriceResult:
    """Daily closes per symbol: live, else the user's cache, else the bundled snapshot.

    offline=True reads the snapshot only and never calls ``download``. Online: one batched
    download of at most LIVE_TIMEOUT_S seconds (skipped while ``breaker`` remembers a failure);
    live rows are cached; each symbol it did not deliver falls back on its own. Dates: start
    inclusive (default DEFAULT_START), end exclusive (default none). Never raises for bad
    symbols, network trouble or damaged files: those become "missing" rows and notices.
    """
    keys = _requested(symbols)
    req = _Request(
        offline, pd.Timestamp(start or DEFAULT_START), None if end is None else pd.Timestamp(end),
        Path(cache_dir) if cache_dir else cache.default_cache_dir(), Path(data_dir),
        now or datetime.now(UTC),
    )
    notices = [OFFLINE_NOTICE] if offline else []
    live: dict[str, pd.DataFrame] = {}
    if not offline:
        wanted = [s for s in keys.values() if s]
        live, failure = _live_step(wanted, req, download, breaker or LIVE_BREAKER, notices)
        req = replace(req, failure=failure)
        _save_live(live, req, notices)
    picks = {key: _pick(key, symbol, live, req, notices) for key, symbol in keys.items()}
    frame = check_prices(_concat(rows for rows, _ in picks.values()))
    provenance = {key: prov for key, (_, prov) in picks.items()}
    return PriceResult(frame, provenance, tuple(dict.fromkeys(notices)))


def _requested(symbols: str | Iterable[str]) -> dict[str, str | None]:
    """Requested symbols in order, without repeats: key -> clean symbol, or None if invalid."""
    keyed: dict[str, str | None] = {}
    for text in [symbols] if isinstance(symbols, str) else symbols:
        clean = clean_symbol(text)
        keyed.setdefault(clean or str(text).strip(), clean)
    return keyed


def _live_step(symbols, req, download, breaker, notices):
    """Live rows by symbol and the failure, if any; trips the breaker on failures."""
    if not symbols:
        return {}, None
    blocked = breaker.blocking()
    if blocked:
        error, left_s = blocked
        notices.append(f"Yahoo Finance {error.label} a moment ago; showing cached/snapshot "
                       f"data, retrying in about {max(1, round(left_s / 60))} min.")
        return {}, error
    try:
        frame = fetch_live(symbols, req.start, req.end, download=download)
    except LiveFetchError as error:
        if isinstance(error, NoData) and not set(symbols) & _known_symbols(req.data_dir):
            return {}, None  # only unknown symbols asked for: Yahoo is fine, they are not
        breaker.trip(error)  # no rows even for symbols we know exist: Yahoo is blocking us
        notices.append(error.notice)
        return {}, error
    return {str(s): rows.reset_index(drop=True) for s, rows in frame.groupby("Symbol")}, None


def _known_symbols(data_dir: Path) -> set[str]:
    try:
        return set(_read_manifest(data_dir).index)
    except (OSError, ValueError):
        return set()


def _save_live(live: dict[str, pd.DataFrame], req: _Request, notices: list[str]) -> None:
    """Cache each live symbol; on the first failure, one notice and stop (same folder)."""
    for symbol, rows in live.items():
        try:
            cache.save_frame(symbol, rows, fetched_at=req.now, source=YAHOO_SOURCE,
                             parse=parse_price_csv, folder=req.folder)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            notices.append(f"Could not save prices to the cache folder ({reason}); "
                           "they are shown but not kept.")
            return


def parse_price_csv(text: pd.DataFrame) -> pd.DataFrame:
    """PRICE_COLUMNS CSV read with every column as text (as the cache reads it) -> checked frame.

    Raises ValueError (ContractError included) when a value or the contract is wrong.
    """
    if list(text.columns) != PRICE_COLUMNS:
        raise ContractError(f"columns: expected {PRICE_COLUMNS}, got {list(text.columns)}")
    return check_prices(pd.DataFrame({
        "Date": pd.to_datetime(text["Date"], format="%Y-%m-%d").dt.as_unit("ns"),
        "Symbol": text["Symbol"].astype("str"),
        "Close": pd.to_numeric(text["Close"]).astype("float64"),
        "Volume (shares)": pd.to_numeric(text["Volume (shares)"]).astype("float64"),
    }))


def _pick(key: str, symbol: str | None, live: dict, req: _Request, notices: list[str]):
    """(rows, Provenance) for one requested symbol, trying each source in order."""
    if symbol is None:
        notices.append(f"No data for {key!r}: not a valid ticker symbol.")
        return _empty_prices(), Provenance(key, "missing", None, None, "not a valid ticker symbol")
    if symbol in live:
        detail = f"{YAHOO_SOURCE}, fetched {req.now:%Y-%m-%d %H:%M} UTC"
        found = _found(symbol, _window(live[symbol], req.start, req.end), "live", req.now, detail)
        if found:
            return found
    for source in (_from_snapshot,) if req.offline else (_from_cache, _from_snapshot):
        found = source(symbol, req, notices)
        if found:
            if not req.offline and req.failure is None:
                notices.append(f"Yahoo Finance had no prices for {symbol}; "
                               f"showing its {found[1].origin} copy.")
            return found
    reason = _missing_reason(symbol, req)
    notices.append(f"No data for {symbol!r}: {reason}.")
    return _empty_prices(), Provenance(symbol, "missing", None, None, reason)


def _found(symbol, rows, origin, fetched_at, detail):
    if rows.empty:
        return None
    as_of = rows["Date"].iloc[-1].date()
    return rows, Provenance(symbol, origin, as_of, fetched_at, detail)


def _from_cache(symbol: str, req: _Request, notices: list[str]):
    try:
        hit = cache.load_frame(symbol, parse=parse_price_csv, folder=req.folder)
    except cache.CacheCorrupt:
        notices.append(f"Ignored a damaged cache file for {symbol}.")
        return None
    if hit is None:
        return None
    detail = f"cached copy of {hit.source}, fetched {hit.fetched_at:%Y-%m-%d %H:%M} UTC"
    return _found(symbol, _window(hit.frame, req.start, req.end), "cached", hit.fetched_at, detail)


def _from_snapshot(symbol: str, req: _Request, notices: list[str]):
    try:
        rows = load_snapshot([symbol], req.data_dir)
        source = _read_manifest(req.data_dir).loc[symbol, "source"] if not rows.empty else ""
    except SnapshotIntegrityError:
        notices.append(f"The bundled snapshot for {symbol} failed its checksum and was not used.")
        return None
    except (OSError, ValueError):
        notices.append(f"The bundled snapshot for {symbol} could not be read.")
        return None
    detail = f"bundled snapshot, {source}"
    return _found(symbol, _window(rows, req.start, req.end), "snapshot", None, detail)


def _missing_reason(symbol: str, req: _Request) -> str:
    if symbol in _known_symbols(req.data_dir):
        return "no usable prices in the requested dates"
    if req.offline:
        return "not in the bundled snapshot (offline mode)"
    if req.failure is None:
        return "not a known symbol"
    return "Yahoo Finance is unavailable and there is no saved copy"
