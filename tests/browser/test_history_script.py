"""lib/history.js on its own, in Chromium: a page that looks to it like a Streamlit page, whose
runs, address-bar writes and component redraws the test makes in a chosen order. The real app
makes them in an order its timing picks (see tests/browser/test_pages.py for the app)."""

from __future__ import annotations

import pytest

from .harness import ROOT

pytestmark = pytest.mark.browser

ORIGIN = "http://aigrid.test"
SCRIPT = (ROOT / "lib" / "history.js").read_text()
# The component's module as a classic script: its default export becomes a global to call.
CLASSIC = SCRIPT.replace("export default function", "window.__historyComponent = function", 1)
PAGE = """<!doctype html><html><body>
<div data-testid="stApp" data-test-script-state="notRunning"><div id="host"></div></div>
<script>window.__sent = [];</script></body></html>"""

# A run drawn: Streamlit redraws the component (its data change every full run).
DRAW = """() => window.__historyComponent({
  parentElement: document.getElementById('host'),
  setTriggerValue: (name, value) => window.__sent.push([name, value]),
})"""


def _state(page, value: str) -> None:
    """Set the script-run attribute and let the script's observer see it."""
    page.evaluate("""async (v) => {
      document.querySelector('[data-testid="stApp"]').setAttribute('data-test-script-state', v);
      await new Promise((r) => setTimeout(r, 0));
    }""", value)


def _run(page, address: str | None = None) -> None:
    """One full run seen as it is without load: "running", the address written, the component
    drawn, then "notRunning"."""
    _state(page, "running")
    if address is not None:
        page.evaluate("(url) => history.replaceState(null, '', url)", address)
    page.evaluate(DRAW)
    _state(page, "notRunning")


@pytest.fixture
def app_like(page):
    """The script installed on / with the preset's parameters, drawn once, then a click on a
    page link that opens /grid with them (a new entry)."""
    page.route(f"{ORIGIN}/**", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.goto(f"{ORIGIN}/?realisation_pct=100")
    page.add_script_tag(content=CLASSIC)
    _run(page)
    page.mouse.click(5, 5)  # the visitor's click: its first entry is kept
    page.evaluate("() => history.pushState(null, '', '/grid?realisation_pct=100')")
    _run(page)
    return page


def _sent(page) -> list:
    return page.evaluate("() => window.__sent")


def test_back_restores_the_dropped_parameters_when_the_run_is_seen(app_like):
    """Test that Back to the preset's entry, whose run drops its parameters (Streamlit's page
    switch), sends the entry's query string to the server once the run ends."""
    page = app_like
    page.go_back()
    page.wait_for_function("() => location.pathname === '/'")
    _run(page, "/")
    page.wait_for_function("() => window.__sent.length > 0")
    assert _sent(page) == [["restore", "?realisation_pct=100"]]


def test_back_restores_when_the_runs_start_and_end_arrive_together(app_like):
    """Test that the restore is sent when the Back run's "running" never reaches the page:
    under load Streamlit takes in a run's first and last messages in one go, and React commits
    them together, so the attribute stays "notRunning" throughout. The run shows by the
    address it writes and the component it redraws."""
    page = app_like
    page.go_back()
    page.wait_for_function("() => location.pathname === '/'")
    page.evaluate(f"""() => {{ history.replaceState(null, '', '/'); ({DRAW})(); }}""")
    page.wait_for_function("() => window.__sent.length > 0", timeout=5000)
    assert _sent(page) == [["restore", "?realisation_pct=100"]]


def test_a_redraw_before_the_back_run_switches_the_page_sends_nothing(app_like):
    """Test that a redraw while the entry's parameters are still in the address bar (a run
    that was under way when Back was pressed) sends no restore, and that the Back run which
    then keeps them sends none either."""
    page = app_like
    page.go_back()
    page.wait_for_function("() => location.pathname === '/'")
    page.evaluate(DRAW)
    _run(page)
    page.evaluate("() => new Promise((r) => setTimeout(r, 50))")
    assert _sent(page) == []
    assert page.evaluate("() => location.search") == "?realisation_pct=100"


def test_a_run_that_drops_parameters_without_back_sends_nothing(app_like):
    """Test that only Back or Forward entries are restored: a run of the app's own that
    writes an address without the parameters (a reset) is left alone."""
    page = app_like
    page.evaluate(f"""() => {{ history.replaceState(null, '', '/grid'); ({DRAW})(); }}""")
    _run(page)
    page.evaluate("() => new Promise((r) => setTimeout(r, 50))")
    assert _sent(page) == []
