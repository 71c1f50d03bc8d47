"""A big table in a page: paged, sortable, searchable, rendered one page at a time as escaped HTML.

    state = TableState(df)                       # no widget: the rows, the page, the sort, the search
    view = TableView(state, title="Theo đơn vị", file_stem="tien-do-theo-don-vi", sheet="Theo đơn vị")
    state.query = "nguyen"                       # rows whose text contains it (Vietnamese folded, no diacritics)
    state.sort_by, state.ascending = "percent", False
    state.page = 3                               # "Trang 3/200"
    view.download("xlsx")                        # the rows shown (searched, sorted; every page) as XLSX bytes

Only the current page (`page_size` rows, 50) becomes HTML, so 200,000 rows cost no more to show than 50; no
widget per row. Every header and cell goes through `esc` (`html.escape`): a learner named `<script>…` is text.
Sorting and searching run in pandas on the whole frame: string columns sort in Vietnamese dictionary order (names
by given name), missing values last; the search index (each row's displayed text, folded by `hoctap.topic.text.fold`
without diacritics, so `nguyen` finds `Nguyễn`) is built once per frame, at the first search.

Downloads in Voila: "Tải CSV" / "Tải XLSX" build the file (`hoctap.progress.export.table_bytes`, Vietnamese
headers) and put an `<a download=… href="data:…;base64,…">` link under the buttons; the browser saves it when the
link is clicked. The link is rebuilt on each click and cleared when the rows change, so it never holds stale rows.
A file that cannot be built ends the wait with one Vietnamese sentence in the link's place; the traceback goes to the
server log only.

Stable CSS classes (browser tests): hoctap-table-view, hoctap-table-search, hoctap-table-sort, hoctap-table-order,
hoctap-table-count, hoctap-table, hoctap-page, hoctap-page-prev, hoctap-page-next, hoctap-download-csv,
hoctap-download-xlsx, hoctap-download-link, hoctap-download-file, hoctap-download-error.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Sequence

import ipywidgets
import numpy as np
import pandas as pd
import traitlets

from hoctap.errors import HoctapError
from hoctap.progress import LABELS, TABLE_LABELS, labelled, table_bytes
from hoctap.topic import fold, name_sort_key, sort_key

from .progress_state import log as _app_log
from .sentences import sentence
from .style import esc, number_text

PAGE_SIZE = 50
MANY = 20_000  # distinct values in a column beyond which the search index is built vectorised
SEPARATOR = "\x1f"  # between cells in the search index: a query never matches across two cells
MIME = {"csv": "text/csv;charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NO_ROWS = "Không có dòng nào."
BUILDING = "<span>Đang tạo tệp…</span>"
DOWNLOAD_FAILED = "Không tạo được tệp {filename}; hãy bấm “{button}” lần nữa, nếu vẫn lỗi hãy xem nhật ký máy chủ."
# The dashboard's logger writes to the server log (a kernel's sys.stderr would show a traceback in the page).
log = _app_log.getChild("download")

TABLE_CSS = """
.hoctap-table-view { width: 100%; margin: 8px 0 20px 0; }
.hoctap-table-scroll { width: 100%; overflow-x: auto; }
.hoctap-table { border-collapse: collapse; font-size: 15px; line-height: 1.35; min-width: 100%; }
.hoctap-table caption { text-align: left; font-weight: bold; padding: 4px 0; color: #0d2b45; }
.hoctap .hoctap-table th, .hoctap .hoctap-table td {
  border: 1px solid #c5cdd5; padding: 4px 8px; vertical-align: top; overflow-wrap: normal; word-break: normal;
}
.hoctap .hoctap-table th { min-width: 5em; }
.hoctap-table th { background: #e8edf2; color: #0d2b45; text-align: left; position: sticky; top: 0; }
.hoctap-table td.hoctap-num { text-align: right; white-space: nowrap; }
.hoctap-table tbody tr:nth-child(even) { background: #f6f8fa; }
.hoctap-table-count { color: #44505c; }
.hoctap-page { font-weight: bold; padding: 0 8px; align-self: center; }
.hoctap-download-file { font-weight: bold; color: #0b4f8a; }
"""


# ---------------------------------------------------------------- cells as text


def cell_text(value: object) -> str:
    """One cell as people read it: '' for missing, dd/mm/yyyy (HH:MM) dates, decimal comma, có/không."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "có" if value else "không"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _is_time(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series)


def _folded(series: pd.Series) -> pd.Series:
    """What a search compares with: the displayed text (`cell_text`), folded without diacritics.

    Computed once per distinct value (200,000 rows of a learner table hold a few thousand names, units, scores);
    a column of mostly distinct times or numbers is formatted in one vectorised pass instead, its fold being
    "punctuation to space" (dd/mm/yyyy HH:MM → dd mm yyyy HH MM, 85,5 → 85 5)."""
    distinct = pd.unique(series)
    if len(distinct) <= MANY:
        folded = {value: fold(cell_text(value), diacritics=False) for value in distinct}
        return series.map(folded).fillna("").astype(object)
    if _is_time(series):
        return series.dt.strftime("%d %m %Y %H %M").fillna("").astype(object)
    texts = series.map({value: cell_text(value) for value in distinct}).fillna("")
    if _is_number(series):
        return texts.str.replace(r"[^\w\s]", " ", regex=True).str.strip().astype(object)
    return texts.map({text: fold(text, diacritics=False) for text in pd.unique(texts)}).astype(object)


def _sort_key(series: pd.Series) -> pd.Series:
    """A key pandas sorts in Vietnamese order: ranks of the distinct strings (names by given name first)."""
    if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):  # pandas 3: text is `str`
        return series
    values = [v for v in pd.unique(series) if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if all(isinstance(v, str) for v in values):
        key = name_sort_key if series.name == "name" else sort_key
        ordered = sorted(values, key=key)
    else:
        try:
            ordered = sorted(values)
        except TypeError:
            ordered = sorted(values, key=lambda v: sort_key(cell_text(v)))
    rank = {v: i for i, v in enumerate(ordered)}
    return series.map(rank).astype("float64")


# ---------------------------------------------------------------- the state (no widget)


class TableState(traitlets.HasTraits):
    """The rows of one table, and which of them are shown: search, sort, page."""

    page = traitlets.Int(1, help="the page shown, from 1 (kept between 1 and page_count)")
    page_size = traitlets.Int(PAGE_SIZE, help="rows on a page")
    sort_by = traitlets.Unicode("", help="the column id rows are sorted by; '' keeps the table's own order")
    ascending = traitlets.Bool(True, help="sort from the smallest (A, 0, oldest) or from the largest")
    query = traitlets.Unicode("", help="show only rows whose text contains this (folded, diacritics ignored)")
    version = traitlets.Int(0, help="bumped each time the rows or the page shown change (views observe it)")

    def __init__(self, frame: pd.DataFrame | None = None, *, hidden: Sequence[str] = (), **kwargs):
        self._quiet = False
        super().__init__(**kwargs)
        self.hidden = tuple(hidden)  # columns not shown nor searched (still in the downloads)
        self._frame = pd.DataFrame()
        self._index: pd.Series | None = None  # the search index of _frame, built at the first search
        self._rows: pd.DataFrame | None = None  # _frame searched and sorted
        if frame is not None:
            self.frame = frame

    # -- the data

    @property
    def frame(self) -> pd.DataFrame:
        """The whole table (every row, the table's own order)."""
        return self._frame

    @frame.setter
    def frame(self, frame: pd.DataFrame) -> None:
        self._frame = frame.reset_index(drop=True)
        self._index = None
        self._rows = None
        self._quiet = True  # one change for the views, not one per trait reset here
        try:
            if self.sort_by and self.sort_by not in self._frame.columns:
                self.sort_by = ""
            self.page = 1
        finally:
            self._quiet = False
        self._changed()

    @property
    def columns(self) -> list[str]:
        """The columns shown (the frame's, less `hidden`)."""
        return [str(c) for c in self._frame.columns if c not in self.hidden]

    @property
    def rows(self) -> pd.DataFrame:
        """The rows the search keeps, in the chosen order (every page)."""
        if self._rows is None:
            rows = self._frame
            needle = fold(self.query, diacritics=False)
            if needle:
                rows = rows[self.search_index().str.contains(needle, regex=False).to_numpy()]
            if self.sort_by in rows.columns and len(rows) > 1:
                key = _sort_key(rows[self.sort_by])
                order = key.sort_values(ascending=self.ascending, kind="stable", na_position="last").index
                rows = rows.loc[order]
            self._rows = rows
        return self._rows

    def search_index(self) -> pd.Series:
        """Each row's displayed text, folded, cells apart (what `query` is looked for in)."""
        if self._index is None:
            shown = labelled(self._frame[self.columns])
            if shown.empty or shown.shape[1] == 0:
                self._index = pd.Series([], dtype=object)
            else:
                parts = [_folded(shown.iloc[:, i]) for i in range(shown.shape[1])]
                self._index = parts[0].str.cat(parts[1:], sep=SEPARATOR) if len(parts) > 1 else parts[0]
                self._index.index = self._frame.index
        return self._index

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.rows) / max(1, self.page_size)))

    def page_rows(self) -> pd.DataFrame:
        """The rows of the current page only."""
        start = (self.page - 1) * self.page_size
        return self.rows.iloc[start : start + self.page_size]

    def page_text(self) -> str:
        return f"Trang {self.page}/{self.page_count}"

    def count_text(self) -> str:
        shown, total = len(self.rows), len(self._frame)
        if shown == total:
            return f"{number_text(total)} dòng"
        return f"Tìm thấy {number_text(shown)} / {number_text(total)} dòng"

    # -- moving

    def next_page(self) -> None:
        self.page = min(self.page + 1, self.page_count)

    def previous_page(self) -> None:
        self.page = max(self.page - 1, 1)

    @traitlets.validate("page")
    def _validate_page(self, proposal) -> int:
        return min(max(1, int(proposal["value"])), self.page_count)

    @traitlets.validate("page_size")
    def _validate_page_size(self, proposal) -> int:
        return max(1, int(proposal["value"]))

    @traitlets.observe("query", "sort_by", "ascending", "page_size")
    def _on_rows_change(self, _change) -> None:
        self._rows = None
        if self.page != 1:
            self.page = 1  # notifies _on_page_change
        else:
            self._changed()

    @traitlets.observe("page")
    def _on_page_change(self, _change) -> None:
        self._changed()

    def _changed(self) -> None:
        if not self._quiet:
            self.version += 1


# ---------------------------------------------------------------- HTML


def table_html(rows: pd.DataFrame, hidden: Sequence[str] = (), caption: str = "", table: str | None = None) -> str:
    """`rows` as an HTML table with Vietnamese headers (`table`'s own where it has some); every header and cell
    escaped."""
    shown = rows[[c for c in rows.columns if c not in hidden]]
    if shown.empty:
        return f'<p class="hoctap-table-empty">{esc(NO_ROWS)}</p>'
    names = headers(table)
    numeric = [_is_number(shown[c]) and c != "year" for c in shown.columns]
    values = labelled(shown, table)  # statuses and kinds in words, có/không
    head = "".join(f'<th scope="col">{esc(names.get(str(c), str(c)))}</th>' for c in shown.columns)
    body = []
    for row in values.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="hoctap-num">{esc(cell_text(v))}</td>' if num else f"<td>{esc(cell_text(v))}</td>"
            for v, num in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    title = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="hoctap-table-scroll"><table class="hoctap-table">{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def headers(table: str | None = None) -> dict[str, str]:
    """Column id → Vietnamese header, as `hoctap.progress.labels.labelled` names them for `table`."""
    return {**LABELS, **TABLE_LABELS.get(table or "", {})}


def download_link(data: bytes, filename: str, fmt: str) -> str:
    """An `<a download>` link holding the file as a data URL (Voila has no file handler for the kernel's bytes)."""
    encoded = base64.b64encode(data).decode("ascii")
    size = f"{max(1, round(len(data) / 1024))} KB"
    return (
        f'<a class="hoctap-download-file" download="{esc(filename)}" href="data:{MIME[fmt]};base64,{encoded}">'
        f"Bấm để lưu tệp {esc(filename)} ({esc(size)})</a>"
    )


def _failed(text: str) -> str:
    return f'<span class="hoctap-download-error" role="alert">{esc(text)}</span>'


# ---------------------------------------------------------------- the widget


def _classed(widget: ipywidgets.Widget, *classes: str) -> ipywidgets.Widget:
    for name in classes:
        widget.add_class(name)
    return widget


def _button(label: str, *classes: str, tooltip: str = "") -> ipywidgets.Button:
    button = ipywidgets.Button(description=label, tooltip=tooltip, layout=ipywidgets.Layout(width="auto"))
    return _classed(button, *classes)


class TableView(ipywidgets.VBox):
    """Search box, sort column and order, the page as an HTML table, Trước / Trang k/n / Sau, Tải CSV / XLSX.

    The state's `hidden` columns are not shown (the dashboard hides the topic and the year it is filtered to) but
    are in the downloads. The view observes `state.version` and renders only the current page.
    """

    def __init__(
        self,
        state: TableState | None = None,
        *,
        title: str = "",
        file_stem: str = "bang",
        sheet: str = "Bảng",
        table: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.state = state if state is not None else TableState()
        self.title, self.file_stem, self.sheet = title, file_stem, sheet
        self.table_name = table  # a hoctap.progress.tables table name: its own headers (progress_labels.TABLE_LABELS)
        self.heading = ipywidgets.HTML(f"<h4>{esc(title)}</h4>" if title else "")
        self.search = _classed(
            ipywidgets.Text(
                placeholder="Tìm trong bảng (không cần dấu)…",
                description="Tìm",
                continuous_update=False,
                layout=ipywidgets.Layout(width="22em"),
                style={"description_width": "3em"},
            ),
            "hoctap-table-search",
        )
        self.sort = _classed(
            ipywidgets.Dropdown(
                description="Sắp xếp theo", layout=ipywidgets.Layout(width="24em"), style={"description_width": "8em"}
            ),
            "hoctap-table-sort",
        )
        self.order = _classed(
            ipywidgets.ToggleButtons(options=[("Tăng dần", True), ("Giảm dần", False)], value=True),
            "hoctap-table-order",
        )
        self.count = _classed(ipywidgets.HTML(), "hoctap-table-count")
        self.table = _classed(ipywidgets.HTML(layout=ipywidgets.Layout(width="100%")), "hoctap-table-html")
        self.previous = _button("Trước", "hoctap-page-prev", tooltip="Trang trước")
        self.page_label = _classed(ipywidgets.HTML(), "hoctap-page")
        self.next = _button("Sau", "hoctap-page-next", tooltip="Trang sau")
        self.csv = _button("Tải CSV", "hoctap-download-csv", tooltip="Các dòng đang lọc, mọi trang")
        self.xlsx = _button("Tải XLSX", "hoctap-download-xlsx", tooltip="Các dòng đang lọc, mọi trang")
        self.link = _classed(ipywidgets.HTML(), "hoctap-download-link")

        self._drawing = False  # set while _render changes the controls: their observers then do nothing
        self._columns: list[str] | None = None
        self._rows_linked: pd.DataFrame | None = None  # the rows the download link was made from
        self.search.observe(self._on_search, names="value")
        self.sort.observe(self._on_sort, names="value")
        self.order.observe(self._on_order, names="value")
        self.previous.on_click(lambda _: self.state.previous_page())
        self.next.on_click(lambda _: self.state.next_page())
        self.csv.on_click(lambda _: self.offer("csv"))
        self.xlsx.on_click(lambda _: self.offer("xlsx"))
        self.state.observe(self._render, names="version")

        tools = ipywidgets.HBox([self.search, self.sort, self.order])
        pager = ipywidgets.HBox([self.previous, self.page_label, self.next])
        downloads = ipywidgets.HBox([self.csv, self.xlsx, self.link])
        self.children = [self.heading, tools, self.count, self.table, pager, downloads]
        self.add_class("hoctap-table-view")
        self._render()

    # -- the file

    @property
    def filenames(self) -> dict[str, str]:
        return {fmt: f"{self.file_stem}.{fmt}" for fmt in MIME}

    def download(self, fmt: str) -> bytes:
        """The rows the search keeps, in the chosen order, every page, Vietnamese headers, as `fmt` bytes."""
        return table_bytes(labelled(self.state.rows, self.table_name), fmt, sheet=self.sheet)

    def offer(self, fmt: str) -> None:
        """Build the file and show its link (the click on "Tải …"); if it cannot be built, one sentence instead."""
        button = self.csv if fmt == "csv" else self.xlsx
        filename = self.filenames.get(fmt, f"{self.file_stem}.{fmt}")
        failed = DOWNLOAD_FAILED.format(filename=filename, button=button.description)
        rows = None
        button.disabled = True
        self.link.value = BUILDING
        try:
            rows = self.state.rows
            self.link.value = download_link(self.download(fmt), filename, fmt)
        except HoctapError as error:
            self.link.value = _failed(sentence(error, failed))
        except Exception:  # the click's handler must end the wait whatever happened; the details are for the log
            log.exception("table download failed: %s", filename)
            self.link.value = _failed(failed)
        finally:
            button.disabled = False
            if self.link.value == BUILDING:  # interrupted (KeyboardInterrupt): no endless "Đang tạo tệp…"
                self.link.value = ""
            self._rows_linked = rows  # the link or the sentence stays until the rows change

    # -- controls → state

    def _on_search(self, change) -> None:
        if not self._drawing:
            self.state.query = change["new"]

    def _on_sort(self, change) -> None:
        if not self._drawing:
            self.state.sort_by = change["new"] or ""

    def _on_order(self, change) -> None:
        if not self._drawing:
            self.state.ascending = bool(change["new"])

    # -- state → drawing

    def _render(self, _change=None) -> None:
        state = self.state
        self._drawing = True
        try:
            columns = state.columns
            if columns != self._columns:
                self._columns = columns
                names = headers(self.table_name)
                self.sort.options = [("Thứ tự mặc định", "")] + [(names.get(c, c), c) for c in columns]
            self.sort.value = state.sort_by if state.sort_by in columns else ""
            self.order.value = state.ascending
            self.search.value = state.query
        finally:
            self._drawing = False
        self.table.value = table_html(state.page_rows(), state.hidden, table=self.table_name)
        self.count.value = esc(state.count_text())
        self.page_label.value = esc(state.page_text())
        self.previous.disabled = state.page <= 1
        self.next.disabled = state.page >= state.page_count
        if state.rows is not self._rows_linked:
            self.link.value = ""  # a link made from other rows would download the wrong table


def table_style() -> ipywidgets.HTML:
    """The tables' CSS (a view that holds tables puts it once among its children)."""
    return ipywidgets.HTML(f"<style>{TABLE_CSS}</style>")


__all__ = [
    "PAGE_SIZE",
    "TableState",
    "TableView",
    "cell_text",
    "download_link",
    "headers",
    "table_html",
    "table_style",
]
