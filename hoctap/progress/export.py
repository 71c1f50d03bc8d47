"""A progress table as a file: CSV (UTF-8 with BOM, so Excel shows Vietnamese right), XLSX, JSON, or text.

Exports keep the stable column ids (README.md documents them); the text format, for people at a terminal, uses
the Vietnamese headers. Times are local to the topic (XLSX has no time zones: written as local times).

Stored text never breaks an export nor runs in a spreadsheet (`hoctap.safety.cells`): CSV and XLSX text cells and
headers have control characters shown as symbols and formulas defused, even after Excel splits a CSV field on its
regional list separator; CSV quotes every text field; JSON and text are valid UTF-8 whatever the gradebook holds.

    data = table_bytes(df, "xlsx", sheet="Theo đơn vị")
    write_table(df, "csv", Path("don-vi.csv"))
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from hoctap.errors import HoctapError
from hoctap.safety import cell, encodable, printable, text_cells

from .labels import labelled

FORMATS = ("table", "csv", "xlsx", "json")
SHEET_NAME_LIMIT = 31  # Excel's limit


def inert(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells and headers as a spreadsheet may hold them (`hoctap.safety.cells.cell`): control characters shown as
    symbols, an apostrophe before any formula (`=HYPERLINK(…)`, `a;=1+1`), as OWASP advises; numbers left alone."""
    return text_cells(df, cell)


def naive_local(df: pd.DataFrame) -> pd.DataFrame:
    """Aware times → the same wall-clock time without a zone (what a spreadsheet can hold)."""
    out = df.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def _json_ready(df: pd.DataFrame) -> list[dict]:
    out = df.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].map(lambda t: t.isoformat() if pd.notna(t) else None)
        elif out[column].dtype == object:  # dates (timeline) and other Python objects
            out[column] = out[column].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    return json.loads(out.to_json(orient="records", force_ascii=False, date_format="iso"))


def table_bytes(df: pd.DataFrame, fmt: str, sheet: str = "Bảng") -> bytes:
    """The table in `fmt` ("csv", "xlsx", "json", "table") as bytes."""
    if fmt == "csv":
        # QUOTE_MINIMAL quotes only the delimiter (','): Excel set to split on ';' would cut `a;b` in two. Every text
        # field is quoted instead; numbers are not, so they stay numbers.
        return inert(df).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            naive_local(inert(df)).to_excel(writer, sheet_name=sheet[:SHEET_NAME_LIMIT], index=False)
        return buffer.getvalue()
    if fmt == "json":  # json.dumps escapes control characters itself; a lone surrogate would not encode
        return (json.dumps(_json_ready(text_cells(df, encodable)), ensure_ascii=False, indent=1) + "\n").encode()
    if fmt == "table":
        if df.empty:
            return "(không có dòng nào)\n".encode()
        shown = text_cells(labelled(df, sheet), printable)  # an answer holding ESC must not drive the terminal
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            return (shown.to_string(index=False) + "\n").encode("utf-8")
    raise HoctapError(f"định dạng không hỗ trợ: {fmt!r}; chọn một trong {', '.join(FORMATS)}")


def write_table(df: pd.DataFrame, fmt: str, out: Path, sheet: str = "Bảng") -> Path:
    """Write atomically: a half-written export never replaces a good one."""
    data = table_bytes(df, fmt, sheet)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out
