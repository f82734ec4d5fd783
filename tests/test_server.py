"""lib/server.py: the index page learns where its backend is; nothing else is touched."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from lib import server

PAGE = (b"<!DOCTYPE html>\n<html>\n  <head>\n    <title>Streamlit</title>\n  </head>"
        b"<body></body></html>")


def fake_app(body: bytes, content_type: bytes, parts: int = 1):
    """An ASGI app answering every request with `body` in `parts` chunks; records the scope."""
    seen = {}

    async def app(scope, receive, send):
        seen["scope"] = scope
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type),
                                (b"content-length", b"%d" % len(body)), (b"etag", b'"x"')]})
        size = -(-len(body) // parts)
        for i in range(parts):
            await send({"type": "http.response.body", "body": body[i * size:(i + 1) * size],
                        "more_body": i < parts - 1})

    return app, seen


def call(app, path: str, method: str = "GET", kind: str = "http"):
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": kind, "method": method, "path": path,
             "headers": [(b"accept-encoding", b"gzip"), (b"host", b"x")]}
    # A thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


def response(sent) -> tuple[dict, bytes]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {k.decode(): v.decode() for k, v in start["headers"]}, body


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("path", ["/", "/grid", "/market", "/sources"])
def test_a_page_gets_the_backend_script_first_in_its_head(path, parts):
    """Test that every page's HTML starts its <head> with the script, with a right length."""
    inner, seen = fake_app(PAGE, b"text/html; charset=utf-8", parts)
    headers, body = response(call(server.BackendBaseUrl(inner), path))
    assert body.startswith(b"<!DOCTYPE html>\n<html>\n  <head><script>window.__streamlit")
    assert body.endswith(PAGE.split(b"<head>", 1)[1])
    assert int(headers["content-length"]) == len(body)
    assert headers["etag"] == '"x"' and headers["content-type"].startswith("text/html")
    # asked for uncompressed, so the HTML can be edited; other headers kept
    assert dict(seen["scope"]["headers"]) == {b"host": b"x"}


def test_the_script_points_at_the_server_root_and_keeps_a_hosts_own_settings():
    """Test the script itself: the root, or the configured base URL path, as a default only."""
    assert server.backend_script() == (
        b"<script>window.__streamlit = Object.assign({BACKEND_BASE_URL: "
        b'window.location.origin + "/"}, window.__streamlit);</script>')
    for base in ("dash", "/dash/", "dash/"):
        assert b'window.location.origin + "/dash/"' in server.backend_script(base)
    assert b"</script>" not in server.backend_script("a</script>b").removesuffix(b"</script>")
    inner, _ = fake_app(PAGE, b"text/html")
    _, body = response(call(server.BackendBaseUrl(inner, base_url_path=lambda: "/dash"), "/grid"))
    assert b'"/dash/"' in body


@pytest.mark.parametrize(("path", "content_type", "method"), [
    ("/_stcore/health", b"text/plain", "GET"),
    ("/_stcore/host-config", b"application/json", "GET"),
    ("/app/static/vendor/plotly.js", b"text/javascript", "GET"),
    ("/static/js/index.js", b"text/javascript", "GET"),
    ("/favicon.png", b"image/png", "GET"),
    ("/grid", b"text/html", "HEAD"),
])
def test_anything_else_passes_through_untouched(path, content_type, method):
    """Test that the API, static files, images and non-GET requests are not edited, and keep
    their Accept-Encoding."""
    body = b"<head>not a page to edit</head>"
    inner, seen = fake_app(body, content_type)
    sent = call(server.BackendBaseUrl(inner), path, method)
    assert response(sent) == response(call(inner, path, method))
    assert (b"accept-encoding", b"gzip") in seen["scope"]["headers"]


def test_a_page_without_a_plain_head_tag_is_sent_as_it_was():
    """Test that HTML the script cannot go into safely comes back unchanged."""
    odd = b"<html><HEAD lang=en></HEAD></html>"
    inner, _ = fake_app(odd, b"text/html")
    headers, body = response(call(server.BackendBaseUrl(inner), "/grid"))
    assert body == odd and int(headers["content-length"]) == len(odd)


def test_a_websocket_passes_through():
    """Test that the app's websocket (and any non-HTTP scope) reaches the app unchanged."""
    seen = {}

    async def inner(scope, receive, send):
        seen["scope"] = scope

    call(server.BackendBaseUrl(inner), "/_stcore/stream", kind="websocket")
    assert seen["scope"]["type"] == "websocket"
    assert (b"accept-encoding", b"gzip") in seen["scope"]["headers"]
