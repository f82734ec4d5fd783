"""AppTest of the Sources & method page: every fact listed with its link."""

import re

from lib import grid_facts, tables
from tests.apptest_helpers import open_page, texts


def test_sources_page_lists_every_grid_fact_with_a_url():
    """Test that all grid facts are listed, each with an http link, and formulas are shown."""
    at = open_page("pages/sources.py")
    assert not at.exception
    facts = next(df.value for df in at.dataframe if "Fact ID" in df.value.columns)
    assert len(facts) == len(grid_facts.all_sources())
    assert facts["URL"].str.startswith("http").all()
    assert "Shortfall (GW)" in texts(at) and "√252" in texts(at)


def test_sources_page_lists_the_price_manifest_with_hashes():
    """Test that the price table shows ten tickers with their last dates."""
    at = open_page("pages/sources.py")
    prices = next(df.value for df in at.dataframe if "ticker" in df.value.columns)
    assert len(prices) == 10
    assert set(prices["last_date"].astype(str)) >= {"2026-08-21", "2026-05-15"}


def test_sources_page_says_how_strong_its_sources_are_and_where_each_was_read():
    """Test the source-quality note and the "Read at" column beside each fact's title."""
    at = open_page("pages/sources.py")
    assert "Source quality is mixed" in texts(at)
    facts = next(df.value for df in at.dataframe if "Fact ID" in df.value.columns)
    assert "Read at" in facts.columns and facts["Read at"].str.len().gt(0).all()


def test_sources_page_says_what_a_shortfall_means():
    """Test that the method says a shortfall is load waiting for power, not a blackout."""
    assert "not a forecast of blackouts" in texts(open_page("pages/sources.py"))


def test_the_settings_table_shows_each_reason_in_full():
    """Test that the settings table holds each setting's full reasoning and agreeing rows as
    text the page shows (a data grid cut them at the page's edge)."""
    from lib import settings

    shown = re.sub(r"\\(.)", r"\1", texts(open_page("pages/sources.py")))  # Markdown escapes
    shown = shown.replace(tables.NBSP, " ")
    for setting in settings.SETTINGS:
        assert " ".join((setting.assumption or setting.help).split()) in shown
        assert ", ".join(setting.also) in shown
    assert not any(df.value.columns.tolist() == settings.SETTINGS_TABLE_COLUMNS
                   for df in open_page("pages/sources.py").dataframe)


def test_sources_page_shows_both_manifests_with_their_hashes():
    """Test that the price table shows each file and the SHA-256 the snapshot is checked
    against (the caption promised sums the table did not have), and that data/grid's manifest
    is shown with each file's rows and SHA-256."""
    import pandas as pd

    from lib.grid_facts import GRID_DIR
    from lib.prices import DATA_DIR

    at = open_page("pages/sources.py")
    prices = next(df.value for df in at.dataframe if "ticker" in df.value.columns)
    manifest = pd.read_csv(DATA_DIR / "manifest.csv")
    assert prices[["file", "sha256"]].values.tolist() == \
        manifest[["file", "sha256"]].values.tolist()
    grid = next(df.value for df in at.dataframe if "file" in df.value.columns
                and "ticker" not in df.value.columns)
    expected = pd.read_csv(GRID_DIR / "manifest.csv")
    assert grid[["file", "rows", "sha256"]].values.tolist() == \
        expected[["file", "rows", "sha256"]].values.tolist()


def test_a_fact_id_typed_in_the_lookup_shows_that_fact_in_full():
    """Test the lookup box: the fact IDs the captions cite (lead_times:25) are found in one
    step, where the facts grid could only be searched by its own search icon; an unknown ID
    gets a calm note."""
    at = open_page("pages/sources.py")
    at.text_input(key="fact_lookup").set_value("lead_times:25").run()
    assert not at.exception
    found = grid_facts.fact("lead_times:25")
    assert found.url in texts(at)
    at.text_input(key="fact_lookup").set_value("nope:1").run()
    assert not at.exception
    assert "No fact has that ID" in texts(at)
