"""Plotly figure builders: data in, `go.Figure` out, one shared slim template.

The template is deliberately small: a full built-in template makes every rerun slower
for no visible gain. Builders never mutate their inputs.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from lib.bridge import share_text
from lib.events import CRASH_DAY, PRICE_CHECK_COLUMN
from lib.figure_data import CUSTOMDATA_COLUMNS, TRACE_LABEL

FONT = "Inter, 'Source Sans Pro', 'DejaVu Sans', sans-serif"
INK, GRID_INK, MUTED = "#1d2430", "#e3e7ec", "#6b7480"
DEMAND, SUPPLY, SHORTFALL = "#c0392b", "#1f5f8b", "rgba(192, 57, 43, 0.22)"
# One colour per snapshot name, far apart (the Market page draws up to ten at once); a typed
# name takes the colour of a snapshot name not in the chart (see symbol_colours).
SYMBOL_COLOURS = {
    "^IXIC": "#1d2430", "ORCL": "#d35400", "AVGO": "#2e86c1", "ALAB": "#8e44ad",
    "NVDA": "#27ae60", "XLU": "#7f8c8d", "VST": "#b7950b", "CEG": "#e377c2",
    "GEV": "#8c564b", "VRT": "#00bcd4",
}
# Behind a label drawn over lines: light enough that the lines under it still show.
LABEL_BACKING = "rgba(255, 255, 255, 0.65)"
COLORWAY = ["#1d2430", "#d35400", "#2e86c1", "#8e44ad", "#27ae60", "#b7950b", "#16a085"]

# The legend sits just above the plot; the band above it is left to Plotly's modebar, which
# appears on hover at the top right and would otherwise cover the end of a long legend.
TOP_MARGIN_PX = 64
_AXIS = dict(gridcolor=GRID_INK, zerolinecolor=GRID_INK, linecolor="#c9d0d8", ticks="outside",
             tickcolor="#c9d0d8", automargin=True, title=dict(standoff=8))
TEMPLATE = go.layout.Template(layout=dict(
    font=dict(family=FONT, size=13, color=INK),
    paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="white", colorway=COLORWAY,
    xaxis=_AXIS, yaxis=_AXIS, hovermode="x unified",
    hoverlabel=dict(bgcolor="white", font=dict(family=FONT, size=12)),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, bgcolor="rgba(0,0,0,0)"),
    margin=dict(l=10, r=10, t=TOP_MARGIN_PX, b=10),
))


# Figures are rebuilt on every slider move from parts this module controls, so plotly's
# per-property validation is skipped (it was most of each build); tests/test_figures.py checks
# that every figure passes full validation.
def _scatter(**props) -> go.Scatter:
    return go.Scatter(**props, _validate=False)


def _bar(**props) -> go.Bar:
    return go.Bar(**props, _validate=False)


def _figure(traces: list, layout: dict) -> go.Figure:
    return go.Figure(data=traces, layout=layout, _validate=False)


def symbol_colours(symbols: list[str]) -> list[str]:
    """The line colour of each symbol of one chart: a snapshot name's own, a typed name the
    next colour no name in the chart has (ten names at most: there are always enough)."""
    free = iter([c for c in (*SYMBOL_COLOURS.values(), *COLORWAY)
                 if c not in {SYMBOL_COLOURS.get(s) for s in symbols}])
    return [SYMBOL_COLOURS.get(s) or next(free) for s in symbols]


SHORT_LABEL_CHARS = 24  # about 150 px at 12 px: fits a 400 px-wide chart on one line


def two_lines(label: str) -> str:
    """The label broken at the space nearest its middle: a long one-line label ran past a
    phone-wide chart's edge, or over its axis labels."""
    spaces = [i for i, c in enumerate(label) if c == " "]
    if len(label) < SHORT_LABEL_CHARS or not spaces:
        return label
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return f"{label[:cut]}<br>{label[cut + 1:]}"


def _base_layout(height: int, **extra) -> dict:
    return dict(template=TEMPLATE, height=height, **extra)


def _fixed_margins(layout: dict, left: int, bottom: int) -> dict:
    """`layout` with automargin off on every axis and margins wide enough for its labels.

    For the charts redrawn on every slider move: automargin makes Plotly measure the labels and
    lay the plot out a second time, about a third of each redraw in Chromium.
    """
    axes = {k: {**v, "automargin": False} for k, v in layout.items()
            if k.startswith(("xaxis", "yaxis")) and isinstance(v, dict)}
    return {**layout, **axes, "margin": dict(l=left, r=10, t=TOP_MARGIN_PX, b=bottom)}


def _event_shapes(days: list[pd.Timestamp], bottom: float = 0.0) -> list[dict]:
    """Dotted vertical lines from `bottom` (paper) to the top of the plot, one per event day."""
    return [dict(type="line", xref="x", yref="paper", x0=d, x1=d, y0=bottom, y1=1,
                 line=dict(color="#9aa3ad", width=1, dash="dot"), layer="below") for d in days]


def _today_marks(today: date | None, gap: pd.DataFrame,
                 top: float = 1.0) -> tuple[list[dict], list[dict]]:
    """A dashed line and a small "today" label at the top of the model's panel (`top`, paper
    height), when today falls in the model's window: left of it, the straight line is already
    past (see past_peaks_note). At the panel's foot the label sat on the supply line in
    exports."""
    if today is None or gap.empty:
        return [], []
    day = pd.Timestamp(today)
    if not gap["Month"].iloc[0] <= day <= gap["Month"].iloc[-1] + pd.offsets.MonthEnd(0):
        return [], []
    line = dict(type="line", xref="x", yref="paper", x0=day, x1=day, y0=0, y1=1,
                line=dict(color=MUTED, width=1, dash="dash"), layer="below")
    label = dict(x=day, y=top, xref="x", yref="paper", text="today", showarrow=False,
                 xanchor="left", yanchor="top", xshift=3, font=dict(size=11, color=MUTED))
    return [line], [label]


def _price_check(symbol: str, move_pct: float | None) -> str:
    """The hover's line on what the price data show for a ticker event's day (a reported move
    can be another day's, or intraday)."""
    if symbol == "GRID":
        return ""
    if move_pct is None or pd.isna(move_pct):
        return "<br>no close in the data that day"
    return f"<br>close to close in the data: {move_pct:+.2f}%".replace("-", "−")


# Title of the hidden axis the event markers sit on: never drawn, it is the "Y axis" of their
# rows in a chart's CSV, whose Y is where a marker sits, not a value.
EVENT_MARKER_AXIS = "Event marker (position only)"
_EVENT_AXIS = dict(overlaying="y", range=[0, 1.02], visible=False, fixedrange=True,
                   title=dict(text=EVENT_MARKER_AXIS))


def _event_markers(events: pd.DataFrame, yref: str, y: float) -> go.Scatter:
    """Small triangles at the top of a panel; hover shows every event of the day and its source,
    and the day's move in the price data when the events carry events.with_price_check's."""
    by_day: dict[pd.Timestamp, list[str]] = {}
    checked = PRICE_CHECK_COLUMN in events
    moves = events[PRICE_CHECK_COLUMN] if checked else [None] * len(events)
    for day, symbol, event, source, move in zip(events["Date"], events["Symbol"],
                                                events["Event"], events["Source"], moves,
                                                strict=True):
        check = _price_check(symbol, move) if checked else ""
        by_day.setdefault(day, []).append(f"<b>{symbol}</b> {event}<br><i>{source}</i>{check}")
    days = sorted(by_day)
    text = ["<br>".join(by_day[d]) for d in days]
    return _scatter(x=days, y=[y] * len(days), yaxis=yref, mode="markers", name="Events",
                      marker=dict(symbol="triangle-down", size=9, color=MUTED),
                      hovertext=text, hoverinfo="text", showlegend=False)


def fig_market(values: pd.DataFrame, drawdown: pd.DataFrame, y_title: str, *, log: bool = False,
               events: pd.DataFrame | None = None, crash_label: str = "") -> go.Figure:
    """Price panel (rebased or raw) over a drawdown-from-peak panel sharing the x axis.

    values, drawdown: Date x Symbol tables (drawdown in %, 0 at a peak).
    """
    traces = []
    for sym, colour in zip(values.columns, symbol_colours(list(values.columns)), strict=True):
        traces.append(_scatter(x=values.index, y=values[sym].to_numpy(), name=sym, mode="lines",
                                 line=dict(color=colour, width=2), connectgaps=False,
                                 hovertemplate="%{y:,.2f}"))
        traces.append(_scatter(x=drawdown.index, y=drawdown[sym].to_numpy(), name=sym,
                                 yaxis="y2", mode="lines", showlegend=False,
                                 line=dict(color=colour, width=1.3), hovertemplate="%{y:.1f}%"))
    annotations, shapes = [], []
    if events is not None and not events.empty:
        traces.append(_event_markers(events, "y3", 1.0))
        shapes = _event_shapes(sorted(events["Date"].unique()))
    crash = pd.Timestamp(CRASH_DAY)
    if crash_label and len(values.index) and values.index[0] <= crash <= values.index[-1]:
        # The label reads away from the nearer edge: plotly widens the x axis to fit a label
        # that would run past it (a blank half year before the data in an export).
        late = crash - values.index[0] > (values.index[-1] - values.index[0]) / 2
        # Under the event triangles, inside the plot: above it, it ran into the legend.
        annotations.append(dict(x=crash, y=1.0, xref="x", yref="paper",
                                text=two_lines(crash_label), showarrow=False, yanchor="top",
                                xshift=-6 if late else 6, yshift=-14,
                                xanchor="right" if late else "left",
                                align="right" if late else "left",
                                font=dict(size=12, color=DEMAND), bgcolor=LABEL_BACKING))
    layout = _base_layout(
        560,
        yaxis=dict(domain=[0.36, 1.0], title=dict(text=y_title),
                   **(dict(type="log", dtick=1) if log else dict(type="linear"))),
        yaxis2=dict(domain=[0.0, 0.28], title=dict(text="Below peak (%)"), rangemode="tozero"),
        yaxis3=dict(domain=[0.36, 1.0], **_EVENT_AXIS),
        xaxis=dict(anchor="y2", type="date"),
        shapes=shapes, annotations=annotations,
    )
    return _figure(traces, layout)


def _shortfall_traces(gap: pd.DataFrame, xaxis: str = "x", yaxis: str = "y") -> list[go.Scatter]:
    """Supply as steps, demand as a straight line, the gap between them shaded where demand wins.

    The shading is the shortfall stacked on the supply (one stack group), so the trace holds
    the shortfall itself, max(0, demand - supply) in GW, as the chart's CSV shows it. It is
    drawn in steps like the supply: each month's band is that month's shortfall (a straight
    edge between months shaded a wedge at every supply step, where no load waited)."""
    month = gap["Month"]
    demand, supply = gap["Demand (GW)"].to_numpy(), gap["Supply (GW)"].to_numpy()
    common = dict(x=month, xaxis=xaxis, yaxis=yaxis)
    stack = f"shortfall_{yaxis}"
    return [
        _scatter(**common, y=supply, name="Firm supply (GW)", mode="lines", line_shape="hv",
                   stackgroup=stack, fill="none", line=dict(color=SUPPLY, width=2.5),
                   hovertemplate="%{y:.1f} GW"),
        _scatter(**common, y=gap["Shortfall (GW)"].to_numpy(), name="Shortfall (GW)",
                   mode="lines", line_shape="hv", stackgroup=stack, fill="tonexty",
                   line=dict(width=0),
                   fillcolor=SHORTFALL, hoverinfo="skip"),
        _scatter(**common, y=demand, name="Expected demand (GW)", mode="lines",
                   line=dict(color=DEMAND, width=2.5), hovertemplate="%{y:.1f} GW"),
    ]


def _first_shortfall_annotation(first: pd.Timestamp | None, gap: pd.DataFrame,
                                xref: str = "x", yref: str = "y") -> list[dict]:
    if first is None or gap.empty:
        return []
    months = gap["Month"]
    text = f"First shortfall {first:%b %Y}"
    if first < months.iloc[0]:
        # It began before the window (the model runs from 2024): labelled where the window
        # shows load waiting, at its first month if it is still short there.
        short = months[gap["Shortfall (GW)"].to_numpy() > 0]
        if short.empty:
            return []
        if short.iloc[0] == months.iloc[0]:
            first, text = months.iloc[0], f"Short since {first:%b %Y}"
        else:
            first = short.iloc[0]
            text = f"Short again from {first:%b %Y}"
    row = gap.loc[months == first].iloc[0]
    # The label sits up and to the left of the point, or to the right in the horizon's first
    # quarter, where the left would run past the chart's edge and be cut.
    early = first - months.iloc[0] < (months.iloc[-1] - months.iloc[0]) / 4
    return [dict(x=first, y=row["Demand (GW)"], xref=xref, yref=yref, showarrow=True,
                 arrowhead=2, ax=60 if early else -50, ay=-40,
                 xanchor="left" if early else "auto", bgcolor=LABEL_BACKING,
                 text=text, font=dict(color=DEMAND, size=12))]


def fig_gap(gap: pd.DataFrame, first_shortfall: pd.Timestamp | None = None,
            events: pd.DataFrame | None = None, height: int = 460,
            today: date | None = None) -> go.Figure:
    """The market's straight demand line against the stepped firm build-out, gap shaded, with
    today marked when it falls in the window."""
    traces = _shortfall_traces(gap)
    shapes, annotations = _today_marks(today, gap)
    if events is not None and not events.empty:
        traces.append(_event_markers(events, "y2", 1.0))
        shapes += _event_shapes(sorted(events["Date"].unique()))
    layout = _fixed_margins(_base_layout(
        height, xaxis=dict(type="date"), yaxis=dict(title=dict(text="GW"), rangemode="tozero"),
        yaxis2=_EVENT_AXIS, shapes=shapes,
        annotations=annotations + _first_shortfall_annotation(first_shortfall, gap),
    ), left=68, bottom=36)
    return _figure(traces, layout)


def fig_bridge(yearly: pd.DataFrame, height: int = 380) -> go.Figure:
    """Per year: demand the linear story expects vs what firm supply can power, share labelled."""
    years = yearly["Year"].to_numpy()  # a number axis: plotly thins long horizons' labels
    powered = yearly["Demand (GW)"] - yearly["Shortfall (GW)"]  # hours-weighted: matches the share
    share = yearly["Powered share (%)"]
    traces = [
        _bar(x=years, y=yearly["Demand (GW)"], name="Expected demand (GW)",
               marker_color="rgba(192, 57, 43, 0.25)", hovertemplate="%{y:.1f} GW"),
        _bar(x=years, y=powered, name="Powered (GW)", marker_color=SUPPLY,
               text=[share_text(s) if d > 0 else "" for s, d in zip(share, yearly["Demand (GW)"],
                                                                     strict=True)],
               textposition="outside",
               hovertemplate="%{y:.1f} GW"),
    ]
    layout = _fixed_margins(_base_layout(
        height, barmode="overlay", yaxis=dict(title=dict(text="GW"), rangemode="tozero"),
        # Whole years on a number axis: thinned ticks where a category axis would tilt them
        # (a horizon from 2020). The bottom margin holds years tilted upright (a phone) above
        # the title, which also names the CSV's column.
        xaxis=dict(type="linear", tickformat="d", title=dict(text="Year"),
                   dtick=1 if len(years) <= 15 else None),
        # Every share label one size, fitted to its bar, and hidden below 10 px (on a phone
        # they ran together); the share table under the chart has every value.
        uniformtext=dict(mode="hide", minsize=10),
        hovermode="x unified"),
        left=68, bottom=80)
    return _figure(traces, layout)


NO_PRICES = "No prices in this horizon: the price data end before it starts."
PRICE_PANEL = (0.56, 1.0)  # the home chart's panels, in paper height
GRID_PANEL = (0.0, 0.46)


def fig_collision(values: pd.DataFrame, gap: pd.DataFrame, *, first_shortfall=None,
                  events: pd.DataFrame | None = None, x_range: tuple[date, date] | None = None,
                  crash_label: str = "", today: date | None = None) -> go.Figure:
    """Market (rebased) on top, grid demand vs stepped supply below, one calendar axis."""
    colours = symbol_colours(list(values.columns))
    traces = [_scatter(x=values.index, y=values[s].to_numpy(), name=s, mode="lines",
                       line=dict(color=colour, width=1.8), hovertemplate="%{y:.1f}")
              for s, colour in zip(values.columns, colours, strict=True)]
    traces += _shortfall_traces(gap, "x", "y2")
    shapes, annotations = _today_marks(today, gap, top=GRID_PANEL[1])
    if events is not None and not events.empty:
        traces.append(_event_markers(events, "y3", 1.0))
        # the price panel only: through the grid panel they crowded its labels
        shapes += _event_shapes(sorted(events["Date"].unique()), PRICE_PANEL[0])
    annotations += _first_shortfall_annotation(first_shortfall, gap, "x", "y2")
    if values.empty:  # a horizon after the last close: say so in the empty panel
        annotations.append(dict(x=0.5, y=0.78, xref="paper", yref="paper", showarrow=False,
                                text=NO_PRICES, font=dict(size=13, color=MUTED)))
    crash = pd.Timestamp(CRASH_DAY)
    if crash_label and (x_range is None or x_range[0] <= crash.date() <= x_range[1]):
        # away from the nearer edge, as on the Market chart: a window ending in 2025 cut it
        late = x_range is not None and crash.date() > x_range[0] + (x_range[1] - x_range[0]) / 2
        side = "right" if late else "left"
        annotations.append(dict(x=crash, y=1.0, xref="x", yref="paper", text=two_lines(crash_label),
                                showarrow=False, xanchor=side, yanchor="top", align=side,
                                xshift=-6 if late else 6,
                                yshift=-14,  # under the event triangles, not over them
                                font=dict(size=12, color=DEMAND), bgcolor=LABEL_BACKING))
    layout = _fixed_margins(_base_layout(
        620,
        # the names in the Market page's order, then the grid's lines (plotly reverses a
        # legend with stacked traces by default)
        legend=dict(traceorder="normal"),
        yaxis=dict(domain=list(PRICE_PANEL), title=dict(text="Rebased (100 = start)")),
        yaxis2=dict(domain=list(GRID_PANEL), title=dict(text="GW"), rangemode="tozero"),
        yaxis3=_EVENT_AXIS,
        xaxis=dict(anchor="y2", type="date", range=list(x_range) if x_range else None),
        shapes=shapes, annotations=annotations,
    ), left=72, bottom=36)
    return _figure(traces, layout)


def fig_queue_history(queue: pd.DataFrame, peak_record_gw: float | None = None,
                      record_label: str = "", height: int = 340) -> go.Figure:
    """ERCOT large-load requests over time (GW), with the record peak as a reference line
    labelled record_label (or its value)."""
    # each point's source and, where it gives one, the data-centre share of the requests
    hover = [source + (f"<br>Of which data centres: {share:.0f}%" if pd.notna(share) else "")
             for source, share in zip(queue["Source"], queue["Data-centre share (%)"],
                                      strict=True)]
    traces = [_scatter(x=queue["As of"], y=queue["Requested (GW)"], mode="markers",
                         name="Large-load requests (GW)", marker=dict(color=DEMAND, size=9),
                         hovertext=hover, hovertemplate="%{y:.0f} GW, %{x|%b %Y}<br>%{hovertext}",
                         customdata=queue[["URL", "Fact ID"]].to_numpy(),
                         meta={CUSTOMDATA_COLUMNS: ["URL", "Fact ID"]})]  # the CSV's headers
    shapes, annotations = [], []
    if peak_record_gw:
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, y0=peak_record_gw,
                           y1=peak_record_gw, line=dict(color=SUPPLY, dash="dash")))
        # at the right end: the early requests sit near the line, the later ones far above it
        annotations.append(dict(xref="paper", x=0.99, xanchor="right", y=peak_record_gw,
                                yanchor="bottom", showarrow=False, align="right",
                                text=two_lines(record_label
                                               or f"Record peak demand {peak_record_gw:.1f} GW"),
                                font=dict(color=SUPPLY, size=12)))
    layout = _base_layout(height, yaxis=dict(title=dict(text="GW"), rangemode="tozero"),
                          xaxis=dict(type="date"), shapes=shapes, annotations=annotations,
                          hovermode="closest")
    return _figure(traces, layout)


COMPARE_CURRENT = SUPPLY
COMPARE_SAVED = ["#d35400", "#8e44ad", "#27ae60", "#b7950b", "#8c564b"]  # up to MAX_SAVED


def fig_compare(table: pd.DataFrame, height: int = 480) -> go.Figure:
    """Saved scenarios overlaid by year: firm supply (GW, solid steps) and expected demand (GW,
    dashed) above, powered share (%) below; one colour and legend entry per scenario. The key
    to the line styles goes beside the chart (report.COMPARE_KEY): inside, on the plot or at
    the legend, it hid lines or pushed the legend off a narrow chart.

    table: scenario_state.COMPARE_COLUMNS, one block of years per scenario, the current one
    last: it keeps one colour as scenarios are saved, and the saved ones take the others.
    """
    traces = []
    blocks = list(table.groupby("Scenario", sort=False))
    for i, (name, rows) in enumerate(blocks):
        colour = COMPARE_CURRENT if i == len(blocks) - 1 else COMPARE_SAVED[i % len(COMPARE_SAVED)]
        # the name through meta, not the template: a typed "%{y}" stays text
        meta = {"name": html.escape(str(name))}
        common = dict(x=rows["Year"], legendgroup=name, mode="lines+markers")
        traces += [
            # the legend entry, named for the scenario; its CSV rows say what they hold
            _scatter(**common, y=rows["Supply (GW)"], name=name, line_shape="hv",
                     meta={**meta, TRACE_LABEL: f"{name}: supply"},
                     line=dict(color=colour, width=2),
                     hovertemplate="%{meta.name}: supply %{y:.1f} GW<extra></extra>"),
            _scatter(**common, y=rows["Demand (GW)"], name=f"{name}: demand", showlegend=False,
                     meta=meta, line=dict(color=colour, width=1.5, dash="dash"),
                     marker=dict(size=4),
                     hovertemplate="%{meta.name}: demand %{y:.1f} GW<extra></extra>"),
            _scatter(**common, y=rows["Powered share (%)"], name=f"{name}: powered share",
                     showlegend=False, yaxis="y2", meta=meta, line=dict(color=colour, width=2),
                     hovertemplate="%{meta.name}: %{y:.1f}% powered<extra></extra>"),
        ]
    layout = _base_layout(
        height, xaxis=dict(anchor="y2", title=dict(text="Year"), dtick=1),
        yaxis=dict(domain=[0.52, 1.0], rangemode="tozero", title=dict(text="GW")),
        yaxis2=dict(domain=[0.0, 0.42], title=dict(text="Powered share (%)"), range=[0, 105]),
    )
    return _figure(traces, layout)


def figure_json(fig: go.Figure) -> str:
    """The figure as plotly.js reads it: JSON with numeric arrays as base64 typed arrays."""
    return pio.to_json(fig, validate=False)
