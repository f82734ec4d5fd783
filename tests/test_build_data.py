"""Tests for scripts/build_data.py's checks of the raw price files."""

import importlib.util

import pandas as pd
import pytest

from lib.prices import DATA_DIR
from tests.conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("build_data", ROOT / "scripts" / "build_data.py")
build_data = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(build_data)

BUNDLED = sorted(DATA_DIR.glob("*.csv"))


@pytest.mark.parametrize("path", [p for p in BUNDLED if p.name != "manifest.csv"],
                         ids=lambda p: p.stem)
def test_every_bundled_price_file_passes_the_checks(path):
    """Test that the bundled files pass every check SOURCES.md promises."""
    build_data.check_bars(pd.read_csv(path), path.stem)


@pytest.mark.parametrize(("column", "factor"), [("High", 0.9), ("Low", 1.1)])
def test_a_bar_whose_high_and_low_do_not_enclose_open_and_close_is_refused(column, factor):
    """Test the check SOURCES.md promises and the script skipped: High and Low enclose Open
    and Close (a High below the close is a broken bar)."""
    bars = pd.read_csv(DATA_DIR / "ORCL.csv")
    bars.loc[5, column] = bars.loc[5, "Close"] * factor
    with pytest.raises(ValueError, match="High/Low"):
        build_data.check_bars(bars, "ORCL")
