"""Tests for lib/grid_facts.py: typed loading, the fact lookup and the tables for the pages."""

import pandas as pd
import pytest

from lib import grid_facts, tables
from lib.grid_facts import (
    ADDITIONS_COLUMNS,
    FACT_FILES,
    GRID_DIR,
    LEAD_TIME_COLUMNS,
    LOAD_WAIT_FACT,
    PEAK_COLUMNS,
    QUEUE_COLUMNS,
    SOURCES_COLUMNS,
    GridDataError,
    UnknownFactError,
    additions_table,
    all_facts,
    all_sources,
    fact,
    lead_time_table,
    load_grid_file,
    parse_date,
    peak_history,
    queue_history,
    shortfall_meaning,
)


def test_every_fact_has_a_url_an_excerpt_and_a_title():
    """Test that no grid number is unsourced."""
    facts = all_facts()
    assert len(facts) > 100
    for fact_id, f in facts.items():
        assert f.url.startswith(("http://", "https://")), fact_id
        assert f.excerpt.strip() and f.title.strip(), fact_id
        assert f.summary, fact_id  # every row states a number or a range


def test_fact_counts_match_the_data_manifest():
    """Test that every row of every file listed in manifest.csv is loaded as a fact."""
    manifest = pd.read_csv(GRID_DIR / "manifest.csv")
    rows = dict(zip(manifest["file"].str.removesuffix(".csv"), manifest["rows"], strict=True))
    assert set(rows) == set(FACT_FILES)
    assert len(all_sources()) == sum(rows.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", pd.Timestamp("2025-01-01")),
        ("2025-10", pd.Timestamp("2025-10-01")),
        ("2025-12-09", pd.Timestamp("2025-12-09")),
        ("", None),
        ("2024-summer/2025-summer", None),
        ("2025-13", None),
    ],
)
def test_parse_date_reads_years_months_and_days(text, expected):
    """Test the three date shapes in data/grid and that anything else is None."""
    assert parse_date(text) == expected


def test_lookup_returns_the_sourced_number_with_its_unit_and_date():
    """Test known facts: the Dec 2025 queue, ERCOT's haircut, a lead-time range."""
    queue = fact("ercot_large_load_queue:13")
    assert (queue.value, queue.unit, queue.as_of) == (233.0, "GW", pd.Timestamp("2025-12-09"))
    assert queue.file == "ercot_large_load_queue.csv" and "233 GW" in queue.excerpt
    assert fact("ercot_forecast_adjustments:1").summary == "49.8 %"
    assert fact("lead_times:1").summary == "3–4 years"
    assert fact("lead_times:6").summary == "≥5 years"
    with pytest.raises(UnknownFactError):
        fact("lead_times:999")


def test_files_load_with_numbers_as_floats_and_dates_parsed():
    """Test the typed frames: float numbers, datetime dates, the text as written kept."""
    queue = load_grid_file("ercot_large_load_queue")
    assert queue["requested_gw"].dtype == "float64"
    assert queue["as_of"].dtype == "datetime64[ns]" and "as_of_text" in queue
    assert load_grid_file("lead_times")["max_years"].dtype == "float64"
    assert load_grid_file("ercot_peak_demand")["year"].dtype == "Int64"


def test_loaded_frames_are_copies_of_the_cache():
    """Test that changing a returned frame does not change the next load."""
    first = load_grid_file("lead_times")
    first.loc[0, "min_years"] = -1.0
    assert load_grid_file("lead_times").loc[0, "min_years"] == 3.0


def test_queue_history_meets_its_contract_and_runs_oldest_first():
    """Test the queue history columns, order and the Dec 2025 233 GW point."""
    queue = queue_history()
    assert queue.columns.tolist() == QUEUE_COLUMNS
    assert queue["As of"].is_monotonic_increasing and queue["As of"].notna().all()
    assert queue["Requested (GW)"].dtype == "float64"
    dec = queue[queue["As of"] == "2025-12-09"].iloc[0]
    assert (dec["Requested (GW)"], dec["Data-centre share (%)"]) == (233.0, 70.0)


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        (peak_history, PEAK_COLUMNS),
        (lead_time_table, LEAD_TIME_COLUMNS),
        (additions_table, ADDITIONS_COLUMNS),
    ],
)
def test_page_tables_meet_their_contracts(table, columns):
    """Test that each page table has its agreed columns and a source for every row."""
    frame = table()
    assert frame.columns.tolist() == columns
    assert frame["URL"].str.startswith("http").all() and frame["Fact ID"].is_unique


def test_peak_history_keeps_actuals_and_forecasts_apart():
    """Test that the 2023 record and the 2031 adjusted/unadjusted forecasts are all there."""
    peaks = peak_history()
    assert peaks["Year"].dtype == "int64"
    forecasts_2031 = peaks[(peaks["Year"] == 2031) & (peaks["Kind"] == "forecast")]
    assert sorted(forecasts_2031["Peak demand (GW)"].unique()) == [145.0, 218.0]
    assert peaks.loc[peaks["Kind"] == "actual", "Peak demand (GW)"].max() == pytest.approx(85.55898)


def test_all_sources_lists_one_row_per_fact_for_the_sources_page():
    """Test the Sources page table: columns, unique ids, value summaries with units."""
    sources = all_sources()
    assert sources.columns.tolist() == SOURCES_COLUMNS and sources["Fact ID"].is_unique
    row = sources.set_index("Fact ID").loc["ercot_generation_additions:7"]
    assert (row["Value"], row["As of"], row["File"]) == (
        "23 GW",
        "2024-2025",
        "ercot_generation_additions.csv",
    )


def test_a_broken_file_raises_a_named_error(tmp_path):
    """Test that a non-number in a number column or missing source columns are caught."""
    good = (GRID_DIR / "lead_times.csv").read_text(encoding="utf-8")
    bad_number, no_excerpt = tmp_path / "bad_number", tmp_path / "no_excerpt"
    for folder in (bad_number, no_excerpt):
        folder.mkdir()
    (bad_number / "lead_times.csv").write_text(
        good.replace(",3,4,", ",three,4,", 1), encoding="utf-8"
    )
    (no_excerpt / "lead_times.csv").write_text(
        good.splitlines()[0].removesuffix(",excerpt"), encoding="utf-8"
    )
    with pytest.raises(GridDataError, match="min_years"):
        load_grid_file("lead_times", bad_number)
    with pytest.raises(GridDataError, match="fact_id first"):
        load_grid_file("lead_times", no_excerpt)


def test_record_peak_is_the_highest_actual_peak_in_the_data():
    """Test the record: 85.55898 GW (preliminary, 21 Aug 2024), not a forecast."""
    from lib.grid_facts import record_peak_gw

    assert record_peak_gw() == 85.55898


def test_every_source_shows_the_site_its_excerpt_was_read_at():
    """Test the "Read at" column: the URL's host without "www.", so a title naming one
    publisher and a link to another site (a repost, a mirror) is visible at a glance."""
    sources = all_sources().set_index("Fact ID")
    assert sources.loc["us_datacenter_power:10", "Read at"] == "rtowww.com"
    assert sources.loc["us_datacenter_power:1", "Read at"] == "publicpower.org"
    assert sources["Read at"].str.len().gt(0).all()


def test_the_record_peak_label_says_when_and_that_it_is_preliminary():
    """Test the queue chart's reference label: the record's month and its preliminary status,
    which later sources do not recognise (they cite the 2023 record)."""
    from lib import figures
    from lib.grid_facts import queue_history, record_peak_label

    label = record_peak_label()
    assert label == "Record peak demand 85.6 GW (Aug 2024, preliminary)"
    fig = figures.fig_queue_history(queue_history(), 85.55898, label)
    assert fig.layout.annotations[0].text.replace("<br>", " ") == label  # on two lines


def test_the_shortfall_meaning_quotes_the_sourced_wait_for_power():
    """Test that the sentence takes its wait from the data, with the fact's id."""
    text = shortfall_meaning()
    wait = fact(LOAD_WAIT_FACT)
    assert wait.summary in text and wait.fact_id in text and "ERCOT" in wait.label


def test_the_lines_past_is_set_beside_the_measured_peaks():
    """Test the sentence that says the model's line before today is the market's expectation,
    not measured load, with ERCOT's measured 2023-2025 peaks from the data and their fact ids
    (the default line has 20.9 GW of new load by Aug 2025, while the peak fell)."""
    from lib.grid_facts import PAST_PEAK_FACTS, past_peaks_note

    note = past_peaks_note()
    assert note == (
        "Before today the lines are the scenario's, not measurements: ERCOT's measured peak "
        "demand was 85.5 GW in 2023, 85.6 GW in 2024 and 83.7 GW in 2025 (facts "
        "ercot_peak_demand:5, ercot_peak_demand:7, ercot_peak_demand:8), so a shortfall dated "
        "in the past is the straight line's, not one the grid has had.")
    assert len(PAST_PEAK_FACTS) == 3


def test_the_note_on_recent_additions_takes_its_numbers_from_the_facts():
    """Test the note that the default headroom leaves out the firm capacity energised since
    summer 2025 (an investor read 2026-27's near-zero powered growth as data): its GW come from
    the cited facts."""
    note = grid_facts.recent_additions_note()
    storage = grid_facts.fact("ercot_generation_additions:18").value
    gas = grid_facts.fact("ercot_generation_additions:20").value
    assert f"about {storage + gas:g} GW" in note
    assert "ercot_generation_additions:18" in note and "ercot_generation_additions:20" in note
    assert "raise the headroom" in note


@pytest.mark.parametrize("typed", ["lead_times:25", " LEAD_TIMES:25 ", "fact lead_times:25"])
def test_a_fact_id_as_a_caption_cites_it_finds_the_fact(typed):
    """Test the lookup behind the Sources page's box: the ID as captions write it, in any case,
    with spaces or the word "fact" before it."""
    assert grid_facts.find_fact(typed) == grid_facts.fact("lead_times:25")


@pytest.mark.parametrize("typed", ["", "lead_times", "nope:1", "<b>x</b>", "x" * 500])
def test_text_that_names_no_fact_finds_none(typed):
    assert grid_facts.find_fact(typed) is None


def test_a_found_fact_reads_with_its_value_date_source_and_excerpt():
    found = grid_facts.fact("ercot_large_load_queue:13")
    text = grid_facts.fact_markdown(found)
    assert found.url in text and tables.escape(found.as_of_text) in text
    assert tables.escape(found.fact_id) in text and tables.escape(found.excerpt) in text
