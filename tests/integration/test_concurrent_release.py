"""Three machines, each with its own course folder built from the spec, release into one PostgreSQL gradebook at the
same moment (`hoctap course release`, three processes started together): all three succeed, and the gradebook
holds each assessment once. Without the release lock on the database (a PostgreSQL advisory lock, `_serial` in
hoctap/course/course.py) two of three failed: a duplicate `pg_type` key on a new database, then nbgrader's own
errors inside `generate_assignment`."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from hoctap.build import build
from hoctap.course import assignment, engine_for
from hoctap.load.room import room_env
from hoctap.topic import Layout, layout

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MACHINES = 3
ASSESSMENTS = ("2021-kiem-tra-noi-dung-1", "2021-kiem-tra-noi-dung-2")


def test_three_machines_releasing_into_one_postgresql_at_once_all_succeed(postgres_server, tmp_path):
    url = postgres_server.new_database("t_concurrent_release")
    homes = []
    for n in range(MACHINES):
        home = tmp_path / f"may-{n + 1}"
        shutil.copytree(layout().topics, Layout(home).topics)
        build(where=Layout(home))
        homes.append(home)
    for home in homes:
        (home / "tmp").mkdir()
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "hoctap.cli", "course", "release", *ASSESSMENTS],
            cwd=home,
            # a temp folder each, as on machines of their own (a lock file in a shared /tmp would hide the race)
            env={**room_env(home, db_url=url), "TMPDIR": str(home / "tmp")},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for home in homes
    ]
    outputs = [run.communicate(timeout=240)[0].decode("utf-8", "replace") for run in runs]
    assert [run.returncode for run in runs] == [0] * MACHINES, "\n---\n".join(o[-1500:] for o in outputs)
    with engine_for(url).connect() as db:
        names = db.execute(select(assignment.c.name, func.count()).group_by(assignment.c.name)).all()
    assert sorted(names) == sorted((name, 1) for name in ASSESSMENTS)
    for home in homes:  # each machine has its own release notebooks, the same (built from one spec)
        assert all((home / "assessments" / "release" / a / f"{a}.ipynb").is_file() for a in ASSESSMENTS)
