"""Tests for lib/settings.py: the settings table, its sources, presets and URL round trips."""

import re
from dataclasses import fields, replace

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as hs

from lib.grid_facts import fact
from lib.grid_model import MODEL_START_YEAR, Scenario, build_gap_table, summarise
from lib.settings import (
    ASSUMPTION,
    GROUPS,
    PRESETS,
    SETTINGS,
    SETTINGS_BY_NAME,
    SETTINGS_TABLE_COLUMNS,
    default_scenario,
    preset_scenario,
    scenario_from_mapping,
    scenario_to_mapping,
    setting_tooltip,
    settings_table,
)

SEEDED = hyp_settings(max_examples=150, deadline=None, derandomize=True)
FACT_ID_RE = re.compile(r"\b[a-z_]+:\d+\b")


def test_settings_cover_exactly_the_scenario_fields():
    """Test that every Scenario field has one setting and nothing else does."""
    assert [s.name for s in SETTINGS] == [f.name for f in fields(Scenario)]
    assert {s.group for s in SETTINGS} <= set(GROUPS)


def test_defaults_lie_within_bounds_and_equal_the_scenario_defaults():
    """Test that each default is inside its bounds and matches Scenario()'s default."""
    for s in SETTINGS:
        assert s.bounds[0] <= s.default <= s.bounds[1], s.name
        assert 0 < s.step <= s.bounds[1] - s.bounds[0], s.name
    assert default_scenario() == Scenario()


def test_each_setting_uses_one_numeric_type_as_sliders_need():
    """Test that default, bounds and step are all int (years) or all float."""
    for s in SETTINGS:
        kind = int if s.is_integer else float
        values = [s.default, *s.bounds, s.step]
        assert all(type(v) is kind for v in values), s.name


def test_every_source_resolves_or_the_assumption_is_explained():
    """Test that each source_id is a real fact or an assumption with a stated reason."""
    for s in SETTINGS:
        if s.source_id == ASSUMPTION:
            assert len(s.assumption) > 40, s.name
        else:
            assert fact(s.source_id).url.startswith("http"), s.name
        assert s.help and s.label, s.name


def test_fact_ids_quoted_in_help_and_reasons_are_real():
    """Test that every fact_id mentioned in a tooltip or reason exists in data/grid."""
    for s in SETTINGS:
        for fact_id in FACT_ID_RE.findall(f"{s.help} {s.assumption}"):
            assert fact(fact_id).excerpt, (s.name, fact_id)


def test_sourced_defaults_follow_from_their_facts():
    """Test that each sourced default is the number its row gives (or its stated arithmetic)."""
    d = SETTINGS_BY_NAME
    assert d["realisation_pct"].default == fact("ercot_forecast_adjustments:1").value
    assert d["arrival_delay_months"].default == round(
        fact("ercot_forecast_adjustments:3").value / 30
    )
    assert d["demand_growth_gw_per_year"].default == round(
        fact("ercot_large_load_queue:13").value / 6, 1
    )
    lead = fact("lead_times:1")
    assert lead.low <= d["lead_time_years"].default <= lead.high
    assert "5GW storage" in fact("ercot_generation_additions:17").excerpt
    assert "1.5GW gas" in fact("ercot_generation_additions:17").excerpt  # 5 + 1.5 = 6.5
    implied_pct = (
        100 * fact("us_datacenter_power:6").value / (fact("us_datacenter_power:10").value * 8.76)
    )
    assert d["load_factor_pct"].default == round(implied_pct)


def test_headroom_assumption_adds_up_from_the_rows_it_names():
    """Test that the 13.5 GW headroom is the sum of the gas and battery rows it cites."""
    ids = [
        "ercot_generation_additions:5",
        "ercot_generation_additions:3",
        "ercot_generation_additions:15",
        "ercot_generation_additions:12",
    ]
    assert sum(fact(i).value for i in ids) == pytest.approx(
        SETTINGS_BY_NAME["headroom_gw"].default, abs=0.05
    )


def test_presets_set_known_settings_within_bounds_and_cite_real_facts():
    """Test each preset's values, explanation and sources."""
    assert set(PRESETS) == {"Queue as filed", "Realistic realisation", "Fast build-out"}
    for preset in PRESETS.values():
        for name, value in preset.values.items():
            low, high = SETTINGS_BY_NAME[name].bounds
            assert low <= value <= high, (preset.name, name)
        assert preset.explanation.endswith(".") and preset.source_ids
        assert all(fact(i).url for i in preset.source_ids)


def test_presets_move_the_story_the_way_their_names_say():
    """Test that the queue as filed leaves more unserved and a fast build-out less."""
    unserved = {n: summarise(build_gap_table(preset_scenario(n))).unserved_twh for n in PRESETS}
    default_twh = summarise(build_gap_table(default_scenario())).unserved_twh
    assert unserved["Queue as filed"] > default_twh > unserved["Fast build-out"]
    assert preset_scenario("Queue as filed").realisation_pct == 100.0


hostile_values = hs.one_of(
    hs.text(max_size=60),
    hs.floats(),
    hs.integers(min_value=-(10**400), max_value=10**400),
    hs.none(),
    hs.booleans(),
    hs.lists(hs.text(max_size=10), max_size=3),
    hs.sampled_from(["nan", "inf", "-inf", "1e309", "1_000", " 4 ", "0x10", "9" * 5000]),
)


@SEEDED
@given(
    hs.dictionaries(
        hs.one_of(hs.sampled_from([s.name for s in SETTINGS]), hs.text(max_size=20)),
        hostile_values,
        max_size=14,
    )
)
def test_scenario_from_mapping_never_raises_and_always_validates(values):
    """Test that hostile URL-like input always yields a valid, in-bounds Scenario."""
    scenario, notices = scenario_from_mapping(values)
    assert scenario.validated() is scenario
    for s in SETTINGS:
        assert s.bounds[0] <= getattr(scenario, s.name) <= s.bounds[1]
    assert all(isinstance(n, str) and len(n) < 200 for n in notices)


@hs.composite
def in_bounds_scenarios(draw: hs.DrawFn) -> Scenario:
    """Scenarios whose every value lies within its setting's bounds."""
    values = {
        s.name: draw(hs.integers(*s.bounds) if s.is_integer else hs.floats(*s.bounds))
        for s in SETTINGS
    }
    values["end_year"] = max(values["end_year"], values["start_year"])
    return Scenario(**values)


@SEEDED
@given(in_bounds_scenarios())
def test_scenario_to_mapping_round_trips(scenario):
    """Test that a Scenario survives the trip to URL text and back, with no notices."""
    text = scenario_to_mapping(scenario)
    assert all(isinstance(v, str) and len(v) <= 25 for v in text.values())
    assert scenario_from_mapping(text) == (scenario, [])


def test_the_default_scenario_has_an_empty_mapping():
    """Test that defaults are left out of the URL, and included on request."""
    assert scenario_to_mapping(default_scenario()) == {}
    full = scenario_to_mapping(default_scenario(), include_defaults=True)
    assert full["realisation_pct"] == "49.8" and full["start_year"] == "2024"


@pytest.mark.parametrize(
    ("values", "expected", "notice"),
    [
        ({"lead_time_years": "nan"}, {}, "not a finite number"),
        ({"lead_time_years": "1e309"}, {}, "not a finite number"),
        ({"lead_time_years": "four"}, {}, "not a number"),
        ({"lead_time_years": "9" * 10_000}, {}, "characters long"),
        ({"headroom_gw": "-5"}, {"headroom_gw": 0.0}, "outside"),
        ({"start_year": "2024.6"}, {"start_year": 2025}, "whole number"),
        (
            {"start_year": "2030", "end_year": "2026"},
            {"start_year": 2030, "end_year": 2030},
            "before",
        ),
        ({"<script>": "1"}, {}, "(unreadable name)"),
        ({"lead_time_years": ["2", "7"]}, {"lead_time_years": 7.0}, None),
    ],
)
def test_hostile_values_are_replaced_with_a_notice(values, expected, notice):
    """Test specific hostile inputs: the value used and the notice shown."""
    scenario, notices = scenario_from_mapping(values)
    assert scenario == replace(default_scenario(), **expected)
    assert (notice is None and notices == []) or any(notice in n for n in notices)


def test_ignored_keys_give_no_notice():
    """Test that other pages' URL parameters can be ignored silently."""
    assert scenario_from_mapping({"symbols": "ORCL"}, ignore={"symbols"}) == (
        default_scenario(),
        [],
    )


def test_tooltips_name_the_source_or_the_assumption():
    """Test that a sourced tooltip shows its URL and an assumption its reason."""
    lead = setting_tooltip(SETTINGS_BY_NAME["lead_time_years"])
    assert fact("lead_times:1").url in lead and "lead_times:1" in lead
    assert "Assumption:" in setting_tooltip(SETTINGS_BY_NAME["headroom_gw"])


def test_settings_table_lists_every_setting_for_the_method_page():
    """Test the Method page table's columns and one of its rows."""
    table = settings_table()
    assert table.columns.tolist() == SETTINGS_TABLE_COLUMNS and len(table) == len(SETTINGS)
    row = table.set_index("Setting").loc["Realisation rate (%)"]
    assert (row["Default"], row["Range"], row["Source"]) == (
        "49.8",
        "0 to 100",
        "ercot_forecast_adjustments:1",
    )
    growth = table.set_index("Setting").loc["Tranche growth (% per tranche)"]
    assert growth["Range"] == "-50 to 100"  # "-50-100" reads as a sum in a spreadsheet


def test_a_default_resting_on_a_secondary_source_names_its_site_and_what_agrees_with_it():
    """Test that the realisation rate's tooltip says where its 49.8% was read (an AI summary
    site) and names the other row that agrees (about half, Renewafi), and that the Method
    table lists both."""
    tip = setting_tooltip(SETTINGS_BY_NAME["realisation_pct"])
    assert "read at citizenportal.ai" in tip
    assert "ercot_forecast_adjustments:2" in tip and "renewafi.com" in tip
    row = settings_table().set_index("Setting").loc["Realisation rate (%)"]
    assert "ercot_forecast_adjustments:2" in row["Agrees"]
    for setting in SETTINGS:  # every corroborating row exists
        for fact_id in setting.also:
            assert fact(fact_id).url


def test_the_settings_say_when_the_model_starts():
    """Test that the start-year and start-level help name the model's own start."""
    start = f"January {MODEL_START_YEAR}"
    for name in ("start_year", "demand_start_gw", "headroom_gw", "tranche_every_years"):
        assert start in SETTINGS_BY_NAME[name].help


def test_defaults_from_a_secondary_source_say_so_at_their_slider():
    """Test that the realisation and delay defaults, read from an AI-generated summary of a
    hearing, say at the slider that the source is secondary (not only on the Sources page)."""
    for name in ("realisation_pct", "arrival_delay_months"):
        setting = next(s for s in SETTINGS if s.name == name)
        description = setting_tooltip(setting).split("\n\nSource:")[0]
        assert "AI-generated summary" in description and "secondary source" in description


def test_a_presets_button_says_what_it_sets_and_that_the_rest_go_back_to_defaults():
    """Test that each preset's help names the settings it sets, with values and units, and says
    that every other setting returns to its default: "Queue as filed" then "Fast build-out"
    put the realisation back to 49.8% without a word."""
    from lib.settings import preset_help

    text = preset_help("Fast build-out")
    assert text.startswith(PRESETS["Fast build-out"].explanation)
    assert ("Sets Tranche size (firm GW) 11, Tranche interval (years) 1, Lead time (years) 3; "
            "every other setting goes back to its default.") in text


def test_the_headroom_reason_weighs_the_net_loss_of_gas():
    """Test that the headroom's reason, which adds gross gas additions, names the row that puts
    ERCOT's gas at a net loss over the same period (the Capacity added table shows it)."""
    reason = SETTINGS_BY_NAME["headroom_gw"].assumption
    assert "ercot_generation_additions:9" in reason and "net loss of 0.366 GW" in reason


def test_the_tranche_default_cites_the_rows_it_adds_up():
    """Test that the tranche size's default, 5 GW of storage + 1.5 GW of gas, cites those two
    rows first: it cited the ~10.5 GW total (row 17), whose value is not the default."""
    from lib import settings

    tranche = settings.SETTINGS_BY_NAME["tranche_gw"]
    cited = [tranche.source_id, *tranche.also]
    assert cited[:2] == ["ercot_generation_additions:18", "ercot_generation_additions:20"]
    parts = [fact(fact_id).value for fact_id in cited[:2]]
    assert sum(parts) == tranche.default == 6.5
    assert "ercot_generation_additions:17" in cited  # the total it is the firm part of


def test_a_value_beyond_the_bounds_is_named_with_the_bounds_in_words():
    """Test the notice for an out-of-range value: "is outside -50 to 100", not the run-together
    "is outside -50.0-100.0"."""
    _, notices = scenario_from_mapping({"tranche_growth_pct": "500"})
    assert notices == ["Tranche growth (% per tranche): 500 is outside -50 to 100; using 100."]


def test_the_queue_preset_quotes_the_level_its_line_reaches_in_2030():
    """Test that "Queue as filed" states the GW its straight line reaches in January 2030 (it
    said "more than 233 GW" for a line that reaches 232.8 GW)."""
    preset = PRESETS["Queue as filed"]
    gap = build_gap_table(preset_scenario(preset.name)).set_index("Month")
    reached = gap.loc["2030-01-01", "Demand (GW)"]
    assert f"{reached:.1f} GW by Jan 2030" in preset.explanation
