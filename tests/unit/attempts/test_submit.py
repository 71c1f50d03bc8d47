"""Answers are checked for shape and size, then written as literals: data that can run nothing."""

import ast
import datetime as dt
import html
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from hoctap.attempts.answers import (
    MAX_COMMITMENT,
    SubmissionError,
    check_commitment,
    check_response,
    fill_commitment,
    fill_quiz,
    quiz_answers,
    write_attempt,
)
from hoctap.safety.inert import CLOSE, OPEN, inert_markdown, is_inert

INJECTION = '"); import os; os.system("touch pwned"); ("'
META = {
    "questions": {
        "q-s": {"type": "single", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
        "q-m": {"type": "multiple", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
        "q-t": {"type": "true-false"},
        "q-x": {"type": "short-text"},
        "q-p": {
            "type": "matching",
            "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
            "targets": [{"id": "t1", "text": "1"}, {"id": "t2", "text": "2"}],
        },
        "q-o": {"type": "ordering", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
    }
}
PICKS = [{"slot": n, "question": q} for n, q in enumerate(META["questions"], 1)]


def release():
    cells = [new_markdown_cell("intro")]
    for n in range(1, len(PICKS) + 1):
        cells.append(new_code_cell(f"answer_{n} = None", metadata={"hoctap": {"slot": n}}))
        cells.append(new_code_cell(f"# Câu {n}", metadata={"nbgrader": {"grade": True, "grade_id": f"slot-{n}"}}))
    return new_notebook(cells=cells)


GOOD = {"q-s": "b", "q-m": ["a", "b"], "q-t": False, "q-x": INJECTION, "q-p": {"a": "t2", "b": "t1"}, "q-o": ["b", "a"]}


def test_every_type_is_written_as_a_literal_that_reads_back_the_same():
    nb = fill_quiz(release(), quiz_answers(META, PICKS, GOOD))
    written = {}
    for cell in nb.cells:
        if cell.metadata.get("hoctap"):
            tree = ast.parse(cell.source)
            assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign)  # one assignment, nothing else
            written[cell.metadata.hoctap.slot] = ast.literal_eval(tree.body[0].value)
    assert {v["question"]: v["response"] for v in written.values()} == GOOD


def test_the_injection_stays_text(tmp_path):
    nb = fill_quiz(release(), quiz_answers(META, PICKS, {"q-x": INJECTION}))
    namespace: dict = {}
    for cell in nb.cells:
        if cell.metadata.get("hoctap"):
            exec(compile(cell.source, "answer", "exec"), namespace)  # what the grading kernel does
    assert namespace["answer_4"] == {"question": "q-x", "response": INJECTION}
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"q-s": "z"}, "mã lựa chọn"),
        ({"q-s": ["a"]}, "mã lựa chọn"),
        ({"q-m": ["a", "a"]}, "không lặp"),
        ({"q-t": "true"}, "true hoặc false"),
        ({"q-x": "x" * 100_000}, "100,000 ký tự"),
        ({"q-p": {"a": "t9"}}, "ánh xạ"),
        ({"q-o": ["a"]}, "mỗi mã một lần"),
        ({"q-zz": "a"}, "không có câu hỏi: q-zz"),
        ({}, "chưa trả lời câu nào"),
        ({"q-x": "   "}, "chưa trả lời câu nào"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(answers, words):
    with pytest.raises(SubmissionError, match=words):
        quiz_answers(META, PICKS, answers)


def test_commitment_limits_and_text_cell():
    with pytest.raises(SubmissionError, match="đang trống"):
        check_commitment("  \n")
    with pytest.raises(SubmissionError, match="quá giới hạn"):
        check_commitment("x" * (MAX_COMMITMENT + 1))
    nb = new_notebook(cells=[new_markdown_cell("stub", metadata={"nbgrader": {"grade_id": "commitment"}})])
    text = "Tôi cam kết <b>học tập</b> và làm theo.\n\n[link](javascript:alert(1)) $x$"
    source = fill_commitment(nb, check_commitment(text)).cells[0].source
    assert is_inert(source) and source == inert_markdown(text)  # markdown that renders as the text, nothing else
    assert "<b>" not in source and "\n" not in source and "](" not in source and "$" not in source
    assert html.unescape(source.removeprefix(OPEN).removesuffix(CLOSE)) == text  # nothing of it lost


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Dòng một\x0bdòng hai", "U\\+000B ở dòng 1 \\(dấu ngắt dòng của Word"),
        ("Một\nHai\x00", "U\\+0000 ở dòng 2"),
        ("Gửi \ud800", "U\\+D800"),
        ("Chuông \x07", "U\\+0007"),
        ("C1 \x9b", "U\\+009B"),
    ],
)
def test_text_with_a_character_no_keyboard_types_is_refused_naming_it_and_its_line(text, words):
    with pytest.raises(SubmissionError, match=words):
        check_commitment(text)
    with pytest.raises(SubmissionError, match=words.replace("bản cam kết", "câu trả lời")):
        check_response({"type": "short-text"}, text)
    assert check_commitment("Tab\tvà\r\nxuống dòng") == "Tab\tvà\r\nxuống dòng"  # what keyboards type stays


def test_the_grader_and_the_page_read_the_same_text():
    for text in ("a & b < c > d", "' \" ` * _ [ ] { } | ~ # $ \\", "xuống\r\ndòng\rcũ\nmới", "khoá\u0301"):
        source = inert_markdown(text)
        assert is_inert(source)
        shown = html.unescape(source.removeprefix(OPEN).removesuffix(CLOSE))
        assert shown == text.replace("\r\n", "\n").replace("\r", "\n")  # line breaks all shown as one kind


def test_attempt_folder_is_written_whole_and_replaced_whole(tmp_path):
    folder = tmp_path / "attempts" / "tn-0001" / "quiz" / "1"
    when = dt.datetime(2030, 6, 1, 1, 2, 3, tzinfo=dt.UTC)
    write_attempt(folder, "quiz.ipynb", release(), GOOD, when)
    assert sorted(p.name for p in folder.iterdir()) == ["answers.json", "quiz.ipynb", "timestamp.txt"]
    assert json.loads((folder / "answers.json").read_text(encoding="utf-8")) == GOOD
    assert (folder / "timestamp.txt").read_text() == "2030-06-01 01:02:03.000000 UTC"
    nbformat.validate(nbformat.read(folder / "quiz.ipynb", as_version=4))
    later = {"q-x": "b"}  # the copy a crashed try left is replaced whole: the database says what was submitted
    write_attempt(folder, "quiz.ipynb", release(), later, when + dt.timedelta(minutes=1))
    assert json.loads((folder / "answers.json").read_text(encoding="utf-8")) == later
    assert (folder / "timestamp.txt").read_text() == "2030-06-01 01:03:03.000000 UTC"
    assert [p.name for p in folder.parent.iterdir()] == ["1"]  # no staging or old folder left behind
