"""Figure builders: what they draw, not only that they return a figure."""

import itertools
import math
from dataclasses import replace
from datetime import date

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lib import events, figures, grid_model, market, scenario_state, settings
from lib.prices import load_snapshot


def _view():
    frame = load_snapshot(["^IXIC", "ORCL", "AVGO", "ALAB"])
    return frame, market.market_view(frame, "1Y", market.VIEW_MODES[0])


def test_market_figure_has_a_price_and_a_drawdown_trace_per_symbol():
    """Test two traces per symbol, drawdown on the lower axis, crash day labelled."""
    frame, view = _view()
    label = market.move_label(market.day_move(frame, "^IXIC", events.CRASH_DAY))
    fig = figures.fig_market(view.values, view.drawdown, view.y_title, crash_label=label)
    names = [t.name for t in fig.data]
    assert names.count("ORCL") == 2
    assert [t.yaxis or "y" for t in fig.data if t.name == "AVGO"] == ["y", "y2"]
    assert fig.layout.annotations[0].text == "12 Dec 2025: Nasdaq<br>−1.69% (−398.69 pts)"


def test_market_figure_does_not_mutate_its_inputs():
    """Test that the builder leaves the caller's tables untouched."""
    _, view = _view()
    before = view.values.copy()
    figures.fig_market(view.values, view.drawdown, view.y_title, log=True)
    pd.testing.assert_frame_equal(before, view.values)


def test_event_markers_carry_their_sources_in_the_hover_text():
    """Test that each event marker's hover names its source."""
    _, view = _view()
    shown = events.chart_events(events.load_events(), list(view.values.columns),
                                view.start, view.end)
    fig = figures.fig_market(view.values, view.drawdown, view.y_title, events=shown)
    marker = next(t for t in fig.data if t.name == "Events")
    assert len(marker.x) == shown["Date"].nunique()
    assert all("<i>" in text for text in marker.hovertext)


def test_market_log_mode_sets_a_log_axis():
    """Test that 'Log price' draws the upper axis on a log scale."""
    frame, _ = _view()
    view = market.market_view(frame, "Max", "Log price")
    fig = figures.fig_market(view.values, view.drawdown, view.y_title, log=view.log)
    assert fig.layout.yaxis.type == "log"
    assert view.values.index.min() == pd.Timestamp(date(2020, 1, 2))


def test_first_shortfall_label_stays_inside_the_chart():
    """Test that the label of an early first shortfall points from the right (from the left it
    ran past the chart's edge and was cut) and a later one keeps its place up and to the left."""
    for scenario, early in ((settings.preset_scenario("Queue as filed"), True),
                            (replace(settings.default_scenario(), headroom_gw=60.0), False)):
        gap = grid_model.build_gap_table(scenario)
        first = grid_model.summarise(gap).first_shortfall
        months = gap["Month"]
        assert (first - months.iloc[0] < (months.iloc[-1] - months.iloc[0]) / 4) == early
        [label] = figures.fig_gap(gap, first).layout.annotations
        assert label.text == f"First shortfall {first:%b %Y}"
        assert (label.ax > 0, label.xanchor == "left") == (early, early)


def test_the_shortfall_trace_holds_the_shortfall_not_the_edge_of_the_shading():
    """Test that the Grid and home charts' "Shortfall (GW)" trace, and so their CSVs, hold
    max(0, demand - supply) month by month (the shading stacks it on the supply), not the top
    edge of the shaded band."""
    from lib import figure_data, report

    gap = grid_model.build_gap_table(settings.default_scenario())
    first = grid_model.summarise(gap).first_shortfall
    part = report.collision_market(load_snapshot(["^IXIC"]), ["^IXIC"], 2024, 2035)
    for fig in (figures.fig_gap(gap, first), report.collision_figure(part, gap, first)):
        data = figure_data.figure_data_frame(fig)
        shortfall = data.loc[data["Trace"] == "Shortfall (GW)"]
        column = "GW" if "GW" in data.columns else "Y"
        assert shortfall[column].astype(float).tolist() == gap["Shortfall (GW)"].tolist()


def test_the_bridge_chart_keeps_years_level_on_a_long_horizon():
    """Test that the bridge chart's years sit on a number axis shown as whole years, so that
    plotly thins a long horizon's labels instead of tilting them into the axis title."""
    long = replace(settings.default_scenario(), start_year=2020, end_year=2050)
    fig = figures.fig_bridge(grid_model.yearly_table(grid_model.build_gap_table(long)))
    assert fig.layout.xaxis.type == "linear" and fig.layout.xaxis.tickformat == "d"
    assert list(fig.data[0].x) == list(range(2020, 2051))


def test_a_short_horizon_labels_each_year_once():
    """Test that a one-year horizon shows one whole-year tick (it showed "2030" five times,
    at 2029.8, 2029.9, ...), and every share label has one size."""
    one = replace(settings.default_scenario(), start_year=2030, end_year=2030)
    fig = figures.fig_bridge(grid_model.yearly_table(grid_model.build_gap_table(one)))
    assert fig.layout.xaxis.dtick == 1 and fig.layout.uniformtext.minsize == 10


def test_the_bridge_chart_hides_share_labels_its_bars_cannot_hold():
    """Test that a share label wider than its bar is hidden, not run into its neighbours (on
    a phone they overlapped and 2024's "100%" was cut; the share table below the chart holds
    every value), and that the CSV still names the years' column."""
    from lib import figure_data

    fig = figures.fig_bridge(grid_model.yearly_table(
        grid_model.build_gap_table(settings.default_scenario())))
    assert fig.layout.uniformtext.mode == "hide"
    assert fig.data[1].constraintext in (None, "both")  # plotly's default: fit to the bar
    assert figure_data.figure_data_frame(fig).columns[:3].tolist() == ["Trace", "Year", "GW"]


def test_long_chart_labels_take_two_lines():
    """Test that the crash-day and record-peak labels are broken near their middle, so a
    phone-wide chart does not cut them at its right edge or run them over the axis labels."""
    assert figures.two_lines("12 Dec 2025: Nasdaq −1.69% (−398.69 pts)") == (
        "12 Dec 2025: Nasdaq<br>−1.69% (−398.69 pts)")
    assert figures.two_lines("Record peak demand 85.6 GW (Aug 2024, preliminary)") == (
        "Record peak demand 85.6 GW<br>(Aug 2024, preliminary)")
    assert figures.two_lines("Short") == "Short"
    from lib import grid_facts, report
    queue = figures.fig_queue_history(grid_facts.queue_history(), grid_facts.record_peak_gw(),
                                      grid_facts.record_peak_label())
    assert "<br>" in queue.layout.annotations[0].text
    frame = load_snapshot(["^IXIC"])
    gap = grid_model.build_gap_table(settings.default_scenario())
    part = report.collision_market(frame, ["^IXIC"], 2024, 2035)
    collision = report.collision_figure(part, gap, None)
    assert any(a.text.startswith("12 Dec 2025: Nasdaq<br>") for a in collision.layout.annotations)


def test_the_comparison_draws_each_scenarios_demand_beside_its_supply():
    """Test that two scenarios that differ only in demand differ in the comparison's top panel:
    each scenario has a supply line and a dashed demand line there, and its powered share
    below, each trace named for the scenario and what it holds (the chart's CSV tells them
    apart); one legend entry per scenario."""
    from lib import scenario_state

    slow = replace(settings.default_scenario(), demand_growth_gw_per_year=10.0)
    table = scenario_state.compare_table([("Slow", slow), ("Current", settings.default_scenario())])
    fig = figures.fig_compare(table)
    top = {t.name: list(t.y) for t in fig.data if (t.yaxis or "y") == "y"}
    assert set(top) == {"Slow", "Slow: demand", "Current", "Current: demand"}
    assert top["Slow"] == top["Current"] and top["Slow: demand"] != top["Current: demand"]
    assert {t.line.dash for t in fig.data if t.name.endswith(": demand")} == {"dash"}
    assert [t.name for t in fig.data if t.showlegend is not False] == ["Slow", "Current"]
    assert len({t.name for t in fig.data}) == len(fig.data) == 6


def test_the_home_chart_lists_the_names_first_in_the_market_pages_order():
    """Test that the legend reads ^IXIC, ORCL, AVGO, ALAB, then the grid's lines (a legend
    with stacked traces is reversed unless told otherwise)."""
    from lib import report

    part = report.collision_market(load_snapshot(["^IXIC", "ORCL", "AVGO", "ALAB"]),
                                   ["^IXIC", "ORCL", "AVGO", "ALAB"], 2024, 2035)
    gap = grid_model.build_gap_table(settings.default_scenario())
    fig = report.collision_figure(part, gap, None)
    assert fig.layout.legend.traceorder == "normal"
    assert [t.name for t in fig.data][:4] == ["^IXIC", "ORCL", "AVGO", "ALAB"]


def test_a_shortfall_that_began_before_the_window_is_labelled_at_its_start():
    """Test that with the window from 2026 and the shortfall from Apr 2025, the chart labels the
    window's first month "Short since Apr 2025" (the label's point was looked up in the window
    and not found)."""
    later = replace(settings.default_scenario(), start_year=2026)
    gap = grid_model.build_gap_table(later)
    first = grid_model.summarise(gap, later).first_shortfall
    assert first < gap["Month"].iloc[0]
    for fig in (figures.fig_gap(gap, first), figures.fig_collision(pd.DataFrame(), gap,
                                                                   first_shortfall=first)):
        label = next(a for a in fig.layout.annotations if "hort" in a.text)
        assert label.text == f"Short since {first:%b %Y}"
        assert pd.Timestamp(label.x) == gap["Month"].iloc[0] and label.ax > 0


def test_the_crash_label_reads_away_from_the_nearer_edge_on_the_home_chart():
    """Test that with a window ending in 2025 the 12 Dec label runs left of its day, not past
    the chart's right edge (it showed only "12"), and with the usual window to the right."""
    frame = load_snapshot(["^IXIC"])
    label = events.crash_label(frame)
    for start, end, late in ((2020, 2025, True), (2024, 2035, False)):
        gap = grid_model.build_gap_table(replace(settings.default_scenario(), start_year=start,
                                                 end_year=end))
        fig = figures.fig_collision(pd.DataFrame(), gap, x_range=(date(start, 1, 1),
                                                                  date(end, 12, 31)),
                                    crash_label=label)
        crash = next(a for a in fig.layout.annotations if a.text.startswith("12 Dec"))
        assert crash.xanchor == ("right" if late else "left")


def test_the_model_charts_mark_today_when_it_falls_in_the_window():
    """Test a "today" line on the Grid and home charts, so a reader sees which part of the
    straight line is already past (and none when today is outside the window)."""
    today = date(2026, 11, 27)
    gap = grid_model.build_gap_table(settings.default_scenario())
    for fig in (figures.fig_gap(gap, today=today),
                figures.fig_collision(pd.DataFrame(), gap, today=today)):
        [label] = [a for a in fig.layout.annotations if a.text == "today"]
        assert pd.Timestamp(label.x) == pd.Timestamp(today)
        assert any(pd.Timestamp(s.x0) == pd.Timestamp(today) for s in fig.layout.shapes)
    later = grid_model.build_gap_table(replace(settings.default_scenario(), start_year=2028))
    assert not [a for a in figures.fig_gap(later, today=today).layout.annotations
                if a.text == "today"]


def test_the_home_charts_event_lines_stay_in_the_price_panel():
    """Test that the dotted event lines on the home chart span the price panel only: run down
    through the grid panel they crowded the first-shortfall label."""
    from lib import report

    frame = load_snapshot(["^IXIC", "ORCL", "AVGO", "ALAB"])
    part = report.collision_market(frame, ["^IXIC", "ORCL", "AVGO", "ALAB"], 2024, 2035)
    gap = grid_model.build_gap_table(settings.default_scenario())
    fig = report.collision_figure(part, gap, grid_model.summarise(gap).first_shortfall)
    lines = [s for s in fig.layout.shapes if s.line.dash == "dot"]
    assert lines and all(s.y0 == fig.layout.yaxis.domain[0] for s in lines)


def test_the_current_scenario_keeps_its_colour_in_the_comparison():
    """Test that "Current" is drawn in one colour however many scenarios are saved (it went
    blue, purple, green as saves were added, and passed its colour on to a saved one)."""
    from lib import scenario_state

    default = settings.default_scenario()
    colours = set()
    for n in range(1, 4):
        saved = [(f"S{i}", replace(default, tranche_gw=1.0 + i)) for i in range(n)]
        fig = figures.fig_compare(scenario_state.compare_table([*saved, ("Current", default)]))
        current = next(t for t in fig.data if t.name == "Current")
        assert all(t.line.color != current.line.color for t in fig.data
                   if t.legendgroup != "Current")
        colours.add(current.line.color)
    assert len(colours) == 1


def test_compared_scenarios_have_colours_far_apart():
    """Test that no two of the comparison's colours (five saved, the current one) are near
    each other: the fifth saved scenario's teal (#16a085) read as the third's green."""
    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    colours = [*figures.COMPARE_SAVED, figures.COMPARE_CURRENT]
    assert len(colours) == scenario_state.MAX_SAVED + 1
    for a, b in itertools.combinations(colours, 2):
        assert math.dist(rgb(a), rgb(b)) >= 60, (a, b)


def test_event_markers_are_labelled_as_positions_in_the_csv():
    """Test that the Events rows of a chart's CSV say their Y is where the marker sits, not a
    value: they read "1.0" under an empty axis title, on the Market, Grid and home charts."""
    from lib import figure_data, report

    shown = events.load_events().head(3)
    gap = grid_model.build_gap_table(settings.default_scenario())
    closes = load_snapshot(["^IXIC"])
    view = market.market_view(closes, "Max", market.VIEW_MODES[0], None)
    part = report.collision_market(closes, ["^IXIC"], 2024, 2035)
    for fig in (figures.fig_market(view.values, view.drawdown, view.y_title, events=shown),
                figures.fig_gap(gap, events=shown),
                figures.fig_collision(part.values, gap, events=shown)):
        data = figure_data.figure_data_frame(fig)
        rows = data.loc[data["Trace"] == "Events"]
        assert not rows.empty
        assert set(rows["Y axis"]) == {figures.EVENT_MARKER_AXIS}, set(rows["Y axis"])


def test_the_comparison_csv_names_what_each_line_holds():
    """Test that the comparison chart's CSV names every series by its scenario and what it
    holds ("Slow: supply" beside "Slow: demand"; the supply line was just "Slow"), while the
    legend keeps one entry per scenario, by its name, and a typed name stays text in hovers."""
    from lib import figure_data, scenario_state

    slow = replace(settings.default_scenario(), demand_growth_gw_per_year=10.0)
    table = scenario_state.compare_table([("Slow %{y}", slow),
                                          ("Current", settings.default_scenario())])
    fig = figures.fig_compare(table)
    traces = figure_data.figure_data_frame(fig)["Trace"].unique().tolist()
    assert traces == ["Slow %{y}: supply", "Slow %{y}: demand", "Slow %{y}: powered share",
                      "Current: supply", "Current: demand", "Current: powered share"]
    assert [t.name for t in fig.data if t.showlegend is not False] == ["Slow %{y}", "Current"]
    assert all("%{meta.name}" in t.hovertemplate for t in fig.data)


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


@given(st.lists(st.sampled_from([*figures.SYMBOL_COLOURS, "MSFT", "TSLA", "AAPL", "AMD", "SMCI",
                                 "META", "AMZN", "GOOG", "INTC", "MU"]),
                min_size=1, max_size=scenario_state.MAX_SYMBOLS, unique=True))
def test_the_lines_of_one_chart_have_colours_far_apart(symbols):
    """Test that any list the Market page takes (ten names at most, known or typed) draws each
    name in its own colour, far from the others', and a known name always in its own: ORCL
    and VRT were both orange-brown, NVDA and CEG both green, and a typed name took ORCL's
    orange by its position."""
    colours = figures.symbol_colours(symbols)
    assert len(colours) == len(symbols)
    for a, b in itertools.combinations(colours, 2):
        assert math.dist(_rgb(a), _rgb(b)) >= 60, (symbols, a, b)
    for symbol, colour in zip(symbols, colours, strict=True):
        assert colour == figures.SYMBOL_COLOURS.get(symbol, colour)


def test_the_shading_covers_each_months_shortfall_and_nothing_else():
    """Test that the shaded gap is drawn month by month like the supply steps: a straight edge
    between months painted one-month wedges at every step, also where supply was above demand
    and no load waited (/grid?tranche_gw=50&lead_time_years=3&start_year=2030)."""
    scenario = replace(settings.default_scenario(), tranche_gw=50.0, lead_time_years=3.0,
                       start_year=2030)
    gap = grid_model.build_gap_table(scenario)
    assert gap["Shortfall (GW)"].eq(0).all()
    fig = figures.fig_gap(gap, grid_model.first_shortfall(gap, scenario))
    supply, shortfall = (next(t for t in fig.data if t.name == name)
                         for name in ("Firm supply (GW)", "Shortfall (GW)"))
    assert supply.stackgroup == shortfall.stackgroup and shortfall.fill == "tonexty"
    assert supply.line.shape == shortfall.line.shape == "hv"
    assert not any(shortfall.y)


def test_a_shortfall_before_the_window_is_labelled_only_where_the_window_shows_one():
    """Test the label of a shortfall that began before the window: "Short since" at the
    window's start only when load is waiting there; none when the window has no shortfall (it
    said "Short since Apr 2025" over a window where supply was twice demand); "Short again
    from" the window's first short month when the gap closed and reopened."""
    def labels(scenario):
        gap = grid_model.build_gap_table(scenario)
        fig = figures.fig_gap(gap, grid_model.first_shortfall(gap, scenario))
        return [a.text for a in fig.layout.annotations if "hort" in a.text]

    default = settings.default_scenario()
    assert labels(replace(default, start_year=2030)) == ["Short since Apr 2025"]
    assert labels(replace(default, tranche_gw=50.0, lead_time_years=3.0, start_year=2030)) == []
    reopened = replace(default, tranche_gw=20.0, lead_time_years=2.0, start_year=2027)
    gap = grid_model.build_gap_table(reopened)
    in_view = gap[gap["Month"] >= pd.Timestamp("2027-01-01")]
    short = in_view.loc[in_view["Shortfall (GW)"] > 0, "Month"]
    assert in_view["Shortfall (GW)"].iloc[0] == 0 and not short.empty
    assert labels(reopened) == [f"Short again from {short.iloc[0]:%b %Y}"]


def test_each_request_point_gives_its_date_and_the_data_centre_share_where_known():
    """Test the request history's hover: the month of each point and, where its source gives
    one, the data-centre share of the requests (it showed only the GW and the source)."""
    from lib import figure_data, grid_facts

    queue = grid_facts.queue_history()
    fig = figures.fig_queue_history(queue, 85.6)
    trace = fig.data[0]
    assert "%{x|%b %Y}" in trace.hovertemplate
    shares = queue["Data-centre share (%)"]
    for text, share, source in zip(trace.hovertext, shares, queue["Source"], strict=True):
        assert text.startswith(source)
        assert ("data centres" in text) == pd.notna(share)
        if pd.notna(share):
            assert text.endswith(f"<br>Of which data centres: {share:.0f}%")
    rows = figure_data.figure_data_frame(fig)
    assert rows["Hover text"].str.contains("Of which data centres: 70%").any()


def test_the_home_chart_holds_no_price_after_the_horizon():
    """Test that a horizon ending in 2025 gives the home chart (and so its CSV) no price after
    31 Dec 2025: the weeks after it were plotted outside the x range, and exported."""
    from lib import figure_data, report

    symbols = ["^IXIC", "ORCL", "AVGO", "ALAB"]
    part = report.collision_market(load_snapshot(symbols), symbols, 2024, 2025)
    short = replace(settings.default_scenario(), end_year=2025)
    fig = report.collision_figure(part, grid_model.build_gap_table(short), None)
    rows = figure_data.figure_data_frame(fig)
    prices = rows[rows["Trace"].isin(symbols)]
    assert set(prices["Trace"]) == set(symbols)
    assert pd.to_datetime(prices["X"]).max() == pd.Timestamp("2025-12-31")  # the last close


def test_weekly_closes_date_the_last_week_by_its_last_trading_day():
    """Test that a series ending on a Wednesday has its last weekly point on that day, not on
    the Friday after it, beyond the data."""
    days = pd.to_datetime(["2025-12-22", "2025-12-26", "2025-12-29", "2025-12-31"])
    wide = pd.DataFrame({"X": [1.0, 2.0, 3.0, 4.0]}, index=days)
    weekly = market.weekly_closes(wide)
    assert list(weekly.index) == [pd.Timestamp("2025-12-26"), pd.Timestamp("2025-12-31")]
    assert weekly["X"].tolist() == [2.0, 4.0]
