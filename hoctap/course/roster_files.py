"""A roster file → its rows of text: CSV (UTF-8, its delimiter guessed) or XLSX, the header row found, and text that
an encoding mangled on the way named (one line, nothing guessed: the fix is to save the file again as CSV UTF-8)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import itertools
import re
from pathlib import Path

from hoctap.errors import Problem, RosterError
from hoctap.topic import fold, nfc

from .roster_format import (
    HEADER_SEARCH_ROWS,
    HEADERS,
    LABELS,
    REQUIRED,
    SAVE_AS_UTF8,
    SILENT,
    Rows,
    also,
    count_text,
    short,
)


def text_rows(path: Path) -> Rows:
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
                f'một ô từ dòng này dài hơn {count_text(csv.field_size_limit())} ký tự: có lẽ một dấu nháy kép (") mở '
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
    hint = f" (đọc theo Windows-1258 thì là '{short(cell)}')" if cell else ""
    more = also(n for n, _, _ in bad[1:])
    return Problem(
        name,
        number,
        "(mã hoá)",
        f"tệp không phải UTF-8: byte 0x{line[start]:02X} ở dòng này; có lẽ tệp được lưu bằng bảng mã "
        f"Windows-1258/ANSI{hint}; {SAVE_AS_UTF8}{more}",
    )


def excel_rows(path: Path) -> tuple[Rows, list[str]]:
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


def find_header(name: str, rows: Rows) -> tuple[int, dict[str, int], list[str], list[Problem]]:
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


def check_encoding(name: str, rows: Rows, header_row: int, columns: dict[str, int]) -> None:
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
                        f"'{short(cell)}' có vẻ là '{short(fixed)}' bị hỏng mã (UTF-8 bị đọc như Windows-1252 rồi "
                        "lưu lại); lấy tệp gốc, " + SAVE_AS_UTF8,
                    )
                )
                break
            if _TCVN3_CHAR.search(cell):
                mangled.append(
                    (
                        number,
                        field,
                        f"'{short(cell)}' có ký tự của bảng mã TCVN3 (ABC, phông .VnTime); chuyển sang Unicode "
                        "(Unikey: Công cụ chuyển mã, TCVN3 → Unicode) rồi " + SAVE_AS_UTF8,
                    )
                )
                break
    if mangled:
        number, field, message = mangled[0]
        raise RosterError([Problem(name, number, field, message + also(n for n, _, _ in mangled[1:]))])
