"""Price cache: verified round trips, atomic writes, and damage that never reaches the page."""

from __future__ import annotations

import errno
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from yfinance.exceptions import YFRateLimitError

from lib import cache
from lib.cache import CacheCorrupt, cache_path, default_cache_dir, load_frame, save_frame
from lib.prices import get_prices, load_snapshot, parse_price_csv
from tests import yf_shapes as ys
from tests.yf_shapes import END, NOW, START, StandIn

SOURCE = "Yahoo Finance via yfinance"


def orcl() -> pd.DataFrame:
    """Real ORCL closes for two weeks of December 2025, in PRICE_COLUMNS."""
    frame = load_snapshot(["ORCL"])
    return frame[(frame["Date"] >= START) & (frame["Date"] < END)].reset_index(drop=True)


def save(symbol: str, frame: pd.DataFrame, folder: Path) -> Path:
    return save_frame(symbol, frame, fetched_at=NOW, source=SOURCE, parse=parse_price_csv,
                      folder=folder)


def rate_limited_prices(symbols, folder):
    """get_prices online with Yahoo rate-limiting us, so it must use the cache or snapshot."""
    return get_prices(symbols, offline=False, start=START, end=END, cache_dir=folder, now=NOW,
                      download=StandIn(error=YFRateLimitError()))


def test_a_saved_frame_reads_back_identical_with_its_fetch_time(tmp_path):
    """Test that save then load returns the same frame, fetch time and source."""
    save("ORCL", orcl(), tmp_path)
    hit = load_frame("ORCL", parse=parse_price_csv, folder=tmp_path)
    pd.testing.assert_frame_equal(hit.frame, orcl())
    assert (hit.symbol, hit.fetched_at, hit.source) == ("ORCL", NOW, SOURCE)


def test_a_ticker_called_na_survives_the_round_trip(tmp_path):
    """Test that the symbol 'NA' is not read back as a missing value."""
    frame = orcl().assign(Symbol=pd.Series(["NA"] * len(orcl()), dtype="str"))
    save("NA", frame, tmp_path)
    assert load_frame("NA", parse=parse_price_csv, folder=tmp_path).frame["Symbol"].eq("NA").all()


def test_fallback_uses_the_cache_with_its_own_fetch_time(tmp_path):
    """Test that with Yahoo down a cached series that reaches as far as the snapshot is
    'cached', dated by its last row, with its fetch time (a cache that ends earlier gives way
    to the newer snapshot: tests/test_prices.py)."""
    save("ORCL", orcl(), tmp_path)
    result = rate_limited_prices(["ORCL"], tmp_path)
    prov = result.provenance["ORCL"]
    assert (prov.origin, prov.as_of.isoformat(), prov.fetched_at) == ("cached", "2025-12-19", NOW)
    assert prov.detail == "cached copy of Yahoo Finance via yfinance, fetched 2026-11-26 14:02 UTC"


@pytest.mark.parametrize("damage", [
    pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
    pytest.param(lambda raw: raw.replace(b"2025-12-12,ORCL,", b"2025-12-12,ORCL,9"), id="edited"),
    pytest.param(lambda raw: raw.split(b"\n", 1)[1], id="no-header"),
    pytest.param(lambda raw: b"\x00\xff" * 50, id="binary"),
    pytest.param(lambda raw: b"", id="empty"),
])
def test_a_damaged_cache_file_is_ignored_with_a_notice(tmp_path, damage):
    """Test that a damaged file raises CacheCorrupt and get_prices falls back to the snapshot."""
    path = save("ORCL", orcl(), tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CacheCorrupt, match="prices-ORCL.csv"):
        load_frame("ORCL", parse=parse_price_csv, folder=tmp_path)
    result = rate_limited_prices(["ORCL"], tmp_path)
    assert result.provenance["ORCL"].origin == "snapshot"
    assert "Ignored a damaged cache file for ORCL." in result.notices


def test_a_file_with_a_valid_checksum_but_broken_data_is_ignored(tmp_path):
    """Test that a cache file failing the price contract (negative close) is not used."""
    path = save("ORCL", orcl(), tmp_path)
    header, body = path.read_bytes().split(b"\n", 1)
    body = body.replace(b",ORCL,", b",ORCL,-", 1)
    header = header.replace(header[-66:-2], hashlib.sha256(body).hexdigest().encode())
    path.write_bytes(header + b"\n" + body)
    with pytest.raises(CacheCorrupt, match="Close"):
        load_frame("ORCL", parse=parse_price_csv, folder=tmp_path)


def test_a_file_holding_another_symbol_is_refused(tmp_path):
    """Test that ORCL's file copied to AVGO's name is not served as AVGO."""
    os.replace(save("ORCL", orcl(), tmp_path), cache_path("AVGO", tmp_path))
    with pytest.raises(CacheCorrupt, match="holds 'ORCL'"):
        load_frame("AVGO", parse=parse_price_csv, folder=tmp_path)


def test_a_half_written_temp_file_is_never_read(tmp_path):
    """Test that a leftover .part file (a crash mid-write) is invisible to readers."""
    good = save("ORCL", orcl(), tmp_path).read_bytes()
    cache_path("ORCL", tmp_path).unlink()
    (tmp_path / ".prices-ORCL.csv.abc123.part").write_bytes(good[: len(good) // 2])
    assert load_frame("ORCL", parse=parse_price_csv, folder=tmp_path) is None
    assert rate_limited_prices(["ORCL"], tmp_path).provenance["ORCL"].origin == "snapshot"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    """Test that if the final rename fails, the previous cache file is intact and no .part stays."""
    path = save("ORCL", orcl().head(3), tmp_path)
    before = path.read_bytes()

    def refuse(*_):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(cache.os, "replace", refuse)
    with pytest.raises(OSError):
        save("ORCL", orcl(), tmp_path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_frame_failing_the_contract_is_never_written(tmp_path):
    """Test that validation of the on-disk temp file blocks a bad frame, leaving nothing."""
    with pytest.raises(CacheCorrupt):
        save("ORCL", orcl().assign(Close=-1.0), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_that_cannot_exist_is_a_notice_not_a_crash(tmp_path):
    """Test that a cache path under a regular file (tests run as root, so no chmod) still
    returns live prices with one notice."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    raw = ys.download_frame(["ORCL", "AVGO"], START, END)
    result = get_prices(["ORCL", "AVGO"], offline=False, start=START, end=END, now=NOW,
                        cache_dir=blocker / "cache", download=StandIn(raw))
    assert [p.origin for p in result.provenance.values()] == ["live", "live"]
    notice = ("Could not save prices to the cache folder (Not a directory); "
              "they are shown but not kept.")
    assert result.notices == (notice,)


def test_a_full_disk_is_a_notice_and_leaves_no_temp_file(tmp_path, monkeypatch):
    """Test that ENOSPC while writing gives a notice, live data, and no .part file."""
    def disk_full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache.os, "fsync", disk_full)
    download = StandIn(ys.download_frame(["ORCL"], START, END))
    result = get_prices(["ORCL"], offline=False, start=START, end=END, now=NOW,
                        cache_dir=tmp_path, download=download)
    assert result.provenance["ORCL"].origin == "live"
    assert "No space left on device" in result.notices[0]
    assert list(tmp_path.iterdir()) == []


def test_fallbacks_never_write_to_the_snapshot_folder(tmp_path):
    """Test that a damaged cache and a rate limit leave data/prices byte-for-byte unchanged."""
    before = {p.name: p.read_bytes() for p in ys.SNAPSHOT_DIR.iterdir()}
    save("ORCL", orcl(), tmp_path).write_bytes(b"garbage")
    rate_limited_prices(["ORCL", "AVGO"], tmp_path)
    assert {p.name: p.read_bytes() for p in ys.SNAPSHOT_DIR.iterdir()} == before


@pytest.mark.parametrize(("env", "expected"), [
    ({"AIGRID_CACHE_DIR": "/srv/aigrid"}, "/srv/aigrid"),
    ({"XDG_CACHE_HOME": "/xdg"}, "/xdg/ai-grid-dashboard"),
    ({"XDG_CACHE_HOME": "relative/ignored", "HOME": "/home/u"}, "/home/u/.cache/ai-grid-dashboard"),
    ({"HOME": "/home/u"}, "/home/u/.cache/ai-grid-dashboard"),
])
def test_the_cache_folder_follows_the_environment(monkeypatch, env, expected):
    """Test AIGRID_CACHE_DIR, then $XDG_CACHE_HOME, then ~/.cache."""
    for name in ("AIGRID_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_cache_dir() == Path(expected)


def test_get_prices_uses_the_per_test_cache_folder_by_default(tmp_path):
    """Test that without cache_dir, live rows land in $AIGRID_CACHE_DIR (set by conftest)."""
    get_prices(["^IXIC"], offline=False, start=START, end=END, now=NOW,
               download=StandIn(ys.download_frame(["^IXIC"], START, END)))
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["prices-_5EIXIC.csv"]


@settings(derandomize=True)  # seeded: the same cases on every run
@given(hs.text(min_size=1, max_size=32), hs.text(min_size=1, max_size=32))
def test_cache_file_names_stay_in_the_folder_and_never_collide(symbol, other):
    """Test on any text: one plain file name inside the folder, distinct per symbol."""
    folder = Path("/cache")
    path = cache_path(symbol, folder)
    assert path.parent == folder and path.name.startswith("prices-") and path.suffix == ".csv"
    assert set(path.name[7:-4]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    assert (cache_path(other, folder) == path) == (other == symbol)


@pytest.mark.parametrize("bad", ["", "X" * 33, None])
def test_cache_path_refuses_names_it_cannot_map(bad):
    """Test that empty, over-long or non-text symbols raise ValueError."""
    with pytest.raises(ValueError):
        cache_path(bad, Path("/cache"))


def test_fetch_time_is_stored_in_utc(tmp_path):
    """Test that a fetch time given in another zone reads back as the same instant in UTC."""
    local = datetime.fromisoformat("2026-11-26T09:02:00-05:00")
    save_frame("ORCL", orcl(), fetched_at=local, source=SOURCE, parse=parse_price_csv,
               folder=tmp_path)
    hit = load_frame("ORCL", parse=parse_price_csv, folder=tmp_path)
    assert hit.fetched_at == NOW and hit.fetched_at.tzinfo == UTC
