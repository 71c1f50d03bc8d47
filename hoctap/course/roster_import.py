"""Importing a checked roster into the gradebook: all of it in one transaction, or nothing.

    learners = read_roster(path, roles_from_topics([topic]))
    report = import_roster(learners, course.db_url, "var/access-codes.csv")

- Each learner becomes (or updates) an nbgrader student: first name = the given name (tên, the last word of the
  full name), last name = the rest (họ đệm), email. Unit and role go into the kit's `hoctap_learner` table.
- A learner new to the kit gets an access code; one who has a code keeps it, unless `reissue` (True, or the ids
  to reissue). The gradebook keeps only a salted hash; the codes in clear go to the codes file (CSV, UTF-8 with
  BOM so Excel shows the diacritics, mode 0600), which is merged with the previous one: codes issued earlier stay
  listed until reissued.
- Learners absent from the new file are NOT deleted (nor their submissions): the report lists them. Removing a
  learner is a deliberate act: `nbgrader db student remove ID` (the kit's row goes with the student).
- The codes file is written to a temporary file before the transaction commits and renamed into place after: a
  failure anywhere leaves the gradebook and the previous codes file as they were.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hoctap.errors import GradebookError, Problem, RosterError
from hoctap.safety import cell
from hoctap.topic import name_sort_key, sort_key

from .access import hash_code, new_code
from .nbgrader_tables import student
from .roster import ID_PATTERN, CappedProblems, Learner, full_name_problem, read_roster, unit_problem
from .tables import ensure_tables, first_line, learner, safe_url

CODES_HEADER = ["mã học viên", "họ và tên", "đơn vị", "mã truy cập"]


@dataclass
class ImportReport:
    """What an import did; `lines()` says it in Vietnamese for the CLI."""

    added: list[str] = field(default_factory=list)  # new nbgrader students
    updated: list[str] = field(default_factory=list)  # existing students whose name, email, unit or role changed
    unchanged: list[str] = field(default_factory=list)
    codes_issued: list[str] = field(default_factory=list)
    codes_kept: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # in the gradebook, not in this file: kept, not deleted
    codes_path: Path | None = None  # None when no code was issued (the codes file was not touched)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what the file had that the kit leaves aside

    def lines(self) -> list[str]:
        out = [
            *self.notes,
            f"Thêm {len(self.added)} học viên mới, cập nhật {len(self.updated)}, không đổi {len(self.unchanged)} "
            f"({self.seconds:.1f} s).",
        ]
        if self.codes_issued:
            out.append(
                f"Đã cấp mã truy cập cho {len(self.codes_issued)} học viên, ghi trong {self.codes_path}: "
                "tệp chỉ dành cho người phụ trách; phát mã riêng cho từng học viên."
            )
        if self.codes_kept:
            out.append(f"Giữ nguyên mã của {len(self.codes_kept)} học viên đã có mã (cấp lại: --reissue).")
        if self.absent:
            more = len(self.absent) - 10
            shown = ", ".join(self.absent[:10]) + (f" và {more} người khác" if more > 0 else "")
            out.append(
                f"{len(self.absent)} học viên có trong gradebook nhưng không có trong tệp này: giữ nguyên, không xoá "
                f"({shown}); muốn xoá thì chạy `nbgrader db student remove MÃ`."
            )
        return out


def import_roster(
    learners: Iterable[Learner],
    db_url: str,
    codes_path: str | Path,
    *,
    reissue: bool | Collection[str] = False,
) -> ImportReport:
    """Add or update the learners in the gradebook at `db_url` in one transaction; write new codes to `codes_path`.

    `reissue=True` gives every learner of the file a new code; a collection of ids, only those learners.
    Raises RosterError (bad learners, an unusable codes file) or GradebookError; then nothing has changed.
    """
    started = time.perf_counter()
    learners = list(learners)
    _check_learners(learners)
    codes_path = Path(codes_path)
    previous = read_codes_file(codes_path)
    if reissue is True:
        again = {one.id for one in learners}
    else:
        again = set(reissue or ())
        unknown = sorted(again - {one.id for one in learners})
        if unknown:
            raise RosterError(
                [Problem("(--reissue)", 1, "mã học viên", f"không có trong danh sách: {', '.join(unknown)}")]
            )

    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    report = ImportReport()
    engine = ensure_tables(db_url)
    temporary: Path | None = None
    committed = False
    try:
        with engine.begin() as connection:
            columns = (student.c.id, student.c.first_name, student.c.last_name, student.c.email)
            students = {row.id: row for row in connection.execute(select(*columns))}
            kit_rows = {row.student_id: row for row in connection.execute(select(learner))}
            issued = _apply(connection, learners, students, kit_rows, again, report)
            if issued:
                # Written before the commit: if writing fails, the transaction rolls back and no code is lost.
                temporary = _write_codes_temp(codes_path, _merged_codes(previous, learners, issued))
        committed = True
    except SQLAlchemyError as error:
        raise GradebookError(
            f"không ghi được vào gradebook {safe_url(db_url)} ({type(error).__name__}: {first_line(error)}); "
            "chưa có gì thay đổi: sửa lỗi rồi chạy lại"
        ) from error
    finally:
        if temporary is not None and not committed:
            temporary.unlink(missing_ok=True)
        engine.dispose()
    if temporary is not None:
        try:
            os.replace(temporary, codes_path)
        except OSError as error:  # the hashes are committed: the codes must not be lost with the temporary file
            message = (
                f"đã cấp mã nhưng không ghi được tệp này ({error.strerror}); các mã nằm trong {temporary}: "
                f"đổi tên tệp đó thành {codes_path.name}"
            )
            raise RosterError([Problem(str(codes_path), 1, "(tệp)", message)]) from error
        _sync_folder(codes_path.parent)
        report.codes_path = codes_path
    report.seconds = time.perf_counter() - started
    return report


def _apply(connection, learners, students, kit_rows, again: set[str], report: ImportReport) -> dict[str, str]:
    """Write the learners inside the caller's transaction; return the codes issued (id → code in clear)."""
    from sqlalchemy import bindparam, insert, update

    now = dt.datetime.now(dt.UTC)
    new_students, changed_students, new_rows, changed_rows = [], [], [], []
    issued: dict[str, str] = {}
    for one in learners:
        names = {"first_name": one.first_name, "last_name": one.last_name or None, "email": one.email}
        kit = {"unit": one.unit, "unit_id": one.unit_id, "role": one.role}
        old_student, old_kit = students.get(one.id), kit_rows.get(one.id)
        names_changed = old_student is not None and any(getattr(old_student, k) != v for k, v in names.items())
        kit_changed = old_kit is not None and any(getattr(old_kit, k) != v for k, v in kit.items())
        if old_student is None:
            new_students.append({"id": one.id, **names})
            report.added.append(one.id)
        elif names_changed or kit_changed or old_kit is None:
            report.updated.append(one.id)
        else:
            report.unchanged.append(one.id)
        if names_changed:
            changed_students.append({"b_id": one.id, **{f"b_{k}": v for k, v in names.items()}})

        codes = {}
        if old_kit is None or not old_kit.code_hash or one.id in again:
            issued[one.id] = new_code()
            codes = {"code_hash": hash_code(issued[one.id]), "code_issued_at": now}
            report.codes_issued.append(one.id)
        else:
            report.codes_kept.append(one.id)
        if old_kit is None:
            new_rows.append({"student_id": one.id, "code_hash": None, "code_issued_at": None, **kit, **codes})
        elif codes or kit_changed:
            changed_rows.append({"b_id": one.id, **{f"b_{k}": v for k, v in {**kit, **codes}.items()}})
    listed = {one.id for one in learners}
    report.absent = sorted(k for k in kit_rows if k not in listed)

    def update_many(table, key, rows: list[dict]) -> None:
        for group in _same_keys(rows):
            values = {k[2:]: bindparam(k) for k in group[0] if k != "b_id"}
            connection.execute(update(table).where(key == bindparam("b_id")).values(values), group)

    if new_students:
        connection.execute(insert(student), new_students)
    update_many(student, student.c.id, changed_students)
    if new_rows:
        connection.execute(insert(learner), [{**row, "updated_at": now} for row in new_rows])
    update_many(learner, learner.c.student_id, [{**row, "b_updated_at": now} for row in changed_rows])
    return issued


def import_file(
    path: str | Path,
    db_url: str,
    codes_path: str | Path,
    *,
    roles: dict[str, str] | None = None,
    reissue: bool | Collection[str] = False,
) -> ImportReport:
    """`hoctap roster import FILE`: read and check the whole file, then import it (nothing when it has a problem).

    The report's `notes` say what the file had that the kit leaves aside (ignored columns, rows above the header).
    """
    roster = read_roster(path, roles)
    report = import_roster(roster, db_url, codes_path, reissue=reissue)
    report.notes = list(roster.notes)
    return report


def _check_learners(learners: list[Learner]) -> None:
    """What read_roster guarantees, checked again for callers that build learners themselves: above all no markup in
    a name or unit (nbgrader's formgrader shows names unescaped to the instructor)."""
    seen: dict[str, int] = {}
    found = CappedProblems("(danh sách)")
    for one in learners:
        row = one.row or 1
        if not ID_PATTERN.match(one.id or ""):
            found.add(row, "mã học viên", f"mã '{one.id}' không hợp lệ: chỉ a-z, 0-9 và '-'")
        elif one.id in seen:
            found.add(row, "mã học viên", f"mã '{one.id}' trùng với dòng {seen[one.id]}")
        seen.setdefault(one.id, one.row)
        if not (one.full_name or "").strip():
            found.add(row, "họ và tên", "thiếu họ và tên")
        elif problem := full_name_problem(one.full_name):
            found.add(row, "họ và tên", problem)
        if not one.unit or not one.unit_id or not one.role:
            found.add(row, "đơn vị", "thiếu đơn vị hoặc vai trò")
        elif problem := unit_problem(one.unit):
            found.add(row, "đơn vị", problem)
    if found:
        raise RosterError(found.problems())


def _same_keys(rows: list[dict]) -> list[list[dict]]:
    """Executemany needs the same parameters in every row: group rows by their keys."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())


# ---------------------------------------------------------------- the codes file


def read_codes_file(path: str | Path) -> dict[str, list[str]]:
    """The codes file written by an earlier import (id → row), {} when there is none; RosterError if it is not one."""
    path = Path(path)
    if not path.exists():
        return {}
    not_ours = "tệp này đã có và không phải tệp mã truy cập do hoctap ghi; chọn tệp khác (--codes) hoặc đổi tên tệp cũ"
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError):
        raise RosterError([Problem(str(path), 1, "(tệp)", not_ours)]) from None
    if not rows:
        return {}
    if rows[0] != CODES_HEADER:
        raise RosterError([Problem(str(path), 1, "(tiêu đề)", not_ours)])
    return {row[0]: row for row in rows[1:] if len(row) == len(CODES_HEADER) and row[0]}


def _merged_codes(previous: dict[str, list[str]], learners: list[Learner], issued: dict[str, str]) -> list[list[str]]:
    current = {one.id: one for one in learners}
    rows: dict[str, list[str]] = {}
    for learner_id, row in previous.items():
        if learner_id in issued:
            continue  # its old code no longer works
        one = current.get(learner_id)
        rows[learner_id] = [learner_id, one.full_name, one.unit, row[3]] if one else row
    for learner_id, code in issued.items():
        one = current[learner_id]
        rows[learner_id] = [learner_id, one.full_name, one.unit, code]
    return sorted(rows.values(), key=lambda r: (sort_key(r[2]), name_sort_key(r[1]), r[0]))


def _write_codes_temp(path: Path, rows: list[list[str]]) -> Path:
    """The codes in a temporary file beside `path` (mode 0600, flushed to disk), to be renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # a `;` inside a unit is never a column break
            writer.writerow(CODES_HEADER)
            writer.writerows([cell(c) for c in row] for row in rows)  # never a formula in Excel
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
