"""Report archive: a zip of print-ready PNGs, tidy CSVs, a summary page and a manifest."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Sequence

import plotly.graph_objects as go

from lib.export import SLIDE, ExportUnavailable, FigureContext, PageSize, to_pngs
from lib.figure_data import figure_data_csv


def slugify(name: str) -> str:
    """A safe file stem (lower-case letters, digits, hyphens): "Grid gap (GW)" -> "grid-gap-gw"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "figure"


def _unique_slugs(names: Sequence[str]) -> list[str]:
    """One file name per figure name: a repeat gets -2, -3... past any name already taken."""
    taken: set[str] = set()
    slugs = []
    for name in names:
        base = slugify(name)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


# links only to the web or to files beside the page: never javascript: or data: URLs
_MD_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|(?![a-z]+:))[^)\s]*)\)")


def _inline_html(text: str) -> str:
    """Escape text, then render `code`, **bold**, *italic* and [links](url)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<!\*)\*([^*]+)\*(?!\*)", r"<em>\1</em>", out)
    return _MD_LINK.sub(r'<a href="\2">\1</a>', out)


_TABLE_RULE = re.compile(r"^\|?(\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?$")  # |---|--:|
_ALIGN = {(False, True): "right", (True, True): "center", (True, False): "left"}


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table_html(lines: Sequence[str]) -> str:
    """A Markdown table (header, rule, rows) as an HTML table, aligned as its rule says."""
    head, rule, *rows = lines
    aligns = [_ALIGN.get((c.startswith(":"), c.endswith(":")), "") for c in _cells(rule)]

    def row(line: str, tag: str) -> str:
        cells = []
        for i, cell in enumerate(_cells(line)):
            align = aligns[i] if i < len(aligns) else ""
            style = f' style="text-align:{align}"' if align else ""
            cells.append(f"<{tag}{style}>{_inline_html(cell)}</{tag}>")
        return f"<tr>{''.join(cells)}</tr>"

    return ("<table>\n<thead>" + row(head, "th") + "</thead>\n<tbody>\n"
            + "\n".join(row(r, "td") for r in rows) + "\n</tbody>\n</table>")


def markdown_to_html(markdown: str) -> str:
    """A small Markdown subset as HTML body: # headings, - lists, | tables |, paragraphs,
    inline marks. A table needs its rule row (|---|); pipes without one stay a paragraph."""
    lines = markdown.splitlines()
    blocks, in_list, i = [], False, 0
    while i <= len(lines):
        stripped = lines[i].strip() if i < len(lines) else ""
        is_item = stripped[:2] in ("- ", "* ")
        is_table = (stripped.startswith("|") and i + 1 < len(lines)
                    and bool(_TABLE_RULE.match(lines[i + 1].strip())))
        if in_list and not is_item:
            blocks.append("</ul>")
            in_list = False
        if is_table:
            end = i + 2
            while end < len(lines) and lines[end].strip().startswith("|"):
                end += 1
            blocks.append(_table_html([line.strip() for line in lines[i:end]]))
            i = end
            continue
        if heading := re.match(r"^(#{1,6})\s+(.*)$", stripped):
            level = len(heading.group(1))
            blocks.append(f"<h{level}>{_inline_html(heading.group(2))}</h{level}>")
        elif is_item:
            blocks.append("<ul>" if not in_list else "")
            blocks.append(f"<li>{_inline_html(stripped[2:])}</li>")
            in_list = True
        elif stripped:
            blocks.append(f"<p>{_inline_html(stripped)}</p>")
        i += 1
    return "\n".join(b for b in blocks if b)


def _summary_html(summary_md: str, figures: Sequence[tuple[str, FigureContext]],
                  files: set[str]) -> str:
    """A standalone page: the summary, then each figure (image if exported) and its data link."""
    parts = [markdown_to_html(summary_md)]
    for slug, ctx in figures:
        parts.append(f"<h2>{html.escape(ctx.title)}</h2>")
        if f"{slug}.png" in files:
            parts.append(f'<img src="{slug}.png" alt="{html.escape(ctx.title)}">')
        caption = " · ".join(html.escape(t) for t in (ctx.subtitle, ctx.as_of, ctx.sources) if t)
        parts.append(f'<p>{caption}<br><a href="{slug}.csv">Data (CSV)</a></p>')
    style = ("body{font-family:sans-serif;max-width:60rem;margin:2rem auto}img{max-width:100%}"
             "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2rem .6rem}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Report</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def _manifest(files: dict[str, bytes], figures: Sequence[tuple[str, FigureContext]],
              notices: list[str], size: PageSize) -> bytes:
    """manifest.json: every other file in the zip (size, SHA-256) and each figure's provenance."""
    listing = [{"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
               for name, data in files.items()]
    provenance = [{"slug": slug, "title": c.title, "subtitle": c.subtitle, "as_of": c.as_of,
                   "sources": c.sources} for slug, c in figures]
    manifest = {"files": listing, "figures": provenance, "page_size": size.name,
                "notices": notices}
    return json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")


def build_report_zip(
    figures: Sequence[tuple[str, go.Figure, FigureContext]],
    summary_md: str,
    *,
    size: PageSize = SLIDE,
    images: bool = True,
) -> tuple[bytes, list[str]]:
    """A zip of <slug>.png and <slug>.csv per figure, summary.md, summary.html, manifest.json.

    figures are (name, figure, context); names become file slugs (made unique). When images
    cannot be drawn (ExportUnavailable) the zip still holds the CSVs and summaries, and the
    returned notices (also in the manifest) say why. images=False skips PNGs silently.
    """
    slugs = _unique_slugs([name for name, _, _ in figures])
    notices: list[str] = []
    files: dict[str, bytes] = {}
    pngs: list[bytes] = []
    if images and figures:
        try:
            pngs = to_pngs([(fig, ctx) for _, fig, ctx in figures], size)
        except ExportUnavailable as error:
            notices.append(f"Images were left out. {error}")
    for i, (slug, (_, fig, _)) in enumerate(zip(slugs, figures, strict=True)):
        if pngs:
            files[f"{slug}.png"] = pngs[i]
        files[f"{slug}.csv"] = figure_data_csv(fig)
    described = [(slug, ctx) for slug, (_, _, ctx) in zip(slugs, figures, strict=True)]
    files["summary.md"] = summary_md.encode("utf-8")
    files["summary.html"] = _summary_html(summary_md, described, set(files)).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            # PNGs are already deflated inside; storing them saves time for nothing lost
            archive.writestr(name, data, zipfile.ZIP_STORED if name.endswith(".png") else None)
        archive.writestr("manifest.json", _manifest(files, described, notices, size))
    return buffer.getvalue(), notices
