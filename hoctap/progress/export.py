"""A progress table as a file: CSV (UTF-8 with BOM, so Excel shows Vietnamese right), XLSX, JSON, or text.

Labels (`labels.labelled`): "vi" or "en" give headers and values people read (statuses, kinds and roles in words,
yes/no, local times to the second, blanks for missing numbers); "ids" keeps the stable column ids and codes that
README.md documents, for scripts. By default the text table is in Vietnamese and the other formats keep the ids;
`hoctap progress` makes the XLSX Vietnamese too (a person opens it) — see `DEFAULT_LABELS`.

The XLSX is for people (`hoctap.report.Book`): a bold frozen header with a filter, widths fitted to the content
(capped, long text wrapped), numbers as numbers with a percent or score format, times as Excel times; its rows are
streamed in chunks (200,000 rows of a province in seconds, in bounded memory).

Stored text never breaks an export nor runs in a spreadsheet (`hoctap.safety.cells`): CSV and XLSX text cells and
headers have control characters shown as symbols and formulas defused, even after Excel splits a CSV field on its
regional list separator; CSV quotes every text field; XLSX text is always written as text, never as a formula;
JSON and text are valid UTF-8 whatever the gradebook holds.

    data = table_bytes(df, "xlsx", sheet="Theo đơn vị", labels="vi", table="unit", topics=topics)
    write_table(df, "csv", Path("don-vi.csv"))
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd

from hoctap.errors import HoctapError
from hoctap.report import Book
from hoctap.safety import cell, encodable, printable, text_cells

from .labels import LANGUAGES, labelled, title

FORMATS = ("table", "csv", "xlsx", "json")
DEFAULT_LABELS = {"table": "vi", "xlsx": "vi", "csv": "ids", "json": "ids"}  # what `hoctap progress` writes
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
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(lambda t: t.isoformat() if pd.notna(t) else None)
        elif out[column].dtype == object:  # dates (timeline) and other Python objects
            out[column] = out[column].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    return json.loads(out.to_json(orient="records", force_ascii=False, date_format="iso"))


def table_bytes(
    df: pd.DataFrame,
    fmt: str,
    sheet: str | None = None,
    *,
    labels: str | None = None,
    table: str | None = None,
    topics=None,
) -> bytes:
    """The table in `fmt` ("csv", "xlsx", "json", "table") as bytes, labelled in `labels` ("vi", "en", "ids"; by
    default Vietnamese for the text table, ids otherwise); `table` (a table name) picks its own headers and the
    sheet's name (`sheet` otherwise), `topics` name the roles."""
    if fmt not in FORMATS:
        raise HoctapError(f"định dạng không hỗ trợ: {fmt!r}; chọn một trong {', '.join(FORMATS)}")
    if labels is not None and labels not in LANGUAGES:
        raise HoctapError(f"nhãn không hỗ trợ: {labels!r}; chọn vi, en hoặc ids")
    lang = labels or ("vi" if fmt == "table" else "ids")
    view = labelled(df, table or sheet, lang, topics)
    sheet = sheet or (title(table, lang) if table else "Bảng")
    if fmt == "csv":
        # QUOTE_MINIMAL quotes only the delimiter (','): Excel set to split on ';' would cut `a;b` in two. Every text
        # field is quoted instead; numbers are not, so they stay numbers.
        return inert(view).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")
    if fmt == "xlsx":
        return xlsx_bytes(df, view, sheet)
    if fmt == "json":  # json.dumps escapes control characters itself; a lone surrogate would not encode
        return (json.dumps(_json_ready(text_cells(view, encodable)), ensure_ascii=False, indent=1) + "\n").encode()
    if view.empty:
        return ("(no rows)\n" if lang == "en" else "(không có dòng nào)\n").encode()
    shown = text_cells(_as_text(view, lang), printable)  # an answer holding ESC must not drive the terminal
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
        return (shown.to_string(index=False) + "\n").encode("utf-8")


def write_table(df: pd.DataFrame, fmt: str, out: Path, sheet: str | None = None, **labels) -> Path:
    """Write atomically: a half-written export never replaces a good one (`labels`: as `table_bytes`)."""
    data = table_bytes(df, fmt, sheet, **labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


def _as_text(view: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Cells as a terminal shows them: blank for missing (never NaN/NaT), times to the second, decimal comma in
    Vietnamese."""
    out = view.copy()
    stamp = "%d/%m/%Y %H:%M:%S" if lang == "vi" else "%Y-%m-%d %H:%M:%S"
    for i in range(out.shape[1]):
        values = out.iloc[:, i]
        if pd.api.types.is_datetime64_any_dtype(values):
            out.isetitem(i, values.dt.strftime(stamp).fillna(""))
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out.isetitem(i, [_number(v, lang) for v in values.tolist()])
        elif values.dtype == object:
            out.isetitem(i, values.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else v))
    return out


def _number(value, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


# ------------------------------------------------------------------ XLSX


def xlsx_bytes(source: pd.DataFrame, view: pd.DataFrame, sheet: str) -> bytes:
    """One sheet for people (`hoctap.report.Book`): `view` (labelled or not) under a frozen header with a filter;
    `source` (the same columns by position, ids as headers) says which numbers are percentages."""
    book = Book()
    book.table(book.sheet(sheet), view, ids=[str(c) for c in source.columns])
    return book.close()
