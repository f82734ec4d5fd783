"""Daily closing prices: live from Yahoo Finance, else the user's cache, else the bundled snapshot.

Every frame leaving this module meets PRICE_COLUMNS (``check_prices``) and comes with one
``Provenance`` per symbol, because the series end on different days. The live download, its
timeout and the circuit breaker that skips the network after a failure live in
``lib.live_prices``; the contract lives in ``lib.price_contract``. Both are re-exported here, so
callers keep using ``prices.X``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from lib import cache
from lib.live_prices import (
    BREAKER_COOL_DOWN_S,
    LIVE_BREAKER,
    LIVE_TIMEOUT_S,
    CircuitBreaker,
    Download,
    FetchTimeout,
    LiveFetchError,
    NetworkError,
    NoData,
    RateLimited,
    fetch_live,
    normalise_download,
)
from lib.price_contract import (
    PRICE_COLUMNS,
    ContractError,
    check_prices,
    concat_prices,
    empty_prices,
    tidy_rows,
)

__all__ = [
    "BREAKER_COOL_DOWN_S", "CORE_SYMBOLS", "DATA_DIR", "DEFAULT_START", "LIVE_BREAKER",
    "LIVE_TIMEOUT_S", "OFFLINE_NOTICE", "PRICE_COLUMNS", "SYMBOL_RE", "YAHOO_SOURCE",
    "CircuitBreaker", "ContractError", "Download", "FetchTimeout", "LiveFetchError",
    "NetworkError", "NoData", "Origin", "PriceResult", "Provenance", "RateLimited",
    "SnapshotIntegrityError", "check_prices", "clean_symbol", "clean_symbols", "fetch_live",
    "get_prices", "is_offline_env", "load_snapshot", "normalise_download", "parse_price_csv",
    "provenance_line", "snapshot_catalogue",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "prices"
CORE_SYMBOLS = ("^IXIC", "ORCL", "AVGO", "ALAB")
DEFAULT_START = date(2020, 1, 1)  # the bundled snapshot starts on the first trading day of 2020
SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.^=-]{0,14}$")  # ^IXIC, BRK.B, EURUSD=X, GC=F
YAHOO_SOURCE = "Yahoo Finance via yfinance"
OFFLINE_NOTICE = "Offline: showing the bundled snapshot."

Origin = Literal["live", "cached", "snapshot", "missing"]


class SnapshotIntegrityError(ContractError):
    """A bundled snapshot file does not match the SHA-256 recorded in the manifest."""


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
    """The snapshot manifest: ticker, name, role, first_date, last_date, rows, source, and
    the file with the SHA-256 it is checked against before use."""
    manifest = _read_manifest(data_dir).reset_index(drop=True)
    return manifest.assign(
        first_date=pd.to_datetime(manifest["first_date"]).dt.as_unit("ns"),
        last_date=pd.to_datetime(manifest["last_date"]).dt.as_unit("ns"),
        rows=manifest["rows"].astype("int64"),
    )[["ticker", "name", "role", "first_date", "last_date", "rows", "source", "file", "sha256"]]


def load_snapshot(symbols: Iterable[str], data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Bundled daily closes for the symbols the manifest lists (others are skipped).

    Each file is checked against the manifest's SHA-256 before it is parsed; a mismatch raises
    SnapshotIntegrityError naming the file.
    """
    manifest = _read_manifest(data_dir)
    wanted = [s for s in dict.fromkeys(symbols) if s in manifest.index]
    return check_prices(concat_prices(_snapshot_file(data_dir, manifest.loc[s]) for s in wanted))


def _snapshot_file(data_dir: Path, entry: pd.Series) -> pd.DataFrame:
    path = Path(data_dir) / Path(entry["file"]).name  # the manifest names a file, never a path
    raw = path.read_bytes()  # hash and parse the same bytes
    digest = hashlib.sha256(raw).hexdigest()
    if digest != entry["sha256"]:
        raise SnapshotIntegrityError(
            f"{path.name}: SHA-256 {digest[:12]} does not match "
            f"the manifest's {entry['sha256'][:12]}"
        )
    bars = pd.read_csv(io.BytesIO(raw), parse_dates=["Date"])
    return tidy_rows(entry["ticker"], bars["Date"], bars["Close"], bars["Volume"])


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
    live rows are cached; each symbol it did not deliver falls back on its own, as does one it
    delivered only in part (starting well after a stored copy), which is not cached. Dates:
    start inclusive (default DEFAULT_START), end exclusive (default none). Never raises for bad
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
    picks = {key: _pick(key, symbol, live, req, notices) for key, symbol in keys.items()}
    # only what is shown as live is cached: a partial download must not replace a longer copy
    _save_live({s: rows for s, rows in live.items() if s in picks and
                picks[s][1].origin == "live"}, req, notices)
    frame = check_prices(concat_prices(rows for rows, _ in picks.values()))
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
            if isinstance(exc, OSError) and exc.strerror:
                reason = exc.strerror
            else:
                reason = type(exc).__name__
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
        return empty_prices(), Provenance(key, "missing", None, None, "not a valid ticker symbol")
    if symbol in live:
        detail = f"{YAHOO_SOURCE}, fetched {req.now:%Y-%m-%d %H:%M} UTC"
        found = _found(symbol, _window(live[symbol], req.start, req.end), "live", req.now, detail)
        if found:
            # a damaged stored copy is not news while the live one is shown (and replaces it)
            longer = _starting_earlier(found, _stored_copies(symbol, req, []))
            if longer is None:
                return found
            notices.append(f"Yahoo Finance sent {symbol}'s prices only from "
                           f"{found[0]['Date'].iloc[0]:%-d %b %Y}; showing its "
                           f"{longer[1].origin} copy, which starts earlier.")
            return longer
    said = len(notices)
    # the stored copy that reaches furthest: a cache fetched weeks ago must not hide a newer
    # bundled snapshot (an equal date keeps the cache, a live copy)
    copies = _stored_copies(symbol, req, notices)
    if copies:
        found = _furthest(copies)
        if not req.offline and req.failure is None:
            notices.append(f"Yahoo Finance had no prices for {symbol}; "
                           f"showing its {found[1].origin} copy.")
        return found
    reason = _missing_reason(symbol, req)
    if len(notices) > said:  # a damaged copy was reported: say there, once, that none is left
        notices[-1] = (f"{notices[-1].removesuffix('.')}; there is no other copy of {symbol} "
                       "to show.")
    else:
        notices.append(f"No data for {symbol!r}: {reason}.")
    return empty_prices(), Provenance(symbol, "missing", None, None, reason)


def _stored_copies(symbol: str, req: _Request, notices: list[str]) -> list:
    """(rows, Provenance) of each stored copy that has rows in the window: the cache (online
    only), then the snapshot; a damaged copy is left out with a notice."""
    sources = (_from_snapshot,) if req.offline else (_from_cache, _from_snapshot)
    return [found for source in sources if (found := source(symbol, req, notices))]


PARTIAL_AFTER_DAYS = 5  # a live series starting this much later than a stored one is partial


def _starting_earlier(live: tuple | None, copies: list[tuple]) -> tuple | None:
    """The stored copy (the one reaching furthest) when the live series starts more than
    PARTIAL_AFTER_DAYS after one of them in the same window: a partial download. Else None."""
    if not live or not copies:
        return None
    first = min(rows["Date"].iloc[0] for rows, _ in copies)
    if live[0]["Date"].iloc[0] - first <= pd.Timedelta(days=PARTIAL_AFTER_DAYS):
        return None
    return _furthest(copies)


def _furthest(copies: list[tuple]) -> tuple:
    """The copy whose prices reach the latest date; the first of equals (the cache, a live
    download, before the snapshot)."""
    return max(copies, key=lambda copy: copy[1].as_of)


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
