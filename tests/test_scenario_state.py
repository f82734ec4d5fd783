"""Shareable state: link checks never raise, links round-trip, saved scenarios stay bounded."""

import re
from dataclasses import replace

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as hs

from lib import bridge, grid_model, scenario_state, settings
from tests.apptest_helpers import LEFT_OUT_NOTICE, LINK_NOTICE

TEXT = hs.text(max_size=300)
PARAMS = hs.dictionaries(hs.one_of(TEXT, hs.sampled_from(
    [*settings.SETTINGS_BY_NAME, *scenario_state.MARKET_PARAMS])),
    hs.one_of(TEXT, hs.lists(TEXT, max_size=4)), max_size=8)


KNOWN = {*settings.SETTINGS_BY_NAME, *scenario_state.MARKET_PARAMS}
NOTICE = re.compile(LINK_NOTICE)
NAMED = re.compile(r"(?:: |; )([a-z_]+) (?:is|holds) ")


@hsettings(max_examples=200, deadline=None, derandomize=True)
@given(params=PARAMS)
def test_check_link_never_raises_and_never_echoes_values(params):
    """Test that any query string gives a verdict whose notice holds only known names."""
    result = scenario_state.check_link(params)
    assert set(result.drop) <= set(params)
    if result.notice:
        assert NOTICE.fullmatch(result.notice), result.notice
        assert set(NAMED.findall(result.notice)) <= KNOWN


def test_good_parameters_are_kept_and_bad_ones_dropped():
    """Test one good and one bad value for each kind of parameter."""
    good = {"lead_time_years": "6", "range": "YTD", "mode": "Price", "symbols": ["NVDA", "^IXIC"]}
    assert scenario_state.check_link(good).drop == ()
    bad = {"lead_time_years": "99", "range": "2Y", "symbols": ["<b>"], "x": "1"}
    result = scenario_state.check_link(bad)
    assert set(result.drop) == set(bad)
    assert result.notice.count("could not be used") == 1


def test_a_value_between_a_sliders_steps_is_dropped_like_any_other_bad_value():
    """Test that lead_time_years=4.25 (the slider moves in 0.5-year steps) is dropped with the
    notice: kept, the model would use 4.25 while the slider showed 4.3 and sat at 4.5."""
    check = scenario_state.check_link({"lead_time_years": "4.25", "tranche_gw": "7"})
    assert check.drop == ("lead_time_years",)
    assert "(lead_time_years) is between the slider's steps of 0.5" in check.notice
    assert scenario_state.check_link({"lead_time_years": "4.5"}).drop == ()


def test_a_value_a_hair_off_a_step_is_dropped_too():
    """Test that tranche_gw=0.0000001 is dropped: the slider showed 0.0 while the model and the
    report used 1e-07 GW. A value within float rounding of a step (38.8 on steps of 0.1) is
    kept."""
    assert scenario_state.check_link({"tranche_gw": "0.0000001"}).drop == ("tranche_gw",)
    assert scenario_state.check_link({"headroom_gw": "13.500001"}).drop == ("headroom_gw",)
    assert scenario_state.check_link({"demand_growth_gw_per_year": "38.8",
                                      "realisation_pct": "0.3"}).drop == ()


def test_a_setting_given_twice_is_dropped_with_the_notice():
    """Test that tranche_gw=9&tranche_gw=12 is dropped and named: its slider opens on the
    default, which the page said nothing about."""
    check = scenario_state.check_link({"tranche_gw": ["9", "12"], "lead_time_years": ["6"]})
    assert check.drop == ("tranche_gw",)
    assert "“Tranche size (firm GW)” (tranche_gw) is given more than once" in check.notice


def test_every_default_and_preset_value_is_one_its_slider_can_hold():
    """Test that defaults and presets lie on their slider's steps, so the links the app makes
    (share links, the address bar) are never dropped as between steps."""
    for s in settings.SETTINGS:
        assert s.on_step(s.default), s.name
    for preset in settings.PRESETS.values():
        for name, value in preset.values.items():
            assert settings.SETTINGS_BY_NAME[name].on_step(value), (preset.name, name)


def test_a_scenario_name_keeps_no_markup_for_the_legend():
    """Test that tags are taken out of a name (plotly would draw them) and stray brackets too."""
    assert scenario_state.clean_name("<b>bold</b> case", []) == "bold case"
    assert scenario_state.clean_name("2 > 1", []) == "2  1"
    assert scenario_state.clean_name("<script>", []) == "Scenario"


def test_share_url_round_trips_a_scenario():
    """Test that the link's parameters rebuild the same scenario."""
    scenario = replace(settings.default_scenario(), lead_time_years=7.5, tranche_gw=9.0)
    url = scenario_state.share_url("http://host/", settings.scenario_to_mapping(scenario))
    assert url == "http://host/?tranche_gw=9&lead_time_years=7.5"
    query = dict(pair.split("=") for pair in url.split("?")[1].split("&"))
    assert settings.scenario_from_mapping(query) == (scenario, [])


def test_saved_scenarios_keep_the_last_five_with_unique_names():
    """Test naming (blank, duplicate, control characters) and the cap of five."""
    saved = []
    for name in ["", "A", "A", "B\x00\x07", "C", "D", "E"]:
        saved = scenario_state.save_scenario(saved, name, settings.default_scenario())
    assert [n for n, _ in saved] == ["A (2)", "B", "C", "D", "E"]


def test_matching_preset_names_the_defaults_and_not_a_custom_scenario():
    """Test that defaults match 'Realistic realisation' and a moved slider matches nothing."""
    assert scenario_state.matching_preset(settings.default_scenario()) == "Realistic realisation"
    assert scenario_state.matching_preset(settings.preset_scenario("Fast build-out")) == \
        "Fast build-out"
    assert scenario_state.matching_preset(
        replace(settings.default_scenario(), tranche_gw=1.0)) is None


def test_compare_table_stacks_years_per_scenario():
    """Test 12 rows per scenario with the model's values."""
    table = scenario_state.compare_table([("a", settings.default_scenario()),
                                          ("b", settings.preset_scenario("Fast build-out"))])
    assert table.columns.tolist() == scenario_state.COMPARE_COLUMNS
    assert table.groupby("Scenario").size().tolist() == [12, 12]


def test_bridge_sentence_for_2030_matches_the_yearly_table():
    """Test the sentence's numbers against the model's 2030 row."""
    yearly = grid_model.yearly_table(grid_model.build_gap_table(settings.default_scenario()))
    table = bridge.bridge_table(yearly)
    row = yearly.set_index("Year").loc[2030]
    powered = row["Demand (GW)"] - row["Shortfall (GW)"]
    assert bridge.bridge_sentence(table, 2030) == (
        f"In 2030, {row['Powered share (%)']:.0f}% of the expected load can be powered "
        f"({powered:.0f} of {row['Demand (GW)']:.0f} GW).")
    assert bridge.bridge_sentence(table, 1999).startswith("1999 is outside this horizon "
                                                          "(2024–2035). In 2035, ")
    assert (table["Powered (GW)"] <= table["Expected demand (GW)"] + 1e-9).all()


def test_a_link_naming_symbols_off_the_list_gets_a_notice_that_does_not_echo_them():
    """Test the home page's notice for linked symbols it does not offer: counted, not echoed."""
    offered = ["^IXIC", "ORCL", "AVGO", "ALAB", "NVDA"]
    assert scenario_state.unlisted_notice(["ORCL", "AVGO"], offered) == ""
    notice = scenario_state.unlisted_notice(["ORCL", "ZZZZQ", "<b>"], offered)
    assert "2 symbols" in notice and "Market page" in notice
    assert "ZZZZQ" not in notice and "<b>" not in notice
    assert "1 symbol " in scenario_state.unlisted_notice(["ZZZZQ"], offered)


def test_an_unnamed_custom_scenario_is_named_by_what_it_changes():
    """Test that a custom scenario saved without a name is called by the settings it moves
    from the defaults, in the sliders' order and in short forms, not "Scenario"; what does not
    fit in 40 characters is marked with an ellipsis."""
    moved = replace(settings.default_scenario(), tranche_gw=8.0, lead_time_years=6.0)
    assert scenario_state.changes_name(moved) == "Tranche 8 GW, lead 6 y"
    assert scenario_state.changes_name(settings.default_scenario()) == "Defaults"
    many = replace(moved, headroom_gw=20.0, load_factor_pct=70.0, realisation_pct=80.0)
    name = scenario_state.changes_name(many)
    assert name.startswith("80% realised, headroom 20 GW") and name.endswith(" …")
    assert len(name) <= scenario_state.MAX_NAME_CHARS
    assert set(scenario_state.SHORT_FORMS) == {s.name for s in settings.SETTINGS}


def test_settings_sent_back_after_a_page_switch_pass_the_link_check():
    """Test the settings restored from a Back entry: accepted ones as numbers, anything the
    link check refuses (markup, a value between slider steps, unknown names) left out."""
    restored = scenario_state.linked_settings({
        "realisation_pct": ["100"], "tranche_gw": ["<b>"], "lead_time_years": ["4.25"],
        "zz": ["1"], "symbols": ["ORCL"]})
    assert restored == {"realisation_pct": 100.0}


@given(hs.dictionaries(hs.sampled_from([s.name for s in settings.SETTINGS] + ["x"]),
                       hs.lists(hs.text(max_size=12), min_size=1, max_size=2)))
@hsettings(max_examples=200, deadline=None)
def test_restored_settings_are_always_ones_the_sliders_can_hold(params):
    """Test that whatever a Back entry holds, only on-step, in-bounds settings come back."""
    for name, value in scenario_state.linked_settings(params).items():
        setting = settings.SETTINGS_BY_NAME[name]
        assert setting.bounds[0] <= value <= setting.bounds[1] and setting.on_step(value)


def test_symbols_sent_back_after_a_page_switch_are_home_names_only():
    """Test that restored symbols are those both lists offer, once each, in order."""
    assert scenario_state.linked_symbols({"symbols": ["NVDA", "XLU", "NVDA", "ORCL"]}) == [
        "NVDA", "ORCL"]
    assert scenario_state.linked_symbols({"symbols": "<b>"}) == []
    assert scenario_state.linked_symbols({}) == []


def test_a_page_switch_carries_the_settings_and_names_the_widgets_hold_into_the_link():
    """Test the URL parameters written after a page switch: non-default settings as a link
    writes them, AI names only when both lists offer them all and they are not the defaults."""
    held = {"tranche_gw": 9.0, "realisation_pct": 100.0, "lead_time_years": 4.0,
            "symbols": ["NVDA", "ORCL"], "range": "1Y"}
    assert scenario_state.carried_params(held) == {
        "tranche_gw": "9", "realisation_pct": "100", "symbols": ["NVDA", "ORCL"]}
    assert "symbols" not in scenario_state.carried_params({"symbols": ["NVDA", "VST"]})
    assert "symbols" not in scenario_state.carried_params({"symbols": ["^IXIC", "ORCL", "AVGO",
                                                                        "ALAB"]})
    assert scenario_state.carried_params({"symbols": []}) == {}
    assert scenario_state.carried_params({"start_year": 2030, "end_year": 2025}) == {
        "start_year": "2030", "end_year": "2025"}  # as the sliders hold them
    assert scenario_state.carried_params({"range": "3M", "mode": "Price"}) == {
        "range": "3M", "mode": "Price"}
    assert scenario_state.carried_params({"range": "1Y", "mode": "<b>"}) == {}  # default, odd
    assert not scenario_state.carries_symbols(None)


@given(hs.dictionaries(hs.sampled_from([s.name for s in settings.SETTINGS]),
                       hs.floats(allow_nan=False, allow_infinity=False)))
@hsettings(max_examples=200, deadline=None)
def test_carried_settings_reopen_the_same_scenario(held):
    """Test that the parameters written after a page switch, opened as a link, give the
    scenario the widgets held."""
    params = scenario_state.carried_params(held)
    assert settings.scenario_from_mapping(params)[0] == settings.scenario_from_mapping(held)[0]


def test_overlap_notes_name_a_saved_scenario_drawn_under_a_later_one():
    """Test a note for each saved scenario whose lines a later one's cover: all of them (equal
    results), or only the supply or the demand line; none for scenarios that differ in both."""
    default, fast = settings.default_scenario(), settings.preset_scenario("Fast build-out")
    slow = replace(default, demand_growth_gw_per_year=10.0)
    table = scenario_state.compare_table([("a", default), ("b", fast), ("c", slow),
                                          ("Current", default)])
    assert scenario_state.overlap_notes(table) == [
        "“a” gives the same results as “Current”: its lines lie under those of “Current”.",
        "“b” has the same expected demand as “Current”: its dashed line lies under that of "
        "“Current”.",
        "“c” has the same firm supply as “Current”: its solid line lies under that of “Current”."]
    assert scenario_state.overlap_notes(scenario_state.compare_table(
        [("b", fast), ("Current", slow)])) == []
    assert scenario_state.overlap_notes(scenario_state.compare_table([])) == []


def test_the_link_notice_says_why_each_parameter_was_dropped():
    """Test that the notice gives each dropped parameter's reason in the app's own words (it
    said only "not understood", also for a readable number between the slider's steps), names
    it as its control is labelled on screen as well as in the link (it gave "tranche_gw"
    alone), and counts unknown parameters, never repeating a value."""
    notice = scenario_state.check_link({"start_year": "2040", "tranche_gw": "7.3",
                                        "range": "zzz", "evil": "<b>x</b>", "x": "1"}).notice
    assert notice == (
        "Some link settings could not be used and were reset to their defaults: “Start year” "
        "(start_year) is outside 2020 to 2030; “Tranche size (firm GW)” (tranche_gw) is between "
        "the slider's steps of 0.5; “Range” (range) is not one of 1M, 3M, 6M, YTD, 1Y, "
        "Since ALAB IPO, Max, Custom; 2 unknown parameters.")


def test_the_first_tranche_sentence_says_when_new_supply_arrives():
    """Test the sentence that says when the first tranche energises and what supply is until
    then (with the defaults, nothing new lands in 2026-2027: an investor asked why)."""
    default = settings.default_scenario()
    assert scenario_state.first_tranche_sentence(default) == (
        "The first tranche (6.5 GW), decided in Jan 2024, energises in Jan 2028 after the "
        "4-year lead time; until then firm supply is the 13.5 GW headroom.")
    none = replace(default, tranche_gw=0.0)
    assert scenario_state.first_tranche_sentence(none) == (
        "No tranches: firm supply stays at the 13.5 GW headroom.")
    late = replace(default, lead_time_years=15.0, end_year=2030)
    assert scenario_state.first_tranche_sentence(late).endswith(
        "energises in Jan 2039 (after the horizon ends) after the 15-year lead time; until then "
        "firm supply is the 13.5 GW headroom.")
    at_once = replace(default, lead_time_years=0.0)
    assert scenario_state.first_tranche_sentence(at_once) == (
        "The first tranche (6.5 GW) energises as it is decided, in Jan 2024, with no lead time: "
        "firm supply is the 13.5 GW headroom plus this tranche from the start (20 GW).")


def test_tidy_symbols_writes_a_links_symbols_as_the_lists_do():
    """Test that linked symbols are put in upper case, trimmed and kept once, without entries
    that cannot be symbols, and that links with nothing to tidy, or with no symbol at all, are
    left to the link check."""
    assert scenario_state.tidy_symbols(["NVDA", "nvda", " orcl"]) == ["NVDA", "ORCL"]
    assert scenario_state.tidy_symbols(["NVDA", "ORCL"]) is None
    assert scenario_state.tidy_symbols(["nvda", "<b>"]) == ["NVDA"]
    assert scenario_state.tidy_symbols(["<b>"]) is None
    assert scenario_state.tidy_symbols([]) is None


def test_a_link_with_one_bad_symbol_keeps_the_others():
    """Test that the link check drops symbols only when none can be a symbol: a link the
    Market page wrote after a typed "$$$<b>x" reset NVDA and the rest to the defaults."""
    assert scenario_state.check_link({"symbols": ["NVDA", "$$$<b>x"]}).drop == ()
    assert scenario_state.check_link({"symbols": ["$$$<b>x"]}).drop == ("symbols",)
    assert scenario_state.check_link({"symbols": [""]}).drop == ("symbols",)


def test_the_left_out_notice_counts_and_never_quotes():
    """Test the notice for a link's entries that cannot be symbols, beside good ones."""
    assert scenario_state.left_out_notice(["NVDA", "<b>x", "$$$"]) == (
        "The link held 2 entries that cannot be a ticker symbol; they were left out.")
    assert re.fullmatch(LEFT_OUT_NOTICE, scenario_state.left_out_notice(["<b>"]))
    assert scenario_state.left_out_notice(["NVDA"]) == ""


def test_a_market_list_home_cannot_show_is_kept_until_home_picks_other_names():
    """Test the Market list kept aside while home is open: it goes back on the Market page when
    home's list still holds its home names (or nothing), not when the visitor picked others;
    home's note names only tidy symbols, and only while the list would go back."""
    kept = ["^IXIC", "ORCL", "MSFT", "<b>x"]
    assert scenario_state.market_only(kept) and not scenario_state.market_only(["NVDA"])
    for held in (None, [], ["^IXIC", "ORCL"], kept):
        assert scenario_state.kept_market_list(kept, held) == kept
    assert scenario_state.kept_market_list(kept, ["NVDA"]) is None
    notice = scenario_state.market_only_notice(kept, ["^IXIC", "ORCL"])
    assert notice.startswith("The Market page's list also holds MSFT:") and "<b>" not in notice
    assert scenario_state.market_only_notice(kept, ["NVDA"]) == ""
    assert scenario_state.market_only_notice(["ORCL"], None) == ""


def test_a_saved_scenario_named_current_keeps_apart_from_the_current_one():
    """Test that "Current", the name the comparison gives the scenario on screen, is never a
    saved name: a save named "Current" merged with it (one legend entry, a zigzag line)."""
    moved = replace(settings.default_scenario(), tranche_gw=10.0)
    saved = scenario_state.save_scenario([], scenario_state.CURRENT_NAME, moved)
    assert [name for name, _ in saved] == [f"{scenario_state.CURRENT_NAME} (2)"]
    table = scenario_state.compare_table(
        [*saved, (scenario_state.CURRENT_NAME, settings.default_scenario())])
    assert table.groupby("Scenario").size().tolist() == [12, 12]


def test_a_negative_tranche_growth_reads_as_one_sign():
    """Test the unnamed save's name for a shrinking tranche: "Tranches -10%", not "+-10%"."""
    shrinking = replace(settings.default_scenario(), tranche_growth_pct=-10.0)
    assert scenario_state.changes_name(shrinking) == "Tranches -10%"
    growing = replace(settings.default_scenario(), tranche_growth_pct=10.0)
    assert scenario_state.changes_name(growing) == "Tranches +10%"


def test_the_scenario_line_names_every_setting_moved_from_its_default():
    """Test that the exports' parameter line shows the start level and the tranche growth when
    they are set: without them, two different scenarios exported the same line."""
    default = settings.default_scenario()
    line = scenario_state.scenario_summary(default)
    assert "at start" not in line and "per tranche" not in line
    moved = replace(default, demand_start_gw=100.0, tranche_growth_pct=-5.0)
    moved_line = scenario_state.scenario_summary(moved)
    assert moved_line != line
    assert "100 GW at start" in moved_line and "-5% per tranche" in moved_line


def test_a_link_number_must_be_written_in_plain_ascii_and_a_date_as_yyyy_mm_dd():
    """Test link values Python would read but a person would not write: "1_0" (10), full-width
    digits, an ISO week date for a day; "-0" holds the slider's 0, not a "-0" legend name."""
    drop = scenario_state.check_link({"tranche_gw": "1_0", "lead_time_years": "４",
                                      "custom_range": "2025-W50-5"}).drop
    assert set(drop) == {"tranche_gw", "lead_time_years", "custom_range"}
    assert scenario_state.check_link({"custom_range": ["2025-12-01", "2025-12-31"]}).drop == ()
    zero = scenario_state.linked_settings({"tranche_growth_pct": "-0"})
    assert zero == {"tranche_growth_pct": 0.0}
    assert str(zero["tranche_growth_pct"]) == "0.0"
