"""Shareable state: which URL parameters the app understands, checks of untrusted links,
matching presets, and saved scenarios for comparison. Pure functions, no Streamlit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

from lib import grid_model, market, prices, settings

MAX_SAVED = 5  # scenarios kept per session for comparison
MAX_NAME_CHARS = 40
MARKET_PARAMS = ("range", "mode", "symbols", "custom_range")
# what a person sees for each parameter a link can set: its control's label (the Market page
# labels its controls from here)
PARAM_LABELS = {**{s.name: s.label for s in settings.SETTINGS}, "range": "Range", "mode": "View",
                "symbols": "Symbols", "custom_range": "Custom range"}
MAX_SYMBOLS = 10
HOME_SYMBOLS = (*prices.CORE_SYMBOLS, "NVDA")  # the home page's list of AI names
COMPARE_COLUMNS = ["Scenario", "Year", "Demand (GW)", "Supply (GW)", "Shortfall (GW)",
                   "Powered share (%)", "Unserved energy (TWh)"]


@dataclass(frozen=True)
class LinkCheck:
    """The outcome of reading a URL's parameters: which to drop and why, and one notice."""

    problems: Mapping[str, str]  # parameter -> why it is dropped ("unknown" when unknown)
    notice: str  # empty when every parameter can be used

    @property
    def drop(self) -> tuple[str, ...]:
        return tuple(self.problems)


def _items(values: str | Sequence[str]) -> list[str]:
    """A parameter's values as a list: a link gives one value as a string, several as a list."""
    return [values] if isinstance(values, str) else list(values)


def _last(values: str | Sequence[str]) -> str:
    return values if isinstance(values, str) else (values[-1] if values else "")


def _market_problem(key: str, values: str | Sequence[str]) -> str:
    """Why a Market parameter cannot be used, never repeating it; "" when it can."""
    once = isinstance(values, str) or len(values) == 1  # its control takes one value
    if key in ("range", "mode") and not once:
        return "is given more than once"
    if key == "range" and _last(values) not in market.RANGE_PRESETS:
        return f"is not one of {', '.join(market.RANGE_PRESETS)}"
    if key == "mode" and _last(values) not in market.VIEW_MODES:
        return f"is not one of {', '.join(market.VIEW_MODES)}"
    if key == "custom_range" and not _iso_dates(values):
        return "is not one or two dates written YYYY-MM-DD"
    if key == "symbols":
        # More than MAX_SYMBOLS, a name twice or an entry that cannot be a symbol beside good
        # ones is fine: the list takes the good ones once each (tidy_symbols).
        if not prices.clean_symbols(_items(values))[0]:
            return "holds no entry that can be a ticker symbol"
    return ""


def _market_param_ok(key: str, values: str | Sequence[str]) -> bool:
    return not _market_problem(key, values)


def _iso_dates(values: str | Sequence[str]) -> bool:
    """One or two calendar dates written YYYY-MM-DD (a custom range)."""
    items = _items(values)
    if not 1 <= len(items) <= 2:
        return False
    try:
        return all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v, re.ASCII) and date.fromisoformat(v)
                   for v in items)
    except ValueError:
        return False


def check_link(params: Mapping[str, str | Sequence[str]]) -> LinkCheck:
    """Which parameters of a (possibly hostile) link to drop so the page opens on defaults,
    and one notice that says why for each, never echoing what the link contained.

    A grid setting must be one number its slider can hold; market parameters are checked
    here; anything else unknown is dropped.
    """
    problems: dict[str, str] = {}
    for key, values in params.items():
        if key in settings.SETTINGS_BY_NAME:
            twice = not isinstance(values, str) and len(values) > 1  # its slider takes neither
            problem = ("is given more than once" if twice else
                       settings.link_problem(settings.SETTINGS_BY_NAME[key], _last(values)))
        elif key in MARKET_PARAMS:
            problem = _market_problem(key, values)
        else:
            problem = "unknown"
        if problem:
            problems[key] = problem
    return LinkCheck(problems, drop_notice(problems))


def linked_settings(params: Mapping[str, str | Sequence[str]]) -> dict[str, float]:
    """The grid settings of a link that the link check accepts, as numbers; others left out."""
    settings_only = {k: v for k, v in params.items() if k in settings.SETTINGS_BY_NAME}
    dropped = set(check_link(settings_only).drop)
    scenario, _ = settings.scenario_from_mapping(
        {k: _last(v) for k, v in settings_only.items() if k not in dropped})
    return {k: getattr(scenario, k) for k in settings_only if k not in dropped}


def linked_symbols(params: Mapping[str, str | Sequence[str]]) -> list[str]:
    """A link's symbols that both symbol lists offer (the home page's names), in order, once
    each; [] when it names none."""
    items = _items(params.get("symbols", []))
    return [s for s in dict.fromkeys(items) if s in HOME_SYMBOLS][:MAX_SYMBOLS]


def linked_market_symbols(params: Mapping[str, str | Sequence[str]]) -> list[str]:
    """A link's symbols as the Market list takes them: any valid symbol, written as the lists
    write them, once each, at most MAX_SYMBOLS; [] when it names none."""
    clean = prices.clean_symbols(_items(params.get("symbols", [])))[0]
    return list(dict.fromkeys(clean))[:MAX_SYMBOLS]


def tidy_symbols(values: Sequence[str]) -> list[str] | None:
    """A link's symbols as the symbol lists write them (upper case, trimmed, each once, without
    entries that cannot be symbols), when that differs from the link; None when there is
    nothing to tidy or no symbol at all (the link check drops those). The lists compare names
    as written: "nvda" was a second entry beside "NVDA" on the Market page, and not on offer
    on the home page."""
    tidy = prices.clean_symbols(values)[0]
    return tidy if tidy and tidy != list(values) else None


def left_out_notice(values: Sequence[str]) -> str:
    """Says how many of a link's symbol entries cannot be symbols and were left out, never
    quoting them; empty when none."""
    count = len(prices.clean_symbols(values)[1])
    if not count:
        return ""
    return (f"The link held {count} entr{'y' if count == 1 else 'ies'} that cannot be a ticker "
            f"symbol; {'it was' if count == 1 else 'they were'} left out.")


def linked_symbol_count(values: Sequence[str]) -> int:
    """How many symbols a link names, each once (the list takes a name once)."""
    return len(dict.fromkeys(values))


def carries_symbols(symbols: object) -> bool:
    """Whether AI names held by one page's list go on the next page's: only a list of names
    both lists offer (the Market list offers more, and keeps its own)."""
    return (isinstance(symbols, list | tuple) and bool(symbols)
            and all(s in HOME_SYMBOLS for s in symbols))


def carried_params(held: Mapping[str, object]) -> dict[str, str | list[str]]:
    """The URL parameters for what the widgets hold across a page switch: the settings in
    `held` that differ from their defaults, as a link writes them, and AI names that are not
    the default four."""
    params: dict[str, str | list[str]] = {}
    for name in (s.name for s in settings.SETTINGS if s.name in held):
        # One at a time: an end year before the start year stays as the slider holds it (the
        # model's fix, end = start, is the model's, and the page says so).
        scenario, _ = settings.scenario_from_mapping({name: held[name]})
        if (text := settings.scenario_to_mapping(scenario).get(name)) is not None:
            params[name] = text
    symbols = held.get("symbols")
    if carries_symbols(symbols) and list(symbols) != list(prices.CORE_SYMBOLS):
        params["symbols"] = list(symbols)
    params.update({k: v for k, v in linked_view(held).items() if v != VIEW_DEFAULTS[k]})
    return params


VIEW_DEFAULTS = {"range": market.DEFAULT_RANGE, "mode": market.VIEW_MODES[0]}


def linked_view(params: Mapping[str, object]) -> dict[str, str]:
    """The Market page's range and view among `params` (a link's, or what its widgets hold),
    where they are ones the page offers."""
    return {key: _last(value) for key in VIEW_DEFAULTS
            if isinstance(value := params.get(key), str | list | tuple)
            and _market_param_ok(key, value)}


def drop_notice(problems: Mapping[str, str]) -> str:
    """The one notice for link parameters that were dropped, with why (check_link's reasons);
    empty when none were. It names the app's own parameters only, by their control's label
    and their name in the link, and counts unknown ones."""
    if not problems:
        return ""
    reasons = [f"“{PARAM_LABELS[key]}” ({key}) {why}" for key, why in problems.items()
               if why != "unknown"]
    if unknown := sum(why == "unknown" for why in problems.values()):
        reasons.append(f"{unknown} unknown parameter{'s' if unknown > 1 else ''}")
    return ("Some link settings could not be used and were reset to their defaults: "
            + "; ".join(reasons) + ".")


def unlisted_notice(linked: Sequence[str], offered: Sequence[str]) -> str:
    """A notice for linked symbols a page's list does not offer (the list drops them without a
    word); counted, never echoed. Empty when every linked symbol is offered."""
    extra = len(set(linked) - set(offered))
    if not extra:
        return ""
    return (f"The link named {extra} symbol{'s' if extra > 1 else ''} this page does not chart; "
            f"it charts {', '.join(offered)}. The Market page takes any Yahoo Finance symbol.")


def market_only(symbols: object) -> bool:
    """Whether a Market list holds names the home list does not offer: it cannot go on the home
    list, so it is kept aside for the Market page (see kept_market_list)."""
    return isinstance(symbols, list | tuple) and any(s not in HOME_SYMBOLS for s in symbols)


def kept_market_list(kept: Sequence[str], held: object) -> list[str] | None:
    """The Market list kept aside, to go back on the Market page, when the list held now is
    what home made of it (its home names alone) or nothing; None when the visitor has picked
    other names since (those carry over instead)."""
    home_part = [s for s in kept if s in HOME_SYMBOLS]
    return list(kept) if held in (None, [], home_part, list(kept)) else None


def market_only_notice(kept: Sequence[str], held: object) -> str:
    """Home's note on the names of the kept Market list that its own list does not offer,
    while they would go back on the Market page (see kept_market_list); only tidy symbols are
    named (what a visitor typed is never echoed)."""
    names = [s for s in prices.clean_symbols(kept)[0] if s not in HOME_SYMBOLS]
    if not names or kept_market_list(kept, held) is None:
        return ""
    return (f"The Market page's list also holds {', '.join(names)}: this list offers "
            f"{', '.join(HOME_SYMBOLS)}, so {'they stay' if len(names) > 1 else 'it stays'} "
            "on the Market page.")


def share_url(base_url: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """A link that reopens this view: base URL (no query) plus the non-default parameters."""
    pairs = [(k, v) for k, vals in params.items()
             for v in ([vals] if isinstance(vals, str) else vals)]
    parts = urlsplit(base_url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    return f"{base}?{urlencode(pairs)}" if pairs else base


def matching_preset(scenario: grid_model.Scenario) -> str | None:
    """The preset whose values (on top of the defaults) equal the scenario, if any."""
    for name in settings.PRESETS:
        if settings.preset_scenario(name) == scenario:
            return name
    return None


def clean_name(text: str, taken: Iterable[str]) -> str:
    """A short, printable scenario name, made unique against `taken`. Markup is taken out:
    the name becomes a chart legend entry, where plotly would draw <b>...</b> as bold."""
    text = re.sub(r"<[^>]*>|[<>]", "", str(text))  # tags, then any stray bracket
    name = "".join(ch for ch in text if ch.isprintable()).strip()[:MAX_NAME_CHARS]
    name = name or "Scenario"
    base, n, taken = name, 2, set(taken)
    while name in taken:
        name = f"{base} ({n})"
        n += 1
    return name


# Each setting in a few characters, for names of unnamed saves (legend entries).
SHORT_FORMS = {
    "demand_start_gw": "start {:g} GW", "demand_growth_gw_per_year": "+{:g} GW/yr",
    "realisation_pct": "{:g}% realised", "arrival_delay_months": "{:g} mo late",
    "headroom_gw": "headroom {:g} GW", "tranche_gw": "tranche {:g} GW",
    "tranche_every_years": "every {:g} y", "lead_time_years": "lead {:g} y",
    "tranche_growth_pct": "tranches {:+g}%", "load_factor_pct": "load factor {:g}%",
    "start_year": "from {:g}", "end_year": "to {:g}",
}


def changes_name(scenario: grid_model.Scenario) -> str:
    """A name for an unnamed scenario: the settings it moves from the defaults, in the
    sliders' order, in short forms ("Tranche 8 GW, lead 6 y"); "…" when more did not fit."""
    parts = [SHORT_FORMS[s.name].format(getattr(scenario, s.name))
             for s in settings.SETTINGS if getattr(scenario, s.name) != s.default]
    name = ""
    for i, part in enumerate(parts):
        longer = f"{name}, {part}" if name else part
        if len(longer) + (2 if i < len(parts) - 1 else 0) > MAX_NAME_CHARS:
            name += " …"
            break
        name = longer
    return (name[:1].upper() + name[1:]) if name else "Defaults"


def short_name(scenario: grid_model.Scenario) -> str:
    """The scenario by its preset's name, or by what it changes from the defaults."""
    return matching_preset(scenario) or changes_name(scenario)


CURRENT_NAME = "Current"  # the scenario on screen, next to the saved ones in a comparison


def save_scenario(saved: Sequence[tuple[str, grid_model.Scenario]], name: str,
                  scenario: grid_model.Scenario) -> list[tuple[str, grid_model.Scenario]]:
    """A new list with the scenario added under a unique name; the oldest drops past MAX_SAVED."""
    entry = (clean_name(name, [CURRENT_NAME, *(n for n, _ in saved)]), scenario)
    return [*saved, entry][-MAX_SAVED:]


def compare_table(named: Sequence[tuple[str, grid_model.Scenario]]) -> pd.DataFrame:
    """Yearly model results for each named scenario, stacked (COMPARE_COLUMNS)."""
    frames = [grid_model.yearly_table(grid_model.build_gap_table(s)).assign(Scenario=name)
              for name, s in named]
    if not frames:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[COMPARE_COLUMNS]


_OVERLAP_NOTES = {  # what a later scenario's lines cover, by the columns that are equal
    "all": "“{0}” gives the same results as “{1}”: its lines lie under those of “{1}”.",
    "Supply (GW)": "“{0}” has the same firm supply as “{1}”: its solid line lies under that "
                   "of “{1}”.",
    "Demand (GW)": "“{0}” has the same expected demand as “{1}”: its dashed line lies "
                   "under that of “{1}”.",
}


def _overlaps(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(hidden, over, part) for each saved scenario of a compare_table whose lines a later
    scenario's cover (the chart draws later ones on top); part is "all" or the equal column."""
    numbers = [c for c in COMPARE_COLUMNS if c != "Scenario"]
    blocks = [(name, rows[numbers].reset_index(drop=True))
              for name, rows in table.groupby("Scenario", sort=False)]
    found = []
    for i, (name, rows) in enumerate(blocks):
        for part, columns in (("all", numbers), ("Supply (GW)", ["Supply (GW)"]),
                              ("Demand (GW)", ["Demand (GW)"])):
            over = [later for later, other in blocks[i + 1:]
                    if rows[columns].equals(other[columns])]
            if over:
                found.append((name, over[-1], part))
                if part == "all":
                    break
    return found


def overlap_notes(table: pd.DataFrame) -> list[str]:
    """A sentence for each saved scenario whose lines a later scenario's cover: all of them,
    or its supply or demand line."""
    return [_OVERLAP_NOTES[part].format(hidden, over)
            for hidden, over, part in _overlaps(table)]


_SHORT_PARTS = {"all": "all", "Supply (GW)": "supply", "Demand (GW)": "demand"}


def overlap_clause(table: pd.DataFrame) -> str:
    """overlap_notes in one short clause, grouped by line, for an exported chart's subtitle:
    "Lines under a later scenario's: all of “A”; demand of “B”, “C”." ("" when no
    line is covered; names in quotes, as a name may hold commas).
    One name per scenario took five saves to three lines of a slide."""
    hidden_by_part: dict[str, list[str]] = {}
    for hidden, _, part in _overlaps(table):
        hidden_by_part.setdefault(part, []).append(hidden)
    groups = [f"{_SHORT_PARTS[part]} of {', '.join(f'“{n}”' for n in hidden_by_part[part])}"
              for part in _SHORT_PARTS if part in hidden_by_part]
    return f"Lines under a later scenario's: {'; '.join(groups)}." if groups else ""


def _years(value: float) -> str:
    return "year" if value == 1 else f"{value:g} years"


def scenario_line(preset: str | None) -> str:
    """'Scenario: **Queue as filed**. Every GW in ERCOT's ...': the current preset with its
    explanation (else 'custom'), for the line above a page's headline numbers."""
    if preset is None:
        return "Scenario: **custom**."
    return f"Scenario: **{preset}**. {settings.PRESETS[preset].explanation}"


def first_tranche_sentence(s: grid_model.Scenario) -> str:
    """When new firm supply first arrives, and what supply is until then: the first tranche is
    decided when the model starts and waits out the whole lead time."""
    headroom = f"{s.headroom_gw:g} GW headroom"
    tranches = grid_model.tranche_table(s)
    if s.tranche_gw <= 0 or tranches.empty:
        return f"No tranches: firm supply stays at the {headroom}."
    first = tranches.iloc[0]
    size = f"The first tranche ({first['Tranche (GW)']:g} GW)"
    if s.lead_time_years <= 0:
        at_start = s.headroom_gw + tranches.loc[tranches["Energised"] == first["Energised"],
                                                "Tranche (GW)"].sum()
        return (f"{size} energises as it is decided, in {first['Decided']:%b %Y}, with no lead "
                f"time: firm supply is the {headroom} plus this tranche from the start "
                f"({at_start:g} GW).")
    after = " (after the horizon ends)" if first["Energised"].year > s.end_year else ""
    return (f"{size}, decided in {first['Decided']:%b %Y}, energises in "
            f"{first['Energised']:%b %Y}{after} after the {s.lead_time_years:g}-year lead time; "
            f"until then firm supply is the {headroom}.")


def scenario_summary(s: grid_model.Scenario) -> str:
    """The scenario's key parameters in one line, units included (chart captions, exports)."""
    start = f"{s.demand_start_gw:g} GW at start, " if s.demand_start_gw else ""
    growth = f", {s.tranche_growth_pct:+g}% per tranche" if s.tranche_growth_pct else ""
    return (f"demand {start}+{s.demand_growth_gw_per_year:g} GW/year × {s.realisation_pct:g}% "
            f"realised, {s.arrival_delay_months:g} months late; firm supply {s.headroom_gw:g} GW "
            f"headroom + {s.tranche_gw:g} GW every {_years(s.tranche_every_years)}{growth} after "
            f"a {s.lead_time_years:g}-year lead time; load factor {s.load_factor_pct:g}%; "
            f"{s.start_year}–{s.end_year}")
