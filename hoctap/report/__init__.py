"""Progress tables → the yearly report and the 3-year and 5-year reviews, as a workbook and a printable page.

In: an engine on the gradebook, a year or a review period, a moment. Out: `var/reports/<slug>.xlsx` (summary, one
sheet per table, native charts) and `.html` (a printable summary: self-contained, SVG charts, one page per unit, no
script), every figure from the same learner table as `hoctap progress`; and `Book`, the workbook people open (also
`hoctap progress --format xlsx`): xlsxwriter's layout with the rows streamed in column-wise; a live study session's
attendance sheet (`attendance_sheet`, `hoctap session sheet`). Open `gather.py` first; it leans on pandas and
xlsxwriter."""

from hoctap import lazy_surface

SURFACE = {
    "write_report": "write",
    "attendance_sheet": "roll_sheet",
    "Book": "xlsx",
    "sheet_name": "xlsx",
    "bar_chart": "charts",
    "histogram": "charts",
    "line_chart": "charts",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
