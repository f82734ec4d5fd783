"""Small tables as Markdown: formatted cells, units in the headers, each column's definition.

A few rows beside a chart read better as a plain table than as an interactive data grid, and
cost the browser far less: the grid's code (about 1.2 MB of JavaScript) is loaded and run on a
page's first visit, while a Markdown table is drawn by the page's own Markdown renderer.
Cells are escaped, so text from data (a symbol, a source's name) is shown, never interpreted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real

import pandas as pd

MISSING = "–"  # en dash: the value does not exist (e.g. growth in a horizon's first year)
NBSP = "\u00a0"  # an unbreakable space: see format_cell
# What could start a link, an image, emphasis, code, HTML, math, a shortcode or a new cell
# inside a table cell; other punctuation (".", "-") is plain text there.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|~$:&!])")


@dataclass(frozen=True)
class Column:
    """How one column of a frame is shown.

    name: the frame's column. label: the header (defaults to name). fmt: a format string for
    present values, e.g. "{:.1f} GW", "{:%-d %b %Y}", or a function of the value. help: what
    the column means, for the table's definitions. align: "right" for numbers and dates,
    "left" for text.
    """

    name: str
    label: str | None = None
    fmt: str | Callable[[object], str] = "{}"
    help: str = ""
    align: str = "right"

    @property
    def header(self) -> str:
        return self.label or self.name


def escape(text: str) -> str:
    """Text shown literally in Markdown: specials backslash-escaped, line breaks flattened."""
    flat = re.sub(r"[^\S\u00a0]+", " ", str(text)).strip()  # any line break flattened; NBSP kept
    return _MARKDOWN_SPECIALS.sub(r"\\\1", flat)


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_cell(value: object, fmt: str | Callable[[object], str]) -> str:
    """One cell: the value formatted, or MISSING for NaN / None / NaT. The first space is kept
    unbroken, so a narrow column wraps "29 Oct 2025" as "29 Oct" over "2025", never "29" over
    "Oct 2025"; a number and its unit ("6.5 GW") stay on one line."""
    if _is_missing(value):
        return MISSING
    if callable(fmt):
        return fmt(value).replace(" ", NBSP, 1)
    if _rounds_to_zero(value, fmt):
        value = 0  # rounds to zero: "0.0", never "-0.0"
    return fmt.format(value).replace(" ", NBSP, 1)


def _rounds_to_zero(value: object, fmt: str) -> bool:
    """A number at or below zero that `fmt` shows as zero (-0.0, or -1e-14 at one decimal)."""
    return (isinstance(value, Real) and not isinstance(value, bool) and value <= 0
            and fmt.format(-value) == fmt.format(0))


def markdown_table(frame: pd.DataFrame, columns: Sequence[Column]) -> str:
    """A GitHub-flavoured Markdown table of `columns` (in that order) of `frame`, one row each."""
    rows = [[format_cell(row[c.name], c.fmt) for c in columns] for row in frame.to_dict("records")]
    return _markdown([c.header for c in columns], rows, [c.align for c in columns])


def markdown_table_across(frame: pd.DataFrame, key: Column, columns: Sequence[Column]) -> str:
    """The same table turned on its side: a column per row of `frame`, headed by its `key`
    value (e.g. a symbol), and a row per column spec. Reads like a factsheet, and a few names
    with many statistics fit a narrow page."""
    header = [key.header, *(format_cell(v, key.fmt) for v in frame[key.name])]
    rows = [[c.header, *(format_cell(v, c.fmt) for v in frame[c.name])] for c in columns]
    return _markdown(header, rows, ["left"] + ["right"] * len(frame))


def _markdown(header: list[str], rows: list[list[str]], aligns: list[str]) -> str:
    rule = ["---:" if a == "right" else ":---" for a in aligns]
    body = [[escape(cell) for cell in row] for row in [header, *rows]]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [body[0], rule, *body[1:]])


def definitions(columns: Sequence[Column]) -> str:
    """'**Header**: meaning' for each column that has one, one per line (Markdown)."""
    return "\n\n".join(f"**{escape(c.header)}**: {c.help}" for c in columns if c.help)
