"""Open one page of the app in AppTest, optionally with URL query parameters, and read what
it shows."""

import re
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from lib import market, scenario_state

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str, **query: str | list[str]) -> AppTest:
    """Run app.py's navigation on `page` (e.g. 'pages/grid.py') with the given query string."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(at: AppTest) -> str:
    """All markdown, captions and alert text on the page, joined."""
    parts = [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success]
    return "\n".join(str(p.value) for p in parts)


def notice_lines(at: AppTest) -> list[str]:
    """Every notice on the page, one per entry: a box holding several lists them as bullets."""
    return [line.removeprefix("- ") for box in [*at.info, *at.warning]
            for line in str(box.value).splitlines()]


def component_data(at: AppTest, name: str) -> list[dict]:
    """The data each instance of the app's component `name` was given, in page order."""
    import json

    return [json.loads(el.proto.json) for el in at.get("bidi_component")
            if el.proto.component_name == name]


def charts(at: AppTest) -> list[dict]:
    """The figures the page draws (the app's chart component), parsed: {"data": [...], ...}."""
    import json

    return [json.loads(data["figure"]) for data in component_data(at, "aigrid_chart")]


def shown_table(at: AppTest, header: str):
    """The first Markdown table on the page with a column `header`, as shown (text cells)."""
    for block in at.markdown:
        if str(block.value).lstrip().startswith("|"):
            frame = read_markdown_table(block.value)
            if header in frame.columns:
                return frame
    raise LookupError(f"no table with a column {header!r} on the page")


def shown_statistics(at: AppTest):
    """The Market statistics as shown (a column per symbol), turned to a row per symbol."""
    return shown_table(at, "Symbol").set_index("Symbol").T


def read_markdown_table(text: str) -> pd.DataFrame:
    """The cells of the first Markdown table in `text` as a reader sees them (escapes removed,
    unbreakable spaces as plain ones), under their headers."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip().startswith("|")]
    if len(lines) < 2:
        raise ValueError("no Markdown table in the text")
    rows = [_cells(ln) for ln in lines[:1] + lines[2:]]
    return pd.DataFrame(rows[1:], columns=rows[0])


def _cells(line: str) -> list[str]:
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [re.sub(r"\\(.)", r"\1", p.strip()).replace("\u00a0", " ") for p in parts]


# The link notice (scenario_state.drop_notice): each reason is a known parameter's label and
# name and one of the app's own phrases, or a count of unknown ones. Anything else would be the
# link's text.
_KNOWN_PARAM = "|".join(rf"“{re.escape(label)}” \({re.escape(key)}\)"
                        for key, label in scenario_state.PARAM_LABELS.items())
_LINK_REASON = (
    rf"(?:(?:{_KNOWN_PARAM}) (?:is given more than once|is not a number|is not a finite number"
    r"|is too large"
    r"|is a [a-z]+, not a number|is \d+ characters long, not a number"
    r"|is outside -?[\d.]+ to -?[\d.]+"
    r"|is between the slider's steps of [\d.]+"
    rf"|is not one of (?:{re.escape(', '.join(market.RANGE_PRESETS))}"
    rf"|{re.escape(', '.join(market.VIEW_MODES))})"
    r"|is not one or two dates written YYYY-MM-DD|holds no entry that can be a ticker symbol)"
    r"|\d+ unknown parameters?)"
)
LINK_NOTICE = (r"Some link settings could not be used and were reset to their defaults: "
               rf"{_LINK_REASON}(?:; {_LINK_REASON})*\.")
# A link's symbol entries that cannot be symbols, beside good ones (scenario_state.left_out_notice),
# after the link notice in the same box or alone.
LEFT_OUT_NOTICE = (r"The link held \d+ entr(?:y|ies) that cannot be a ticker symbol; "
                   r"(?:it was|they were) left out\.")
LINK_NOTICES = rf"(?:{LINK_NOTICE}(?: {LEFT_OUT_NOTICE})?|{LEFT_OUT_NOTICE})"
