"""Workbooks people open, fast at a province's size: xlsxwriter lays out each sheet (header, widths, frozen pane,
filter, formats, charts), and the tables' rows are streamed into the file afterwards as XML built column-wise with
numpy, a chunk of rows at a time, never one Python call per cell: the 200,000 rows × 22 columns of a learner
table took 118 s through xlsxwriter's cell writer and 271 s through pandas' to_excel (openpyxl) on the shared 2-core
machine, 8 s this way; each distinct value's cell text is made once, and a chunk's XML is bounded in memory.

Cells: numbers as numbers (percentages and scores with one decimal shown), times as Excel times to the second,
dates as dates, text always as text (inline strings, never a formula) made safe by `hoctap.safety.cells.cell`
(control characters shown, formulas defused), missing values blank.

    book = Book()
    ws = book.sheet("Theo đơn vị")
    book.table(ws, labelled_frame, ids=list(frame.columns))
    data = book.close()                      # bytes of the .xlsx
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from hoctap.safety import cell

SHEET_NAME_LIMIT = 31  # Excel's limit
MAX_WIDTH, MIN_WIDTH, SAMPLE, CHUNK = 50, 6, 2000, 5000
# Columns holding a percentage (0–100): one decimal shown (the value is kept whole).
PERCENT = {
    "percent", "completion", "mean_score", "median_score", "facility", "sd", "discrimination", "share",
    "discriminative_efficiency", "effective_weight", "random_guess", "gain", "alpha", "error_ratio", "standard_error",
    *(f"quintile_{k}" for k in range(1, 6)),
}  # fmt: skip
NUMBER_FORMATS = {"time": "dd/mm/yyyy hh:mm:ss", "date": "dd/mm/yyyy", "percent": "0.0", "score": "0.0#"}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
HEADER = {"bold": True, "bg_color": "#E8EEF4", "text_wrap": True, "valign": "top", "bottom": 1}


def sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ ."""
    return "".join(" " if c in "[]:*?/\\" else c for c in str(name))[:SHEET_NAME_LIMIT].strip() or "Bảng"


@dataclass
class Column:
    """One column to stream: each distinct value's cell text after its reference (`tails`, built once, its style
    index in it) and each row's code into them (-1: blank), so a chunk of rows is two numpy picks."""

    format: object | None
    codes: np.ndarray
    tails: np.ndarray


@dataclass
class _Block:
    sheet: int  # the worksheet's index (its file is xl/worksheets/sheet{index + 1}.xml)
    first_row: int  # 0-based row of the first data row
    first_col: int
    rows: int
    columns: list[Column] = field(default_factory=list)


class Book:
    """An XLSX workbook: sheets laid out with xlsxwriter, tables' rows streamed in at `close`."""

    def __init__(self):
        self._raw = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self._raw, {"strings_to_formulas": False, "strings_to_urls": False})
        self.header = self.wb.add_format(HEADER)
        self.bold = self.wb.add_format({"bold": True})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {kind: self.wb.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
        self._blocks: list[_Block] = []

    def sheet(self, name: str):
        return self.wb.add_worksheet(sheet_name(name))

    def text(self, ws, row: int, col: int, value: str, fmt=None) -> None:
        """One text cell written by xlsxwriter (titles, notes): made safe, always text."""
        ws.write_string(row, col, str(cell(str(value))), fmt)

    def table(self, ws, view: pd.DataFrame, ids: list[str] | None = None, first_row: int = 0, first_col: int = 0,
              frozen: bool = True) -> int:  # fmt: skip
        """`view` (headers as people read them) at `first_row`: a bold wrapped header, frozen with a filter when
        `frozen`, widths fitted to the first rows (capped, long text wrapped); the rows are streamed in at `close`.
        `ids`: the column ids, by position, that say which numbers are percentages. Returns the row after it."""
        ids = ids or [str(c) for c in view.columns]
        block = _Block(ws.index, first_row + 1, first_col, len(view))
        for i in range(view.shape[1]):
            header = str(cell(str(view.columns[i])))
            column, width = self._column(view.iloc[:, i], ids[i] if i < len(ids) else header, header)
            shown = min(max(width, min(len(header), 24), MIN_WIDTH) + 2, MAX_WIDTH)
            if column.format is not None:
                column.format._get_xf_index()  # its style index, which the streamed cells name
            ws.set_column(first_col + i, first_col + i, shown, column.format)
            ws.write_string(first_row, first_col + i, header, self.header)
            block.columns.append(column)
        if frozen:
            ws.freeze_panes(first_row + 1, 0)
            if view.shape[1]:
                ws.autofilter(first_row, first_col, first_row + len(view), first_col + view.shape[1] - 1)
        self._blocks.append(block)
        return first_row + 1 + len(view)

    def _column(self, values: pd.Series, column_id: str, header: str) -> tuple[Column, float]:
        """The column's format, content width (in characters, over the first rows) and cells."""
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == bool:
            return self._cells(None, values.to_numpy(), ' t="b"><v>{}</v></c>', lambda v: str(int(v))), 6
        if pd.api.types.is_datetime64_any_dtype(values):
            return self._numbers(self.formats["time"], _serials(values)), 19
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = values.to_numpy(dtype=float, na_value=np.nan)
            head = numbers[:SAMPLE][np.isfinite(numbers[:SAMPLE])]
            width = max((len(f"{v:.2f}") for v in head.tolist()), default=1)
            if pd.api.types.is_integer_dtype(values):
                return self._numbers(None, numbers, whole=True), width
            kind = "percent" if column_id in PERCENT or header.endswith("(%)") else "score"
            return self._numbers(self.formats[kind], numbers), width
        present = values.dropna()
        first = present.iloc[0] if len(present) else None
        if first is not None and not isinstance(first, str) and hasattr(first, "year"):  # Python dates, datetimes
            timed = hasattr(first, "hour")
            stamps = _serials(pd.to_datetime(values, errors="coerce"))
            return self._numbers(self.formats["time" if timed else "date"], stamps), 19 if timed else 10
        try:
            codes, distinct = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable values (lists): as their text
            codes, distinct = pd.factorize(values.map(lambda v: None if _missing(v) else str(v)), use_na_sentinel=True)
        safe = [str(cell(v if isinstance(v, str) else str(v))) for v in distinct]
        empty = [i for i, t in enumerate(safe) if t == ""]
        if empty:  # an empty text is a blank cell, as a missing one
            codes = np.where(np.isin(codes, empty), -1, codes)
        width = max((len(safe[c]) for c in set(codes[:SAMPLE].tolist()) if c >= 0), default=0)
        fmt = self.wrap if width > MAX_WIDTH else None
        tail = ' t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>'
        return Column(fmt, codes, _tails(fmt, tail, [_esc(t) for t in safe])), width

    def _numbers(self, fmt, numbers: np.ndarray, whole: bool = False) -> Column:
        """Numbers (times as serial days) as cells: each distinct value written once, as Excel reads it back."""
        codes, distinct = pd.factorize(np.where(np.isfinite(numbers), numbers, np.nan), use_na_sentinel=True)
        shown = (distinct.astype(np.int64) if whole else distinct).astype(str).tolist()
        return Column(fmt, codes, _tails(fmt, "><v>{}</v></c>", shown))

    def _cells(self, fmt, values: np.ndarray, tail: str, text) -> Column:
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        return Column(fmt, codes, _tails(fmt, tail, [text(v) for v in distinct]))

    def close(self) -> bytes:
        """The workbook's bytes: xlsxwriter's file with every table's rows streamed into its sheets."""
        self.wb.close()
        by_sheet: dict[int, list[_Block]] = {}
        for block in self._blocks:
            by_sheet.setdefault(block.sheet, []).append(block)
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(self._raw.getvalue())) as zin,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
        ):
            for info in zin.infolist():
                number = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
                blocks = by_sheet.get(int(number.group(1)) - 1) if number else None
                if not blocks:
                    zout.writestr(info, zin.read(info.filename), compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                    continue
                self._stream(zin.read(info.filename).decode("utf-8"), blocks, zout, info.filename)
        self._raw = io.BytesIO()
        return out.getvalue()

    def _stream(self, xml: str, blocks: list[_Block], zout: zipfile.ZipFile, name: str) -> None:
        """The sheet's XML with the blocks' rows put among xlsxwriter's rows (titles, notes), in row order; a
        table's rows are its own (xlsxwriter writes nothing there)."""
        if "<sheetData/>" in xml:
            xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
        opened = xml.index(">", xml.index("<sheetData")) + 1
        end = xml.index("</sheetData>")
        spans = _merged([(b.first_row + 1, b.first_row + b.rows) for b in blocks if b.rows])  # 1-based, inclusive
        items: list[tuple[int, int, str]] = []  # (first row, last row, xlsxwriter's row XML or "" for data)
        for match in re.finditer(r'<row r="(\d+)".*?</row>', xml[opened:end], re.S):
            r = int(match.group(1))
            if not any(lo <= r <= hi for lo, hi in spans):
                items.append((r, r, match.group(0)))
        for lo, hi in spans:
            items += [(s, min(s + CHUNK - 1, hi), "") for s in range(lo, hi + 1, CHUNK)]
        last_row = max([hi for _, hi, _ in items], default=1)
        last_col = max([b.first_col + len(b.columns) for b in blocks] + [_last_col(xml)])
        corner = xl_rowcol_to_cell(last_row - 1, max(0, last_col - 1))
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{corner}"/>', xml[:opened], count=1)
        with zout.open(name, "w", force_zip64=True) as f:
            f.write(head.encode("utf-8"))
            for lo, hi, written in sorted(items):
                f.write((written or _rows(blocks, lo, hi + 1)).encode("utf-8"))
            f.write(xml[end:].encode("utf-8"))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _last_col(xml: str) -> int:
    """The widest column xlsxwriter's dimension names (1-based), 1 when none."""
    found = re.search(r'<dimension ref="[A-Z]+\d+:([A-Z]+)\d+"/>', xml)
    if not found:
        return 1
    return sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(found.group(1))))


def _rows(blocks: list[_Block], first: int, upto: int) -> str:
    """XML of sheet rows `first`…`upto - 1` (1-based), the blocks' cells side by side in column order: a matrix of
    cell texts ("" where blank), joined once."""
    quoted = (np.arange(first, upto).astype(str).astype(object) + '"').astype(object)
    columns = [(block, i) for block in sorted(blocks, key=lambda b: b.first_col) for i in range(len(block.columns))]
    matrix = np.full((len(quoted), len(columns) + 2), "", dtype=object)
    matrix[:, 0] = '<row r="' + quoted + ">"
    matrix[:, -1] = "</row>"
    for j, (block, i) in enumerate(columns, start=1):
        a, b = first - 1 - block.first_row, upto - 1 - block.first_row  # 0-based positions in the block
        lo, hi = max(a, 0), min(b, block.rows)
        if hi > lo:
            letter = xl_col_to_name(block.first_col + i)
            matrix[lo - a : hi - a, j] = _cells(block.columns[i], letter, quoted[lo - a : hi - a], lo, hi)
    return "".join(matrix.ravel().tolist())


def _tails(fmt, tail: str, texts: list[str]) -> np.ndarray:
    """Each distinct value's cell after `<c r="B7"`: its style index (registered now), then `tail` around it."""
    style = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
    return np.array([style + tail.format(t) for t in texts] or [""], dtype=object)


def _cells(column: Column, letter: str, quoted: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The column's cells for its rows lo…hi - 1: `<c r="B7" s="3"><v>…</v></c>`, "" where blank."""
    codes = column.codes[lo:hi]
    return np.where(codes >= 0, f'<c r="{letter}' + quoted + column.tails[np.maximum(codes, 0)], "")


def _serials(values: pd.Series) -> np.ndarray:
    """Times as Excel's serial day numbers (local wall clock, to the second); NaN where missing."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    values = pd.Series(values)
    return ((values.dt.floor("s") - EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)


def _missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
