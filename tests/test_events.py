"""Events: every row sourced, conflicts kept off the charts, moves checked against prices."""

from datetime import date

import pandas as pd

from lib import events
from lib.prices import load_snapshot


def test_every_event_has_a_source_url_and_excerpt():
    """Test that no event is shown without a source."""
    ev = events.load_events()
    assert len(ev) >= 30
    assert ev["URL"].str.startswith("http").all()
    assert (ev["Excerpt"].str.len() > 10).all()


def test_chart_events_for_december_2025_include_the_crash_and_skip_conflicts():
    """Test that 12 Dec 2025 is marked and the Saturday-dated Broadcom row is not."""
    shown = events.chart_events(events.load_events(), ["^IXIC", "AVGO"],
                                date(2025, 12, 1), date(2025, 12, 31))
    assert pd.Timestamp("2025-12-12") in set(shown["Date"])
    assert pd.Timestamp("2025-12-13") not in set(shown["Date"])
    assert set(shown["Symbol"]) <= {"^IXIC", "AVGO", "GRID"}


def test_price_check_confirms_broadcoms_drop():
    """Test that the data's AVGO move on 2025-12-12 is -11.43%, matching the reported 11.4%."""
    ev = events.load_events()
    avgo = ev[(ev["Symbol"] == "AVGO") & (ev["Date"] == "2025-12-12")]
    checked = events.with_price_check(avgo, load_snapshot(["AVGO"]))
    assert checked["Close-to-close (%)"].tolist() == [-11.43]
