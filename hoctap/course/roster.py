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

Names and units are shown on web pages: nbgrader's formgrader writes student names into the instructor's page
without escaping them, so a name carrying markup would be script in the instructor's Jupyter session. A full name
may hold only letters (of any script, with their marks), spaces and ' ’ - . ( ); a unit may not hold the characters
that make markup or script (`< > & " ` { } \\`). `full_name_problem` and `unit_problem` say why a text is refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hoctap.errors import Problem, RosterError
from hoctap.topic import fold, nfc, slug

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
        return f"vai trò '{_short(value)}' không hợp lệ; {_role_help(roles)}"
    near = difflib.get_close_matches(fold(value, diacritics=False), sorted(roles), n=1, cutoff=0.8)
    guess = f"có phải '{roles[near[0]]}'? " if near else ""
    return f"vai trò '{_short(value)}' không có trong chuyên đề; {guess}{_role_help(roles)}"


def _role_help(roles: dict[str, str] | None) -> str:
    if roles is None:
        return "vai trò là một mã trong [a-z0-9-], ví dụ dang-vien"
    ids = sorted(set(roles.values()))
    return "dùng một trong: " + ", ".join(ids) + " (hoặc tên đối tượng ghi trong chuyên đề)"


# ---------------------------------------------------------------- reading


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
        rows, sheet_notes = _excel_rows(path)
    elif suffix == ".xls":
        raise RosterError([Problem(name, 1, "(tệp)", "tệp Excel 97-2003 (.xls) chưa đọc được; lưu lại dạng .xlsx")])
    elif suffix in TEXT_SUFFIXES:
        rows = _text_rows(path)
    else:
        raise RosterError(
            [Problem(name, 1, "(tệp)", f"không đọc được tệp '{suffix or path.name}'; dùng .csv (UTF-8) hoặc .xlsx")]
        )
    header_row, columns, notes, problems = _find_header(name, rows)
    _check_encoding(name, rows, header_row, columns)
    if problems:
        raise RosterError(problems)
    roster = Roster(path=path, notes=sheet_notes + notes)
    found = _check_rows(name, rows, header_row, columns, roles, roster)
    if found:
        raise RosterError(found.problems())
    if not roster:
        raise RosterError([Problem(name, header_row, "(tệp)", "không có học viên nào dưới dòng tiêu đề cột")])
    return roster


Rows = list[tuple[int, list[str]]]


def _text_rows(path: Path) -> Rows:
    raw = path.read_bytes()
    name = str(path)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        message = f'tệp được lưu dạng UTF-16 ("Unicode Text"), không phải UTF-8; {SAVE_AS_UTF8}'
        raise RosterError([Problem(name, 1, "(mã hoá)", message)])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RosterError([_not_utf8(name, raw)]) from None
    nul = text.find("\0")
    if nul >= 0:  # no text file has one: UTF-16 saved without its BOM, or not a text file at all
        message = (
            f"tệp có byte NUL (0x00) ở dòng này: không phải CSV UTF-8 (có lẽ là UTF-16 hoặc tệp khác); {SAVE_AS_UTF8}"
        )
        raise RosterError([Problem(name, text.count("\n", 0, nul) + 1, "(mã hoá)", message)])
    return _parse_csv(name, text)


def _parse_csv(name: str, text: str) -> Rows:
    """Records with the line each starts on; the delimiter is the commonest of , ; and tab in the first lines
    (Excel in Vietnamese settings saves with ';')."""
    head = text.splitlines()[:HEADER_SEARCH_ROWS]
    counts = {d: sum(line.count(d) for line in head) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    start = 1
    try:
        for record in reader:
            rows.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:  # the record that starts on line `start` cannot be read
        if "field limit" in str(error):
            message = (
                f'một ô từ dòng này dài hơn {_count(csv.field_size_limit())} ký tự: có lẽ một dấu nháy kép (") mở '
                "mà không đóng nên phần sau của tệp bị đọc thành một ô; sửa dấu nháy ở dòng này"
            )
        else:
            message = f"không đọc được dòng này như CSV ({error}); {SAVE_AS_UTF8}"
        raise RosterError([Problem(name, start, "(tệp)", message)]) from None
    return rows


def _not_utf8(name: str, raw: bytes) -> Problem:
    bad = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad.append((number, line, error.start))
    number, line, start = bad[0]
    guess = nfc(line.decode("cp1258", errors="replace")).strip()
    cell = next((c for c in re.split(r"[,;\t]", guess) if "\ufffd" not in c and not c.isascii()), "")
    hint = f" (đọc theo Windows-1258 thì là '{_short(cell)}')" if cell else ""
    more = _also(n for n, _, _ in bad[1:])
    return Problem(
        name,
        number,
        "(mã hoá)",
        f"tệp không phải UTF-8: byte 0x{line[start]:02X} ở dòng này; có lẽ tệp được lưu bằng bảng mã "
        f"Windows-1258/ANSI{hint}; {SAVE_AS_UTF8}{more}",
    )


def _excel_rows(path: Path) -> tuple[Rows, list[str]]:
    import openpyxl  # instructor side only: the learner kernel never reads rosters

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zip, XML or openpyxl errors: all say "not a readable workbook"
        raise RosterError(
            [Problem(str(path), 1, "(tệp)", f"không đọc được tệp Excel ({type(error).__name__}); mở và lưu lại .xlsx")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions: read every row there is
        rows = sheet.iter_rows(values_only=True)
        return [(number, [_cell_text(v) for v in values]) for number, values in enumerate(rows, 1)], [
            f"{path}:1: (trang tính): chỉ đọc trang tính đầu tiên '{sheet.title}', bỏ qua '{other.title}'"
            for other in workbook.worksheets[1:]
        ]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- the header


def _header_key(text: str) -> str:
    return fold(text, diacritics=False)


def _find_header(name: str, rows: Rows) -> tuple[int, dict[str, int], list[str], list[Problem]]:
    """The header row, column → index, notes on ignored columns, and problems with the header itself."""
    known = {key: column for column, keys in HEADERS.items() for key in keys}
    filled = ((n, cells) for n, cells in rows if "".join(cells).strip())
    candidates = list(itertools.islice(filled, HEADER_SEARCH_ROWS))  # not the whole file: it may be long
    number, cells, mapped = 0, [], {}
    for number, cells in candidates:  # noqa: B007 - the row found is used after the loop
        mapped = {i: known.get(_header_key(c)) for i, c in enumerate(cells)}
        if sum(1 for col in mapped.values() if col) >= 2 and {"id", "full_name", "first_name"} & set(mapped.values()):
            break
    else:
        first = candidates[0][0] if candidates else 1
        wanted = ", ".join(LABELS[c] for c in REQUIRED) + ", email (không bắt buộc)"
        return first, {}, [], [Problem(name, first, "(tiêu đề)", f"không thấy dòng tiêu đề cột; cần các cột: {wanted}")]

    columns: dict[str, int] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    unknown: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        column = mapped[index]
        label = cell.strip()
        if column is None:
            if label and _header_key(label) not in SILENT:
                unknown.append((index, label))
            continue
        if column in columns:
            problems.append(
                Problem(
                    name,
                    number,
                    label,
                    f"cột '{LABELS[column]}' có hai lần (cột {columns[column] + 1} và cột {index + 1}); giữ một cột",
                )
            )
            continue
        columns[column] = index
    if "full_name" not in columns and {"last_name", "first_name"} <= set(columns):
        columns["full_name"] = -1  # joined from họ đệm + tên
    elif "full_name" in columns:
        for part in ("last_name", "first_name"):  # `Tên` beside `Họ và tên` is not needed: leave it aside
            if part in columns:
                index = columns.pop(part)
                unknown.append((index, cells[index].strip()))
    hinted: set[str] = set()
    for column in REQUIRED:
        if column in columns:
            continue
        near = [
            label
            for _, label in unknown
            if difflib.get_close_matches(_header_key(label), sorted(HEADERS[column]), n=1, cutoff=0.75)
        ]
        hinted.update(near[:1])
        hint = f"; có phải cột '{near[0]}'? (đổi tên tiêu đề)" if near else f"; thêm cột '{LABELS[column]}'"
        problems.append(Problem(name, number, LABELS[column], f"thiếu cột '{LABELS[column]}'{hint}"))
    for index, label in unknown:
        if label not in hinted:
            notes.append(f"{name}:{number}: {label}: bỏ qua cột {index + 1} (bộ công cụ không lưu cột này)")
    used = {index for index, label in enumerate(cells) if label.strip()}
    width = max((len(c) for n, c in rows if n > number), default=0)
    for index in range(width):
        if index not in used and any(index < len(c) and c[index].strip() for n, c in rows if n > number):
            notes.append(f"{name}:{number}: (cột {index + 1}): bỏ qua cột không có tiêu đề nhưng có dữ liệu")
    for n, c in rows:
        if n < number and any(x.strip() for x in c):
            notes.append(f"{name}:{n}: (tiêu đề): bỏ qua dòng phía trên dòng tiêu đề cột")
    return number, columns, notes, problems


# ---------------------------------------------------------------- encodings gone wrong

# bytes 0x80-0x9F as Windows-1252 shows them: how UTF-8 read as CP1252 and saved again looks (`Ä‘` for `đ`)
_CP1252_BYTE = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass
# Characters TCVN3 (ABC, .VnTime fonts) uses for Vietnamese letters that Unicode Vietnamese never contains:
# ă ê ô ơ ư đ Đ à á ả ã ạ ằ ắ ẳ ẵ … read as Latin-1.
_TCVN3 = set("¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾")
# Cheap tests first (a roster has thousands of cells): a lead byte of UTF-8 (0xC2-0xEF) followed by a continuation
# byte (0x80-0xBF), both as Windows-1252 shows them, must be there for `unmangle` to find anything.
_MANGLED_HINT = re.compile("[\u00c2-\u00ef][\u0080-\u00bf" + re.escape("".join(_CP1252_BYTE)) + "]")
_TCVN3_CHAR = re.compile("[" + re.escape("".join(sorted(_TCVN3))) + "]")


def _byte_of(char: str) -> int | None:
    code = ord(char)
    return code if code < 0x100 else _CP1252_BYTE.get(char)


def _plausible(char: str) -> bool:
    code = ord(char)
    return 0xA0 <= code <= 0x24F or 0x300 <= code <= 0x36F or 0x1E00 <= code <= 0x1EFF or 0x2000 <= code <= 0x20CF


def unmangle(text: str) -> str | None:
    """The text before UTF-8 was read as Windows-1252 (`Nguyá»…n` → `Nguyễn`), or None when it does not look mangled."""
    out: list[str] = []
    found = False
    i = 0
    while i < len(text):
        lead = _byte_of(text[i])
        size = 2 if lead and 0xC2 <= lead <= 0xDF else 3 if lead and 0xE0 <= lead <= 0xEF else 0
        if size:
            tail = [_byte_of(c) for c in text[i + 1 : i + size]]
            if len(tail) == size - 1 and all(b is not None and 0x80 <= b <= 0xBF for b in tail):
                try:
                    char = bytes([lead, *tail]).decode("utf-8")
                except UnicodeDecodeError:
                    char = ""
                if char and _plausible(char):
                    out.append(char)
                    found = True
                    i += size
                    continue
        out.append(text[i])
        i += 1
    return nfc("".join(out)) if found else None


def _check_encoding(name: str, rows: Rows, header_row: int, columns: dict[str, int]) -> None:
    """Text that decodes but was mangled on the way: one line naming the first row (raises RosterError)."""
    labels = {index: LABELS[column] for column, index in columns.items() if index >= 0}
    mangled: list[tuple[int, str, str]] = []  # row, field, message
    for number, cells in rows:
        line = "\n".join(cells)  # one search a row: nearly every row has nothing a wrong encoding leaves
        if line.isascii() or not (_MANGLED_HINT.search(line) or _TCVN3_CHAR.search(line)):
            continue
        for index, cell in enumerate(cells):
            if not cell or cell.isascii():
                continue
            field = labels.get(index, "(mã hoá)") if number > header_row else "(tiêu đề)"
            fixed = unmangle(cell) if _MANGLED_HINT.search(cell) else None
            if fixed is not None:
                mangled.append(
                    (
                        number,
                        field,
                        f"'{_short(cell)}' có vẻ là '{_short(fixed)}' bị hỏng mã (UTF-8 bị đọc như Windows-1252 rồi "
                        "lưu lại); lấy tệp gốc, " + SAVE_AS_UTF8,
                    )
                )
                break
            if _TCVN3_CHAR.search(cell):
                mangled.append(
                    (
                        number,
                        field,
                        f"'{_short(cell)}' có ký tự của bảng mã TCVN3 (ABC, phông .VnTime); chuyển sang Unicode "
                        "(Unikey: Công cụ chuyển mã, TCVN3 → Unicode) rồi " + SAVE_AS_UTF8,
                    )
                )
                break
    if mangled:
        number, field, message = mangled[0]
        raise RosterError([Problem(name, number, field, message + _also(n for n, _, _ in mangled[1:]))])


def _also(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    if not numbers:
        return ""
    shown = ", ".join(str(n) for n in numbers[:5])
    rest = f" và {len(numbers) - 5} dòng khác" if len(numbers) > 5 else ""
    return f"; cũng gặp ở dòng {shown}{rest}"


def _short(text: str, limit: int = 60) -> str:
    """The start of a cell for a message, its invisible characters made visible (a NUL or a bidi override printed
    to the terminal would hide or reorder the message itself)."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text if text.isprintable() else "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


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
        rest = f"còn {_count(self.more)} lỗi khác từ dòng này trở đi; sửa các lỗi trên rồi chạy lại"
        return [*self.listed, Problem(self.name, self.first_unlisted, "(tệp)", rest)]


def _check_rows(
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
                bad("unit", f"đơn vị '{_short(unit)}' cần có chữ hoặc số")
            elif unit_id in units and units[unit_id][2] != folded:
                spelling, row, _ = units[unit_id]
                bad(
                    "unit",
                    f"đơn vị '{_short(unit)}' và '{_short(spelling)}' (dòng {row}) chỉ khác dấu; "
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
            bad("email", f"email '{_short(email)}' không hợp lệ (dạng ten@vi-du.vn); sửa hoặc để trống")

        if found.count == before:
            out.append(Learner(learner_id, full_name, unit, role, email, number))
    return found


def _bad_id(learner_id: str) -> str:
    suggestion = slug(learner_id)
    hint = f"; có phải '{suggestion}'?" if suggestion and suggestion != learner_id else ""
    return (
        f"mã '{_short(learner_id)}' không hợp lệ: mã chỉ gồm chữ thường a-z, chữ số 0-9 và dấu gạch ngang "
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
            f"'{_short(value)}' có ký tự '?' hoặc '\ufffd': chữ có dấu đã mất khi tệp được lưu bằng bảng mã khác; "
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
