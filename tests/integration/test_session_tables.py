"""Live study sessions in the progress tables, the attendance sheet and the yearly report, on SQLite and PostgreSQL.

The gradebook is a synthetic one (tests/synthetic_gradebook.py: nbgrader's own tables, graded attempts and standing
rows as the kit's grader leaves them, built in seconds); on top of it three sessions are held through
`hoctap.sessions.Rooms` and `Board` with a clock: phones joining on time and late, a visitor from another unit, a
hand mark, a paper list, questions and answers. Every expectation is computed here from the plan below and the
gradebook's counted scores (`book.scores`), not by hoctap.progress."""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import update

from hoctap.course import engine_for, student
from hoctap.progress import (
    Filters,
    attendance_by_learner,
    labelled,
    sessions_table,
    studied_by_role,
    studied_by_unit,
)
from hoctap.report import attendance_sheet, write_report
from hoctap.safety import disallowed
from hoctap.sessions import Board, Rooms, SessionPlan, typed
from hoctap.topic import load_topic
from tests.specs import write_spec
from tests.synthetic_gradebook import build_gradebook, synthetic_spec

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = dt.datetime(2030, 3, 1, 1, 0, tzinfo=dt.UTC)  # 08:00 in Tây Ninh
AFTER = dt.datetime(2031, 1, 15, tzinfo=dt.UTC)  # every 2030 due date has passed
EVIL = "<script>alert(1)</script>"
EVIL_PLACE = "<img src=x onerror=alert(2)>"
PASS = {"2030-bai-01": 40.0, "2030-bai-02": 80.0, "2030-bai-03": 50.0}  # the spec's pass marks: 40 %, 80 %, the default
ROLES = {"2030-bai-03": {"dang-vien"}}  # bai-03 applies to party members only
QUESTIONS = 5  # points per quiz: one per question


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@dataclass
class Room:
    """The built scenario: the gradebook, its topic and learners, and the sessions as planned."""

    engine: object
    book: object
    topic: object
    sessions: list = field(default_factory=list)  # (Session, {learner: (joined_at, late, how)}, questions, answers)
    evil: str = ""  # the learner whose first name is EVIL


def topic_with_pass_marks(folder: Path):
    spec = synthetic_spec(4)  # quizzes bai-01…03 of five questions, and a commitment
    for a in spec["assessments"]:
        if a["id"] in PASS and PASS[a["id"]] != 50.0:
            a["pass_percent"] = PASS[a["id"]]
        if a["id"] in ROLES:
            a["roles"] = sorted(ROLES[a["id"]])
    return load_topic(write_spec(folder, spec))


def hold_sessions(engine, learners) -> list:
    """Three sessions: unit 1's (phones on time and late, a visitor of unit 2, a hand mark; closed), one for every
    unit (a paper list; still open) and unit 2's (nobody came; closed, its place hostile text)."""
    unit = {u: [x.id for x in learners if x.unit_id == u] for u in ("don-vi-01", "don-vi-02", "don-vi-03")}
    clock = Clock(T0 - dt.timedelta(hours=1))
    rooms, board = Rooms(engine, clock=clock), Board(engine, clock=clock)
    held = []
    first = rooms.open(SessionPlan("2030-mini", ("tong-quan",), "don-vi-01", "Đơn vị 01", "Hội trường", "Lan", T0, 10))
    marks = {}
    for who, minutes in ((unit["don-vi-01"][0], -5), (unit["don-vi-01"][1], 10), (unit["don-vi-01"][2], 11),
                         (unit["don-vi-02"][0], 30)):  # fmt: skip
        clock.at = T0 + dt.timedelta(minutes=minutes)
        rooms.join(first.id, who)
        marks[who] = (clock.at, minutes > 10, "phone")
    clock.at = T0 + dt.timedelta(minutes=40)
    rooms.mark(first.id, [unit["don-vi-01"][3]], how="hand", by="Lan")
    marks[unit["don-vi-01"][3]] = (clock.at, True, "hand")
    q1 = board.send(first.id, typed("yes-no", "Đúng không?"))
    for who in list(marks)[:3]:
        board.answer(q1.id, who, "dung")
    q2 = board.send(first.id, typed("word", "Một từ?"))
    board.answer(q2.id, list(marks)[0], "đoàn kết")
    clock.at = T0 + dt.timedelta(hours=2)
    rooms.close(first.id)
    held.append((rooms.get(first.id), marks, 2, 4))

    clock.at = T0 + dt.timedelta(days=7, hours=-1)
    second = rooms.open(SessionPlan("2030-mini", (), None, "", "Phòng họp 2", "Hà", T0 + dt.timedelta(days=7)))
    paper = [unit["don-vi-01"][0], unit["don-vi-02"][1], unit["don-vi-03"][0], unit["don-vi-03"][1]]
    rooms.mark(second.id, paper, how="paper", by="Văn phòng", at=second.starts_at)
    board.answer(board.send(second.id, typed("single", "Chọn?", ["A", "B"], [0])).id, paper[0], ["a"])
    held.append((rooms.get(second.id), {w: (second.starts_at, False, "paper") for w in paper}, 1, 1))

    clock.at = T0 + dt.timedelta(days=14, hours=-1)
    third = rooms.open(SessionPlan("2030-mini", ("tong-quan",), "don-vi-02", "Đơn vị 02", EVIL_PLACE, "Hà",
                                   T0 + dt.timedelta(days=14)))  # fmt: skip
    clock.at = T0 + dt.timedelta(days=14, hours=2)
    rooms.close(third.id)
    held.append((rooms.get(third.id), {}, 0, 0))
    return held


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def room(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"sessions-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'gradebook.db'}"
    else:
        url = request.getfixturevalue("postgres_server").new_database(f"sessions_{os.getpid()}")
    with tempfile.TemporaryDirectory() as spec_folder:
        topic = topic_with_pass_marks(Path(spec_folder))
    book = build_gradebook(url, topic, 24, seed=13, units=3)
    engine = engine_for(url)
    # A name with markup, as nbgrader's own tools would leave it: a learner of unit 1 with work missing, whom the
    # report's unit page names (and the attendance sheet lists).
    evil = next(
        p.id
        for p in book.learners
        if p.unit_id == "don-vi-01"
        and any((p.id, a.id) not in book.scores for a in topic.assessments if a.id not in PASS or assigned(p, a.id))
    )
    with engine.begin() as db:
        db.execute(update(student).where(student.c.id == evil).values(first_name=EVIL))
    return Room(engine, book, topic, hold_sessions(engine, book.learners), evil)


# ------------------------------------------------------------------ expectations, from the plan


def assigned(person, quiz: str) -> bool:
    return person.role in ROLES.get(quiz, {person.role})


def passed(room: Room, person) -> bool:
    for quiz, mark in PASS.items():
        if not assigned(person, quiz):
            continue
        score = room.book.scores.get((person.id, quiz))
        if score is None or 100.0 * score / QUESTIONS < mark:
            return False
    return True


def attended(room: Room, person_id: str) -> list:
    return [marks[person_id] for _, marks, _, _ in room.sessions if person_id in marks]


def expected_learner(room: Room, person) -> dict:
    came = attended(room, person.id)
    held_for = sum(1 for s, *_ in room.sessions if s.unit_id in (None, person.unit_id))
    quizzes = [q for q in PASS if assigned(person, q)]
    return {
        "sessions_expected": held_for,
        "sessions_attended": len(came),
        "times_late": sum(late for _, late, _ in came),
        "first_attended": min((t for t, _, _ in came), default=None),
        "quizzes_assigned": len(quizzes),
        "passed": passed(room, person),
        "studied": bool(came) and passed(room, person),
    }


# ------------------------------------------------------------------ the tables


def test_one_row_per_session_with_who_was_expected_and_who_came(room):
    df = sessions_table(room.engine, [room.topic], now=AFTER)
    assert list(df["session_id"]) == [s.id for s, *_ in room.sessions]
    for row, (s, marks, questions, answers) in zip(df.itertuples(), room.sessions, strict=True):
        expected = {x.id for x in room.book.learners if s.unit_id in (None, x.unit_id)}
        assert (row.code, row.place, row.trainer, row.is_open) == (s.code, s.place, s.trainer, s.is_open)
        assert row.starts_at == s.starts_at.astimezone(ZONE) and str(row.starts_at.tz) == "Asia/Ho_Chi_Minh"
        assert (row.expected, row.present, row.absent) == (len(expected), len(marks), len(expected - set(marks)))
        assert row.late_arrivals == sum(late for _, late, _ in marks.values())
        for how in ("phone", "hand", "paper"):
            assert getattr(row, f"by_{how}") == sum(h == how for *_, h in marks.values())
        share = 100.0 * len(expected & set(marks)) / len(expected)
        assert row.present_percent == pytest.approx(round(share, 1))
        assert (row.questions, row.answers) == (questions, answers)
    assert list(df["lessons"]) == ["Tổng quan", "", "Tổng quan"] and list(df["is_open"]) == [False, True, False]


def test_as_of_a_past_moment_and_narrowed_to_a_unit(room):
    first = sessions_table(room.engine, [room.topic], now=T0 + dt.timedelta(days=1))
    assert list(first["session_id"]) == [room.sessions[0][0].id]  # the others were not yet made
    unit2 = sessions_table(room.engine, [room.topic], Filters(units=["don-vi-02"]), now=AFTER)
    assert list(unit2["session_id"]) == [room.sessions[1][0].id, room.sessions[2][0].id]
    assert list(unit2["expected"]) == [8, 8] and list(unit2["present"]) == [1, 0]  # unit 2's learners only


def test_attendance_and_studied_per_learner(room):
    df = attendance_by_learner(room.engine, [room.topic], now=AFTER).set_index("learner_id")
    assert len(df) == len(room.book.learners)
    for person in room.book.learners:
        row, want = df.loc[person.id], expected_learner(room, person)
        for column, value in want.items():
            got = row[column]
            if column == "first_attended":
                assert pd.isna(got) if value is None else got == value.astimezone(ZONE), person.id
            else:
                assert got == value, (person.id, column)
    assert df.loc[room.evil, "name"].endswith(EVIL)
    assert 0 < df["studied"].sum() < df["passed"].sum() < len(df)  # the scenario tells the cases apart


@pytest.mark.parametrize("by", ["unit", "role"])
def test_studied_per_unit_and_role_count_the_learners(room, by):
    table = (studied_by_unit if by == "unit" else studied_by_role)(room.engine, [room.topic], now=AFTER)
    key = "unit_id" if by == "unit" else "role"
    groups: dict[str, list] = {}
    for person in room.book.learners:
        groups.setdefault(getattr(person, key), []).append(person)
    assert sorted(table[key]) == sorted(groups)
    for row in table.itertuples():
        people = groups[getattr(row, key)]
        came = [p for p in people if attended(room, p.id)]
        done = [p for p in came if passed(room, p)]
        assert (row.learners, row.attended, row.studied) == (len(people), len(came), len(done))
        assert row.passed == sum(passed(room, p) for p in people)
        assert row.studied_percent == pytest.approx(round(100.0 * len(done) / len(people), 1))
        assert row.sessions_attended == sum(len(attended(room, p.id)) for p in people)
    members = studied_by_unit(room.engine, [room.topic], Filters(roles=["dang-vien"]), now=AFTER)
    assert members["learners"].sum() == sum(p.role == "dang-vien" for p in room.book.learners)


def test_labels_are_vietnamese_and_english(room):
    df = sessions_table(room.engine, [room.topic], now=AFTER)
    vi, en = labelled(df, "session"), labelled(df, "session", "en")
    assert {"Mã tham gia", "Có mặt", "Đến muộn", "Vắng", "Tỉ lệ có mặt (%)", "Đang mở"} <= set(vi.columns)
    assert {"Join code", "Present", "Arrived late", "Absent", "Still open"} <= set(en.columns)
    assert list(vi["Đang mở"]) == ["không", "có", "không"]


# ------------------------------------------------------------------ the attendance sheet and the yearly report


def test_the_attendance_sheet_lists_the_expected_and_who_came(room, tmp_path):
    first, marks, *_ = room.sessions[0]
    path = tmp_path / "diem-danh.xlsx"
    path.write_bytes(attendance_sheet(room.engine, first.id, [room.topic]))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][-1] == "Ký tên" and f"Mã buổi học: {first.code} (buổi số {first.id})" in rows[4][0]
    table = {r[1]: r for r in rows[header + 1 :]}
    unit1 = {x.id for x in room.book.learners if x.unit_id == "don-vi-01"}
    assert set(table) == unit1 | set(marks)  # the unit's learners and the visitor
    for who, row in table.items():
        if who in marks:
            joined, late, how = marks[who]
            assert row[5] == f"{joined.astimezone(ZONE):%H:%M}" and (row[6] == "có") == late
            assert row[7] == {"phone": "điện thoại", "hand": "đánh dấu tay"}[how]
        else:
            assert row[5] == "Vắng" and row[6] is None and row[7] is None
    assert table[room.evil][2].endswith(EVIL)  # text, as typed: never a formula, never markup
    assert "Phải dự: 8; có mặt: 5 (đến muộn: 3); vắng: 4" in [r[0] for r in rows[:header]]


def test_the_yearly_report_has_the_sessions_and_who_studied(room, tmp_path):
    xlsx, page = write_report(room.engine, year=2030, out_dir=tmp_path, now=AFTER, topics=[room.topic])
    raw = page.read_text(encoding="utf-8")
    assert "<script" not in raw.lower() and "<img" not in raw.lower() and disallowed(raw) == []
    assert html.escape(EVIL_PLACE, quote=True) in raw and html.escape(EVIL, quote=True) in raw
    section = raw.split('<section id="hoc-tap-quan-triet">', 1)[1].split("</section>", 1)[0]
    assert "3 buổi; đang mở: 1." in section and "(nhiều đơn vị)" in section and "dòng 39" in section
    units = studied_by_unit(room.engine, [room.topic], now=AFTER)
    for row in units.itertuples():
        assert f'<td>{row.unit}</td><td class="n">{row.learners}</td><td class="n">{row.attended}</td>' in section
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[-3:] == ["Buổi học tập, quán triệt", "Học tập, quán triệt – đơn vị", "Dự học của học viên"]
    sheet = list(book["Học tập, quán triệt – đơn vị"].iter_rows(values_only=True))
    header = sheet[0]
    got = {r[header.index("Mã đơn vị")]: r[header.index("Đã học tập, quán triệt")] for r in sheet[1:]}
    assert got == dict(zip(units["unit_id"], units["studied"], strict=True))
