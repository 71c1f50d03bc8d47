"""Reading rosters: every accepted form gives the same learners; every bad input gives one line `FILE:ROW: column: …`.

Hostile and broken rows are built here, never kept in data/rosters/sample.csv.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from hoctap.course.access import ALPHABET, code_matches, hash_code, new_code, normalise_code
from hoctap.course.roster import Learner, read_roster, roles_from_topics, split_name, unmangle
from hoctap.errors import RosterError, SpecError
from hoctap.topic import load_topic
from hoctap.topic.catalog import layout

LINE = re.compile(r"^(?P<file>.+?):(?P<row>\d+): (?P<field>[^:]+): (?P<msg>.+)$")
SAMPLE = layout().root / "data" / "rosters" / "sample.csv"
HEADER = ["mã học viên", "họ và tên", "đơn vị", "vai trò", "email"]
GOOD = [
    ["tn-0001", "Nguyễn Văn Hùng", "Chi bộ Văn phòng Tỉnh ủy", "can-bo-chu-chot", "hung@example.com"],
    ["tn-0002", "Trần Thị Thu Hà", "Chi bộ Văn phòng Tỉnh ủy", "dang-vien", ""],
    ["tn-0003", "Đặng Quốc Việt", "Sở Giáo dục và Đào tạo", "khong-dang-vien", ""],
]


@pytest.fixture(scope="module")
def roles() -> dict[str, str]:
    return roles_from_topics([load_topic(layout().topics / "2021-chuyen-de-toan-khoa.yaml")])


def write_csv(folder: Path, rows: list[list[str]], name: str = "ds.csv", *, bom: bool = False, sep: str = ",") -> Path:
    def cell(text: str) -> str:
        return f'"{text}"' if any(c in text for c in ',;"\n') else text

    text = "".join(sep.join(cell(c) for c in row) + "\r\n" for row in rows)
    path = folder / name
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    return path


def write_xlsx(folder: Path, rows: list[list], name: str = "ds.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path


def problems(path: Path, roles: dict[str, str] | None) -> list[str]:
    with pytest.raises(RosterError) as caught:
        read_roster(path, roles)
    assert isinstance(caught.value, SpecError)  # the CLI prints these one per line, like spec errors
    lines = [str(p) for p in caught.value.problems]
    for line in lines:
        assert "\n" not in line and LINE.match(line), line
        assert line.startswith(f"{path}:"), line
    return lines


def only_line(path: Path, roles) -> re.Match:
    lines = problems(path, roles)
    assert len(lines) == 1, lines
    return LINE.match(lines[0])


def mangle(text: str) -> str:
    """UTF-8 read as Windows-1252 (bytes it leaves undefined pass as Latin-1), as Excel does on the way."""
    return "".join(
        bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in text.encode("utf-8")
    )


def to_cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: base letters with ^, ˘ and the horn precomposed, tones combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out


# ---------------------------------------------------------------- the sample and the forms accepted


def test_sample_has_about_40_learners_in_several_units_and_roles(roles):
    learners = read_roster(SAMPLE, roles)
    assert 35 <= len(learners) <= 45
    assert len({one.unit for one in learners}) >= 4
    assert {one.role for one in learners} >= {"can-bo-chu-chot", "dang-vien", "khong-dang-vien"}
    assert any(one.email for one in learners) and not all(one.email for one in learners)
    assert learners.notes == []
    text = SAMPLE.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    assert all(re.fullmatch(r"tn-\d{4}", one.id) for one in learners)


def test_bom_and_no_bom_give_the_same_learners(tmp_path, roles):
    plain = read_roster(write_csv(tmp_path, [HEADER, *GOOD], "a.csv"), roles)
    bom = read_roster(write_csv(tmp_path, [HEADER, *GOOD], "b.csv", bom=True), roles)
    assert plain == bom
    assert plain[0] == Learner(
        "tn-0001", "Nguyễn Văn Hùng", "Chi bộ Văn phòng Tỉnh ủy", "can-bo-chu-chot", "hung@example.com", 2
    )
    assert plain[1].email is None


def test_semicolon_csv_from_vietnamese_excel(tmp_path, roles):
    assert read_roster(write_csv(tmp_path, [HEADER, *GOOD], sep=";"), roles) == read_roster(
        write_csv(tmp_path, [HEADER, *GOOD], "b.csv"), roles
    )


@pytest.mark.parametrize(
    "header",
    [
        ["id", "full name", "unit", "role", "email"],
        ["ID", "Full Name", "Unit", "Role", "E-mail"],
        ["Mã học viên", "Họ và tên", "Đơn vị", "Vai trò", "Email"],
        ["MÃ HỌC VIÊN", "HỌ VÀ TÊN", "ĐƠN VỊ", "VAI TRÒ", "THƯ ĐIỆN TỬ"],
        ["ma", "ho ten", "don vi", "vai tro", "email"],
        [unicodedata.normalize("NFD", h) for h in HEADER],
    ],
)
def test_headers_in_vietnamese_or_english_any_case_with_or_without_diacritics(tmp_path, roles, header):
    learners = read_roster(write_csv(tmp_path, [header, *GOOD]), roles)
    assert [one.id for one in learners] == ["tn-0001", "tn-0002", "tn-0003"]
    assert learners[0].email == "hung@example.com"


def test_title_rows_stt_column_and_split_name_columns(tmp_path, roles):
    rows = [
        ["DANH SÁCH HỌC VIÊN LỚP CHUYÊN ĐỀ 2021", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["STT", "Mã học viên", "Họ đệm", "Tên", "Đơn vị", "Vai trò", "Ghi chú"],
        ["1", "tn-0001", "Nguyễn Văn", "Hùng", "Chi bộ Văn phòng Tỉnh ủy", "dang-vien", "tổ trưởng"],
    ]
    path = write_csv(tmp_path, rows)
    learners = read_roster(path, roles)
    assert learners == [Learner("tn-0001", "Nguyễn Văn Hùng", "Chi bộ Văn phòng Tỉnh ủy", "dang-vien", None, 4)]
    assert learners.notes == [
        f"{path}:3: Ghi chú: bỏ qua cột 7 (bộ công cụ không lưu cột này)",
        f"{path}:1: (tiêu đề): bỏ qua dòng phía trên dòng tiêu đề cột",
    ]


@pytest.mark.parametrize(
    "label",
    [
        "dang-vien",
        "Dang vien",
        "Đảng viên",
        "Cán bộ, đảng viên",
        "CÁN BỘ, ĐẢNG VIÊN",
        unicodedata.normalize("NFD", "Cán bộ, đảng viên"),
    ],
)
def test_roles_as_id_or_vietnamese_name(tmp_path, roles, label):
    path = write_csv(tmp_path, [HEADER, ["tn-0001", "Lê Minh Tuấn", "Chi bộ A", label, ""]])
    assert read_roster(path, roles)[0].role == "dang-vien"


def test_without_a_topic_any_role_id_is_accepted(tmp_path):
    path = write_csv(tmp_path, [HEADER, ["tn-0001", "Lê Minh Tuấn", "Chi bộ A", "bao-cao-vien", ""]])
    assert read_roster(path, None)[0].role == "bao-cao-vien"


def test_texts_are_nfc_single_spaced_and_tone_placements_are_one_unit(tmp_path, roles):
    rows = [
        HEADER,
        ["tn-0001", unicodedata.normalize("NFD", "  Nguyễn   Thị  Thuý "), "Chi bộ Văn phòng Tỉnh ủy", "dang-vien", ""],
        ["tn-0002", "Hà Văn Hoà", "Chi bộ Văn phòng Tỉnh uỷ", "dang-vien", ""],
    ]
    first, second = read_roster(write_csv(tmp_path, rows), roles)
    assert first.full_name == "Nguyễn Thị Thuý" and unicodedata.is_normalized("NFC", first.full_name)
    assert second.unit == first.unit == "Chi bộ Văn phòng Tỉnh ủy"
    assert first.unit_id == "chi-bo-van-phong-tinh-uy"


def test_xlsx_reads_like_csv_with_excel_row_numbers(tmp_path, roles):
    rows = [["Danh sách lớp"], [], HEADER, *GOOD, [], ["tn-0004", "Vũ Thị Lan", "Chi bộ A", "dang-vien", None]]
    learners = read_roster(write_xlsx(tmp_path, rows), roles)
    assert [one.id for one in learners] == ["tn-0001", "tn-0002", "tn-0003", "tn-0004"]
    assert [one.row for one in learners] == [4, 5, 6, 8]
    from_csv = read_roster(write_csv(tmp_path, [HEADER, *GOOD]), roles)
    assert [(a.id, a.full_name, a.unit, a.role, a.email) for a in learners[:3]] == [
        (a.id, a.full_name, a.unit, a.role, a.email) for a in from_csv
    ]


def test_xlsx_reads_the_first_sheet_and_says_so(tmp_path, roles):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Lớp 1"
    for row in [HEADER, *GOOD]:
        workbook.active.append(row)
    workbook.create_sheet("Lớp 2").append(HEADER)
    workbook.save(tmp_path / "two.xlsx")
    learners = read_roster(tmp_path / "two.xlsx", roles)
    assert len(learners) == 3
    note = f"{tmp_path / 'two.xlsx'}:1: (trang tính): chỉ đọc trang tính đầu tiên 'Lớp 1', bỏ qua 'Lớp 2'"
    assert learners.notes == [note]


def test_xlsx_errors_name_the_sheet_row(tmp_path, roles):
    rows = [HEADER, GOOD[0], GOOD[1], ["tn-0001", "Vũ Thị Lan", "Chi bộ A", "dang-vien", None]]
    found = only_line(write_xlsx(tmp_path, rows), roles)
    assert (found["row"], found["field"]) == ("4", "mã học viên")
    assert "trùng với dòng 2" in found["msg"]


def test_names_split_into_ho_dem_and_ten():
    assert split_name("Nguyễn Thị Minh Khai") == ("Nguyễn Thị Minh", "Khai")
    assert split_name("Páo") == ("", "Páo")
    one = Learner("tn-1", "Âu Dương Khải", "Chi bộ A", "dang-vien")
    assert (one.last_name, one.first_name) == ("Âu Dương", "Khải")


# ---------------------------------------------------------------- bad rows: one line each, all at once


def test_duplicate_ids_one_line_each_naming_the_first_row(tmp_path, roles):
    rows = [HEADER, *GOOD, ["tn-0002", "Vũ Thị Lan", "Chi bộ A", "dang-vien", ""], GOOD[1]]
    path = write_csv(tmp_path, rows)
    assert problems(path, roles) == [
        f"{path}:5: mã học viên: mã 'tn-0002' trùng với dòng 3; mỗi học viên cần một mã riêng",
        f"{path}:6: mã học viên: mã 'tn-0002' trùng với dòng 3; mỗi học viên cần một mã riêng",
    ]


def test_empty_names_unknown_roles_bad_ids_and_emails_all_reported(tmp_path, roles):
    rows = [
        HEADER,
        GOOD[0],
        ["tn-0002", "   ", "Chi bộ A", "dang-vien", ""],
        ["tn-0003", "Lê Minh Tuấn", "Chi bộ A", "bí thư", ""],
        ["TN-0004", "Vũ Thị Lan", "Chi bộ A", "dang-vien", ""],
        ["tn 0005", "Hồ Thị Ngân", "Chi bộ A", "dang-vien", ""],
        ["nguyễn", "Hồ Thị Ngân", "Chi bộ A", "dang-vien", ""],
        ["tn-0008", "Mai Văn Tư", "", "", "tu@"],
        ["", "Chu Thị Yến", "Chi bộ A", "nhan-dan", ""],
    ]
    path = write_csv(tmp_path, rows)
    roles_help = (
        "dùng một trong: can-bo-chu-chot, dang-vien, khong-dang-vien, nhan-dan (hoặc tên đối tượng ghi trong chuyên đề)"
    )
    id_rule = (
        "mã chỉ gồm chữ thường a-z, chữ số 0-9 và dấu gạch ngang (không dấu, không khoảng trắng, tối đa 128 ký tự), "
        "ví dụ tn-0001"
    )
    assert problems(path, roles) == [
        f"{path}:3: họ và tên: thiếu họ và tên; điền họ và tên hoặc xoá cả dòng",
        f"{path}:4: vai trò: vai trò 'bí thư' không có trong chuyên đề; {roles_help}",
        f"{path}:5: mã học viên: mã 'TN-0004' không hợp lệ: {id_rule}; có phải 'tn-0004'?",
        f"{path}:6: mã học viên: mã 'tn 0005' không hợp lệ: {id_rule}; có phải 'tn-0005'?",
        f"{path}:7: mã học viên: mã 'nguyễn' không hợp lệ: {id_rule}; có phải 'nguyen'?",
        f"{path}:8: đơn vị: thiếu đơn vị; điền đơn vị hoặc xoá cả dòng",
        f"{path}:8: vai trò: thiếu vai trò; {roles_help}",
        f"{path}:8: email: email 'tu@' không hợp lệ (dạng ten@vi-du.vn); sửa hoặc để trống",
        f"{path}:9: mã học viên: thiếu mã học viên; mỗi học viên cần một mã, ví dụ tn-0001",
    ]


def test_a_misspelt_role_gets_a_guess_and_without_a_topic_a_role_must_be_an_id(tmp_path, roles):
    path = write_csv(tmp_path, [HEADER, ["tn-0001", "Lê Minh Tuấn", "Chi bộ A", "dang-vein", ""]])
    assert (
        "vai trò 'dang-vein' không có trong chuyên đề; có phải 'dang-vien'? dùng một trong:"
        in only_line(path, roles)["msg"]
    )
    path = write_csv(tmp_path, [HEADER, ["tn-0001", "Lê Minh Tuấn", "Chi bộ A", "Đảng viên", ""]], "b.csv")
    assert only_line(path, None)["msg"] == (
        "vai trò 'Đảng viên' không hợp lệ; vai trò là một mã trong [a-z0-9-], ví dụ dang-vien"
    )


def test_the_column_is_named_as_the_file_names_it(tmp_path, roles):
    rows = [["ID", "Full name", "Unit", "Role"], ["tn-0001", "", "Chi bộ A", "dang-vien"]]
    path = write_csv(tmp_path, rows)
    assert problems(path, roles) == [f"{path}:2: Full name: thiếu họ và tên; điền họ và tên hoặc xoá cả dòng"]


def test_lost_invisible_and_too_many_characters_are_refused(tmp_path, roles):
    rows = [
        HEADER,
        ["tn-0001", "Lê Minh Tuấn", "=SUM(A1)+1", "dang-vien", ""],  # a formula is data: the codes file escapes it
        ["tn-0002", "Nguy?n V?n An", "Chi bộ A", "dang-vien", ""],
        ["tn-0003", "Lê\u200bMinh", "Chi bộ A", "dang-vien", ""],
        ["tn-0004", "A" * 129, "Chi bộ A", "dang-vien", ""],
    ]
    path = write_csv(tmp_path, rows)
    lines = problems(path, roles)
    assert [LINE.match(x)["row"] for x in lines] == ["3", "4", "5"]
    assert "chữ có dấu đã mất" in lines[0] and "CSV UTF-8" in lines[0]
    assert "vô hình" in lines[1] and "quá 128" in lines[2]
    del rows[2:]
    assert read_roster(write_csv(tmp_path, rows, "ok.csv"), roles)[0].unit == "=SUM(A1)+1"


# nbgrader's formgrader prints student names unescaped into the instructor's page: markup in a name is script there.
NAME_REFUSED = [*'<>&"`{}\\', *"$|[]=+@;/#:!*%^~,_"]


@pytest.mark.parametrize("char", NAME_REFUSED)
def test_a_name_with_a_character_no_name_has_is_refused_naming_the_cell(tmp_path, roles, char):
    rows = [HEADER, GOOD[0], ["tn-0002", f"Trần Thị{char}Hà", "Chi bộ A", "dang-vien", ""]]
    path = write_csv(tmp_path, rows)
    assert problems(path, roles) == [
        f"{path}:3: họ và tên: họ và tên có ký tự '{char}' không có trong tên người; tên chỉ gồm chữ cái, chữ số, "
        "dấu cách và các dấu ' - . ( )" + ("; viết 'và' thay cho '&'" if char == "&" else "")
    ]


@pytest.mark.parametrize("char", [*'<>&"`{}\\'])
def test_a_unit_with_markup_is_refused_naming_the_cell(tmp_path, roles, char):
    rows = [["Mã", "Họ tên", "Cơ quan", "Vai trò"], ["tn-0001", "Lê Minh Tuấn", f"Phòng A {char} B", "dang-vien"]]
    path = write_csv(tmp_path, rows)
    hint = "; viết 'và' thay cho '&'" if char == "&" else ""
    assert problems(path, roles) == [
        f"{path}:2: Cơ quan: đơn vị có ký tự '{char}' không dùng trong tên đơn vị (đó là ký tự của mã trang web){hint}"
    ]


def test_script_in_a_name_is_one_line_and_split_name_columns_are_checked_too(tmp_path, roles):
    rows = [
        ["mã học viên", "họ đệm", "tên", "đơn vị", "vai trò"],
        ["tn-0001", "<img src=x onerror=alert(1)>", "An", "Chi bộ A", "dang-vien"],
    ]
    found = only_line(write_csv(tmp_path, rows), roles)
    assert (found["row"], found["field"]) == ("2", "họ và tên") and "ký tự '<'" in found["msg"]


@pytest.mark.parametrize(
    "full_name",
    [
        "Âu Dương Khải",
        "Lò Văn Páo",
        "H'Hen Niê",
        "H’Hen Niê",  # the typographic apostrophe Word puts in
        "Y Ƀhiăo Niê Kdăm",
        "Rơ Mah Ŏk",
        "Ksor H’Ñuen",
        "Đinh Thị Hơ̆",  # ơ with a breve (Bahnar): no precomposed letter, a combining mark stays after NFC
        "Nguyễn Thị A. (Út)",
        "Lê-Trần Minh",
        "李小龍",
        "Иван Петров",
        "Nguyễn Văn An 2",  # a roster may number people who share a name
    ],
)
def test_names_of_every_people_and_script_are_kept(tmp_path, roles, full_name):
    rows = [HEADER, ["tn-0001", full_name, "Sở Văn hoá, Thể thao và Du lịch (khối 3/4)", "dang-vien", ""]]
    learner = read_roster(write_csv(tmp_path, rows), roles)[0]
    assert learner.full_name == unicodedata.normalize("NFC", full_name)
    assert learner.unit == "Sở Văn hoá, Thể thao và Du lịch (khối 3/4)"


def test_units_that_differ_only_in_diacritics_are_questioned(tmp_path, roles):
    rows = [HEADER, GOOD[0], ["tn-0002", "Lê Minh Tuấn", "Chi bộ Văn phòng Tinh ủy", "dang-vien", ""]]
    found = only_line(write_csv(tmp_path, rows), roles)
    assert (found["row"], found["field"]) == ("3", "đơn vị") and "chỉ khác dấu" in found["msg"]


def test_missing_column_and_missing_header(tmp_path, roles):
    path = write_csv(tmp_path, [["mã học viên", "họ và tên", "đơn vị", "vaitro"], GOOD[0][:4]])
    assert problems(path, roles) == [f"{path}:1: vai trò: thiếu cột 'vai trò'; có phải cột 'vaitro'? (đổi tên tiêu đề)"]
    path = write_csv(tmp_path, [["mã học viên", "họ và tên", "đơn vị"], GOOD[0][:3]], "b.csv")
    assert problems(path, roles) == [f"{path}:1: vai trò: thiếu cột 'vai trò'; thêm cột 'vai trò'"]
    path = write_csv(tmp_path, GOOD, "c.csv")
    found = only_line(path, roles)
    assert (found["row"], found["field"]) == ("1", "(tiêu đề)") and "không thấy dòng tiêu đề cột" in found["msg"]


def test_header_only_and_blank_rows(tmp_path, roles):
    found = only_line(write_csv(tmp_path, [HEADER, ["", "", "", "", ""]]), roles)
    assert found["row"] == "1" and "không có học viên nào" in found["msg"]
    path = tmp_path / "blank.csv"
    path.write_text("mã học viên,họ và tên,đơn vị,vai trò\n\n\ntn-0001,,Chi bộ A,dang-vien\n", encoding="utf-8")
    assert only_line(path, roles)["row"] == "4"  # blank lines still count: the row is the one an editor shows


def test_a_quoted_cell_over_two_lines_keeps_the_row_numbers_true(tmp_path, roles):
    path = tmp_path / "multi.csv"
    path.write_text(
        'mã học viên,họ và tên,đơn vị,vai trò\ntn-0001,Lê Minh Tuấn,"Chi bộ A\nxã B",dang-vien\ntn-0002,,Chi bộ A,'
        "dang-vien\n",
        encoding="utf-8",
    )
    assert only_line(path, roles)["row"] == "4"


# ---------------------------------------------------------------- encodings gone wrong: one line, naming the row


def test_utf8_read_as_cp1252_and_saved_again_is_one_line(tmp_path, roles):
    rows = [HEADER, GOOD[0], *[[c if i != 1 else mangle(c) for i, c in enumerate(r)] for r in GOOD[1:]]]
    assert rows[2][1] == "Tráº§n Thá»‹ Thu HÃ\xa0"
    path = write_csv(tmp_path, rows)
    found = only_line(path, roles)
    assert (found["row"], found["field"]) == ("3", "họ và tên")
    assert "'Trần Thị Thu Hà' bị hỏng mã" in found["msg"] and '"CSV UTF-8' in found["msg"]
    assert found["msg"].endswith("cũng gặp ở dòng 4")


@pytest.mark.parametrize("word", ["Nguyễn", "Đặng", "Hoà", "Ánh", "Tỉnh ủy"])
def test_unmangle_finds_the_original_and_leaves_vietnamese_alone(word):
    assert unmangle(mangle(word)) == word
    assert unmangle(word) is None
    assert unmangle("Nguyá»…n") == "Nguyễn" and unmangle("Ä‘") == "đ" and unmangle("Ã¡") == "á"


def test_a_mangled_header_is_one_line_too(tmp_path, roles):
    path = write_csv(tmp_path, [[mangle(h) for h in HEADER], *GOOD])
    found = only_line(path, roles)
    assert (found["row"], found["field"]) == ("1", "(tiêu đề)") and "'mã học viên'" in found["msg"]


def test_windows_1258_bytes_are_one_line_naming_the_row(tmp_path, roles):
    rows = [["id", "full name", "unit", "role"], ["tn-0009", "Le Minh Tuan", "Chi bo A", "dang-vien"]]
    rows += [r[:4] for r in GOOD]
    text = "".join(",".join(r) + "\r\n" for r in rows)
    path = tmp_path / "ansi.csv"
    path.write_bytes(to_cp1258(text))
    found = only_line(path, roles)
    assert (found["row"], found["field"]) == ("3", "(mã hoá)")
    assert "không phải UTF-8" in found["msg"] and "Windows-1258" in found["msg"] and "CSV UTF-8" in found["msg"]
    assert "'Nguyễn Văn Hùng'" in found["msg"] and found["msg"].endswith("cũng gặp ở dòng 4, 5")


def test_latin1_byte_and_utf16_are_one_line(tmp_path, roles):
    path = tmp_path / "latin.csv"
    path.write_bytes("id,full name,unit,role\ntn-1,Lê Hà,Chi bộ A,dang-vien\n".encode().replace(b"\xc3\xaa", b"\xea"))
    assert only_line(path, roles)["row"] == "2"
    path = tmp_path / "utf16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "mã học viên\tvai trò\n".encode("utf-16-le"))
    found = only_line(path, roles)
    assert found["row"] == "1" and "UTF-16" in found["msg"]


def test_tcvn3_text_is_one_line(tmp_path, roles):
    rows = [HEADER, ["tn-0001", "NguyÔn V¨n Hïng", "Chi bé V¨n phßng TØnh ñy", "dang-vien", ""], GOOD[1]]
    found = only_line(write_csv(tmp_path, rows), roles)
    assert (found["row"], found["field"]) == ("2", "họ và tên") and "TCVN3" in found["msg"]


# ---------------------------------------------------------------- files that are not rosters


def test_missing_file_old_excel_and_unknown_kind(tmp_path, roles):
    assert "không có tệp" in only_line(tmp_path / "none.csv", roles)["msg"]
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert ".xlsx" in only_line(tmp_path / "old.xls", roles)["msg"]
    (tmp_path / "list.pdf").write_bytes(b"%PDF")
    assert ".csv (UTF-8) hoặc .xlsx" in only_line(tmp_path / "list.pdf", roles)["msg"]
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert "không đọc được tệp Excel" in only_line(tmp_path / "broken.xlsx", roles)["msg"]


# ---------------------------------------------------------------- access codes


def test_codes_are_short_unambiguous_and_random():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", code)
    assert not set("01ilo") & set(ALPHABET)


def test_codes_are_stored_salted_and_checked_however_typed():
    code = "abcd-2345"
    stored = hash_code(code)
    assert stored.startswith("scrypt:16384:8:1$") and stored.count("$") == 2
    assert "abcd" not in stored and "2345" not in stored
    assert hash_code(code) != stored  # a salt of its own each time
    for typed in ("abcd-2345", "ABCD 2345", " abcd2345 ", "Abcd – 2345"):
        assert code_matches(typed, stored), typed
    assert normalise_code("AB cd-23 45") == "abcd2345"
    for typed in ("abcd-2346", "", "abcd-234"):
        assert not code_matches(typed, stored)
    for broken in (None, "", "md5$x$y", stored.replace("scrypt:16384", "scrypt:zz"), stored + "$"):
        assert not code_matches(code, broken)
