"""A big table in a page: search box, sort, the current page as an escaped HTML table, pages, downloads.

    state = TableState(df)                       # no widget: the rows, the page, the sort, the search
    view = TableView(state, title="Theo đơn vị", file_stem="tien-do-theo-don-vi", sheet="Theo đơn vị")
    state.who = "Hùng"                           # rows whose name or learner id has a word starting with it
    state.query = "nguyen"                       # rows with a word of any cell starting with it (no diacritics)
    state.sort_by, state.ascending = "percent", False
    state.page = 3                               # "Trang 3/200"
    view.download("xlsx")                        # the rows shown (searched, sorted; every page) as XLSX bytes

Only the current page becomes HTML: no widget per row. Every header and cell goes through `esc` (`html.escape`): a
learner named `<script>…` is text.

One click downloads: "Tải CSV" / "Tải XLSX" builds the file, puts its `<a download>` link under the buttons and, in
the browser, a one-line script in a hidden output clicks that link (the browser saves the file); the link stays for
a second save.

Stable CSS classes (browser tests): hoctap-table-view, hoctap-table-who, hoctap-table-search, hoctap-table-sort,
hoctap-table-order,
hoctap-table-count, hoctap-table, hoctap-page, hoctap-page-prev, hoctap-page-next, hoctap-download-csv,
hoctap-download-xlsx, hoctap-download-link, hoctap-download-file, hoctap-download-error.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets
import pandas as pd

from hoctap.errors import HoctapError
from hoctap.progress import LABELS, TABLE_LABELS, labelled

from ...sentences import sentence
from ...style import classed, esc
from .cells import cell_text, is_number
from .downloads import BUILDING, DOWNLOAD_FAILED, MIME, download_link, failure_html, log, save_script, table_file
from .state import TableState

NO_ROWS = "Không có dòng nào."
LONG_TEXT = ("prompt", "content", "option", "answer")  # sentences: a column wide enough to read them

# Fits a 1,366 × 768 laptop: the table takes the page's width and never more (text wraps, long words break), the
# page of rows scrolls inside its own box under a header that stays (sticky), numbers stay on one line.
TABLE_CSS = """
.hoctap-table-view { width: 100%; max-width: 100%; margin: 8px 0 20px 0; }
.hoctap-table-scroll { width: 100%; max-height: 62vh; overflow-y: auto; overflow-x: hidden; }
.hoctap-table { border-collapse: separate; border-spacing: 0; font-size: 14px; line-height: 1.35; width: 100%;
  table-layout: auto; }
.hoctap-table caption { text-align: left; font-weight: bold; padding: 4px 0; color: #0d2b45; }
.hoctap .hoctap-table th, .hoctap .hoctap-table td, .hoctap-table th, .hoctap-table td {
  border-right: 1px solid #c5cdd5; border-bottom: 1px solid #c5cdd5; padding: 3px 6px; vertical-align: top;
  overflow-wrap: anywhere; word-break: normal; hyphens: auto;
}
.hoctap-table th { background: #e8edf2; color: #0d2b45; text-align: left; position: sticky; top: 0; z-index: 1;
  font-weight: 600; }
.hoctap-table td.hoctap-num { text-align: right; white-space: nowrap; overflow-wrap: normal; }
.hoctap-table td.hoctap-text-long { min-width: 12em; }
.hoctap-table-tools { flex-wrap: wrap; gap: 4px 12px; }
.hoctap-table tbody tr:nth-child(even) { background: #f6f8fa; }
.hoctap-table-count { color: #44505c; }
.hoctap-page { font-weight: bold; padding: 0 8px; align-self: center; }
.hoctap-download-file { font-weight: bold; color: #0b4f8a; }
"""


# ---------------------------------------------------------------- HTML


def table_html(
    rows: pd.DataFrame,
    hidden: Sequence[str] = (),
    caption: str = "",
    table: str | None = None,
    columns: Sequence[str] | None = None,
) -> str:
    """`rows` as an HTML table with Vietnamese headers (`table`'s own where it has some), `columns` in that order
    (default: every column but `hidden`); every header and cell escaped."""
    shown = rows[list(columns) if columns is not None else [c for c in rows.columns if c not in hidden]]
    if shown.empty:
        return f'<p class="hoctap-table-empty">{esc(NO_ROWS)}</p>'
    names = headers(table)
    numeric = [is_number(shown[c]) and c != "year" for c in shown.columns]
    long = [str(c) in LONG_TEXT for c in shown.columns]
    values = labelled(shown, table)  # statuses and kinds in words, có/không
    head = "".join(f'<th scope="col">{esc(names.get(str(c), str(c)))}</th>' for c in shown.columns)
    body = []
    for row in values.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="hoctap-num">{esc(cell_text(v))}</td>'
            if num
            else (f'<td class="hoctap-text-long">{esc(cell_text(v))}</td>' if wide else f"<td>{esc(cell_text(v))}</td>")
            for v, num, wide in zip(row, numeric, long, strict=True)
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


# ---------------------------------------------------------------- the widget


def _button(label: str, *classes: str, tooltip: str = "") -> ipywidgets.Button:
    button = ipywidgets.Button(description=label, tooltip=tooltip, layout=ipywidgets.Layout(width="auto"))
    return classed(button, *classes)


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
        self.who = _search_box("Học viên", "Họ tên hoặc mã học viên…", "hoctap-table-who")
        self.search = _search_box("Tìm chữ", "Từ trong bất kỳ cột nào…", "hoctap-table-search")
        self.sort = classed(
            ipywidgets.Dropdown(
                description="Sắp xếp", layout=ipywidgets.Layout(width="20em"), style={"description_width": "5em"}
            ),
            "hoctap-table-sort",
        )
        self.order = classed(
            ipywidgets.ToggleButtons(options=[("Tăng dần", True), ("Giảm dần", False)], value=True),
            "hoctap-table-order",
        )
        self.count = classed(ipywidgets.HTML(), "hoctap-table-count")
        self.table = classed(ipywidgets.HTML(layout=ipywidgets.Layout(width="100%")), "hoctap-table-html")
        self.previous = _button("Trước", "hoctap-page-prev", tooltip="Trang trước")
        self.page_label = classed(ipywidgets.HTML(), "hoctap-page")
        self.next = _button("Sau", "hoctap-page-next", tooltip="Trang sau")
        self.csv = _button("Tải CSV", "hoctap-download-csv", tooltip="Các dòng đang lọc, mọi trang")
        self.xlsx = _button("Tải XLSX", "hoctap-download-xlsx", tooltip="Các dòng đang lọc, mọi trang")
        self.link = classed(ipywidgets.HTML(), "hoctap-download-link")
        self.saver = ipywidgets.Output(layout=ipywidgets.Layout(display="none"))  # runs the click on the link
        self._saves = 0

        self._drawing = False  # set while _render changes the controls: their observers then do nothing
        self._columns: list[str] | None = None
        self._rows_linked: pd.DataFrame | None = None  # the rows the download link was made from
        self.search.observe(self._on_search, names="value")
        self.who.observe(self._on_who, names="value")
        self.sort.observe(self._on_sort, names="value")
        self.order.observe(self._on_order, names="value")
        self.previous.on_click(lambda _: self.state.previous_page())
        self.next.on_click(lambda _: self.state.next_page())
        self.csv.on_click(lambda _: self.offer("csv"))
        self.xlsx.on_click(lambda _: self.offer("xlsx"))
        self.state.observe(self._render, names="version")

        self.tools = classed(ipywidgets.HBox([self.who, self.search, self.sort, self.order]), "hoctap-table-tools")
        pager = ipywidgets.HBox([self.previous, self.page_label, self.next])
        downloads = ipywidgets.HBox([self.csv, self.xlsx, self.link, self.saver])
        self.children = [self.heading, self.tools, self.count, self.table, pager, downloads]
        self.add_class("hoctap-table-view")
        self._render()

    # -- the file

    @property
    def filenames(self) -> dict[str, str]:
        return {fmt: f"{self.file_stem}.{fmt}" for fmt in MIME}

    def download(self, fmt: str) -> bytes:
        """The rows the search keeps, in the chosen order, every page, Vietnamese headers, as `fmt` bytes."""
        return table_file(self.state.rows, self.table_name, fmt, self.sheet)

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
            self._saves += 1
            self.link.value = download_link(self.download(fmt), filename, fmt, mark=str(self._saves))
            self._save(str(self._saves))
        except HoctapError as error:
            self.link.value = failure_html(sentence(error, failed))
        except Exception:  # the click's handler must end the wait whatever happened; the details are for the log
            log.exception("table download failed: %s", filename)
            self.link.value = failure_html(failed)
        finally:
            button.disabled = False
            if self.link.value == BUILDING:  # interrupted (KeyboardInterrupt): no endless "Đang tạo tệp…"
                self.link.value = ""
            self._rows_linked = rows  # the link or the sentence stays until the rows change

    def _save(self, mark: str) -> None:
        """Click the link just made, in the browser (a Javascript output; nothing happens without a browser)."""
        from IPython.display import Javascript

        self.saver.outputs = ()  # the last file's script only: a redraw must not save an older file again
        self.saver.append_display_data(Javascript(save_script(mark)))

    # -- controls → state

    def _on_who(self, change) -> None:
        if not self._drawing:
            self.state.who = change["new"]

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
            self.who.value = state.who
            self.who.layout.display = None if state.has_people else "none"
        finally:
            self._drawing = False
        self.table.value = table_html(state.page_rows(), table=self.table_name, columns=state.columns)
        self.count.value = esc(state.count_text())
        self.page_label.value = esc(state.page_text())
        self.previous.disabled = state.page <= 1
        self.next.disabled = state.page >= state.page_count
        if state.rows is not self._rows_linked:
            self.link.value = ""  # a link made from other rows would download the wrong table


def table_style() -> ipywidgets.HTML:
    """The tables' CSS (a view that holds tables puts it once among its children)."""
    return ipywidgets.HTML(f"<style>{TABLE_CSS}</style>")


def _search_box(description: str, placeholder: str, css_class: str) -> ipywidgets.Text:
    """A search field of the table's bar (the name/id one and the any-text one look alike)."""
    box = ipywidgets.Text(
        placeholder=placeholder,
        description=description,
        continuous_update=False,
        layout=ipywidgets.Layout(width="20em"),
        style={"description_width": "5em"},
    )
    return classed(box, css_class)
