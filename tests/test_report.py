"""The report: five or six figures with their context, and a summary from the data and model."""

import io
import json
import zipfile
from dataclasses import replace
from datetime import date

import pandas as pd

from lib import (
    events,
    export,
    figure_data,
    figures,
    grid_facts,
    grid_model,
    market,
    report,
    report_archive,
    scenario_state,
    settings,
)
from lib.prices import get_prices


def _items():
    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    return report.report_items(result.frame, result.provenance, settings.default_scenario(), [],
                               date(2026, 11, 26))


def test_report_has_six_figures_each_with_title_and_sources():
    """Test six uniquely named figures whose contexts carry a title and a sources line, the
    comparison among them, when a scenario is saved."""
    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    saved = [("Fast", settings.preset_scenario("Fast build-out"))]
    items, _ = report.report_items(result.frame, result.provenance, settings.default_scenario(),
                                   saved, date(2026, 11, 26))
    assert len(items) == 6 and len({slug for slug, _, _ in items}) == 6
    assert "scenarios" in {slug for slug, _, _ in items}
    assert all(ctx.title and ctx.sources for _, _, ctx in items)
    items, _ = _items()
    model = dict((slug, ctx) for slug, _, ctx in items)["demand-vs-supply"]
    assert "lead time" in model.subtitle


def test_summary_states_the_headline_numbers_and_the_crash_moves():
    """Test that the summary quotes the model and the 12 Dec 2025 moves from the data."""
    _, summary = _items()
    gap = grid_model.build_gap_table(settings.default_scenario())
    numbers = grid_model.summarise(gap)
    assert f"First shortfall: {numbers.first_shortfall:%B %Y}" in summary
    assert f"powered in 2030: {numbers.share_2030_pct:.0f}%" in summary
    assert "^IXIC: -1.69% (-398.69 pts)" in summary
    assert "ALAB to 15 May 2026 (snapshot)" in summary
    assert "not a forecast of blackouts" in summary  # what a shortfall means travels too
    assert "energises in Jan 2028 after the 4-year lead time" in summary  # and when supply comes
    # the sum runs over the horizon, not from the model's start (as the first shortfall does)
    assert f"Unserved energy Jan 2024 to Dec 2035: {numbers.unserved_twh:,.0f} TWh" in summary


def test_with_nothing_saved_the_report_leaves_out_the_comparison():
    """Test five figures and no "scenarios" with no saved scenario: its chart would only
    repeat the current scenario's, already in "demand-vs-supply"."""
    items, _ = _items()
    assert [slug for slug, _, _ in items] == ["ai-vs-grid", "powered-share", "demand-vs-supply",
                                              "market-1y", "large-load-queue"]


def test_report_zip_without_images_still_holds_csvs_and_summary():
    """Test the zip built with images off: a CSV per figure, the summary and a manifest."""
    items, summary = _items()
    data, _ = report_archive.build_report_zip(items, summary, images=False)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"summary.md", "manifest.json"} <= set(names)
    assert sum(n.endswith(".csv") for n in names) == len(items) == 5
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    assert manifest


def test_summary_page_draws_the_yearly_table_as_a_table():
    """Test that summary.html holds the powered-share table as an HTML table (a header row,
    one row per year, numbers right-aligned), not the Markdown pipes."""
    items, summary = _items()
    data, _ = report_archive.build_report_zip(items, summary, images=False)
    page = zipfile.ZipFile(io.BytesIO(data)).read("summary.html").decode()
    assert "|---" not in page and "| Year |" not in page
    # the year table, and the settings table with their sources (a header row each)
    assert ">Year</th>" in page
    assert page.count("<tr>") == 1 + len(range(2024, 2036)) + 1 + len(settings.SETTINGS)
    assert '<td style="text-align:right">2030</td>' in page
    assert f'<a href="{grid_facts.fact("ercot_large_load_queue:13").url}">' in page


def test_the_markdown_table_converter_escapes_cells_and_keeps_other_blocks():
    """Test a table between paragraphs, a cell with markup, and a line of pipes with no rule
    row (left as a paragraph)."""
    html = report_archive.markdown_to_html(
        "Before\n\n| A | B |\n|---|--:|\n| <b>x</b> | 2 |\n\nAfter\n| not a table |\n")
    assert "<p>Before</p>" in html and "<p>After</p>" in html
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td>" in html
    assert '<td style="text-align:right">2</td>' in html
    assert "<p>| not a table |</p>" in html


def test_years_with_no_expected_load_read_as_a_dash_in_the_summary():
    """Test that a 0% realisation writes '–' in the share column, not 'nan'."""
    result = get_prices(["^IXIC"], offline=True)
    scenario = replace(settings.default_scenario(), realisation_pct=0.0)
    _, summary = report.report_items(result.frame, result.provenance, scenario, [],
                                     date(2026, 11, 26))
    assert "| nan" not in summary and "| 2030 | 0.0 | 0.0 | – |" in summary


def test_the_comparison_figure_says_which_lines_lie_under_others():
    """Test that the exported comparison's subtitle gives the key, the current scenario by its
    preset's name or its changes (its full settings filled four lines and squeezed the panels
    until their ticks ran together), and which lines lie under others, grouped by line. The
    saved scenarios are named by the legend, not a second time."""
    scenario = settings.default_scenario()
    slow = replace(scenario, tranche_gw=3.0)
    table = scenario_state.compare_table([("Fast build-out", settings.preset_scenario(
        "Fast build-out")), ("Slow turbines", slow), ("Current", scenario)])
    ctx = report.compare_context(scenario, table)
    # names in quotes: a saved name may hold commas or read like the list's own words
    assert ctx.subtitle == (f"{report.COMPARE_KEY} Current: Realistic realisation. Lines under "
                            "a later scenario's: demand of “Fast build-out”, “Slow turbines”.")
    result = get_prices(["^IXIC"], offline=True)
    items, _ = report.report_items(result.frame, result.provenance, scenario,
                                   [("Slow turbines", scenario)], date(2026, 11, 27))
    compare = dict((slug, ctx) for slug, _, ctx in items)["scenarios"]
    assert compare.subtitle.endswith("Lines under a later scenario's: all of “Slow turbines”.")


def test_five_saved_scenarios_leave_the_comparison_room_on_a_slide():
    """Test that with five saved scenarios, every one covered in part, the exported comparison's
    GW panel on a 16:9 slide is at least five tick labels tall (0 to 400 GW): the subtitle
    named each saved scenario twice and took six lines, and the panel was about 120 px tall
    with its ticks run together."""
    default = settings.default_scenario()
    saved = [(name, settings.preset_scenario(name)) for name in settings.PRESETS]
    saved += [(scenario_state.short_name(s), s)
              for s in (replace(default, tranche_gw=50.0), replace(default, tranche_gw=0.0))]
    table = scenario_state.compare_table([*saved, ("Current", default)])
    out = export.print_ready(figures.fig_compare(table), report.compare_context(default, table),
                             export.SLIDE)
    plot_px = out.layout.height - out.layout.margin.t - out.layout.margin.b
    gw_panel_px = plot_px * (out.layout.yaxis.domain[1] - out.layout.yaxis.domain[0])
    assert gw_panel_px >= 5 * export.body_font_px(export.SLIDE), gw_panel_px


def test_the_home_chart_export_names_both_of_its_sources():
    """Test that the AI-vs-grid figure's context names Yahoo Finance beside the grid data."""
    items, _ = _items()
    context = dict((slug, ctx) for slug, _, ctx in items)["ai-vs-grid"]
    assert "Yahoo Finance" in context.sources and "data/grid" in context.sources


def test_the_queue_export_carries_the_definitions_caveat_and_each_points_url():
    """Test that the request history's picture says sources count differently and its CSV
    gives every point's source URL and fact."""
    items, _ = _items()
    fig, context = next((fig, ctx) for slug, fig, ctx in items if slug == "large-load-queue")
    assert "wider definition" in context.subtitle and "not demand" in context.subtitle
    frame = figure_data.figure_data_frame(fig)
    queue = grid_facts.queue_history()
    assert frame["URL"].tolist() == queue["URL"].tolist()
    assert frame["Fact ID"].tolist() == queue["Fact ID"].tolist()


def test_event_hovers_give_the_close_to_close_move_the_data_show():
    """Test that a reported move is shown beside the one in the price data (ALAB "rallies 7%"
    on 6 May 2026 closed -0.83% that day; the +7.18% was on 5 May), on both charts."""
    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    frame = result.frame
    view = market.market_view(frame, "Max", market.VIEW_MODES[0])
    shown = events.chart_events(events.load_events(), list(view.values.columns), view.start,
                                view.end, include_grid=False)
    fig, _ = report.market_chart(frame, view, shown, "as of")
    part = report.collision_market(frame, ["^IXIC", "ORCL", "AVGO", "ALAB"], 2024, 2035)
    gap = grid_model.build_gap_table(settings.default_scenario())
    home = report.collision_figure(part, gap, None)
    for figure in (fig, home):
        marker = next(t for t in figure.data if t.name == "Events")
        hover = dict(zip(pd.to_datetime(list(marker.x)), marker.hovertext, strict=True))
        assert "close to close in the data: −0.83%" in hover[pd.Timestamp("2026-05-06")]
        assert "no close in the data that day" in hover[pd.Timestamp("2026-06-29")]


def test_the_summary_gives_the_crash_day_with_units():
    """Test that the summary's 12 December lines carry units, as the page's cards do (points
    for the index, USD for a share): it read "^IXIC: -1.69% (-398.69), close 23,195.17"."""
    _, summary = _items()
    assert "- ^IXIC: -1.69% (-398.69 pts), close 23,195.17 pts" in summary
    assert "- ORCL: -4.47% (-8.83 USD), adjusted close 188.81 USD" in summary


def test_a_shares_close_is_called_adjusted_where_it_is_shown():
    """Test that a share's price is called an adjusted close (the bars are split- and
    dividend-adjusted, so a terminal's close differs: AVGO 338.45 here against 339.87 in a
    report) in the summary, the Market statistics and the Market chart's axis; an index's close
    is its close."""
    from lib import market

    _, summary = _items()
    assert "ORCL: -4.47% (-8.83 USD), adjusted close 188.81 USD" in summary
    assert market.close_label("ORCL") == "adjusted close"
    assert market.close_label("^IXIC") == "close"
    assert "adjusted" in market.LAST_CLOSE.lower()
    frame = get_prices(["^IXIC", "ORCL"], offline=True).frame
    view = market.market_view(frame, market.DEFAULT_RANGE, market.VIEW_MODES[1])
    assert view.y_title.startswith("Adjusted close")


def test_the_home_chart_export_dates_its_grid_facts_and_leaves_room_for_its_panels():
    """Test that the home chart's export, which draws the grid model beside the prices, dates
    its grid facts as the grid charts' exports do, and that its title takes one line at every
    page size (two title lines and a two-line subtitle squeezed the price panel to ~130 px on
    a slide)."""
    from lib import export

    items, _ = _items()
    fig, ctx = next((fig, ctx) for name, fig, ctx in items if name == "ai-vs-grid")
    assert report.grid_as_of() in ctx.as_of and ctx.as_of.startswith("Prices:")
    for size in export.PAGE_SIZES:
        title = export.print_ready(fig, ctx, size).layout.title.text
        bold = [line for line in title.split("<br>") if not line.startswith("<span")]
        assert len(bold) == 1, (size.name, bold)


def test_the_reports_market_chart_is_the_market_pages_at_one_year():
    """Test that the report's market figure and its CSV are the Market page's 1Y chart, event
    markers with their sources and hover text included (the report's copy had neither)."""
    from lib import events, figure_data, market

    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    items, _ = _items()
    fig, ctx = next((fig, ctx) for name, fig, ctx in items if name == "market-1y")
    view = market.market_view(result.frame, market.DEFAULT_RANGE, market.VIEW_MODES[0])
    shown = events.chart_events(events.load_events(), list(view.values.columns), view.start,
                                view.end, include_grid=False)
    pd.testing.assert_frame_equal(report.market_events(view), shown)
    page_fig, page_ctx = report.market_chart(result.frame, view, shown,
                                             market.as_of_text(result.provenance))
    assert ctx == page_ctx
    assert figure_data.figure_data_csv(fig) == figure_data.figure_data_csv(page_fig)
    assert "Hover text" in figure_data.figure_data_frame(fig).columns


def test_file_names_in_the_report_never_repeat():
    """Test that names whose slugs collide with a numbered slug still get distinct files
    ("a", "a", "a-2" gave "a-2" twice: one CSV overwrote the other)."""
    from lib.report_archive import _unique_slugs

    slugs = _unique_slugs(["a", "a", "a-2", "A"])
    assert len(set(slugs)) == 4


def test_summary_traces_every_setting_to_its_source_or_calls_it_an_assumption():
    """Test that the report alone says where each input comes from: every setting with its
    value, default and the fact (ID and URL) behind the default, or "assumption" (the report
    gave the parameters bare, and pointed only at the app's Sources page)."""
    _, summary = _items()
    assert "## Settings and their sources" in summary
    for s in settings.SETTINGS:
        row = next(line for line in summary.splitlines() if line.startswith(f"| {s.label} |"))
        if s.source_id == settings.ASSUMPTION:
            assert row.endswith("| assumption |")
        else:
            assert s.source_id in row and grid_facts.fact(s.source_id).url in row


def test_summary_states_each_saved_scenarios_settings():
    """Test that a saved scenario in the comparison is described by its settings (the report
    named it only, with yearly results)."""
    result = get_prices(["^IXIC"], offline=True)
    bull = settings.preset_scenario("Queue as filed")
    _, summary = report.report_items(result.frame, result.provenance,
                                     settings.default_scenario(), [("Bull queue", bull)],
                                     date(2026, 11, 26))
    assert "## Saved scenarios in the comparison" in summary
    assert f"- Bull queue (Queue as filed): {scenario_state.scenario_summary(bull)}." in summary
    _, alone = _items()
    assert "## Saved scenarios" not in alone
