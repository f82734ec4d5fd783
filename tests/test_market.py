"""Market analytics checked against hand-computed values from the real snapshot."""

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lib import market
from lib.prices import load_snapshot

CORE = ["^IXIC", "ORCL", "AVGO", "ALAB"]


@pytest.fixture(scope="module")
def snapshot() -> pd.DataFrame:
    return load_snapshot(CORE)


def test_nasdaq_move_on_12_december_2025_matches_the_record(snapshot):
    """Test that ^IXIC closed at 23,195.17 on 2025-12-12, down 1.69% and about 399 points."""
    move = market.day_move(snapshot, "^IXIC", date(2025, 12, 12))
    assert move.close == pytest.approx(23195.17, abs=0.01)
    assert round(move.change_pct, 2) == -1.69
    assert move.change == pytest.approx(-398.69, abs=0.01)


def test_move_label_reads_like_the_news():
    """Test that the chart label is built from the data with signs and units."""
    move = market.DayMove("^IXIC", date(2025, 12, 12), 23195.17, -398.69, -1.6898)
    assert market.move_label(move) == "12 Dec 2025: Nasdaq −1.69% (−398.69 pts)"
    assert market.move_label(None) == ""


def test_default_range_is_the_last_12_months_and_includes_the_crash(snapshot):
    """Test that 1Y ends on the latest bar and includes 12 December 2025."""
    view = market.market_view(snapshot, market.DEFAULT_RANGE, market.VIEW_MODES[0])
    assert view.end == date(2026, 8, 21)
    assert view.start == date(2025, 8, 21)
    assert pd.Timestamp("2025-12-12") in view.values.index


def test_rebased_series_start_at_100(snapshot):
    """Test that every rebased series is 100 on its first day in range."""
    view = market.market_view(snapshot, "6M", market.VIEW_MODES[0])
    firsts = view.values.apply(lambda s: s.dropna().iloc[0])
    assert np.allclose(firsts, 100.0)


def test_range_presets_clip_to_the_data():
    """Test each preset's start date for data ending 2026-08-21."""
    last, first = date(2026, 8, 21), date(2020, 1, 2)
    assert market.range_bounds("1M", last, first)[0] == date(2026, 7, 21)
    assert market.range_bounds("YTD", last, first)[0] == date(2026, 1, 1)
    assert market.range_bounds("Since ALAB IPO", last, first)[0] == date(2024, 3, 20)
    assert market.range_bounds("Max", last, first)[0] == first
    custom = (date(2019, 1, 1), date(2030, 1, 1))
    assert market.range_bounds("Custom", last, first, custom) == (first, last)
    one_date = (date(2025, 12, 1),)  # the end not picked yet: to the last close, not Max
    assert market.range_bounds("Custom", last, first, one_date) == (date(2025, 12, 1), last)


def test_drawdown_by_hand():
    """Test drawdown on a tiny series: 100, 120, 90, 130 -> 0, 0, -25, 0 percent."""
    wide = pd.DataFrame({"X": [100.0, 120.0, 90.0, 130.0]},
                        index=pd.date_range("2025-01-01", periods=4))
    assert market.drawdown_pct(wide)["X"].tolist() == [0.0, 0.0, -25.0, 0.0]


def test_stats_by_hand():
    """Test return, max drawdown with dates and worst day on a tiny series."""
    idx = pd.bdate_range("2025-01-06", periods=4)
    stats = market.range_stats(pd.DataFrame({"X": [100.0, 120.0, 90.0, 99.0]}, index=idx))
    row = stats.iloc[0]
    assert row["Return (%)"] == pytest.approx(-1.0)
    assert row["Max drawdown (%)"] == pytest.approx(-25.0)
    assert (row["Drawdown peak date"], row["Trough date"]) == (idx[1].date(), idx[2].date())
    assert row["Worst day (%)"] == pytest.approx(-25.0)
    assert row["Last date"] == idx[3].date()


def test_series_keep_their_own_last_date(snapshot):
    """Test that ALAB's last date (2026-05-15) is not padded to the Nasdaq's (2026-08-21)."""
    stats = market.market_view(snapshot, "Max", market.VIEW_MODES[1]).stats.set_index("Symbol")
    assert stats.loc["ALAB", "Last date"] == date(2026, 5, 15)
    assert stats.loc["^IXIC", "Last date"] == date(2026, 8, 21)


def test_worst_day_from_september_to_march_for_broadcom_is_12_december(snapshot):
    """Test that AVGO's worst day in Sep 2025-Mar 2026 is 2025-12-12 at -11.43%."""
    custom = (date(2025, 9, 1), date(2026, 3, 31))
    view = market.market_view(snapshot, "Custom", market.VIEW_MODES[0], custom)
    stats = view.stats.set_index("Symbol")
    assert stats.loc["AVGO", "Worst day date"] == date(2025, 12, 12)
    assert stats.loc["AVGO", "Worst day (%)"] == pytest.approx(-11.43, abs=0.01)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(prices=hs.lists(hs.floats(0.01, 1e6), min_size=2, max_size=60))
def test_drawdown_is_never_positive_and_rebase_starts_at_100(prices):
    """Test drawdown in [-100, 0] and rebase first value 100 for any positive series."""
    wide = pd.DataFrame({"X": prices}, index=pd.bdate_range("2024-01-01", periods=len(prices)))
    dd = market.drawdown_pct(wide)["X"]
    assert ((dd <= 1e-9) & (dd >= -100)).all()
    assert market.rebase(wide)["X"].iloc[0] == pytest.approx(100.0)


def test_a_linked_custom_range_is_put_in_order_and_within_the_data():
    """Test that a reversed range is turned round, ends outside the data are moved to its first
    and last day, and the note says what changed; a fitting range passes with no note."""
    first, last = date(2024, 3, 20), date(2026, 8, 21)
    fine = (date(2025, 12, 1), date(2025, 12, 31))
    assert market.fit_range(fine, first, last) == (fine, "")
    turned, note = market.fit_range(fine[::-1], first, last)
    assert turned == fine and "backwards" in note
    early, note = market.fit_range((date(1990, 1, 1), date(2025, 12, 1)), first, last)
    assert early == (first, date(2025, 12, 1)) and "20 Mar 2024" in note
    late, note = market.fit_range((date(2026, 1, 2), date(2030, 1, 1)), first, last)
    assert late == (date(2026, 1, 2), last) and "21 Aug 2026" in note
    assert market.fit_range((date(1990, 1, 1),), first, last)[0] == (first,)
    outside, note = market.fit_range((date(2030, 1, 1), date(2031, 1, 1)), first, last)
    assert outside == (first, last) and note


@given(hs.lists(hs.dates(), min_size=0, max_size=2))
def test_a_fitted_range_always_lies_in_order_within_the_data(dates):
    """Test that whatever a link holds, the fitted range is ordered and inside the data."""
    first, last = date(2024, 3, 20), date(2026, 8, 21)
    fitted, _ = market.fit_range(tuple(dates), first, last)
    assert len(fitted) == len(dates)
    assert all(first <= d <= last for d in fitted) and list(fitted) == sorted(fitted)


def test_distance_below_the_peak_reads_without_a_double_negative(snapshot):
    """Test "55% below its 10 Sep 2025 peak", not "-55% below", and a series at its peak."""
    assert market.peak_distance_text((-55.2, date(2025, 9, 10), date(2026, 8, 21))) == \
        "55% below its 10 Sep 2025 peak on 21 Aug 2026"
    assert market.peak_distance_text((0.0, date(2026, 8, 21), date(2026, 8, 21))) == \
        "at its peak on 21 Aug 2026"
    assert market.peak_distance_text(None) == ""
    text = market.peak_distance_text(market.peak_drawdown(snapshot, "ORCL"))
    assert text.startswith("55% below its 10 Sep 2025 peak")


def test_a_series_that_ends_before_the_range_does_is_named(snapshot):
    """Test the coverage notes: ALAB's data end 15 May 2026, so a 1M range (to 21 Aug 2026)
    has none of it, and a 1Y range has it only to 15 May; ranges it covers get no note."""
    one_month = market.market_view(snapshot, "1M", market.VIEW_MODES[0])
    notes = market.coverage_notes(snapshot, ["^IXIC", "ORCL", "AVGO", "ALAB"], one_month)
    assert notes == ["ALAB has no prices in this range: its data end on 15 May 2026."]
    year = market.market_view(snapshot, "1Y", market.VIEW_MODES[0])
    notes = market.coverage_notes(snapshot, ["^IXIC", "ORCL", "AVGO", "ALAB"], year)
    assert notes == ["ALAB's data end on 15 May 2026, before the range does: its line and "
                     "statistics stop there."]
    early = market.market_view(snapshot, "Custom", market.VIEW_MODES[0],
                               (date(2025, 1, 1), date(2025, 12, 31)))
    assert market.coverage_notes(snapshot, ["^IXIC", "ALAB"], early) == []


def test_the_events_caption_counts_days_and_events_in_good_english():
    """Test the Market caption's count of triangles (one per day) and events."""
    assert market.events_phrase(0, 0) == "No dated, sourced events fall in the range."
    assert market.events_phrase(1, 1) == ("A triangle marks the one dated, sourced event in "
                                          "the range; hover for the source.")
    assert market.events_phrase(3, 3) == ("Triangles mark the 3 dated, sourced events in the "
                                          "range; hover for the source.")
    assert market.events_phrase(11, 18) == ("Triangles mark the 11 days with dated, sourced "
                                            "events (18 in all); hover for the source.")


def test_prices_of_very_different_scales_get_a_hint_to_log_or_rebase(snapshot):
    """Test that the Price view of ^IXIC (about 23,000 points) beside ORCL (about 200 USD)
    says that Log price or Rebased compares them, and that close scales get no hint."""
    view = market.market_view(snapshot, "Max", "Price")
    hint = market.scale_hint(view)
    assert hint is not None and "Log price" in hint and "^IXIC" in hint
    assert market.scale_hint(market.market_view(snapshot, "Max", "Log price")) is None
    assert market.scale_hint(market.market_view(snapshot, "Max", market.VIEW_MODES[0])) is None
    close = snapshot.loc[snapshot["Symbol"].isin(["ORCL", "AVGO"])]
    assert market.scale_hint(market.market_view(close, "Max", "Price")) is None


def test_every_numeric_statistic_names_its_unit():
    """Test that each numeric statistic's name, the CSV header, carries its unit: "Last close"
    had none (USD for shares, points for an index)."""
    stats = market.series_stats(load_snapshot(["ORCL"]).set_index("Date")["Close"])
    numeric = [name for name, value in stats.items() if isinstance(value, float)]
    assert numeric and all("(" in name for name in numeric), numeric


def test_a_range_without_a_fall_has_no_worst_day_and_no_drawdown_dates():
    """Test a series that only rises: "Worst day" is blank (it showed the smallest gain as the
    largest fall), and a 0% drawdown names no peak and trough dates (it named the first day)."""
    days = pd.to_datetime(["2025-12-08", "2025-12-09", "2025-12-10"])
    stats = market.series_stats(pd.Series([100.0, 101.0, 103.0], index=days))
    assert stats["Max drawdown (%)"] == 0.0
    assert stats["Drawdown peak date"] is None and stats["Trough date"] is None
    assert math.isnan(stats["Worst day (%)"]) and stats["Worst day date"] is None
    falling = market.series_stats(pd.Series([100.0, 98.0, 99.0], index=days))
    assert falling["Worst day (%)"] == pytest.approx(-2.0)
    assert falling["Worst day date"] == date(2025, 12, 9)
    assert falling["Drawdown peak date"] == date(2025, 12, 8)
