"""AppTest of the Grid page: the metrics follow the sliders and presets, facts are sourced."""

from dataclasses import replace

import pytest

from lib import grid_model, settings
from tests.apptest_helpers import charts, component_data, metric, open_page, texts

PAGE = "pages/grid.py"


def expected(**changes) -> grid_model.GapSummary:
    scenario = replace(settings.default_scenario(), **changes)
    return grid_model.summarise(grid_model.build_gap_table(scenario))


def test_default_metrics_match_the_model():
    """Test that the four headline numbers are the model's for the default scenario."""
    at = open_page(PAGE)
    assert not at.exception
    summary = expected()
    assert metric(at, "First shortfall") == f"{summary.first_shortfall:%b %Y}"
    assert metric(at, "Peak shortfall (GW)") == f"{summary.peak_shortfall_gw:,.1f}"
    assert metric(at, "Powered in 2030") == f"{summary.share_2030_pct:.0f}%"
    assert metric(at, "Unserved (TWh)") == f"{summary.unserved_twh:,.0f}"
    [unserved] = [m for m in at.metric if m.label == "Unserved (TWh)"]
    assert "Jan 2024 to Dec 2035" in unserved.help
    # the window and the peak's month show under the numbers, not only on hover
    assert unserved.delta == "Jan 2024 – Dec 2035"
    [peak] = [m for m in at.metric if m.label == "Peak shortfall (GW)"]
    assert peak.delta == f"in {summary.peak_shortfall_month:%b %Y}"
    assert "Realistic realisation" in texts(at)


def test_longer_lead_time_never_brings_the_shortfall_later():
    """Test that moving the lead-time slider to 8 years updates the metric, earlier or equal."""
    at = open_page(PAGE)
    before = expected().first_shortfall
    at.slider(key="lead_time_years").set_value(8.0).run()
    after = expected(lead_time_years=8.0)
    assert metric(at, "Peak shortfall (GW)") == f"{after.peak_shortfall_gw:,.1f}"
    assert after.first_shortfall <= before
    assert metric(at, "First shortfall") == f"{after.first_shortfall:%b %Y}"


def test_a_slider_move_rebuilds_only_the_results():
    """Test that a move sends new metrics and a new chart, and builds nothing else again: not
    the sliders (the browser has moved its thumb already), not the facts below."""
    at = open_page(PAGE)
    assert len(at.slider) == len(settings.SETTINGS)
    at.slider(key="tranche_gw").set_value(12.0).run()
    assert not at.exception
    assert not at.slider and not at.title and not at.header and not at.segmented_control
    moved = expected(tranche_gw=12.0)
    assert metric(at, "Peak shortfall (GW)") == f"{moved.peak_shortfall_gw:,.1f}"
    assert len(charts(at)) == 1


def test_an_end_year_before_the_start_year_is_said_and_not_silently_used():
    """Test that sliders set to start 2030 and end 2025 give a warning saying the model uses
    2030 for both, and the numbers of that one-year horizon."""
    at = open_page(PAGE)
    assert not at.warning
    at.slider(key="start_year").set_value(2030)
    at.slider(key="end_year").set_value(2025).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "End year was before start year; using 2030 for both."]
    one_year = expected(start_year=2030, end_year=2030)
    assert metric(at, "Unserved (TWh)") == f"{one_year.unserved_twh:,.0f}"


def test_the_year_by_year_table_follows_the_sliders():
    """Test that the toggle shows the model's yearly table and a move updates it."""
    at = open_page(PAGE)
    assert not at.dataframe
    at.toggle(key="grid_show_years").set_value(True).run()
    from lib import grid_facts
    assert grid_facts.recent_additions_note() in texts(at)  # why 2026-27 add little supply
    scenario = settings.default_scenario()
    assert at.dataframe[0].value.equals(
        grid_model.yearly_table(grid_model.build_gap_table(scenario)))
    at.run()  # the whole page again, as a browser shows it, sliders included
    at.slider(key="lead_time_years").set_value(8.0).run()
    moved = replace(scenario, lead_time_years=8.0)
    assert at.dataframe[0].value.equals(
        grid_model.yearly_table(grid_model.build_gap_table(moved)))


def test_queue_as_filed_preset_sets_sliders_and_lowers_the_powered_share():
    """Test that the preset button moves the realisation slider to 100% and the share falls."""
    at = open_page(PAGE)
    default_share = metric(at, "Powered in 2030")
    at.button(key="preset_queue_as_filed").click().run()
    assert at.slider(key="realisation_pct").value == pytest.approx(100.0)
    share = expected(realisation_pct=100.0, arrival_delay_months=0.0).share_2030_pct
    assert metric(at, "Powered in 2030") == f"{share:.0f}%"
    assert float(metric(at, "Powered in 2030").rstrip("%")) < float(default_share.rstrip("%"))
    assert "Queue as filed" in texts(at)


def test_a_link_with_settings_opens_that_scenario():
    """Test that ?lead_time_years=6&tranche_gw=10 sets both sliders."""
    at = open_page(PAGE, lead_time_years="6", tranche_gw="10")
    assert at.slider(key="lead_time_years").value == 6.0
    assert at.slider(key="tranche_gw").value == 10.0
    assert not at.exception


@pytest.mark.parametrize("query", [
    {"lead_time_years": "abc"}, {"tranche_gw": "1e999"}, {"realisation_pct": "-5"},
    {"nonsense": "x" * 5000}, {"end_year": "NaN"},
])
def test_odd_links_fall_back_to_defaults_with_one_calm_notice(query):
    """Test that hostile parameters give defaults, one info notice and no exception."""
    at = open_page(PAGE, **query)
    assert not at.exception and not at.error
    assert sum("could not be used" in box.value for box in at.info) == 1
    assert metric(at, "First shortfall") == f"{expected().first_shortfall:%b %Y}"


def test_market_parameters_in_a_grid_link_are_checked_too():
    """Test that a Grid link keeps a valid Market range for the Market page, and drops a bogus
    one with the notice (it stayed in the address bar without a word)."""
    assert not [box for box in open_page(PAGE, range="1Y", mode="Log price").info
                if "could not be used" in box.value]
    odd = open_page(PAGE, range="bogus", mode="x")
    assert sum("could not be used" in box.value for box in odd.info) == 1


@pytest.mark.parametrize("value", ["7.3", ["9", "12"]])
def test_a_dropped_setting_is_the_default_on_its_slider_and_in_the_model(value):
    """Test that a setting the link check drops (off the slider's steps, or given twice) is the
    default everywhere, as the notice says: the bound slider read 7.3 from the link anyway, and
    the model used it while the notice said "reset"."""
    at = open_page(PAGE, tranche_gw=value)
    assert not at.exception
    assert sum("could not be used" in box.value for box in at.info) == 1
    assert at.slider(key="tranche_gw").value == settings.SETTINGS_BY_NAME["tranche_gw"].default
    assert metric(at, "Peak shortfall (GW)") == f"{expected().peak_shortfall_gw:,.1f}"


def test_what_we_know_opens_on_the_requests_chart_and_builds_no_hidden_table():
    """Test that the facts section starts on ERCOT's requests chart and sends no table yet."""
    at = open_page(PAGE)
    assert [c["layout"]["yaxis"]["title"]["text"] for c in charts(at)] == ["GW", "GW"]
    assert "haircut is about half" in texts(at)
    assert at.segmented_control(key="grid_fact").value == "Large-load requests"
    assert not at.dataframe  # the year-by-year table is off and no facts table is chosen yet


@pytest.mark.parametrize(("fact", "column"), [
    ("How long building takes", "Asset"), ("Peak demand", "Peak demand (GW)"),
    ("Capacity added", "Added (GW)"),
])
def test_each_fact_shows_its_sourced_table(fact, column):
    """Test that choosing a fact shows its table, each row with a source link."""
    at = open_page(PAGE)
    at.segmented_control(key="grid_fact").set_value(fact).run()
    assert not at.exception
    [frame] = [df.value for df in at.dataframe]
    assert column in frame.columns
    assert at.dataframe[0].proto.placeholder == "–"  # a missing date reads "–", not "None"
    assert frame["URL"].str.startswith("http").all() and len(frame) >= 5
    assert len(charts(at)) == 1  # the requests chart is not built while another fact is shown


def test_no_expected_load_reads_n_a_not_100_percent_powered():
    """Test that a link with realisation 0% shows n/a for the 2030 share."""
    at = open_page("pages/grid.py", realisation_pct="0")
    assert metric(at, "Powered in 2030") == "n/a"


def test_the_year_by_year_table_says_its_gw_are_yearly_averages():
    """Test that the yearly table says its GW columns are averages (the headline peak is a
    month); the browser test checks it shows every year without a scroll bar."""
    at = open_page(PAGE)
    at.toggle(key="grid_show_years").set_value(True).run()
    assert "averages over each year's hours" in texts(at)


def test_the_chart_toolbar_offers_no_cloud_upload_and_no_untitled_png():
    """Test that the charts' toolbar leaves out plotly's "Share chart" (an upload to Plotly's
    cloud) and its own PNG, which has no title or sources (the PNG button has both)."""
    at = open_page(PAGE)
    for data in component_data(at, "aigrid_chart"):
        assert {"sendChartToCloud", "toImage"} <= set(data["config"]["modeBarButtonsToRemove"])


def test_the_page_says_a_shortfall_is_load_waiting_for_power_not_a_blackout():
    """Test that the page says what a shortfall means for the grid, with the sourced wait."""
    at = open_page(PAGE)
    shown = texts(at)
    assert "not a forecast of blackouts" in shown
    assert "2–3 years" in shown and "lead_times:25" in shown
    [first] = [m for m in at.metric if m.label == "First shortfall"]
    assert "waits for power" in first.help


def test_an_earlier_start_year_shows_more_calendar_not_an_earlier_shortfall():
    """Test that /grid?start_year=2020 reports the default scenario's first shortfall: the
    model runs from January 2024 whatever window the horizon shows."""
    at = open_page(PAGE, start_year="2020")
    assert metric(at, "First shortfall") == f"{expected().first_shortfall:%b %Y}"
    assert metric(at, "Powered in 2030") == f"{expected().share_2030_pct:.0f}%"


def test_a_later_start_year_keeps_the_first_shortfall_month():
    """Test that Start year 2026 on the Grid page still shows the scenario's first shortfall,
    Apr 2025 (it showed Jan 2026, the window's first month)."""
    at = open_page("pages/grid.py", start_year="2026")
    assert at.slider(key="start_year").value == 2026
    assert metric(at, "First shortfall") == "Apr 2025"


def test_the_page_sets_the_lines_past_beside_the_measured_peaks():
    """Test that the Grid page says, under the chart and at the First shortfall headline, that
    the lines before today are the scenario's, with ERCOT's measured peaks."""
    from lib import grid_facts

    at = open_page("pages/grid.py")
    note = grid_facts.past_peaks_note()
    assert note in texts(at)
    first = next(m for m in at.metric if m.label == "First shortfall")
    assert note in first.help


def test_the_page_says_when_new_supply_first_arrives_and_follows_the_lead_time():
    """Test the sentence above the metrics: the first tranche's month, which moves with the
    lead time slider."""
    at = open_page("pages/grid.py")
    assert "energises in Jan 2028 after the 4-year lead time" in texts(at)
    at.slider(key="lead_time_years").set_value(6.0).run()
    assert "energises in Jan 2030 after the 6-year lead time" in texts(at)


@pytest.mark.parametrize("page", ["pages/grid.py", "pages/collision.py"])
def test_a_first_shortfall_before_today_says_so_on_its_card(page):
    """Test that the First shortfall card marks a month before today as the straight line's
    (the default reads Apr 2025, while ERCOT's measured peak did not follow the line), and that
    a first shortfall after today has no such mark."""
    from datetime import date

    from lib import grid_facts

    at = open_page(page)
    first = next(m for m in at.metric if m.label == "First shortfall")
    assert first.value == "Apr 2025"
    assert first.delta == grid_facts.past_month_note(
        expected().first_shortfall, date.today()) == grid_facts.PAST_MONTH_NOTE
    later = open_page(page, headroom_gw="60")
    first = next(m for m in later.metric if m.label == "First shortfall")
    assert expected(headroom_gw=60.0).first_shortfall.date() > date.today()
    assert not first.delta


def test_the_pages_own_choices_stay_across_a_visit_to_another_page():
    """Test that the year-by-year table and the chosen fact are as the visitor left them
    after a visit to the Market page (Streamlit forgets a widget's value on a page without
    it: the table was hidden again and the fact back on the requests)."""
    at = open_page("pages/grid.py")
    at.toggle(key="grid_show_years").set_value(True).run()
    fact = next(o for o in at.segmented_control(key="grid_fact").options
                if o != at.segmented_control(key="grid_fact").value)
    at.segmented_control(key="grid_fact").set_value(fact).run()
    at.switch_page("pages/market.py").run()
    at.switch_page("pages/grid.py").run()
    assert at.toggle(key="grid_show_years").value is True
    assert at.segmented_control(key="grid_fact").value == fact


def test_each_chart_is_named_for_a_screen_reader_by_its_title():
    """Test that each chart is given its export title as its accessible name."""
    from lib import report

    at = open_page("pages/grid.py")
    labels = [data.get("label") for data in component_data(at, "aigrid_chart")]
    assert labels[0] == report.GAP_TITLE and all(labels)


def test_the_page_explains_the_preset_that_is_the_current_scenario():
    """Test that the scenario line above the metrics gives the current preset's explanation
    (it was only in the button's tooltip), and none for a custom scenario."""
    at = open_page("pages/grid.py")
    assert settings.PRESETS["Realistic realisation"].explanation in texts(at)
    at.button(key="preset_queue_as_filed").click().run()
    assert settings.PRESETS["Queue as filed"].explanation in texts(at)
    custom = open_page("pages/grid.py", tranche_gw="9")
    assert not any(p.explanation in texts(custom) for p in settings.PRESETS.values())


def test_the_requests_caption_gives_the_data_centre_share_from_the_data():
    """Test that the caption under the request history gives the data-centre share's span as
    the sourced rows have it ("most of it data centres")."""
    from lib import grid_facts

    queue = grid_facts.queue_history()
    shares = queue["Data-centre share (%)"].dropna()
    text = grid_facts.data_centre_share_text(queue)
    assert text.startswith(f"{shares.min():.0f}–{shares.max():.0f}% in the sources")
    assert text in texts(open_page("pages/grid.py"))
