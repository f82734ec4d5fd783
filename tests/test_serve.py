"""scripts/serve.py: `streamlit run app.py` after a warm-up that never stops the server starting."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def serve(monkeypatch):
    """The launcher module, with Streamlit's CLI replaced by a recorder of its argv."""
    spec = importlib.util.spec_from_file_location("serve", ROOT / "scripts" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls = []
    from streamlit.web import cli

    monkeypatch.setattr(cli, "main", lambda: calls.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    module.calls = calls
    return module


def test_it_runs_the_app_with_the_given_flags(serve, capsys):
    """Test that the flags pass through to `streamlit run` of the app's ASGI entry (app.py
    behind lib/server.py's middleware) after the warm-up."""
    assert serve.main(["--server.port", "8599", "--server.headless", "true"]) == 0
    assert serve.calls == [["streamlit", "run", str(ROOT / "scripts" / "asgi_app.py"),
                            "--server.port", "8599", "--server.headless", "true"]]
    assert "Loaded the app's libraries" in capsys.readouterr().out


def test_a_failed_warm_up_still_starts_the_server(serve, monkeypatch, capsys):
    """Test that a warm-up error (e.g. a damaged snapshot) is reported and the app still starts,
    so its pages can say what is wrong."""
    from lib import prices

    def broken(*args, **kwargs):
        raise OSError("snapshot unreadable")

    monkeypatch.setattr(prices, "get_prices", broken)
    assert serve.main([]) == 0
    assert len(serve.calls) == 1
    assert "Warm-up skipped (OSError: snapshot unreadable)" in capsys.readouterr().out


def test_the_warm_up_builds_and_encodes_every_report_figure(serve, monkeypatch):
    """Test that the warm-up sends each report figure through the chart's JSON encoding, which
    loads plotly's encoder on first use (about 20 ms the first visitor would otherwise wait)."""
    from lib import figures

    encoded = []
    monkeypatch.setattr(figures, "figure_json", lambda fig: encoded.append(fig) or "{}")
    serve.preload()
    assert len(encoded) == 6
    assert all(fig.data for fig in encoded)
