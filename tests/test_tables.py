"""Small Markdown tables: formatted cells, escaped text, and reading back what is shown."""

import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lib import bridge, grid_model, market, tables
from lib import settings as app_settings
from lib.tables import Column
from tests.apptest_helpers import read_markdown_table

SEEDED = settings(max_examples=150, deadline=None, derandomize=True)


def test_cells_are_formatted_and_missing_values_show_a_dash():
    """Test that numbers, dates and NaN / NaT become '1.2%', '15 May 2026' and '–'."""
    frame = pd.DataFrame({"R": [1.234, float("nan")],
                          "D": [pd.Timestamp("2026-05-15"), pd.NaT]})
    md = tables.markdown_table(frame, [Column("R", "Return (%)", "{:.1f}%"),
                                       Column("D", "Last date", "{:%-d %b %Y}")])
    shown = read_markdown_table(md)
    assert shown.columns.tolist() == ["Return (%)", "Last date"]
    assert shown.values.tolist() == [["1.2%", "15 May 2026"], ["–", "–"]]


def test_a_date_object_is_formatted_like_a_timestamp():
    """Test that a datetime.date cell takes the same date format."""
    assert tables.format_cell(date(2025, 12, 12), "{:%-d %b %Y}") == "12\u00a0Dec 2025"


def test_a_date_wraps_only_before_its_year():
    """Test that day and month are held together, so a narrow column breaks before the year."""
    md = tables.markdown_table(pd.DataFrame({"D": [pd.Timestamp("2025-10-29")]}),
                               [Column("D", fmt="{:%-d %b %Y}")])
    assert "29\u00a0Oct 2025" in md


@SEEDED
@given(hs.floats(-1e6, 1e6, allow_nan=False), hs.sampled_from(["{:.1f}", "{:,.0f}", "{:.1f}%"]))
def test_a_number_shows_its_rounded_value_and_never_a_negative_zero(value, fmt):
    """Test that a cell reads as the value rounded by its format, with no '-0.0' for a value
    that rounds to zero (such as the -1e-14 a subtraction leaves)."""
    zero = fmt.format(0)
    rounded = fmt.format(value)
    shown = tables.format_cell(value, fmt)
    assert shown == (zero if rounded == "-" + zero else rounded)
    assert shown != "-" + zero


@pytest.mark.parametrize("text", ["a|b", "[x](https://example.invalid)", "![i](x.png)",
                                  "<script>x</script>", "*bold* _it_", "$x^2$", ":red[z]",
                                  "`code`", "~~gone~~", "back\\slash", "&lt;"])
def test_markup_in_a_cell_is_escaped(text):
    """Test that links, images, HTML, emphasis, math and directives are shown as text."""
    md = tables.markdown_table(pd.DataFrame({"T": [text]}), [Column("T", align="left")])
    cell = md.splitlines()[2][2:-2]
    unescaped = re.sub(r"\\.", "", cell)  # what is left once every escaped pair is removed
    assert not set(unescaped) & set("|[]<>*_$:`~\\&!")
    assert read_markdown_table(md)["T"].iloc[0] == text


@SEEDED
@given(hs.lists(hs.text(hs.characters(blacklist_categories=("Cs",)), max_size=30),
                min_size=1, max_size=5))
def test_any_text_reads_back_as_shown(texts):
    """Test that every cell survives the table: escaped, then read back as the same text (runs
    of spaces and line breaks shown as one space, as a browser does)."""
    shown = read_markdown_table(
        tables.markdown_table(pd.DataFrame({"T": texts}), [Column("T", align="left")]))
    as_seen = [re.sub(r"[^\S\u00a0]+", " ", t).strip().replace("\u00a0", " ") for t in texts]
    assert shown["T"].tolist() == as_seen


def test_a_table_across_has_a_column_per_row_and_a_row_per_statistic():
    """Test that the factsheet layout heads each column with a symbol and each row with a
    statistic, cells formatted as in the usual layout."""
    frame = pd.DataFrame({"Symbol": ["^IXIC", "ALAB"], "Return (%)": [24.08, float("nan")]})
    md = tables.markdown_table_across(frame, Column("Symbol"),
                                      [Column("Return (%)", fmt="{:.1f}%")])
    shown = read_markdown_table(md)
    assert shown.columns.tolist() == ["Symbol", "^IXIC", "ALAB"]
    assert shown.values.tolist() == [["Return (%)", "24.1%", "–"]]
    assert md.splitlines()[1] == "| :--- | ---: | ---: |"


def test_definitions_name_each_explained_column():
    """Test that each column with a meaning is defined once, by its header."""
    text = tables.definitions(market.STATS_TABLE)
    assert "**Return (%)**: last close ÷ first close − 1" in text
    assert "Worst day date" not in text  # no definition given


def test_the_statistics_and_bridge_tables_cover_their_frames():
    """Test that every column the tables show exists in the frames the pages pass them."""
    shown = {market.STATS_KEY.name, *(c.name for c in market.STATS_TABLE)}
    assert shown == {*market.STATS_COLUMNS, "Origin"}
    yearly = grid_model.yearly_table(grid_model.build_gap_table(app_settings.default_scenario()))
    table = bridge.bridge_table(yearly)
    assert {c.name for c in bridge.BRIDGE_TABLE} <= set(table.columns)
    tables.markdown_table(table, bridge.BRIDGE_TABLE)  # every format fits its column


def test_text_without_a_table_is_refused():
    """Test that reading a table from plain text says there is none."""
    with pytest.raises(ValueError, match="no Markdown table"):
        read_markdown_table("just words")
