"""Tests for lib/export.py: print-ready figures, PNG/SVG through Chromium, CSV and report zip."""

import html
import io
import json
import re
import struct
import threading
import xml.etree.ElementTree as ET
import zipfile
import zlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lib import export
from lib.export import (
    A4,
    FIX_MESSAGE,
    HALF,
    PAGE_SIZES,
    SLIDE,
    ExportUnavailable,
    FigureContext,
    PageSize,
    body_font_px,
    ensure_server,
    find_browser,
    print_ready,
    to_png,
    to_pngs,
    to_svg,
)
from lib.figure_data import figure_data_csv
from lib.report_archive import build_report_zip

needs_chromium = pytest.mark.skipif(find_browser() is None, reason="no Chrome/Chromium found")
SMALL = PageSize("small", 480, 320, 1)  # keeps the pure-Python PNG decoder quick
CTX = FigureContext(
    title="Demand & supply: the grid falls behind",
    subtitle="Lead time 5 y · tranche 10 GW every 2 y · realisation 50%",
    as_of="Prices as of 2026-08-21 (snapshot); ALAB to 2026-05-15",
    sources="LBNL 2024 data-centre report; EIA-860M",
)


def gap_figure() -> go.Figure:
    """A grid-gap chart: demand, stepped supply, shortfall bars, a toggled and a hidden trace."""
    years = np.arange(2025, 2036)
    demand_gw = 5.0 + 3.2 * (years - 2025)
    supply_gw = 5.0 + 5.0 * ((years - 2025) // 2)
    fig = go.Figure([
        go.Scatter(x=years, y=demand_gw, name="Demand (GW)"),
        go.Scatter(x=years, y=supply_gw, name="Powered supply (GW)", line_shape="hv"),
        go.Bar(x=years, y=np.maximum(demand_gw - supply_gw, 0), name="Shortfall (GW)"),
        go.Scatter(x=years, y=demand_gw * 1.2, name="High demand (GW)", visible="legendonly"),
        go.Scatter(x=years, y=np.zeros(len(years)), name="helper", visible=False),
    ])
    return fig.update_layout(xaxis_title="Year", yaxis_title="Capacity (GW)")


def price_figure(seed: int) -> go.Figure:
    """Rebased closes of four symbols over ~2 years of business days."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-09-02", "2026-08-21", freq="B")
    traces = [go.Scatter(x=dates, y=100 * np.exp(rng.normal(0, 0.02, len(dates)).cumsum()),
                         name=symbol) for symbol in ("NVDA", "ORCL", "AVGO", "ALAB")]
    return go.Figure(traces).update_layout(yaxis_title="Close, rebased (= 100)")


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def png_pixels(png: bytes) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG into a (height, width, channels) array (PNG spec filters)."""
    width, height = png_size(png)
    bit_depth, colour_type = png[24], png[25]
    assert bit_depth == 8 and colour_type in (2, 6)
    bpp = 3 if colour_type == 2 else 4
    chunks, pos = [], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunks += [png[pos + 8:pos + 8 + length]] if kind == b"IDAT" else []
        pos += 12 + length
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a, b = (row[i - bpp] if i >= bpp else 0), prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pred = {0: 0, 1: a, 2: b, 3: (a + b) // 2,
                    4: a if abs(p - a) <= min(abs(p - b), abs(p - c))
                    else (b if abs(p - b) <= abs(p - c) else c)}[kind]
            row[i] = (row[i] + pred) & 0xFF
        rows.append(bytes(row))
        prev = row
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, bpp)


def svg_text(svg: bytes) -> str:
    """All text content of an SVG, as a reader of the picture would see it."""
    return " ".join("".join(element.itertext()) for element in ET.fromstring(svg).iter()
                    if element.tag.endswith("}text"))


@pytest.fixture(scope="module")
def warm_server():
    """One warm Chromium for the image tests of this module."""
    ensure_server()
    yield
    export.stop_server()


@pytest.fixture
def no_browser(monkeypatch, tmp_path):
    """No override variables and an empty PATH: nothing to launch."""
    export.stop_server()
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.delenv("AIGRID_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


def fake_binary(tmp_path, name: str, script: str = "exit 1") -> str:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return str(path)


# --- find_browser and the no-Chromium path -----------------------------------------------------


def test_find_browser_prefers_browser_path_then_aigrid_chromium_then_path(no_browser, monkeypatch,
                                                                           tmp_path):
    """Test that the override variables win, in order, over a browser on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    on_path = fake_binary(bin_dir, "chromium-browser")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert find_browser() == on_path
    monkeypatch.setenv("AIGRID_CHROMIUM", fake_binary(tmp_path, "aigrid-chrome"))
    assert find_browser() == str(tmp_path / "aigrid-chrome")
    monkeypatch.setenv("BROWSER_PATH", fake_binary(tmp_path, "my-chrome"))
    assert find_browser() == str(tmp_path / "my-chrome")


def test_find_browser_returns_none_with_empty_path_or_a_missing_override(no_browser, monkeypatch,
                                                                         tmp_path):
    """Test that nothing is found (and nothing downloaded) when no browser is reachable."""
    assert find_browser() is None
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    assert find_browser() is None  # a mistyped override is not silently replaced


@pytest.mark.parametrize("export_call", [to_png, to_svg])
def test_export_without_a_browser_raises_the_one_fix_message(no_browser, export_call):
    """Test that a missing browser gives ExportUnavailable telling the user how to fix it."""
    with pytest.raises(ExportUnavailable) as raised:
        export_call(gap_figure(), CTX)
    assert str(raised.value) == FIX_MESSAGE
    assert "BROWSER_PATH" in str(raised.value) and "apt-get install chromium" in str(raised.value)


def test_a_nonexistent_browser_path_raises_export_unavailable(no_browser, monkeypatch, tmp_path):
    """Test that BROWSER_PATH naming a missing file fails cleanly even with Chromium on PATH."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    with pytest.raises(ExportUnavailable, match="set BROWSER_PATH"):
        to_png(gap_figure(), CTX)


@pytest.mark.timeout(90)
def test_a_browser_that_dies_on_launch_raises_instead_of_hanging(no_browser, monkeypatch,
                                                                  tmp_path):
    """Test that a binary that exits at once raises ExportUnavailable rather than hanging."""
    monkeypatch.setenv("BROWSER_PATH", fake_binary(tmp_path, "broken-chrome"))
    with pytest.raises(ExportUnavailable) as raised:
        to_png(gap_figure(), CTX)
    assert str(raised.value) == FIX_MESSAGE and raised.value.__cause__ is not None


def test_report_zip_without_a_browser_still_holds_csvs_and_summary(no_browser):
    """Test that the zip keeps data and summary, and says why images are missing."""
    figures = [("Grid gap", gap_figure(), CTX), ("Prices", price_figure(1), CTX)]
    data, notices = build_report_zip(figures, "# Summary\n\nThe grid lags.")
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == {"grid-gap.csv", "prices.csv", "summary.md", "summary.html", "manifest.json"}
    assert len(notices) == 1 and FIX_MESSAGE in notices[0]


# --- print_ready ---------------------------------------------------------------------------------


def test_print_ready_returns_a_new_figure_and_leaves_the_input_alone():
    """Test that print_ready does not mutate its input."""
    fig = gap_figure()
    before = fig.to_json()
    out = print_ready(fig, CTX, SLIDE)
    assert fig.to_json() == before
    assert out is not fig and out.to_json() != before


def test_print_ready_puts_title_subtitle_as_of_and_sources_in_the_picture():
    """Test that all provenance text is inside the figure, on a white background."""
    out = print_ready(gap_figure(), CTX, SLIDE)
    title = html.unescape(out.layout.title.text)
    assert CTX.title in title and CTX.subtitle in title
    footer = html.unescape(" ".join(a.text for a in out.layout.annotations)).replace("<br>", " ")
    assert CTX.as_of in footer and CTX.sources in footer
    assert out.layout.paper_bgcolor == "white" and out.layout.plot_bgcolor == "white"
    assert (out.layout.width, out.layout.height) == (1600, 900)


@pytest.mark.parametrize("size", PAGE_SIZES, ids=lambda s: s.name)
def test_body_text_is_at_least_7_pt_when_printed_at_half_a4_landscape_width(size):
    """Test that fonts stay readable when the image fills half of a 297 mm page."""
    out = print_ready(gap_figure(), CTX, size)
    printed_mm = out.layout.font.size / size.width_px * 130  # half of 297 mm less margins
    assert printed_mm >= 7 * 0.3528 * 0.95  # 7 pt in mm, with 5% slack for rounding
    assert out.layout.xaxis.tickfont.size == body_font_px(size)


@settings(max_examples=30, deadline=None)
@given(title=hs.text(hs.characters(min_codepoint=32, max_codepoint=0x24F), max_size=300))
def test_title_wrapping_and_escaping_lose_no_characters(title):
    """Test that any title survives wrapping and HTML escaping word for word."""
    out = print_ready(go.Figure(), FigureContext(title=title), A4)
    shown = html.unescape(out.layout.title.text.replace("<br>", " "))
    assert shown.split() == title.split()


# --- images --------------------------------------------------------------------------------------


@needs_chromium
@pytest.mark.parametrize("size", [SLIDE, HALF], ids=lambda s: s.name)
def test_png_has_the_page_size_in_pixels(warm_server, size):
    """Test that the PNG header carries width and height times scale."""
    assert png_size(to_png(gap_figure(), CTX, size)) == (
        size.width_px * size.scale, size.height_px * size.scale)


@needs_chromium
def test_png_is_a_real_chart_with_title_and_footer_drawn(warm_server):
    """Test that pixels vary, the background is white, and text is drawn at top and bottom."""
    pixels = png_pixels(to_png(gap_figure(), CTX, SMALL))[:, :, :3].astype(int)
    assert pixels.shape == (320, 480, 3)
    white = (pixels == 255).all(axis=2)
    assert 0.5 < white.mean() < 0.98  # mostly paper, but plenty drawn on it
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20  # colours, anti-aliased text
    ink = pixels.sum(axis=2) < 400  # text (#1f1f1f title, #4a4a4a footer), not grid lines
    assert ink[:20].any() and ink[-25:].any()  # title at the top, footer at the bottom


@needs_chromium
def test_svg_parses_and_shows_title_subtitle_as_of_and_sources(warm_server):
    """Test that the SVG is well-formed XML whose text includes all provenance lines."""
    text = " ".join(svg_text(to_svg(gap_figure(), CTX)).split())
    for expected in ("Demand & supply", "the grid falls behind", "realisation 50%",
                     "Prices as of 2026-08-21", "EIA-860M", "Capacity (GW)"):
        assert expected in text


@needs_chromium
def test_six_figures_render_to_pngs_in_one_call(warm_server):
    """Test that a six-figure report renders in one call, each PNG at the slide's size (its
    time against the 5 s budget is measured by make bench, not here)."""
    items = [(price_figure(seed) if seed % 2 else gap_figure(), CTX) for seed in range(6)]
    pngs = to_pngs(items, SLIDE)
    assert [png_size(p) for p in pngs] == [(1600, 900)] * 6


@needs_chromium
def test_ensure_server_launches_one_browser_for_concurrent_callers(monkeypatch):
    """Test that four threads asking at once start Chromium exactly once."""
    export.stop_server()
    launches = []
    real_launch = export._launch
    monkeypatch.setattr(export, "_launch", lambda path: launches.append(path) or real_launch(path))
    threads = [threading.Thread(target=ensure_server) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ensure_server()
    assert len(launches) == 1


@needs_chromium
def test_a_render_failure_raises_export_unavailable_and_the_next_export_recovers(warm_server,
                                                                                  monkeypatch):
    """Test that a crash inside kaleido surfaces as ExportUnavailable, then Chromium restarts."""
    async def crash(*args, **kwargs):
        raise RuntimeError("tab crashed")

    monkeypatch.setattr(export._ensure().kaleido, "calc_fig", crash)
    with pytest.raises(ExportUnavailable, match="restarted"):
        to_png(gap_figure(), CTX, SMALL)
    assert png_size(to_png(gap_figure(), CTX, SMALL)) == (480, 320)


@needs_chromium
def test_an_export_after_chromium_exited_relaunches_it(warm_server):
    """Test that a browser that died between exports is replaced, not reused."""
    process = export._ensure().kaleido.subprocess  # the Chromium this test module started
    process.kill()
    process.wait(10)
    assert png_size(to_png(gap_figure(), CTX, SMALL)) == (480, 320)


# --- CSV -----------------------------------------------------------------------------------------


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data))


def test_csv_has_one_row_per_plotted_point_named_by_axis_titles():
    """Test columns and row count: legendonly traces kept, visible=False skipped."""
    frame = read_csv(figure_data_csv(gap_figure()))
    assert frame.columns.tolist() == ["Trace", "Year", "Capacity (GW)"]
    assert len(frame) == 4 * 11
    assert "helper" not in set(frame["Trace"]) and "High demand (GW)" in set(frame["Trace"])


def test_csv_values_equal_the_figure_data():
    """Test that each trace's x and y come back exactly."""
    fig, frame = gap_figure(), read_csv(figure_data_csv(gap_figure()))
    for trace in fig.data[:4]:
        rows = frame[frame["Trace"] == trace.name]
        assert rows["Year"].tolist() == list(trace.x)
        assert rows["Capacity (GW)"].tolist() == list(trace.y)


@settings(max_examples=40, deadline=None)
@given(values=hs.lists(hs.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1,
                       max_size=50))
def test_csv_round_trips_any_float_exactly(values):
    """Test that no float loses precision on its way through the CSV."""
    frame = read_csv(figure_data_csv(go.Figure(go.Scatter(y=values, name="s"))))
    assert frame["Y"].tolist() == values
    assert frame["X"].tolist() == list(range(len(values)))  # implicit x: x0 + i * dx


def test_csv_decodes_plotly_typed_arrays_from_a_figure_dict():
    """Test that a figure rebuilt from to_dict() (base64 arrays) gives the same CSV."""
    fig = gap_figure()
    assert figure_data_csv(go.Figure(fig.to_dict())) == figure_data_csv(fig)


def test_csv_keeps_dates_bar_base_and_per_row_axis_titles():
    """Test dates as ISO days, a scalar bar base on every row, and mixed y-axis titles."""
    fig = price_figure(3).update_layout(yaxis2={"title": {"text": "Added (GW)"},
                                                "overlaying": "y", "side": "right"})
    fig.add_trace(go.Bar(x=["2025-01-06", "2025-04-07"], y=[1.5, 2.0], base=0.5,
                         name="Added (GW)", yaxis="y2"))
    frame = read_csv(figure_data_csv(fig))
    assert frame.columns.tolist() == ["Trace", "X", "Y", "Y axis", "Base"]
    bars = frame[frame["Trace"] == "Added (GW)"]
    assert bars["X"].tolist() == ["2025-01-06", "2025-04-07"] and bars["Base"].tolist() == [0.5] * 2
    assert set(frame["Y axis"]) == {"Close, rebased (= 100)", "Added (GW)"}
    assert frame["X"].iloc[0] == "2024-09-02"


def test_csv_of_a_histogram_lists_its_raw_samples_with_no_invented_y():
    """Test that a histogram exports its samples, not an index posing as counts."""
    frame = read_csv(figure_data_csv(go.Figure(go.Histogram(x=[1.5, 2.5, 2.5], name="h"))))
    assert frame["X"].tolist() == [1.5, 2.5, 2.5] and frame["Y"].isna().all()


def test_csv_rejects_traces_without_x_or_y():
    """Test that a pie chart is refused by name rather than exported wrongly."""
    with pytest.raises(ValueError, match="pie"):
        figure_data_csv(go.Figure(go.Pie(labels=["a", "b"], values=[1, 2])))


# --- report zip ----------------------------------------------------------------------------------


@needs_chromium
def test_report_zip_holds_exactly_what_its_manifest_lists(warm_server):
    """Test files, their sizes, PNG per figure and CSV bytes against the manifest."""
    figures = [("Grid gap", gap_figure(), CTX), ("Grid gap", price_figure(2), CTX)]
    data, notices = build_report_zip(figures, "# Findings\n\n- The grid lags <badly>.", size=HALF)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["file"]: entry["bytes"] for entry in manifest["files"]}
    assert set(archive.namelist()) == set(listed) | {"manifest.json"}
    assert all(len(archive.read(name)) == size for name, size in listed.items())
    assert {"grid-gap.png", "grid-gap-2.png", "grid-gap.csv", "grid-gap-2.csv"} <= set(listed)
    assert png_size(archive.read("grid-gap-2.png")) == (1600, 1120)
    assert archive.read("grid-gap.csv") == figure_data_csv(gap_figure()) and notices == []


def test_summary_html_renders_markdown_and_links_each_figure(no_browser):
    """Test headings, lists, escaping, and a data link per figure in summary.html."""
    data, _ = build_report_zip([("Grid gap", gap_figure(), CTX)],
                               "# Findings\n\n- The grid lags <script>x</script>\n- **5 GW** short")
    page = zipfile.ZipFile(io.BytesIO(data)).read("summary.html").decode()
    assert "<h1>Findings</h1>" in page and "<strong>5 GW</strong>" in page
    assert re.search(r"<ul>\s*<li>The grid lags &lt;script&gt;", page)
    assert '<a href="grid-gap.csv">' in page and "<img" not in page  # no PNG without a browser


def test_csv_text_columns_hold_plain_text_not_the_charts_markup():
    """Test that hover and label text reach the CSV without plotly's tags or entities: an event
    "<b>ORCL</b> falls<br><i>Reuters</i>" reads "ORCL falls | Reuters"."""
    fig = go.Figure(go.Scatter(x=["2025-12-12"], y=[1.0], name="Events",
                               hovertext=["<b>ORCL</b> falls &amp; more<br><i>Reuters</i>"],
                               text=["<b>12%</b>"]))
    frame = read_csv(figure_data_csv(fig))
    assert frame["Hover text"].tolist() == ["ORCL falls & more | Reuters"]
    assert frame["Text"].tolist() == ["12%"]
