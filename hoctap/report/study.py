"""The live study sessions in the yearly report and the reviews: "Học tập, quán triệt".

    parts = study_section(report)                    # the page's section: sessions, then studied per unit
    study_sheets(book, report)                       # the workbook's sheets, when sessions were held

The page lists the period's sessions (date, place, unit, trainer, present out of expected) and, per unit, who has
studied the topic: attended a session and passed the quizzes (the definition is written under the table). The
figures are `hoctap progress --by session` and `--by studyunit` as of the report's moment (`gather` reads them); a
period without any session says so.
"""

from __future__ import annotations

from hoctap.progress import TABLE_TITLES

from .gather import STUDY_SHEETS, Report, readable
from .html import esc, table_html

SECTION_ID = "hoc-tap-quan-triet"
SECTION_TITLE = "Học tập, quán triệt"
SESSION_SHOWN = ["starts_at", "place", "unit", "trainer", "lessons", "expected", "present", "late_arrivals", "absent",
                 "present_percent"]  # fmt: skip
STUDIED_SHOWN = ["unit", "learners", "attended", "attended_percent", "passed", "studied", "studied_percent"]
NONE_HELD = "Chưa có buổi học tập, quán triệt nào được ghi nhận trong giai đoạn này."
DEFINITION = (
    "Đã học tập, quán triệt: đã dự ít nhất một buổi học tập, quán triệt của chuyên đề (điểm danh bằng điện thoại, "
    "đánh dấu tay hoặc danh sách giấy có chữ ký; buổi nào của chuyên đề cũng được tính, vì mỗi chi bộ chọn nội dung "
    "sinh hoạt, dòng 39 của Kế hoạch) và đạt mọi bài kiểm tra được giao (điểm được tính, đã chấm, không thấp hơn điểm "
    "đạt của bài: mặc định 50 % điểm tối đa). Tỉ lệ tính trên số học viên của đơn vị trong danh sách."
)


def held(report: Report) -> bool:
    sessions = report.tables.get("session")
    return sessions is not None and len(sessions) > 0


def study_section(report: Report) -> list[str]:
    """The page's section: every session of the period, then "đã học tập, quán triệt" per unit."""
    parts = [f'<section id="{SECTION_ID}">', f"<h2>{esc(SECTION_TITLE)}</h2>"]
    if not held(report):
        return [*parts, f'<p class="count">{esc(NONE_HELD)}</p>', "</section>"]
    several = len(report.topics) > 1
    sessions = report.tables["session"].copy()
    multi = sessions["unit_id"].isna() & (sessions["unit"].fillna("") == "")
    sessions.loc[multi, "unit"] = "(nhiều đơn vị)"
    shown = (["topic"] if several else []) + SESSION_SHOWN
    studied = report.tables["studyunit"]
    parts += [
        f"<h3>{esc(TABLE_TITLES['session'])}</h3>",
        f'<p class="count">{len(sessions)} buổi; đang mở: {int(sessions["is_open"].sum())}.</p>',
        table_html(sessions[shown], table="session", topics=report.topics),
        f"<h3>{esc(TABLE_TITLES['studyunit'])}</h3>",
        table_html(studied[(["topic"] if several else []) + STUDIED_SHOWN], table="studyunit"),
        f'<ul class="notes"><li>{esc(DEFINITION)}</li></ul>',
        "</section>",
    ]
    return parts


def study_sheets(book, report: Report) -> None:
    """The sessions, the studied per unit and the learners' attendance as sheets, when sessions were held."""
    if not held(report):
        return
    for table in STUDY_SHEETS:
        df = report.tables[table]
        ws = book.sheet(TABLE_TITLES[table])
        book.table(ws, readable(df, table=table, topics=report.topics), ids=list(df.columns))


def nav_item() -> tuple[str, str]:
    return SECTION_ID, SECTION_TITLE
