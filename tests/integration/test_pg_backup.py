"""The backup docs/deploy.md gives for a PostgreSQL gradebook, done as written: `pg_dump --format=custom` of a course
with graded attempts, `pg_restore` into a new empty database, and the restored course is the same course — every
table's rows, a learner's result as the quiz app reads it, a login with the same code, and the grader carrying on.
"""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import MetaData, make_url, select

from hoctap.attempts import Portal
from hoctap.course import Course, engine_for
from hoctap.grading import Grader
from tests.postgres import find_initdb
from tests.quiz_kit import QUIZ, build_kit, right_answers

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def libpq_url(db_url: str) -> str:
    """The SQLAlchemy URL as pg_dump and psql take it (`postgresql://…`, no driver name)."""
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


def every_row(db_url: str) -> dict[str, list]:
    engine = engine_for(db_url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as db:
        return {name: sorted(map(repr, db.execute(select(table)))) for name, table in meta.tables.items()}


def test_a_dump_restored_into_an_empty_database_is_the_same_course(postgres_server, tmp_path, monkeypatch):
    monkeypatch.setenv("HOCTAP_HOME", str(tmp_path))
    source = postgres_server.new_database("t_backup_source")
    kit = build_kit(tmp_path, with_app=False, db_url=source)
    portal = Portal(kit.course)
    learner = portal.login("hv-001", kit.codes["hv-001"])
    sitting = portal.start(learner, QUIZ)
    portal.submit(learner, sitting.attempt.id, right_answers(kit.topic, sitting.questions))
    assert Grader(kit.course, name="backup-test", warm=False).run_once().graded == 1

    tools = find_initdb().parent
    dump = tmp_path / "gradebook.dump"
    subprocess.run([str(tools / "pg_dump"), "--format=custom", "--file", str(dump), libpq_url(source)], check=True)
    target = postgres_server.new_database("t_backup_restored")
    subprocess.run(
        [str(tools / "pg_restore"), "--no-owner", "--exit-on-error", "--dbname", libpq_url(target), str(dump)],
        check=True,
    )

    assert every_row(target) == every_row(source)
    restored = Course(kit.course.root, target)
    again = Portal(restored)
    same = again.login("hv-001", kit.codes["hv-001"])  # the hashed codes came along
    assert again.result(same, QUIZ, 1)["score"] == 4.0
    second = again.login("hv-002", kit.codes["hv-002"])  # and the restored course takes new work
    sitting = again.start(second, QUIZ)
    again.submit(second, sitting.attempt.id, right_answers(kit.topic, sitting.questions))
    assert Grader(restored, name="backup-test-2", warm=False).run_once().graded == 1
