"""AppTest of the Market page: what a visitor reads, for the default view and after changes."""

from datetime import date

from streamlit.testing.v1 import AppTest

from lib import market
from lib.prices import load_snapshot
from tests.apptest_helpers import charts, shown_statistics, texts

APP = "../app.py"  # relative to this file


def market_page(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/market.py")
    return at.run()


def range_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "Lower panel" in c.value)


def test_default_view_is_the_last_12_months_with_four_series():
    """Test the default range caption, the symbols and one chart, with no error."""
    at = market_page()
    assert not at.exception and not at.error
    assert range_caption(at).startswith("21 Aug 2025 to 21 Aug 2026")
    assert at.multiselect(key="symbols").value == ["^IXIC", "ORCL", "AVGO", "ALAB"]
    assert len(charts(at)) == 1
    drawn = {trace.get("name") for trace in charts(at)[0]["data"]}
    assert {"^IXIC", "ORCL", "AVGO", "ALAB"} <= drawn


def test_statistics_show_each_series_own_last_date_and_origin():
    """Test that ALAB's last date is 15 May 2026 and every origin reads 'snapshot'."""
    stats = shown_statistics(market_page())
    assert stats.loc["ALAB", "Last date"] == f"{date(2026, 5, 15):%-d %b %Y}" == "15 May 2026"
    last = load_snapshot(["^IXIC"])["Close"].iloc[-1]
    assert stats.loc["^IXIC", market.LAST_CLOSE] == f"{last:,.2f}"
    assert set(stats["Origin"]) == {"snapshot"}


def test_statistics_explain_each_column_and_offer_a_csv():
    """Test that every statistic's definition is on the page and the table has a CSV button."""
    at = market_page()
    explained = texts(at)
    for column in (c for c in market.STATS_TABLE if c.help):
        assert f"**{column.header}**: {column.help}" in explained
    assert any(b.proto.id.endswith("market_stats_csv") for b in at.get("download_button"))


def test_range_change_updates_the_caption_and_the_statistics():
    """Test that picking YTD moves the range start to 1 Jan 2026 and recomputes returns."""
    at = market_page()
    at.button_group(key="range").set_value("YTD").run()
    assert range_caption(at).startswith("1 Jan 2026 to 21 Aug 2026")
    frame = load_snapshot(["^IXIC", "ORCL", "AVGO", "ALAB"])
    expected = market.market_view(frame, "YTD", market.VIEW_MODES[0]).stats.set_index("Symbol")
    shown = shown_statistics(at)
    assert shown.loc["ORCL", "Return (%)"] == f"{expected.loc['ORCL', 'Return (%)']:.1f}%"


def test_offline_banner_is_calm_and_visible():
    """Test that offline mode says so in an info box, not an error."""
    at = market_page()
    assert any("Offline" in box.value for box in at.info)
    assert not at.error


def test_a_query_string_opens_the_same_view():
    """Test that ?range=6M&symbols=NVDA opens a 6-month NVDA chart."""
    at = market_page(range="6M", symbols="NVDA")
    assert at.multiselect(key="symbols").value == ["NVDA"]
    assert range_caption(at).startswith("21 Feb 2026")


def test_an_unknown_symbol_gets_an_inline_message_and_the_rest_still_draws():
    """Test that adding ZZZZQ says there is no data and the chart still shows the others."""
    at = market_page()
    at.multiselect(key="symbols").select("ZZZZQ").run()
    assert not at.exception
    messages = " ".join(box.value for box in [*at.info, *at.warning])
    assert "ZZZZQ" in messages
    assert len(charts(at)) == 1


def test_a_hostile_symbol_is_refused_without_echoing_markup():
    """Test that a script tag typed as a symbol is refused with a warning."""
    at = market_page()
    at.multiselect(key="symbols").select("<script>x</script>").run()
    assert not at.exception
    assert any("cannot be a ticker symbol" in w.value for w in at.warning)
    assert not any("script" in w.value for w in at.warning)


def test_a_link_whose_symbols_are_dropped_shows_the_default_list_it_draws():
    """Test that ?symbols=<script> gives the notice, and the list shows the four defaults the
    chart draws (it kept the tag, under a notice saying the symbols were reset)."""
    at = market_page(symbols="<script>")
    assert not at.exception
    assert sum("could not be used" in box.value for box in at.info) == 1
    assert at.multiselect(key="symbols").value == ["^IXIC", "ORCL", "AVGO", "ALAB"]


def test_a_custom_range_link_opens_that_range():
    """Test that ?range=Custom&custom_range=2025-12-01&custom_range=2025-12-31 shows December."""
    at = market_page(range="Custom", custom_range=["2025-12-01", "2025-12-31"])
    assert not at.exception
    assert range_caption(at).startswith("1 Dec 2025 to 31 Dec 2025")
    from_one_date = market_page(range="Custom", custom_range="2025-12-01")
    assert range_caption(from_one_date).startswith("1 Dec 2025 to 21 Aug 2026")  # not Max
    odd = market_page(range="Custom", custom_range=["2025-13-01", "x"])
    assert sum("could not be used" in box.value for box in odd.info) == 1


def test_the_events_table_is_sent_only_once_its_box_is_opened():
    """Test that the closed events box sends no table, and the open one lists the range's events
    with a source link and the day's close-to-close move."""
    at = market_page()
    assert not at.dataframe  # the statistics are a Markdown table
    at.session_state["events_open"] = True
    at.run()
    assert not at.exception
    [events_table] = [df.value for df in at.dataframe]
    assert {"Event", "Close-to-close (%)", "URL"} <= set(events_table.columns)
    assert len(events_table) >= 1 and events_table["URL"].str.startswith("http").all()


def test_an_open_events_box_over_a_range_without_events_says_so():
    """Test that the events box over one month with no dated event says there are none,
    instead of opening empty."""
    at = market_page(range="1M")
    at.session_state["events_open"] = True
    at.run()
    assert not at.exception and not at.dataframe
    assert any("No dated events in this range" in c.value for c in at.caption)


def test_several_missing_symbols_share_one_notice_box():
    """Test that two unknown symbols are named in one notice box, not one box each."""
    at = market_page()
    at.multiselect(key="symbols").select("ZZZZQ").select("YYYYQ").run()
    boxes = [box.value for box in at.info if "No data for" in box.value]
    assert len(boxes) == 1 and "ZZZZQ" in boxes[0] and "YYYYQ" in boxes[0]
    assert len(charts(at)) == 1


def test_a_linked_custom_range_outside_the_data_is_fitted_and_said():
    """Test that a link's range starting in 1990 opens from the first close, with a notice, and a
    reversed one opens in order, with a notice."""
    early = market_page(range="Custom", custom_range=["1990-01-01", "2025-12-01"])
    assert range_caption(early).startswith("2 Jan 2020 to 1 Dec 2025")
    assert sum("first close" in box.value for box in early.info) == 1
    turned = market_page(range="Custom", custom_range=["2025-12-31", "2025-12-01"])
    assert range_caption(turned).startswith("1 Dec 2025 to 31 Dec 2025")
    assert sum("backwards" in box.value for box in turned.info) == 1


def test_the_custom_range_picker_says_which_dates_it_takes():
    """Test that the date picker's help gives the span of the data."""
    at = market_page(range="Custom")
    assert "2 Jan 2020 to 21 Aug 2026" in at.date_input(key="custom_range").help


def test_a_range_after_a_series_ends_says_so():
    """Test that on 1M ALAB (data to 15 May 2026) is named as having no prices in the range,
    instead of leaving the chart and the statistics without a word."""
    at = market_page(range="1M")
    assert any("ALAB has no prices in this range" in box.value for box in at.info)
    assert "ALAB" not in shown_statistics(at).index


def test_a_series_that_starts_inside_the_range_says_so_and_shows_its_first_date():
    """Test that on Max (from 2 Jan 2020) ALAB, listed 20 Mar 2024, is named as starting later,
    and the statistics give each series' first date: its return runs from there."""
    at = market_page(range="Max")
    assert any("ALAB's data start on 20 Mar 2024" in box.value for box in at.info)
    stats = shown_statistics(at)
    assert stats.loc["ALAB", "First date"] == "20 Mar 2024"
    assert stats.loc["^IXIC", "First date"] == "2 Jan 2020"


def test_a_range_without_two_trading_days_says_so_instead_of_an_empty_chart():
    """Test that a weekend, or one day, gives one plain message and no chart or statistics."""
    weekend = market_page(range="Custom", custom_range=["2026-05-16", "2026-05-17"])
    assert not weekend.exception
    assert any("No trading day falls in 16 May 2026 to 17 May 2026" in box.value
               for box in weekend.info)
    assert not charts(weekend) and not any("ALAB has no prices" in b.value for b in weekend.info)
    one_day = market_page(range="Custom", custom_range=["2026-08-21", "2026-08-21"])
    assert any("Only one trading day" in box.value for box in one_day.info)
    assert not charts(one_day)


def test_a_range_or_view_given_twice_opens_on_the_default_with_the_notice():
    """Test that ?range=1M&range=3M is dropped (the control took one value, the check the
    other), so the page opens on the default range and says so."""
    at = market_page(range=["1M", "3M"])
    assert at.button_group(key="range").value == market.DEFAULT_RANGE
    assert sum("could not be used" in box.value for box in at.info) == 1
    assert range_caption(at).startswith("21 Aug 2025 to 21 Aug 2026")


def test_a_name_repeated_in_a_link_is_counted_once():
    """Test that NVDA given 500 times is one symbol, with no "first 10 are shown" notice."""
    at = market_page(symbols=["NVDA"] * 500)
    assert at.multiselect(key="symbols").value == ["NVDA"]
    assert not any("symbols; the first" in box.value for box in at.info)


def test_a_linked_symbol_in_lower_case_or_twice_is_one_symbol():
    """Test that ?symbols=NVDA&symbols=nvda&symbols=%20orcl shows NVDA and ORCL once each, the
    way the chart draws them (the list showed "NVDA" and "nvda" as two entries)."""
    at = market_page(symbols=["NVDA", "nvda", " orcl"])
    assert not at.exception and not at.error
    assert at.multiselect(key="symbols").value == ["NVDA", "ORCL"]
    assert at.query_params["symbols"] == ["NVDA", "ORCL"]
    assert {trace.get("name") for trace in charts(at)[0]["data"]} >= {"NVDA", "ORCL"}


def test_tidied_symbols_keep_the_notice_of_a_dropped_parameter():
    """Test that ?zz=1&symbols=nvda shows NVDA and still says the unknown parameter was
    dropped (the page runs again to tidy the list, and the notice must survive that run)."""
    at = market_page(zz="1", symbols="nvda")
    assert at.multiselect(key="symbols").value == ["NVDA"]
    assert sum("1 unknown parameter" in box.value for box in at.info) == 1


def test_a_link_with_a_bad_symbol_keeps_the_good_ones():
    """Test that a link the page wrote after a typed "$$$<b>x" (?symbols=^IXIC&symbols=NVDA
    &symbols=$$$<b>x) opens on ^IXIC and NVDA and says one entry was left out, quoting
    nothing (it reset every symbol to the defaults)."""
    at = market_page(symbols=["^IXIC", "NVDA", "$$$<b>x"])
    assert not at.exception and not at.error
    assert at.multiselect(key="symbols").value == ["^IXIC", "NVDA"]
    notes = [box.value for box in at.info]
    assert sum("1 entry that cannot be a ticker symbol" in n for n in notes) == 1, notes
    assert not any("<b>" in n or "$$$" in n for n in notes)


def test_the_caption_says_where_the_snapshot_comes_from():
    """Test that the page's caption says the offline prices are the bundled snapshot, taken
    second-hand, with the route on the Sources page: it said "from Yahoo Finance" alone."""
    at = market_page()
    assert any("else the bundled snapshot (Yahoo bars as two public projects downloaded them"
               in c.value for c in at.caption)
