"""Hostile input: random links to every page, typed ticker symbols, and where HTML may be drawn.

A link is untrusted text: whatever its parameters, a page opens without an exception or an error
box and adds at most one calm notice. A typed symbol is untrusted too: it is refused with a
warning and never reaches the page as HTML, because the app draws no raw HTML at all (the last
tests fail on any `unsafe_allow_html=True`, `st.html` or component outside an allow-list, and on
component JS that sets HTML from anything but string literals).
"""

from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from lib import scenario_state
from lib import settings as app_settings
from tests.apptest_helpers import APP, LINK_NOTICES, notice_lines, open_page, shown_statistics

ROOT = Path(__file__).resolve().parent.parent
HOME, MARKET, GRID, SOURCES = (
    f"pages/{name}.py" for name in ("collision", "market", "grid", "sources")
)
EXAMPLES = 8  # per page: each is one AppTest run (~0.3 s); the file stays well under 60 s
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

KNOWN_KEYS = [
    *(s.name for s in app_settings.SETTINGS),
    *scenario_state.MARKET_PARAMS,
    "offline",
    "scenario_name",
    "custom_range",
    "page",
    "embed",
    "embed_options",
]
HOSTILE = [
    "",
    " ",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "-0",
    "0x10",
    "１２",
    "4.9999999999999999",
    "NVDA",
    "^IXIC",
    "ZZZZQ",
    "YTD",
    "Custom",
    "Log price",
    "A" * 300,
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE prices; --",
    "{{7*7}}",
    "${7*7}",
    "../../etc/passwd",
    "%00",
    "\u202eevil",
    "**bold**",
]
VALUE = hs.one_of(
    hs.sampled_from(HOSTILE),
    hs.text(max_size=30),
    hs.floats().map(str),
    hs.integers(-(10**6), 10**6).map(str),
)
LINKS = hs.dictionaries(
    hs.one_of(hs.sampled_from(KNOWN_KEYS), hs.text(min_size=1, max_size=15)),
    hs.one_of(VALUE, hs.lists(VALUE, min_size=1, max_size=4)),
    max_size=4,
)

# The calm sentences the Market page may add for a link's symbols; anything else is a leak.
MARKET_NOTICES = (
    r"Ignored \d+ entr(y|ies) that cannot be a ticker symbol \(.*\)\.",
    LINK_NOTICES,
    r"No data for .*",
    r"No price data for the chosen symbols\.",
    r"Pick at least one symbol to draw the chart\.",
    r"The link named \d+ symbols; the first \d+ are shown\.",
)
TYPED = [
    "",
    "   ",
    "A" * 500,
    "ß",
    "日本株",
    "🚀",
    "NVDA\n<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE prices; --",
    "{{7*7}}",
    "javascript:alert(1)",
    "\u202eLCAR",
]


def open_link(page: str, link: dict) -> AppTest:
    """Open a page with a query string given as a dict (a key may be "page")."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in link.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


@functools.cache
def baseline(page: str) -> tuple[str, tuple[str, ...]]:
    """The page's title and notices with no query string."""
    at = open_page(page)
    return at.title[0].value, tuple(notice_lines(at))


def added_notices(at, page: str) -> list[str]:
    """Notices on the page beyond those it shows without a link."""
    return list((Counter(notice_lines(at)) - Counter(baseline(page)[1])).elements())


def assert_opens(at, page: str) -> None:
    """The page ran to its title without an exception or an error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title and at.title[0].value == baseline(page)[0]


@pytest.mark.parametrize("page", [HOME, GRID, SOURCES])
@FUZZ
@given(link=LINKS)
def test_any_link_opens_the_page_with_at_most_one_notice(page, link):
    """Test that random query parameters never break a page and add at most one notice."""
    at = open_link(page, link)
    assert_opens(at, page)
    assert len(added_notices(at, page)) <= 1, added_notices(at, page)


@FUZZ
@given(link=LINKS)
def test_any_link_opens_the_market_page_with_calm_notices_only(link):
    """Test that random query parameters never break the Market page or show other text."""
    at = open_link(MARKET, link)
    assert_opens(at, MARKET)
    for text in added_notices(at, MARKET):
        assert any(re.fullmatch(p, text, re.DOTALL) for p in MARKET_NOTICES), text


def test_a_market_link_with_hostile_symbols_adds_one_notice():
    """Test that a link with three junk symbols gives one calm notice, not three warnings."""
    at = open_page(MARKET, symbols=["<b>x</b>", "'; DROP TABLE", "{{7*7}}"])
    assert_opens(at, MARKET)
    assert len(added_notices(at, MARKET)) <= 1, added_notices(at, MARKET)


@pytest.mark.parametrize("text", TYPED)
def test_a_typed_symbol_is_refused_and_never_drawn_as_html(text):
    """Test that a hostile symbol typed into the Market page is refused in a plain warning."""
    at = open_page(MARKET)
    at.multiselect(key="symbols").select(text).run()
    assert_opens(at, MARKET)
    assert any("cannot be a ticker symbol" in w.value for w in at.warning)
    assert not any(text.strip() and text in w.value for w in at.warning)  # never echoed
    assert all(APP_STYLE in h.proto.body for h in at.get("html"))  # the style sheet alone
    assert not [m for m in at.markdown if m.proto.allow_html]
    stats = shown_statistics(at)  # the chart and the statistics still show the valid symbols
    assert set(stats.index) == {"^IXIC", "ORCL", "AVGO", "ALAB"}


def test_a_rejected_symbol_is_not_echoed_as_live_markdown():
    """Test that a symbol written as a markdown image is not shown as one in the warning."""
    at = open_page(MARKET, symbols="![x](https://example.invalid/pixel.png)")
    alerts = [a.value for a in [*at.warning, *at.info]]
    assert any("could not be used" in a for a in alerts), alerts
    assert not any("](" in a or "pixel.png" in a for a in alerts), alerts


# --- where raw HTML could be drawn ------------------------------------------------------------

# (file, where) of each call that may draw raw HTML, with why its text is the app's own: where is
# the component's name for st.components.v2.component("name", ...), else the call's line.
# Streamlit escapes everything else (markdown without HTML, alerts, tables).
ALLOWED_HTML_SITES: dict[tuple[str, int | str], str] = {
    ("lib/ui.py", "aigrid_chart"): "the chart component: Plotly draws the app's figures; its JS "
    "sets no HTML from data (test_component_js_sets_html_only_from_literals)",
    ("lib/ui.py", "aigrid_copy_link"): "the copy-link component: the link goes into an input's "
    "value",
    ("app.py", "lib/app.css"): "the app's style sheet: a file of the repository, no data",
    ("lib/ui.py", "aigrid_history"): "the history script: it draws one hidden, empty element; "
    "the query string it sends back goes through the link check like any link",
}
APP_STYLE = (ROOT / "lib" / "app.css").read_text()
# st.html, components.html, st.components.v1.html; st.components.v2.component (JS of its own)
HTML_CALLS = {"html", "component"}
COMPONENT_JS = sorted((ROOT / "lib").glob("*.js"))


def html_sites(source: str, name: str) -> list[tuple[str, int | str, str]]:
    """Calls in one file's source that can draw raw HTML: (file name, where, call), where is a
    component's name (its first argument, a string) or else the call's line."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        unsafe = any(
            k.arg == "unsafe_allow_html"
            and not (isinstance(k.value, ast.Constant) and k.value.value is False)
            for k in node.keywords
        )
        if unsafe or called in HTML_CALLS:
            first = node.args[0] if node.args else None
            where = node.lineno
            if called == "component" and isinstance(first, ast.Constant):
                where = first.value
            elif (called == "html" and isinstance(first, ast.BinOp)  # st.html(HERE / "a.css")
                  and isinstance(first.op, ast.Div) and isinstance(first.right, ast.Constant)):
                where = first.right.value  # a file of the repository, named by its path
            found.append((name, where, ast.unparse(node)[:120]))
    return found


def test_raw_html_is_drawn_only_at_reviewed_call_sites():
    """Test that no page or lib module draws raw HTML outside ALLOWED_HTML_SITES."""
    files = [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "lib").glob("*.py")),
    ]
    sites = [
        site for path in files for site in html_sites(path.read_text(), str(path.relative_to(ROOT)))
    ]
    unreviewed = [s for s in sites if (s[0], s[1]) not in ALLOWED_HTML_SITES]
    assert not unreviewed, f"raw HTML outside the reviewed call sites: {unreviewed}"


_JS_LITERAL = r"""(?:'[^'\\]*'|"[^"\\]*")"""


def js_html_problems(source: str) -> list[str]:
    """HTML set from anything but string literals, and HTML-writing calls, in a JS source."""
    problems = re.findall(r"insertAdjacentHTML|document\.write|eval\(|new Function", source)
    for match in re.finditer(r"(?:inner|outer)HTML\s*=\s*([^;]+);", source):
        if not re.fullmatch(rf"\s*{_JS_LITERAL}(?:\s*\+\s*{_JS_LITERAL})*\s*", match.group(1)):
            problems.append(match.group(0)[:80])
    return problems


def test_component_js_sets_html_only_from_literals():
    """Test that the components' JS assigns innerHTML / outerHTML only string literals (never
    data from the server), and never calls insertAdjacentHTML or document.write."""
    assert COMPONENT_JS
    for path in COMPONENT_JS:
        assert not js_html_problems(path.read_text()), path.name


def test_the_js_scan_flags_html_built_from_data():
    """Test that the JS scan passes literals and flags data in innerHTML and insertAdjacentHTML."""
    assert not js_html_problems("box.innerHTML = '<input>'\n  + '<button>Copy</button>';")
    assert js_html_problems("box.innerHTML = '<a>' + data.url + '</a>';")
    assert js_html_problems("el.insertAdjacentHTML('beforeend', text);")


def test_the_html_scan_flags_unsafe_markdown_and_st_html():
    """Test that the scan finds unsafe_allow_html=True with an f-string and st.html, only."""
    source = (
        'st.markdown(f"<b>{name}</b>", unsafe_allow_html=True)\n'
        "st.html(user_text)\n"
        'st.markdown("**safe**", unsafe_allow_html=False)\n'
    )
    assert [line for _, line, _ in html_sites(source, "probe.py")] == [1, 2]
    named = 'box = st.components.v2.component("box", js="x")\nst.components.v2.component(n)\n'
    assert [where for _, where, _ in html_sites(named, "probe.py")] == ["box", 2]
    files = 'st.html(HERE / "lib/app.css")\nst.html(HERE / name)\n'
    assert [where for _, where, _ in html_sites(files, "probe.py")] == ["lib/app.css", 2]
