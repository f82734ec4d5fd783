"""Price layer: contract, snapshot, yf.download shapes, live path, fallbacks and symbol cleaning."""

from __future__ import annotations

import re
import shutil
import time
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from yfinance.exceptions import YFRateLimitError

from lib import prices
from lib.prices import (
    CORE_SYMBOLS,
    PRICE_COLUMNS,
    SYMBOL_RE,
    CircuitBreaker,
    ContractError,
    FetchTimeout,
    LiveFetchError,
    NetworkError,
    NoData,
    RateLimited,
    SnapshotIntegrityError,
    check_prices,
    clean_symbol,
    clean_symbols,
    fetch_live,
    get_prices,
    is_offline_env,
    load_snapshot,
    normalise_download,
    provenance_line,
    snapshot_catalogue,
)
from tests import yf_shapes as ys
from tests.yf_shapes import END, NOW, START, StandIn

CORE = list(CORE_SYMBOLS)
RATE_LIMIT_NOTICE = "Yahoo Finance rate-limited the request; showing cached/snapshot data."


class FakeClock:
    def __init__(self):
        self.now_s = 1000.0

    def __call__(self):
        return self.now_s


def snapshot_closes(symbol, start=START, end=END) -> list[float]:
    bars = ys.snapshot_bars(symbol)
    return bars.loc[(bars["Date"] >= start) & (bars["Date"] < end), "Close"].tolist()


def close_on(frame, symbol, day) -> float:
    rows = frame[(frame["Symbol"] == symbol) & (frame["Date"] == pd.Timestamp(day))]
    return float(rows["Close"].iloc[0])


def online(symbols, download, **kwargs):
    return get_prices(symbols, offline=False, start=START, end=END, download=download, now=NOW,
                      **kwargs)


# --- contract and snapshot --------------------------------------------------------------------


def test_snapshot_meets_the_price_contract_with_exact_dtypes():
    """Test that the bundled snapshot loads with the contract's columns, dtypes and order."""
    frame = load_snapshot(CORE)
    assert frame.columns.tolist() == PRICE_COLUMNS
    assert [str(t) for t in frame.dtypes] == ["datetime64[ns]", "str", "float64", "float64"]
    assert list(dict.fromkeys(frame["Symbol"])) == CORE
    assert check_prices(frame) is frame


def test_nasdaq_closed_at_23195_17_on_12_december_2025_down_1_69_percent():
    """Test the hand-checked record: ^IXIC 23195.17, previous close 23593.86, -1.69%."""
    ixic = load_snapshot(["^IXIC"]).set_index("Date")["Close"]
    close, previous = ixic[pd.Timestamp("2025-12-12")], ixic[pd.Timestamp("2025-12-11")]
    assert round(close, 2) == 23195.17
    assert round(previous, 2) == 23593.86
    assert round((close / previous - 1) * 100, 2) == -1.69


def test_offline_series_keep_their_own_last_dates_and_sources():
    """Test that offline each core series is 'snapshot' with its own as-of date and source."""
    result = get_prices(CORE, offline=True)
    assert list(result.provenance) == CORE
    assert {p.origin for p in result.provenance.values()} == {"snapshot"}
    assert result.provenance["ALAB"].as_of == date(2026, 5, 15)
    assert result.provenance["^IXIC"].as_of == date(2026, 8, 21)
    assert result.provenance["ALAB"].detail.startswith(
        "bundled snapshot, Yahoo Finance daily bars via kinryukii/us-tech-quant-v18")
    assert result.notices == ("Offline: showing the bundled snapshot.",)
    assert provenance_line(result.provenance["ALAB"]).endswith("; last close 2026-05-15")


def test_snapshot_catalogue_lists_the_manifest_rows():
    """Test that the catalogue has the manifest's tickers and row counts that match the files."""
    catalogue = snapshot_catalogue()
    assert catalogue.columns.tolist() == [
        "ticker", "name", "role", "first_date", "last_date", "rows", "source", "file", "sha256"]
    assert catalogue["ticker"].tolist()[:4] == CORE
    alab = catalogue.set_index("ticker").loc["ALAB"]
    assert alab["rows"] == len(load_snapshot(["ALAB"])) == 541
    assert alab["last_date"] == pd.Timestamp("2026-05-15")


@pytest.mark.parametrize(("column", "broken"), [
    ("Close", lambda f: f.assign(Close=-f["Close"])),
    ("Close", lambda f: f.assign(Close=f["Close"].where(f.index != 3))),
    ("Date", lambda f: f.assign(Date=f["Date"].dt.tz_localize("UTC"))),
    ("Date", lambda f: pd.concat([f, f.tail(1)], ignore_index=True)),
    ("Date", lambda f: f.iloc[::-1].reset_index(drop=True)),
    ("Symbol", lambda f: f.assign(Symbol=f["Symbol"].where(f.index != 0))),
    ("Volume (shares)", lambda f: f.assign(**{"Volume (shares)": -1.0})),
    ("columns", lambda f: f.rename(columns={"Close": "Close (USD)"})),
])
def test_check_prices_names_the_broken_column(column, broken):
    """Test that each contract breach raises ContractError naming the column."""
    with pytest.raises(ContractError, match=f"^{re.escape(column)}:"):
        check_prices(broken(load_snapshot(["ORCL"]).head(10)))


def test_a_snapshot_file_with_one_altered_byte_fails_its_hash(tmp_path):
    """Test that an edited snapshot file raises a named error and is reported, not used."""
    data_dir = tmp_path / "prices"
    shutil.copytree(ys.SNAPSHOT_DIR, data_dir)
    raw = bytearray((data_dir / "ORCL.csv").read_bytes())
    raw[-3] = ord("0") if raw[-3] != ord("0") else ord("1")  # one digit of the last volume
    (data_dir / "ORCL.csv").write_bytes(bytes(raw))
    with pytest.raises(SnapshotIntegrityError, match="ORCL.csv"):
        load_snapshot(["ORCL"], data_dir)
    result = get_prices(["ORCL", "AVGO"], offline=True, data_dir=data_dir)
    assert result.provenance["ORCL"].origin == "missing"
    assert result.provenance["AVGO"].origin == "snapshot"
    assert any(n.startswith("The bundled snapshot for ORCL failed its checksum and was not used")
               for n in result.notices)


def test_dates_are_start_inclusive_and_end_exclusive():
    """Test that start/end window every source like yf.download does."""
    result = get_prices(["^IXIC"], offline=True, start="2025-12-11", end="2025-12-15")
    assert result.frame["Date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-12-11", "2025-12-12"]
    assert result.provenance["^IXIC"].as_of == date(2025, 12, 12)


# --- yf.download shapes -----------------------------------------------------------------------

SHAPES = [
    pytest.param(["ORCL"], {}, id="one-ticker"),
    pytest.param(["ORCL"], {"multi_level_index": False}, id="one-ticker-flat"),
    pytest.param(["^IXIC", "ORCL", "AVGO"], {}, id="many-tickers"),
    pytest.param(["ORCL", "AVGO"], {"failed": ["AVGO"]}, id="one-failed-in-batch"),
    pytest.param(["ORCL", "AVGO"], {"failed": ["ORCL", "AVGO"]}, id="offline"),
    pytest.param(["ORCL"], {"failed": ["ORCL"], "multi_level_index": False}, id="offline-flat"),
]


@pytest.mark.parametrize(("symbols", "kwargs"), SHAPES)
def test_fixture_shapes_equal_what_the_installed_yfinance_builds(symbols, kwargs):
    """Test that yf_shapes builds the same frame as the installed yf.download on the same rows."""
    built = ys.download_frame(symbols, START, END, **kwargs)
    real = ys.real_download(symbols, START, END, **kwargs)
    pd.testing.assert_frame_equal(real, built)


@pytest.mark.parametrize(("symbols", "kwargs"), SHAPES)
def test_normalise_download_reads_every_shape(symbols, kwargs):
    """Test that each yf.download shape becomes the snapshot's closes, failed tickers dropped."""
    frame = normalise_download(ys.download_frame(symbols, START, END, **kwargs), symbols)
    delivered = [s for s in symbols if s not in kwargs.get("failed", ())]
    assert frame.columns.tolist() == PRICE_COLUMNS
    assert list(dict.fromkeys(frame["Symbol"])) == delivered
    for symbol in delivered:
        assert frame.loc[frame["Symbol"] == symbol, "Close"].tolist() == snapshot_closes(symbol)


def test_normalise_download_reads_ticker_grouping_and_a_tz_aware_index():
    """Test (Ticker, Price) columns and an exchange-time index keep the exchange's dates."""
    raw = ys.download_frame(["ORCL", "AVGO"], START, END, group_by="ticker")
    raw.index = raw.index.tz_localize(ys.EXCHANGE_TZ)  # what ignore_tz=False returns
    frame = normalise_download(raw, ["AVGO", "ORCL"])
    assert frame["Date"].dt.strftime("%Y-%m-%d").iloc[0] == START
    assert frame.loc[frame["Symbol"] == "AVGO", "Close"].tolist() == snapshot_closes("AVGO")


def test_rows_before_a_listing_date_are_dropped_not_kept_as_nan():
    """Test that ALAB's NaN rows before its 2024-03-20 listing (batch union of dates) vanish."""
    raw = ys.download_frame(["ALAB", "^IXIC"], "2024-03-15", "2024-03-28")
    assert raw[("Close", "ALAB")].isna().sum() == 3
    frame = normalise_download(raw, ["ALAB", "^IXIC"])
    alab = frame[frame["Symbol"] == "ALAB"]
    assert alab["Date"].min() == pd.Timestamp("2024-03-20")
    assert alab["Close"].iloc[0] == 62.03


def test_flat_columns_cannot_be_shared_between_several_symbols():
    """Test that a flat frame asked to hold two symbols raises ContractError."""
    raw = ys.download_frame(["ORCL"], START, END, multi_level_index=False)
    with pytest.raises(ContractError, match="several symbols"):
        normalise_download(raw, ["ORCL", "AVGO"])


# --- the live download ------------------------------------------------------------------------


def test_fetch_live_makes_one_batched_call_with_explicit_settings():
    """Test one yf.download call for all symbols, auto_adjust passed explicitly, bounded."""
    stand_in = StandIn(ys.download_frame(CORE, START, END))
    frame = fetch_live(CORE, START, END, download=stand_in)
    assert len(stand_in.calls) == 1
    tickers, kwargs = stand_in.calls[0]
    assert tickers == CORE
    assert kwargs == {
        "start": START, "end": END, "auto_adjust": True, "progress": False, "threads": True,
        "timeout": 2.0, "group_by": "column", "multi_level_index": True}
    assert list(dict.fromkeys(frame["Symbol"])) == CORE


@pytest.mark.parametrize(("stand_in", "error"), [
    (StandIn(ys.offline_frame(CORE)), NoData),
    (StandIn(pd.DataFrame()), NoData),
    (StandIn(error=YFRateLimitError()), RateLimited),
    (StandIn(error=ConnectionError("Could not resolve host")), NetworkError),
    (StandIn(error=KeyError("chart")), LiveFetchError),
])
def test_fetch_live_raises_a_named_error_when_nothing_comes_back(stand_in, error):
    """Test that empty frames and exceptions become the matching LiveFetchError."""
    with pytest.raises(error):
        fetch_live(CORE, START, END, download=stand_in)


def test_a_rate_limit_inside_the_real_download_is_recognised():
    """Test that yf.download's swallowed YFRateLimitError (only logged) still reads as a limit."""
    with ys.snapshot_yahoo(rate_limited=CORE) as download, pytest.raises(RateLimited):
        fetch_live(CORE, START, END, download=download)


def test_a_stalled_download_gives_up_within_the_timeout():
    """Test that a download stalled for 10 s returns within ~3 s, from the snapshot."""
    stalled = [StandIn(ys.download_frame(CORE, START, END), stall_s=10) for _ in range(2)]
    try:
        started = time.monotonic()
        with pytest.raises(FetchTimeout):
            fetch_live(CORE, START, END, download=stalled[0], timeout_s=0.2)
        assert time.monotonic() - started < 1.0
        started = time.monotonic()
        result = online(CORE, stalled[1])  # the default budget, LIVE_TIMEOUT_S = 2 s
        assert time.monotonic() - started < 3.0
    finally:
        for stand_in in stalled:
            stand_in.release.set()  # let the abandoned worker threads finish
    assert {p.origin for p in result.provenance.values()} == {"snapshot"}
    assert result.notices[0] == (
        "Yahoo Finance did not answer in time; showing cached/snapshot data."
    )


# --- get_prices ---------------------------------------------------------------------------------


def test_offline_never_calls_the_download():
    """Test that offline mode reads the snapshot without touching the transport."""
    stand_in = StandIn(ys.download_frame(CORE, START, END))
    result = get_prices(CORE, offline=True, download=stand_in, start=START, end=END)
    assert stand_in.calls == []
    assert {p.origin for p in result.provenance.values()} == {"snapshot"}


def test_live_prices_are_returned_stamped_and_cached(tmp_path):
    """Test that a good download gives 'live' rows with fetch time, then serves as the cache."""
    live = online(CORE, StandIn(ys.download_frame(CORE, START, END)), cache_dir=tmp_path)
    ixic = live.provenance["^IXIC"]
    assert (ixic.origin, ixic.as_of, ixic.fetched_at) == ("live", date(2025, 12, 19), NOW)
    assert ixic.detail == "Yahoo Finance via yfinance, fetched 2026-11-26 14:02 UTC"
    assert live.notices == ()
    later = get_prices(CORE, offline=False, start=START, end=END, cache_dir=tmp_path,
                       download=StandIn(error=YFRateLimitError()), now=datetime.now(UTC))
    assert {p.origin for p in later.provenance.values()} == {"cached"}
    assert later.provenance["ORCL"].fetched_at == NOW
    assert later.notices == (RATE_LIMIT_NOTICE,)
    pd.testing.assert_frame_equal(later.frame, live.frame)


def test_a_symbol_missing_from_the_batch_falls_back_on_its_own():
    """Test that a ticker the batch did not deliver comes from the snapshot, others stay live."""
    raw = ys.download_frame(["ORCL", "AVGO"], START, END, failed=["AVGO"])
    result = online(["ORCL", "AVGO"], StandIn(raw))
    assert result.provenance["ORCL"].origin == "live"
    assert result.provenance["AVGO"].origin == "snapshot"
    assert result.notices == ("Yahoo Finance had no prices for AVGO; showing its snapshot copy.",)
    assert result.frame.loc[result.frame["Symbol"] == "AVGO", "Close"].tolist() == \
        snapshot_closes("AVGO")


def test_a_rate_limit_falls_back_to_the_snapshot_with_one_calm_notice():
    """Test that YFRateLimitError gives snapshot rows and the rate-limit notice."""
    result = online(CORE, StandIn(error=YFRateLimitError()))
    assert {p.origin for p in result.provenance.values()} == {"snapshot"}
    assert result.notices == (RATE_LIMIT_NOTICE,)
    assert round(close_on(result.frame, "^IXIC", "2025-12-12"), 2) == 23195.17


def test_the_circuit_breaker_skips_the_network_until_it_cools_down():
    """Test that after a failure the next call skips the download, until 10 minutes pass."""
    clock = FakeClock()
    breaker = CircuitBreaker(cool_down_s=600, clock=clock)
    online(CORE, StandIn(error=YFRateLimitError()), breaker=breaker)
    skipped = StandIn(ys.download_frame(CORE, START, END))
    result = online(CORE, skipped, breaker=breaker)
    assert skipped.calls == []
    notice = ("Yahoo Finance rate-limited the request a moment ago; showing cached/snapshot "
              "data, retrying in about 10 min.")
    assert result.notices == (notice,)
    clock.now_s += 601
    assert online(CORE, skipped, breaker=breaker).provenance["ORCL"].origin == "live"
    assert len(skipped.calls) == 1


def test_no_rows_for_only_unknown_symbols_does_not_trip_the_breaker():
    """Test that a typo'd symbol does not stop live prices for everyone else."""
    unknown = StandIn(ys.offline_frame(["XYZQ"]))
    result = online(["XYZQ"], unknown)
    assert result.provenance["XYZQ"].origin == "missing"
    assert result.notices == ("No data for 'XYZQ': not a known symbol.",)
    assert prices.LIVE_BREAKER.blocking() is None
    online(["XYZQ"], unknown)
    assert len(unknown.calls) == 2


@pytest.mark.parametrize(("offline", "notice"), [
    (False, "No data for 'XYZQ': not a known symbol."),
    (True, "No data for 'XYZQ': not in the bundled snapshot (offline mode)."),
])
def test_an_unknown_symbol_is_reported_missing(offline, notice):
    """Test that an unknown symbol is 'missing' with a clear notice while the others load."""
    raw = ys.download_frame(["ORCL", "XYZQ"], START, END, failed=["XYZQ"])
    result = get_prices(["ORCL", "XYZQ"], offline=offline, start=START, end=END,
                        download=StandIn(raw))
    assert result.provenance["XYZQ"].origin == "missing"
    assert result.provenance["ORCL"].origin == ("snapshot" if offline else "live")
    assert notice in result.notices


def test_text_that_cannot_be_a_symbol_never_reaches_the_network():
    """Test that injection-looking input is reported and not sent to yf.download."""
    stand_in = StandIn(ys.download_frame(["ORCL"], START, END))
    result = online(["orcl", "ORCL; rm -rf /"], stand_in)
    assert stand_in.calls[0][0] == ["ORCL"]
    assert list(result.provenance) == ["ORCL", "ORCL; rm -rf /"]
    assert result.provenance["ORCL; rm -rf /"].detail == "not a valid ticker symbol"
    assert "No data for 'ORCL; rm -rf /': not a valid ticker symbol." in result.notices


def test_the_installed_yf_download_end_to_end_on_snapshot_rows():
    """Test the whole live path through the real yf.download (its Ticker serving the snapshot)."""
    with ys.snapshot_yahoo(unknown=["ALAB"]) as download:
        result = online(CORE, download)
    assert [p.origin for p in result.provenance.values()] == ["live", "live", "live", "snapshot"]
    assert round(close_on(result.frame, "^IXIC", "2025-12-12"), 2) == 23195.17


# --- symbols and settings -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (" orcl ", "ORCL"), ("^ixic", "^IXIC"), ("brk.b", "BRK.B"), ("EURUSD=X", "EURUSD=X"),
    ("", None), ("   ", None), ("A" * 16, None), ("ß", None), ("ＯＲＣＬ", None),
    ("ORCL AVGO", None),
    ("../etc/passwd", None), ("<script>", None), ("ORCL'; DROP TABLE x;--", None), (None, None),
])
def test_clean_symbol_examples(text, expected):
    """Test that typed tickers are upper-cased and anything else is refused."""
    assert clean_symbol(text) == expected


@settings(derandomize=True)  # seeded: the same cases on every run
@given(hs.text(max_size=40))
def test_clean_symbol_never_raises_and_returns_a_valid_symbol_or_none(text):
    """Test on any text: no exception, a regex-valid symbol or None, and idempotent."""
    cleaned = clean_symbol(text)
    assert cleaned is None or (SYMBOL_RE.fullmatch(cleaned) and clean_symbol(cleaned) == cleaned)


def test_clean_symbols_splits_valid_from_rejected_keeping_order():
    """Test that the page helper keeps order, drops repeats and returns the rejects."""
    assert clean_symbols(["orcl", "$$", "^IXIC", "ORCL"]) == (["ORCL", "^IXIC"], ["$$"])


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False),
                                                 ("", False)])
def test_offline_flag_is_read_from_the_environment(monkeypatch, value, expected):
    """Test that AIGRID_OFFLINE=1 switches to offline mode."""
    monkeypatch.setenv("AIGRID_OFFLINE", value)
    assert is_offline_env() is expected


def test_result_frame_keeps_the_requested_symbol_order():
    """Test that rows come grouped by symbol in the order asked for."""
    result = get_prices(["ALAB", "^IXIC", "ORCL"], offline=True, start=START, end=END)
    assert list(dict.fromkeys(result.frame["Symbol"])) == ["ALAB", "^IXIC", "ORCL"]
    assert np.isfinite(result.frame["Close"]).all()


def test_a_newer_snapshot_wins_over_an_older_cached_copy(tmp_path):
    """Test that when the network fails, each series comes from whichever stored copy reaches
    later: a cache fetched weeks ago hid the bundled snapshot's newer closes (an equal date
    keeps the cached copy, fetched live)."""
    early_end = "2025-12-13"  # the first of the two weeks
    online(CORE, StandIn(ys.download_frame(CORE, START, early_end)), cache_dir=tmp_path)
    later = get_prices(CORE, offline=False, start=START, end=END, cache_dir=tmp_path,
                       download=StandIn(error=YFRateLimitError()), now=datetime.now(UTC))
    assert {p.origin for p in later.provenance.values()} == {"snapshot"}
    assert later.provenance["^IXIC"].as_of == date(2025, 12, 19)
    assert later.frame.loc[later.frame["Symbol"] == "ORCL", "Close"].tolist() == \
        snapshot_closes("ORCL")


def test_a_damaged_snapshot_with_no_other_copy_gets_one_message(tmp_path):
    """Test that a series whose only copy fails its checksum gets one notice that says so and
    that nothing is shown for it, not a second "No data ... no usable prices in the requested
    dates", which contradicted the first."""
    data_dir = tmp_path / "prices"
    shutil.copytree(ys.SNAPSHOT_DIR, data_dir)
    (data_dir / "ORCL.csv").write_bytes((data_dir / "ORCL.csv").read_bytes()[:30000])
    result = get_prices(["ORCL", "AVGO"], offline=True, data_dir=data_dir)
    about_orcl = [n for n in result.notices if "ORCL" in n]
    assert about_orcl == ["The bundled snapshot for ORCL failed its checksum and was not used; "
                          "there is no other copy of ORCL to show."]
    assert result.provenance["ORCL"].origin == "missing"


def test_a_live_download_with_only_recent_days_neither_replaces_nor_overwrites_history(tmp_path):
    """Test that a download holding only a symbol's last days (a partial answer) does not
    stand in for the whole series, nor overwrite a cached copy that reaches back further: the
    chart kept 3 days of ORCL and the cache lost its history. The longer copy is shown, and the
    notice says why."""
    online(CORE, StandIn(ys.download_frame(CORE, START, END)), cache_dir=tmp_path)
    full = len(snapshot_closes("ORCL"))
    partial = ys.download_frame(["ORCL"], "2025-12-17", END)
    result = online(["ORCL"], StandIn(partial), cache_dir=tmp_path)
    assert result.provenance["ORCL"].origin == "cached"
    assert len(result.frame) == full
    assert result.notices == ("Yahoo Finance sent ORCL's prices only from 17 Dec 2025; showing "
                              "its cached copy, which starts earlier.",)
    again = get_prices(["ORCL"], offline=False, start=START, end=END, cache_dir=tmp_path,
                       download=StandIn(error=YFRateLimitError()), now=datetime.now(UTC))
    assert len(again.frame) == full  # the cache kept its history
