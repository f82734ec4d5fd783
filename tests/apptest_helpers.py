"""Open one page of the app in AppTest, optionally with URL query parameters."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

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
    from lib.tables import read_markdown_table

    for block in at.markdown:
        if str(block.value).lstrip().startswith("|"):
            frame = read_markdown_table(block.value)
            if header in frame.columns:
                return frame
    raise LookupError(f"no table with a column {header!r} on the page")


def shown_statistics(at: AppTest):
    """The Market statistics as shown (a column per symbol), turned to a row per symbol."""
    return shown_table(at, "Symbol").set_index("Symbol").T
