"""A room for a load test, in a folder of its own: the shipped topic built, one content quiz released, a synthetic
roster of N learners with their access codes, and the learner site (the quiz app notebook).

    room = prepare_room(home, learners=40)        # Room(home, assessment, credentials=[(id, code), …])
    room.write(path)                              # the JSON the locustfile reads (HOCTAP_LOAD_ROOM)
    read_room(path) -> dict

Everything goes through the kit's own commands (`hoctap build`, `hoctap course release`, `hoctap roster import`)
run with HOCTAP_HOME set to the room, as an organiser would prepare a real course; nothing of this checkout's own
course, roster or codes is touched.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hoctap.topic import layout

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


def room_env(home: Path) -> dict[str, str]:
    """This process's environment with HOCTAP_HOME at the room and the interpreter's folder first on PATH (nbgrader's
    gradebook runs `alembic` from PATH)."""
    env = dict(os.environ, HOCTAP_HOME=str(home))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    return env


def hoctap(home: Path, *args: str) -> None:
    """Run one `hoctap` command on the room; its output in the error when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "hoctap.cli", *args], cwd=home, env=room_env(home), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"hoctap {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def prepare_room(home: str | os.PathLike[str], learners: int, assessment: str = QUIZ) -> Room:
    """Build the room under `home` (see the module docstring); returns it with every learner's id and code."""
    home = Path(home).resolve()
    kit = layout()  # this installation: its shipped topic and its quiz app notebook
    shutil.copytree(kit.topics, home / "data" / "topics")
    hoctap(home, "build")
    hoctap(home, "course", "release", assessment)
    roster = synthetic_roster(home / "roster.csv", learners)
    codes_file = home / "var" / "access-codes.csv"
    hoctap(home, "roster", "import", str(roster), "--codes", str(codes_file))
    site = home / "notebooks" / "learner"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(kit.notebooks / "learner" / "quiz.ipynb", site / "quiz.ipynb")
    codes = read_codes(codes_file)
    return Room(home, assessment, [(learner_id, codes[learner_id]) for learner_id in learner_ids(learners)])
