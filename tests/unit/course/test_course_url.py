"""Where the course's gradebook is: HOCTAP_DB_URL, else the kit's var/gradebook-url, else SQLite in the course."""

from __future__ import annotations

import stat

from hoctap.course.course import course_at, save_gradebook_url
from hoctap.serve.servers import learner_env

PG = "postgresql+psycopg2://hoctap:mật-khẩu@127.0.0.1:5433/gradebook"


def test_sqlite_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("HOCTAP_DB_URL", raising=False)
    assert course_at(tmp_path / "assessments").db_url == f"sqlite:///{tmp_path / 'assessments' / 'gradebook.db'}"


def test_the_saved_url_reaches_a_kernel_whose_environment_has_none(tmp_path, monkeypatch):
    monkeypatch.setenv("HOCTAP_DB_URL", PG)
    assert "HOCTAP_DB_URL" not in learner_env()  # what a learner kernel inherits
    path = save_gradebook_url(tmp_path, PG)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.delenv("HOCTAP_DB_URL")
    assert course_at(tmp_path / "assessments").db_url == PG


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    save_gradebook_url(tmp_path, PG)
    monkeypatch.setenv("HOCTAP_DB_URL", "sqlite:////elsewhere/gradebook.db")
    assert course_at(tmp_path / "assessments").db_url == "sqlite:////elsewhere/gradebook.db"
