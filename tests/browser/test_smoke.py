"""Smoke tests of the browser harness (on the hello-world app) and of every page of app.py."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from .conftest import APP_SCRIPT
from .harness import (
    PLOTLY_CHART,
    ROOT,
    assert_no_error,
    cut_metric_texts,
    drag_slider,
    nav_links,
    plotly_data,
    probe_state,
    screenshot,
    settle,
    settle_after,
    slider_value,
    start_streamlit,
)

pytestmark = pytest.mark.browser

HELLO_APP = ROOT / "benchmarks" / "hello_app.py"
HELLO_TEXT = '[data-testid="stMarkdown"]'  # st.write's output; the slider's thumb is not stMarkdown


@pytest.fixture(scope="module")
def hello_server():
    """The hello-world app (one slider, one st.write) served for this module."""
    with start_streamlit(HELLO_APP) as server:
        yield server


@pytest.fixture
def hello_page(hello_server, page):
    """The hello-world app loaded and settled in a fresh page."""
    page.goto(hello_server.url)
    settle(page)
    return page


def test_hello_text_follows_the_slider_moved_by_key(hello_page):
    """Test that three right-arrow presses on the slider show "Value is 53"."""
    assert hello_page.locator(HELLO_TEXT).inner_text() == "Value is 50"
    assert drag_slider(hello_page, "value", 3) == "53"
    assert hello_page.locator(HELLO_TEXT).inner_text() == "Value is 53"
    assert_no_error(hello_page)
    screenshot(hello_page, "hello-after-slider")


def test_hello_slider_is_found_by_its_label(hello_page):
    """Test that the slider labelled "Value" moves left and the text follows."""
    assert drag_slider(hello_page, "Value", -2) == "48"
    assert hello_page.locator(HELLO_TEXT).inner_text() == "Value is 48"
    assert slider_value(hello_page, "value") == "48"


def test_settle_after_counts_one_rerun_per_key_press(hello_page):
    """Test that one key press sends one rerun and the page settles after its run finished."""
    before = probe_state(hello_page)
    drag_slider(hello_page, "value", 1)
    after = probe_state(hello_page)
    assert after["reruns"] == before["reruns"] + 1
    assert after["finished"] == before["finished"] + 1
    assert after["lastFinishedAt"] > after["lastRerunAt"]


def test_settle_after_fails_when_the_action_sends_no_rerun(hello_page):
    """Test that settle_after raises instead of passing on a page that never reran."""
    with pytest.raises(TimeoutError, match="no rerun"):
        settle_after(hello_page, lambda: None, timeout_ms=1_000)


def test_missing_slider_is_reported_with_the_known_labels(hello_page):
    """Test that asking for an unknown slider names the sliders on the page."""
    with pytest.raises(LookupError, match="Value"):
        drag_slider(hello_page, "no_such_key", 1)


def test_server_log_is_captured(hello_server):
    """Test that the server's output reaches its log file."""
    assert str(hello_server.port) in hello_server.log_text()


@pytest.mark.skipif(not APP_SCRIPT.exists(), reason="app.py does not exist yet")
def test_every_page_of_the_app_loads_without_error(app_server, page):
    """Test that the root and each navigation link show their page with no error and no headline
    number's label or value cut short at 1440 px."""
    page.goto(app_server.url)
    settle(page)
    assert_no_error(page)
    assert not cut_metric_texts(page)
    screenshot(page, "app-root")
    for link in nav_links(page):
        if link["current"]:  # the root page, checked above: clicking it would not rerun
            continue
        settle_after(page, page.locator(f'a[href="{link["href"]}"]').first.click)
        assert urlparse(page.url).path == link["path"]
        assert page.locator(f'a[href="{link["href"]}"][aria-current="page"]').count()
        assert_no_error(page)
        assert not cut_metric_texts(page), link["path"]
        for index in range(page.locator(PLOTLY_CHART).count()):
            assert plotly_data(page, index), f"chart {index} on {link['path']} has no traces"
        # a screen reader names each chart by its title (it read the axis numbers)
        labels = page.locator(PLOTLY_CHART).evaluate_all(
            "els => els.map(e => [e.getAttribute('role'), e.getAttribute('aria-label')])")
        assert all(role == "img" and label for role, label in labels), labels
        screenshot(page, f"app-{link['path'].strip('/') or 'root'}")
