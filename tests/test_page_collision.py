"""AppTest of the home page: crash cards from data, model cards, bridge, links, compare."""

from dataclasses import replace

from lib import bridge, grid_model, settings
from tests.apptest_helpers import charts, component_data, metric, open_page, shown_table, texts

PAGE = "pages/collision.py"


def test_crash_cards_show_the_12_december_moves_from_the_data():
    """Test the four cards: Nasdaq −1.69%, Oracle −4.47%, Broadcom −11.43%, Astera −14.31%."""
    at = open_page(PAGE)
    assert not at.exception
    assert [metric(at, s) for s in ("^IXIC", "ORCL", "AVGO", "ALAB")] == [
        "-1.69%", "-4.47%", "-11.43%", "-14.31%"]
    assert "Friday 12 December 2025" in texts(at)
    orcl = next(m for m in at.metric if m.label == "ORCL")
    assert orcl.proto.help.endswith("55% below its 10 Sep 2025 peak on 21 Aug 2026.")
    deltas = {m.label: m.proto.delta for m in at.metric if m.label in ("^IXIC", "ORCL")}
    assert deltas == {"^IXIC": "-398.69 pts", "ORCL": "-8.83 USD"}  # the day's change, unit on


def test_model_cards_and_bridge_sentence_follow_the_scenario():
    """Test first shortfall, 2030 share and the sentence for the default and a longer lead."""
    at = open_page(PAGE)
    gap = grid_model.build_gap_table(settings.default_scenario())
    table = bridge.bridge_table(grid_model.yearly_table(gap))
    assert metric(at, "Powered in 2030") == f"{grid_model.summarise(gap).share_2030_pct:.0f}%"
    assert bridge.bridge_sentence(table, 2030) in texts(at)
    at.slider(key="lead_time_years").set_value(10.0).run()
    slow = grid_model.summarise(grid_model.build_gap_table(
        replace(settings.default_scenario(), lead_time_years=10.0)))
    assert metric(at, "Powered in 2030") == f"{slow.share_2030_pct:.0f}%"


def test_bridge_table_lists_every_year_of_the_horizon():
    """Test that the bridge table runs 2024-2035 with the model's shares (0-100%) and growth."""
    at = open_page(PAGE)
    shown = shown_table(at, "Powered")
    assert shown["Year"].tolist() == [str(y) for y in range(2024, 2036)]
    gap = grid_model.build_gap_table(settings.default_scenario())
    table = bridge.bridge_table(grid_model.yearly_table(gap))
    assert shown["Powered"].tolist() == [f"{s:.0f}%" for s in table["Powered share (%)"]]
    assert shown["Growth expected (GW/yr)"].iloc[0] == "–"  # no year before the first
    growth = table["Powered growth (GW/year)"]
    assert shown["Growth powered (GW/yr)"].tolist()[1:] == [f"{g:.1f}" for g in growth[1:]]
    assert table["Powered share (%)"].between(0, 100).all()


def test_share_link_carries_the_changed_settings():
    """Test that after a slider move the share link holds that setting."""
    at = open_page(PAGE)
    assert not component_data(at, "aigrid_copy_link")  # built only once the box is opened
    at.session_state["share_open"] = True
    at.slider(key="tranche_gw").set_value(12.0).run()
    link = component_data(at, "aigrid_copy_link")[0]["url"]
    assert "tranche_gw=12" in link and "lead_time_years" not in link


def test_a_link_reopens_the_scenario_and_odd_ones_get_one_notice():
    """Test that a good link sets the slider and a hostile one is reset with one notice."""
    at = open_page(PAGE, tranche_gw="12", symbols=["ORCL", "AVGO"])
    assert at.slider(key="tranche_gw").value == 12.0
    assert at.multiselect(key="symbols").value == ["ORCL", "AVGO"]
    odd = open_page(PAGE, tranche_gw="<b>12</b>", symbols="'; DROP TABLE", zz="1")
    assert not odd.exception
    assert sum("could not be used" in box.value for box in odd.info) == 1
    assert odd.slider(key="tranche_gw").value == settings.default_scenario().tranche_gw


def test_saving_scenarios_keeps_five_and_compares_them():
    """Test that six saves keep the last five, each named, plus the current one in the chart."""
    at = open_page(PAGE)
    assert not at.text_input  # the compare box is closed: nothing of it is built
    at.session_state["compare_open"] = True
    at.run()
    for i in range(6):
        at.text_input(key="scenario_name").input(f"S{i}").run()
        at.slider(key="tranche_gw").set_value(5.0 + i).run()
        at.button(key="save_scenario").click().run()
    saved = at.session_state["saved_scenarios"]
    assert [name for name, _ in saved] == ["S1", "S2", "S3", "S4", "S5"]
    assert "5 of 5 saved" in texts(at)
    compare = charts(at)[-1]
    assert [t["name"] for t in compare["data"] if t.get("showlegend") is not False] == [
        "S1", "S2", "S3", "S4", "S5", "Current"]


def test_a_saved_scenario_under_the_current_one_is_named_under_the_chart():
    """Test that saving the current scenario says its lines lie under Current's, and that after
    a demand-only change the page says which line still does."""
    at = open_page(PAGE)
    at.session_state["compare_open"] = True
    at.run()
    at.button(key="save_scenario").click().run()
    assert ("“Realistic realisation” gives the same results as “Current”: its lines lie under "
            "those of “Current”.") in texts(at)
    at.slider(key="demand_growth_gw_per_year").set_value(20.0).run()
    assert ("“Realistic realisation” has the same firm supply as “Current”: its solid line "
            "lies under that of “Current”.") in texts(at)


def test_a_save_empties_the_name_and_an_unnamed_save_takes_the_presets_name():
    """Test that after a named save the name field is empty, so a save after a preset click is
    filed under that preset's name, not the previous name with "(2)"."""
    at = open_page(PAGE)
    at.session_state["compare_open"] = True
    at.run()
    at.text_input(key="scenario_name").input("Fast").run()
    at.button(key="preset_fast_build-out").click().run()
    at.button(key="save_scenario").click().run()
    assert at.text_input(key="scenario_name").value == ""
    at.button(key="preset_queue_as_filed").click().run()
    at.button(key="save_scenario").click().run()
    assert [name for name, _ in at.session_state["saved_scenarios"]] == ["Fast", "Queue as filed"]


def test_image_size_choice_offers_slide_a4_and_half_page():
    """Test the sidebar's image size choice: slide by default, A4 and half page on offer."""
    at = open_page(PAGE)
    choice = at.radio(key="export_size")
    assert choice.value == "Slide 16:9"
    assert choice.options == ["Slide 16:9", "A4 landscape", "Half page"]
    choice.set_value("A4 landscape").run()
    assert not at.exception


def test_a_link_with_symbols_the_page_does_not_chart_says_so():
    """Test that ?symbols=ORCL&symbols=ZZZZQ charts ORCL and says one linked symbol is not on
    this page's list, without echoing it."""
    at = open_page(PAGE, symbols=["ORCL", "ZZZZQ"])
    assert at.multiselect(key="symbols").value == ["ORCL"]
    [notice] = [box.value for box in at.info if "does not chart" in box.value]
    assert "1 symbol" in notice and "ZZZZQ" not in notice


def test_an_emptied_names_list_says_the_chart_shows_the_defaults():
    """Test that with no AI names picked (the list cleared, ?symbols=) the page says the chart
    shows the four defaults, which it draws: the list was empty beside four lines."""
    at = open_page(PAGE)
    at.multiselect(key="symbols").set_value([]).run()
    assert not at.exception
    assert any("No AI names picked" in box.value for box in at.info)
    names = {t.get("name") for c in charts(at) for t in c["data"]}
    assert {"^IXIC", "ORCL", "AVGO", "ALAB"} <= names


def test_a_horizon_after_the_last_close_says_it_has_no_prices():
    """Test that a horizon starting in 2030 (prices end in 2026) says in the chart and its
    caption that it has no prices, instead of an empty panel and a caption about rebasing."""
    at = open_page(PAGE, start_year="2030")
    [chart] = [c for c in charts(at) if any(t.get("yaxis") == "y2" for t in c["data"])]
    notes = [a.get("text", "") for a in chart["layout"].get("annotations", [])]
    assert any("No prices in this horizon" in n for n in notes)
    assert not any("12 Dec 2025" in n for n in notes)  # the crash lies before the horizon
    caption = next(c.value for c in at.caption if "Grid:" in c.value)
    assert "No prices fall in a horizon from 2030" in caption and "rebased" not in caption
    assert "Triangles" not in caption  # no dated event falls in 2030-2035


def test_an_unnamed_custom_save_is_named_by_its_changes():
    """Test that saving a moved scenario with an empty name files it as "Tranche 12 GW"."""
    at = open_page(PAGE)
    at.session_state["compare_open"] = True
    at.run()
    at.slider(key="tranche_gw").set_value(12.0).run()
    at.button(key="save_scenario").click().run()
    assert [name for name, _ in at.session_state["saved_scenarios"]] == ["Tranche 12 GW"]


def test_a_linked_ai_name_in_lower_case_is_charted():
    """Test that ?symbols=nvda&symbols=ORCL charts NVDA and ORCL with no notice: the home list
    offers NVDA, and the link's case is not a different name."""
    at = open_page(PAGE, symbols=["nvda", "ORCL"])
    assert not at.exception and not at.error
    assert at.multiselect(key="symbols").value == ["NVDA", "ORCL"]
    assert not any("does not chart" in box.value for box in at.info)


def test_the_bridge_says_what_the_default_headroom_leaves_out():
    """Test that the bridge, whose 2026-2027 powered growth is near zero by the defaults, says
    that firm capacity energised since summer 2025 is not in the default headroom."""
    from lib import grid_facts

    at = open_page(PAGE)
    assert grid_facts.recent_additions_note() in texts(at)
