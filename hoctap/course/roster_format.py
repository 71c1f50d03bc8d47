"""What a roster is made of: its columns, a checked learner, the limits, and the words its messages share.

The columns' names (Vietnamese or English, any case, with or without diacritics), what each learner becomes
(`Learner`: id in [a-z0-9-], texts in NFC with single spaces), and the small helpers every roster message uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hoctap.topic import slug

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_MAX = 128  # nbgrader's student.id is String(128)
NAME_MAX = 128
UNIT_MAX = 255
EMAIL_MAX = 128
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HEADER_SEARCH_ROWS = 10  # a title may stand above the header row
MAX_PROBLEMS = 20  # listed per file: thousands of bad rows are one mistake repeated, and a screenful is enough
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
SAVE_AS_UTF8 = 'mở tệp trong Excel, chọn Lưu thành (Save As) "CSV UTF-8 (Comma delimited) (*.csv)" rồi nhập lại'

# What each column is called in a header, folded without diacritics (see `_header_key`).
HEADERS: dict[str, set[str]] = {
    "id": {"id", "ma", "ma hoc vien", "ma so", "ma so hoc vien", "ma hv", "ma dinh danh", "student id", "learner id"},
    "full_name": {"ho va ten", "ho ten", "ho va ten hoc vien", "ho ten hoc vien", "full name", "name", "fullname"},
    "last_name": {"ho", "ho dem", "ho va dem", "ho va ten dem", "ho ten dem", "last name", "family name", "surname"},
    "first_name": {"ten", "first name", "given name"},
    "unit": {"don vi", "don vi cong tac", "co quan", "co quan don vi", "chi bo", "unit"},
    "role": {"vai tro", "doi tuong", "role"},
    "email": {"email", "e mail", "thu dien tu", "dia chi email", "dia chi thu dien tu"},
}
# The same names for other stages (hoctap.course's surface): what a signed attendance list is read with.
ROSTER_HEADERS = HEADERS
ROSTER_TEXT_SUFFIXES = TEXT_SUFFIXES
ROSTER_EXCEL_SUFFIXES = EXCEL_SUFFIXES
ROSTER_HEADER_ROWS = HEADER_SEARCH_ROWS
ROSTER_MAX_PROBLEMS = MAX_PROBLEMS

# Columns a roster often carries that the kit does not keep: ignored without a note.
SILENT = {"stt", "tt", "so thu tu", "no"}
LABELS = {  # how a column is named in messages when the file's own header is not at hand
    "id": "mã học viên",
    "full_name": "họ và tên",
    "last_name": "họ đệm",
    "first_name": "tên",
    "unit": "đơn vị",
    "role": "vai trò",
    "email": "email",
}
REQUIRED = ("id", "full_name", "unit", "role")


@dataclass(frozen=True)
class Learner:
    """One learner of a roster, checked: `id` in [a-z0-9-], texts in NFC with single spaces."""

    id: str
    full_name: str
    unit: str
    role: str
    email: str | None = None
    row: int = 0  # the row of the roster it came from (for messages)

    @property
    def unit_id(self) -> str:
        """The unit as an id (`Chi bộ Văn phòng Tỉnh ủy` → `chi-bo-van-phong-tinh-uy`), as assessments name units."""
        return slug(self.unit)

    @property
    def first_name(self) -> str:
        """The given name (tên): the last word of the full name."""
        return split_name(self.full_name)[1]

    @property
    def last_name(self) -> str:
        """Family and middle names (họ đệm): every word but the last; empty for a one-word name."""
        return split_name(self.full_name)[0]


class Roster(list):
    """The learners of one file (a list of `Learner`), with notes on what was left aside (ignored columns)."""

    def __init__(self, learners: Iterable[Learner] = (), *, path: Path | None = None, notes: list[str] | None = None):
        super().__init__(learners)
        self.path = path
        self.notes: list[str] = list(notes or [])


def split_name(full_name: str) -> tuple[str, str]:
    """`Nguyễn Thị Minh Khai` → (`Nguyễn Thị Minh`, `Khai`): họ đệm and tên, as nbgrader's last and first name."""
    words = full_name.split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


Rows = list[tuple[int, list[str]]]  # (row as Excel shows it, cells)


def also(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    if not numbers:
        return ""
    shown = ", ".join(str(n) for n in numbers[:5])
    rest = f" và {len(numbers) - 5} dòng khác" if len(numbers) > 5 else ""
    return f"; cũng gặp ở dòng {shown}{rest}"


def short(text: str, limit: int = 60) -> str:
    """The start of a cell for a message, its invisible characters made visible (a NUL or a bidi override printed
    to the terminal would hide or reorder the message itself)."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text if text.isprintable() else "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def count_text(number: int) -> str:
    return f"{number:,}".replace(",", " ")
