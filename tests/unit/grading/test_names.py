"""A grader's name is held for its life: a second live grader cannot take it, and the others can tell when it died
(its claims then go back at once), on SQLite (a lock file) and on PostgreSQL (a session advisory lock)."""

from __future__ import annotations

import datetime as dt

import pytest

from hoctap.attempts.table import GRADING, Attempts
from hoctap.course.database import engine_for
from hoctap.grading import names
from hoctap.grading.names import NameHold, NameTaken

NOW = dt.datetime(2030, 6, 1, 8, 0, tzinfo=dt.UTC)


def test_a_name_is_held_once_and_a_closed_holder_is_dead(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(names, "START_TRIES", 2)
    engine = engine_for(db_url)
    Attempts(engine)  # the table the claims are read from
    folder = tmp_path / ".graders"
    first = NameHold(folder, engine, "g1")
    other = NameHold(folder, engine, "g2")
    with pytest.raises(NameTaken, match="'g1' đang chạy"):
        NameHold(folder, engine, "g1")
    assert other.alive("g1") and first.alive("g2")
    assert not other.alive("never-started")
    first.close()
    assert not other.alive("g1")
    again = NameHold(folder, engine, "g1")  # restarted under its name
    assert other.alive("g1")
    again.close()
    other.close()


def test_claims_of_a_dead_grader_are_found_and_those_of_a_live_one_are_not(db_url, tmp_path):
    engine = engine_for(db_url)
    store = Attempts(engine)
    for n in range(3):
        a = store.start(f"tn-{n:04d}", "quiz", 1, [], NOW)
        store.mark_submitted(a.id, NOW + dt.timedelta(minutes=n), late=False, answers={})
    folder = tmp_path / ".graders"
    live, dying, me = (NameHold(folder, engine, name) for name in ("live", "dying", "me"))
    assert store.claim("live", NOW) and store.claim("dying", NOW) and store.claim("me", NOW)
    assert me.dead_claimers(engine) == []
    dying.close()  # as when its process is killed: the lock goes with the connection or the file handle
    assert me.dead_claimers(engine) == ["dying"]
    assert store.release_claims("dying") == 1 and store.pending() == 1
    assert store.claim("me", NOW).status == GRADING
    live.close()
    me.close()
