"""Creating the kit's tables when several processes start at once on a new database."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, inspect
from sqlalchemy.exc import IntegrityError, ProgrammingError

from hoctap.course.database import create_missing

PG_RACE = 'duplicate key value violates unique constraint "pg_type_typname_nsp_index"'


class LosesTheRaceOnce(MetaData):
    """Another process creates the table between our check and our CREATE: the first create_all fails."""

    def __init__(self, error: Exception):
        super().__init__()
        self.error, self.calls = error, 0

    def create_all(self, bind, **kw):
        self.calls += 1
        if self.calls == 1:
            super().create_all(bind, **kw)  # the winner's table
            raise self.error
        return super().create_all(bind, **kw)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("CREATE TABLE t", {}, Exception(PG_RACE)),  # PostgreSQL
        ProgrammingError("CREATE TABLE t", {}, Exception('relation "t" already exists')),
    ],
    ids=["postgresql-catalogue", "already-exists"],
)
def test_losing_the_creation_race_is_harmless(tmp_path, error):
    engine = create_engine(f"sqlite:///{tmp_path / 'g.db'}")
    metadata = LosesTheRaceOnce(error)
    Table("t", metadata, Column("id", Integer, primary_key=True))
    create_missing(metadata, engine)
    assert metadata.calls == 2 and inspect(engine).has_table("t")


def test_other_errors_are_not_swallowed(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'g.db'}")
    metadata = LosesTheRaceOnce(IntegrityError("CREATE TABLE t", {}, Exception("disk full")))
    Table("t", metadata, Column("id", Integer, primary_key=True))
    with pytest.raises(IntegrityError):
        create_missing(metadata, engine)
