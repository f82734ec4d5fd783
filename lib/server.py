"""ASGI middleware for the app's server: Streamlit's index page learns where its backend is.

Streamlit's page finds its server by trying URLs: opened at /grid, it first asks
/grid/_stcore/health, gets a 404, waits about 150 ms and then asks /_stcore/health. Every
first visit of a page other than the home page (a shared link to /grid, /market or /sources)
waited for that. `window.__streamlit.BACKEND_BASE_URL` is Streamlit's own setting for where
the backend lives; set on the index page to the server's root, the page asks the right URL
first. A host that sets `window.__streamlit` itself keeps its own values.

Pure ASGI: no Streamlit calls. scripts/asgi_app.py puts it in front of the app.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Paths that never serve the index page: the server's API and the static files (a part anywhere
# in the path, so /app/static/ and a path under server.baseUrlPath count too).
NOT_PAGES = ("/_stcore/", "/static/", "/component/", "/media/")


def backend_script(base_url_path: str = "") -> bytes:
    """The <script> that tells the page its backend is the server's root (plus any
    server.baseUrlPath), unless the host has said otherwise."""
    path = base_url_path.strip("/")
    base = json.dumps(f"/{path}/" if path else "/").replace("</", "<\\/")  # a JS string
    return ("<script>window.__streamlit = Object.assign({BACKEND_BASE_URL: "
            f"window.location.origin + {base}}}, window.__streamlit);</script>").encode()


def add_to_head(html: bytes, snippet: bytes) -> bytes:
    """`snippet` first thing in the page's <head> (before Streamlit's own scripts); a page
    without a plain <head> tag is returned as it was."""
    return html.replace(b"<head>", b"<head>" + snippet, 1)


def _is_page_request(scope: Scope) -> bool:
    path = scope.get("path", "")
    return (scope["type"] == "http" and scope.get("method") == "GET"
            and not any(part in path for part in NOT_PAGES))


def _is_html(start: Message) -> bool:
    """Whether a response start (empty before one arrived) announces an HTML page."""
    content_type = next((value for key, value in start.get("headers", [])
                         if key.lower() == b"content-type"), b"")
    return content_type.startswith(b"text/html")


class BackendBaseUrl:
    """Adds backend_script() to every HTML page the app serves; anything else passes as is.

    A page request is sent on without Accept-Encoding, so the HTML comes back uncompressed
    and can be edited (it is about 8 KB); its Content-Length is set again."""

    def __init__(self, app: ASGIApp, base_url_path: str | Callable[[], str] = "") -> None:
        self.app = app
        self._base = base_url_path

    def _snippet(self) -> bytes:
        return backend_script(self._base() if callable(self._base) else self._base)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_page_request(scope):
            await self.app(scope, receive, send)
            return
        scope = dict(scope, headers=[(key, value) for key, value in scope.get("headers", [])
                                     if key.lower() != b"accept-encoding"])
        start: Message = {}
        chunks: list[bytes] = []

        async def edit(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if not _is_html(message):
                    await send(message)  # not a page after all: pass it through untouched
                return
            if message["type"] != "http.response.body" or not _is_html(start):
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = add_to_head(b"".join(chunks), self._snippet())
            headers = [(key, value) for key, value in start["headers"]
                       if key.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", b"%d" % len(body))]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, edit)
