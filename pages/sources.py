"""Sources & method: every figure the app shows, where it comes from, and how it is computed."""

import streamlit as st

from lib import bridge, events, grid_facts, grid_model, settings, ui

ui.route_through_app()
st.title("Sources & method")
st.caption("Every number in the app is either computed from the data below by a formula on "
           "this page, or is a sourced fact with its URL and a verbatim excerpt, or is a "
           "labelled assumption.")

st.header("The model", divider="gray")
model_start = f"January {grid_model.MODEL_START_YEAR}"
st.markdown(
    "- **Expected demand (GW)**, the market's straight line: (start level + growth × years "
    f"since {model_start}) × realisation rate, shifted later by the arrival delay.\n"
    f"- **Firm supply (GW)**: headroom in {model_start} + tranches. A tranche of firm GW is "
    "decided every *interval* years from then and energised only after the *lead time*; it "
    "grows by *tranche growth* % over the one before. Supply is a step function.\n"
    "- **Shortfall (GW)** = max(0, demand − supply), month by month. "
    + grid_facts.shortfall_meaning() + " " + grid_facts.past_peaks_note() + "\n"
    "- **Unserved energy (TWh)** = shortfall × hours in the month × load factor ÷ 1000.\n"
    f"- The model runs on the calendar from {model_start}; the start and end years choose the "
    "window it reports.\n"
    "- It is scenario arithmetic, not a forecast."
)
st.markdown(bridge.FORMULA)  # the powered share and the bridge's columns

st.subheader("Settings: defaults, bounds and sources")
st.markdown(settings.settings_markdown())
st.download_button("Settings (CSV)", settings.settings_table().to_csv(index=False),
                   "settings.csv", "text/csv", key="settings_csv", on_click="ignore",
                   icon=":material/table:")
st.subheader("Presets")
for name, preset in settings.PRESETS.items():
    st.markdown(f"**{name}**: {preset.explanation} Sources: {', '.join(preset.source_ids)}.")

st.header("Market statistics", divider="gray")
st.markdown(
    "- **Rebased** = close ÷ first close in the range × 100.\n"
    "- **Below peak (%)** = close ÷ highest close so far in the range − 1.\n"
    "- **Max drawdown** = the lowest such value; its peak and trough dates are shown.\n"
    "- **Volatility (% a year)** = standard deviation of daily % changes × √252.\n"
    "- **Worst day** = the largest close-to-close fall in the range."
)

st.header("Grid facts", divider="gray")
st.caption("One row per fact in data/grid, with its source. Where sources disagree both rows "
           "are kept; data/grid/SOURCES.md lists the conflicts.")
st.warning("Source quality is mixed. The data set holds few primary ERCOT, LBNL or IEA "
           "documents: many rows cite trade press, law-firm notes, reposts or blogs that "
           "summarise them, and a few cite forum or social posts. *Read at* gives the site "
           "each excerpt was read at; where it differs from the publisher in the title, the page "
           "is a repost or a mirror. Weigh each row accordingly; the settings above list the "
           "other rows that agree with a default.", icon=":material/fact_check:")
looked_up = st.text_input("Look up a fact by its ID", key="fact_lookup", max_chars=80,
                          placeholder="e.g. lead_times:25",
                          help="The IDs the captions and tooltips cite, such as "
                               "ercot_large_load_queue:13. The table below has every row; its "
                               "search icon finds any text in it.")
if looked_up.strip():
    if (found := grid_facts.find_fact(looked_up)) is not None:
        st.info(grid_facts.fact_markdown(found), icon=":material/fact_check:")
    else:
        st.info("No fact has that ID. IDs read like lead_times:25: a file name and a row "
                "number.", icon=":material/search_off:")
ui.data_grid(grid_facts.all_sources(), height=420, column_config=ui.SOURCE_COLUMN_CONFIG)
st.caption("The files of data/grid with their rows and SHA-256, as `make data` wrote them from "
           "the raw files (data/grid/manifest.csv).")
ui.data_grid(grid_facts.grid_manifest())

st.header("Events", divider="gray")
st.caption("Dated market and grid events marked on the charts. Rows flagged 'conflict' disagree "
           "with another source and are listed here but not drawn.")
ui.data_grid(events.load_events().drop(columns=["Event ID"]), height=360,
             column_config=ui.EVENT_COLUMN_CONFIG)

st.header("Prices", divider="gray")
st.caption("Daily bars from Yahoo Finance, split- and dividend-adjusted. The bundled snapshot "
           "is checked against these SHA-256 sums before use. Live prices, when reachable, come "
           "from Yahoo Finance through yfinance.")
ui.data_grid(ui.snapshot_catalogue(),
             column_config={"first_date": st.column_config.DateColumn("First date"),
                            "last_date": st.column_config.DateColumn("Last date")})
