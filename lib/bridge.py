"""The bridge between the two worlds: how much of a linear growth story can be powered.

Scenario arithmetic on the grid model's yearly table, not a forecast. If a growth story
assumes the full demand line, only the powered part of it can run; the rest waits for steps.
"""

from __future__ import annotations

import math

import pandas as pd

from lib.tables import MISSING, Column

BRIDGE_COLUMNS = ["Year", "Expected demand (GW)", "Powered (GW)", "Powered share (%)",
                  "Expected growth (GW/year)", "Powered growth (GW/year)"]
FORMULA = (
    "Powered (GW) = expected demand − shortfall, as hours-weighted yearly means.  \n"
    "Powered share (%) = served energy ÷ expected energy over the year × 100.  \n"
    "Expected growth = this year's expected demand − last year's; powered growth likewise.  \n"
    "A story priced on the straight line can deliver only the powered share of it in that "
    "year; the rest is load waiting for a plant, a line or a substation."
)


def share_text(pct: float) -> str:
    """A powered share (%) in whole percent, with one decimal where whole percent would claim
    all or none of the load ("99.6%", not "100%", for a year with shortfall months), and
    ">99.9%" or "<0.1%" where one decimal still would. "–" for no share (NaN)."""
    if pct is None or math.isnan(pct):
        return MISSING
    if round(pct) not in (0, 100) or pct in (0.0, 100.0):
        return f"{pct:.0f}%"
    if 0 < pct < 0.05:
        return "<0.1%"
    if 99.95 <= pct < 100:
        return ">99.9%"
    return f"{pct:.1f}%"


def gw_of_gw(part_gw: float, whole_gw: float) -> str:
    """'33 of 115 GW': whole GW, or one decimal where whole GW would read as all of it and one
    decimal tells the two apart (not for float noise in a year with no shortfall)."""
    digits = 1 if (round(part_gw) == round(whole_gw)
                   and round(part_gw, 1) < round(whole_gw, 1)) else 0
    return f"{part_gw:.{digits}f} of {whole_gw:.{digits}f} GW"


# The table beside the bridge chart: the share and both growth rates, short headers. The GW
# levels are the chart's bars; the CSV holds every column of BRIDGE_COLUMNS.
BRIDGE_TABLE = (
    Column("Year", fmt="{:d}"),
    Column("Powered share (%)", "Powered", share_text,
           "served energy ÷ expected energy over the year."),
    Column("Expected growth (GW/year)", "Growth expected (GW/yr)", "{:.1f}",
           "this year's expected demand − last year's."),
    Column("Powered growth (GW/year)", "Growth powered (GW/yr)", "{:.1f}",
           "this year's powered GW − last year's."),
)


def bridge_table(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per year: expected vs powered GW, the powered share, and year-on-year growth of each."""
    expected, powered = yearly["Demand (GW)"], yearly["Powered (GW)"]
    return pd.DataFrame({
        "Year": yearly["Year"],
        "Expected demand (GW)": expected,
        "Powered (GW)": powered,
        # A year with no expected load has nothing to power: no share (shown "–"), not 100%.
        "Powered share (%)": yearly["Powered share (%)"].where(expected > 0),
        "Expected growth (GW/year)": expected.diff(),
        "Powered growth (GW/year)": powered.diff(),
    })[BRIDGE_COLUMNS]


def bridge_sentence(table: pd.DataFrame, year: int) -> str:
    """'In 2030, 29% of the expected load can be powered (33 of 115 GW).' A horizon without
    the year says so and reads its last year instead ('' for an empty table)."""
    if table.empty:
        return ""
    row = table.loc[table["Year"] == year]
    if row.empty:
        first, last = int(table["Year"].iloc[0]), int(table["Year"].iloc[-1])
        return (f"{year} is outside this horizon ({first}–{last}). "
                + bridge_sentence(table, last))
    r = row.iloc[0]
    if not r["Expected demand (GW)"] > 0:
        return f"In {year}, no new load is expected: nothing to power."
    return (f"In {year}, {share_text(r['Powered share (%)'])} of the expected load can be "
            f"powered ({gw_of_gw(r['Powered (GW)'], r['Expected demand (GW)'])}).")
