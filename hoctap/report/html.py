"""HTML pieces of the printable report: an escaped table of a frame (Vietnamese headers and values, numbers
right-aligned, blanks for missing, never "NaN"), a cell's text, escaping. Shared by the page and its unit pages."""

from __future__ import annotations

import datetime as dt
import html
import math

import numpy as np
import pandas as pd

from hoctap.safety import visible

from .gather import readable


def table_html(
    df: pd.DataFrame, labels: dict | None = None, note_column: str | None = None, table: str = "", topics=None
) -> str:
    """An escaped HTML table of the whole frame: Vietnamese headers and values, local times, numbers right-aligned."""
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    noted = [bool(v) for v in df[note_column]] if note_column else [False] * len(df)
    view = readable(df, labels, table, topics)
    head = "".join(f"<th>{esc(column)}</th>" for column in view.columns)
    rows = []
    for values, note in zip(view.itertuples(index=False, name=None), noted, strict=True):
        cells = "".join(
            f'<td class="n">{esc(cell_text(v))}</td>' if is_number else f"<td>{esc(cell_text(v))}</td>"
            for v, is_number in zip(values, numeric, strict=True)
        )
        rows.append(f'<tr class="note">{cells}</tr>' if note else f"<tr>{cells}</tr>")
    if not rows:
        rows.append(f'<tr class="note"><td colspan="{max(1, len(view.columns))}">(chưa có dòng nào)</td></tr>')
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def cell_text(value) -> str:
    """A cell as people read it: empty when missing, dd/mm/yyyy dates, decimal comma."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "có" if value else "không"
    if isinstance(value, dt.datetime):
        return "" if pd.isna(value) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").replace(".", ",")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def esc(text: object) -> str:
    """Escaped, with stored control characters shown and lone surrogates replaced (`cells.visible`): the page must
    encode as UTF-8 and lose nothing a reader needs."""
    return html.escape(visible(str(text)), quote=True)
