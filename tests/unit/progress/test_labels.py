"""`hoctap progress --labels vi|en|ids` on the session's real gradebook (tests/progress_kit.py): every format says
the same numbers; people's formats (the text table and the XLSX by default) use words — statuses, kinds, roles by
their audience names, có/không — local times to the second without a zone, blanks for missing numbers; scripts'
formats (CSV, JSON by default) keep the ids."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from hoctap import cli
from hoctap.progress.labels import LABELS, LABELS_EN, STATUS_LABELS, STATUS_LABELS_EN, labelled
from hoctap.progress.tables import learner_table, unit_table
from tests.progress_kit import AFTER_ALL

pytestmark = pytest.mark.slow
AT = ["--topic", "2021", "--at", "2022-01-15"]
DANG_VIEN = "Cán bộ, đảng viên"  # the 2021 topic's name for the audience `dang-vien`


@pytest.fixture(scope="module")
def kit(progress_kit):
    return progress_kit


@pytest.fixture(autouse=True)
def _home(kit, monkeypatch):
    monkeypatch.setenv("HOCTAP_HOME", str(kit.home))
    monkeypatch.delenv("HOCTAP_DB_URL", raising=False)


@pytest.fixture(scope="module")
def learners(kit):
    return learner_table(kit.engine, kit.topics[:1], None, AFTER_ALL)


def run(capsysbinary, *args: str) -> bytes:
    assert cli.main(["progress", *args, *AT]) == 0
    return capsysbinary.readouterr().out


def test_the_text_table_is_vietnamese_by_default_and_english_on_request(capsysbinary, learners):
    text = run(capsysbinary, "--by", "learner").decode("utf-8")
    assert LABELS["name"] in text and STATUS_LABELS["missing"] in text and DANG_VIEN in text
    assert "dang-vien" not in text and "NaN" not in text and "NaT" not in text and "+07:00" not in text
    assert "01/06/2021 08:00:00" in text  # the on-time submissions: local time, to the second
    english = run(capsysbinary, "--by", "learner", "--labels", "en").decode("utf-8")
    assert LABELS_EN["name"] in english and STATUS_LABELS_EN["missing"] in english and " yes " in f" {english} "
    assert LABELS["name"] not in english and "2021-06-01 08:00:00" in english
    ids = run(capsysbinary, "--by", "learner", "--labels", "ids").decode("utf-8")
    assert "learner_id" in ids and "dang-vien" in ids


def test_csv_and_json_keep_ids_by_default_and_take_labels(capsysbinary, learners):
    machine = pd.read_csv(io.BytesIO(run(capsysbinary, "--by", "learner", "--format", "csv")), encoding="utf-8-sig")
    assert list(machine.columns) == list(learners.columns)
    assert set(machine["status"]) <= {"on-time", "late", "missing", "not-due", "in-progress"}
    people = pd.read_csv(
        io.BytesIO(run(capsysbinary, "--by", "learner", "--format", "csv", "--labels", "vi")), encoding="utf-8-sig"
    )
    assert list(people.columns) == list(labelled(learners.iloc[:0], "learner").columns)
    assert list(people[LABELS["score"]].isna()) == list(learners["score"].isna())  # blank, not "NaN"
    assert DANG_VIEN in set(people[LABELS["role"]]) and "dang-vien" not in set(people[LABELS["role"]])
    assert not people[LABELS["submitted_at"]].dropna().str.contains(r"\.|\+", regex=True).any()  # seconds, no zone
    rows = json.loads(run(capsysbinary, "--by", "learner", "--format", "json", "--labels", "en"))
    assert rows[0].keys() == {LABELS_EN[c] for c in learners.columns}
    assert {r[LABELS_EN["graded"]] for r in rows} <= {"yes", "no"}
    assert sum(r[LABELS_EN["status"]] == "Missing (overdue)" for r in rows) == (learners["status"] == "missing").sum()


def test_xlsx_for_people(capsysbinary, kit, learners, tmp_path):
    out = tmp_path / "hoc-vien.xlsx"
    assert cli.main(["progress", "--by", "learner", "--format", "xlsx", "--out", str(out), *AT]) == 0
    book = openpyxl.load_workbook(out)
    ws = book.active
    assert ws.title == "Học viên × bài kiểm tra"
    assert (
        ws.freeze_panes == "A2"
        and ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{len(learners) + 1}"
    )
    header = [c.value for c in ws[1]]
    assert header == [LABELS[c] for c in learners.columns] and all(c.font.b for c in ws[1])
    widths = {c: ws.column_dimensions[ws.cell(1, i + 1).column_letter].width for i, c in enumerate(learners.columns)}
    assert widths["name"] > widths["year"] and all(8 <= w <= 52 for w in widths.values())
    rows = [dict(zip(learners.columns, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(learners)
    assert [r["score"] for r in rows] == [None if pd.isna(v) else pytest.approx(v) for v in learners["score"]]
    times = [r["submitted_at"] for r in rows if r["submitted_at"] is not None]
    assert times and all(t.tzinfo is None and t.microsecond == 0 for t in times)
    expected = learners["submitted_at"].dropna().dt.tz_localize(None).dt.floor("s").tolist()
    assert times == [t.to_pydatetime() for t in expected]
    row = 2 + next(i for i, r in enumerate(rows) if r["submitted_at"] is not None and r["percent"] is not None)
    assert ws.cell(row, list(learners.columns).index("submitted_at") + 1).number_format == "dd/mm/yyyy hh:mm:ss"
    assert ws.cell(row, list(learners.columns).index("percent") + 1).number_format == "0.0"
    assert {r["role"] for r in rows} <= {a.name for a in kit.topics[0].facts.audiences}
    assert {r["graded"] for r in rows} == {"có", "không"}
    assert isinstance(rows[0]["attempts"], int)  # numbers stay numbers


def test_unit_table_numbers_are_the_same_in_every_language(capsysbinary, kit, tmp_path):
    table = unit_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    for labels, names in (("vi", LABELS), ("en", LABELS_EN), ("ids", {})):
        out = tmp_path / f"don-vi-{labels}.xlsx"
        args = ["progress", "--by", "unit", "--format", "xlsx", "--labels", labels, "--out", str(out), *AT]
        assert cli.main(args) == 0
        ws = openpyxl.load_workbook(out).active
        header = [c.value for c in ws[1]]
        assert header == [names.get(c, c) for c in table.columns]
        missing = [r[header.index(names.get("missing", "missing"))] for r in ws.iter_rows(min_row=2, values_only=True)]
        assert missing == list(table["missing"])
