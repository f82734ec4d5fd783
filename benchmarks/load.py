"""Bounded load test on loopback: N websocket sessions move a slider on the Grid page. Not a test.

    AIGRID_OFFLINE=1 uv run python -m benchmarks.load                        # 50 sessions, 60 s
    AIGRID_OFFLINE=1 uv run python -m benchmarks.load --sessions 10 --duration-s 20
    AIGRID_OFFLINE=1 uv run python -m benchmarks.load --url http://127.0.0.1:8501  # already up

Each session speaks Streamlit's own protocol (the installed streamlit/proto), as the frontend
does: it opens ws://127.0.0.1:PORT/_stcore/stream, sends BackMsg.rerun_script with
ClientState.page_name="grid", reads ForwardMsgs until ForwardMsg.script_finished, then moves the
`lead_time_years` slider again and again: a rerun_script whose ClientState carries the slider's
WidgetState (double_array_value, the slider's id taken from the Slider element the server sent)
and the fragment id around it (pages/grid.py draws its sliders in a fragment of their own,
ui.scenario_controls, so the frontend asks for a fragment run; the slider's callback narrows it
to the results fragments). Between moves a session "thinks" for --think-s seconds
(±50 %, seeded). Latency = BackMsg sent -> script_finished received (FINISHED_EARLY_FOR_RERUN is
not an end: a newer run replaces it). Not sending cached_message_hashes, a session receives every
message in full: the server's worst case.

Counted as errors: an Exception element in the delta stream, a websocket that fails or closes,
no script_finished within --timeout-s. Also checked: every session that asked for the same lead
time read the same "Peak shortfall (GW)" metric (a wrong answer under load is a failure too).
Sampled every second: the server's resident memory (process and children), its CPU and its
`active_sessions` (/_stcore/metrics). Writes benchmarks/load_results.md and .json.

Bounded and loopback only: the server is started here on 127.0.0.1 with `make serve`'s flags
(through the browser tests' harness) or --url names one on 127.0.0.0/8 or [::1]; any other host
is refused. At most MAX_SESSIONS sessions for at most MAX_DURATION_S seconds, then it stops.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import platform
import random
import re
import shlex
import statistics
import sys
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/load.py` as well as `python -m benchmarks.load`
    sys.path.insert(0, str(ROOT))

from tests.browser.harness import start_streamlit  # noqa: E402 - after the path fix above

MAKEFILE = ROOT / "Makefile"
APP = ROOT / "app.py"
RESULTS_MD = ROOT / "benchmarks" / "load_results.md"
RESULTS_JSON = ROOT / "benchmarks" / "load_results.json"

MAX_SESSIONS = 200  # hard caps, whatever the arguments say
MAX_DURATION_S = 600.0
DRAIN_S = 60.0  # after the deadline: time for runs in flight to finish
SAMPLE_EVERY_S = 1.0
# Lead times the sessions move between (years); all inside the slider's bounds (0-15).
LEAD_TIMES = (2, 3, 4, 5, 6, 7, 8)
CHECKED_METRIC = "Peak shortfall (GW)"
FINISHED_EARLY_FOR_RERUN = 2  # ForwardMsg.ScriptFinishedStatus: a newer run replaced this one


# ---------------------------------------------------------------- `make serve`, one reader


LAUNCHER = "scripts/serve.py"  # `streamlit run app.py` after a warm-up


def serve_flags(makefile: Path = MAKEFILE) -> dict[str, str]:
    """Return `make serve`'s Streamlit flags as {"server.headless": "true", ...}.

    Read from the Makefile's recipe (continuation lines joined); --server.port is left out: it is
    $(PORT) there and a free port here. The Dockerfile test and the replica test use this too.
    """
    text = makefile.read_text().replace("\\\n", " ")
    match = re.search(r"^serve:[^\n]*\n((?:\t[^\n]*\n?)+)", text, re.MULTILINE)
    if match is None:
        raise LookupError(f"no `serve` target in {makefile}")
    recipe = " ".join(line.strip() for line in match.group(1).splitlines())
    words = shlex.split(recipe)
    if LAUNCHER not in words:
        raise LookupError(f"`make serve` does not run {LAUNCHER}: {recipe}")
    rest = words[words.index(LAUNCHER) + 1 :]  # `streamlit run app.py`'s --name value pairs
    if len(rest) % 2 or not all(name.startswith("--") for name in rest[::2]):
        raise ValueError(f"cannot read `make serve`'s flags as --name value pairs: {recipe}")
    flags = {name[2:]: value for name, value in zip(rest[::2], rest[1::2], strict=True)}
    flags.pop("server.port", None)
    return flags


def serve_env(flags: dict[str, str]) -> dict[str, str]:
    """The same settings as STREAMLIT_* variables (harness.start_streamlit takes an env, not args).

    Streamlit reads every option from STREAMLIT_<SECTION>_<OPTION_IN_SNAKE_CASE>; the names come
    from streamlit's own option table, so a flag it does not know raises KeyError here.
    """
    from streamlit import config

    options = config.get_config_options()
    return {options[name].env_var: value for name, value in flags.items()}


@contextmanager
def start_served(script: Path = APP, port: int | None = None) -> Iterator[Any]:
    """`streamlit run script` with `make serve`'s flags, on 127.0.0.1, offline (the harness)."""
    with start_streamlit(script, env=serve_env(serve_flags()), port=port) as server:
        yield server


# ---------------------------------------------------------------- Streamlit's protocol


def require_loopback(url: str) -> str:
    """Return url's host if it is on this machine (127.0.0.0/8, ::1, localhost), else raise."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise SystemExit(f"refusing {url!r}: the load test only targets loopback addresses")


@dataclass
class RunResult:
    """One script run as a session saw it."""

    latency_s: float
    status: int
    messages: int
    received_bytes: int
    exceptions: list[str]
    metrics: dict[str, str]


@dataclass
class Slider:
    widget_id: str
    fragment_id: str
    page_script_hash: str
    value: float  # where the page drew it


class Session:
    """One Streamlit session over a websocket (websocket-client, blocking)."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        import websocket  # a dev dependency

        parts = urlsplit(base_url)
        self.ws_url = f"ws://{parts.netloc}/_stcore/stream"
        self.timeout_s = timeout_s
        self.ws = websocket.create_connection(
            self.ws_url, timeout=timeout_s, subprotocols=["streamlit"]
        )

    def close(self) -> None:
        self.ws.close()

    def run(self, client_state: Any) -> tuple[RunResult, list[Any]]:
        """Send one rerun_script, read until its script_finished; return the run and messages."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        back = BackMsg()
        back.rerun_script.CopyFrom(client_state)
        started = time.perf_counter()
        self.ws.send_binary(back.SerializeToString())
        messages, size = [], 0
        deadline = started + self.timeout_s
        while True:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no script_finished within {self.timeout_s:g} s")
            data = self.ws.recv()
            size += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            messages.append(msg)
            if msg.WhichOneof("type") == "script_finished":
                if msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                    break
        latency_s = time.perf_counter() - started
        result = RunResult(
            latency_s,
            msg.script_finished,
            len(messages),
            size,
            _exceptions(messages),
            _metrics(messages),
        )
        return result, messages

    def open_page(self, page_name: str, slider_key: str) -> tuple[RunResult, Slider]:
        """Load a page as a new tab does; return the run and the slider to move."""
        from streamlit.proto.ClientState_pb2 import ClientState

        result, messages = self.run(ClientState(page_name=page_name))
        return result, _find_slider(messages, page_name, slider_key)

    def move(self, slider: Slider, value: float) -> RunResult:
        """Set the slider to value as the frontend does: a fragment rerun with its widget state."""
        from streamlit.proto.ClientState_pb2 import ClientState

        state = ClientState(
            page_script_hash=slider.page_script_hash, fragment_id=slider.fragment_id
        )
        widget = state.widget_states.widgets.add()
        widget.id = slider.widget_id
        widget.double_array_value.data.append(float(value))
        return self.run(state)[0]


def _elements(messages: list[Any]) -> Iterator[tuple[Any, Any]]:
    for msg in messages:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            yield msg, msg.delta.new_element


def _exceptions(messages: list[Any]) -> list[str]:
    return [
        f"{el.exception.type}: {el.exception.message}"[:300]
        for _, el in _elements(messages)
        if el.WhichOneof("type") == "exception"
    ]


def _metrics(messages: list[Any]) -> dict[str, str]:
    return {
        el.metric.label: el.metric.body
        for _, el in _elements(messages)
        if el.WhichOneof("type") == "metric"
    }


def _find_slider(messages: list[Any], page_name: str, key: str) -> Slider:
    pages = [
        p
        for m in messages
        if m.WhichOneof("type") == "navigation"
        for p in m.navigation.app_pages
        if p.url_pathname == page_name
    ]
    if not pages:
        raise LookupError(f"the server did not list a page {page_name!r}")
    for msg, el in _elements(messages):
        if el.WhichOneof("type") == "slider" and el.slider.id.endswith(f"-{key}"):
            drawn = el.slider.value or el.slider.default
            return Slider(el.slider.id, msg.delta.fragment_id, pages[-1].page_script_hash,
                          drawn[0])
    raise LookupError(f"no slider with key {key!r} on page {page_name!r}")


# ---------------------------------------------------------------- the load


@dataclass
class Tally:
    """What every session recorded; appended to under a lock."""

    first_load_s: list[float] = field(default_factory=list)
    move_s: list[float] = field(default_factory=list)
    moves_by_second: Counter = field(default_factory=Counter)
    received_bytes: int = 0
    exceptions: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    answers: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, run: RunResult, t0: float, lead: int | None = None) -> None:
        with self.lock:
            (self.first_load_s if lead is None else self.move_s).append(run.latency_s)
            self.received_bytes += run.received_bytes
            self.exceptions.extend(run.exceptions)
            if lead is not None:
                self.moves_by_second[int(time.monotonic() - t0)] += 1
                self.answers[lead][run.metrics.get(CHECKED_METRIC, "missing")] += 1

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures.append(text[:300])


def session_loop(
    index: int, base_url: str, args: argparse.Namespace, t0: float, deadline: float, tally: Tally
) -> None:
    """One simulated visitor: arrive during the ramp, open /grid, move the slider until deadline."""
    rng = random.Random(args.seed * 1000 + index)
    time.sleep(args.ramp_s * index / max(args.sessions, 1))
    try:
        session = Session(base_url, args.timeout_s)
    except Exception as exc:  # noqa: BLE001 - a refused connection is a result, not a crash
        tally.fail(f"session {index}: connect: {type(exc).__name__}: {exc}")
        return
    try:
        run, slider = session.open_page(args.page, args.slider)
        tally.record(run, t0)
        lead = slider.value  # a move that keeps the value sends nothing in a browser
        while time.monotonic() < deadline:
            lead = rng.choice([v for v in LEAD_TIMES if v != lead])  # a move always changes it
            tally.record(session.move(slider, lead), t0, lead)
            time.sleep(args.think_s * rng.uniform(0.5, 1.5))
    except Exception as exc:  # noqa: BLE001 - every failure is counted, the others go on
        tally.fail(f"session {index}: {type(exc).__name__}: {exc}")
    finally:
        session.close()


def active_sessions(base_url: str) -> int | None:
    """The server's own `active_sessions` gauge (/_stcore/metrics), or None if unreadable."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/metrics", timeout=5) as resp:
            text = resp.read().decode()
    except OSError:
        return None
    found = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    return int(found.group(1)) if found else None


def sample_loop(
    server: Any, base_url: str, t0: float, stop: threading.Event, samples: list[dict]
) -> None:
    """Every SAMPLE_EVERY_S: the server's RSS (MiB), CPU (% of one core) and active sessions."""
    import psutil

    proc = psutil.Process(server.process.pid) if server is not None else None
    if proc is not None:
        proc.cpu_percent(None)  # the first call only starts the measurement
    while not stop.wait(SAMPLE_EVERY_S):
        row: dict = {
            "t_s": round(time.monotonic() - t0, 1),
            "active_sessions": active_sessions(base_url),
        }
        if proc is not None:
            try:
                row["rss_mib"] = round(server.rss_bytes() / 2**20, 1)
                row["cpu_pct"] = round(proc.cpu_percent(None), 0)
            except psutil.Error:
                pass
        samples.append(row)


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p90, p99 and max in milliseconds (inclusive method; None without two values)."""
    if len(values) < 2:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p90_ms": round(cuts[89] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def warm_up(base_url: str, args: argparse.Namespace) -> float:
    """Load the page once before the clock starts (a new server imports pandas and plotly)."""
    session = Session(base_url, args.timeout_s * 4)
    try:
        return session.open_page(args.page, args.slider)[0].latency_s
    finally:
        session.close()


def run_load(args: argparse.Namespace, base_url: str, server: Any) -> dict:
    """Warm the server up, run the sessions and the sampler; return the results."""
    cold_s = warm_up(base_url, args)
    tally, samples, stop = Tally(), [], threading.Event()
    t0, cpu0_s = time.monotonic(), time.process_time()
    deadline = t0 + args.ramp_s + args.duration_s
    sampler = threading.Thread(
        target=sample_loop, args=(server, base_url, t0, stop, samples), daemon=True
    )
    sampler.start()
    workers = [
        threading.Thread(
            target=session_loop,
            daemon=True,
            name=f"session-{i}",
            args=(i, base_url, args, t0, deadline, tally),
        )
        for i in range(args.sessions)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:  # each ends by the deadline, plus one run in flight
        worker.join(max(0.0, deadline + DRAIN_S - time.monotonic()))
    stop.set()
    sampler.join(10)
    stuck = sum(worker.is_alive() for worker in workers)
    return summarise(args, tally, samples, time.monotonic() - t0, stuck) | {
        "warm_up_load_ms": round(cold_s * 1000, 1),
        "client_cpu_s": round(time.process_time() - cpu0_s, 1),
    }


def summarise(
    args: argparse.Namespace, tally: Tally, samples: list[dict], wall_s: float, stuck: int
) -> dict:
    """The results as one JSON-ready dict."""
    wrong = sum(sum(c.values()) - max(c.values()) for c in tally.answers.values())
    rss = [s["rss_mib"] for s in samples if "rss_mib" in s]
    cpu = [s["cpu_pct"] for s in samples if "cpu_pct" in s]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "python": platform.python_version(),
            "streamlit": metadata.version("streamlit"),
        },
        "settings": {k: v for k, v in vars(args).items() if k not in ("url", "out")}
        | {"server": args.url or "started here with `make serve`'s flags"},
        "wall_s": round(wall_s, 1),
        "first_load": {"count": len(tally.first_load_s), **percentiles(tally.first_load_s)},
        "slider_move": {
            "count": len(tally.move_s),
            **percentiles(tally.move_s),
            "per_s": round(len(tally.move_s) / max(args.duration_s, 1e-9), 1),
        },
        "errors": {
            "exception_elements": len(tally.exceptions),
            "session_failures": len(tally.failures),
            "wrong_answers": wrong,
            "stuck_sessions": stuck,
            "examples": (tally.exceptions + tally.failures)[:10],
        },
        "received_mib": round(tally.received_bytes / 2**20, 1),
        "server": {
            "rss_start_mib": rss[0] if rss else None,
            "rss_peak_mib": max(rss) if rss else None,
            "rss_end_mib": rss[-1] if rss else None,
            "cpu_mean_pct": round(statistics.fmean(cpu)) if cpu else None,
            "peak_active_sessions": max((s["active_sessions"] or 0 for s in samples), default=None),
        },
        "samples": samples,
    }


def error_total(results: dict) -> int:
    errors = results["errors"]
    return sum(
        errors[k]
        for k in ("exception_elements", "session_failures", "wrong_answers", "stuck_sessions")
    )


def markdown(results: dict) -> str:
    """benchmarks/load_results.md: the settings, the latencies, errors and memory over time."""
    s, fl, mv, er, sv = (
        results[k] for k in ("settings", "first_load", "slider_move", "errors", "server")
    )
    lines = [
        "# Load test: websocket sessions on the Grid page",
        "",
        f"Run {results['when']} on {results['machine']['cpus']} CPUs (load average "
        f"{results['machine']['load_average_1min']} at the end), Streamlit "
        f"{results['machine']['streamlit']}, by `benchmarks/load.py` (loopback only). "
        f"{s['sessions']} sessions arriving over {s['ramp_s']:g} s, then {s['duration_s']:g} s "
        f"of slider moves (`{s['slider']}` on /{s['page']}), {s['think_s']:g} s think time "
        f"(±50 %) between moves. Server: {s['server']}.",
        "",
        "| what | count | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {name} | {row['count']} | {row['p50_ms']} | {row['p90_ms']} | {row['p99_ms']} "
            f"| {row['max_ms']} |"
            for name, row in (("page load (first run)", fl), ("slider move (fragment run)", mv))
        ),
        "",
        f"Before the clock started, one page load (the new process's first session; "
        f"scripts/serve.py had loaded pandas and plotly) took {results['warm_up_load_ms']} ms.",
        "",
        f"Throughput: {mv['per_s']} slider moves per second. Received "
        f"{results['received_mib']} MiB of ForwardMsgs (no client-side message cache); the "
        f"clients used {results['client_cpu_s']} s of CPU in {results['wall_s']} s (they share "
        "the machine with the server).",
        "",
        f"Errors: {error_total(results)} (exception elements {er['exception_elements']}, "
        f"failed sessions {er['session_failures']}, wrong answers {er['wrong_answers']}, "
        f"stuck sessions {er['stuck_sessions']}).",
        *(f"- `{e}`" for e in er["examples"]),
        "",
        f"Server memory (RSS, process and children): {sv['rss_start_mib']} MiB at the start, "
        f"{sv['rss_peak_mib']} MiB at the peak, {sv['rss_end_mib']} MiB at the end; mean CPU "
        f"{sv['cpu_mean_pct']} % of one core; at most {sv['peak_active_sessions']} active "
        "sessions.",
        "",
        "Every 5th sample (CPU in % of one core; active sessions from /_stcore/metrics, "
        '"-" when it did not answer within 5 s):',
        "",
        "| t (s) | RSS (MiB) | CPU (%) | active sessions |",
        "|---:|---:|---:|---:|",
        *(
            f"| {r['t_s']} | {r.get('rss_mib', '')} | {r.get('cpu_pct', '')} | "
            f"{'-' if r['active_sessions'] is None else r['active_sessions']} |"
            for r in results["samples"][::5]
        ),
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (50)")
    parser.add_argument("--duration-s", type=float, default=60.0, help="moving time (60 s)")
    parser.add_argument("--ramp-s", type=float, default=10.0, help="arrivals spread over (10 s)")
    parser.add_argument("--think-s", type=float, default=1.0, help="pause between moves (1 s)")
    parser.add_argument("--timeout-s", type=float, default=30.0, help="per run (30 s)")
    parser.add_argument("--page", default="grid", help="url path of the page (grid)")
    parser.add_argument("--slider", default="lead_time_years", help="widget key to move")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="a running server on loopback instead of starting one")
    parser.add_argument("--out", type=Path, default=RESULTS_MD, help="Markdown report path")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1-{MAX_SESSIONS}")
    if not 0 < args.duration_s + args.ramp_s <= MAX_DURATION_S:
        parser.error(f"--duration-s plus --ramp-s must be at most {MAX_DURATION_S:g} s")
    if args.url:
        require_loopback(args.url)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    serving = nullcontext(None) if args.url else start_served(APP)
    with serving as server:
        base_url = (args.url or server.url).rstrip("/")
        print(
            f"{args.sessions} sessions on {base_url}/{args.page} for "
            f"{args.ramp_s:g} + {args.duration_s:g} s ...",
            flush=True,
        )
        results = run_load(args, base_url, server)
    json_path = args.out.with_suffix(".json")
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    args.out.write_text(markdown(results))
    mv = results["slider_move"]
    print(
        f"slider move p50/p90/p99 = {mv['p50_ms']}/{mv['p90_ms']}/{mv['p99_ms']} ms over "
        f"{mv['count']} moves; errors {error_total(results)}; RSS peak "
        f"{results['server']['rss_peak_mib']} MiB. Wrote {args.out} and {json_path}."
    )
    return 1 if error_total(results) else 0


if __name__ == "__main__":
    sys.exit(main())
