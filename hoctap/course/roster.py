"""Reading a roster: a CSV or XLSX list of learners, checked whole before anything is imported.

    roles = roles_from_topics([topic])                 # accepted role labels (folded) → role id
    learners = read_roster("data/rosters/sample.csv", roles)

Columns (header names in Vietnamese or English, any case, with or without diacritics):
`mã học viên`/`id`, `họ và tên`/`full name` (or `họ đệm` + `tên`), `đơn vị`/`unit`, `vai trò`/`role`,
`email` (optional). A title above the header row, an `STT` column and blank rows are fine.

Every problem is found before any is reported: `read_roster` raises `RosterError` with one line
`FILE:ROW: column: what is wrong and how to fix it` per problem, the first `MAX_PROBLEMS` of them in row order and
then one line counting the rest; ROW is the row Excel shows. A file whose bytes are not UTF-8, or whose text was
mangled by a wrong encoding on the way (`Nguyá»…n`, TCVN3 `NguyÔn`), gives one line naming the first such row:
nothing is guessed, the fix is to save the file again as "CSV UTF-8".

The file is read by `roster_files` (CSV, XLSX, the header, encodings), its rows checked by `roster_rows` (names,
units, roles: markup in a name is refused, as formgrader prints names unescaped); `roster_format` says what the
columns and a learner are.
"""

from __future__ import annotations

from pathlib import Path

from hoctap.errors import Problem, RosterError

from .roster_files import check_encoding, excel_rows, find_header, text_rows, unmangle
from .roster_format import EXCEL_SUFFIXES, ID_PATTERN, MAX_PROBLEMS, TEXT_SUFFIXES, Learner, Roster, split_name
from .roster_rows import CappedProblems, check_rows, full_name_problem, roles_from_topics, unit_problem

__all__ = [
    "ID_PATTERN",
    "MAX_PROBLEMS",
    "CappedProblems",
    "Learner",
    "Roster",
    "full_name_problem",
    "read_roster",
    "roles_from_topics",
    "split_name",
    "unit_problem",
    "unmangle",
]


def read_roster(path: str | Path, roles: dict[str, str] | None = None) -> Roster:
    """Read and check a roster (CSV or XLSX); raise `RosterError` listing every problem, one line each.

    `roles` maps accepted labels, folded with `hoctap.topic.text.fold`, to role ids (see `roles_from_topics`);
    `None` accepts any role written as an id in [a-z0-9-].
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise RosterError([Problem(name, 1, "(tệp)", "không có tệp này; kiểm tra đường dẫn")])
    suffix = path.suffix.lower()
    sheet_notes: list[str] = []
    if suffix in EXCEL_SUFFIXES:
        rows, sheet_notes = excel_rows(path)
    elif suffix == ".xls":
        raise RosterError([Problem(name, 1, "(tệp)", "tệp Excel 97-2003 (.xls) chưa đọc được; lưu lại dạng .xlsx")])
    elif suffix in TEXT_SUFFIXES:
        rows = text_rows(path)
    else:
        raise RosterError(
            [Problem(name, 1, "(tệp)", f"không đọc được tệp '{suffix or path.name}'; dùng .csv (UTF-8) hoặc .xlsx")]
        )
    header_row, columns, notes, problems = find_header(name, rows)
    check_encoding(name, rows, header_row, columns)
    if problems:
        raise RosterError(problems)
    roster = Roster(path=path, notes=sheet_notes + notes)
    found = check_rows(name, rows, header_row, columns, roles, roster)
    if found:
        raise RosterError(found.problems())
    if not roster:
        raise RosterError([Problem(name, header_row, "(tệp)", "không có học viên nào dưới dòng tiêu đề cột")])
    return roster
