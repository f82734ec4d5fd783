"""Exported figures laid out as a reader sees them: every figure the app exports, at every page
size, drawn by plotly.js in Chromium, with no text running off the picture or over other text.

Kaleido draws the PNGs with the same plotly.js layout and the same system fonts; drawing the
print-ready figure in a page lets the test measure each piece of text where it lands.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from lib import events, export, market, report, settings
from lib.prices import get_prices

from .harness import ROOT

pytestmark = pytest.mark.browser

PLOTLY_JS = next((ROOT / "static" / "vendor").glob("plotly-basic-*.min.js"))

# Boxes of the text a reader must be able to read: the title, axis titles, annotations (the
# footer, the first-shortfall and 12 Dec labels) and each legend entry. Tick labels are left out:
# plotly.js thins and tilts them itself.
TEXT_BOXES_JS = r"""
(spec) => {
  const gd = document.getElementById('fig');
  return Plotly.newPlot(gd, spec.data, spec.layout, {staticPlot: true}).then(() => {
    const box = (el, kind) => {
      const r = el.getBoundingClientRect();
      return {kind, text: el.textContent.slice(0, 60), left: r.left, right: r.right,
              top: r.top, bottom: r.bottom};
    };
    const out = [];
    gd.querySelectorAll('.g-gtitle text').forEach((e) => out.push(box(e, 'title')));
    gd.querySelectorAll('.infolayer g[class$="title"] text').forEach((e) => {
      if (!e.closest('.g-gtitle') && e.textContent) out.push(box(e, 'axis title'));
    });
    gd.querySelectorAll('.annotation-text-g').forEach((e) => out.push(box(e, 'annotation')));
    gd.querySelectorAll('.legend .traces').forEach((e) => out.push(box(e, 'legend')));
    return out;
  });
}
"""


def _market_page_figure():
    """The Market page's chart as its PNG button exports it: events, crash label, long title."""
    frame = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True).frame
    view = market.market_view(frame, market.DEFAULT_RANGE, market.VIEW_MODES[0])
    shown = events.chart_events(events.load_events(), list(view.values.columns), view.start,
                                view.end, include_grid=False)
    fig, context = report.market_chart(frame, view, shown,
                                       "Prices as of 21 Aug 2026")
    return "market-page", fig, context


def _exported_figures():
    result = get_prices(["^IXIC", "ORCL", "AVGO", "ALAB"], offline=True)
    saved = [("Fast", settings.preset_scenario("Fast build-out"))]  # adds the comparison
    items, _ = report.report_items(result.frame, result.provenance, settings.default_scenario(),
                                   saved, date(2026, 11, 27))
    return [*items, _market_page_figure()]


FIGURES = _exported_figures()


def _overlap(a: dict, b: dict, slack_px: float = 1.0) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack_px
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack_px)


@pytest.fixture(scope="module")
def plot_page(browser):
    context = browser.new_context(viewport={"width": 1700, "height": 1000})
    page = context.new_page()
    page.set_content('<body style="margin:0"><div id="fig"></div></body>')
    page.add_script_tag(content=PLOTLY_JS.read_text())
    yield page
    context.close()


@pytest.mark.parametrize("size", export.PAGE_SIZES, ids=lambda s: s.name)
@pytest.mark.parametrize(("slug", "fig", "ctx"), FIGURES, ids=[f[0] for f in FIGURES])
def test_exported_text_stays_on_the_picture_and_off_other_text(plot_page, slug, fig, ctx, size):
    """Test that, as exported, the title, axis titles, annotations and legend entries of each
    figure lie inside the picture and overlap none of the others."""
    ready = export.print_ready(fig, ctx, size)
    plot_page.set_viewport_size({"width": size.width_px, "height": size.height_px})
    boxes = plot_page.evaluate(TEXT_BOXES_JS, json.loads(ready.to_json()))
    assert any(b["kind"] == "title" for b in boxes)
    outside = [b["text"] for b in boxes if b["left"] < -1 or b["top"] < -1
               or b["right"] > size.width_px + 1 or b["bottom"] > size.height_px + 1]
    assert not outside, f"{slug} at {size.name}: off the picture: {outside}"
    clashes = [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
               if not (a["kind"] == b["kind"] == "legend") and _overlap(a, b)]
    assert not clashes, f"{slug} at {size.name}: text over text: {clashes}"


@pytest.mark.parametrize("size", export.PAGE_SIZES, ids=lambda s: s.name)
@pytest.mark.parametrize(("slug", "fig", "ctx"), FIGURES, ids=[f[0] for f in FIGURES])
def test_exported_axis_titles_wrap_between_words_in_two_lines_at_most(slug, fig, ctx, size):
    """Test that a y-axis title wrapped to fit its panel breaks between words ("Rebased (100 =
    / start)", never "Rebase / d") and takes at most two lines."""
    ready = export.print_ready(fig, ctx, size)
    for name in [k for k in ready.layout if k.startswith("yaxis")]:
        axis = ready.layout[name]
        if not (axis.title and axis.title.text) or axis.visible is False:
            continue
        lines = axis.title.text.split("<br>")
        original = fig.layout[name].title.text
        assert " ".join(lines) == original, (slug, size.name, lines)
        assert len(lines) <= 2, (slug, size.name, lines)
