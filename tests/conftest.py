"""Shared test set-up: tests never touch the network or the user's cache folder."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AIGRID_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Each test gets its own empty price cache folder."""
    monkeypatch.setenv("AIGRID_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(autouse=True)
def _closed_breaker():
    """Each test starts with the shared live-price circuit breaker closed, and leaves it closed.

    Rate-limit tests trip it, and it is shared by the whole process (``lib.live_prices``).
    """
    from lib.live_prices import LIVE_BREAKER  # after the sys.path set-up above

    LIVE_BREAKER.reset()
    yield
    LIVE_BREAKER.reset()
