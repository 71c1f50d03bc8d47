"""`hoctap progress --labels`: three choices, words for people by default (text table, XLSX), ids for scripts (CSV,
JSON); a wrong choice is refused by the parser with the choices named. The labels themselves, on a real gradebook:
tests/unit/progress/test_labels.py."""

from __future__ import annotations

import pytest

from hoctap.cli import parser


def progress_args(*argv: str):
    return parser().parse_args(["progress", *argv])


def test_labels_are_vi_en_or_ids_and_unset_by_default():
    assert progress_args().labels is None  # the format decides: `_progress` picks vi or ids
    assert progress_args("--labels", "en", "--format", "csv").labels == "en"


def test_a_wrong_label_set_names_the_choices(capsys):
    with pytest.raises(SystemExit):
        progress_args("--labels", "fr")
    err = capsys.readouterr().err
    assert "'vi', 'en', 'ids'" in err and "--labels" in err
