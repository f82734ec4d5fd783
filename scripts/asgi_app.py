"""The app as an ASGI application: app.py behind lib/server.py's middleware.

`streamlit run scripts/asgi_app.py` serves it (scripts/serve.py does, after its warm-up);
Streamlit finds `app` below and runs app.py as usual, with the repository's
.streamlit/config.toml.
"""

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.server import BackendBaseUrl  # noqa: E402


def _base_url_path() -> str:
    return st.get_option("server.baseUrlPath") or ""


app = st.App(ROOT / "app.py", middleware=[Middleware(BackendBaseUrl, base_url_path=_base_url_path)])
