"""Fixtures for the browser tests: a real `streamlit run` of app.py and headless Chromium."""

from __future__ import annotations

import pytest

from .harness import (
    ROOT,
    console_errors,
    find_chromium,
    launch_browser,
    new_context,
    new_page,
    screenshot,
    screenshot_path,
    start_streamlit,
)

APP_SCRIPT = ROOT / "app.py"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so `page` can screenshot failures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium to drive; skips the browser tests when there is none."""
    path = find_chromium()
    if path is None:
        pytest.skip(
            "no Chromium found: set AIGRID_CHROMIUM or BROWSER_PATH, or run `make chromium`"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the session (Playwright's sync API)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = launch_browser(playwright, chromium_path)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_server():
    """The repository's app.py served by `streamlit run` for the whole session."""
    if not APP_SCRIPT.exists():
        pytest.skip("app.py does not exist yet")
    with start_streamlit(APP_SCRIPT) as server:
        yield server


@pytest.fixture
def page(browser, request):
    """A page in a fresh 1440×900 context; a failed test leaves a screenshot and its console."""
    screenshot_path(f"failed-{request.node.name}").unlink(missing_ok=True)  # a stale one
    context = new_context(browser)
    page = new_page(context)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        try:
            print(f"screenshot of the failure: {screenshot(page, f'failed-{request.node.name}')}")
        except Exception as exc:  # noqa: BLE001 - a dead page must not hide the test's own error
            print(f"no screenshot of the failure: {exc}")
    errors = console_errors(page)
    if errors:
        print("browser console errors:", *errors, sep="\n  ")
    context.close()
