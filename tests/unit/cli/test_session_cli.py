"""`hoctap session …` through `hoctap.cli.main`, on a kit folder with the mini topic and a SQLite gradebook holding a
small roster (tests/unit/sessions/roster_db.py, made in milliseconds): open a session, list it, mark learners by
hand, import a signed paper list (a bad one marks nobody and says every problem in one line each), write the
attendance sheet, close the session by its code, edit the word filter; and `hoctap progress --by session`."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from hoctap.cli import main
from hoctap.course import engine_for
from hoctap.sessions import Rooms
from hoctap.topic.catalog import Layout
from tests.specs import mini_spec, write_source, write_spec
from tests.unit.sessions.roster_db import roster_engine

EVIL = "<script>alert(1)</script>"  # hv-003's first name in roster_db


@pytest.fixture
def kit(tmp_path, monkeypatch):
    topics = Layout(tmp_path).topics
    topics.mkdir(parents=True)
    write_source(topics)
    write_spec(topics, mini_spec())
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    roster_engine(url).dispose()
    monkeypatch.setenv("HOCTAP_HOME", str(tmp_path))
    monkeypatch.setenv("HOCTAP_DB_URL", url)
    monkeypatch.setenv("HOCTAP_JOIN_URL", "http://192.168.1.10:8866/voila/render/session.ipynb")
    return tmp_path, url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def opened(capsys, *extra: str) -> tuple[str, str]:
    code, out, _ = run(
        capsys, "session", "new", "--topic", "2030", "--lesson", "tong-quan", "--unit", "chi-bo-1", "--place",
        "Hội trường", "--trainer", "Lan", "--starts", "2025-03-01 08:00", *extra,
    )  # fmt: skip
    assert code == 0, out
    number, code_ = re.search(r"buổi học số (\d+) — mã tham gia (\d{6})", out).groups()
    assert f"session.ipynb?ma={code_}" in out
    return number, code_


def test_a_session_from_opening_to_its_signed_sheet(kit, capsys, tmp_path):
    home, url = kit
    number, code = opened(capsys)
    status, out, _ = run(capsys, "session", "list", "--open")
    assert status == 0 and out.startswith(f"{number}\t{code}\t01/03/2025 08:00\tChi bộ 1; Hội trường\tLan\t0 có mặt")

    status, out, err = run(capsys, "session", "mark", code, "hv-001", "hv-999", "--by", "Lan")
    assert status == 1 and out == "" and err.count("\n") == 1 and "hv-999" in err and "chưa đánh dấu ai" in err
    status, out, _ = run(capsys, "session", "mark", code, "HV-001", "hv-004", "--by", "Lan")
    assert status == 0 and out.count("có mặt lúc") == 2 and "hv-004 Phạm Văn Minh" in out

    bad = tmp_path / "giay-sai.csv"
    bad.write_text("Mã học viên,Họ và tên,Có mặt\nhv-002,Trần Thị Lan,x\nhv-777,Ai Đó,x\nhv-005,Nguyễn Văn Sai,x\n",
                   encoding="utf-8")  # fmt: skip
    status, out, err = run(capsys, "session", "import", number, str(bad), "--by", "Văn phòng")
    assert status == 1 and out == ""
    assert err.splitlines() == [
        f"{bad}:3: mã học viên: 'hv-777' không có trong danh sách học viên",
        f"{bad}:4: họ và tên: 'Nguyễn Văn Sai' khác tên trong danh sách học viên của mã hv-005: 'Võ Thị Hoa'",
    ]
    rooms = Rooms(engine_for(url))
    assert [p.student_id for p in rooms.present(int(number))] == ["hv-001", "hv-004"]  # nothing from the bad list

    good = tmp_path / "giay.csv"
    good.write_text("Mã học viên,Họ và tên,Có mặt\nhv-002,Trần Thị Lan,x\nhv-005,Võ Thị Hoa,\n", encoding="utf-8")
    status, out, _ = run(capsys, "session", "import", number, str(good), "--by", "Văn phòng")
    assert status == 0 and "1 người có mặt theo danh sách ký tên" in out and "có 3 người có mặt" in out

    sheet = tmp_path / "out" / "diem-danh.xlsx"
    status, out, _ = run(capsys, "session", "sheet", code, "--output", str(sheet))
    assert status == 0 and sheet.is_file()
    rows = list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))
    title = [r[0] for r in rows[:9] if r[0]]
    assert title[0] == "DANH SÁCH ĐIỂM DANH BUỔI HỌC TẬP, QUÁN TRIỆT"
    assert (
        "Chuyên đề: Chuyên đề thử nghiệm năm 2030" in title
        and f"Mã buổi học: {code} (buổi số {number}) — đang mở" in title
    )
    assert "Thời gian: 08:00 ngày 01/03/2025; địa điểm: Hội trường" in title and "Báo cáo viên: Lan" in title
    header = rows.index(("STT", "Mã học viên", "Họ và tên", "Đơn vị", "Vai trò", "Có mặt (giờ đến)", "Đến muộn",
                         "Cách điểm danh", "Ký tên"))  # fmt: skip
    table = {r[1]: r for r in rows[header + 1 :]}
    # Chi bộ 1's three learners (hv-003 absent), and hv-004 of Chi bộ 2, who came; not hv-005 (absent, other unit).
    assert sorted(table) == ["hv-001", "hv-002", "hv-003", "hv-004"]
    assert [r[0] for r in rows[header + 1 :]] == [1, 2, 3, 4]
    assert table["hv-003"][2] == f"Lê {EVIL}" and table["hv-003"][5] == "Vắng" and table["hv-003"][7] is None
    assert table["hv-002"][5] == "08:00" and table["hv-002"][7] == "danh sách giấy"  # a paper list: at the start
    assert table["hv-001"][7] == "đánh dấu tay" and table["hv-001"][6] == "có"  # marked now: long after 08:00
    assert all(r[8] is None for r in table.values())  # "Ký tên": blank, to sign

    status, out, _ = run(capsys, "session", "close", code)
    assert status == 0 and f"đã đóng buổi học số {number} (mã {code}): 3 người có mặt" in out
    assert run(capsys, "session", "list", "--open")[1] == ""
    status, out, _ = run(capsys, "session", "mark", number, "hv-005")  # after the session: marked at its start
    assert status == 0 and "có mặt lúc 08:00 01/03/2025" in out and "đến muộn" not in out

    status, out, _ = run(capsys, "progress", "--by", "session", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [(r["code"], r["expected"], r["present"], r["absent"], r["by_hand"], r["by_paper"]) for r in rows] == [
        (code, "3", "4", "1", "3", "1")  # Chi bộ 1 expected; hv-001, hv-004, hv-005 by hand, hv-002 on paper
    ]


def test_words_of_the_filter_are_added_listed_and_removed(kit, capsys):
    assert run(capsys, "session", "filter", "--add", "Từ Xấu", "tu xau")[1] == "đã thêm 1 từ: tu xau\n"
    assert "tu xau" in run(capsys, "session", "filter", "--list")[1].splitlines()
    assert run(capsys, "session", "filter", "--remove", "TỪ XẤU")[1] == "đã bỏ 1 từ\n"
    assert "tu xau" not in run(capsys, "session", "filter", "--list")[1].splitlines()
    with pytest.raises(SystemExit):
        main(["session", "filter"])  # one of --add, --remove, --list


def test_a_wrong_lesson_unit_or_session_is_one_line(kit, capsys):
    status, _, err = run(
        capsys, "session", "new", "--topic", "2030", "--lesson", "khong-co", "--starts", "2025-03-01 08:00"
    )
    assert status == 1 and err.count("\n") == 1 and "không có bài học khong-co" in err and "tong-quan" in err
    status, _, err = run(
        capsys, "session", "new", "--topic", "2030", "--unit", "chi-bo-9", "--starts", "2025-03-01 08:00"
    )
    assert status == 1 and "không có đơn vị chi-bo-9" in err and "chi-bo-1, chi-bo-2" in err
    status, _, err = run(capsys, "session", "new", "--topic", "2030", "--starts", "mai")
    assert status == 1 and "--starts" in err
    status, _, err = run(capsys, "session", "close", "123456")
    assert status == 1 and "không có buổi học nào có mã 123456" in err
    status, _, err = run(capsys, "session", "sheet", "42", "-o", "x.xlsx")
    assert status == 1 and "không có buổi học số 42" in err
