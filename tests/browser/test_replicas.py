"""Two replicas behind nginx (deploy/nginx.conf): browsers spread over both, each stays on one.

The replicas run `make serve`'s flags (benchmarks.load.start_served: the harness with the flags as
STREAMLIT_* variables) on free loopback ports; nginx runs in the foreground from a copy of
deploy/nginx.conf whose `listen` and upstream `server` lines name those ports. The upstream hashes
the `aigrid_route` cookie that nginx hands to each new browser, so:

* a new browser gets a random 32-hex-digit key and every one of its requests (page, scripts,
  websocket) goes to the replica that key hashes to;
* distinct browsers get distinct keys, which spread over the replicas. To make the spread
  deterministic here, the multi-browser test first probes which replica a few fixed keys land on
  (one short websocket each) and gives the browsers keys from both.

Skips when nginx is not installed (tests never install it; Debian: apt-get install nginx).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.load import start_served
from lib.settings import SETTINGS_BY_NAME

from .harness import (
    LOG_DIR,
    ROOT,
    assert_no_error,
    drag_slider,
    free_port,
    new_context,
    new_page,
    screenshot,
    settle,
    slider_value,
)

pytestmark = pytest.mark.browser

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
APP = ROOT / "app.py"
COOKIE = "aigrid_route"
ROUTE_KEY = re.compile(r"[0-9a-f]{32}")
UPSTREAM_LINE = re.compile(r"^(\s*)server\s+127\.0\.0\.1:\d+(\s[^;]*)?;\s*$", re.MULTILINE)
LISTEN_LINE = re.compile(r"^(\s*)listen\s+\d+;\s*$", re.MULTILINE)
START_TIMEOUT_S = 20.0
BROWSERS = 4  # two per replica
NEW_VISITORS = 24  # cookie-less requests; all on one replica by chance: p = 2**-23


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def render_nginx_conf(template: str, listen_port: int, upstream_ports: list[int]) -> str:
    """deploy/nginx.conf listening on 127.0.0.1:listen_port, one upstream line per port.

    The first upstream `server 127.0.0.1:PORT ...;` line is the model (its parameters are kept);
    the template must have exactly one `listen PORT;` line and at least one upstream line.
    """
    servers = list(UPSTREAM_LINE.finditer(template))
    if len(LISTEN_LINE.findall(template)) != 1 or not servers:
        raise ValueError("deploy/nginx.conf: expected one `listen PORT;` and upstream lines")
    indent, params = servers[0].group(1), servers[0].group(2) or ""
    lines = "".join(f"{indent}server 127.0.0.1:{port}{params};\n" for port in upstream_ports)
    first, last = servers[0].start(), servers[-1].end()
    text = template[:first] + lines.rstrip("\n") + template[last:]
    return LISTEN_LINE.sub(rf"\g<1>listen 127.0.0.1:{listen_port};", text)


@dataclass
class Nginx:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def access_log(self) -> list[dict[str, str]]:
        """Access-log lines as {"request", "upstream", "route"} (deploy/nginx.conf's format)."""
        found = re.finditer(
            r'"(?P<request>[^"]*)" \d+ \d+ upstream=(?P<upstream>\S+) '
            r"route=(?P<route>\S+)",
            self.log_path.read_text(errors="replace"),
        )
        return [m.groupdict() for m in found]


@contextmanager
def start_nginx(nginx: str, upstream_ports: list[int]) -> Iterator[Nginx]:
    """nginx in the foreground (not a daemon) on a free loopback port, until the block ends."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"nginx-{port}.log"
    prefix = Path(tempfile.mkdtemp(prefix="aigrid-nginx-"))
    prefix.chmod(0o755)  # nginx's workers (user nobody) buffer large responses in here
    try:
        conf = prefix / "nginx.conf"
        conf.write_text(render_nginx_conf(NGINX_CONF.read_text(), port, upstream_ports))
        globals_ = f"daemon off; pid {prefix / 'nginx.pid'}; error_log stderr;"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [nginx, "-e", "stderr", "-p", str(prefix), "-c", str(conf), "-g", globals_],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            server = Nginx(process, port, log_path)
            try:
                _wait_answering(server)
                yield server
            finally:
                _stop(process)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_answering(server: Nginx) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{server.log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.read() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling, bounded by the deadline
    raise TimeoutError(f"nginx not answering:\n{server.log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGQUIT)  # graceful: workers finish, then the master exits
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def session_counts(replica) -> tuple[int, int]:
    """(sessions connected so far, sessions active now) from the replica's /_stcore/metrics."""
    with urllib.request.urlopen(f"{replica.url}/_stcore/metrics", timeout=10) as resp:
        text = resp.read().decode()
    connected = re.search(r'^session_events_total\{type="connect"\} (\d+)', text, re.MULTILINE)
    active = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    return int(connected.group(1)), int(active.group(1))


def wait_for(condition, timeout_s: float = 15.0):
    """Poll condition() until it returns a truthy value; return it (or fail)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)  # session (dis)connects are counted asynchronously
    raise AssertionError(f"condition not met within {timeout_s} s")


@pytest.fixture(scope="module")
def nginx_path() -> str:
    path = find_nginx()
    if path is None:
        pytest.skip(
            "nginx is not installed (Debian: apt-get install nginx); tests never install it"
        )
    return path


@pytest.fixture(scope="module")
def cluster(nginx_path):
    """Two `make serve`-style replicas and nginx in front of them."""
    with ExitStack() as stack:
        replicas = [stack.enter_context(start_served(APP)) for _ in range(2)]
        proxy = stack.enter_context(start_nginx(nginx_path, [r.port for r in replicas]))
        yield proxy, replicas


def replica_of_key(proxy: Nginx, replicas: list, key: str) -> int:
    """Open one websocket through nginx with this route key; return the replica it reached."""
    import websocket  # a dev dependency, like the browser tests' Playwright

    before = [session_counts(r)[0] for r in replicas]
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{proxy.port}/_stcore/stream",
        timeout=30,
        cookie=f"{COOKIE}={key}",
        subprotocols=["streamlit"],
    )
    try:
        grown = wait_for(
            lambda: [i for i, r in enumerate(replicas) if session_counts(r)[0] > before[i]]
        )
    finally:
        ws.close()
    assert len(grown) == 1, f"one websocket reached replicas {grown}"
    return grown[0]


def keys_per_replica(proxy: Nginx, replicas: list, per_replica: int) -> dict[int, list[str]]:
    """Fixed route keys (from "k0", "k1"...) grouped by the replica each lands on."""
    found: dict[int, list[str]] = defaultdict(list)
    for i in range(32):  # two replicas: 32 keys all on one side is p = 2**-31
        key = hashlib.sha256(f"k{i}".encode()).hexdigest()[:32]  # nginx's own key form
        found[replica_of_key(proxy, replicas, key)].append(key)
        if all(len(found[r]) >= per_replica for r in range(len(replicas))):
            return found
    raise AssertionError(f"route keys did not reach every replica: {dict(found)}")


def upstreams_by_route(proxy: Nginx) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = defaultdict(set)
    for line in proxy.access_log():
        routes[line["route"]].add(line["upstream"])
    return routes


def test_new_visitors_get_distinct_route_keys_that_spread(cluster):
    """Test that cookie-less requests each get a fresh key and reach both replicas."""
    proxy, replicas = cluster
    keys = []
    for _ in range(NEW_VISITORS):
        with urllib.request.urlopen(f"{proxy.url}/", timeout=30) as resp:
            cookie = resp.headers["Set-Cookie"]
        key = re.match(rf"{COOKIE}=([^;]+); Path=/; HttpOnly; SameSite=Lax$", cookie).group(1)
        assert ROUTE_KEY.fullmatch(key)
        keys.append(key)
    assert len(set(keys)) == NEW_VISITORS
    routes = upstreams_by_route(proxy)
    reached = set().union(*(routes[k] for k in keys))
    assert reached == {f"127.0.0.1:{r.port}" for r in replicas}


@contextmanager
def browsers_with_keys(browser, proxy: Nginx, keys: list[str], path: str) -> Iterator[list]:
    """One settled page per route key, each in its own context; all start loading at once."""
    contexts = []
    try:
        for key in keys:
            contexts.append(new_context(browser))
            contexts[-1].add_cookies([{"name": COOKIE, "value": key, "url": proxy.url}])
            new_page(contexts[-1]).goto(f"{proxy.url}{path}", wait_until="commit")
        pages = [context.pages[0] for context in contexts]
        for page in pages:
            settle(page, timeout_ms=90_000)
        yield pages
    finally:
        for context in contexts:
            context.close()


def test_browsers_spread_over_both_replicas_and_keep_their_websocket(cluster, browser):
    """Test that 4 browsers split 2 + 2 over the replicas and each stays on its own."""
    proxy, replicas = cluster
    keys = keys_per_replica(proxy, replicas, per_replica=BROWSERS // 2)
    wait_for(lambda: all(session_counts(r)[1] == 0 for r in replicas))  # the probes are gone
    before = [session_counts(r)[0] for r in replicas]
    chosen = [keys[i % 2][i // 2] for i in range(BROWSERS)]  # replica 0, 1, 0, 1
    with browsers_with_keys(browser, proxy, chosen, "/grid") as pages:
        for i, page in enumerate(pages):
            assert_no_error(page)
            screenshot(page, f"replicas-browser-{i}-grid")
        assert [session_counts(r)[1] for r in replicas] == [2, 2]
        assert [session_counts(r)[0] - before[i] for i, r in enumerate(replicas)] == [2, 2]
        routes = upstreams_by_route(proxy)  # the page, its scripts and styles: one replica each
        assert [routes[key] for key in chosen] == [
            {f"127.0.0.1:{replicas[i % 2].port}"} for i in range(BROWSERS)
        ]
        start = float(slider_value(pages[1], "lead_time_years"))  # a rerun through nginx
        step = SETTINGS_BY_NAME["lead_time_years"].step
        assert float(drag_slider(pages[1], "lead_time_years", 2)) == start + 2 * step
        assert_no_error(pages[1])


def test_a_new_browser_is_given_a_route_cookie_and_keeps_its_replica(cluster, browser):
    """Test that nginx sets an HttpOnly route cookie and a reload stays on the same replica."""
    proxy, replicas = cluster
    context = new_context(browser)
    try:
        page = new_page(context)
        page.goto(f"{proxy.url}/sources")  # a light page: no charts
        settle(page, timeout_ms=60_000)
        cookies = [c for c in context.cookies() if c["name"] == COOKIE]
        assert len(cookies) == 1 and cookies[0]["httpOnly"]
        key = cookies[0]["value"]
        assert ROUTE_KEY.fullmatch(key)
        page.reload()
        settle(page, timeout_ms=60_000)
        assert_no_error(page)
        assert [c["value"] for c in context.cookies() if c["name"] == COOKIE] == [key]
        assert len(upstreams_by_route(proxy)[key]) == 1
        screenshot(page, "replicas-new-browser-sources")
    finally:
        context.close()


def test_the_rendered_configuration_names_every_replica():
    """Test that rendering keeps the upstream parameters and replaces listen and servers."""
    text = render_nginx_conf(NGINX_CONF.read_text(), 18080, [19001, 19002, 19003])
    servers = UPSTREAM_LINE.findall(text)
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", text)
    assert ports == ["19001", "19002", "19003"]
    assert len({params for _, params in servers}) == 1
    assert "listen 127.0.0.1:18080;" in text
