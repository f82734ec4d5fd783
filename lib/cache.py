"""A verified on-disk cache of one price frame per symbol, in the user's cache folder.

Each file is self-checking: a one-line JSON header (symbol, fetch time in UTC, row count and
the SHA-256 of the CSV body) followed by the CSV body. Writes go to a temporary file in the same
folder, are read back and checked, then moved into place with ``os.replace``, so a reader sees
either the old file or the new one, never half of one. A damaged file raises ``CacheCorrupt``;
the caller decides what to tell the user. This module never writes outside the cache folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

CACHE_ENV = "AIGRID_CACHE_DIR"  # tests and deployments point the cache elsewhere
APP_FOLDER = "ai-grid-dashboard"
FORMAT_VERSION = 1
HEADER_PREFIX = b"# aigrid-cache "
MAX_SYMBOL_CHARS = 32  # longer than any real ticker; bounds the file name length
_PLAIN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

Parse = Callable[[pd.DataFrame], pd.DataFrame]


class CacheCorrupt(ValueError):
    """A cache file failed its header, checksum or data contract; the message names the file."""


@dataclass(frozen=True)
class CachedFrame:
    """A frame read back from the cache, with when and where it was originally fetched."""

    symbol: str
    frame: pd.DataFrame
    fetched_at: datetime  # UTC, when the data was downloaded (not when it was cached)
    source: str  # e.g. "Yahoo Finance via yfinance"


def default_cache_dir() -> Path:
    """The cache folder: $AIGRID_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, + APP_FOLDER."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"  # XDG spec
    return base / APP_FOLDER


def cache_path(symbol: str, folder: Path) -> Path:
    """The file for one symbol; each UTF-8 byte outside A-Z, 0-9 and '-' is escaped as _XX.

    The mapping is one-to-one ('_' itself is always escaped, every escape is 3 characters) and
    yields no path separators, dots or hidden names: '^IXIC' becomes 'prices-_5EIXIC.csv'.
    """
    if not isinstance(symbol, str) or not 0 < len(symbol) <= MAX_SYMBOL_CHARS:
        raise ValueError(f"cannot make a cache file name from {symbol!r}")
    safe = "".join(c if c in _PLAIN_CHARS else _escape(c) for c in symbol)
    return Path(folder) / f"prices-{safe}.csv"


def _escape(char: str) -> str:
    return "".join(f"_{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def save_frame(
    symbol: str,
    frame: pd.DataFrame,
    *,
    fetched_at: datetime,
    source: str,
    parse: Parse,
    folder: Path | None = None,
) -> Path:
    """Atomically write one symbol's frame; raises OSError if the folder is unwritable or full.

    ``parse`` turns the CSV read back from disk (all columns as text) into the checked frame,
    raising ValueError if it fails the contract; nothing replaces the old file unless it passes.
    """
    path = cache_path(symbol, folder or default_cache_dir())
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = _encode(symbol, frame, fetched_at, source)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)  # same folder as the target, so os.replace is an atomic rename
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        _parse_file(tmp.name, tmp.read_bytes(), symbol, parse)  # check what is on disk
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_frame(symbol: str, *, parse: Parse, folder: Path | None = None) -> CachedFrame | None:
    """The cached frame for a symbol, or None if there is none; raises CacheCorrupt if damaged."""
    path = cache_path(symbol, folder or default_cache_dir())
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing cached yet, or the folder is not usable
    except OSError as exc:
        raise CacheCorrupt(f"{path.name}: cannot read ({exc})") from exc
    return _parse_file(path.name, raw, symbol, parse)


def _encode(symbol: str, frame: pd.DataFrame, fetched_at: datetime, source: str) -> bytes:
    """Header line + CSV body; dates as YYYY-MM-DD, floats in shortest round-trip form."""
    body = frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n").encode()
    header = {
        "format": FORMAT_VERSION,
        "symbol": symbol,
        "fetched_at": fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        "source": source,
        "rows": len(frame),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return HEADER_PREFIX + json.dumps(header).encode() + b"\n" + body


def _parse_file(name: str, raw: bytes, symbol: str, parse: Parse) -> CachedFrame:
    """Verify and parse one cache file's bytes; every failure is CacheCorrupt naming the file."""
    try:
        header, body = _split(raw)
        _verify(header, body, symbol)
        text = pd.read_csv(io.BytesIO(body), dtype="str", keep_default_na=False, na_values=[""])
        frame = parse(text)  # keep_default_na=False: a ticker called "NA" stays "NA"
        if len(frame) != header["rows"]:
            raise ValueError(f"{len(frame)} rows, header says {header['rows']}")
        fetched_at = datetime.fromisoformat(header["fetched_at"]).astimezone(UTC)
        return CachedFrame(symbol, frame, fetched_at, str(header["source"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheCorrupt(f"{name}: {exc}") from exc


def _split(raw: bytes) -> tuple[dict, bytes]:
    """The JSON header and the CSV body of a cache file."""
    first, sep, body = raw.partition(b"\n")
    if not sep or not first.startswith(HEADER_PREFIX):
        raise ValueError("no aigrid-cache header line")
    header = json.loads(first[len(HEADER_PREFIX):])
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")  # noqa: TRY004 - bad data, not a bad call
    return header, body


def _verify(header: dict, body: bytes, symbol: str) -> None:
    """Check format version, symbol and the body's SHA-256 against the header."""
    if header.get("format") != FORMAT_VERSION:
        raise ValueError(f"format {header.get('format')!r}, expected {FORMAT_VERSION}")
    if header.get("symbol") != symbol:
        raise ValueError(f"holds {header.get('symbol')!r}, expected {symbol!r}")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise ValueError("SHA-256 of the body does not match the header (truncated or edited)")
