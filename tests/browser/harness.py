"""Browser-test harness: a real `streamlit run` driven by headless Chromium.

One implementation for the browser tests (tests/browser) and the benchmarks (benchmarks/run.py).

Settling, and the race it avoids: right after an interaction `[data-testid="stApp"]` still reads
`data-test-script-state="notRunning"` until the server's "running" message arrives, and React may
batch "running" and "notRunning" into one commit, so the attribute alone can miss a rerun. An init
script (PROBE_JS) wraps the page's WebSocket and reads the top-level protobuf fields of each frame:
it counts the rerun requests the page sends (BackMsg.rerun_script) and the runs the server finishes
(ForwardMsg.script_finished, not counting FINISHED_EARLY_FOR_RERUN, which a newer run replaces).
The page is settled when no rerun request is newer than the last finished run, two animation frames
have passed since that finish (React has committed its deltas), the attribute reads notRunning, no
lazily loaded element still shows its stSkeleton placeholder, every visible chart (the app's
chart component, .aigrid-chart) has no figure pending and is drawn or shows its could-not-draw
note (which error_texts reports), and each of the app's components has made its element. So
settle() is safe as soon as an action has sent its rerun; settle_after(page, action) also
proves that the action sent one (it fails when nothing reran).

Streamlit 1.67 frontend contract, checked in static/js/index.*.js and Slider.*.js:
  stApp[data-test-script-state]: initial | running | rerunRequested | stopRequested |
    compilationError | notRunning;  stApp[data-test-connection-state]: CONNECTED, ...
  stException, stAlertContentError (stAlertContent + capitalised kind), stBidiComponent*
  (an st.components.v2 element's container),
  stSlider (a react-aria slider: its thumb is a visually hidden <input type="range">, no role
  attribute), stSidebarNav / stSidebarNavLink (stTopNavLink with position="top"), and the class
  st-key-<key> (characters outside [A-Za-z0-9_-] become "-") on a keyed element's container.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = ROOT / "artifacts"  # gitignored
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
LOG_DIR = ARTIFACTS_DIR / "logs"

# No sandbox: CI runs as root. No QUIC, sync or component updates: the machine has no internet.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1440, "height": 900}
HEALTH_TIMEOUT_S = 60.0  # a cold `streamlit run` imports pandas and plotly: ~5 s here
HEALTH_POLL_S = 0.2
STOP_TIMEOUT_S = 10.0
SETTLE_TIMEOUT_MS = 30_000

APP = '[data-testid="stApp"]'
SCRIPT_STATE_ATTR = "data-test-script-state"
NOT_RUNNING = "notRunning"
# The app's chart component: the div Plotly draws into and updates with Plotly.react
# (data-pending while a figure is applied).
PLOTLY_CHART = ".aigrid-chart"
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
CHART_ERROR = ".aigrid-chart-error"  # the chart component's note when it could not draw
SLIDER = '[data-testid="stSlider"]'
SLIDER_THUMB = 'input[type="range"], [role="slider"]'
NAV_LINK = '[data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"]'

# This machine has no internet: a resource from another host (a Material icon as favicon from
# fonts.gstatic.com) fails with net::ERR_*. Such errors are kept apart in ConsoleLog.offline.
LOCAL_URL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")

PROBE_JS = r"""
(() => {
  if (window.__aigrid) return;
  const s = window.__aigrid = {
    wsFrames: 0, finished: 0, finishedEarly: 0, lastFinishedAt: -1, lastFinishStatus: null,
    framesAfterFinish: 0, reruns: 0, lastRerunAt: -1, serverRunning: null,
    lastKeydownAt: -1, transitions: [],
  };
  const now = () => performance.now();
  // Top-level protobuf fields of one frame: [field number, wire type, value or bytes].
  const fields = (data) => {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) return [];
    const b = data instanceof ArrayBuffer ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const out = []; let i = 0;
    const varint = () => {
      let r = 0, m = 1, byte;
      do {
        if (i >= b.length) throw new RangeError();
        byte = b[i++]; r += (byte & 127) * m; m *= 128;
      } while (byte & 128);
      return r;
    };
    try {
      while (i < b.length) {
        const tag = varint(), f = Math.floor(tag / 8), w = tag & 7;
        if (w === 0) out.push([f, w, varint()]);
        else if (w === 2) { const n = varint(); out.push([f, w, b.subarray(i, i + n)]); i += n; }
        else if (w === 1) i += 8; else if (w === 5) i += 4; else break;
      }
    } catch (e) { /* a truncated frame: keep what was read */ }
    return out;
  };
  const onFrame = (data) => {
    s.wsFrames++;
    for (const [f, w, v] of fields(data)) {
      if (f === 6 && w === 0) {  // ForwardMsg.script_finished
        if (v === 2) { s.finishedEarly++; continue; }  // FINISHED_EARLY_FOR_RERUN
        const n = ++s.finished;
        s.lastFinishedAt = now(); s.lastFinishStatus = v;
        requestAnimationFrame(() => requestAnimationFrame(() => {
          s.framesAfterFinish = Math.max(s.framesAfterFinish, n);
        }));
      } else if (f === 9 && w === 2) {  // ForwardMsg.session_status_changed
        s.serverRunning = fields(v).some(([g, x, y]) => g === 2 && x === 0 && y === 1);
      }
    }
  };
  const onSend = (data) => {
    // BackMsg.rerun_script: a widget change, a page switch, a rerun request
    if (fields(data).some(([f]) => f === 11)) { s.reruns++; s.lastRerunAt = now(); }
  };
  const Native = window.WebSocket;
  class ProbedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => onFrame(e.data));  // before Streamlit's listener
    }
    send(data) { onSend(data); return super.send(data); }
  }
  window.WebSocket = ProbedWebSocket;
  addEventListener('keydown', () => { s.lastKeydownAt = now(); }, true);
  new MutationObserver((records) => {
    for (const r of records) {
      const v = r.target.getAttribute(r.attributeName);
      if (r.oldValue !== v) s.transitions.push([Math.round(now()), v]);
    }
    if (s.transitions.length > 200) s.transitions.splice(0, 100);
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
  // The app's components mount in two steps: their JS module loads, then makes its element
  // (class aigrid-*: .aigrid-chart, .aigrid-link); until then the container counts as undrawn.
  s.undrawnCharts = () => Array.from(document.querySelectorAll(
      '.aigrid-chart, [data-testid^="stBidiComponent"]'))
    .filter(c => c.getClientRects().length && (c.matches('[data-testid^="stBidiComponent"]')
      ? !c.querySelector(':scope > [class^="aigrid-"]')
      : c.hasAttribute('data-pending')
        || !c.querySelector('.main-svg, :scope > .aigrid-chart-error')));
  s.idle = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (s.finished < 1 || s.lastRerunAt > s.lastFinishedAt) return false;
    if (s.framesAfterFinish < s.finished) return false;
    // Lazy element chunks (Slider, PlotlyChart...) show stSkeleton until they load.
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')) {
      return false;
    }
    if (s.undrawnCharts().length) return false;
    // The history script (lib/history.js) draws nothing, so it is not among the charts; a click
    // made before it is installed lost the page's entry (Back went one entry too far).
    if (document.querySelector('.st-key-aigrid_history') && !window.__aigridHistory) return false;
    return true;
  };
})();
"""


# ---------------------------------------------------------------- server


def find_chromium() -> str | None:
    """Return the path of a Chromium to drive, or None: $AIGRID_CHROMIUM, $BROWSER_PATH, PATH."""
    for name in ("AIGRID_CHROMIUM", "BROWSER_PATH"):
        path = os.environ.get(name, "").strip()
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StreamlitServer:
    """A running `streamlit run`; `url` is its root (with server.baseUrlPath, if one was given),
    without a trailing slash."""

    process: subprocess.Popen
    port: int
    log_path: Path
    cache_dir: Path
    script: Path
    base_url_path: str = ""

    @property
    def url(self) -> str:
        base = self.base_url_path.strip("/")
        return f"http://127.0.0.1:{self.port}" + (f"/{base}" if base else "")

    def url_for(self, path: str = "/") -> str:
        """Return the URL of a page by its url_path ("/", "/grid" or "grid")."""
        return f"{self.url}/{path.lstrip('/')}"

    def log_text(self) -> str:
        """Return the server's stdout and stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def is_running(self) -> bool:
        return self.process.poll() is None

    def rss_bytes(self) -> int:
        """Return the resident memory of the server and its child processes, in bytes."""
        return sum(self._per_process(lambda proc: proc.memory_info().rss))

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) the server and its child processes have used."""
        return sum(self._per_process(lambda proc: sum(proc.cpu_times()[:2])))

    def _per_process(self, read: Callable[[Any], float]) -> list[float]:
        """`read` of the server's process and of each child still running."""
        import psutil  # a dev dependency: only the benchmarks ask

        root = psutil.Process(self.process.pid)
        values = []
        for proc in [root, *root.children(recursive=True)]:
            try:
                values.append(read(proc))
            except psutil.NoSuchProcess:
                continue
        return values


def _wait_healthy(server: StreamlitServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.is_running():
            raise RuntimeError(f"streamlit exited early:\n{server.log_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(HEALTH_POLL_S)  # polling the health endpoint, bounded by the deadline
    raise TimeoutError(
        f"streamlit not healthy after {timeout_s:.0f} s:\n{server.log_text()[-4000:]}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the group: streamlit and anything it started
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)
    except ProcessLookupError:
        pass


@contextmanager
def start_streamlit(
    script: Path,
    env: dict[str, str] | None = None,
    port: int | None = None,
    timeout_s: float = HEALTH_TIMEOUT_S,
    base_url_path: str = "",
) -> Iterator[StreamlitServer]:
    """Run `streamlit run script` offline on 127.0.0.1 until the block ends (for app.py:
    scripts/serve.py, which is `streamlit run app.py` after loading the app's libraries).

    The server starts in the repository root (so .streamlit/config.toml applies) in its own process
    group, with AIGRID_OFFLINE=1 and a fresh AIGRID_CACHE_DIR; its output goes to artifacts/logs/.
    """
    script = Path(script).resolve()
    port = port or free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"streamlit-{script.stem}-{port}.log"
    with tempfile.TemporaryDirectory(prefix="aigrid-browser-") as tmp:
        cache_dir = Path(tmp) / "cache"
        cache_dir.mkdir()
        full_env = {**os.environ, "AIGRID_OFFLINE": "1", "AIGRID_CACHE_DIR": str(cache_dir)}
        full_env.update(env or {})
        # app.py starts the way `make run` and `make serve` start it: after the warm-up.
        start = ([sys.executable, str(ROOT / "scripts" / "serve.py")] if script == ROOT / "app.py"
                 else [sys.executable, "-m", "streamlit", "run", str(script)])
        cmd = [
            *start,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *(["--server.baseUrlPath", base_url_path] if base_url_path else []),
        ]
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=full_env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            server = StreamlitServer(process, port, log_path, cache_dir, script, base_url_path)
            try:
                _wait_healthy(server, timeout_s)
                yield server
            finally:
                _stop(process)


# ---------------------------------------------------------------- browser and pages


def launch_browser(playwright: Any, executable_path: str | None = None) -> Any:
    """Launch headless Chromium (Debian's, never Playwright's download) with the offline flags."""
    path = executable_path or find_chromium()
    if path is None:
        raise FileNotFoundError("no Chromium: set AIGRID_CHROMIUM or run `make chromium`")
    return playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS), headless=True)


@dataclass
class ConsoleLog:
    """Console errors and uncaught page errors of one page."""

    errors: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)  # remote resources this machine cannot reach


_CONSOLE: weakref.WeakKeyDictionary[Any, ConsoleLog] = weakref.WeakKeyDictionary()


def watch_console(page: Any) -> ConsoleLog:
    """Start collecting the page's console errors (idempotent); return the live log."""
    if page in _CONSOLE:
        return _CONSOLE[page]
    log = _CONSOLE[page] = ConsoleLog()

    def on_console(msg: Any) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if "net::ERR_" in msg.text and url and not LOCAL_URL.match(url):
            log.offline.append(url)
            return
        log.errors.append(f"console: {msg.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.errors.append(f"pageerror: {exc}"))
    return log


def console_errors(page: Any) -> list[str]:
    """Return the console errors collected so far (empty when the page is not watched)."""
    log = _CONSOLE.get(page)
    return list(log.errors) if log else []


def new_context(browser: Any, **kwargs: Any) -> Any:
    """Return a fresh browser context at 1440×900 with the settle probe installed."""
    context = browser.new_context(viewport=kwargs.pop("viewport", VIEWPORT), **kwargs)
    context.add_init_script(PROBE_JS)
    return context


@contextmanager
def open_page(browser: Any, **context_kwargs: Any) -> Any:
    """A page in a fresh context (new_context's viewport and probe), closed afterwards."""
    context = new_context(browser, **context_kwargs)
    try:
        yield new_page(context)
    finally:
        context.close()


def health_requests(page: Any) -> list[str]:
    """A list that fills with the paths (no host) of the page's health and host-config
    requests as they are made: where the page looks for its server."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url.split("/", 3)[3])
            if request.url.endswith(("/_stcore/health", "/_stcore/host-config")) else None)
    return asked


def new_page(context: Any) -> Any:
    """Return a page of `context` whose console errors are collected."""
    page = context.new_page()
    watch_console(page)
    return page


# ---------------------------------------------------------------- settling


def settle(page: Any, timeout_ms: float = SETTLE_TIMEOUT_MS) -> float:
    """Wait until the app is idle and every visible chart is drawn; return the page time (ms).

    The page time is `performance.now()`, milliseconds since the navigation started.
    """
    try:
        handle = page.wait_for_function(
            "() => window.__aigrid && window.__aigrid.idle() && performance.now()",
            timeout=timeout_ms,
            polling="raf",
        )
    except Exception as exc:  # playwright's TimeoutError: say what the page was doing
        raise TimeoutError(
            f"not settled after {timeout_ms:.0f} ms: {_settle_report(page)}"
        ) from exc
    return float(handle.json_value())


def _settle_report(page: Any) -> str:
    try:
        return json.dumps(page.evaluate(SETTLE_REPORT_JS))
    except Exception as exc:  # noqa: BLE001 - a closed or crashed page: report that instead
        return f"page unavailable ({exc})"


SETTLE_REPORT_JS = """
() => {
  const s = window.__aigrid, app = document.querySelector('[data-testid="stApp"]');
  if (!s) return {probe: 'missing: make the context with new_context()'};
  return {state: app && app.getAttribute('data-test-script-state'),
          reruns: s.reruns, finished: s.finished, lastRerunAt: s.lastRerunAt,
          lastFinishedAt: s.lastFinishedAt,
          skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
          undrawnCharts: s.undrawnCharts().length};
}
"""


def probe_state(page: Any) -> dict:
    """Return the probe's counters (reruns sent, runs finished, state transitions...)."""
    return page.evaluate(
        "() => { const s = window.__aigrid; if (!s) return {};"
        " const {idle, ...rest} = s; return JSON.parse(JSON.stringify(rest)); }"
    )


def settle_after(
    page: Any, action: Callable[[], Any], timeout_ms: float = SETTLE_TIMEOUT_MS
) -> Any:
    """Run `action` (a click, a key press), wait for its rerun to finish; return its result.

    Raises TimeoutError when the action sent no rerun, so a test cannot pass on a stale page.
    Call it on a settled page with an action that sends one rerun (one click, one key press):
    a run still going when the action sends can finish after the send and look like its run.
    """
    before = page.evaluate("() => window.__aigrid ? window.__aigrid.reruns : -1")
    if before < 0:
        raise RuntimeError("the settle probe is missing: make the context with new_context()")
    result = action()
    try:
        page.wait_for_function(
            "(n) => window.__aigrid.reruns > n", arg=before, timeout=timeout_ms, polling="raf"
        )
    except Exception as exc:  # playwright's TimeoutError: say what did not happen
        raise TimeoutError(f"the action sent no rerun within {timeout_ms} ms") from exc
    settle(page, timeout_ms)
    return result


# ---------------------------------------------------------------- checks and artefacts


CUT_METRICS_JS = """
() => Array.from(document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricValue"]'))
  .filter((l) => [l, ...l.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1))
  .map((l) => l.innerText)
"""


def cut_metric_texts(page: Any) -> list[str]:
    """Metric labels and values the page shows cut short (with an ellipsis): they do not fit."""
    return page.evaluate(CUT_METRICS_JS)


# A table that runs past the right edge of its own box, where that box does not scroll it.
CUT_TABLES_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"] table'))
  .filter((t) => {
    const box = t.closest('[data-testid="stMarkdownContainer"]');
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    return !scrolls && t.getBoundingClientRect().right > box.getBoundingClientRect().right + 1;
  })
  .map((t) => t.querySelector('th')?.textContent ?? '')
"""


# A Markdown table that scrolls sideways but draws no edge shadow (lib/app.css) to say so.
UNMARKED_SCROLLING_TABLES_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]:has(> table)'))
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .filter((box) => {
    const style = getComputedStyle(box);
    return !(style.backgroundImage.includes('radial-gradient')
             && style.backgroundAttachment.includes('local'));
  })
  .map((box) => box.querySelector('th')?.textContent ?? '')
"""


def unmarked_scrolling_tables(page: Any) -> list[str]:
    """First headers of the Markdown tables that scroll sideways with no shadow at the edge."""
    return page.evaluate(UNMARKED_SCROLLING_TABLES_JS)


def cut_table_headers(page: Any) -> list[str]:
    """First headers of the Markdown tables the page cuts off: wider than their column, with no
    scroll bar of their own (the whole page then scrolls sideways)."""
    return page.evaluate(CUT_TABLES_JS)


# Chart texts (annotations, bar labels, axis titles and ticks, legend entries) that run past
# their chart's box, or overlap another. Tick labels against each other are left to plotly,
# which thins or tilts them (tilted labels' boxes overlap while their letters do not).
CLASHING_CHART_TEXTS_JS = """
() => {
  const out = [];
  const sel = '.annotation-text, .bartext, .xtick text, .ytick text, .y2tick text, '
    + '.g-xtitle text, .g-ytitle text, .g-y2title text, .legendtext';
  document.querySelectorAll('.aigrid-chart').forEach((gd, chart) => {
    const box = gd.getBoundingClientRect();
    const items = [...gd.querySelectorAll(sel)]
      .map((t) => ({text: t.textContent, tick: !!t.closest('[class$="tick"]'),
                    r: t.getBoundingClientRect()}))
      .filter((i) => i.r.width > 0 && i.text.trim());
    for (const i of items) {
      if (i.r.left < box.left - 1 || i.r.right > box.right + 1) {
        out.push(`chart ${chart}: "${i.text}" cut at the chart's edge`);
      }
    }
    items.forEach((a, n) => items.slice(n + 1).forEach((b) => {
      const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (x > 2 && y > 2 && !(a.tick && b.tick)) {
        out.push(`chart ${chart}: "${a.text}" over "${b.text}"`);
      }
    }));
  });
  return out;
}
"""


def clashing_chart_texts(page: Any) -> list[str]:
    """Chart texts cut at their chart's edge or drawn over one another, described."""
    return page.evaluate(CLASHING_CHART_TEXTS_JS)


def error_texts(page: Any) -> list[str]:
    """Return the texts of exceptions, error alerts and charts that could not draw."""
    return page.locator(f"{EXCEPTION}, {ERROR_ALERT}, {CHART_ERROR}").all_inner_texts()


def assert_no_error(page: Any) -> None:
    """Fail if the page shows an exception or an error alert, or its console logged an error."""
    shown = error_texts(page)
    assert not shown, f"the page shows errors: {shown}"
    logged = console_errors(page)
    assert not logged, f"the browser console logged errors: {logged}"
    state = page.locator(APP).get_attribute("data-test-connection-state")
    assert state == "CONNECTED", f"the app is not connected: {state}"


SCROLL_HEIGHT_JS = """
() => Math.max(document.documentElement.scrollHeight,
  ...Array.from(
    document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebarContent"]'),
    (e) => e.scrollHeight))
"""
NEXT_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
MAX_SCREENSHOT_HEIGHT = 12_000  # px: Chromium's capture limit is ~16k; a longer page is cut


def screenshot_path(name: str) -> Path:
    """Return artifacts/screenshots/<name>.png, the name made safe for a file name."""
    return SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG to artifacts/screenshots/<name>.png; return its path.

    Streamlit scrolls inside stMain, so Playwright's full_page alone stops at the viewport: the
    viewport is stretched to the content's height for the capture, then put back.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = screenshot_path(name)
    viewport = page.viewport_size
    height = min(int(page.evaluate(SCROLL_HEIGHT_JS)), MAX_SCREENSHOT_HEIGHT)
    stretch = viewport is not None and height > viewport["height"]
    if stretch:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.evaluate(NEXT_FRAMES_JS)  # let the layout and charts follow the new size
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if stretch:
            page.set_viewport_size(viewport)
            page.evaluate(NEXT_FRAMES_JS)
    return path


PLOTLY_DATA_JS = """
([index, full]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  if (!gd || !gd.data) return null;
  const plain = (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v;  // typed arrays to lists
  const traces = full ? gd._fullData.map(t => t._input || t) : gd.data;
  return JSON.parse(JSON.stringify(traces, plain));
}
"""


def plotly_data(page: Any, index: int = 0, full: bool = False) -> list[dict]:
    """Return the traces drawn by the index-th Plotly chart (`gd.data`, or `_fullData` inputs)."""
    data = page.evaluate(PLOTLY_DATA_JS, [index, full])
    if data is None:
        raise LookupError(f"no drawn Plotly chart at index {index}")
    return data


def plotly_signature(page: Any, index: int = 0) -> str:
    """Return a string that changes whenever the chart's data changes."""
    return json.dumps(plotly_data(page, index), sort_keys=True)


# ---------------------------------------------------------------- sliders


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def key_class(key: str) -> str:
    """Return the CSS class Streamlit puts on a keyed element's container."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def reveal(locator: Any, timeout_ms: float = 5_000) -> None:
    """Open the closed expanders around an element, as a person would, until it is visible."""
    for details in locator.locator("xpath=ancestor::details[not(@open)]").all():
        details.locator("xpath=./summary").click()
    locator.wait_for(state="visible", timeout=timeout_ms)


def slider_thumb(page: Any, key_or_label: str, thumb: int = 0, show: bool = True) -> Any:
    """Return the thumb (a hidden range input) of the slider with this key or label.

    With `show`, closed expanders around the slider are opened first (a closed one is inert).
    """
    by_key = page.locator(f".{key_class(key_or_label)} {SLIDER}")
    slider = (
        by_key
        if by_key.count()
        else page.locator(SLIDER).filter(
            has=page.locator(f"[aria-label={_css_string(key_or_label)}]")
        )
    )
    if slider.count() == 0:
        known = page.locator(f"{SLIDER} input[type=range]").evaluate_all(
            "els => els.map(e => e.getAttribute('aria-label'))"
        )
        raise LookupError(f"no slider with key or label {key_or_label!r}; labels: {known}")
    found = slider.first.locator(SLIDER_THUMB).nth(thumb)
    if show:
        reveal(found)
    return found


def slider_value(page: Any, key_or_label: str, thumb: int = 0) -> str:
    """Return the value text the slider shows on its thumb (aria-valuetext)."""
    return slider_thumb(page, key_or_label, thumb, show=False).get_attribute("aria-valuetext")


def drag_slider(
    page: Any, key_or_label: str, steps: int, timeout_ms: float = SETTLE_TIMEOUT_MS
) -> str:
    """Move a slider `steps` steps (negative: left) with the arrow keys; return its shown value.

    Each press is settled before the next, as a person watching the chart would: pressing on
    while a run is going lets that run finish after the next press was sent, and settle would
    take its finish for the last one. Raises ValueError when a press would cross a bound (it
    would send no rerun).
    """
    thumb = slider_thumb(page, key_or_label)
    key = "ArrowRight" if steps > 0 else "ArrowLeft"
    for done in range(abs(steps)):
        value, low, high = thumb.evaluate("e => [e.value, e.min, e.max].map(Number)")
        if value == (high if steps > 0 else low):
            raise ValueError(f"slider {key_or_label!r} reached {value} after {done} of {steps}")
        thumb.focus()
        settle_after(page, lambda: page.keyboard.press(key), timeout_ms)
    return thumb.get_attribute("aria-valuetext")


def nav_links(page: Any) -> list[dict]:
    """Return the app's navigation links as {"text", "href", "path", "current"}, in order."""
    return page.locator(NAV_LINK).evaluate_all(
        """els => els.map(a => ({text: a.innerText.trim(), href: a.href,
                                path: new URL(a.href).pathname,
                                current: a.getAttribute('aria-current') === 'page'}))"""
    )
