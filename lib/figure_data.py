"""The data behind a figure: exactly what a plotly figure plots, as a tidy frame or CSV."""

from __future__ import annotations

import base64
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TRACE_COLUMN = "Trace"
EXTRA_ARRAYS = {"base": "Base", "text": "Text", "hovertext": "Hover text"}  # per-point extras
# A trace's meta may name its customdata columns for the CSV: {CUSTOMDATA_COLUMNS: ["URL"]}.
CUSTOMDATA_COLUMNS = "csv_customdata_columns"
# ... and the name its rows carry, where the legend's name alone would not say what the
# series holds: {TRACE_LABEL: "Slow: supply"} for a legend entry "Slow".
TRACE_LABEL = "csv_trace"
_TYPED_DTYPES = {"u1c": "u1"}  # plotly.js Uint8ClampedArray is plain uint8 for us
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?$")


def _as_array(value) -> np.ndarray | None:
    """A trace attribute as a numpy array, decoding plotly's base64 typed-array dicts."""
    if value is None:
        return None
    if isinstance(value, dict) and "bdata" in value:
        dtype = np.dtype(_TYPED_DTYPES.get(value["dtype"], value["dtype"])).newbyteorder("<")
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype)
        shape = value.get("shape")
        return array.reshape([int(n) for n in shape.split(",")]) if shape else array
    return np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)


def _plain(text: str | None) -> str:
    """Text without plotly's HTML tags or entities, on one line: "<b>A</b> &amp; B" -> "A & B"."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text or "")).split())


def _plain_lines(text) -> str:
    """_plain, keeping plotly's line breaks as " | "."""
    return " | ".join(filter(None, (_plain(part) for part in re.split(r"<br\s*/?>", str(text)))))


def _axis_title(fig: go.Figure, axis_id: str | None, letter: str) -> str:
    """Axis title text without HTML tags, e.g. "Capacity (GW)", or "" when untitled."""
    name = f"{letter}axis{(axis_id or letter)[1:]}"
    return _plain(fig.layout[name].title.text if name in fig.layout else None)


def _implicit_axis(trace, letter: str, n_points: int) -> np.ndarray:
    """Coordinates plotly draws when x or y is absent: start + i * step (x0/dx, y0/dy).

    Traces without a step (histograms, violins) have no implicit axis: the column stays empty
    and the rows are the raw samples they summarise.
    """
    if not hasattr(trace, f"d{letter}"):
        return np.full(n_points, None)
    start, step = getattr(trace, f"{letter}0", None), getattr(trace, f"d{letter}", None)
    start, step = (0 if start is None else start), (1 if step is None else step)
    return start + step * np.arange(n_points)


def _trace_frame(fig: go.Figure, index: int, trace) -> pd.DataFrame:
    """One row per point plotted by one x/y trace, with generic column names."""
    x, y = (_as_array(getattr(trace, k, None)) for k in ("x", "y"))
    if x is None and y is None:
        raise ValueError(f"figure_data_csv handles x/y traces only, not {trace.type!r}")
    n_points = min(len(a) for a in (x, y) if a is not None)  # plotly draws the shorter length
    x = _implicit_axis(trace, "x", n_points) if x is None else x[:n_points]
    y = _implicit_axis(trace, "y", n_points) if y is None else y[:n_points]
    meta = trace.meta if isinstance(trace.meta, dict) else {}
    label = meta.get(TRACE_LABEL) or trace.name or f"trace {index}"
    frame = pd.DataFrame({TRACE_COLUMN: label, "X": x, "Y": y})
    frame["Y axis"] = _axis_title(fig, getattr(trace, "yaxis", None), "y")
    frame["X axis"] = _axis_title(fig, getattr(trace, "xaxis", None), "x")
    for key, column in EXTRA_ARRAYS.items():
        value = getattr(trace, key, None)  # Scatter has no base: None
        if key == "base" and value is not None and np.ndim(value) == 0:
            value = [value] * n_points  # a scalar base still shifts every bar
        if (array := _as_array(value)) is not None and array.ndim == 1:
            values = pd.Series(array[:n_points], dtype=object).reindex(range(n_points))
            if key != "base":  # text drawn with plotly's markup: the words alone, lines by " | "
                values = values.map(_plain_lines, na_action="ignore")
            frame[column] = values
    custom = _as_array(getattr(trace, "customdata", None))
    if custom is not None:
        custom = custom.reshape(len(custom), -1)[:n_points]
        names = list(meta.get(CUSTOMDATA_COLUMNS, []))
        for j in range(custom.shape[1]):
            name = names[j] if j < len(names) else f"Custom data {j + 1}"
            frame[name] = pd.Series(custom[:, j]).reindex(range(n_points))
    return frame


def _dates_parsed(column: pd.Series) -> pd.Series:
    """ISO date strings (plotly stores datetimes as text) back to dates, so CSVs read cleanly."""
    values = column.dropna()
    if values.empty or not values.map(lambda v: bool(_ISO_DATE.match(str(v)))).all():
        return column
    return pd.to_datetime(column, format="ISO8601")


def figure_data_frame(fig: go.Figure) -> pd.DataFrame:
    """The plotted data as a tidy frame; see figure_data_csv for the rules."""
    frames = [_trace_frame(fig, i, t) for i, t in enumerate(fig.data) if t.visible is not False]
    if not frames:
        return pd.DataFrame(columns=[TRACE_COLUMN, "X", "Y"])
    data = pd.concat(frames, ignore_index=True)
    renames = {}
    for letter in ("X", "Y"):
        titles = data[f"{letter} axis"].unique()
        if len(titles) == 1:  # one shared title names the column; differing ones stay per row
            data = data.drop(columns=f"{letter} axis")
            if titles[0] and titles[0] not in data.columns:
                renames[letter] = titles[0]
        data[letter] = _dates_parsed(data[letter])
    return data.rename(columns=renames)


def figure_data_csv(fig: go.Figure) -> bytes:
    """Exactly the data a figure plots, as UTF-8 tidy CSV: one row per point.

    Rules: traces with visible=False are skipped (hidden helpers, never drawn); traces with
    visible="legendonly" are kept (one click shows them, so they are data). Columns are
    "Trace" (the meta's TRACE_LABEL, else trace.name, or "trace <i>"), then x and y named by
    the axis titles when every trace shares them ("X"/"Y" otherwise, plus "X axis"/"Y axis"
    columns holding each point's axis title), then per-point arrays that are present: "Base"
    (bars), "Text", "Hover text" (plain text: plotly's tags dropped, line breaks as " | "),
    "Custom data <j>". Values are
    the trace's own (not stacked totals); a missing x or y is x0 + i*dx as plotly draws it
    (left empty for histograms, whose rows are the raw samples).
    Raises ValueError for traces with neither x nor y (pie, table, indicator).
    """
    return figure_data_frame(fig).to_csv(index=False).encode("utf-8")
