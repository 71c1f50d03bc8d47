"""Exports of a progress table: every format opens, Vietnamese survives, nothing a learner typed becomes a formula."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from hoctap.errors import HoctapError
from hoctap.progress.export import table_bytes, write_table
from hoctap.progress.labels import labelled

DANGER = '=HYPERLINK("http://x.invalid","bấm")'


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "learner_id": ["tn-0001", "tn-0002"],
            "name": ["Nguyễn Văn Hùng", DANGER],
            "submitted_at": pd.to_datetime(["2021-06-01 08:00", None]).tz_localize("Asia/Ho_Chi_Minh"),
            "score": [3.0, -1.0],
            "graded": [True, False],
            "status": ["on-time", "missing"],
        }
    )


def test_csv_has_a_bom_keeps_vietnamese_and_defuses_formulas():
    data = table_bytes(frame(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name"][0] == "Nguyễn Văn Hùng"
    assert back["name"][1] == "'" + DANGER and back["score"][1] == -1.0  # numbers stay numbers


def test_xlsx_opens_with_local_times_and_no_formula(tmp_path):
    out = write_table(
        frame(), "xlsx", tmp_path / "sub" / "tien-do.xlsx", sheet="Theo đơn vị của tỉnh Tây Ninh năm 2021"
    )
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == "Theo đơn vị của tỉnh Tây Ninh nă"[:31]
    header = [c.value for c in sheet[1]]
    assert header == list(frame().columns)
    cell = sheet.cell(row=3, column=2)
    assert cell.data_type == "s" and cell.value == "'" + DANGER
    assert sheet.cell(row=2, column=3).value.hour == 8  # local wall-clock time, no zone
    assert not list(tmp_path.glob("sub/.*.tmp"))


def test_json_and_text():
    rows = json.loads(table_bytes(frame(), "json"))
    assert rows[0]["submitted_at"].startswith("2021-06-01T08:00:00+07:00") and rows[1]["submitted_at"] is None
    text = table_bytes(frame(), "table").decode("utf-8")
    assert "Họ và tên" in text and "Đúng hạn" in text and "có" in text
    with pytest.raises(HoctapError, match="định dạng"):
        table_bytes(frame(), "pdf")


def test_labels_turn_only_booleans_into_yes_no():
    counts = pd.DataFrame({"graded": [3, 0], "percent": [50.0, 0.0], "submitted": [2, 1]})
    readable = labelled(counts, "timeline")
    assert list(readable["Đã chấm"]) == [3, 0]
    assert "Tỉ lệ đã nộp (%)" in readable and "Nộp trong ngày" in readable
    assert "Tỉ lệ điểm (%)" in labelled(counts)
