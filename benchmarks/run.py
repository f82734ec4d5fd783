"""Benchmarks: app.py against a hello-world Streamlit app, in headless Chromium. Not tests.

    AIGRID_OFFLINE=1 uv run python -m benchmarks.run               # everything, ~3-5 min
    AIGRID_OFFLINE=1 uv run python -m benchmarks.run --only hello  # the baseline alone

Measures, in one run: the slider round trip (key press -> script finished -> chart repainted),
the first load of every page (cold: first visit of a new server process; warm: a later visit from
a new browser context), the model, one figure build and six PNG exports (in a subprocess, so a hung
export cannot hang the run), and the server's memory with 1 and 20 sessions. Writes
benchmarks/results.md and benchmarks/results.json. The browser, server and settle logic is the
browser tests' harness (tests/browser/harness.py): one implementation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tests.browser.harness import (
    ROOT,
    launch_browser,
    nav_links,
    new_context,
    new_page,
    open_page,
    settle,
    slider_thumb,
    start_streamlit,
)

HELLO_APP = ROOT / "benchmarks" / "hello_app.py"
APP = ROOT / "app.py"
RESULTS_MD = ROOT / "benchmarks" / "results.md"
RESULTS_JSON = ROOT / "benchmarks" / "results.json"


@dataclass(frozen=True)
class SliderTarget:
    """A slider to move and what must repaint after each move."""

    name: str
    app: str  # "hello" (benchmarks/hello_app.py), "app" (app.py, or --app), "floor" (floor_app.py)
    path: str  # the page's url_path
    slider: str  # widget key, or its label
    watch: str  # "plotly": every chart's data; "text": st.write's output; "received": the
    # undrawn chart's note (benchmarks/undrawn_chart.js)
    env: tuple[tuple[str, str], ...] = ()  # extra environment of the server
    label: str = ""  # for the results table; the name if empty


# "hello" is the baseline every other target is compared with; keep it first. The floor targets
# have no budget: they show how much of the Grid page's round trip the same widgets cost alone.
SLIDER_TARGETS = (
    SliderTarget("hello", "hello", "/", "value", "text"),
    SliderTarget("grid", "app", "/grid", "lead_time_years", "plotly"),
    SliderTarget("collision", "app", "/", "lead_time_years", "plotly"),
    SliderTarget(
        "floor_sliders",
        "floor",
        "/",
        "lead_time_years",
        "text",
        label="floor: the Grid page's 12 sliders, no chart",
    ),
    SliderTarget(
        "floor_metrics",
        "floor",
        "/",
        "lead_time_years",
        "text",
        (("AIGRID_FLOOR", "metrics"),),
        "floor: 12 sliders and 4 metrics, no chart",
    ),
    SliderTarget(
        "floor_chart",
        "floor",
        "/",
        "lead_time_years",
        "plotly",
        (("AIGRID_FLOOR", "chart"),),
        "floor: 1 slider and the Grid chart (the app's chart component)",
    ),
    SliderTarget(
        "floor_chart_data",
        "floor",
        "/",
        "lead_time_years",
        "received",
        (("AIGRID_FLOOR", "chart_data"),),
        "floor: 1 slider and the Grid chart's figure sent to the page, not drawn",
    ),
    SliderTarget(
        "floor_plotly_chart",
        "floor",
        "/",
        "lead_time_years",
        "plotly",
        (("AIGRID_FLOOR", "plotly_chart"),),
        "floor: 1 slider and the same figure by st.plotly_chart",
    ),
)
FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"
WARMUP_MOVES = 2  # not timed: the first moves load lazy code and fill caches
SWEEP_STEPS = 5  # steps either side of the default: far out, the model's output may not change
UNCHANGED_AFTER_MS = (
    1_000  # settled this long after its run with no change: the move changed nothing
)
SLIDER_MOVES = 15
SLIDER_ROUNDS = 3  # every target once per round, interleaved: a slow spell hits all alike
COLD_REPEATS = 3  # fresh server processes per page (each start costs ~5 s); medians of 3
WARM_LOADS = 7  # new contexts on a warm server, per page (first loads vary ±25% here)
SESSIONS = 20

MOVE_TIMEOUT_MS = 15_000
LOAD_TIMEOUT_MS = 60_000
SESSIONS_TIMEOUT_MS = 180_000  # 20 pages loading at once on 2 cores
LIB_TIMEOUT_S = 240  # the lib/ subprocess: imports, kaleido's cold start, 3 x 6 PNGs
RUN_TIMEOUT_S = 1500  # the whole run (about 10-15 min here); each step has its own, tighter bound

BUDGETS = {
    "slider_ratio": 1.5,  # app round trip p50 <= 1.5 x hello-world's
    "load_ratio": 2.0,  # first load <= 2 x hello-world's
    "model_ms": 1.0,
    "figure_ms": 30.0,
    "export_s": 5.0,
}

_T0 = time.monotonic()


def log(message: str) -> None:
    """Print one progress line with the elapsed time."""
    print(f"[{time.monotonic() - _T0:6.1f}s] {message}", flush=True)


# ---------------------------------------------------------------- in-page measurement

# Arms a watch before one key press: remembers the probe's counters and records when the watched
# content last changed and when the frame after that change was painted (rAF, then a task).
# Plotly charts are compared by the identity of gd.data, which Plotly.react replaces on new data.
ARM_JS = r"""
(watch) => {
  const s = window.__aigrid;
  const ids = new WeakMap(); let next = 0;
  const id = (o) => { if (!o) return 0; if (!ids.has(o)) ids.set(o, ++next); return ids.get(o); };
  const sig = watch === 'plotly'
    ? () => Array.from(document.querySelectorAll('.js-plotly-plot'),
                       (gd) => id(gd.data)).join(',')
    : watch === 'received'
    ? () => Array.from(document.querySelectorAll('.aigrid-received'), (e) => e.textContent).join()
    : () => Array.from(document.querySelectorAll('[data-testid="stMarkdown"]'),
                       (e) => e.textContent).join('\u0001');
  if (s.move) s.move.observer.disconnect();
  const m = s.move = {finishedBefore: s.finished, keydownBefore: s.lastKeydownAt,
                      changedAt: -1, paintedAt: -1, changes: 0};
  let last = sig();
  m.observer = new MutationObserver(() => {
    const t = performance.now(), cur = sig();
    if (cur === last) return;
    last = cur; m.changedAt = t; m.changes++;
    requestAnimationFrame(() => {
      const ch = m.channel = new MessageChannel();  // held: an unreferenced port can be collected
      ch.port1.onmessage = () => { if (m.changedAt === t) m.paintedAt = performance.now(); };
      ch.port2.postMessage(null);
    });
  });
  m.observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                     characterData: true});
  return true;
}
"""

DONE_JS = r"""
(unchangedAfterMs) => {
  const s = window.__aigrid, m = s.move;
  if (!m || s.lastKeydownAt <= m.keydownBefore || s.finished <= m.finishedBefore) return false;
  if (!s.idle()) return false;
  if (m.changes === 0 && performance.now() - s.lastFinishedAt > unchangedAfterMs) {
    m.observer.disconnect();
    return {unchanged: true};
  }
  if (m.paintedAt < 0) return false;
  m.observer.disconnect();
  return {keydown: s.lastKeydownAt, sent: s.lastRerunAt, finished: s.lastFinishedAt,
          painted: m.paintedAt, changes: m.changes};
}
"""


MOVE_STATE_JS = r"""
() => {
  const s = window.__aigrid, m = s.move;
  return {idle: s.idle(), reruns: s.reruns, finished: s.finished - m.finishedBefore,
          keydown: s.lastKeydownAt > m.keydownBefore, changes: m.changes, painted: m.paintedAt > 0,
          state: document.querySelector('[data-testid="stApp"]').getAttribute(
            'data-test-script-state')};
}
"""


class MoveTimeout(Exception):
    """A slider move that did not finish and repaint within MOVE_TIMEOUT_MS."""


class CpuMeter:
    """Where a move's time goes: CPU time of the server's processes, and busy time of the page's
    main thread (Chromium's TaskDuration, counted in thread time, so other work on the machine
    does not inflate it). Both include the harness's own share: the page evaluates DONE_JS once
    per frame while a move is on, the same for every target."""

    def __init__(self, page: Any, server: Any) -> None:
        self._server = server
        self._cdp = page.context.new_cdp_session(page)
        self._cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self._start = (0.0, 0.0)

    def _read(self) -> tuple[float, float]:
        metrics = self._cdp.send("Performance.getMetrics")["metrics"]
        task_s = next(m["value"] for m in metrics if m["name"] == "TaskDuration")
        return self._server.cpu_seconds(), task_s

    def start(self) -> None:
        self._start = self._read()

    def per_move_ms(self, moves: int) -> dict[str, float]:
        server_s, task_s = self._read()
        return {"server_cpu_ms": (server_s - self._start[0]) * 1000 / moves,
                "browser_main_ms": (task_s - self._start[1]) * 1000 / moves}


def summary(values: list[float]) -> dict[str, float | int]:
    """Median, p90, min and max of a sample (p90 by the nearest-rank method)."""
    ordered = sorted(values)
    p90 = ordered[max(0, -(-9 * len(ordered) // 10) - 1)]
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p90": p90,
        "min": ordered[0],
        "max": ordered[-1],
    }


def _next_key(thumb: Any, direction: int, offset: int) -> tuple[str, int]:
    """Sweep like a person near the default: turn at SWEEP_STEPS from it or at a bound."""
    value, low, high = thumb.evaluate("e => [e.value, e.min, e.max].map(Number)")
    if direction > 0 and (value >= high or offset >= SWEEP_STEPS):
        direction = -1
    elif direction < 0 and (value <= low or offset <= -SWEEP_STEPS):
        direction = 1
    return ("ArrowRight" if direction > 0 else "ArrowLeft"), direction


def time_moves(page: Any, target: SliderTarget, moves: int, meter: CpuMeter) -> dict:
    """Press arrow keys on the target's slider; per-move times in ms from keydown, and the CPU
    time per timed move.

    A move whose run left the watched content as it was (the model's output did not change) is
    counted in "unchanged" and left out of the times.
    """
    thumb = slider_thumb(page, target.slider)
    direction, offset, times, unchanged = 1, 0, [], 0
    for index in range(WARMUP_MOVES + moves):
        if index == WARMUP_MOVES:
            meter.start()
        key, direction = _next_key(thumb, direction, offset)
        offset += direction
        thumb.focus()
        page.evaluate(ARM_JS, target.watch)
        page.keyboard.press(key)
        try:
            done = page.wait_for_function(
                DONE_JS, arg=UNCHANGED_AFTER_MS, timeout=MOVE_TIMEOUT_MS, polling="raf"
            )
        except Exception as exc:  # noqa: BLE001 - playwright's timeout: say what was missing
            raise MoveTimeout(f"move {index} ({key}): {page.evaluate(MOVE_STATE_JS)}") from exc
        done = done.json_value()
        if index < WARMUP_MOVES:
            continue
        if done.get("unchanged"):
            unchanged += 1
            continue
        times.append(
            {
                "round_trip_ms": done["painted"] - done["keydown"],
                "sent_ms": done["sent"] - done["keydown"],
                "server_ms": done["finished"] - done["keydown"],
            }
        )
    cpu = meter.per_move_ms(moves)
    if not times:
        raise MoveTimeout(f"none of {moves} moves changed the {target.watch} content")
    return {"times": times, "unchanged": unchanged, "cpu": cpu}


def bench_slider(browser: Any, target: SliderTarget, script: Path, moves: int) -> dict:
    """Round trips of one target, or {"available": False, "reason": ...}."""
    if not script.exists():
        return {"available": False, "reason": f"{script.name} does not exist"}
    log(f"slider {target.name}: {script.name} {target.path} {target.slider!r}")
    with start_streamlit(script, env=dict(target.env)) as server, open_page(browser) as page:
        page.goto(server.url_for(target.path))
        settle(page, LOAD_TIMEOUT_MS)
        if page.url.rstrip("/") != server.url_for(target.path).rstrip("/"):
            return {"available": False, "reason": f"page {target.path} not found"}
        try:
            moved = time_moves(page, target, moves, CpuMeter(page, server))
        except LookupError as exc:
            return {"available": False, "reason": str(exc)}
        except MoveTimeout as exc:
            return {"available": False, "reason": f"no repaint: {exc}"}
    result = {
        "available": True,
        "label": target.label or target.name,
        "budget": target.app != "floor",
        "path": target.path,
        "slider": target.slider,
        "unchanged_moves": moved["unchanged"],
        **moved["cpu"],
        **{key: summary([t[key] for t in moved["times"]]) for key in moved["times"][0]},
        "times": moved["times"],
    }
    log(
        f"  keydown to rerun sent p50 {result['sent_ms']['p50']:.0f} ms, "
        f"to script finished {result['server_ms']['p50']:.0f} ms; "
        f"round trip p50 {result['round_trip_ms']['p50']:.0f} ms, "
        f"p90 {result['round_trip_ms']['p90']:.0f} ms; per move: server CPU "
        f"{result['server_cpu_ms']:.0f} ms, page main thread {result['browser_main_ms']:.0f} ms"
    )
    return result


def pool_rounds(results: list[dict]) -> dict:
    """One target's rounds as one result: summaries over every timed move of every round, and
    each round's median for the spread. Unavailable if any round was."""
    missing = next((r for r in results if not r.get("available")), None)
    if missing is not None:
        return missing
    times = [t for r in results for t in r.pop("times")]
    pooled = {**results[0], "rounds": len(results),
              "round_p50s_ms": [r["round_trip_ms"]["p50"] for r in results],
              "unchanged_moves": sum(r["unchanged_moves"] for r in results),
              # every round times the same number of moves: the mean is the per-move CPU time
              **{key: statistics.fmean(r[key] for r in results)
                 for key in ("server_cpu_ms", "browser_main_ms")}}
    return pooled | {key: summary([t[key] for t in times]) for key in times[0]}


# ---------------------------------------------------------------- first load


def load_ms(browser: Any, url: str) -> tuple[float, int, list[str]]:
    """Navigation start -> settled in a fresh context, in ms; errors shown; the nav's url_paths."""
    with open_page(browser) as page:
        page.goto(url, wait_until="commit")
        settled = settle(page, LOAD_TIMEOUT_MS)
        errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
        return settled, errors.count(), [link["path"] for link in nav_links(page)]


def bench_loads(browser: Any, scripts: dict[str, Path]) -> dict:
    """Cold and warm first loads of "/" and of each page the app's navigation lists, with
    hello-world's page measured alongside each of them.

    Per page and repeat, a new server of every script starts; their first visits are the cold
    loads, taken in turns (order swapped every repeat), and on the first repeat WARM_LOADS later
    visits of each follow, also in turns. A slow spell on the machine then hits both alike.
    Returns {name: {app path: {"cold_ms", "warm_ms", "errors_shown"}}}; hello-world always
    loads its only page, "/", filed under the app page it was measured with.
    """
    results: dict[str, dict] = {name: {} for name in scripts}
    paths = ["/"]
    for path in paths:  # the app's first visit of "/" appends the other pages of its navigation
        urls = {name: path if name == "app" else "/" for name in scripts}
        cold = {name: [] for name in scripts}
        warm = {name: [] for name in scripts}
        errors = dict.fromkeys(scripts, 0)
        for repeat in range(COLD_REPEATS):
            with ExitStack() as stack:
                servers = {name: stack.enter_context(start_streamlit(script))
                           for name, script in scripts.items()}
                order = list(servers) if repeat % 2 == 0 else list(reversed(servers))
                for name in order:
                    ms, shown, links = load_ms(browser, servers[name].url_for(urls[name]))
                    cold[name].append(ms)
                    errors[name] = max(errors[name], shown)
                    if name == "app" and path == "/" and repeat == 0:  # every page, listed once
                        paths += [p for p in links if p not in paths]
                for _ in range(WARM_LOADS if repeat == 0 else 0):
                    for name in order:
                        warm[name].append(load_ms(browser, servers[name].url_for(urls[name]))[0])
        for name in scripts:
            results[name][path] = {"cold_ms": summary(cold[name]), "warm_ms": summary(warm[name]),
                                   "errors_shown": errors[name]}
        log(f"  load {path}: "
            + "; ".join(f"{name} cold {statistics.median(cold[name]):.0f} ms, warm "
                        f"{statistics.median(warm[name]):.0f} ms" for name in scripts)
            + "".join(f", {n} error(s) shown on {name}" for name, n in errors.items() if n))
    return results


LOAD_FLOORS = ("floor_sliders", "floor_chart")  # first loads of these floor pages, too


def bench_load_floors(browser: Any, hello: Path, floor: Path) -> dict:
    """Warm first loads of the floor app's pages (LOAD_FLOORS) with hello-world's, in turns:
    how much of a page's first load the stack itself costs for its sliders and its chart.
    Returns {target name: {"warm_ms": ...}}, hello-world under "hello"."""
    targets = {t.name: t for t in SLIDER_TARGETS if t.name in LOAD_FLOORS}
    warm: dict[str, list[float]] = {"hello": [], **{name: [] for name in targets}}
    with ExitStack() as stack:
        servers = {"hello": stack.enter_context(start_streamlit(hello))}
        servers |= {name: stack.enter_context(start_streamlit(floor, env=dict(t.env)))
                    for name, t in targets.items()}
        for server in servers.values():  # the first (cold) visit is not recorded
            load_ms(browser, server.url_for("/"))
        for repeat in range(WARM_LOADS):
            order = list(servers) if repeat % 2 == 0 else list(reversed(servers))
            for name in order:
                warm[name].append(load_ms(browser, servers[name].url_for("/"))[0])
    log("  load floors: " + "; ".join(f"{name} warm {statistics.median(values):.0f} ms"
                                       for name, values in warm.items()))
    return {name: {"warm_ms": summary(values)} for name, values in warm.items()}


# ---------------------------------------------------------------- memory


SCRIPT_RAN_JS = "() => window.__aigrid && window.__aigrid.finished >= 1"


def bench_memory(browser: Any, script: Path, sessions: int) -> dict:
    """Server RSS (process tree) idle, with 1 session and with `sessions` sessions at once.

    The first session settles fully; the others until their script has finished on the server.
    Waiting for 20 browsers to draw their charts on 2 cores adds about a minute and no server
    memory (measured: 229.2 MB when every run had finished, 229.3 MB once all pages settled).
    """
    log(f"memory {script.name}: 1 and {sessions} sessions")
    with start_streamlit(script) as server:
        idle = server.rss_bytes()
        contexts = [new_context(browser)]
        try:
            new_page(contexts[0]).goto(server.url, wait_until="commit")
            settle(contexts[0].pages[0], LOAD_TIMEOUT_MS)
            one = server.rss_bytes()
            for _ in range(sessions - 1):
                contexts.append(new_context(browser))
                new_page(contexts[-1]).goto(server.url, wait_until="commit")
            deadline = time.monotonic() + SESSIONS_TIMEOUT_MS / 1000
            for context in contexts:
                left_ms = max(1_000, (deadline - time.monotonic()) * 1000)
                context.pages[0].wait_for_function(SCRIPT_RAN_JS, timeout=left_ms)
            many = server.rss_bytes()
        finally:
            for context in contexts:
                context.close()
    mb = 1024 * 1024
    return {
        "idle_mb": idle / mb,
        "one_mb": one / mb,
        "many_mb": many / mb,
        "sessions": sessions,
        "per_session_mb": (many - one) / mb / max(1, sessions - 1),
    }


# ---------------------------------------------------------------- lib/ (in a subprocess)


def _per_call_ms(func: Callable[[], Any], repeats: int = 5) -> float:
    """Median over `repeats` of the per-call time of an autoranged timeit loop, in ms."""
    import timeit

    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeats, number)) * 1000


def _figures_for_export(grid_model: Any, figures: Any) -> list[Any]:
    """Six different figures of the grid model: the gap and the yearly bridge at 3 lead times."""
    out = []
    for lead_time_years in (2.0, 4.0, 6.0):
        scenario = grid_model.Scenario(lead_time_years=lead_time_years)
        gap = grid_model.build_gap_table(scenario)
        out += [figures.fig_gap(gap), figures.fig_bridge(grid_model.yearly_table(gap))]
    return out


def lib_section() -> dict:
    """Time lib/ in this process; each part reports "not available" when its API is missing."""
    sys.path.insert(0, str(ROOT))
    results: dict[str, Any] = {}
    try:
        from lib import grid_model

        scenario = grid_model.Scenario()
        results["model_ms"] = _per_call_ms(lambda: grid_model.evaluate(scenario))
        results["gap_table_ms"] = _per_call_ms(lambda: grid_model.build_gap_table(scenario))
        from lib import figures

        gap = grid_model.build_gap_table(scenario)
        results["figure_ms"] = _per_call_ms(lambda: figures.fig_gap(gap), repeats=3)
    except (ImportError, AttributeError, TypeError) as exc:
        results["model_error"] = f"{type(exc).__name__}: {exc}"
        results["export_error"] = "needs lib.grid_model and lib.figures for its figures"
        return results
    try:
        from lib import export

        items = [
            (f, export.FigureContext(title=f"Figure {i}"))
            for i, f in enumerate(_figures_for_export(grid_model, figures))
        ]
        start = time.perf_counter()
        export.ensure_server()
        export.to_pngs(items[:1])  # warm-up: kaleido loads plotly.js in its tab
        results["kaleido_start_s"] = time.perf_counter() - start
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            pngs = export.to_pngs(items)
            runs.append(time.perf_counter() - start)
        assert len(pngs) == 6 and all(p.startswith(b"\x89PNG") for p in pngs)
        results["export_s"] = statistics.median(runs)
        export.stop_server()
    except Exception as exc:  # noqa: BLE001 - a missing API or ExportUnavailable: all reported
        results["export_error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return results


def bench_lib() -> dict:
    """Run lib_section() in a fresh interpreter, bounded by LIB_TIMEOUT_S."""
    log("lib/: model, figure, export")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.run", "--lib-section"],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=LIB_TIMEOUT_S,
            env={**os.environ, "AIGRID_OFFLINE": "1"},
        )
    except subprocess.TimeoutExpired:
        return {"model_error": "timed out", "export_error": f"timed out after {LIB_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"model_error": reason, "export_error": reason}
    return json.loads(lines[-1])


# ---------------------------------------------------------------- report


def cpu_reference_ms(repeats: int = 5) -> float:
    """Median time of a fixed pure-Python loop (3 million additions), in ms. On a shared
    virtual machine the CPU's speed varies from hour to hour; this shows how fast it was."""
    def once() -> float:
        start = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i
        return (time.perf_counter() - start) * 1000

    return round(statistics.median(once() for _ in range(repeats)), 1)


def machine_info() -> dict:
    """nproc, memory and CPU model of this machine, and how fast its CPU ran just now."""
    import psutil

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "load_avg_1m": round(os.getloadavg()[0], 1),  # other work on the box skews the times
        "cpu_reference_ms": cpu_reference_ms(),
    }


def versions(browser: Any) -> dict:
    """Versions of Python, the libraries measured and the browser."""
    out = {"python": platform.python_version(), "chromium": browser.version}
    for name in ("streamlit", "plotly", "kaleido", "playwright", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _row(
    metric: str,
    app: float | None,
    hello: float | None,
    budget: str = "",
    passed: bool | None = None,
    unit: str = "ms",
    note: str = "",
) -> dict:
    ratio = app / hello if app is not None and hello else None
    return {
        "metric": metric,
        "app": app,
        "hello": hello,
        "ratio": ratio,
        "budget": budget,
        "pass": passed,
        "unit": unit,
        "note": note,
    }


def _rounds_note(res: dict) -> str:
    """'rounds: 128 / 147 / 135 ms': each round's median, to show the spread behind the p50."""
    medians = res.get("round_p50s_ms", [])
    return f"rounds: {' / '.join(f'{m:.0f}' for m in medians)} ms" if len(medians) > 1 else ""


CPU_ROWS = {"server_cpu_ms": "Server CPU time", "browser_main_ms": "Page main-thread time"}


def _cpu_note(res: dict) -> str:
    """'per move: server CPU 21 ms, page main thread 70 ms', where the run measured them."""
    if res.get("server_cpu_ms") is None:
        return ""
    return (f"per move: server CPU {res['server_cpu_ms']:.0f} ms, page main thread "
            f"{res['browser_main_ms']:.0f} ms")


def slider_rows(sliders: dict) -> list[dict]:
    """Round-trip rows: each app target against hello-world."""
    hello = sliders.get("hello", {})
    base = hello["round_trip_ms"]["p50"] if hello.get("available") else None
    rows = []
    for name, res in sliders.items():
        if name == "hello":
            continue
        if not res.get("available"):
            rows.append(
                _row(
                    f"Slider round trip p50, {name}",
                    None,
                    base,
                    note=f"not available: {res.get('reason')}",
                )
            )
            continue
        p50, limit = res["round_trip_ms"]["p50"], BUDGETS["slider_ratio"]
        label = res.get("label", name)
        note = _rounds_note(res)
        if not res.get("budget", True):  # a floor: for the profile, no budget of its own
            rows.append(_row(f"Slider round trip p50, {label}", p50, base,
                             note="; ".join(filter(None, (note, _cpu_note(res))))))
            continue
        ok = p50 <= limit * base if base else None
        rows.append(
            _row(f"Slider round trip p50, {label} ({res['path']})", p50, base,
                 f"≤{limit}× hello", ok, note=note)
        )
        rows.append(
            _row(
                f"Slider round trip p90, {name}",
                res["round_trip_ms"]["p90"],
                hello["round_trip_ms"]["p90"] if base else None,
            )
        )
        rows.append(
            _row(
                f"Keydown to script finished p50, {name}",
                res["server_ms"]["p50"],
                hello["server_ms"]["p50"] if base else None,
            )
        )
        for key, what in CPU_ROWS.items():
            rows.append(_row(f"{what} per move, {name}", res.get(key),
                             hello.get(key) if base else None))
    if base and not rows:
        rows.append(_row("Slider round trip p50", None, base, note="app not measured"))
    return rows


def load_rows(loads: dict) -> list[dict]:
    """First-load rows: each app page against hello-world's page, measured alongside it."""
    hellos = loads.get("hello", {})
    rows, limit = [], BUDGETS["load_ratio"]
    for path, res in loads.get("app", {}).items():
        hello = hellos.get(path)
        for kind in ("cold", "warm"):
            value = res[f"{kind}_ms"]["p50"]
            base = hello[f"{kind}_ms"]["p50"] if hello else None
            note = f"{res['errors_shown']} error(s) shown" if res["errors_shown"] else ""
            rows.append(
                _row(
                    f"First load {kind}, {path}",
                    value,
                    base,
                    f"≤{limit}× hello",
                    value <= limit * base if base else None,
                    note=note,
                )
            )
    hello = hellos.get("/")
    if hello and not rows:
        for kind in ("cold", "warm"):
            rows.append(
                _row(
                    f"First load {kind}", None, hello[f"{kind}_ms"]["p50"], note="app not measured"
                )
            )
    return rows


def load_floor_rows(floors: dict) -> list[dict]:
    """Warm first loads of the floor pages, against hello-world's measured alongside."""
    hello = floors.get("hello")
    labels = {t.name: t.label for t in SLIDER_TARGETS}
    return [_row(f"First load warm, {labels[name]}", res["warm_ms"]["p50"],
                 hello["warm_ms"]["p50"] if hello else None, note="no budget: the stack's floor")
            for name, res in floors.items() if name != "hello"]


def lib_rows(lib: dict) -> list[dict]:
    """Model, figure and export rows (no hello-world counterpart)."""
    if "model_ms" in lib:
        rows = [
            _row(
                "Model evaluation (grid_model.evaluate)",
                lib["model_ms"],
                None,
                f"<{BUDGETS['model_ms']:g} ms",
                lib["model_ms"] < BUDGETS["model_ms"],
            ),
            _row("Gap table (grid_model.build_gap_table)", lib["gap_table_ms"], None),
            _row(
                "Figure build (figures.fig_gap)",
                lib["figure_ms"],
                None,
                f"<{BUDGETS['figure_ms']:g} ms",
                lib["figure_ms"] < BUDGETS["figure_ms"],
            ),
        ]
    else:
        rows = [
            _row(
                "Model evaluation and figure build",
                None,
                None,
                note=f"not available: {lib.get('model_error')}",
            )
        ]
    if "export_s" in lib:
        rows += [
            _row(
                "Six PNG exports, warm kaleido (lib.export.to_pngs)",
                lib["export_s"],
                None,
                f"<{BUDGETS['export_s']:g} s",
                lib["export_s"] < BUDGETS["export_s"],
                "s",
            ),
            _row("Kaleido start and first PNG", lib["kaleido_start_s"], None, unit="s"),
        ]
    else:
        rows.append(
            _row(
                "Six PNG exports",
                None,
                None,
                unit="s",
                note=f"not available: {lib.get('export_error')}",
            )
        )
    return rows


def memory_rows(memory: dict) -> list[dict]:
    """Server memory rows, app against hello-world."""
    app, hello = memory.get("app"), memory.get("hello")
    rows: list[dict] = []
    if not (app or hello):
        return rows
    sessions = (app or hello or {}).get("sessions", SESSIONS)
    for key, label in (
        ("one_mb", "Server RSS, 1 session"),
        ("many_mb", f"Server RSS, {sessions} sessions"),
        ("per_session_mb", "Server RSS per extra session"),
    ):
        rows.append(
            _row(
                label,
                app and app[key],
                hello and hello[key],
                unit="MB",
                note="" if app else "app not measured",
            )
        )
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms" and value < 1:
        return f"{value * 1000:.0f} µs"
    return f"{value:.2f} {unit}" if unit == "s" or value < 10 else f"{value:.0f} {unit}"


METHOD = (
    "Round trip: keydown on the focused slider thumb to the frame painted after the watched "
    "content changed (every Plotly chart's data; the st.write text for hello-world), timed "
    "in the page with performance.now(); warm-up moves excluded; every target is measured in "
    "rounds, interleaved with the others (a new server each), and summarised over the timed "
    "moves of all rounds, with each round's median noted. CPU per move, over the same timed "
    "moves: the server's processes (user + system) and the page's main thread (Chromium's "
    "TaskDuration in thread time, which includes the harness's check once per frame). First "
    "load: navigation start "
    "to settled (script finished, no skeleton, charts drawn); cold is the first visit of a new "
    "server process (the app started by scripts/serve.py as make run does, hello-world by "
    "streamlit run), warm a later visit from a new browser context (empty HTTP cache); "
    "hello-world's page is measured alongside each app page, the visits taken in turns; the "
    "floor pages (12 sliders; 1 slider and the Grid chart) are loaded warm next to a "
    "hello-world of their own. Both "
    "apps run with the repository's .streamlit/config.toml. Memory: "
    "RSS of the server's process tree, one browser context per session, read once every "
    "session's script has finished. Other work on the machine shifts absolute times: compare "
    "ratios, measured in the same run."
)


def render_markdown(report: dict) -> str:
    """results.md: the table, then machine and versions."""
    m, v = report["machine"], report["versions"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['date']} with `{' '.join(['python -m benchmarks.run', *report['argv']])}`. "
        + "Written by the runner: do not edit by hand.",
        "",
        "| metric | app | hello-world | ratio | budget | pass/fail |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in report["rows"]:
        ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else "—"
        verdict = {True: "pass", False: "**FAIL**", None: "—"}[row["pass"]]
        if row["note"]:
            verdict = f"{verdict} ({row['note']})" if row["pass"] is not None else row["note"]
        lines.append(
            f"| {row['metric']} | {_fmt(row['app'], row['unit'])} | "
            f"{_fmt(row['hello'], row['unit'])} | {ratio} | {row['budget'] or '—'} | "
            f"{verdict} |"
        )
    lines += [
        "",
        METHOD,
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}; "
        f"load average {m['load_avg_1m_at_start']} at the start, {m['load_avg_1m']} at the end; "
        f"a reference loop (3 million additions in Python) took "
        f"{m.get('cpu_reference_ms_at_start', '?')} ms at the start and "
        f"{m.get('cpu_reference_ms', '?')} ms at the end (a slower CPU slows the app's "
        "CPU-bound work more than hello-world's, so the ratios grow).",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


SECTIONS = ("slider", "load", "memory", "lib")


class RunTimeout(Exception):
    """The whole run exceeded RUN_TIMEOUT_S."""


def _alarm(signum: int, frame: Any) -> None:
    raise RunTimeout(f"benchmark run exceeded {RUN_TIMEOUT_S} s")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", choices=("hello", "app"), help="measure one app only")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument("--app", default=str(APP), help="the app to compare (default: app.py)")
    parser.add_argument("--moves", type=int, default=SLIDER_MOVES,
                        help="timed moves per slider and round")
    parser.add_argument("--rounds", type=int, default=SLIDER_ROUNDS,
                        help="rounds of slider targets, interleaved")
    parser.add_argument("--sessions", type=int, default=SESSIONS, help="concurrent sessions")
    parser.add_argument("--lib-section", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def measure(browser: Any, args: argparse.Namespace) -> dict:
    """Run every section for the chosen apps; return the raw results."""
    apps = {"hello": HELLO_APP, "app": Path(args.app).resolve()}
    if args.only:
        apps = {args.only: apps[args.only]}
    if "app" in apps:
        apps["floor"] = FLOOR_APP
    sections = set(args.sections.split(","))
    raw: dict[str, Any] = {"sliders": {}, "loads": {}, "memory": {}, "lib": {}}
    rounds: dict[str, list[dict]] = {}
    for _ in range(args.rounds if "slider" in sections else 0):
        for target in (t for t in SLIDER_TARGETS if t.app in apps):
            result = bench_slider(browser, target, apps[target.app], args.moves)
            rounds.setdefault(target.name, []).append(result)
    raw["sliders"] = {name: pool_rounds(results) for name, results in rounds.items()}
    present = {}
    for name, script in apps.items():
        if name == "floor":  # measured for its slider only
            continue
        if not script.exists():
            log(f"{script.name} does not exist: skipped")
            continue
        present[name] = script
    if "load" in sections and present:
        log(f"first loads, {' and '.join(s.name for s in present.values())} in turns")
        raw["loads"] = bench_loads(browser, present)
        if "floor" in apps and "hello" in present:
            log("first loads of the floor pages, hello-world in turns")
            raw["load_floors"] = bench_load_floors(browser, present["hello"], apps["floor"])
    if "memory" in sections:
        for name, script in present.items():
            raw["memory"][name] = bench_memory(browser, script, args.sessions)
    if "app" in apps and "lib" in sections:
        raw["lib"] = bench_lib()
    return raw


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.lib_section:
        print(json.dumps(lib_section()))
        return 0
    from playwright.sync_api import sync_playwright

    load_at_start = round(os.getloadavg()[0], 1)
    cpu_at_start = cpu_reference_ms()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(RUN_TIMEOUT_S)
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            log(f"Chromium {browser.version}")
            raw = measure(browser, args)
            report = {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "argv": sys.argv[1:] if argv is None else argv,
                "machine": {**machine_info(), "load_avg_1m_at_start": load_at_start,
                            "cpu_reference_ms_at_start": cpu_at_start},
                "versions": versions(browser),
                "settings": {
                    "warmup_moves": WARMUP_MOVES,
                    "moves": args.moves,
                    "slider_rounds": args.rounds,
                    "cold_repeats": COLD_REPEATS,
                    "warm_loads": WARM_LOADS,
                    "sessions": args.sessions,
                    "budgets": BUDGETS,
                },
                "results": raw,
            }
            browser.close()
    finally:
        signal.alarm(0)
    report["rows"] = (
        slider_rows(raw["sliders"])
        + load_rows(raw["loads"])
        + load_floor_rows(raw.get("load_floors", {}))
        + (lib_rows(raw["lib"]) if raw["lib"] else [])
        + memory_rows(raw["memory"])
    )
    RESULTS_JSON.write_text(json.dumps(report, indent=2) + "\n")
    RESULTS_MD.write_text(render_markdown(report))
    log(f"wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")
    print(RESULTS_MD.read_text())
    return 0 if all(row["pass"] is not False for row in report["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
