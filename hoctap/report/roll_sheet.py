"""One session's attendance sheet as XLSX: what the organiser prints, has signed, and files.

    data = attendance_sheet(engine, session_id, topics)     # bytes of the .xlsx (`hoctap session sheet`)

A title block (topic, lessons, session code, date, time and place, unit, trainer, the counts), then one row per
learner the session expected or who came (`hoctap.progress.session_roll`): STT, mã học viên, họ và tên, đơn vị,
vai trò, có mặt (giờ đến) — "Vắng" for the expected who did not come —, đến muộn, cách điểm danh, and an empty
"Ký tên" column to sign on paper. Written through `Book`: every name is text, formulas defused, control characters
shown; laid out to print on A4 landscape with the header repeated on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from hoctap.progress import HOW_WORDS, session_roll
from hoctap.topic import Topic

from .xlsx import Book

TITLE = "DANH SÁCH ĐIỂM DANH BUỔI HỌC TẬP, QUÁN TRIỆT"
HEADERS = [
    "STT", "Mã học viên", "Họ và tên", "Đơn vị", "Vai trò", "Có mặt (giờ đến)", "Đến muộn", "Cách điểm danh", "Ký tên",
]  # fmt: skip
ABSENT = "Vắng"
FIRST_ROW = 10  # the table's header row (0-based), under the title block
SIGN_WIDTH = 24


def roll_frame(roll: pd.DataFrame, day, role_names: dict[str, str]) -> pd.DataFrame:
    """The roll as the sheet shows it, in `HEADERS` order: a time of arrival, or "Vắng"."""
    arrived = [
        ABSENT if pd.isna(t) else f"{t:%H:%M}" if t.date() == day else f"{t:%H:%M %d/%m/%Y}" for t in roll["joined_at"]
    ]
    return pd.DataFrame(
        {
            HEADERS[0]: range(1, len(roll) + 1),
            HEADERS[1]: roll["learner_id"],
            HEADERS[2]: roll["name"],
            HEADERS[3]: roll["unit"].fillna(""),
            HEADERS[4]: roll["role"].map(lambda r: role_names.get(r, r)),
            HEADERS[5]: arrived,
            HEADERS[6]: ["có" if late else "" for late in roll["late"]],
            HEADERS[7]: roll["how"].map(lambda h: HOW_WORDS.get(h, h) if isinstance(h, str) else ""),
            HEADERS[8]: "",
        }
    )


def attendance_sheet(engine: Engine, session_id: int, topics: Sequence[Topic]) -> bytes:
    """The session's attendance sheet (see the module's docstring) as the bytes of an .xlsx."""
    found, roll = session_roll(engine, session_id, topics)
    topic = next((t for t in topics if t.id == found.topic_id), None)
    zone = ZoneInfo(topic.timezone if topic else "Asia/Ho_Chi_Minh")
    starts = found.starts_at.astimezone(zone)
    lessons = {lesson.id: lesson.title for lesson in topic.lessons} if topic else {}
    roles = {a.id: a.name for a in topic.facts.audiences} if topic else {}
    present, late = int(roll["present"].sum()), int(roll["late"].sum())
    expected = int(roll["expected"].sum())
    absent = int((roll["expected"] & ~roll["present"]).sum())
    lines = [
        f"Chuyên đề: {topic.title if topic else found.topic_id}",
        f"Bài học: {'; '.join(lessons.get(x, x) for x in found.lessons) or '(không ghi)'}",
        f"Mã buổi học: {found.code} (buổi số {found.id}){'' if not found.is_open else ' — đang mở'}",
        f"Thời gian: {starts:%H:%M} ngày {starts:%d/%m/%Y}; địa điểm: {found.place or '(không ghi)'}",
        f"Đơn vị: {found.unit or ('nhiều đơn vị' if found.unit_id is None else found.unit_id)}",
        f"Báo cáo viên: {found.trainer or '(không ghi)'}",
        f"Phải dự: {expected}; có mặt: {present} (đến muộn: {late}); vắng: {absent}",
    ]
    book = Book()
    ws = book.sheet(f"Điểm danh {found.code}")
    book.text(ws, 0, 0, TITLE, book.wb.add_format({"bold": True, "font_size": 14}))
    for row, line in enumerate(lines, start=2):
        book.text(ws, row, 0, line)
    view = roll_frame(roll, starts.date(), roles)
    book.table(ws, view, first_row=FIRST_ROW, frozen=False)  # a sheet to print: the header repeats on each page
    ws.set_column(len(HEADERS) - 1, len(HEADERS) - 1, SIGN_WIDTH)  # room to sign
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(FIRST_ROW)
    return book.close()
