"""A room for a load test, in a folder of its own: the shipped topic built, one content quiz released, a synthetic
roster of N learners with their access codes, and the learner site (the quiz app notebook).

    room = prepare_room(home, learners=40)        # Room(home, assessment, credentials=[(id, code), …])
    room.write(path)                              # the JSON the locustfile reads (HOCTAP_LOAD_ROOM)
    read_room(path) -> dict

Everything goes through what the kit's own commands call (`hoctap build`, `hoctap course release`, `hoctap roster
import`: `build`, `release_course`, `import_file`), on the room's layout, in this process (three interpreters
fewer to start); nothing of this checkout's own course, roster or codes is touched. The room's gradebook is
SQLite in the room, whatever HOCTAP_DB_URL says: a load test never writes into a real gradebook.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hoctap.build import build
from hoctap.course import Course, import_file, release_course, roles_from_topics, save_gradebook_url
from hoctap.topic import Layout, layout, load_topic

QUIZ = "2021-kiem-tra-noi-dung-1"  # a content quiz of the shipped topic: four questions drawn from noi-dung-1
ROLE = "dang-vien"
UNIT = "Chi bộ Thử tải"
ROSTER_HEADER = ["mã học viên", "họ và tên", "đơn vị", "vai trò", "email"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Quyên", "Sơn"]


@dataclass
class Room:
    home: Path
    assessment: str
    credentials: list[tuple[str, str]] = field(default_factory=list)

    @property
    def site(self) -> Path:
        """The learner site Voila serves: the quiz app notebook."""
        return self.home / "notebooks" / "learner"

    def write(self, path: Path) -> Path:
        data = {"assessment": self.assessment, "learners": [list(pair) for pair in self.credentials]}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path


def read_room(path: str | os.PathLike[str]) -> dict:
    """{"assessment": id, "learners": [[id, code], …]} as `Room.write` left it."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def learner_ids(count: int) -> list[str]:
    return [f"tt-{n:04d}" for n in range(1, count + 1)]


def synthetic_roster(path: Path, count: int) -> Path:
    """A roster CSV of `count` learners of one unit, all with the role the quiz is for, Vietnamese names."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ROSTER_HEADER)
        for n, learner_id in enumerate(learner_ids(count)):
            name = f"{FAMILY[n % len(FAMILY)]} {MIDDLE[n // 3 % len(MIDDLE)]} {GIVEN[n // 7 % len(GIVEN)]}"
            writer.writerow([learner_id, name, UNIT, ROLE, ""])
    return path


def read_codes(path: Path) -> dict[str, str]:
    """Learner id → access code from the codes file `hoctap roster import` writes (its last column is the code)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return {row[0]: row[-1] for row in rows[1:] if row and row[0]}


def room_env(home: Path, base: dict[str, str] | None = None, db_url: str | None = None) -> dict[str, str]:
    """An environment for the room's processes: HOCTAP_HOME at the room, no HOCTAP_DB_URL (the room's gradebook is
    its own) unless `db_url` names one (several rooms, one per service, sharing a throwaway PostgreSQL gradebook),
    the interpreter's folder first on PATH (nbgrader's gradebook runs `alembic` from PATH)."""
    env = dict(os.environ if base is None else base, HOCTAP_HOME=str(home))
    env.pop("HOCTAP_DB_URL", None)
    if db_url:
        env["HOCTAP_DB_URL"] = db_url
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    return env


def room_course(home: Path, db_url: str | None = None) -> Course:
    """The room's course: SQLite in its `assessments/` (never HOCTAP_DB_URL's gradebook), or the throwaway gradebook
    `db_url` names (a run behind the hub: `hub_room.py`)."""
    return Course(Layout(home).assessments, db_url)


def prepare_room(
    home: str | os.PathLike[str], learners: int, assessment: str = QUIZ, db_url: str | None = None
) -> Room:
    """Build the room under `home` (see the module docstring); returns it with every learner's id and code. `db_url`:
    an empty throwaway gradebook for it (PostgreSQL), instead of SQLite in the room."""
    home = Path(home).resolve()
    kit = layout()  # this installation: its shipped topic and its quiz app notebook
    where = Layout(home)
    shutil.copytree(kit.topics, where.topics)
    build(where=where)
    topics = [topic for topic in (load_topic(path) for path in where.topic_files()) if not topic.draft]
    course = room_course(home, db_url)
    if db_url:  # where the room's learner kernels and grader look for it (they run without HOCTAP_DB_URL)
        save_gradebook_url(home, db_url)
    list(release_course(course, topics, [assessment]))
    roster = synthetic_roster(home / "roster.csv", learners)
    codes_file = home / "var" / "access-codes.csv"
    import_file(roster, course.db_url, codes_file, roles=roles_from_topics(topics))
    site = home / "notebooks" / "learner"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(kit.notebooks / "learner" / "quiz.ipynb", site / "quiz.ipynb")
    codes = read_codes(codes_file)
    return Room(home, assessment, [(learner_id, codes[learner_id]) for learner_id in learner_ids(learners)])
