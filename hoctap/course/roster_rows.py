"""A roster's rows → checked learners: ids, names, units, roles and emails, every problem with its row and column
(the first MAX_PROBLEMS listed, the rest counted).

Names and units are shown on web pages: nbgrader's formgrader writes student names into the instructor's page
without escaping them, so a name carrying markup would be script in the instructor's Jupyter session. A full name
may hold only letters (of any script, with their marks), digits, spaces and ' ’ - . ( ); a unit may not hold the
characters that make markup or script (`< > & " ` { } \\`). `full_name_problem` and `unit_problem` say why a text
is refused.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable

from hoctap.errors import Problem
from hoctap.topic import fold, nfc, slug

from .roster_format import (
    EMAIL_MAX,
    EMAIL_PATTERN,
    ID_MAX,
    ID_PATTERN,
    LABELS,
    MAX_PROBLEMS,
    NAME_MAX,
    SAVE_AS_UTF8,
    UNIT_MAX,
    Learner,
    Roster,
    Rows,
    count_text,
    short,
)

# ---------------------------------------------------------------- roles


def roles_from_topics(topics: Iterable) -> dict[str, str]:
    """Accepted role labels (folded) → role id, from the audiences (`facts.audiences`) of the given topics.

    A role is accepted as its id (`dang-vien`, also typed `dang vien`) or its name in the topic (`Cán bộ, đảng
    viên`), with or without diacritics. A label that two topics give to different roles is dropped as ambiguous.
    """
    found: dict[str, set[str]] = {}
    for topic in topics:
        for audience in topic.facts.audiences:
            for label in (audience.id, audience.name):
                for key in {fold(label), fold(label, diacritics=False)}:
                    found.setdefault(key, set()).add(audience.id)
    return {key: next(iter(ids)) for key, ids in found.items() if len(ids) == 1}


def _role_id(value: str, roles: dict[str, str] | None) -> str | None:
    if roles is None:
        return value if ID_PATTERN.match(value) else None
    return roles.get(fold(value)) or roles.get(fold(value, diacritics=False))


def _unknown_role(value: str, roles: dict[str, str] | None) -> str:
    if roles is None:
        return f"vai trò '{short(value)}' không hợp lệ; {_role_help(roles)}"
    near = difflib.get_close_matches(fold(value, diacritics=False), sorted(roles), n=1, cutoff=0.8)
    guess = f"có phải '{roles[near[0]]}'? " if near else ""
    return f"vai trò '{short(value)}' không có trong chuyên đề; {guess}{_role_help(roles)}"


def _role_help(roles: dict[str, str] | None) -> str:
    if roles is None:
        return "vai trò là một mã trong [a-z0-9-], ví dụ dang-vien"
    ids = sorted(set(roles.values()))
    return "dùng một trong: " + ", ".join(ids) + " (hoặc tên đối tượng ghi trong chuyên đề)"


# ---------------------------------------------------------------- the rows

# A person's name: letters of any script (Vietnamese, the letters of minority languages such as Ƀ Č Ŏ Ŭ Ñ), their
# marks, spaces and ' ’ - . ( ). Anything else here (digits, _, and every character of markup, script, formulas or
# Markdown: < > & " ` { } \ $ | [ ] = + @ ; / # …) is no part of a name. Marks are let through after the regex.
# Digits pass (a roster may number people who share a name: "Nguyễn Văn An 2"); markup, formula and other symbols
# do not.
_NAME_SUSPECT = re.compile(r"_|[^\w '’.()\-]")
# A unit's name may hold digits and most punctuation (`Chi bộ 3`, `Sở Văn hoá, Thể thao và Du lịch`), never markup.
_UNIT_REFUSED = re.compile(r'[<>&"`{}\\]')
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", nfc(text)).strip()


class CappedProblems:
    """The problems of a file, added in row order: the first MAX_PROBLEMS, and a count of the rest. A message may be
    a function, called only for a problem that is listed (a guess with difflib costs more than the check)."""

    def __init__(self, name: str):
        self.name = name
        self.listed: list[Problem] = []
        self.more = 0
        self.count = 0  # listed and not
        self.first_unlisted = 0

    def add(self, row: int, field: str, message: str | Callable[[], str]) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS:
            self.listed.append(Problem(self.name, row, field, message() if callable(message) else message))
            return
        if not self.more:
            self.first_unlisted = row
        self.more += 1

    def __len__(self) -> int:
        return self.count

    def problems(self) -> list[Problem]:
        if not self.more:
            return list(self.listed)
        rest = f"còn {count_text(self.more)} lỗi khác từ dòng này trở đi; sửa các lỗi trên rồi chạy lại"
        return [*self.listed, Problem(self.name, self.first_unlisted, "(tệp)", rest)]


def check_rows(
    name: str, rows: Rows, header_row: int, columns: dict[str, int], roles: dict[str, str] | None, out: Roster
) -> CappedProblems:
    header = next(cells for n, cells in rows if n == header_row)

    def label(column: str) -> str:
        index = columns.get(column, -1)
        return header[index].strip() if 0 <= index < len(header) and header[index].strip() else LABELS[column]

    def cell(cells: list[str], column: str) -> str:
        if column == "full_name" and columns.get(column) == -1:
            return f"{cell(cells, 'last_name')} {cell(cells, 'first_name')}"
        index = columns.get(column)
        return cells[index] if index is not None and 0 <= index < len(cells) else ""

    labels = {column: label(column) for column in LABELS}
    found = CappedProblems(name)
    first_row: dict[str, int] = {}  # id → row it first stood on
    units: dict[str, tuple[str, int, str]] = {}  # unit id → (spelling, row, folded spelling)
    # A roster repeats a few units and roles on every row: fold and slug each spelling once, not once a row.
    unit_keys: dict[str, tuple[str, str]] = {}  # unit → (unit id, folded)
    role_ids: dict[str, str | None] = {}  # role as written → role id
    for number, cells in rows:
        if number <= header_row or not "".join(cells).strip():
            continue
        before = found.count

        def bad(column: str, message: str | Callable[[], str], number: int = number) -> None:
            found.add(number, labels[column], message)

        learner_id = cell(cells, "id").strip()
        if not learner_id:
            bad("id", "thiếu mã học viên; mỗi học viên cần một mã, ví dụ tn-0001")
        elif len(learner_id) > ID_MAX or not ID_PATTERN.match(learner_id):
            bad("id", lambda learner_id=learner_id: _bad_id(learner_id))
        elif learner_id in first_row:
            bad("id", f"mã '{learner_id}' trùng với dòng {first_row[learner_id]}; mỗi học viên cần một mã riêng")
        else:
            first_row[learner_id] = number

        full_name = _clean(cell(cells, "full_name"))
        if problem := _text_problem(full_name, "họ và tên", NAME_MAX, _name_char, _NAME_RULE):
            bad("full_name", problem)

        unit = _clean(cell(cells, "unit"))
        if problem := _text_problem(unit, "đơn vị", UNIT_MAX, _unit_char, _UNIT_RULE):
            bad("unit", problem)
        else:
            if unit not in unit_keys:
                unit_keys[unit] = (slug(unit), fold(unit))
            unit_id, folded = unit_keys[unit]
            if not unit_id:
                bad("unit", f"đơn vị '{short(unit)}' cần có chữ hoặc số")
            elif unit_id in units and units[unit_id][2] != folded:
                spelling, row, _ = units[unit_id]
                bad(
                    "unit",
                    f"đơn vị '{short(unit)}' và '{short(spelling)}' (dòng {row}) chỉ khác dấu; "
                    "nếu là một đơn vị, viết giống nhau; nếu là hai đơn vị, đặt tên khác hẳn",
                )
            elif unit_id in units:
                unit = units[unit_id][0]  # `Tỉnh uỷ` and `Tỉnh ủy` are one unit, spelled as first met
            else:
                units[unit_id] = (unit, number, folded)

        role_text = _clean(cell(cells, "role"))
        if role_text and role_text not in role_ids:
            role_ids[role_text] = _role_id(role_text, roles)
        role = role_ids.get(role_text)
        if not role_text:
            bad("role", f"thiếu vai trò; {_role_help(roles)}")
        elif role is None:
            bad("role", lambda role_text=role_text: _unknown_role(role_text, roles))

        email = cell(cells, "email").strip() or None
        if email and (len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email)):
            bad("email", f"email '{short(email)}' không hợp lệ (dạng ten@vi-du.vn); sửa hoặc để trống")

        if found.count == before:
            out.append(Learner(learner_id, full_name, unit, role, email, number))
    return found


def _bad_id(learner_id: str) -> str:
    suggestion = slug(learner_id)
    hint = f"; có phải '{suggestion}'?" if suggestion and suggestion != learner_id else ""
    return (
        f"mã '{short(learner_id)}' không hợp lệ: mã chỉ gồm chữ thường a-z, chữ số 0-9 và dấu gạch ngang "
        f"(không dấu, không khoảng trắng, tối đa {ID_MAX} ký tự), ví dụ tn-0001{hint}"
    )


def full_name_problem(value: str) -> str | None:
    """Why `value` cannot be a learner's full name, as `read_roster` says it; None when it can."""
    return _text_problem(value, "họ và tên", NAME_MAX, _name_char, _NAME_RULE)


def unit_problem(value: str) -> str | None:
    """Why `value` cannot be a unit's name, as `read_roster` says it; None when it can."""
    return _text_problem(value, "đơn vị", UNIT_MAX, _unit_char, _UNIT_RULE)


_NAME_RULE = "không có trong tên người; tên chỉ gồm chữ cái, chữ số, dấu cách và các dấu ' - . ( )"
_UNIT_RULE = "không dùng trong tên đơn vị (đó là ký tự của mã trang web)"


def _name_char(value: str) -> str | None:
    for match in _NAME_SUSPECT.finditer(value):
        if not unicodedata.category(match.group()).startswith("M"):  # a combining mark belongs to its letter
            return match.group()
    return None


def _unit_char(value: str) -> str | None:
    match = _UNIT_REFUSED.search(value)
    return match.group() if match else None


def _text_problem(value: str, what: str, limit: int, refused: Callable[[str], str | None], rule: str) -> str | None:
    if not value:
        return f"thiếu {what}; điền {what} hoặc xoá cả dòng"
    if "?" in value or "\ufffd" in value:
        return (
            f"'{short(value)}' có ký tự '?' hoặc '\ufffd': chữ có dấu đã mất khi tệp được lưu bằng bảng mã khác; "
            f"sửa lại trong tệp gốc rồi {SAVE_AS_UTF8}"
        )
    # isprintable() is False for every control, format, private-use or surrogate character (and for spaces other
    # than ' ', which _clean has made ' '): the cheap test first, for the common clean cell.
    if not value.isprintable() and any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in value):
        return f"{what} có ký tự điều khiển hoặc vô hình; gõ lại {what}"
    if len(value) > limit:
        return f"{what} dài {len(value)} ký tự, quá {limit}; viết gọn lại"
    char = refused(value)
    if char is not None:
        hint = "; viết 'và' thay cho '&'" if char == "&" else ""
        return f"{what} có ký tự '{char}' {rule}{hint}"
    return None
