"""What a report says in words: the scenario, the headline numbers, as-of dates and sources.

Pure text builders; lib/export.py turns figures and this summary into files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from lib import bridge, events, figures, grid_facts, grid_model, market, scenario_state, settings
from lib.bridge import share_text
from lib.export import FigureContext
from lib.market import DayMove

SOURCES_LINE = ("Sources: Yahoo Finance daily bars; ERCOT large-load queue, peak demand, "
                "capacity additions and lead times as reported in the sourced rows of data/grid "
                "(see the app's Sources & method page).")
GAP_TITLE = "Expected large-load demand vs stepped firm supply, ERCOT (GW)"
COLLISION_TITLE = "AI stocks vs the grid's demand and firm supply"  # one line on a slide
BRIDGE_TITLE = "How much of the straight line can be powered, by year"
COMPARE_TITLE = "Saved scenarios: supply, demand and powered share"
COMPARE_KEY = "Solid steps: firm supply; dashed: expected demand; lower panel: powered share."
GRID_SOURCES = "Sources: data/grid (ERCOT facts with URLs); scenario arithmetic, not a forecast."
MARKET_SOURCES = "Sources: Yahoo Finance daily bars (split- and dividend-adjusted)."
COLLISION_SOURCES = ("Sources: Yahoo Finance daily bars (prices); data/grid (ERCOT facts with "
                     "URLs); scenario arithmetic, not a forecast.")
# What the request history's points are and are not: on the page and in its exports.
QUEUE_CAVEAT = ("Sources count differently: 2026 figures of 410-450 GW use a wider definition, "
                "while 225 GW (Apr 2026) counts only loads in formal study. Requests are not "
                "demand: ERCOT's own haircut is about half.")


def market_context(title: str, as_of: str) -> FigureContext:
    """Context printed inside a market chart's exported image."""
    return FigureContext(title=title, as_of=as_of, sources=MARKET_SOURCES)


def market_events(view: market.MarketView) -> pd.DataFrame:
    """The dated market events a market view marks: its names' and the market's, in its range
    (grid events belong to the grid charts)."""
    return events.chart_events(events.load_events(), list(view.values.columns), view.start,
                               view.end, include_grid=False)


def market_chart(frame: pd.DataFrame, view: market.MarketView, shown: pd.DataFrame,
                 as_of: str) -> tuple[go.Figure, FigureContext]:
    """The Market page's chart (its `shown` events marked, the 12 Dec move labelled) and the
    context its exports print: the names, the view and the range."""
    fig = figures.fig_market(view.values, view.drawdown, view.y_title, log=view.log,
                             events=events.with_price_check(shown, frame),
                             crash_label=events.crash_label(frame))
    title = (f"{', '.join(view.values.columns)}: {view.mode.lower()}, "
             f"{view.start:%-d %b %Y} to {view.end:%-d %b %Y}")
    return fig, market_context(title, as_of)


def model_context(title: str, scenario: grid_model.Scenario, as_of: str = "") -> FigureContext:
    """Context printed inside a model chart's exported image: the key parameters."""
    return FigureContext(title=title, subtitle=scenario_state.scenario_summary(scenario),
                         as_of=as_of or grid_as_of(), sources=GRID_SOURCES)


def collision_context(scenario: grid_model.Scenario, as_of: str) -> FigureContext:
    """Context of the home chart: the scenario, the prices' and the grid facts' as-of dates
    and both sources."""
    return replace(model_context(COLLISION_TITLE, scenario, f"{as_of} {grid_as_of()}."),
                   sources=COLLISION_SOURCES)


def compare_context(current: grid_model.Scenario, table: pd.DataFrame) -> FigureContext:
    """Context of the comparison chart (table: scenario_state.compare_table, Current last): the
    key to its lines, the current scenario by a short name, and which lines lie under others.
    Short, for a slide: the full settings, or the saved scenarios named again beside the
    legend, squeezed the panels until their ticks ran together."""
    notes = f" {clause}" if (clause := scenario_state.overlap_clause(table)) else ""
    return FigureContext(title=COMPARE_TITLE,
                         subtitle=f"{COMPARE_KEY} {scenario_state.CURRENT_NAME}: "
                                  f"{scenario_state.short_name(current)}.{notes}",
                         as_of=grid_as_of(), sources=GRID_SOURCES)


@lru_cache(maxsize=1)
def grid_as_of() -> str:
    """'Grid facts as reported up to Jul 2026': the newest dated row in the queue history
    (cached: data/grid is read-only while the app runs)."""
    latest = grid_facts.queue_history()["As of"].max()
    return f"Grid facts as reported up to {latest:%b %Y}"


def queue_context(queue: pd.DataFrame) -> FigureContext:
    """Context for the large-load request history: its date span and where rows come from."""
    first, last = queue["As of"].min(), queue["As of"].max()
    return FigureContext(title="ERCOT large-load interconnection requests (GW, loads ≥ 75 MW)",
                         subtitle=QUEUE_CAVEAT, as_of=f"As reported {first:%b %Y} to {last:%b %Y}",
                         sources="Sources: one press report or filing per point; each point's "
                                 "URL is in the chart's CSV (data/grid).")


def _share(pct: float) -> str:
    """A powered share for the summary's table: "–" for a year with no expected load."""
    return share_text(pct).removesuffix("%")


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell and a link's label."""
    return str(text).replace("|", "/").replace("[", "(").replace("]", ")")


def settings_source_lines(scenario: grid_model.Scenario) -> list[str]:
    """Each setting's value, its default and the fact behind the default (ID, title, URL) or
    "assumption", as a Markdown table: the report alone traces every input."""
    lines = ["| Setting | Value | Default | Source of the default |", "|---|---:|---:|---|"]
    for s in settings.SETTINGS:
        if s.source_id == settings.ASSUMPTION:
            source = "assumption"
        else:
            found = grid_facts.fact(s.source_id)
            source = f"{s.source_id}, [{_md_cell(found.title)}]({found.url})"
        lines.append(f"| {s.label} | {getattr(scenario, s.name):g} | {s.default:g} | {source} |")
    return lines


def _saved_lines(saved: list) -> list[str]:
    if not saved:
        return []
    return ["## Saved scenarios in the comparison",
            *[f"- {name} ({scenario_state.matching_preset(s) or 'custom'}): "
              f"{scenario_state.scenario_summary(s)}." for name, s in saved], ""]


def summary_markdown(scenario: grid_model.Scenario, summary: grid_model.GapSummary,
                     bridge: pd.DataFrame, moves: list[DayMove], as_of: str,
                     made_on: date, saved: list | None = None) -> str:
    """A short Markdown summary: scenario, each setting's source, headline numbers, saved
    scenarios, the 12 Dec 2025 moves, sources."""
    preset = scenario_state.matching_preset(scenario)
    preset_sources = (f" (sources of its values: {', '.join(settings.PRESETS[preset].source_ids)})"
                      if preset and settings.PRESETS[preset].source_ids else "")
    first = f"{summary.first_shortfall:%B %Y}" if summary.first_shortfall is not None else "none"
    share = (share_text(summary.share_2030_pct)
             if summary.share_2030_pct is not None else "n/a")
    lines = [
        "# AI bubble vs the power grid: scenario report",
        "",
        f"Made on {made_on:%-d %B %Y}. Scenario arithmetic, not a forecast.",
        "",
        "## Scenario",
        f"{scenario_state.scenario_summary(scenario)}.",
        f"Preset: {preset or 'custom'}{preset_sources}.",
        scenario_state.first_tranche_sentence(scenario),
        "",
        "## Settings and their sources",
        *settings_source_lines(scenario),
        "",
        "## Headline numbers",
        f"- First shortfall: {first}",
        f"- Peak shortfall: {summary.peak_shortfall_gw:,.1f} GW",
        f"- Unserved energy Jan {scenario.start_year} to Dec {scenario.end_year}: "
        f"{summary.unserved_twh:,.0f} TWh",
        f"- Share of expected load powered in 2030: {share}",
        "",
        grid_facts.shortfall_meaning(),
        grid_facts.past_peaks_note(),
        "",
        "## Powered share by year",
        "| Year | Expected (GW) | Powered (GW) | Powered share (%) |",
        "|---:|---:|---:|---:|",
        *[f"| {year} | {expected:.1f} | {powered:.1f} | {_share(share)} |" for year, expected,
          powered, share in bridge[["Year", "Expected demand (GW)", "Powered (GW)",
                                    "Powered share (%)"]].itertuples(index=False)],
        "",
        *_saved_lines(saved or []),
        "## Friday 12 December 2025, close to close",
        *[f"- {m.symbol}: {m.change_pct:+.2f}% ({market.change_text(m)}), "
          f"{market.close_label(m.symbol)} {m.close:,.2f} {market.price_unit(m.symbol)}"
          for m in moves],
        "",
        "## Data",
        as_of,
        "",
        SOURCES_LINE,
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CollisionMarket:
    """The market half of the home chart: it depends on the prices and the horizon only."""

    values: pd.DataFrame  # weekly closes, rebased to 100 at the horizon start
    events: pd.DataFrame  # dated events of the shown names inside the horizon
    crash_label: str  # "12 Dec 2025: Nasdaq −1.69% (−398.69 pts)"
    x_range: tuple[date, date]


def collision_market(frame: pd.DataFrame, symbols: list[str], start_year: int,
                     end_year: int) -> CollisionMarket:
    """Weekly rebased closes, events and the crash label for the horizon's years."""
    start, end = date(start_year, 1, 1), date(end_year, 12, 31)
    daily = market.wide_closes(frame, start=start, end=end)
    values = market.rebase(market.weekly_closes(daily)).dropna(axis=1, how="all")
    shown = events.chart_events(events.load_events(), symbols, start, end)
    return CollisionMarket(values, events.with_price_check(shown, frame),
                           events.crash_label(frame), (start, end))


def collision_caption(part: CollisionMarket, as_of: str, start_year: int, grid: str) -> str:
    """The home chart's caption: where the prices come from and how they are rebased (or that
    the horizon has none), then the grid scenario in words."""
    prices = (f"No prices fall in a horizon from {start_year}: the price data end before it."
              if part.values.empty else
              f"Weekly closes, each rebased to 100 in its first week from {start_year} on (a name "
              "listed later from its first week of trading).")
    marks = (" Triangles mark dated, sourced market and grid events (hover for the source)."
             if not part.events.empty else "")
    return f"{as_of} {prices} Grid: {grid}.{marks}"


def collision_figure(part: CollisionMarket, gap: pd.DataFrame, first_shortfall,
                     today: date | None = None) -> go.Figure:
    """The home page's chart: AI names rebased from the horizon start over the model's lines,
    with today marked."""
    return figures.fig_collision(part.values, gap, first_shortfall=first_shortfall,
                                 events=part.events, x_range=part.x_range,
                                 crash_label=part.crash_label, today=today)


def report_items(
    frame: pd.DataFrame, provenance: dict, scenario: grid_model.Scenario,
    saved: list, made_on: date,
) -> tuple[list[tuple[str, go.Figure, FigureContext]], str]:
    """The figures of a report, each with its context, and the Markdown summary: five, and
    the comparison of saved scenarios as a sixth when there are any."""
    gap = grid_model.build_gap_table(scenario)
    summary = grid_model.summarise(gap, scenario)
    yearly = grid_model.yearly_table(gap)
    as_of = market.as_of_text(provenance)
    symbols = list(provenance)
    view = market.market_view(frame, market.DEFAULT_RANGE, market.VIEW_MODES[0])
    queue = grid_facts.queue_history()
    record = grid_facts.record_peak_gw()
    items = [
        ("ai-vs-grid", collision_figure(
            collision_market(frame, symbols, scenario.start_year, scenario.end_year), gap,
            summary.first_shortfall, made_on),
         collision_context(scenario, as_of)),
        ("powered-share", figures.fig_bridge(yearly), model_context(BRIDGE_TITLE, scenario)),
        ("demand-vs-supply", figures.fig_gap(gap, summary.first_shortfall, today=made_on),
         model_context(GAP_TITLE, scenario)),
        ("market-1y", *market_chart(frame, view, market_events(view), as_of)),
        ("large-load-queue", figures.fig_queue_history(queue, record,
                                                       grid_facts.record_peak_label()),
         queue_context(queue)),
    ]
    if saved:  # with none saved, the comparison would only repeat "demand-vs-supply"
        compared = scenario_state.compare_table([*saved, (scenario_state.CURRENT_NAME, scenario)])
        items.insert(4, ("scenarios", figures.fig_compare(compared),
                         compare_context(scenario, compared)))
    moves = market.day_moves(frame, symbols, events.CRASH_DAY)
    table = bridge.bridge_table(yearly)
    return items, summary_markdown(scenario, summary, table, moves, as_of, made_on, saved)
