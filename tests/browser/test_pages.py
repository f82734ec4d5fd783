"""Every page of the app used as a person would, in headless Chromium on a real `streamlit run`."""

from __future__ import annotations

import re
import struct
from urllib.parse import parse_qs, urlsplit

import pytest

from .harness import (
    ROOT,
    assert_no_error,
    clashing_chart_texts,
    cut_metric_texts,
    cut_table_headers,
    drag_slider,
    health_requests,
    open_page,
    plotly_data,
    plotly_signature,
    screenshot,
    settle,
    settle_after,
    slider_thumb,
    slider_value,
    start_streamlit,
    unmarked_scrolling_tables,
)

APP = ROOT / "app.py"

pytestmark = pytest.mark.browser


def open_settled(page, server, path: str = ""):
    page.goto(f"{server.url.rstrip('/')}/{path}")
    settle(page)
    return page


def metric_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


def test_home_page_draws_every_chart_and_the_crash_cards(app_server, page):
    """Test that the home page shows the four 12 Dec 2025 moves and draws its charts."""
    open_settled(page, app_server)
    assert metric_value(page, "^IXIC") == "-1.69%"
    assert metric_value(page, "AVGO") == "-11.43%"
    # the collision chart and the bridge; the comparison appears once a scenario is saved
    assert page.locator('.js-plotly-plot').count() == 2
    assert_no_error(page)
    screenshot(page, "home-default")


def test_saving_a_scenario_draws_the_comparison(app_server, page):
    """Test that naming and saving a scenario adds the comparison chart with both lines."""
    open_settled(page, app_server)
    box = page.locator('[data-testid="stExpander"] summary').filter(has_text="Compare scenarios")
    settle_after(page, box.click)
    page.locator(".st-key-scenario_name input").fill("Slow turbines")
    settle_after(page, lambda: page.locator(".st-key-scenario_name input").press("Enter"))
    settle_after(page, lambda: page.get_by_role("button", name="Save scenario").click())
    assert page.locator('.js-plotly-plot').count() == 3
    names = {t.get("name") for t in plotly_data(page, 2)}
    assert {"Slow turbines", "Current"} <= names
    assert_no_error(page)
    screenshot(page, "home-saved-scenario")


def test_home_preset_changes_the_chart_and_the_powered_share(app_server, page):
    """Test that 'Queue as filed' redraws the collision chart and lowers the 2030 share."""
    open_settled(page, app_server)
    before_chart, before_share = plotly_signature(page, 0), metric_value(page, "Powered in 2030")
    settle_after(page, lambda: page.get_by_role("button", name="Queue as filed").click())
    assert plotly_signature(page, 0) != before_chart
    assert int(metric_value(page, "Powered in 2030").rstrip("%")) < int(before_share.rstrip("%"))
    assert_no_error(page)
    screenshot(page, "home-queue-as-filed")


def test_grid_slider_drag_moves_the_supply_steps(app_server, page):
    """Test that four steps on the lead-time slider shift the stepped supply line."""
    open_settled(page, app_server, "grid")
    supply_before = next(t for t in plotly_data(page, 0) if t["name"] == "Firm supply (GW)")
    assert drag_slider(page, "lead_time_years", 4) == "6.0"
    supply_after = next(t for t in plotly_data(page, 0) if t["name"] == "Firm supply (GW)")
    assert supply_after["y"] != supply_before["y"]
    assert_no_error(page)
    screenshot(page, "grid-lead-time-6")


def download(page, key: str):
    """Click the download button with widget key `key`; the file Chromium saved."""
    with page.expect_download(timeout=60_000) as started:
        page.locator(f".st-key-{key} button").click()
    return started.value


def test_grid_chart_downloads_hold_what_the_chart_shows_after_a_move(app_server, page):
    """Test that after a slider move the chart's CSV has the redrawn supply steps and its PNG is
    a 1600x900 slide image."""
    open_settled(page, app_server, "grid")
    drag_slider(page, "lead_time_years", 2)
    supply = page.evaluate("""() => Array.from(document.querySelector('.js-plotly-plot')._fullData
        .find((t) => t.name === 'Firm supply (GW)').y)""")  # as drawn (decoded from binary)
    csv = download(page, "grid_chart_csv").path().read_text().splitlines()
    exported = [float(line.rsplit(",", 1)[1]) for line in csv[1:]
                if line.startswith("Firm supply (GW),")]
    assert exported == pytest.approx(supply)
    png = download(page, "grid_chart_png")
    data = png.path().read_bytes()
    assert png.suggested_filename == "grid_chart.png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1600, 900)  # IHDR width, height
    assert_no_error(page)


def test_a_move_keeps_the_downloads_of_the_rest_of_the_page(app_server, page):
    """Test that after a slider move, which reruns only the results, the facts chart below
    still downloads its CSV (the move must not let go of files the page still shows)."""
    open_settled(page, app_server, "grid")
    drag_slider(page, "lead_time_years", 2)
    lines = download(page, "queue_chart_csv").path().read_text().splitlines()
    assert lines[0] == "Trace,X,GW,Hover text,URL,Fact ID"  # each point's source
    assert any(line.startswith("Large-load requests (GW),") for line in lines[1:])
    assert_no_error(page)


def fact_button(page, name: str):
    return page.locator(".st-key-grid_fact").get_by_role("radio", name=name)


def test_the_year_by_year_table_shows_every_year_without_scrolling(app_server, page):
    """Test that the Grid page's yearly table, once shown, lists 2024 to 2035 and every column
    with no inner scroll bar at 1440 px (the grid draws only the rows in view: the last years
    were hidden; a seventh column cut the last one off at the right)."""
    open_settled(page, app_server, "grid")
    settle_after(page, page.get_by_text("Show the numbers year by year").click)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    scroller = grid.locator(".dvn-scroller").first
    sizes = scroller.evaluate("e => [e.scrollHeight, e.clientHeight, e.scrollWidth, e.clientWidth]")
    assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, sizes
    assert_no_error(page)
    screenshot(page, "grid-years")


def test_grid_facts_swap_the_chart_for_a_sourced_table(app_server, page):
    """Test that choosing "Peak demand" shows its table, and the requests their chart again."""
    open_settled(page, app_server, "grid")
    tables = page.locator('[data-testid="stDataFrame"]')
    assert page.locator(".js-plotly-plot").count() == 2 and tables.count() == 0
    settle_after(page, lambda: fact_button(page, "Peak demand").click())
    assert tables.count() == 1 and page.locator(".js-plotly-plot").count() == 1
    assert_no_error(page)
    screenshot(page, "grid-facts-peak-demand")
    settle_after(page, lambda: fact_button(page, "Large-load requests").click())
    assert tables.count() == 0 and page.locator(".js-plotly-plot").count() == 2
    assert_no_error(page)


def test_market_events_box_lists_the_events_and_stays_open_across_ranges(app_server, page):
    """Test that opening "Events in the range" shows the table, and a new range keeps it open."""
    open_settled(page, app_server, "market")
    tables = page.locator('[data-testid="stDataFrame"]')  # the statistics are a plain table
    assert tables.count() == 0
    box = page.locator('[data-testid="stExpander"] summary').filter(has_text="Events in the range")
    settle_after(page, box.click)
    assert tables.count() == 1
    settle_after(page, lambda: page.locator(".st-key-range").get_by_text("Max", exact=True).click())
    assert tables.count() == 1
    assert_no_error(page)
    screenshot(page, "market-events-open")


def test_market_statistics_table_and_its_csv_download(app_server, page):
    """Test that the statistics show a column per name and fit the page, and the CSV button
    downloads a row per name."""
    open_settled(page, app_server, "market")
    table = page.locator('[data-testid="stMarkdownContainer"] table').filter(has_text="Origin")
    header = table.locator("thead th").all_inner_texts()
    assert header == ["Symbol", "^IXIC", "ORCL", "AVGO", "ALAB"]  # a column per name
    last_date = table.locator("tbody tr").filter(has_text="Last date").locator("td")
    assert last_date.nth(4).inner_text().replace("\xa0", " ") == "15 May 2026"  # ALAB's own
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")  # fits the page
    button = page.locator(".st-key-market_stats_csv button")
    with page.expect_download() as download:
        button.click()
    csv = download.value.path().read_text()
    assert download.value.suggested_filename == "market_statistics.csv"
    assert csv.splitlines()[0].startswith("Symbol,Return (%)")
    assert {line.split(",")[0] for line in csv.splitlines()[1:]} == {"^IXIC", "ORCL", "AVGO",
                                                                    "ALAB"}
    assert_no_error(page)
    screenshot(page, "market-statistics")


def test_market_range_and_log_view(app_server, page):
    """Test that YTD shortens the series and 'Log price' sets a log axis."""
    open_settled(page, app_server, "market")
    one_year = len(plotly_data(page, 0)[0]["x"])
    settle_after(page, lambda: page.locator(".st-key-range").get_by_text("YTD", exact=True).click())
    assert len(plotly_data(page, 0)[0]["x"]) < one_year
    settle_after(page, lambda: page.get_by_text("Log price").click())
    layout = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.yaxis.type")
    assert layout == "log"
    assert_no_error(page)
    screenshot(page, "market-ytd-log")


def test_every_page_opens_from_the_navigation(app_server, page):
    """Test that clicking each sidebar link opens its page without an error."""
    open_settled(page, app_server)
    for name in ("Market", "Grid", "Sources & method", "AI vs the grid"):
        link = page.locator('[data-testid="stSidebarNav"] a').filter(
            has=page.get_by_text(name, exact=True)
        )
        settle_after(page, link.click)
        assert link.get_attribute("aria-current") == "page"
        assert_no_error(page)
        screenshot(page, f"nav-{re.sub(r'[^a-z]+', '-', name.lower())}")


def test_a_copied_link_reopens_the_same_numbers(app_server, browser, page):
    """Test that the share link, opened in a fresh browser context, shows the same metrics."""
    open_settled(page, app_server)
    drag_slider(page, "tranche_gw", 7)
    shown = (metric_value(page, "First shortfall"), metric_value(page, "Powered in 2030"))
    share = page.locator('[data-testid="stExpander"] summary').filter(has_text="Share this view")
    settle_after(page, share.click)  # the link is built when the box opens
    link = page.locator('.aigrid-link input').first.input_value().strip()
    assert "tranche_gw=10" in link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)
    page.locator(".aigrid-link button").first.click()
    page.locator(".aigrid-link [role=status]").filter(has_text="Copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    screenshot(page, "home-share-link")
    with open_page(browser) as fresh:
        fresh.goto(link)
        settle(fresh)
        assert (
            metric_value(fresh, "First shortfall"),
            metric_value(fresh, "Powered in 2030"),
        ) == shown
        assert_no_error(fresh)
        screenshot(fresh, "home-from-shared-link")


def test_back_after_a_preset_returns_to_the_view_before_it(app_server, page):
    """Test that a preset click adds one browser-history entry, however many sliders it moves,
    and that Back then reopens the view before it (it stepped through half-applied scenarios,
    one slider at a time)."""
    open_settled(page, app_server, "grid")
    before, entries = page.url, page.evaluate("history.length")
    settle_after(page, page.get_by_role("button", name="Queue as filed").click)
    assert page.evaluate("history.length") == entries + 1
    assert "realisation_pct=100" in page.url
    page.go_back()
    settle(page)
    assert page.url == before
    assert slider_value(page, "realisation_pct") == "49.8"
    assert_no_error(page)


def test_back_after_a_page_switch_reopens_the_scenario_left_behind(app_server, page):
    """Test that home -> preset -> Grid -> Back shows the preset's scenario again, in the page
    and the address bar (Streamlit drops URL parameters bound to another page's widgets on a
    page switch, and the sliders share their keys across pages), Forward the same on Grid, and
    that the home page's AI names come back the same way after a visit to Market."""
    open_settled(page, app_server)
    settle_after(page, page.get_by_role("button", name="Queue as filed").click)
    preset_url, share = page.url, metric_value(page, "Powered in 2030")
    assert "realisation_pct=100" in preset_url
    settle_after(page, page.get_by_role("link", name="Grid", exact=True).click)
    page.go_back()
    page.wait_for_function("() => location.search.includes('realisation_pct=100')")
    settle(page)
    assert page.url == preset_url and metric_value(page, "Powered in 2030") == share
    page.go_forward()  # the entry's settings come back by a second run, as after Back
    # On the Grid page itself: the address changes at once, while home's sliders (also at
    # 100.0) are still on screen, and the Grid page first draws the defaults.
    page.wait_for_function("() => location.pathname === '/grid' && [...document.querySelectorAll("
                           "'h1')].some((h) => h.textContent.startsWith('Grid:')) && "
                           "document.querySelector('.st-key-realisation_pct input[type=range], "
                           ".st-key-realisation_pct [role=slider]')?.getAttribute("
                           "'aria-valuetext') === '100.0'")
    settle(page)
    assert "/grid" in page.url and slider_value(page, "realisation_pct") == "100.0"
    assert_no_error(page)
    open_settled(page, app_server, "?symbols=NVDA")  # the AI names too: home -> Market -> home
    for link in ("Market", "AI vs the grid"):
        settle_after(page, page.get_by_role("link", name=link, exact=True).click)
    page.go_back()
    settle(page)
    page.go_back()
    page.wait_for_function("() => location.search.includes('symbols=NVDA')")
    # the names come back by a second run: wait for the chart to draw NVDA (or time out)
    page.wait_for_function("() => (document.querySelector('.js-plotly-plot')?.data || [])"
                           ".some((t) => t.name === 'NVDA')")
    settle(page)
    assert "NVDA" in [t.get("name") for t in plotly_data(page, 0)]
    assert_no_error(page)


def test_back_onto_market_brings_back_names_the_home_list_does_not_offer(app_server, page):
    """Test Market (with VST, which only the Market list offers) -> home -> Back: the Market
    entry's names come back, as home's notice says they stay on the Market page (Back showed
    the default four and a bare /market)."""
    open_settled(page, app_server, "market?symbols=ORCL&symbols=VST")
    assert {"ORCL", "VST"} <= {t.get("name") for t in plotly_data(page, 0)}
    settle_after(page, page.get_by_role("link", name="AI vs the grid", exact=True).click)
    page.go_back()
    page.wait_for_function("() => location.pathname === '/market' && "
                           "location.search.includes('symbols=VST')")
    page.wait_for_function("() => (document.querySelector('.js-plotly-plot')?.data || [])"
                           ".some((t) => t.name === 'VST')")
    settle(page)
    assert {"ORCL", "VST"} <= {t.get("name") for t in plotly_data(page, 0)}
    assert_no_error(page)


def test_a_shared_links_settings_and_names_stay_on_a_page_switch(app_server, page):
    """Test that a link's settings and AI names stay in the page and the address bar across
    page switches (/?tranche_gw=9 -> Grid showed the default 6.5 GW: Streamlit drops a value a
    bound widget read from the link, where it keeps one set in the app), and that Back then
    returns to the link's view."""
    open_settled(page, app_server, "?tranche_gw=9&symbols=NVDA")
    link = page.url
    settle_after(page, page.get_by_role("link", name="Grid", exact=True).click)
    assert slider_value(page, "tranche_gw") == "9.0" and "tranche_gw=9" in page.url
    settle_after(page, page.get_by_role("link", name="Market", exact=True).click)
    assert "symbols=NVDA" in page.url and "tranche_gw=9" in page.url
    assert {t.get("name") for t in plotly_data(page, 0)} == {"NVDA"}
    settle_after(page, page.get_by_role("link", name="Grid", exact=True).click)
    assert slider_value(page, "tranche_gw") == "9.0"
    for _ in range(3):
        page.go_back()
        settle(page)
    assert _query(page.url) == _query(link) and urlsplit(page.url).path == "/"
    assert "NVDA" in [t.get("name") for t in plotly_data(page, 0)]
    assert_no_error(page)


def test_a_market_links_settings_reach_the_grid_and_back_keeps_them(app_server, page):
    """Test that settings in a link to a page without sliders (Market) reach the Grid page
    (Streamlit's page dropped them on the switch), that Back onto the Market entry leaves them
    in its address (Streamlit dropped them from the entry for good), and that a reload there
    keeps them."""
    open_settled(page, app_server, "market?tranche_gw=9")
    settle_after(page, page.get_by_role("link", name="Grid", exact=True).click)
    assert slider_value(page, "tranche_gw") == "9.0" and "tranche_gw=9" in page.url
    page.go_back()
    settle(page)
    page.wait_for_function("() => location.search.includes('tranche_gw=9')")
    settle(page)
    assert urlsplit(page.url).path == "/market"
    page.reload()
    settle(page)
    settle_after(page, page.get_by_role("link", name="Grid", exact=True).click)
    assert slider_value(page, "tranche_gw") == "9.0"
    assert_no_error(page)


def test_a_page_switch_right_after_back_gets_its_own_entry(app_server, page):
    """Test that a click on a page link while Back's restore is still on its way adds an entry
    (the history script replaced entries until the restore ended, so the click overwrote the
    entry Back had reached, and the next Back skipped it)."""
    open_settled(page, app_server, "?tranche_gw=9")
    for link in ("Market", "AI vs the grid"):
        settle_after(page, page.get_by_role("link", name=link, exact=True).click)
    page.go_back()
    page.wait_for_function("() => location.pathname === '/market'")
    settle_after(page, page.get_by_role("link", name="Grid", exact=True).click)
    page.go_back()
    settle(page)
    assert urlsplit(page.url).path == "/market"
    assert_no_error(page)


def test_the_market_range_and_view_stay_in_the_address_bar_on_other_pages(app_server, page):
    """Test that a Market link's range and view stay in the address bar on the Grid and
    Sources pages (a link copied there lost them), also after Back onto the Grid entry, and
    that Market opens on them again."""
    open_settled(page, app_server, "market?range=3M&mode=Price")
    for link in ("Grid", "Sources & method"):
        settle_after(page, page.get_by_role("link", name=link, exact=True).click)
        assert {"range": ["3M"], "mode": ["Price"]}.items() <= _query(page.url).items()
    page.go_back()
    settle(page)
    page.wait_for_function("() => location.search.includes('range=3M')")
    settle(page)
    assert urlsplit(page.url).path == "/grid" and "mode=Price" in page.url
    settle_after(page, page.get_by_role("link", name="Market", exact=True).click)
    assert {"range": ["3M"], "mode": ["Price"]}.items() <= _query(page.url).items()
    assert_no_error(page)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_address_bar_reopens_a_setting_moved_to_its_lowest_value(app_server, browser, page):
    """Test that after a preset and a slider moved to its minimum (lead time 0 years), the URL
    in the address bar, opened in a fresh context, shows the same numbers. A bound slider
    leaves its parameter out of the URL while it holds the slider's default value, so that
    default must be the setting's own (4 years), not the slider's minimum."""
    open_settled(page, app_server, "grid")
    settle_after(page, page.get_by_role("button", name="Realistic realisation").click)
    thumb = slider_thumb(page, "lead_time_years")
    thumb.focus()
    settle_after(page, lambda: page.keyboard.press("Home"))
    assert slider_value(page, "lead_time_years") == "0.0"
    assert "lead_time_years=0" in page.url
    shown = metric_value(page, "Powered in 2030")
    with open_page(browser) as fresh:
        fresh.goto(page.url)
        settle(fresh)
        assert slider_value(fresh, "lead_time_years") == "0.0"
        assert metric_value(fresh, "Powered in 2030") == shown
        assert_no_error(fresh)


@pytest.mark.parametrize("path", ["grid", "market", "sources"])
def test_a_link_to_a_page_finds_the_server_at_the_first_try(app_server, page, path):
    """Test that a first visit of a page's own URL asks the server's root for its health, and
    never /<page>/_stcore/... (a 404 that cost about 150 ms before it tried the root)."""
    asked = health_requests(page)
    open_settled(page, app_server, path)
    assert asked == ["_stcore/health", "_stcore/host-config"]
    assert_no_error(page)


def test_under_a_base_url_path_a_page_link_finds_the_server_and_draws(browser):
    """Test that with server.baseUrlPath set (the app behind a proxy at /dash), a link to a
    page asks /dash/_stcore/... first, and the page draws its charts (plotly.js from
    /dash/app/static/) without an error."""
    with start_streamlit(APP, base_url_path="dash") as server, open_page(browser) as page:
        asked = health_requests(page)
        page.goto(server.url_for("grid"))
        settle(page)
        assert page.url.endswith("/dash/grid")
        assert asked == ["dash/_stcore/health", "dash/_stcore/host-config"]
        assert page.locator(".js-plotly-plot").count() == 2
        assert_no_error(page)


def test_odd_link_shows_one_calm_notice(app_server, page):
    """Test that a hostile query string gives one info notice and the default page."""
    open_settled(page, app_server, "grid?lead_time_years=%3Cscript%3E&zz=1&tranche_gw=1e999")
    notices = page.locator('[data-testid="stAlert"]').filter(has_text="could not be used")
    assert notices.count() == 1
    assert_no_error(page)
    screenshot(page, "grid-odd-link")


def test_a_typed_symbol_the_page_cannot_use_gets_its_own_message(app_server, page):
    """Test that a typed entry that cannot be a ticker, then no symbol at all, give the Market
    page's own messages and leave it working. The link check reads the URL, which a bound
    widget's entries also reach: it must leave those to the page, not try to drop them."""
    open_settled(page, app_server, "market")
    box = page.locator(".st-key-symbols input")
    settle_after(page, lambda: (box.fill("<script>"), box.press("Enter")))
    assert page.get_by_text("Ignored 1 entry that cannot be a ticker symbol").is_visible()
    assert not page.get_by_text("could not be used").count()
    assert len(plotly_data(page, 0)) >= 4  # the valid symbols still draw
    assert_no_error(page)
    settle_after(page, page.locator(".st-key-symbols").get_by_label("Clear all").click)
    assert page.get_by_text("Pick at least one symbol to draw the chart.").is_visible()
    assert_no_error(page)
    screenshot(page, "market-no-symbols")


def test_a_link_with_too_many_symbols_says_which_it_shows(app_server, page):
    """Test that a link with 11 symbols (10 at most) says so, and the list shows the first ten
    with no claim that anything was reset; a link naming NVDA twice on the home page draws
    NVDA, with no notice."""
    symbols = "&".join(f"symbols={s}" for s in ["NVDA", *"ABCDEFGHIJ"])
    open_settled(page, app_server, f"market?{symbols}")
    assert page.get_by_text("The link named 11 symbols; the first 10 are shown.").is_visible()
    assert not page.get_by_text("could not be used").count()
    chips = page.locator(".st-key-symbols [data-tag]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    assert chips == ["NVDA", *"ABCDEFGHI"]
    assert "NVDA" in [t.get("name") for t in plotly_data(page, 0)]
    assert_no_error(page)
    open_settled(page, app_server, "?symbols=NVDA&symbols=NVDA")
    assert not page.get_by_text("could not be used").count()
    assert "NVDA" in [t.get("name") for t in plotly_data(page, 0)]
    assert_no_error(page)


def picker_dates(page) -> list[str]:
    """The dates the Market page's custom-range picker holds, as it shows them."""
    return page.locator(".st-key-custom_range input").evaluate_all("es => es.map(e => e.value)")


def test_links_the_lists_and_pickers_cannot_hold_are_fitted_and_said(app_server, page):
    """Test that links the browser's own widgets would drop without a word get a notice: a
    custom range running backwards opens in order, one starting before the data opens from its
    first close (the picker and the address bar both show the fitted range), and a symbol the
    home list does not offer is counted in a notice while the others draw."""
    cases = [  # link's range, notice, range shown, the range in picker and address bar
        (("2025-12-31", "2025-12-01"), "The link's custom range ran backwards",
         "1 Dec 2025 to 31 Dec 2025", ("2025-12-01", "2025-12-31")),
        (("1990-01-01", "2025-12-01"), "began before the first close (2 Jan 2020)",
         "2 Jan 2020 to 1 Dec 2025", ("2020-01-02", "2025-12-01")),
    ]
    for linked, notice, shown, fitted in cases:
        open_settled(page, app_server, "market?range=Custom&custom_range={}&custom_range={}"
                     .format(*linked))
        assert page.get_by_text(notice).is_visible()
        assert page.get_by_text(f"{shown}. Lower panel").is_visible()
        assert "custom_range={}&custom_range={}".format(*fitted) in page.url
        assert picker_dates(page) == list(fitted)
        assert_no_error(page)
    open_settled(page, app_server, "?symbols=ORCL&symbols=ZZZZQ")
    assert page.get_by_text("The link named 1 symbol this page does not chart").is_visible()
    assert "ORCL" in [t.get("name") for t in plotly_data(page, 0)]
    assert_no_error(page)
    screenshot(page, "home-unlisted-symbol")


def test_removing_every_ai_name_on_home_falls_back_to_the_four_names(app_server, page):
    """Test that taking the last name out of the home page's list shows the four default names
    (as the list's emptiness means), not an error."""
    open_settled(page, app_server)
    names = page.locator('[data-testid="stSidebar"] .st-key-symbols')
    for symbol in ("^IXIC", "ORCL", "AVGO", "ALAB"):
        settle_after(page, names.get_by_label(f"Remove {symbol}", exact=True).click)
    assert_no_error(page)
    drawn = {trace.get("name") for trace in plotly_data(page, 0)}
    assert {"^IXIC", "ORCL", "AVGO", "ALAB"} <= drawn


@pytest.mark.parametrize("path", ["", "grid"])
def test_at_800_px_no_headline_number_is_cut(browser, app_server, path):
    """Test that in an 800 px window, with the sidebar open, every headline number and its
    label show in full: the cards wrap onto more rows rather than cut "-14.31%" to "-14.…"."""
    with open_page(browser, viewport={"width": 800, "height": 900}) as narrow:
        open_settled(narrow, app_server, path)
        assert narrow.locator('[data-testid="stSidebar"]').is_visible()
        assert not cut_metric_texts(narrow)
        assert_no_error(narrow)
        screenshot(narrow, f"narrow-800-{path or 'home'}")


@pytest.mark.parametrize(("path", "width"), [("", 800), ("", 400), ("market", 400)])
def test_in_a_narrow_window_no_table_runs_off_the_page(browser, app_server, path, width):
    """Test that in a narrow window every table fits its column or scrolls inside it: the
    bridge table wraps under its chart at 800 px, the Market statistics scroll at 400 px, with
    a shadow at the edge that says there is more (ALAB's column was hidden with no hint)."""
    with open_page(browser, viewport={"width": width, "height": 900}) as narrow:
        open_settled(narrow, app_server, path)
        assert narrow.locator('[data-testid="stMarkdownContainer"] table').count() >= 1
        assert not cut_table_headers(narrow)
        assert not unmarked_scrolling_tables(narrow)
        assert_no_error(narrow)
        screenshot(narrow, f"narrow-{width}-{path or 'home'}-tables")


@pytest.mark.parametrize(("path", "width"), [("", 400), ("", 800), ("grid", 400),
                                             ("market", 400), ("", 1440)])
def test_chart_labels_fit_their_chart_at_any_width(browser, app_server, path, width):
    """Test that no chart label is cut at its chart's edge or drawn over another: on a phone the
    12 Dec label ran off the chart, the bridge's share labels ran together and the record-peak
    label sat on the queue chart's "100". At desktop width the bridge keeps every share label."""
    with open_page(browser, viewport={"width": width, "height": 900}) as view:
        open_settled(view, app_server, path)
        assert clashing_chart_texts(view) == []
        if width == 1440:
            shares = view.locator(".aigrid-chart").nth(1).locator(".bartext")
            assert re.fullmatch(r"\d+%", shares.first.text_content())
            assert shares.count() == 12  # 2024-2035, every year has demand
        assert_no_error(view)
        screenshot(view, f"chart-labels-{width}-{path or 'home'}")


def test_on_a_touch_screen_the_charts_have_no_toolbar_over_their_legend(browser, app_server):
    """Test that on a touch screen (no hover) the charts draw without Plotly's toolbar, which a
    tap left over the legend's last entries, and that a mouse still gets it."""
    modebars = "document.querySelectorAll('.aigrid-chart .modebar').length"
    with open_page(browser, viewport={"width": 400, "height": 900}, has_touch=True) as phone:
        open_settled(phone, app_server)
        phone.locator(".aigrid-chart").first.tap()
        assert phone.evaluate(modebars) == 0
        assert_no_error(phone)
    with open_page(browser, viewport={"width": 1440, "height": 900}) as desk:
        open_settled(desk, app_server)
        assert desk.evaluate(modebars) == 2


PANEL_HEIGHTS_JS = """
() => [...document.querySelectorAll('.aigrid-chart')].map((gd) => Object.keys(gd._fullLayout)
  .filter((k) => /^yaxis\\d*$/.test(k) && gd._fullLayout[k].visible !== false)
  .map((k) => Math.round(gd._fullLayout[k]._length)))
"""


def test_a_wrapped_legend_makes_the_chart_taller_not_its_panels_shorter(browser, app_server):
    """Test that at 800 px, where the home chart's legend wraps onto seven rows, its panels keep
    the height they have at 1440 px (both were squeezed by a fifth): the chart
    grows by the legend's extra rows instead."""
    heights = {}
    for width in (1440, 800):
        with open_page(browser, viewport={"width": width, "height": 900}) as view:
            open_settled(view, app_server)
            heights[width] = view.evaluate(PANEL_HEIGHTS_JS)[0]
            if width == 800:
                screenshot(view, "legend-wrapped-800-home")
    assert len(heights[1440]) == 2  # price panel, grid panel
    for wide, narrow in zip(heights[1440], heights[800], strict=True):
        assert narrow >= 0.9 * wide, heights


CHART_WIDTH_JS = (
    "() => Number(document.querySelector('.aigrid-chart .main-svg').getAttribute('width'))")


def test_a_chart_follows_its_column_when_the_sidebar_closes(app_server, page):
    """Test that closing the sidebar (the window keeps its size) widens the drawn chart."""
    open_settled(page, app_server, "grid")
    before = page.evaluate(CHART_WIDTH_JS)
    page.locator('[data-testid="stSidebarHeader"]').hover()  # the button shows on hover
    page.get_by_role("button", name="Collapse sidebar").click()
    page.wait_for_function(f"() => ({CHART_WIDTH_JS})() > {before}")
    assert page.evaluate(CHART_WIDTH_JS) > before + 100
    assert_no_error(page)
    screenshot(page, "grid-sidebar-closed")


def test_without_plotly_js_the_page_says_so_and_keeps_its_numbers(browser):
    """Test that when plotly.js cannot load (static files off), each chart shows a short note
    and the page keeps its metrics and tables, with no exception."""
    with start_streamlit(APP, env={"STREAMLIT_SERVER_ENABLE_STATIC_SERVING": "false"}) as server:
        with open_page(browser) as page:
            page.goto(server.url_for("grid"))
            settle(page)
            notes = page.locator(".aigrid-chart-error").all_inner_texts()
            assert len(notes) == 2 and all("could not be drawn" in n for n in notes), notes
            assert metric_value(page, "First shortfall") == "Apr 2025"
            assert page.locator('[data-testid="stException"]').count() == 0
            screenshot(page, "grid-without-plotly")


def test_a_market_list_home_cannot_show_is_kept_for_the_market_page(app_server, page):
    """Test that names typed on the Market page that the home list does not offer (MSFT) are
    not lost by a visit to home: home says which it leaves out, and Market shows them again
    (MSFT was dropped without a word)."""
    open_settled(page, app_server, "market")
    box = page.locator(".st-key-symbols input")
    settle_after(page, lambda: (box.fill("MSFT"), box.press("Enter")))
    box.press("Escape")  # the open list hides the rest of the page from a screen reader
    settle_after(page, page.get_by_role("link", name="AI vs the grid", exact=True).click)
    assert page.get_by_text("The Market page's list also holds MSFT").is_visible()
    assert_no_error(page)
    settle_after(page, page.get_by_role("link", name="Market", exact=True).click)
    chips = page.locator(".st-key-symbols [data-tag]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    assert chips == ["^IXIC", "ORCL", "AVGO", "ALAB", "MSFT"]
    assert "symbols=MSFT" in page.url
    assert_no_error(page)


def test_an_emptied_home_list_opens_the_market_page_on_the_four_names(app_server, page):
    """Test that home's empty list, which home reads as the four default names, opens the
    Market page on those names, as its address does on a reload (Market showed an empty list
    and "Pick at least one symbol" while its address said the defaults)."""
    open_settled(page, app_server)
    names = page.locator('[data-testid="stSidebar"] .st-key-symbols')
    for symbol in ("^IXIC", "ORCL", "AVGO", "ALAB"):
        settle_after(page, names.get_by_label(f"Remove {symbol}", exact=True).click)
    settle_after(page, page.get_by_role("link", name="Market", exact=True).click)
    chips = page.locator(".st-key-symbols [data-tag]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    assert chips == ["^IXIC", "ORCL", "AVGO", "ALAB"]
    assert not page.get_by_text("Pick at least one symbol").count()
    assert "symbols=" not in page.url
    assert_no_error(page)


def test_the_grid_pages_year_table_stays_open_across_a_page_switch(app_server, page):
    """Test that the year-by-year table opened on Grid is open again after a visit to Market
    (Streamlit forgot the toggle's value on a page without it)."""
    open_settled(page, app_server, "grid")
    toggle = page.locator(".st-key-grid_show_years label")
    settle_after(page, toggle.click)
    assert page.locator(".st-key-grid_show_years input").is_checked()
    for link in ("Market", "Grid"):
        settle_after(page, page.get_by_role("link", name=link, exact=True).click)
    assert page.locator(".st-key-grid_show_years input").is_checked()
    assert_no_error(page)
