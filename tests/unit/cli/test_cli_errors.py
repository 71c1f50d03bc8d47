"""No traceback reaches a person at the terminal: an error the kit did not foresee is one line that says where the
details went, and the details are kept."""

from __future__ import annotations

import shutil

from hoctap.cli import main
from hoctap.topic.catalog import layout


def test_an_unforeseen_error_is_one_line_and_its_traceback_goes_to_the_log(tmp_path, monkeypatch, capsys):
    shutil.copytree(layout().topics, tmp_path / "data" / "topics")
    (tmp_path / "assessments").mkdir()
    (tmp_path / "assessments" / "gradebook.db").write_bytes(b"not a database, " * 64)  # a damaged gradebook
    monkeypatch.setenv("HOCTAP_HOME", str(tmp_path))
    monkeypatch.delenv("HOCTAP_DEBUG", raising=False)
    assert main(["progress", "--by", "unit"]) == 2
    err = capsys.readouterr().err
    log = tmp_path / "var" / "log" / "hoctap-errors.log"
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("lỗi không lường trước (DatabaseError") and str(log) in err
    kept = log.read_text(encoding="utf-8")
    assert "hoctap progress --by unit" in kept and "Traceback (most recent call last)" in kept
