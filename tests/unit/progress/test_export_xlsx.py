"""The XLSX people open, on small frames, read back with openpyxl: a frozen bold header with a filter, widths fitted
and capped (long text wrapped), numbers as numbers with their formats, times to the second, blanks for missing,
formulas defused and control characters shown — whatever the labels."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hoctap.progress.export import table_bytes
from hoctap.report.xlsx import Book

LONG = "Những nội dung cơ bản của chuyên đề năm 2021 " * 4


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "learner_id": ["hv-1", "hv-2", "hv-3"],
            "name": ['=HYPERLINK("http://x.invalid","bấm")', "dòng 1\x0bdòng 2", "Nguyễn Văn Hùng"],
            "submitted_at": pd.to_datetime(
                ["2021-06-01 08:00:01.987654", None, "2021-10-15 08:00:00.000000"]
            ).tz_localize("Asia/Ho_Chi_Minh"),
            "status": ["on-time", "missing", "late"],
            "graded": [True, False, True],
            "score": [3.5, np.nan, 2.0],
            "percent": [70.0, np.nan, 40.0],
            "attempts": [1, 0, 2],
            "prompt": [LONG, "", None],
        }
    )


def sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("labels", ["vi", "en", "ids"])
def test_every_label_set_writes_the_same_typed_cells(labels):
    ws = sheet(table_bytes(frame(), "xlsx", labels=labels, table="learner"))
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I4"
    header = [c.value for c in ws[1]]
    assert header[0] == {"vi": "Mã học viên", "en": "Learner id", "ids": "learner_id"}[labels]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][1] == '\'=HYPERLINK("http://x.invalid","bấm")' and ws.cell(2, 2).data_type == "s"
    assert rows[1][1] == "dòng 1␋dòng 2"  # shown, not dropped
    assert rows[0][2] == pd.Timestamp("2021-06-01 08:00:01").to_pydatetime()  # local, to the second
    assert rows[1][2] is None and rows[1][5] is None and rows[1][6] is None  # blanks, never NaN
    assert rows[0][5] == 3.5 and rows[0][7] == 1 and rows[2][8] is None and rows[1][8] is None
    assert ws.cell(2, 3).number_format == "dd/mm/yyyy hh:mm:ss"
    assert ws.cell(2, 7).number_format == "0.0" and ws.cell(2, 6).number_format == "0.0#"
    status = {"vi": "Đúng hạn", "en": "On time", "ids": "on-time"}[labels]
    assert rows[0][3] == status
    assert rows[0][4] in ({"vi": "có", "en": "yes"}.get(labels, True),)


def test_widths_fit_and_long_text_wraps():
    ws = sheet(table_bytes(frame(), "xlsx", labels="vi", table="learner"))
    width = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert width["Câu hỏi"] <= 52 and width["Họ và tên"] > width["Số lần làm"] >= 8
    assert ws.cell(2, 9).alignment.wrap_text  # the capped column wraps its text
    assert ws.cell(1, 1).font.b and ws.cell(1, 1).alignment.wrap_text


def test_an_empty_table_and_a_second_block_beside():
    ws = sheet(table_bytes(frame().iloc[0:0], "xlsx", labels="vi"))
    assert [c.value for c in ws[1]][:2] == ["Mã học viên", "Họ và tên"] and ws.max_row == 1
    book = Book()
    ws = book.sheet("Hai bảng: [a]/b*")
    book.text(ws, 0, 0, "=1+1")
    after = book.table(ws, pd.DataFrame({"a": [1, 2, 3]}), first_row=2)
    book.table(ws, pd.DataFrame({"b": ["x"]}), first_row=2, first_col=2, frozen=False)
    book.text(ws, after + 1, 0, "ghi chú")
    back = openpyxl.load_workbook(io.BytesIO(book.close()))
    ws = back.active
    assert ws.title == "Hai bảng   a  b"
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_col=3)] == [
        ["'=1+1", None, None],
        [None, None, None],
        ["a", None, "b"],
        [1, None, "x"],
        [2, None, None],
        [3, None, None],
        [None, None, None],
        ["ghi chú", None, None],
    ]
