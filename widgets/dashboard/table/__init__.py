"""A big table in a page: paged, sortable, searchable, rendered one page at a time as escaped HTML, with downloads.

In: a DataFrame (`TableState(df)`), the columns to hide, a title, a file name and a sheet name.
Out: `TableState` (the rows shown: search, sort, page; no widget), `TableView` (the widget), `table_style` (its CSS,
once per page), and how rows read: `cell_text`, `headers`, `table_html`, `PAGE_SIZE`.

`cells` writes one cell (shown, searched, sorted), `state` keeps the rows, `view` draws the page and the controls,
`downloads` builds the CSV / XLSX link.
"""

from .cells import cell_text
from .state import PAGE_SIZE, TableState
from .view import TableView, headers, table_html, table_style

__all__ = ["PAGE_SIZE", "TableState", "TableView", "cell_text", "headers", "table_html", "table_style"]
