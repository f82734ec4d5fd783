"""Figure export for reports: print-ready PNG/SVG through a warm Chromium.

Images are drawn by kaleido v1, which drives a local Chrome/Chromium. We keep ONE warm
`kaleido.Kaleido` per process on a private event-loop thread instead of using
`kaleido.start_sync_server`: that server launches the browser inside its thread and, when the
launch fails (no browser, a broken binary), the thread dies while `is_running()` stays True, so
every later `calc_fig_sync` blocks forever on its queue. Here the launch is awaited with a
timeout and every failure becomes `ExportUnavailable`. Nothing is ever downloaded.

The tidy CSV of a figure lives in lib/figure_data.py and the report zip in
lib/report_archive.py.
"""

from __future__ import annotations

import asyncio
import atexit
import html
import os
import shutil
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from lib.figure_data import _ISO_DATE, _as_array, _plain

FIX_MESSAGE = (
    "Image export needs Chromium: install it (e.g. `sudo apt-get install chromium`) or set "
    "BROWSER_PATH to a Chrome/Chromium binary. CSV and the interactive chart still work."
)
RENDER_FAILED_MESSAGE = (
    "Image export failed inside Chromium, which has been restarted: try again, or download the "
    "CSV; the interactive chart still works."
)
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
LAUNCH_TIMEOUT_S = 60.0  # a cold start took 2 s idle and up to 16 s on a saturated 2-core box
RENDER_TIMEOUT_S = 60.0  # per figure, inside kaleido; our outer wait adds a margin to it
TABS = 1  # a 2nd tab cut 6 warm PNGs from 1.4 s to 0.9 s but made the cold start 1.3 s slower


class ExportUnavailable(RuntimeError):
    """Image export cannot run; the message tells the user, in plain words, what to do."""

    def __init__(self, message: str = FIX_MESSAGE) -> None:
        super().__init__(message)


# --- finding and running the browser -----------------------------------------------------------


def _is_executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_browser() -> str | None:
    """Return a Chrome/Chromium binary path, or None; never downloads one.

    Order: BROWSER_PATH, AIGRID_CHROMIUM, then chromium, chromium-browser, google-chrome and
    chrome on PATH. A variable that is set but does not name an executable file yields None,
    not a fallback, so a mistyped override is reported instead of silently ignored.
    """
    for variable in ("BROWSER_PATH", "AIGRID_CHROMIUM"):
        if value := os.environ.get(variable, "").strip():
            return value if _is_executable(value) else None
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


@dataclass(frozen=True)
class _Server:
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    kaleido: object  # kaleido.Kaleido; imported lazily so importing this module stays cheap


_LOCK = threading.Lock()
_state: dict[str, _Server] = {}


def _run(server_loop: asyncio.AbstractEventLoop, coroutine, timeout_s: float):
    return asyncio.run_coroutine_threadsafe(coroutine, server_loop).result(timeout_s)


def _launch(browser_path: str) -> _Server:
    import kaleido  # here, not at the top: its import starts logging; only images need it

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="aigrid-kaleido", daemon=True)
    thread.start()

    async def create() -> kaleido.Kaleido:  # built inside the loop that will own its queues
        return kaleido.Kaleido(
            path=browser_path, n=TABS, timeout=RENDER_TIMEOUT_S, mathjax=False  # offline
        )

    server = _Server(loop, thread, None)
    try:
        server = _Server(loop, thread, _run(loop, create(), LAUNCH_TIMEOUT_S))
        _run(loop, server.kaleido.open(), LAUNCH_TIMEOUT_S)
    except Exception as error:
        _close(server)
        raise ExportUnavailable() from error
    return server


async def _cancel_pending() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:  # e.g. choreographer's watchdog, left behind when Chromium died
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _close(server: _Server) -> None:
    try:
        if server.kaleido is not None:
            _run(server.loop, server.kaleido.close(), 15)
    except Exception:  # noqa: BLE001, S110 - best effort: the browser may already be gone
        pass
    try:
        _run(server.loop, _cancel_pending(), 5)
    except Exception:  # noqa: BLE001, S110 - same: shutting down regardless
        pass
    server.loop.call_soon_threadsafe(server.loop.stop)
    server.thread.join(5)
    if not server.thread.is_alive():
        server.loop.close()


def _is_alive(server: _Server | None) -> bool:
    """The loop thread runs and Chromium has not exited (choreographer's Browser.subprocess)."""
    process = getattr(server.kaleido, "subprocess", None) if server else None
    return bool(server and server.thread.is_alive() and process and process.poll() is None)


def _ensure() -> _Server:
    with _LOCK:
        if _is_alive(server := _state.get("server")):
            return server
        if server is not None:  # Chromium exited since: tidy up what is left, off this thread
            _close_in_background(server)
        if (browser_path := find_browser()) is None:
            raise ExportUnavailable()
        _state["server"] = _launch(browser_path)
        return _state["server"]


def ensure_server() -> None:
    """Start the warm kaleido browser once per process; thread-safe and idempotent.

    Raises ExportUnavailable when no browser is found or it fails to launch (~2 s when cold).
    """
    _ensure()


def stop_server() -> None:
    """Close the warm browser if one is running (tests, shutdown); the next export restarts it."""
    with _LOCK:
        server = _state.pop("server", None)
    if server is not None:
        _close(server)


atexit.register(stop_server)


def _close_in_background(server: _Server) -> None:
    closer = threading.Thread(target=_close, args=(server,), name="aigrid-close", daemon=True)
    closer.start()


def _discard(server: _Server) -> None:
    """Forget a failed server (the next export relaunches) and close it in the background."""
    with _LOCK:
        if _state.get("server") is server:
            del _state["server"]
    _close_in_background(server)


def _render(figures: Sequence[go.Figure], fmt: str, size: PageSize) -> list[bytes]:
    """Draw figures in one batch on the warm browser; any failure restarts it next time."""
    server = _ensure()
    opts = {"format": fmt, "width": size.width_px, "height": size.height_px, "scale": size.scale}

    async def batch() -> list[bytes]:
        return list(await asyncio.gather(*(server.kaleido.calc_fig(f, opts) for f in figures)))

    try:
        return _run(server.loop, batch(), RENDER_TIMEOUT_S * len(figures) + 10)
    except Exception as error:
        _discard(server)
        raise ExportUnavailable(RENDER_FAILED_MESSAGE) from error


# --- print-ready figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class FigureContext:
    """What a printed figure must say about itself, since no page caption travels with it."""

    title: str
    subtitle: str = ""  # key scenario parameters, e.g. "Lead time 5 y · realisation 50%"
    as_of: str = ""  # e.g. "Prices as of 2026-08-21 (snapshot); ALAB to 2026-05-15"
    sources: str = ""  # one line


@dataclass(frozen=True)
class PageSize:
    """Layout size in CSS pixels; the image is width_px * scale by height_px * scale pixels."""

    name: str
    width_px: int
    height_px: int
    scale: float


SLIDE = PageSize("slide", 1600, 900, 1)  # 16:9 slide at full HD-ish width
A4 = PageSize("a4", 1123, 794, 2)  # A4 landscape at 96 dpi (297 x 210 mm), drawn at 192 dpi
HALF = PageSize("half", 800, 560, 2)  # a half-width column of a report, drawn at 2x
PAGE_SIZES = (SLIDE, A4, HALF)

# Body text is 1/52 of the width, so it stays >= 7 pt when the image is printed half the width
# of an A4 landscape page (~13 cm): 13 cm / 52 = 2.5 mm, about a 7 pt font.
BODY_FONT_FRACTION = 1 / 52
TEXT_COLOUR, GRID_COLOUR, LINE_COLOUR = "#1f1f1f", "#dcdcdc", "#555555"
CHAR_WIDTH_EM = 0.55  # glyph width of sans-serif text in em (measured ~0.5); errs towards wrapping
BOLD_CHAR_WIDTH_EM = 0.63  # the same for the bold title (a 66-character line measured 0.59 em)
LEGEND_SYMBOL_PX = 46  # a legend entry's symbol and gaps, fixed in layout pixels
SCREEN_FONT_PX = 13  # the figures' on-screen body font (lib/figures.py): annotations scale from it


def body_font_px(size: PageSize) -> int:
    """Body (tick, legend, axis title) font size in layout pixels for a page size."""
    return max(12, round(size.width_px * BODY_FONT_FRACTION))


def _wrap(text: str, width_px: float, font_px: float, em: float = CHAR_WIDTH_EM) -> list[str]:
    """Split text into lines that fit width_px, HTML-escaped for plotly's text renderer."""
    chars = max(20, int(width_px / (font_px * em)))
    return [html.escape(line, quote=False) for line in textwrap.wrap(text, chars)]


def _legend_names(fig: go.Figure) -> list[str]:
    shown = [t for t in fig.data if t.showlegend is not False and t.visible is not False]
    # plotly.js's default: a legend once the figure has two traces, even if one of them is
    # left out of it (one scenario drawn in two panels), or when one asks for it
    drawn = [t for t in fig.data if t.visible is not False]
    legend_on = (fig.layout.showlegend if fig.layout.showlegend is not None
                 else len(drawn) > 1 or any(t.showlegend is True for t in shown))
    return [t.name or "" for t in shown] if legend_on else []


def _legend_rows(names: Sequence[str], width_px: float, font_px: float) -> int:
    """Rows a horizontal legend needs: each entry is its text plus plotly.js's symbol and gap
    (about 46 px whatever the font: itemwidth 30 px and the spacing around it).
    One row when all fit; else plotly.js lays the entries out in columns as wide as the widest
    entry."""
    if not names:
        return 0
    widths = [len(name) * CHAR_WIDTH_EM * font_px + LEGEND_SYMBOL_PX for name in names]
    if sum(widths) <= width_px:
        return 1
    per_row = max(1, int(width_px // max(widths)))
    return -(-len(names) // per_row)


def _category_labels(fig: go.Figure) -> set[str]:
    """Text x values (not ISO dates) of the drawn traces: the labels of category x axes."""
    labels: set[str] = set()
    for trace in fig.data:
        x = _as_array(getattr(trace, "x", None)) if trace.visible is not False else None
        if x is not None and x.ndim == 1:
            labels |= {v for v in x.tolist() if isinstance(v, str) and not _ISO_DATE.match(v)}
    return labels


def _rotated_tick_px(fig: go.Figure, plot_width_px: float, font_px: float) -> float:
    """Extra height of category tick labels on x that plotly will tilt 30 or 90 degrees.

    plotly.js tries 0, 30 then 90 degrees until labels stop overlapping; the footer sits a
    fixed distance under the plot, so we reserve that height here.
    """
    if not (labels := _category_labels(fig)):
        return 0.0
    spacing_px = plot_width_px / len(labels)
    longest_px = max(len(label) for label in labels) * CHAR_WIDTH_EM * font_px
    if longest_px <= spacing_px * 0.9:
        return 0.0
    return longest_px * 0.5 if spacing_px * 0.5 >= 1.2 * font_px else longest_px


def _title_layout(ctx: FigureContext, fig: go.Figure, size: PageSize) -> tuple[dict, float]:
    """Title, then subtitle lines, at the top-left of the picture; and the height they take.

    The subtitle is a smaller span inside the title text rather than plotly's title.subtitle,
    whose position drifts when the title wraps. plotly.js puts the first baseline of a
    multi-line title at `y` (a single line gets a 0.7 em drop instead), so we lower it by
    0.8 em ourselves; every line then advances 1.3 em of the title font.
    """
    body = body_font_px(size)
    pad, title_px, subtitle_px = 0.8 * body, round(body * 1.35), round(body * 0.95)
    text_width = size.width_px - 2 * pad
    title_lines = _wrap(ctx.title or _plain(fig.layout.title.text), text_width, title_px,
                        BOLD_CHAR_WIDTH_EM)
    subtitle_lines = [f'<span style="font-size:{subtitle_px}px;font-weight:400">{line}</span>'
                      for line in _wrap(ctx.subtitle, text_width, subtitle_px)]
    lines = title_lines + subtitle_lines
    top_px = pad + (0.8 * title_px if len(lines) > 1 else 0)
    title = {
        "text": "<br>".join(lines),
        "font": {"size": title_px, "color": TEXT_COLOUR, "weight": 700},
        "x": pad / size.width_px, "xanchor": "left", "xref": "container",
        "y": 1 - top_px / size.height_px, "yanchor": "top", "yref": "container",
        "automargin": False,  # we reserve the space ourselves, see print_ready
    }
    return title, (pad + title_px * (1.3 * len(lines) + 0.4) if lines else 0.0)


def _footer(ctx: FigureContext, size: PageSize, below_plot_px: float) -> tuple[dict, float]:
    """Footer annotation (as-of, then sources) under the x axis, and the height it takes."""
    font_px = max(11, round(body_font_px(size) * 0.8))
    lines = [ln for text in (ctx.as_of, ctx.sources) if text
             for ln in _wrap(text, size.width_px * 0.85, font_px)]  # starts at the plot's left
    annotation = {
        "text": "<br>".join(lines), "showarrow": False, "align": "left",
        "xref": "paper", "x": 0, "xanchor": "left",
        "yref": "paper", "y": 0, "yanchor": "top", "yshift": -below_plot_px,
        "font": {"size": font_px, "color": "#4a4a4a"},
    }
    return annotation, (1.35 * font_px * len(lines) + font_px if lines else 0.0)


def _scale_annotations(fig: go.Figure, factor: float) -> float:
    """Scale the figure's own annotations (labels drawn for the screen) to the page's fonts,
    arrows included; return the height (px) of those that sit above the plot, where the legend
    goes (e.g. the 12 Dec label)."""
    above_px = 0.0
    for ann in fig.layout.annotations:
        font_px = (ann.font.size or SCREEN_FONT_PX) * factor
        ann.font.size = round(font_px)
        if ann.ax is not None and ann.axref in (None, "pixel"):
            ann.ax, ann.ay = ann.ax * factor, (ann.ay or 0) * factor
        ann.xshift, ann.yshift = (ann.xshift or 0) * factor, (ann.yshift or 0) * factor
        if ann.yref == "paper" and (ann.y or 0) >= 1:  # on the plot's top edge
            above_px = max(above_px, _height_above_point(ann, 1.5 * font_px))
    return above_px


def _height_above_point(ann, box_px: float) -> float:
    """How far (px) an annotation's text box reaches above its point: an arrow's text is
    centred on the tail (ay px below the point); otherwise yanchor decides."""
    if ann.showarrow is not False:
        return max(0.0, box_px / 2 - (ann.ay or 0))
    share = {"bottom": 1.0, "top": 0.0}.get(ann.yanchor or "auto", 0.5)
    return max(0.0, share * box_px + (ann.yshift or 0))


def _two_lines(words: list[str]) -> list[str]:
    """Words in two lines, split where the longer line is shortest."""
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return list(min(splits, key=lambda pair: max(len(pair[0]), len(pair[1]))))


def _fit_axis_titles(fig: go.Figure, plot_height_px: float, font_px: float) -> None:
    """Fit each y axis title to the height of its panel: titles of stacked panels (price over
    drawdown) run into each other when one is longer than its panel. A title that is too long
    breaks into two lines between words; if those are still too long, its font shrinks (to
    0.6 of the body at least)."""
    for name in [k for k in fig.layout if k.startswith("yaxis")]:
        axis = fig.layout[name]
        text = _plain(axis.title.text) if axis.title and axis.title.text else ""
        if not text or axis.visible is False:
            continue
        low, high = axis.domain if axis.domain else (0.0, 1.0)
        room_px = 0.92 * (high - low) * plot_height_px
        if len(text) * CHAR_WIDTH_EM * font_px <= room_px:
            continue
        words = text.split()
        lines = _two_lines(words) if len(words) > 1 else [text]
        longest = max(len(line) for line in lines)
        size_px = max(0.6 * font_px, min(font_px, room_px / (longest * CHAR_WIDTH_EM)))
        axis.title.text = "<br>".join(html.escape(line, quote=False) for line in lines)
        axis.title.font.size = round(size_px)


def print_ready(fig: go.Figure, ctx: FigureContext, size: PageSize) -> go.Figure:
    """Return a new figure laid out for a slide or page; the input is not changed.

    White background, title and subtitle at the top-left, a horizontal legend above the plot,
    a footer with ctx.as_of and ctx.sources under the x axis, fonts from body_font_px(size),
    and margins reserved from those font sizes so that nothing is clipped.
    """
    out = go.Figure(fig)  # deep copy
    body = body_font_px(size)
    title, title_px = _title_layout(ctx, out, size)
    legend_px = round(0.85 * body)  # a notch under the body: a two-panel chart keeps its room
    legend_rows = _legend_rows(_legend_names(out), size.width_px * 0.9, legend_px)
    above_px = _scale_annotations(out, 0.8 * body / SCREEN_FONT_PX)  # as the footer: 0.8 body
    # tick labels, tick gap and one line of axis title (where an x axis has one: the home
    # chart's calendar has none), plus any tilt of long category labels
    titled = any(axis.title.text for axis in out.select_xaxes())
    axis_block_px = ((3.6 if titled else 2.4) * body
                     + _rotated_tick_px(out, size.width_px * 0.85, body))
    footer, footer_px = _footer(ctx, size, axis_block_px)
    margin = {"t": round(title_px + 1.6 * legend_px * legend_rows + 0.6 * body + above_px),
              "b": round(axis_block_px + footer_px + 0.4 * body),
              "l": round(body), "r": round(1.5 * body), "pad": 4}
    plot_height_px = max(1.0, size.height_px - margin["t"] - margin["b"])
    out.update_layout(
        width=size.width_px, height=size.height_px, autosize=False,
        paper_bgcolor="white", plot_bgcolor="white",
        font={"size": body, "color": TEXT_COLOUR},
        title=title,
        # above the plot and above any label drawn over its top edge
        legend={"orientation": "h", "x": 0, "xanchor": "left",
                "y": 1 + above_px / plot_height_px, "yanchor": "bottom",
                "yref": "paper", "font": {"size": legend_px}, "bgcolor": "rgba(0,0,0,0)"},
        margin=margin,
    )
    if footer_px:
        out.add_annotation(**footer)
    axis_style = {"automargin": True, "gridcolor": GRID_COLOUR, "linecolor": LINE_COLOUR,
                  "zerolinecolor": GRID_COLOUR, "tickfont": {"size": body},
                  "title": {"font": {"size": body}}}
    out.update_xaxes(**axis_style)
    out.update_yaxes(**axis_style)
    _fit_axis_titles(out, plot_height_px, body)
    return out


def to_png(fig: go.Figure, ctx: FigureContext, size: PageSize = SLIDE) -> bytes:
    """PNG of print_ready(fig, ctx, size): width_px*scale by height_px*scale pixels.

    Raises ExportUnavailable, and no other error, when Chromium is missing or fails.
    """
    return _render([print_ready(fig, ctx, size)], "png", size)[0]


def to_svg(fig: go.Figure, ctx: FigureContext, size: PageSize = SLIDE) -> bytes:
    """SVG (UTF-8) of print_ready(fig, ctx, size); raises ExportUnavailable like to_png."""
    return _render([print_ready(fig, ctx, size)], "svg", size)[0]


def to_pngs(items: Sequence[tuple[go.Figure, FigureContext]], size: PageSize = SLIDE
            ) -> list[bytes]:
    """PNGs for many figures in one batch on the warm browser (faster than one call each)."""
    return _render([print_ready(f, c, size) for f, c in items], "png", size)
