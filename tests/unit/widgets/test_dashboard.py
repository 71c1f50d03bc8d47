"""The instructor dashboard without a browser: the table widget (paging, sorting, searching, escaping, downloads) on
hand-made frames, and the whole app on a synthetic gradebook (tests/synthetic_gradebook.py), driven through real
widgets (`.click()`, `.value`). Expected figures come from `hoctap.progress.tables` on the same gradebook."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import event

from hoctap import cli
from hoctap.course.database import engine_for
from hoctap.errors import HoctapError
from hoctap.progress.queries import Filters
from hoctap.progress.tables import learner_table, option_table, question_table, unit_table
from hoctap.serve.servers import Server, banner
from tests.specs import write_spec
from tests.synthetic_gradebook import build_gradebook, synthetic_spec, synthetic_topic
from widgets.dashboard import (
    ALL,
    TABS,
    Counters,
    ProgressApp,
    ProgressState,
    gradebook_engine,
    messages,
    progress_app,
    readable,
)
from widgets.dashboard.table import PAGE_SIZE, TableState, TableView, cell_text, downloads, headers, table_html

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2030, 6, 1, 1, 0, tzinfo=dt.UTC)  # every synthetic due date has passed
LEARNERS = 40
EVIL = "<script>alert(1)</script>"
ZONE = "Asia/Ho_Chi_Minh"
# Answers as a gradebook may hold them (Word's line break, NUL, formulas, a lone surrogate from older stored JSON),
# and as every download must write them (tests/unit/test_export_safety.py: the rule).
STORED = ["dòng 1\x0bdòng 2", "\x00", "a;=1+1", "=1+1", "-2", "x\ud800y"]
WRITTEN = ["dòng 1␋dòng 2", "␀", "a;'=1+1", "'=1+1", "'-2", "x\ufffdy"]
FORMULA = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- the table widget on hand-made frames


def people(n: int = 120) -> pd.DataFrame:
    """n learners × one assessment, with a hostile name, Vietnamese names, statuses, missing scores, times."""
    names = ["Nguyễn Văn Hùng", "Trần Thị Ánh", "Lê Minh Bảo", EVIL, 'Đỗ & "Thị" Bình']
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "topic": "2030-mini",
            "learner_id": [f"hv-{i:03d}" for i in range(n)],
            "name": [names[i % len(names)] for i in range(n)],
            "unit": ["Chi bộ A"] * (n // 2) + ["Chi bộ Đ"] * (n - n // 2),
            "status": [["on-time", "late", "missing"][i % 3] for i in range(n)],
            "graded": [i % 3 != 2 for i in range(n)],
            "percent": [float(rng.integers(0, 100)) if i % 3 != 2 else np.nan for i in range(n)],
            "submitted_at": pd.Timestamp("2030-01-10 08:00", tz=ZONE) + pd.to_timedelta(np.arange(n), unit="h"),
        }
    )


def rows_of(html: str) -> int:
    return html.count("<tr>") - 1  # less the header row


def linked_file(view: TableView) -> bytes:
    """The file the download link holds (a data URL)."""
    return base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)"', view.link.value)[1])


def assert_safe_csv(data: bytes, column: str, expected: list[str]) -> None:
    """`column` parses (csv module) as `expected`, and no cell Excel gets by splitting lines on `;` or `,` regardless
    of quotes (a Vietnamese regional setting) starts a formula, but numbers."""
    decoded = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(decoded, newline="")))
    got = [row[rows[0].index(column)] for row in rows[1:]]
    assert set(expected) <= set(got)
    for line in re.split(r"\r\n|\r|\n", decoded):
        for piece in re.split(r"[;,]", line):
            opened = piece.lstrip(' "')
            assert not opened.startswith(FORMULA) or re.fullmatch(r"-?\d+(\.\d+)?", opened), repr(piece)


def test_pages_of_fifty_with_previous_and_next():
    view = TableView(TableState(people(120)), title="Học viên", file_stem="tien-do-hoc-vien")
    assert view.page_label.value == "Trang 1/3"
    assert view.count.value == "120 dòng"
    assert rows_of(view.table.value) == PAGE_SIZE
    assert view.previous.disabled and not view.next.disabled
    view.next.click()
    view.next.click()
    assert view.page_label.value == "Trang 3/3" and rows_of(view.table.value) == 20
    assert view.next.disabled
    view.next.click()  # already on the last page
    assert view.state.page == 3
    view.previous.click()
    assert view.page_label.value == "Trang 2/3"
    assert "hv-050" in view.table.value and "hv-049" not in view.table.value


def test_sort_by_a_column_both_ways_in_vietnamese_order_missing_last():
    view = TableView(TableState(people(10)))
    assert ("Họ và tên", "name") in view.sort.options
    view.sort.value = "name"
    names = list(view.state.rows["name"])
    # by the given name (the last word), Vietnamese letters in their own places: Ánh < Bảo < Bình < Hùng < script
    order = ["Trần Thị Ánh", "Lê Minh Bảo", 'Đỗ & "Thị" Bình', "Nguyễn Văn Hùng", EVIL]
    assert list(dict.fromkeys(names)) == order
    view.sort.value = "percent"
    view.order.value = False  # "Giảm dần"
    percents = list(view.state.rows["percent"])
    present = [p for p in percents if not np.isnan(p)]
    assert present == sorted(present, reverse=True)
    assert all(np.isnan(p) for p in percents[len(present) :])  # missing scores last, either way
    view.order.value = True
    assert [p for p in view.state.rows["percent"] if not np.isnan(p)] == sorted(present)
    assert np.isnan(view.state.rows["percent"].iloc[-1])


def test_search_folds_vietnamese_and_finds_statuses_in_words():
    state = TableState(people(120))
    view = TableView(state)
    view.next.click()
    view.search.value = "nguyen van"  # no diacritics, lower case
    assert state.page == 1
    assert set(state.rows["name"]) == {"Nguyễn Văn Hùng"}
    assert view.count.value == "Tìm thấy 24 / 120 dòng"
    view.search.value = "Muộn"  # the status as shown, not its id
    assert set(state.rows["status"]) == {"late"}
    view.search.value = "script"
    assert set(state.rows["name"]) == {EVIL}
    view.search.value = "khong co ai"
    assert state.rows.empty and "Không có dòng nào." in view.table.value and view.page_label.value == "Trang 1/1"
    view.search.value = ""
    assert len(state.rows) == 120


def test_every_cell_and_header_is_escaped():
    frame = people(5).rename(columns={"unit": "<b>unit</b>"})
    frame.loc[0, "<b>unit</b>"] = "A & B <i>"
    html = table_html(frame)
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; B &lt;i&gt;" in html and "&lt;b&gt;unit&lt;/b&gt;" in html
    assert "Đỗ &amp; &quot;Thị&quot; Bình" in html


def test_cells_read_as_vietnamese():
    assert cell_text(85.5) == "85,5" and cell_text(100.0) == "100" and cell_text(np.nan) == ""
    assert cell_text(True) == "có" and cell_text(None) == "" and cell_text(pd.NaT) == ""
    assert cell_text(pd.Timestamp("2030-01-10 08:05", tz=ZONE)) == "10/01/2030 08:05"
    assert cell_text(dt.date(2030, 1, 31)) == "31/01/2030"


def test_only_the_page_is_rendered_for_two_hundred_thousand_rows():
    n = 200_000
    frame = pd.DataFrame({"learner_id": [f"sv-{i:06d}" for i in range(n)], "percent": np.arange(n) % 101 * 1.0})
    view = TableView(TableState(frame))
    assert view.page_label.value == "Trang 1/4000" and rows_of(view.table.value) == PAGE_SIZE
    assert len(view.table.value) < 20_000  # one page of HTML, whatever the table's size
    view.search.value = "sv-19999"
    assert view.count.value == "Tìm thấy 10 / 200.000 dòng"


def test_downloads_are_the_rows_on_screen_as_csv_and_xlsx():
    state = TableState(people(120), hidden=("topic",))
    view = TableView(state, title="Theo đơn vị", file_stem="tien-do-theo-don-vi", sheet="Theo đơn vị")
    view.search.value = "Muộn"
    view.xlsx.click()
    link = view.link.value
    assert 'download="tien-do-theo-don-vi.xlsx"' in link
    data = base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)"', link)[1])  # the link holds the file itself
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Theo đơn vị"]
    sheet = book["Theo đơn vị"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Chuyên đề", "Mã học viên", "Họ và tên"]  # Vietnamese headers; hidden columns kept
    assert sheet.max_row == 1 + 40  # the search's rows only, every page
    assert {sheet.cell(row=r, column=header.index("Tình trạng") + 1).value for r in range(2, 42)} == {"Muộn"}

    view.csv.click()
    csv = base64.b64decode(re.search(r'base64,([A-Za-z0-9+/=]+)"', view.link.value)[1])
    assert csv.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    table = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert len(table) == 40 and EVIL in set(table["Họ và tên"])
    assert 'download="tien-do-theo-don-vi.csv"' in view.link.value

    view.next.click()
    assert view.link.value  # the same rows: the link still holds them
    view.search.value = "nguyen"
    assert view.link.value == ""  # other rows: a stale file is never offered


def stored_answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "learner_id": [f"hv-{i:03d}" for i in range(len(STORED))],
            "option": STORED,
            "share": [-2.0, 0.0, 12.5, 50.0, 100.0, np.nan],  # a negative number stays a number
        }
    )


def test_downloads_of_stored_answers_keep_every_character_and_hold_no_formula():
    view = TableView(TableState(stored_answers()), file_stem="cau-tra-loi", sheet="Câu trả lời", table="option")
    assert "Đang tạo tệp" not in view.link.value
    view.xlsx.click()
    assert 'download="cau-tra-loi.xlsx"' in view.link.value and not view.xlsx.disabled
    sheet = openpyxl.load_workbook(io.BytesIO(linked_file(view))).active
    header = [c.value for c in sheet[1]]
    cells = [sheet.cell(row=r, column=header.index("Lựa chọn") + 1) for r in range(2, len(STORED) + 2)]
    assert [c.value for c in cells] == WRITTEN
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula
    share = sheet.cell(row=2, column=header.index("Tỉ lệ chọn (%)") + 1)
    assert share.value == -2 and share.data_type == "n"

    view.csv.click()
    assert 'download="cau-tra-loi.csv"' in view.link.value and not view.csv.disabled
    data = linked_file(view)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row[1] for row in rows[1:]] == WRITTEN and rows[1][2] == "-2.0"
    assert_safe_csv(data, "Lựa chọn", WRITTEN)


def test_a_download_that_fails_ends_the_wait_with_one_sentence(monkeypatch, caplog):
    assert downloads.log.parent is messages.log  # the dashboard's logger: the server log, not the page
    monkeypatch.setattr(downloads.log, "propagate", False)
    downloads.log.addHandler(caplog.handler)

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    view = TableView(TableState(stored_answers()), file_stem="cau-tra-loi")
    try:
        monkeypatch.setattr(downloads, "table_bytes", broken)
        view.xlsx.click()
    finally:
        downloads.log.removeHandler(caplog.handler)
    shown = view.link.value
    assert not view.xlsx.disabled and "Đang tạo tệp" not in shown and "<a " not in shown
    assert shown == (
        '<span class="hoctap-download-error" role="alert">Không tạo được tệp cau-tra-loi.xlsx; hãy bấm '
        "“Tải XLSX” lần nữa, nếu vẫn lỗi hãy xem nhật ký máy chủ.</span>"
    )
    assert "secret" not in shown and "Traceback" not in shown
    [record] = caplog.records
    assert record.levelname == "ERROR" and "cau-tra-loi.xlsx" in record.getMessage()
    assert str(record.exc_info[1]) == "secret detail"  # the traceback is in the log

    def refused(*_args, **_kwargs):
        raise HoctapError("ổ đĩa đã đầy")

    monkeypatch.setattr(downloads, "table_bytes", refused)
    view.csv.click()
    assert "Ổ đĩa đã đầy." in view.link.value and not view.csv.disabled  # a known error: its own sentence
    view.search.value = "hv-001"
    assert view.link.value == ""  # other rows: the sentence goes with the rows it was about
    monkeypatch.undo()
    view.csv.click()
    assert 'download="cau-tra-loi.csv"' in view.link.value


# ---------------------------------------------------------------- the app on a synthetic gradebook


@pytest.fixture(autouse=True)
def _no_running_loop(monkeypatch):
    """Without a kernel the dashboard computes item analysis at once. Playwright's sync API (a session fixture of the
    browser tests, when they run first) leaves its event loop marked as running in this thread, which would send the
    work to a worker whose result nothing here waits for."""

    def no_loop():
        raise RuntimeError("no running event loop")

    monkeypatch.setattr("widgets.dashboard.app.asyncio.get_running_loop", no_loop)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A course with a synthetic gradebook: 40 learners, 5 assessments (4 quizzes, a commitment)."""
    root = tmp_path_factory.mktemp("dashboard") / "assessments"
    root.mkdir()
    topic = synthetic_topic(5)
    return build_gradebook(f"sqlite:///{root / 'gradebook.db'}", topic, LEARNERS, seed=3), root


@pytest.fixture
def app(book) -> ProgressApp:
    synthetic, root = book
    return progress_app(root, [synthetic.topic], NOW)


def counters_of(app: ProgressApp) -> dict[str, str]:
    return dict(re.findall(r'hoctap-counter-(\w+)"><div class="hoctap-counter-value">([^<]*)<', app.counters.value))


def expected_counters(row: pd.Series) -> Counters:
    counts = ("learners", "done", "started", "not_started", "overdue", "items_done", "items_assigned")
    return Counters(
        **{c: int(row[c]) for c in counts}, mean_score=None if pd.isna(row["mean_score"]) else float(row["mean_score"])
    )


def test_the_app_opens_on_the_topic_with_counters_tables_and_a_chart(app, book):
    synthetic, _ = book
    assert app.state.message == "" and app.message.value == ""
    assert app.topic.value == synthetic.topic.id
    assert [title for _, title, _ in TABS] == [app.tabs.get_title(i) for i in range(len(TABS))]
    shown = counters_of(app)
    assert shown["learners"] == str(LEARNERS)
    assert set(shown) == {"learners", "done", "started", "not_started", "overdue", "items", "mean_score"}
    counters = app.state.counters()
    assert counters.done + counters.started + counters.not_started + counters.overdue == LEARNERS
    assert shown["items"] == f"{counters.items_done}/{counters.items_assigned}" and counters.items_done > 0
    assert rows_of(app.views["unit"].table.value) == 8  # eight units
    chart = app.charts["unit"].value
    assert chart.startswith("<svg") and "Tiến độ theo đơn vị — hạn" in chart
    assert all(f'data-series="{name}"' in chart for name in ("Hoàn thành", "Đang làm", "Quá hạn", "Chưa bắt đầu"))


def test_filters_change_the_counters_as_the_unit_table_says_without_a_query(app, book):
    synthetic, root = book
    engine = engine_for(f"sqlite:///{root / 'gradebook.db'}")
    units = unit_table(engine, [synthetic.topic], Filters(), NOW).set_index("unit_id")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for unit_id, row in units.iterrows():
            app.unit.value = unit_id
            assert app.state.counters() == expected_counters(row)
            shown = counters_of(app)
            assert shown["learners"] == str(row["learners"]) and shown["overdue"] == str(row["overdue"])
            assert shown["items"] == f"{row['items_done']}/{row['items_assigned']}"
            assert rows_of(app.views["unit"].table.value) == 1
        role = app.role.options[1][1]
        app.role.value = role
        app.assessment.value = synthetic.topic.assessments[0].id
        assert statements == []  # filtering is pandas on the kept learner table
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    rows = learner_table(engine, [synthetic.topic], Filters(units=[unit_id], roles=[role]), NOW)
    assert app.state.counters().learners == rows["learner_id"].nunique()
    assert set(app.state.filtered()["assessment_id"]) == {synthetic.topic.assessments[0].id}
    app.unit.value = ALL
    app.role.value = ALL
    app.assessment.value = ALL
    assert counters_of(app)["learners"] == str(LEARNERS)


def test_every_tab_fills_when_opened(app, book):
    synthetic, root = book
    for name, _, _ in TABS:
        app.select_tab(name)
        assert app.views[name].state.version > 0, name
        assert not app.views[name].state.frame.empty, name
        assert "hoctap-table" in app.views[name].table.value, name
    assert len(app.views["learner"].state.frame) == LEARNERS * len(synthetic.topic.assessments)
    assert app.charts["scores"].value.startswith("<svg") and "Phân bố điểm" in app.charts["scores"].value
    assert app.charts["timeline"].value.startswith("<svg") and "Hạn" in app.charts["timeline"].value
    assert "Tỉ lệ đã nộp (%)" in app.views["timeline"].table.value  # the timeline's own header for `percent`
    assert ("Tỉ lệ đã nộp (%)", "percent") in app.views["timeline"].sort.options
    engine = engine_for(f"sqlite:///{root / 'gradebook.db'}")
    questions = question_table(engine, [synthetic.topic], Filters(), NOW)
    pd.testing.assert_frame_equal(app.views["question"].state.frame, readable(questions, synthetic.topic))
    assert set(app.views["question"].state.frame["type"]) == {"Một lựa chọn"}  # types in words
    # kept in the gradebook and said so, as Moodle's "last calculated … attempts since"
    assert re.search(r"Tính lúc .*, trên \d+ lần làm đã chấm; có 0 lần làm chấm sau đó", app.notes["question"].value)
    assert not app.views["option"].state.frame.empty
    assert app.message.value == ""


def test_a_tab_is_recomputed_for_new_filters_only_when_opened(app, book):
    assert set(app.views) == {"unit"}  # the other tabs' widgets are made when first opened
    app.select_tab("assessment")
    app.select_tab("role")
    before = app.views["assessment"].state.version
    app.unit.value = app.unit.options[1][1]
    assert app.views["assessment"].state.version == before  # not on screen: not recomputed
    assert rows_of(app.views["role"].table.value) >= 1
    app.select_tab("assessment")
    assert app.views["assessment"].state.version > before
    assert app.views["assessment"].state.frame.equals(app.state.table("assessment"))


def test_the_learner_tab_searches_and_downloads_with_the_filters(app, book):
    synthetic, _ = book
    app.unit.value = "don-vi-01"
    app.select_tab("learner")
    view = app.views["learner"]
    assert set(view.state.frame["unit_id"]) == {"don-vi-01"}
    view.xlsx.click()
    assert 'download="tien-do-hoc-vien.xlsx"' in view.link.value
    book = openpyxl.load_workbook(io.BytesIO(view.download("xlsx")))
    assert book.sheetnames == ["Học viên × bài kiểm tra"]
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert {sheet.cell(row=r, column=header.index("Đơn vị") + 1).value for r in range(2, sheet.max_row + 1)} == {
        "Đơn vị 01"
    }
    first = synthetic.learners[0]
    view.search.value = first.first_name.lower()
    assert first.id in set(view.state.rows["learner_id"])


def test_reload_reads_the_gradebook_again(app, book):
    synthetic, root = book
    engine = engine_for(f"sqlite:///{root / 'gradebook.db'}")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        app.reload.click()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # the learner table (and the lead's freshness check of the standing rows), never the responses
    assert 1 <= len(statements) <= 2 and not any("hoctap_response" in s for s in statements)
    assert counters_of(app)["learners"] == str(LEARNERS)


def test_a_fresh_read_in_a_worker_is_adopted_on_the_loop(app):
    """What a pre-heated kernel does when a page takes it (widgets/dashboard/preheat.py)."""
    frames, now = app.state.read_again()
    assert set(frames) == {app.state.topic_id}
    assert sorted(frames[app.state.topic_id]["learner_id"]) == sorted(app.state.frame()["learner_id"])
    before = app.state.version
    app.state.adopt(frames, now)
    assert app.state.version > before and app.state.now == now
    assert counters_of(app)["learners"] == str(LEARNERS)


@pytest.fixture(scope="module")
def answered(book, tmp_path_factory):
    """A kit home holding the synthetic topic's spec and a copy of the module's gradebook (which stays as built) whose
    stored answers hold Word's line break, a NUL, a formula after `;` and a lone surrogate."""
    synthetic, root = book
    home = tmp_path_factory.mktemp("answered")
    (home / "data" / "topics").mkdir(parents=True)
    (home / "assessments").mkdir()
    write_spec(home / "data" / "topics", synthetic_spec(5))
    source, copy = sqlite3.connect(root / "gradebook.db"), sqlite3.connect(home / "assessments" / "gradebook.db")
    try:
        source.backup(copy)
        stored = [json.dumps(STORED[0]), json.dumps(STORED[1]), json.dumps(STORED[2]), '"x\\ud800y"']
        with copy:
            for i, response in enumerate(stored):
                copy.execute(
                    "UPDATE hoctap_response SET response = ? WHERE response IS NOT NULL AND rowid % 4 = ?",
                    (response, i),
                )
    finally:
        source.close()
        copy.close()
    return synthetic.topic, home


def test_stored_control_characters_export_from_the_cli_and_the_dashboard(answered, tmp_path, monkeypatch, capsysbinary):
    topic, home = answered
    stored, written = [*STORED[:3], STORED[5]], [*WRITTEN[:3], WRITTEN[5]]
    engine = engine_for(f"sqlite:///{home / 'assessments' / 'gradebook.db'}")
    assert set(stored) <= set(option_table(engine, [topic], None, NOW)["option"])  # as stored, in the table
    monkeypatch.setenv("HOCTAP_HOME", str(home))
    monkeypatch.delenv("HOCTAP_DB_URL", raising=False)

    out = tmp_path / "phuong-an.xlsx"
    argv = ["progress", "--by", "option", "--at", "2030-06-01"]
    assert cli.main([*argv, "--format", "xlsx", "--labels", "ids", "--out", str(out)]) == 0  # `hoctap progress …`
    assert b"Traceback" not in capsysbinary.readouterr().err
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("option")] for row in sheet.iter_rows(min_row=2)]
    assert set(written) <= {c.value for c in cells} and {c.data_type for c in cells} == {"s"}
    assert cli.main([*argv, "--format", "csv"]) == 0
    assert_safe_csv(capsysbinary.readouterr().out, "option", written)

    app = progress_app(home / "assessments", [topic], NOW)
    app.select_tab("question")
    view = app.views["option"]
    view.xlsx.click()  # "Tải XLSX" under the item analysis
    assert 'download="tien-do-ti-le-chon-phuong-an.xlsx"' in view.link.value and not view.xlsx.disabled
    sheet = openpyxl.load_workbook(io.BytesIO(linked_file(view))).active
    header = [c.value for c in sheet[1]]
    column = header.index(headers("option")["option"])
    assert set(written) <= {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    view.csv.click()
    assert_safe_csv(linked_file(view), headers("option")["option"], written)
    assert app.message.value == ""


# ---------------------------------------------------------------- errors as one line


def test_no_gradebook_yet_is_one_line_and_creates_nothing(tmp_path, book):
    synthetic, _ = book
    app = progress_app(tmp_path / "assessments", [synthetic.topic], NOW)
    text = app.message.value
    assert "chưa có sổ điểm" in text.lower() and "hoctap course release" in text
    assert "Traceback" not in text and text.count("<p") == 1
    assert not (tmp_path / "assessments" / "gradebook.db").exists()
    assert counters_of(app)["learners"] == "0" and "Không có dòng nào." in app.views["unit"].table.value
    with pytest.raises(HoctapError, match="chưa có sổ điểm"):
        gradebook_engine(f"sqlite:///{tmp_path / 'none.db'}")


def test_a_gradebook_without_the_tables_names_the_commands(tmp_path, book):
    synthetic, _ = book
    (tmp_path / "gradebook.db").write_bytes(b"")  # an empty SQLite file
    app = progress_app(tmp_path, [synthetic.topic], NOW)
    assert "chưa đủ bảng" in app.state.message and "hoctap roster import" in app.state.message
    assert "Traceback" not in app.message.value


def test_no_topic_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HOCTAP_HOME", str(tmp_path))
    app = progress_app(tmp_path / "assessments")
    assert "Chưa có chuyên đề nào" in app.state.message and "hoctap topic new" in app.state.message
    assert app.topic.options == () and counters_of(app)["learners"] == "0"


def test_an_unexpected_error_is_a_fixed_line_and_goes_to_the_server_log(book):
    synthetic, _ = book

    def broken():
        raise RuntimeError("secret detail")

    state = ProgressState(broken, [synthetic.topic], NOW)
    app = ProgressApp(state)
    assert "Bảng tiến độ gặp lỗi" in app.state.message and "secret detail" not in app.message.value


# ---------------------------------------------------------------- the notebook and the banner


def test_the_notebook_is_thin_and_has_no_outputs():
    nb = json.loads((ROOT / "notebooks" / "instructor" / "progress.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["title"] == "Tiến độ học tập"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 2 and "parameters" in code[0]["metadata"]["tags"]
    assert "".join(code[0]["source"]).startswith("course_root = None")
    assert "".join(code[1]["source"]) == "from widgets.dashboard import progress_app\n\nprogress_app(course_root)"
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_serve_prints_the_dashboard_url_beside_jupyterlab():
    lab = Server("JupyterLab", "127.0.0.1", 8888, "--lab-port", None, url_suffix="lab?token=abc123")
    text = banner([lab])
    assert "http://127.0.0.1:8888/lab?token=abc123" in text
    assert "progress.ipynb" not in text  # the dashboard has its own server: tests/unit/widgets/test_dashboard_scale.py
