"""Sessions and attendance on SQLite and PostgreSQL: one person present once, late after the grace, marks by hand and
from a signed paper list (checked like a roster: a bad list marks nobody)."""

from __future__ import annotations

import datetime as dt
import threading

import openpyxl
import pytest

from hoctap.errors import AttendanceListError, SessionError
from hoctap.sessions import Rooms, SessionPlan, code_from_query, import_paper_list, join_url, qr_svg

from .roster_db import roster_engine

START = dt.datetime(2021, 8, 10, 1, 0, tzinfo=dt.UTC)  # 08:00 in Tây Ninh


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


def plan(**kw) -> SessionPlan:
    values = dict(
        topic_id="2021-chuyen-de-toan-khoa",
        lessons=("noi-dung-1",),
        unit_id="chi-bo-1",
        unit="Chi bộ 1",
        place="Hội trường",
        trainer="Lan",
        starts_at=START,
    )
    return SessionPlan(**{**values, **kw})


@pytest.fixture
def rooms(db_url):
    return Rooms(roster_engine(db_url), clock=Clock(START - dt.timedelta(minutes=5)))


def test_a_learner_joining_twice_is_present_once_with_the_first_time(rooms):
    s = rooms.open(plan())
    assert len(s.code) == 6 and s.code.isdigit() and rooms.by_code(f" {s.code[:3]} {s.code[3:]} ").id == s.id
    first = rooms.join(s.id, "hv-001")
    rooms.clock.at = START + dt.timedelta(minutes=40)
    again = rooms.join(s.id, "hv-001")
    assert again == first and not first.late and rooms.count(s.id) == 1


def test_after_the_grace_a_learner_is_late_and_a_hand_mark_is_kept(rooms):
    s = rooms.open(plan(late_after=10))
    rooms.clock.at = START + dt.timedelta(minutes=10)
    assert not rooms.join(s.id, "hv-001").late
    rooms.clock.at = START + dt.timedelta(minutes=10, seconds=1)
    assert rooms.join(s.id, "hv-002").late
    marked = rooms.mark(s.id, ["hv-004", "hv-001"], how="hand", by="Lan")
    assert [(p.student_id, p.how, p.marked_by) for p in marked] == [
        ("hv-004", "hand", "Lan"),
        ("hv-001", "phone", None),
    ]
    assert [p.student_id for p in rooms.present(s.id)] == ["hv-001", "hv-002", "hv-004"]
    rooms.unmark(s.id, "hv-004")
    assert rooms.count(s.id) == 2


def test_ten_phones_of_one_learner_at_once_make_one_row(rooms):
    s = rooms.open(plan())
    barrier = threading.Barrier(10)
    errors = []

    def join():
        try:
            barrier.wait()
            rooms.join(s.id, "hv-005")
        except Exception as error:  # pragma: no cover - shown by the assertion
            errors.append(error)

    threads = [threading.Thread(target=join) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and rooms.count(s.id) == 1


def test_a_wrong_or_closed_code_is_refused_in_words(rooms):
    s = rooms.open(plan())
    with pytest.raises(SessionError, match="6 chữ số"):
        rooms.by_code("12")
    other = "000000" if s.code != "000000" else "111111"
    with pytest.raises(SessionError, match=f"không có buổi học nào có mã {other}"):
        rooms.by_code(other)
    rooms.close(s.id)
    with pytest.raises(SessionError, match="đã kết thúc"):
        rooms.by_code(s.code)
    with pytest.raises(SessionError, match="đã kết thúc"):
        rooms.join(s.id, "hv-001")


def test_a_dropped_phone_finds_its_open_session_again(rooms):
    s = rooms.open(plan())
    assert rooms.open_session_of("hv-001") is None
    rooms.join(s.id, "hv-001")
    assert rooms.open_session_of("hv-001").id == s.id
    rooms.close(s.id)
    assert rooms.open_session_of("hv-001") is None


def test_a_signed_paper_list_marks_its_signers(rooms, tmp_path):
    s = rooms.open(plan())
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐIỂM DANH"])
    sheet.append(["STT", "Mã học viên", "Họ và tên", "Ký tên"])
    sheet.append([1, "HV-002", "Trần Thị Lan", "x"])
    sheet.append([2, "hv-004", "Phạm Văn Minh", ""])
    sheet.append([3, "hv-005", "Võ Thị Hoa", "Hoa"])
    book.save(tmp_path / "ky.xlsx")
    marked = import_paper_list(rooms, s.id, tmp_path / "ky.xlsx", by="Văn phòng")
    assert [(p.student_id, p.how, p.late) for p in marked] == [("hv-002", "paper", False), ("hv-005", "paper", False)]


def test_a_paper_list_with_a_problem_marks_nobody_and_names_file_row_and_column(rooms, tmp_path):
    s = rooms.open(plan())
    path = tmp_path / "ky.csv"
    path.write_text(
        "Mã học viên;Họ và tên\nhv-001;Nguyễn Văn Hùng\nhv-099;Ai Đó\nhv-002;Lê Văn Sai\n", encoding="utf-8"
    )
    with pytest.raises(AttendanceListError) as caught:
        import_paper_list(rooms, s.id, path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}:3: mã học viên: 'hv-099' không có trong danh sách học viên"
    assert lines[1].startswith(f"{path}:4: họ và tên: 'Lê Văn Sai' khác tên")
    assert rooms.count(s.id) == 0
    path.write_bytes("Mã học viên,Họ và tên\nhv-001,Nguyễn Văn Hùng\n".encode("utf-16-le"))
    with pytest.raises(AttendanceListError, match="không phải UTF-8"):
        import_paper_list(rooms, s.id, path)


def test_the_join_link_carries_the_code_and_the_qr_is_drawn_here():
    url = join_url("123456", "http://10.0.0.5:8866/voila/render/session.ipynb")
    assert url.endswith("session.ipynb?ma=123456") and code_from_query(url.split("?")[1]) == "123456"
    svg = qr_svg(url)
    assert svg.startswith("<svg") and "http" not in svg  # the address is drawn as modules, not fetched
