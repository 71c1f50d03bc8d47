"""Importing rosters into a real nbgrader gradebook (SQLite in tmp_path): all or nothing, codes only hashed.

The import also runs on PostgreSQL (`pg_url`: a fresh database on the server the tests start, tests/postgres.py).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import stat
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, select

from hoctap.course import access
from hoctap.course.access import verify_code
from hoctap.course.roster import Learner, read_roster, roles_from_topics
from hoctap.course.roster_import import CODES_HEADER, import_file, import_roster
from hoctap.course.tables import ensure_tables, learner
from hoctap.errors import GradebookError, RosterError
from hoctap.topic import load_topic
from hoctap.topic.catalog import layout

SAMPLE = layout().root / "data" / "rosters" / "sample.csv"
CODE = re.compile(r"^[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}$")
HEADER = "mã học viên,họ và tên,đơn vị,vai trò,email\n"


@pytest.fixture(scope="module")
def roles() -> dict[str, str]:
    return roles_from_topics([load_topic(layout().topics / "2021-chuyen-de-toan-khoa.yaml")])


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """A new gradebook made once (nbgrader runs alembic: seconds), copied for each test."""
    path = tmp_path_factory.mktemp("template") / "gradebook.db"
    ensure_tables(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(autouse=True)
def cheap_hashes(request, monkeypatch):
    """scrypt at N=2**10 (stored in each hash, so checks follow): the tests do many imports. The test of a clean
    import keeps the real cost and prints its timing."""
    if request.node.originalname != "test_clean_import_adds_students_units_roles_and_hashed_codes":
        monkeypatch.setattr(access, "SCRYPT_N", 2**10)


@pytest.fixture
def db(tmp_path, empty_gradebook) -> tuple[str, Path]:
    path = tmp_path / "gradebook.db"
    shutil.copy(empty_gradebook, path)
    return f"sqlite:///{path}", path


def codes_of(path: Path) -> dict[str, list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CODES_HEADER
    return {row[0]: row for row in rows[1:]}


def kit_rows(db_url: str) -> dict[str, dict]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = {r.student_id: r._asdict() for r in connection.execute(select(learner))}
    engine.dispose()
    return rows


def students(db_url: str) -> dict[str, tuple]:
    with Gradebook(db_url) as gb:
        return {s.id: (s.last_name, s.first_name, s.email) for s in gb.students}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clean_import_adds_students_units_roles_and_hashed_codes(tmp_path, db, roles):
    db_url, db_path = db
    codes_path = tmp_path / "private" / "codes.csv"
    started = time.perf_counter()
    report = import_file(SAMPLE, db_url, codes_path, roles=roles)
    elapsed = time.perf_counter() - started
    learners = read_roster(SAMPLE, roles)
    ids = [one.id for one in learners]
    print(f"\nimported {len(ids)} learners in {elapsed:.2f} s (report: {report.seconds:.2f} s)")

    assert sorted(report.added) == sorted(ids) and report.updated == report.unchanged == report.absent == []
    assert sorted(report.codes_issued) == sorted(ids) and report.codes_path == codes_path
    got = students(db_url)
    assert sorted(got) == sorted(ids)
    assert got["tn-0001"] == ("Nguyễn Văn", "Hùng", "nguyenvanhung@example.com")
    assert got["tn-0002"] == ("Trần Thị Thu", "Hà", None)
    rows = kit_rows(db_url)
    assert {k: (v["unit"], v["role"]) for k, v in rows.items()} == {one.id: (one.unit, one.role) for one in learners}
    assert rows["tn-0001"]["unit_id"] == "chi-bo-van-phong-tinh-uy"

    codes = codes_of(codes_path)
    assert sorted(codes) == sorted(ids)
    assert all(CODE.match(row[3]) for row in codes.values())
    assert len({row[3] for row in codes.values()}) == len(ids)
    assert codes["tn-0001"][1:3] == ["Nguyễn Văn Hùng", "Chi bộ Văn phòng Tỉnh ủy"]
    assert stat.S_IMODE(os.stat(codes_path).st_mode) == 0o600
    assert not [p for p in codes_path.parent.iterdir() if p != codes_path]  # no temporary file left

    stored = db_path.read_bytes()
    for row in codes.values():
        for form in (row[3], row[3].replace("-", ""), row[3].upper()):
            assert form.encode() not in stored

    one, other = codes["tn-0001"][3], codes["tn-0002"][3]
    assert verify_code(db_url, "tn-0001", one)
    assert verify_code(db_url, "tn-0001", " " + one.upper().replace("-", " ") + " ")
    assert not verify_code(db_url, "tn-0001", other)  # another learner's code
    assert not verify_code(db_url, "tn-0001", "abcd-2345")
    assert not verify_code(db_url, "tn-9999", one)
    assert not verify_code(db_url, "tn-0001", "")


def test_reimport_updates_a_changed_unit_and_keeps_codes(tmp_path, db, roles):
    db_url, _ = db
    codes_path = tmp_path / "codes.csv"
    import_file(SAMPLE, db_url, codes_path, roles=roles)
    codes_before, hashes_before = codes_of(codes_path), {k: v["code_hash"] for k, v in kit_rows(db_url).items()}
    file_before = digest(codes_path)

    moved = tmp_path / "moved.csv"
    text = SAMPLE.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("tn-0003,"))
    moved.write_text(text.replace(line, line.replace("Chi bộ Văn phòng Tỉnh ủy", "Sở Giáo dục và Đào tạo")), "utf-8")
    report = import_file(moved, db_url, codes_path, roles=roles)

    assert report.updated == ["tn-0003"] and report.added == [] and report.codes_issued == []
    assert len(report.codes_kept) == len(codes_before) and report.codes_path is None
    rows = kit_rows(db_url)
    assert (rows["tn-0003"]["unit"], rows["tn-0003"]["unit_id"]) == ("Sở Giáo dục và Đào tạo", "so-giao-duc-va-dao-tao")
    assert {k: v["code_hash"] for k, v in rows.items()} == hashes_before
    assert digest(codes_path) == file_before
    assert verify_code(db_url, "tn-0003", codes_before["tn-0003"][3])


def test_reissue_changes_codes_all_or_some(tmp_path, db, roles):
    db_url, _ = db
    codes_path = tmp_path / "codes.csv"
    import_file(SAMPLE, db_url, codes_path, roles=roles)
    first = codes_of(codes_path)

    report = import_file(SAMPLE, db_url, codes_path, roles=roles, reissue={"tn-0007"})
    second = codes_of(codes_path)
    assert report.codes_issued == ["tn-0007"] and len(second) == len(first)
    assert second["tn-0007"][3] != first["tn-0007"][3]
    assert {k: v for k, v in second.items() if k != "tn-0007"} == {k: v for k, v in first.items() if k != "tn-0007"}
    assert not verify_code(db_url, "tn-0007", first["tn-0007"][3])
    assert verify_code(db_url, "tn-0007", second["tn-0007"][3])

    report = import_file(SAMPLE, db_url, codes_path, roles=roles, reissue=True)
    third = codes_of(codes_path)
    assert len(report.codes_issued) == len(first)
    assert all(third[k][3] != second[k][3] for k in first)
    assert verify_code(db_url, "tn-0020", third["tn-0020"][3])
    assert not verify_code(db_url, "tn-0020", second["tn-0020"][3])

    with pytest.raises(RosterError, match="không có trong danh sách: tn-9999"):
        import_file(SAMPLE, db_url, codes_path, roles=roles, reissue={"tn-9999"})


def test_learners_absent_from_a_new_file_are_kept_and_new_ones_get_codes(tmp_path, db, roles):
    db_url, _ = db
    codes_path = tmp_path / "codes.csv"
    import_file(SAMPLE, db_url, codes_path, roles=roles)
    first = codes_of(codes_path)

    smaller = tmp_path / "smaller.csv"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    kept = [x for x in lines if not x.startswith(("tn-0005,", "tn-0006,"))]
    kept.append("tn-0041,Lã Thị Quỳnh,Chi bộ Ban Tuyên giáo Tỉnh ủy,dang-vien,")
    smaller.write_text("\n".join(kept) + "\n", encoding="utf-8")
    report = import_file(smaller, db_url, codes_path, roles=roles)

    assert report.absent == ["tn-0005", "tn-0006"] and report.added == ["tn-0041"]
    assert report.codes_issued == ["tn-0041"]
    assert any("giữ nguyên, không xoá (tn-0005, tn-0006)" in line for line in report.lines())
    assert {"tn-0005", "tn-0006", "tn-0041"} <= set(students(db_url)) and len(kit_rows(db_url)) == len(first) + 1
    merged = codes_of(codes_path)  # earlier codes stay listed beside the new one
    assert {k: v for k, v in merged.items() if k != "tn-0041"} == first
    assert verify_code(db_url, "tn-0041", merged["tn-0041"][3])


def test_an_nbgrader_student_added_by_hand_joins_the_kit(tmp_path, db, roles):
    db_url, _ = db
    with Gradebook(db_url) as gb:
        gb.add_student("tn-0001", first_name="X", last_name="Y")
    report = import_file(SAMPLE, db_url, tmp_path / "codes.csv", roles=roles)
    assert "tn-0001" in report.updated and "tn-0001" in report.codes_issued and "tn-0001" not in report.added
    assert students(db_url)["tn-0001"][:2] == ("Nguyễn Văn", "Hùng")


BAD_FILES = {
    "duplicate-id": "tn-0001,Nguyễn Văn Hùng,Chi bộ A,dang-vien,\ntn-0001,Lê Văn Tám,Chi bộ A,dang-vien,\n",
    "empty-name": "tn-0001,Nguyễn Văn Hùng,Chi bộ A,dang-vien,\ntn-0002, ,Chi bộ A,dang-vien,\n",
    "unknown-role": "tn-0001,Nguyễn Văn Hùng,Chi bộ A,dang-vien,\ntn-0002,Lê Văn Tám,Chi bộ A,thủ quỹ,\n",
    "bad-id": "tn-0001,Nguyễn Văn Hùng,Chi bộ A,dang-vien,\nTN_0002,Lê Văn Tám,Chi bộ A,dang-vien,\n",
    "mojibake": "tn-0001,Nguyễn Văn Hùng,Chi bộ A,dang-vien,\ntn-0002,LÃª VÄƒn TÃ¡m,Chi bá»™ A,dang-vien,\n",
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_imports_nothing(tmp_path, db, roles, kind):
    db_url, db_path = db
    import_file(SAMPLE, db_url, tmp_path / "codes.csv", roles=roles)
    before, codes_before = digest(db_path), digest(tmp_path / "codes.csv")
    path = tmp_path / f"{kind}.csv"
    path.write_text(HEADER + BAD_FILES[kind], encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        import_file(path, db_url, tmp_path / "codes.csv", roles=roles)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1 and lines[0].startswith(f"{path}:3: "), lines
    assert digest(db_path) == before and digest(tmp_path / "codes.csv") == codes_before


def test_windows_1258_file_imports_nothing(tmp_path, db, roles):
    db_url, db_path = db
    before = digest(db_path)
    path = tmp_path / "ansi.csv"
    path.write_bytes(b"id,full name,unit,role\ntn-0001,L\xea V\xe3n T\xe1m,Chi b\xf4 A,dang-vien\n")
    with pytest.raises(RosterError, match=r"ansi\.csv:2: \(mã hoá\): tệp không phải UTF-8"):
        import_file(path, db_url, tmp_path / "codes.csv", roles=roles)
    assert digest(db_path) == before and not (tmp_path / "codes.csv").exists()


def test_a_failure_inside_the_transaction_leaves_nothing_half_imported(tmp_path, db, roles):
    db_url, _ = db
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OSError):
        import_file(SAMPLE, db_url, blocker / "codes.csv", roles=roles)  # the codes cannot be written: roll back
    assert students(db_url) == {} and kit_rows(db_url) == {}


def test_a_database_error_after_the_students_are_written_rolls_them_back(tmp_path, db, roles):
    db_url, db_path = db
    engine = create_engine(db_url)
    with engine.begin() as connection:  # the kit's table refuses rows: nbgrader's students are written first
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON hoctap_learner BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    engine.dispose()
    with pytest.raises(GradebookError, match=r"không ghi được vào gradebook sqlite:///.*refused.*chưa có gì thay đổi"):
        import_file(SAMPLE, db_url, tmp_path / "codes.csv", roles=roles)
    assert students(db_url) == {} and kit_rows(db_url) == {}
    assert list(tmp_path.iterdir()) == [db_path]  # no codes file, no temporary file


def test_a_foreign_file_at_the_codes_path_is_never_overwritten(tmp_path, db, roles):
    db_url, db_path = db
    foreign = tmp_path / "codes.csv"
    foreign.write_text("something,else\n1,2\n", encoding="utf-8")
    before = digest(db_path)
    with pytest.raises(RosterError, match="không phải tệp mã truy cập do hoctap ghi"):
        import_file(SAMPLE, db_url, foreign, roles=roles)
    assert foreign.read_text(encoding="utf-8") == "something,else\n1,2\n" and digest(db_path) == before


def test_learners_built_by_hand_are_checked_too(tmp_path, db):
    db_url, _ = db
    twins = [
        Learner("tn-1", "Lê A", "Chi bộ A", "dang-vien", row=2),
        Learner("tn-1", "Lê B", "Chi bộ A", "dang-vien", row=3),
    ]
    with pytest.raises(RosterError, match="trùng với dòng 2"):
        import_roster(twins, db_url, tmp_path / "codes.csv")
    assert students(db_url) == {}


def test_codes_file_cells_never_run_as_formulas(tmp_path, db):
    db_url, _ = db
    hostile = [  # names with `=`, `+`, `@` are refused at import; units may hold them
        Learner("tn-1", "-Văn An", "+Chi bộ", "dang-vien"),
        Learner("tn-2", "Lê Bình", "Phòng A; =1+1", "dang-vien"),
        Learner("tn-3", "Mai Hoa", "@A", "dang-vien"),
    ]
    import_roster(hostile, db_url, tmp_path / "codes.csv")
    codes = codes_of(tmp_path / "codes.csv")
    assert codes["tn-1"][1:3] == ["'-Văn An", "'+Chi bộ"]
    assert codes["tn-2"][1:3] == ["Lê Bình", "Phòng A; '=1+1"]  # Excel splitting on `;` gets `'=1+1`, text
    assert codes["tn-3"][1:3] == ["Mai Hoa", "'@A"]
    raw = (tmp_path / "codes.csv").read_text(encoding="utf-8-sig")
    assert '"Phòng A; \'=1+1"' in raw  # every field quoted: a `;` inside a unit is no column break
    assert not any(piece.strip(' "').startswith(("=", "+", "-", "@")) for piece in re.split(r"[,;\n]", raw))
    assert "-Văn" in students(db_url)["tn-1"]  # the gradebook keeps the data as given (last name: họ đệm)


@pytest.mark.postgres
def test_import_on_postgresql(tmp_path, roles, pg_url):
    db_url = pg_url
    report = import_file(SAMPLE, db_url, tmp_path / "codes.csv", roles=roles)
    codes = codes_of(tmp_path / "codes.csv")
    assert len(students(db_url)) == len(report.added) == len(codes)
    assert verify_code(db_url, "tn-0001", codes["tn-0001"][3].upper())
    again = import_file(SAMPLE, db_url, tmp_path / "codes.csv", roles=roles, reissue={"tn-0001"})
    assert again.codes_issued == ["tn-0001"] and not verify_code(db_url, "tn-0001", codes["tn-0001"][3])
    with Gradebook(db_url) as gb:  # nbgrader can still remove a student: the kit's row goes with it
        gb.remove_student("tn-0002")
    assert "tn-0002" not in kit_rows(db_url)
