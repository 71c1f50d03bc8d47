"""Reports on a real gradebook (tests.progress_kit: ~70 attempts submitted and graded through the kit): the workbook
and the page agree with the progress tables computed directly, names are escaped, years without a topic say so."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

import openpyxl
import pytest

from hoctap.cli import main
from hoctap.course.database import engine_for
from hoctap.errors import HoctapError
from hoctap.progress.labels import LABELS
from hoctap.progress.tables import (
    assessment_table,
    commitment_table,
    learner_table,
    question_table,
    unit_table,
)
from hoctap.report import write_report
from hoctap.report.charts import NAMESPACE
from hoctap.report.gather import NO_DATA, NO_SUBMISSIONS, NO_TOPIC, gather, period, summary_table
from hoctap.report.page import render
from hoctap.report.workbook import workbook_bytes
from hoctap.safety.allowlist import disallowed
from hoctap.topic.catalog import select_topics
from tests.progress_kit import AFTER_ALL, LEARNERS, TOPIC_2021

pytestmark = pytest.mark.slow
EVIL = "<script>alert(1)</script>"
SHEETS = [
    "Tổng hợp",
    "Theo đơn vị",
    "Theo đối tượng",
    "Theo bài kiểm tra",
    "Bản cam kết theo đơn vị",
    "Phân tích câu hỏi",
    "Tỉ lệ chọn từng phương án",
    "Tiến độ theo ngày",
    "Học viên × bài kiểm tra",
]
SUMMARY_HEADER_ROW = 6


@pytest.fixture(scope="module")
def kit(progress_kit):
    """The session's real gradebook (tests/conftest.py: built once through submit-and-grade), read only here."""
    return progress_kit


@pytest.fixture(autouse=True)
def _home(request, monkeypatch):
    """The kit's topics are read from HOCTAP_HOME whenever a test uses the kit."""
    if "kit" in request.fixturenames:
        kit = request.getfixturevalue("kit")
        monkeypatch.setenv("HOCTAP_HOME", str(kit.home))
        monkeypatch.delenv("HOCTAP_DB_URL", raising=False)


@pytest.fixture(scope="module")
def engine(kit):
    return engine_for(kit.course.db_url)


@pytest.fixture(scope="module")
def yearly(kit, engine, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOCTAP_HOME", str(kit.home))
    try:
        return write_report(engine, year=2021, out_dir=out, now=AFTER_ALL)
    finally:
        mp.undo()


def _sheet(ws, header_row: int = 1) -> list[dict]:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if any(v is not None for v in row)]


def _summary_rows(ws) -> list[dict]:
    rows = []
    for row in _sheet(ws, SUMMARY_HEADER_ROW):
        if not isinstance(row["Năm"], int):
            break  # the notes below the table
        rows.append(row)
    return rows


# ------------------------------------------------------------------ the period


def test_period_names_and_years():
    assert period(year=2021).slug == "bao-cao-nam-2021"
    assert list(period(review="3y", start=2021).years) == [2021, 2022, 2023]
    assert period(review="3y", start=2021).slug == "so-ket-3-nam-2021-2023"
    assert period(review="5y", start=2021).slug == "tong-ket-5-nam-2021-2025"
    assert period(review="5y", start=2021).title == "Tổng kết 5 năm (2021–2025)"


@pytest.mark.parametrize(
    "kwargs", [{}, {"year": 2021, "review": "3y", "start": 2021}, {"review": "3y"}, {"review": "2y", "start": 2021}]
)
def test_period_asked_wrongly_names_the_fix(kwargs):
    with pytest.raises(HoctapError) as error:
        period(**kwargs)
    assert "\n" not in str(error.value) and ("--review" in str(error.value) or "--year" in str(error.value))


# ------------------------------------------------------------------ the yearly report


def test_yearly_report_writes_two_files_whole(yearly):
    xlsx, page = yearly
    assert (xlsx.name, page.name) == ("bao-cao-nam-2021.xlsx", "bao-cao-nam-2021.html")
    assert xlsx.stat().st_size > 0 and page.stat().st_size > 0
    assert sorted(p.name for p in xlsx.parent.iterdir()) == ["bao-cao-nam-2021.html", "bao-cao-nam-2021.xlsx"]


def test_workbook_sheets_headers_and_charts(yearly):
    wb = openpyxl.load_workbook(yearly[0])
    assert wb.sheetnames == SHEETS
    assert all(len(name) <= 31 for name in wb.sheetnames)
    summary = wb["Tổng hợp"]
    assert summary["A1"].value == "Báo cáo năm 2021: kết quả học tập chuyên đề"
    assert "Số liệu tính đến: 15/01/2022 08:00" in summary["A3"].value
    assert "(Kế hoạch, dòng 33)" in summary["A4"].value
    for name in SHEETS[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b and ws["A1"].value == LABELS["topic"]
    with zipfile.ZipFile(yearly[0]) as z:
        names = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        charts = [ET.fromstring(z.read(n)) for n in names]
        drawings = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/_rels/")}
    kinds = [[el.tag.split("}")[1] for el in c.iter() if el.tag.endswith(("barChart", "lineChart"))] for c in charts]
    grouping = [{el.get("val") for el in c.iter() if el.tag.endswith("}grouping")} for c in charts]
    assert any(k == ["barChart"] and "stacked" in g for k, g in zip(kinds, grouping, strict=True))  # by unit
    assert sum(k == ["barChart"] for k in kinds) >= 2  # and facility by question
    assert ["lineChart"] in kinds  # cumulative completion
    assert len(drawings) == 3  # on the unit, question and timeline sheets


def test_unit_sheet_adds_up_to_the_unit_table(kit, engine, yearly):
    topics = select_topics(years=range(2021, 2022))
    direct = unit_table(engine, topics, None, AFTER_ALL)
    rows = _sheet(openpyxl.load_workbook(yearly[0])["Theo đơn vị"])
    assert [r["Đơn vị"] for r in rows] == list(direct["unit"])
    for column in ("learners", "on_time", "late", "missing", "in_progress", "commitments_written"):
        assert sum(r[LABELS[column]] for r in rows) == direct[column].sum(), column
    assert rows[0]["Thời hạn"] == dt.datetime(2021, 9, 30, 23, 59)  # local time, without a zone


def test_summary_equals_the_tables(kit, engine, yearly):
    topics = select_topics(years=range(2021, 2022))
    learners = learner_table(engine, topics, None, AFTER_ALL)
    units = unit_table(engine, topics, None, AFTER_ALL)
    (row,) = _summary_rows(openpyxl.load_workbook(yearly[0])["Tổng hợp"])
    assert (row["Năm"], row["Chuyên đề"], row["Ghi chú"]) == (2021, TOPIC_2021, None)
    assert row["Số học viên"] == learners["learner_id"].nunique() == units["learners"].sum()
    assert row["Số học viên"] == len([p for p in LEARNERS if p.role != "nhan-dan"])  # the People are not assessed
    done = units["on_time"].sum() + units["late"].sum()
    assessed = done + units["missing"].sum() + units["in_progress"].sum()
    assert row["Phải làm bài kiểm tra"] == assessed
    assert row["Hoàn thành (%)"] == pytest.approx(round(100 * done / assessed, 1))
    assert row["Đúng hạn"] == units["on_time"].sum() and row["Muộn"] == units["late"].sum()
    assert row["Bài đã nộp"] == assessment_table(engine, topics, None, AFTER_ALL)["submitted"].sum()
    commitments = commitment_table(engine, topics, None, AFTER_ALL)
    assert row["Đã viết cam kết"] == commitments["written"].sum()
    assert row["Cam kết đã đánh giá"] == commitments["evaluated"].sum()


def test_learner_and_question_sheets_hold_every_row(kit, engine, yearly):
    topics = select_topics(years=range(2021, 2022))
    wb = openpyxl.load_workbook(yearly[0])
    learners = _sheet(wb["Học viên × bài kiểm tra"])
    assert len(learners) == len(learner_table(engine, topics, None, AFTER_ALL))
    assert EVIL in {r["Họ và tên"] for r in learners}
    assert len(_sheet(wb["Phân tích câu hỏi"])) == len(question_table(engine, topics, None, AFTER_ALL))
    graded = {r["Mã bài"]: r["Đã chấm"] for r in _sheet(wb["Theo bài kiểm tra"])}
    assert all(isinstance(n, int) for n in graded.values())  # a count, not yes/no


def test_workbook_keeps_stored_control_characters_visible_and_formulas_as_text(kit, engine):
    # Answers as a gradebook may hold them: Word's line break, NUL, formulas, a lone surrogate (older stored JSON).
    stored = ["dòng 1\x0bdòng 2", "\x00", "a;=1+1", "=1+1", "-2", "x\ud800y"]
    written = ["dòng 1␋dòng 2", "␀", "a;'=1+1", "'=1+1", "'-2", "x\ufffdy"]
    report = gather(engine, period(year=2021), AFTER_ALL)
    options = report.tables["option"].copy()
    options.loc[options.index[: len(stored)], "option"] = stored
    report.tables["option"] = options
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes(report)))["Tỉ lệ chọn từng phương án"]
    column = [c.value for c in ws[1]].index(LABELS["option"]) + 1
    cells = [ws.cell(row=r, column=column) for r in range(2, len(stored) + 2)]
    assert [c.value for c in cells] == written  # shown, not dropped: the answer keeps its meaning
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_page_is_self_contained_and_escaped(yearly):
    raw = yearly[1].read_text(encoding="utf-8")
    page = _Page()
    page.feed(raw)
    page.close()
    assert raw.startswith("<!DOCTYPE html>") and '<html lang="vi">' in raw
    assert "script" not in page.tags and "<script" not in raw.lower()
    assert "<svg" in raw and page.tags.count("svg") >= 4 and page.tags.count("table") >= 9
    assert re.findall(r"\bhttps?:", raw.replace(NAMESPACE, ""), re.I) == []  # no URL but SVG's namespace
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in raw  # no script may run
    assert disallowed(raw) == []  # only the allow-list's tags and attributes: nothing for the pass to take out
    assert not [name for name, _ in page.attrs if name in ("src", "srcset") or name.startswith("on")]
    assert "@media print" in raw and "break-before: page" in raw
    text = " ".join(page.text)
    assert "Báo cáo năm 2021" in text and "Số liệu tính đến" in text and "15/01/2022 08:00" in text
    assert "(Kế hoạch, dòng 33)" in text


def _sections(raw: str, kind: str) -> list[str]:
    """The HTML of each `<section class="unit">` (or any other class)."""
    return [chunk.split("</section>", 1)[0] for chunk in raw.split(f'<section class="{kind}"')[1:]]


def _rows_of(table_html: str) -> list[list[str]]:
    """Header and cell texts of one HTML table, row by row."""
    return [
        [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S)
    ]


def test_page_has_a_page_per_unit_with_the_tables_numbers(kit, engine, yearly):
    raw = yearly[1].read_text(encoding="utf-8")
    topics = select_topics(years=range(2021, 2022))
    units = unit_table(engine, topics, None, AFTER_ALL)
    learners = learner_table(engine, topics, None, AFTER_ALL)
    assessments = assessment_table(engine, topics, None, AFTER_ALL)
    pages = _sections(raw, "unit")
    assert len(pages) == len(units)
    submitted: dict[str, int] = {}
    for page, (_, unit) in zip(pages, units.iterrows(), strict=True):
        assert html.escape(f"Đơn vị: {unit['unit']}", quote=True) in page
        tables = re.findall(r"<table.*?</table>", page, re.S)
        facts = dict(_rows_of(tables[0])[1:])
        for column in ("learners", "on_time", "late", "missing", "in_progress", "commitments_written"):
            assert facts[LABELS[column]] == str(unit[column]), column
        by_assessment = _rows_of(tables[1])
        header = by_assessment[0]
        for row in by_assessment[1:]:
            title = row[header.index(LABELS["assessment"])]
            submitted[title] = submitted.get(title, 0) + int(row[header.index(LABELS["submitted"])])
        own = learners[(learners["unit_id"] == unit["unit_id"]) & (learners["status"] == "missing")]
        assert page.count("<li>") == own["learner_id"].nunique()  # only those with work missing, by name
    assert submitted == {t: n for t, n in zip(assessments["assessment"], assessments["submitted"], strict=True) if n}
    assert len(raw) < 2_000_000 and "bang-learner" not in raw  # a summary: every row is in the workbook


def test_page_speaks_to_people(kit, yearly):
    raw = yearly[1].read_text(encoding="utf-8")
    topic = select_topics(years=range(2021, 2022))[0]
    assert "NaN" not in raw and "NaT" not in raw and ">nan<" not in raw
    assert "Asia/Ho_Chi_Minh" not in raw and "giờ Việt Nam" in raw
    text = re.sub(r"<[^>]+>", " ", raw)  # what a reader sees (ids in anchors are not shown)
    for audience in topic.facts.audiences:
        assert audience.id not in text, audience.id  # roles by their names, never their codes
    assert any(a.name in text for a in topic.facts.audiences)
    assert "https://" not in raw and "cdn" not in raw.lower()
    assert ".unit" in raw and "break-before: page" in raw and "size: A4" in raw


def test_page_escapes_names_in_unit_pages(kit, engine):
    report = gather(engine, period(year=2021), AFTER_ALL)
    first = report.tables["unit"]["unit_id"].iloc[0]
    for name in ("unit", "learner"):
        table = report.tables[name].copy()
        table.loc[table["unit_id"] == first, "unit"] = EVIL
        report.tables[name] = table
    learners = report.tables["learner"]
    learners.loc[learners["unit_id"] == first, ["name", "status"]] = [EVIL, "missing"]
    raw = render(report)
    assert "<script" not in raw.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert disallowed(raw) == []


def test_learner_sheet_is_for_people(kit, engine, yearly):
    topics = select_topics(years=range(2021, 2022))
    learners = learner_table(engine, topics, None, AFTER_ALL)
    ws = openpyxl.load_workbook(yearly[0])["Học viên × bài kiểm tra"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    header = [c.value for c in ws[1]]
    assert header == [LABELS[c] for c in learners.columns]
    assert ws.column_dimensions["D"].width > ws.column_dimensions["B"].width  # the name is wider than the year
    rows = [dict(zip(learners.columns, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert {r["role"] for r in rows} <= {a.name for t in topics for a in t.facts.audiences}
    assert all(r["submitted_at"] is None or r["submitted_at"].microsecond == 0 for r in rows)
    assert [r["percent"] is None for r in rows] == list(learners["percent"].isna())  # blanks, never NaN


# ------------------------------------------------------------------ reviews and empty periods


def test_three_year_review_marks_years_without_a_topic(kit, engine, tmp_path):
    xlsx, page = write_report(engine, review="3y", start=2021, out_dir=tmp_path, now=AFTER_ALL)
    assert (xlsx.name, page.name) == ("so-ket-3-nam-2021-2023.xlsx", "so-ket-3-nam-2021-2023.html")
    rows = _summary_rows(openpyxl.load_workbook(xlsx)["Tổng hợp"])
    assert [(r["Năm"], r["Chuyên đề"], r["Ghi chú"]) for r in rows] == [
        (2021, TOPIC_2021, None),
        (2022, None, NO_TOPIC),
        (2023, None, NO_TOPIC),
    ]
    assert "Năm chưa có chuyên đề: 2022, 2023." in page.read_text(encoding="utf-8")


def test_five_year_review_takes_the_later_topic(kit, engine, tmp_path):
    xlsx, _ = write_report(engine, review="5y", start=2026, out_dir=tmp_path, now=AFTER_ALL)
    rows = _summary_rows(openpyxl.load_workbook(xlsx)["Tổng hợp"])
    assert [r["Năm"] for r in rows] == [2026, 2027, 2028, 2029, 2030]
    assert [r["Ghi chú"] for r in rows] == [NO_TOPIC] * 4 + [None]
    assert rows[-1]["Chuyên đề"] == "2030-mini"


def test_a_topic_nobody_studies_yet_is_a_row_saying_so(kit, engine):
    topics = select_topics(years=range(2021, 2022))
    nobody = learner_table(engine, topics, None, AFTER_ALL).iloc[0:0]
    out = summary_table(period(year=2021), topics, nobody, assessment_table(engine, topics, learners=nobody))
    assert list(out["note"]) == [NO_DATA] and out["learners"].iloc[0] == 0
    learners = learner_table(engine, topics, None, AFTER_ALL)
    quiet = assessment_table(engine, topics, learners=learners).assign(submitted=0)
    assert list(summary_table(period(year=2021), topics, learners, quiet)["note"]) == [NO_SUBMISSIONS]


def test_a_period_without_any_topic_is_an_error_naming_the_fix(kit, engine, tmp_path):
    with pytest.raises(HoctapError) as error:
        write_report(engine, review="3y", start=2023, out_dir=tmp_path / "out", now=AFTER_ALL)
    message = str(error.value)
    assert "\n" not in message and "2023–2025" in message and "hoctap topic new" in message
    assert not (tmp_path / "out").exists()


def test_cli_writes_the_report(kit, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "--year", "2021", "--out", str(out), "--at", "2022-01-15"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["bao-cao-nam-2021.html", "bao-cao-nam-2021.xlsx"]
    assert "bao-cao-nam-2021.xlsx" in capsys.readouterr().out
    summary = openpyxl.load_workbook(out / "bao-cao-nam-2021.xlsx")["Tổng hợp"]
    assert "15/01/2022 00:00" in summary["A3"].value
    assert main(["report", "--review", "3y", "--from", "2024", "--out", str(out)]) == 1
    assert "hoctap topic new" in capsys.readouterr().err
