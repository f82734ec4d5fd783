"""Build the project's own data/ from the sourced raw files (run by `make data`).

Reads the raw price bars and grid facts from a source folder (default: ../shared/data beside
the checkout), checks them, and writes:

- data/prices/<FILE>.csv     daily bars, Date,Open,High,Low,Close,Volume (USD, shares)
- data/prices/manifest.csv   ticker, name, role, file, first/last date, rows, sha256, source
- data/grid/<name>.csv       each grid fact file with a stable `fact_id` column in front
- data/grid/manifest.csv     file, rows, sha256, source
- data/events.csv            dated, sourced market and grid events, with a `conflict` flag

The app reads only data/. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
PRICE_FIELDS = ["Date", "Open", "High", "Low", "Close", "Volume"]
# Rows of market_events.csv that say of themselves that another source disagrees.
CONFLICT_PATTERN = re.compile(
    r"conflicts with|as dated by this source|differs from|another source says", re.I
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write a CSV via a temp file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        df.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def price_file_name(ticker: str) -> str:
    """File name for a ticker: '^IXIC' -> 'IXIC.csv' (no shell-hostile characters)."""
    return re.sub(r"[^A-Za-z0-9._-]", "", ticker) + ".csv"


def read_sources_table(sources_md: Path) -> pd.DataFrame:
    """Parse the markdown table in prices/SOURCES.md into ticker, name, role, source."""
    rows = []
    for line in sources_md.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 10 and cells[0] not in ("ticker", "---") and not cells[0].startswith("-"):
            rows.append({"ticker": cells[0], "name": cells[1], "role": cells[2],
                         "source": cells[6].replace("`", "")})
    return pd.DataFrame(rows)


def check_bars(df: pd.DataFrame, ticker: str) -> None:
    """Raise ValueError when a price file breaks the checks SOURCES.md promises."""
    if list(df.columns) != PRICE_FIELDS:
        raise ValueError(f"{ticker}: columns {list(df.columns)} != {PRICE_FIELDS}")
    if df.isna().any().any():
        raise ValueError(f"{ticker}: empty cells")
    dates = pd.to_datetime(df["Date"])
    if not dates.is_monotonic_increasing or dates.duplicated().any():
        raise ValueError(f"{ticker}: dates not strictly increasing")
    if (dates.dt.day_of_week >= 5).any():
        raise ValueError(f"{ticker}: weekend rows")
    if (df["Close"] <= 0).any():
        raise ValueError(f"{ticker}: non-positive close")
    # High/Low enclose Open/Close, within the files' rounding to 4 decimals
    body_high, body_low = df[["Open", "Close"]].max(axis=1), df[["Open", "Close"]].min(axis=1)
    broken = (df["High"] < body_high - 1e-4) | (df["Low"] > body_low + 1e-4)
    if broken.any():
        raise ValueError(f"{ticker}: High/Low do not enclose Open/Close on "
                         f"{df.loc[broken, 'Date'].iloc[0]}")


def build_prices(source: Path, out: Path) -> pd.DataFrame:
    table = read_sources_table(source / "prices" / "SOURCES.md")
    manifest = []
    for row in table.itertuples():
        raw = source / "prices" / f"{row.ticker}.csv"
        df = pd.read_csv(raw)
        check_bars(df, row.ticker)
        target = out / "prices" / price_file_name(row.ticker)
        write_atomic(df, target)
        manifest.append({
            "ticker": row.ticker, "name": row.name, "role": row.role, "file": target.name,
            "first_date": df["Date"].iloc[0], "last_date": df["Date"].iloc[-1], "rows": len(df),
            "sha256": sha256_of(target), "source": f"Yahoo Finance daily bars via {row.source}",
        })
    frame = pd.DataFrame(manifest)
    write_atomic(frame, out / "prices" / "manifest.csv")
    return frame


def build_grid(source: Path, out: Path) -> pd.DataFrame:
    manifest = []
    for raw in sorted((source / "grid").glob("*.csv")):
        if raw.name == "market_events.csv":
            continue
        df = pd.read_csv(raw, dtype=str, keep_default_na=False)
        df.insert(0, "fact_id", [f"{raw.stem}:{i + 1}" for i in range(len(df))])
        target = out / "grid" / raw.name
        write_atomic(df, target)
        manifest.append({"file": raw.name, "rows": len(df), "sha256": sha256_of(target),
                         "source": f"grid/{raw.name} (see data/grid/SOURCES.md)"})
    frame = pd.DataFrame(manifest)
    write_atomic(frame, out / "grid" / "manifest.csv")
    readme = source / "grid" / "README.md"
    (out / "grid" / "SOURCES.md").write_text(readme.read_text())
    return frame


def build_events(source: Path, out: Path) -> pd.DataFrame:
    df = pd.read_csv(source / "grid" / "market_events.csv", dtype=str, keep_default_na=False)
    df.insert(0, "event_id", [f"market_events:{i + 1}" for i in range(len(df))])
    df["conflict"] = df["event"].str.contains(CONFLICT_PATTERN)
    write_atomic(df, out / "events.csv")
    return df


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    if not (args.source / "prices" / "SOURCES.md").exists():
        print(f"no source data at {args.source}; data/ is already built and committed")
        return 1
    prices = build_prices(args.source, args.out)
    grid = build_grid(args.source, args.out)
    events = build_events(args.source, args.out)
    sources_md = (args.source / "prices" / "SOURCES.md").read_text()
    (args.out / "prices" / "SOURCES.md").write_text(sources_md)
    print(f"prices: {len(prices)} tickers, grid: {len(grid)} files, events: {len(events)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
