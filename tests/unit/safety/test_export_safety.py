"""Stored text never breaks an export nor runs in a spreadsheet: control characters, lone surrogates and formulas in
learners' answers, through `hoctap.safety.cells` and the real exports (`table_bytes`, `write_table`).

CSV files are read twice: with Python's csv module, and split naively on `;` and `,` per line, as Excel does when its
regional list separator is not the file's delimiter (Vietnamese settings split on `;`). The same answers stored in a
real gradebook, through `hoctap progress` and the dashboard: tests/unit/widgets/test_dashboard.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hoctap.progress.export import table_bytes, write_table
from hoctap.safety.cells import SEPARATORS, cell, defused, encodable, printable, text_cells, visible

LONE = "x\ud800y"  # a lone surrogate, as `json.loads('"x\\ud800y"')` gives from older stored JSON
ANSWERS = [
    "dòng 1\x0bdòng 2",
    "\x00",
    "a;=1+1",
    "=1+1",
    "-2",
    LONE,
    "Nguyễn Văn Hùng",
    '=HYPERLINK("http://x.invalid")',
]
SAFE = [
    "dòng 1␋dòng 2",
    "␀",
    "a;'=1+1",
    "'=1+1",
    "'-2",
    "x\ufffdy",
    "Nguyễn Văn Hùng",
    '\'=HYPERLINK("http://x.invalid")',
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def answers() -> pd.DataFrame:
    """Answers as stored, a negative score (a number), a missing one, and a hostile header."""
    n = len(ANSWERS)
    return pd.DataFrame(
        {
            "learner_id": [f"hv-{i:03d}" for i in range(n)],
            "answer": ANSWERS,
            "score": [-2.0, 1.5, np.nan, 0.0, -0.5, 3.0, 1.0, 2.0],
            "attempts": list(range(-1, n - 1)),
            "=header;-x": ["ô"] * n,
        }
    )


def naive_pieces(data: str) -> list[str]:
    """Every cell Excel gets when it splits each line on `;` or `,` ignoring quotes (the wrong regional setting)."""
    return [piece for line in re.split(r"\r\n|\r|\n", data) for piece in re.split(r"[;,]", line)]


def assert_no_formula_after_naive_split(data: str) -> None:
    for piece in naive_pieces(data):
        opened = piece.lstrip(' "')
        assert not opened.startswith(FORMULA) or NUMBER.fullmatch(opened), repr(piece)


# ---------------------------------------------------------------- the cell functions


def test_each_character_openpyxl_refuses_becomes_its_control_picture():
    for code in range(0x20):
        char = chr(code)
        if ILLEGAL_CHARACTERS_RE.search(char):
            assert visible(f"a{char}b") == f"a{chr(0x2400 + code)}b", hex(code)
        else:
            assert char in "\t\n\r" and visible(char) == char
    assert visible("\x0b") == "␋" and visible("\x00") == "␀" and visible("\x1b") == "␛"
    assert visible("Nguyễn Văn Hùng") == "Nguyễn Văn Hùng"


def test_surrogates_and_non_characters_become_valid_text():
    assert visible(LONE) == "x\ufffdy" and visible("\udc80") == "\ufffd"
    assert visible("\ud83d\ude00") == "😀"  # a pair stored as two code units is the character it encodes
    assert visible("a\ufffe\uffffb") == "a\ufffd\ufffdb"  # openpyxl writes these and the workbook no longer opens
    assert encodable(LONE) == "x\ufffdy" and encodable("a\x0b") == "a\x0b"  # JSON escapes controls itself
    visible(LONE).encode("utf-8")


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("a;=1+1", "a;'=1+1"),
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\rx", "'\rx"),
        ("a, =1", "a, '=1"),
        ("a|@b", "a|'@b"),
        ("dòng 1\n-dòng 2", "dòng 1\n'-dòng 2"),
        ('a;"=1', "a;\"'=1"),
        ("=a;+b,-c", "'=a;'+b,'-c"),
        ("tn-0001", "tn-0001"),
        ("2021-kiem-tra", "2021-kiem-tra"),
        ("a = b", "a = b"),
        ("", ""),
    ],
)
def test_the_defusing_rule(stored, written):
    assert defused(stored) == written
    assert cell(stored) == written


def test_numbers_times_and_missing_values_are_left_alone():
    when = pd.Timestamp("2021-06-01 08:00", tz="Asia/Ho_Chi_Minh")
    for value in (-2, -2.5, np.float64(-1.0), np.int64(-3), None, when, dt.date(2021, 6, 1), True):
        assert cell(value) is value
    assert np.isnan(cell(np.nan))


def test_any_stored_text_becomes_safe_and_loses_nothing_but_gains_apostrophes():
    rng = random.Random(11)
    alphabet = ["=", "+", "-", "@", "\t", "\r", "\n", ",", ";", "|", " ", '"', "'", "a", "1", "\x0b", "\x00", "\ud800"]
    for _ in range(5000):
        stored = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        written = cell(stored)
        assert written == defused(visible(stored))  # the quick check in `cell` skips nothing
        assert cell(written) == written  # a file read back and written again gains nothing more
        assert written.replace("'", "") == visible(stored).replace("'", "")
        assert not ILLEGAL_CHARACTERS_RE.search(written)
        written.encode("utf-8")
        assert not written.lstrip(' "').startswith(FORMULA), repr(stored)
        for piece in re.split(f"[{re.escape(SEPARATORS)}]", written):
            assert not piece.lstrip(' "').startswith(FORMULA), (repr(stored), repr(piece))


def test_text_cells_change_only_text():
    frame = answers().assign(kind=pd.Categorical(["=x"] * len(ANSWERS)), picks=[["=a"], [], [1]] + [[]] * 5)
    out = text_cells(frame)
    assert list(out["answer"]) == SAFE and list(out["kind"]) == ["'=x"] * len(ANSWERS)
    assert list(out["picks"]) == list(frame["picks"])  # lists (unhashable) pass cell by cell, unchanged
    assert out["score"].equals(frame["score"]) and out["attempts"].dtype == frame["attempts"].dtype
    assert list(out.columns)[4] == "'=header;'-x"
    assert list(frame["answer"]) == ANSWERS  # the caller's frame is not changed
    assert printable("a\tb\x1b[31m\x9b\x7f") == "a␉b␛[31m\ufffd␡"


# ---------------------------------------------------------------- the exports


def test_csv_quotes_text_defuses_every_piece_and_keeps_numbers():
    data = table_bytes(answers(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    decoded = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(decoded, newline="")))
    assert rows[0] == ["learner_id", "answer", "score", "attempts", "'=header;'-x"]
    assert [row[1] for row in rows[1:]] == SAFE
    # Unquoted fields are numbers: read with QUOTE_NONNUMERIC they come back as floats, text as str.
    typed = list(csv.reader(io.StringIO(decoded, newline=""), quoting=csv.QUOTE_NONNUMERIC))
    assert typed[1][2] == -2.0 and typed[1][3] == -1.0 and typed[3][2] == ""
    assert '"a;\'=1+1"' in decoded  # `;` inside a field is quoted, although the delimiter is `,`
    assert_no_formula_after_naive_split(decoded)
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back["answer"]) == SAFE and back["score"][0] == -2.0 and back["attempts"][0] == -1


def test_xlsx_writes_every_stored_text_as_text(tmp_path):
    out = write_table(answers(), "xlsx", tmp_path / "cau-tra-loi.xlsx", sheet="Câu trả lời")
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header == ["learner_id", "answer", "score", "attempts", "'=header;'-x"]
    column = [sheet.cell(row=r, column=2) for r in range(2, len(ANSWERS) + 2)]
    assert [c.value for c in column] == SAFE
    assert {c.data_type for c in column} == {"s"}  # never a formula
    assert sheet.cell(row=2, column=3).value == -2 and sheet.cell(row=2, column=3).data_type == "n"
    assert sheet.cell(row=2, column=4).value == -1


def test_json_and_text_survive_lone_surrogates_and_escapes():
    frame = answers().assign(answer=[*ANSWERS[:-1], "\x1b[2J"])
    rows = json.loads(table_bytes(frame, "json"))
    assert [r["answer"] for r in rows[:6]] == [*ANSWERS[:5], "x\ufffdy"]  # JSON keeps controls, escaped
    shown = table_bytes(frame, "table").decode("utf-8")
    assert "\x1b" not in shown and "␛[2J" in shown and "x\ufffdy" in shown and "dòng 1␋dòng 2" in shown
