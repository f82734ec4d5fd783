"""Faults while the app is serving: Yahoo slow, rate-limiting or sending garbage mid-session, a
cache folder that cannot be written or is full, a damaged cache file, a snapshot missing a ticker.

Each test reads what a visitor reads (AppTest), checks that the other series are still served,
and (autouse) that nothing the app ships under data/ changed on disk. The faults enter through
get_prices' own parameters (`download`, `data_dir`), the seam lib/ui.cached_prices calls; the
live path needs AIGRID_OFFLINE unset, which leaves the sidebar's Offline switch off.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from yfinance.exceptions import YFRateLimitError

from lib import cache, prices
from tests import yf_shapes as ys
from tests.apptest_helpers import charts, notice_lines, open_page, shown_statistics

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CORE = list(prices.CORE_SYMBOLS)
HISTORY = ("2020-01-01", "2026-12-31")  # the whole snapshot: live rows equal the bundled ones
MARKET, HOME = "pages/market.py", "pages/collision.py"
STALL_S = 10.0  # a stalled download waits this long at most (get_prices gives up after 2 s)

TIMEOUT_NOTICE = "Yahoo Finance did not answer in time; showing cached/snapshot data."
RATE_LIMIT_NOTICE = "Yahoo Finance rate-limited the request; showing cached/snapshot data."
NO_DATA_NOTICE = "Yahoo Finance returned no prices; showing cached/snapshot data."
NOT_KEPT = "Could not save prices to the cache folder ({}); they are shown but not kept."


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under folder, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _shipped_data_untouched():
    """Every test leaves data/ byte-for-byte as it found it."""
    before = tree_digest(DATA_DIR)
    yield
    assert tree_digest(DATA_DIR) == before, "a fault changed the bundled data"


@pytest.fixture(autouse=True)
def _no_cached_page_data():
    """No price result cached by st.cache_data in another test (conftest resets the breaker)."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@functools.cache
def yahoo_frame(symbols: tuple[str, ...], failed: tuple[str, ...] = ()) -> pd.DataFrame:
    """yf.download's frame for the whole snapshot history (tests/yf_shapes), built once."""
    return ys.download_frame(symbols, *HISTORY, failed=failed)


def garbled(symbols: tuple[str, ...]) -> pd.DataFrame:
    """The right shape with text where the closes should be."""
    frame = yahoo_frame(symbols).copy()
    for symbol in symbols:
        frame[("Close", symbol)] = "N/A"
    return frame


class Yahoo:
    """A stand-in for yf.download whose behaviour can change between two runs of a page."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.calls = 0
        self.release = threading.Event()  # ends a stall when the test is over

    def __call__(self, tickers, **_kwargs) -> pd.DataFrame:
        self.calls += 1
        symbols = tuple(tickers)
        if self.mode == "timeout":
            self.release.wait(STALL_S)
            return yahoo_frame(symbols)
        if self.mode == "rate_limit":
            raise YFRateLimitError()
        if self.mode == "wrong_columns":
            return pd.DataFrame({"ticker": list(symbols), "price": ["n/a"] * len(symbols)})
        if self.mode == "strings":
            return garbled(symbols)
        if self.mode == "partial":
            return yahoo_frame(symbols, failed=("ALAB",))
        return yahoo_frame(symbols)


def route_prices(monkeypatch, **seams) -> None:
    """Send the pages' price loads through get_prices with these parameters."""
    monkeypatch.setattr(prices, "get_prices", functools.partial(prices.get_prices, **seams))


@pytest.fixture
def yahoo(monkeypatch, tmp_path):
    """Live mode (Offline switch off) with Yahoo replaced by a stand-in; cache in tmp_path."""
    monkeypatch.delenv("AIGRID_OFFLINE", raising=False)
    monkeypatch.setenv("AIGRID_CACHE_DIR", str(tmp_path / "cache"))
    stand_in = Yahoo()
    route_prices(monkeypatch, download=stand_in)
    yield stand_in
    stand_in.release.set()


def live_page(page: str = MARKET):
    at = open_page(page)
    assert at.toggle(key="offline").value is False  # the live path, as a visitor online has it
    return at


def later(at):
    """Run the page again once the 15-minute price cache has expired."""
    st.cache_data.clear()
    return at.run()


def origins(at) -> dict[str, str]:
    """Symbol -> origin, from the Market page's statistics table."""
    return shown_statistics(at)["Origin"].to_dict()


def assert_served(at, expected_origins: dict[str, str]) -> None:
    """No exception or error box, one chart, and each series from where it should come."""
    assert not at.exception and not at.error
    assert len(charts(at)) >= 1
    assert origins(at) == expected_origins


def test_a_stalled_yahoo_is_abandoned_and_the_snapshot_is_served(yahoo):
    """Test that a download that never answers gives a calm notice and the snapshot series."""
    yahoo.mode = "timeout"
    at = live_page()
    assert TIMEOUT_NOTICE in notice_lines(at)
    assert_served(at, dict.fromkeys(CORE, "snapshot"))


def test_a_rate_limit_mid_session_serves_the_copies_cached_a_moment_ago(yahoo):
    """Test that after a live run, a rate limit falls back on the cache and stops asking."""
    at = live_page()
    assert_served(at, dict.fromkeys(CORE, "live"))
    yahoo.mode = "rate_limit"
    later(at)
    assert RATE_LIMIT_NOTICE in notice_lines(at)
    assert_served(at, dict.fromkeys(CORE, "cached"))
    calls = yahoo.calls
    later(at)  # the circuit breaker is open: no new request
    assert yahoo.calls == calls
    assert any("rate-limited the request a moment ago" in text for text in notice_lines(at))


@pytest.mark.parametrize("mode", ["wrong_columns", "strings"])
def test_garbage_from_yahoo_mid_session_is_refused_for_the_cached_copies(yahoo, mode):
    """Test that a frame with wrong columns or text closes never reaches the chart."""
    at = live_page()
    yahoo.mode = mode
    later(at)
    assert NO_DATA_NOTICE in notice_lines(at)
    assert_served(at, dict.fromkeys(CORE, "cached"))


def test_a_ticker_missing_from_the_batch_falls_back_alone(yahoo):
    """Test that when Yahoo drops ALAB mid-session, ALAB is cached and the rest stay live."""
    at = live_page()
    yahoo.mode = "partial"
    later(at)
    assert "Yahoo Finance had no prices for ALAB; showing its cached copy." in notice_lines(at)
    assert_served(at, {"^IXIC": "live", "ORCL": "live", "AVGO": "live", "ALAB": "cached"})


def test_a_cache_folder_under_a_regular_file_is_a_notice(yahoo, monkeypatch, tmp_path):
    """Test that an unusable cache path still shows live prices, says so, and harms nothing."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AIGRID_CACHE_DIR", str(blocker / "cache"))
    at = live_page()
    assert NOT_KEPT.format("Not a directory") in notice_lines(at)
    assert_served(at, dict.fromkeys(CORE, "live"))
    assert blocker.read_text() == "not a folder"


class FullDisk:
    """lib.cache's view of `os` on a full disk: fsync fails with ENOSPC, the rest is real."""

    def __getattr__(self, name: str):
        return getattr(os, name)

    @staticmethod
    def fsync(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_a_notice_and_leaves_no_partial_file(yahoo, monkeypatch, tmp_path):
    """Test that ENOSPC while caching shows live prices, one notice, and no temp file."""
    monkeypatch.setattr(cache, "os", FullDisk())
    at = live_page()
    assert NOT_KEPT.format("No space left on device") in notice_lines(at)
    assert_served(at, dict.fromkeys(CORE, "live"))
    assert list((tmp_path / "cache").glob("*")) == []


def test_a_damaged_cache_file_is_ignored_for_the_snapshot(yahoo, tmp_path):
    """Test that a truncated ORCL cache file is skipped (snapshot) while the others stay cached."""
    at = live_page()
    damaged = cache.cache_path("ORCL", tmp_path / "cache")
    damaged.write_bytes(damaged.read_bytes()[:-200])  # a write cut short by a crash
    yahoo.mode = "rate_limit"
    later(at)
    assert "Ignored a damaged cache file for ORCL." in notice_lines(at)
    assert_served(at, {"^IXIC": "cached", "ORCL": "snapshot", "AVGO": "cached", "ALAB": "cached"})


@pytest.fixture
def snapshot_copy(tmp_path, monkeypatch):
    """A copy of data/prices that the pages read instead of the real one (offline)."""
    copy = tmp_path / "prices"
    shutil.copytree(DATA_DIR / "prices", copy)
    route_prices(monkeypatch, data_dir=copy)
    return copy


def drop_manifest_row(folder: Path, symbol: str) -> None:
    manifest = pd.read_csv(folder / "manifest.csv", dtype="str", keep_default_na=False)
    manifest[manifest["ticker"] != symbol].to_csv(folder / "manifest.csv", index=False)


@pytest.mark.parametrize(
    ("drop_row", "notice"),
    [
        (False, "The bundled snapshot for ORCL could not be read; there is no other copy of "
                "ORCL to show."),
        (True, "No data for 'ORCL': not in the bundled snapshot (offline mode)."),
    ],
)
def test_a_snapshot_without_orcl_still_serves_the_other_series(snapshot_copy, drop_row, notice):
    """Test that a missing ORCL file (or file and manifest row) is named, the rest drawn."""
    (snapshot_copy / "ORCL.csv").unlink()
    if drop_row:
        drop_manifest_row(snapshot_copy, "ORCL")
    at = open_page(MARKET)
    assert notice in notice_lines(at)
    assert_served(at, {"^IXIC": "snapshot", "AVGO": "snapshot", "ALAB": "snapshot"})


def test_the_home_page_survives_a_snapshot_without_orcl(snapshot_copy):
    """Test that the home page names the missing series and still draws its charts."""
    (snapshot_copy / "ORCL.csv").unlink()
    at = open_page(HOME)
    assert ("The bundled snapshot for ORCL could not be read; there is no other copy of ORCL "
            "to show.") in notice_lines(at)
    assert not at.exception and not at.error
    assert len(charts(at)) >= 2


def test_the_home_page_survives_a_rate_limit(yahoo):
    """Test that the home page says Yahoo rate-limited us and draws the snapshot series."""
    yahoo.mode = "rate_limit"
    at = live_page(HOME)
    assert RATE_LIMIT_NOTICE in notice_lines(at)
    assert not at.exception and not at.error
    assert len(charts(at)) >= 2
