"""Rosters too big, too broken or too hostile to list in full: a capped list of located lines, never a traceback,
and nothing with markup reaches the gradebook."""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hoctap.course.roster import MAX_PROBLEMS, Learner, read_roster
from hoctap.course.roster_import import import_roster
from hoctap.errors import RosterError
from tests.specs import mini_spec, write_spec

LINE = re.compile(r"^(?P<file>.+?):(?P<row>\d+): (?P<field>[^:]+): (?P<msg>.+)$")
HEADER = "mã học viên,họ và tên,đơn vị,vai trò\n"
ROLES = {"dang-vien": "dang-vien", "dang vien": "dang-vien"}
HOCTAP = Path(sys.executable).with_name("hoctap")  # the console script of this venv


def rows(count: int, role: str = "bi-thu", learner_id: str = "tn-{:05d}") -> str:
    return "".join(f"{learner_id.format(i)},Nguyễn Văn An,Chi bộ Văn phòng,{role}\n" for i in range(count))


def refused(path: Path, roles=ROLES) -> list[str]:
    with pytest.raises(RosterError) as caught:
        read_roster(path, roles)
    lines = [str(p) for p in caught.value.problems]
    assert all(LINE.match(line) and line.startswith(f"{path}:") for line in lines), lines
    return lines


# ---------------------------------------------------------------- at most MAX_PROBLEMS lines, then a count


def test_thirty_thousand_bad_rows_give_twenty_lines_and_a_count(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(HEADER + rows(30_000), encoding="utf-8")
    lines = refused(path)
    assert len(lines) == MAX_PROBLEMS + 1 == 21
    assert [LINE.match(line)["row"] for line in lines[:-1]] == [str(row) for row in range(2, 22)]  # in row order
    assert all("vai trò 'bi-thu' không có trong chuyên đề" in line for line in lines[:-1])
    assert lines[-1] == f"{path}:22: (tệp): còn 29 980 lỗi khác từ dòng này trở đi; sửa các lỗi trên rồi chạy lại"


def test_the_count_is_of_problems_not_rows(tmp_path):
    path = tmp_path / "two-a-row.csv"
    path.write_text(HEADER + rows(15, learner_id="TN {}"), encoding="utf-8")  # a bad id and a bad role on each row
    lines = refused(path)
    assert [LINE.match(line)["row"] for line in lines[:-1]] == [str(row) for row in range(2, 12) for _ in (1, 2)]
    assert lines[-1] == f"{path}:12: (tệp): còn 10 lỗi khác từ dòng này trở đi; sửa các lỗi trên rồi chạy lại"


def test_exactly_the_cap_needs_no_count_line(tmp_path):
    path = tmp_path / "twenty.csv"
    path.write_text(HEADER + rows(MAX_PROBLEMS), encoding="utf-8")
    lines = refused(path)
    assert len(lines) == MAX_PROBLEMS and "còn" not in lines[-1]


# ---------------------------------------------------------------- cells csv cannot read


def test_an_unclosed_quote_that_swallows_the_file_is_one_line_at_its_row(tmp_path):
    path = tmp_path / "quote.csv"
    good = rows(3_000, role="dang-vien", learner_id="tn-{:05d}x")  # ~150 000 characters after the open quote
    path.write_text(HEADER + 'tn-1,Lê An,Chi bộ A,dang-vien\ntn-2,"Lê Bình,Chi bộ A,dang-vien\n' + good, "utf-8")
    (line,) = refused(path)
    found = LINE.match(line)
    assert (found["row"], found["field"]) == ("3", "(tệp)")
    assert "dài hơn 131 072 ký tự" in found["msg"] and 'dấu nháy kép (")' in found["msg"]


def test_a_cell_over_the_csv_field_limit_is_one_line_at_the_row_its_record_starts(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        HEADER + 'tn-1,"Lê\nAn",Chi bộ A,dang-vien\ntn-2,"' + "A" * 200_000 + '",Chi bộ A,dang-vien\n', "utf-8"
    )
    (line,) = refused(path)
    assert LINE.match(line)["row"] == "4" and "131 072" in line


def test_a_nul_byte_is_one_line_at_its_row(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text(HEADER + "tn-1,Lê An,Chi bộ A,dang-vien\ntn-2,Lê\0Bình,Chi bộ A,dang-vien\n", encoding="utf-8")
    (line,) = refused(path)
    found = LINE.match(line)
    assert (found["row"], found["field"]) == ("3", "(mã hoá)") and "NUL" in found["msg"] and "CSV UTF-8" in line


def test_utf16_without_its_bom_is_the_nul_line_not_a_missing_header(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes("id,full name,unit,role\r\ntn-1,Le An,Chi bo A,dang-vien\r\n".encode("utf-16-le"))
    assert not path.read_bytes().startswith(codecs.BOM_UTF16_LE)
    (line,) = refused(path)
    assert LINE.match(line)["row"] == "1" and "UTF-16" in line


def test_invisible_characters_in_a_message_are_shown_not_printed(tmp_path):
    path = tmp_path / "bidi.csv"
    path.write_text(HEADER + "tn-1\u202e,Lê An,Chi bộ A,dang-vien\n", encoding="utf-8")  # a right-to-left override
    (line,) = refused(path)
    assert "mã 'tn-1\\u202e' không hợp lệ" in line and "\u202e" not in line


# ---------------------------------------------------------------- learners built by callers


def test_import_refuses_markup_in_learners_built_by_a_caller_before_touching_the_gradebook(tmp_path):
    database = tmp_path / "gradebook.db"
    hostile = [
        Learner("tn-1", "Lê An", "Chi bộ A", "dang-vien", row=2),
        Learner("tn-2", "<b>Bình</b>", "Chi bộ A", "dang-vien", row=3),
        Learner("tn-3", "Lê Cường", "Phòng <i>A</i>", "dang-vien", row=4),
        Learner("tn-4", "Lê Dung", "Phòng R&D", "dang-vien", row=5),
    ]
    with pytest.raises(RosterError) as caught:
        import_roster(hostile, f"sqlite:///{database}", tmp_path / "codes.csv")
    assert [str(p) for p in caught.value.problems] == [
        "(danh sách):3: họ và tên: họ và tên có ký tự '<' không có trong tên người; tên chỉ gồm chữ cái, chữ số, "
        "dấu cách và các dấu ' - . ( )",
        "(danh sách):4: đơn vị: đơn vị có ký tự '<' không dùng trong tên đơn vị (đó là ký tự của mã trang web)",
        "(danh sách):5: đơn vị: đơn vị có ký tự '&' không dùng trong tên đơn vị (đó là ký tự của mã trang web); "
        "viết 'và' thay cho '&'",
    ]
    assert not database.exists() and not (tmp_path / "codes.csv").exists()


def test_problems_of_learners_built_by_a_caller_are_capped_too(tmp_path):
    many = [Learner(f"tn-{i}", "<b>An</b>", "Chi bộ A", "dang-vien", row=i + 2) for i in range(100)]
    with pytest.raises(RosterError) as caught:
        import_roster(many, f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path / "codes.csv")
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == MAX_PROBLEMS + 1 and lines[-1].startswith("(danh sách):22: (tệp): còn 80 lỗi khác")


# ---------------------------------------------------------------- through the command line


@pytest.fixture
def kit_home(tmp_path) -> Path:
    """A kit folder with the mini spec (its one role: dang-vien); HOCTAP_HOME points the CLI there."""
    topics = tmp_path / "kit" / "data" / "topics"
    topics.mkdir(parents=True)
    write_spec(topics, mini_spec())
    return tmp_path / "kit"


def test_roster_import_prints_located_lines_and_exits_1_without_a_traceback(tmp_path, kit_home):
    path = tmp_path / "ds.csv"
    path.write_text(HEADER + rows(3_000), encoding="utf-8")
    done = subprocess.run(
        [str(HOCTAP), "roster", "import", str(path)],
        env={**os.environ, "HOCTAP_HOME": str(kit_home)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == MAX_PROBLEMS + 1 and all(LINE.match(line) for line in lines), lines
    assert lines[-1] == f"{path}:22: (tệp): còn 2 980 lỗi khác từ dòng này trở đi; sửa các lỗi trên rồi chạy lại"
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (kit_home / "var").exists()  # nothing imported, no codes written
