"""A signed paper attendance list, typed into a CSV or XLSX, marked into a session: the same file checks as the roster.

    marked = import_paper_list(rooms, session_id, Path("diem-danh.xlsx"), by="Văn phòng")  # list of Presence

The file has a header row (a title may stand above it) with the learner's id (`Mã học viên`) and, if wanted, the name
(`Họ và tên`: compared with the roster's, so a row typed against the wrong id is caught) and a presence column
(`Có mặt` / `Ký`: a row with it empty is absent; without that column every row listed is present). The checks are the
roster's: UTF-8 or XLSX, mangled encodings named, the header found. Every problem is one line `FILE:ROW: column:
message`, all raised together as `AttendanceListError`; then nothing is marked: a list is marked whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hoctap.course import ROSTER_EXCEL_SUFFIXES as EXCEL_SUFFIXES
from hoctap.course import ROSTER_HEADER_ROWS as HEADER_SEARCH_ROWS
from hoctap.course import ROSTER_HEADERS as HEADERS
from hoctap.course import ROSTER_MAX_PROBLEMS as MAX_PROBLEMS
from hoctap.course import ROSTER_TEXT_SUFFIXES as TEXT_SUFFIXES
from hoctap.course import check_encoding, excel_rows, text_rows
from hoctap.course import learner as learner_table
from hoctap.course import student as student_table
from hoctap.errors import AttendanceListError, Problem, RosterError
from hoctap.topic import fold

from .room import Presence, Rooms

PRESENT_HEADERS = {"co mat", "ky", "ky ten", "chu ky", "ky nhan", "diem danh", "present", "signed", "signature"}
ABSENT_VALUES = {"", "0", "khong", "k", "vang", "vang mat", "no", "false", "-"}


def _header(name: str, rows) -> tuple[int, dict[str, int]]:
    for number, cells in rows[: HEADER_SEARCH_ROWS * 3]:
        keys = [fold(c, diacritics=False) for c in cells]
        columns = {}
        for index, key in enumerate(keys):
            if key in HEADERS["id"]:
                columns.setdefault("id", index)
            elif key in HEADERS["full_name"]:
                columns.setdefault("full_name", index)
            elif key in PRESENT_HEADERS:
                columns.setdefault("present", index)
        if "id" in columns:
            return number, columns
    raise AttendanceListError(
        [
            Problem(
                name,
                rows[0][0] if rows else 1,
                "(tiêu đề)",
                "không thấy dòng tiêu đề có cột 'Mã học viên'; thêm cột đó (và nếu muốn: 'Họ và tên', 'Có mặt')",
            )
        ]
    )


def read_paper_list(path: Path, names: dict[str, str]) -> list[str]:
    """The ids of the learners present on the list (in its order), or AttendanceListError with every problem.

    `names`: roster id → full name, to check each row's id (and name, when the list has one)."""
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            rows, _notes = excel_rows(path)
        elif suffix in TEXT_SUFFIXES:
            rows = text_rows(path)
        else:
            raise AttendanceListError([Problem(name, 1, "(tệp)", "cần tệp .csv hoặc .xlsx")])
        header, columns = _header(name, rows)
        check_encoding(name, rows, header, {k: v for k, v in columns.items() if k != "present"})
    except RosterError as error:
        raise AttendanceListError(error.problems) from None
    problems: list[Problem] = []
    present: list[str] = []
    seen: dict[str, int] = {}

    def cell(cells: list[str], column: str) -> str:
        index = columns.get(column)
        return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

    for number, cells in rows:
        if number <= header or not "".join(cells).strip():
            continue
        learner_id = cell(cells, "id").lower()
        if "present" in columns and fold(cell(cells, "present"), diacritics=False) in ABSENT_VALUES:
            continue
        if not learner_id:
            problems.append(Problem(name, number, "mã học viên", "thiếu mã học viên ở dòng có người ký"))
        elif learner_id not in names:
            problems.append(
                Problem(name, number, "mã học viên", f"'{learner_id[:40]}' không có trong danh sách học viên")
            )
        elif learner_id in seen:
            problems.append(Problem(name, number, "mã học viên", f"'{learner_id}' đã có ở dòng {seen[learner_id]}"))
        else:
            written = cell(cells, "full_name")
            if written and fold(written) != fold(names[learner_id]):
                problems.append(
                    Problem(
                        name,
                        number,
                        "họ và tên",
                        f"'{written[:60]}' khác tên trong danh sách học viên của mã {learner_id}: "
                        f"'{names[learner_id]}'",
                    )
                )
            else:
                seen[learner_id] = number
                present.append(learner_id)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise AttendanceListError(problems)
    return present


def roster_names(engine) -> dict[str, str]:
    query = select(student_table.c.id, student_table.c.last_name, student_table.c.first_name).join(
        learner_table, learner_table.c.student_id == student_table.c.id
    )
    with engine.connect() as db:
        return {sid: " ".join(p for p in (last, first) if p) for sid, last, first in db.execute(query)}


def import_paper_list(rooms: Rooms, session_id: int, path: Path, by: str | None = None) -> list[Presence]:
    """Mark everyone the list says was present (how="paper"); learners already present keep their first mark."""
    found = rooms.get(session_id)
    ids = read_paper_list(Path(path), roster_names(rooms.engine))
    return rooms.mark(found.id, ids, how="paper", by=by, at=found.starts_at)
