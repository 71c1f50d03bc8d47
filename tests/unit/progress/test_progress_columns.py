"""The progress tables' column ids are a contract (exports, scripts): README.md documents each one, and each has a
Vietnamese header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoctap import progress
from hoctap.progress.labels import LABELS

README = Path(__file__).resolve().parents[3] / "README.md"
TABLES = progress.COLUMNS


def readme_rows() -> dict[str, str]:
    """`| \\`unit\\`, \\`role\\` | columns… |` → {"unit": "columns…", "role": "columns…"}."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            for name in re.findall(r"`([a-z]+)`", cells[0]):
                rows[name] = cells[1]
    return rows


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_is_documented_and_labelled(table):
    documented = set(re.findall(r"`([a-z_0-9]+)`", readme_rows()[table]))
    assert set(TABLES[table]) <= documented, set(TABLES[table]) - documented
    assert all(column in LABELS for column in TABLES[table])


def test_every_table_has_a_documented_column_list():
    assert set(TABLES) == set(progress.TABLES)


def test_the_cli_offers_every_table():
    from hoctap.cli import parser

    progress_parser = parser()._subparsers._group_actions[0].choices["progress"]
    by = next(a for a in progress_parser._actions if a.dest == "by")
    assert set(by.choices) == {*progress.TABLES, "history"}
