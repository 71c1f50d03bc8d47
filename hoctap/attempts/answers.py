"""A learner's answers → a submission notebook, written atomically and kept for every attempt.

Answers are data: each is checked against the question's shape (an option id, a list of option ids, a
bool, a text, a {left: target} map or an ordered list), then written into the release notebook's answer
cell as a Python literal (`repr`, proven by `ast.literal_eval` to read back as the same value), never
pasted into code. Text answers may hold no control character but tab and line breaks (`check_text`).

What was submitted is stored with the attempt's row in the database, in the same step that marks it submitted
(`attempts.Attempts.mark_submitted`); the grader rebuilds the notebook from there. A copy — the notebook,
`answers.json` and nbgrader's `timestamp.txt` — is written to a temporary folder and renamed into
`attempts/<learner>/<assessment>/<n>/` in one step, replacing any copy a crashed try left.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hoctap.errors import HoctapError

if TYPE_CHECKING:
    import nbformat

MAX_SHORT_TEXT = 1_000  # characters of a short answer
MAX_COMMITMENT = 20_000  # characters of a written commitment (about eight pages)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # what nbgrader writes and parses


class SubmissionError(HoctapError):
    """The answers cannot be submitted as they are (wrong shape, too long, nothing answered)."""


def literal(value: Any) -> str:
    """`value` as Python source that evaluates to exactly `value` and can do nothing else."""
    text = repr(value)
    if ast.literal_eval(text) != value:  # pragma: no cover - repr of str/bool/list/dict/None always round-trips
        raise SubmissionError("câu trả lời không ghi được thành giá trị thuần")
    return text


def _ids(items: list[dict]) -> set[str]:
    return {item["id"] for item in items}


def check_response(question: dict, response: Any) -> Any:
    """The response if its shape fits the question (None = unanswered), else SubmissionError saying why."""
    if response is None:
        return None
    kind = question["type"]
    options, targets = _ids(question.get("options", [])), _ids(question.get("targets", []))

    def bad(expected: str) -> SubmissionError:
        return SubmissionError(f"câu trả lời cho câu hỏi loại {kind} phải là {expected}")

    if kind == "single":
        if not (isinstance(response, str) and response in options):
            raise bad("một mã lựa chọn có trong câu hỏi")
    elif kind == "multiple":
        if not (isinstance(response, list) and all(isinstance(x, str) and x in options for x in response)):
            raise bad("danh sách mã lựa chọn có trong câu hỏi")
        if len(set(response)) != len(response):
            raise bad("danh sách mã lựa chọn không lặp lại")
    elif kind == "true-false":
        if not isinstance(response, bool):
            raise bad("true hoặc false")
    elif kind == "short-text":
        if not isinstance(response, str):
            raise bad("một đoạn chữ")
        if len(response) > MAX_SHORT_TEXT:
            raise SubmissionError(
                f"câu trả lời dài {len(response):,} ký tự, quá giới hạn {MAX_SHORT_TEXT:,} ký tự của câu trả lời ngắn"
            )
        if not response.strip():
            return None
        check_text(response, "câu trả lời")
    elif kind == "matching":
        if not (isinstance(response, dict) and all(k in options and v in targets for k, v in response.items())):
            raise bad("ánh xạ {mã vế trái: mã vế phải}")
    elif kind == "ordering":
        if not (isinstance(response, list) and sorted(response) == sorted(options)):
            raise bad("danh sách mọi mã lựa chọn, mỗi mã một lần, theo thứ tự")
    else:
        raise SubmissionError(f"loại câu hỏi không biết: {kind!r}")
    return response


def check_commitment(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise SubmissionError("bản cam kết đang trống: hãy viết nội dung trước khi nộp")
    if len(text) > MAX_COMMITMENT:
        raise SubmissionError(f"bản cam kết dài {len(text):,} ký tự, quá giới hạn {MAX_COMMITMENT:,} ký tự")
    return check_text(text, "bản cam kết")


# C0 controls but tab and line breaks, DEL, C1 controls, surrogates (a lone one cannot be written as UTF-8) and the
# non-characters U+FFFE/U+FFFF: no keyboard types them; a paste from Word brings U+000B, a crafted request anything.
_UNTYPABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def check_text(text: str, what: str) -> str:
    """`text` as typed, or SubmissionError naming the first character no keyboard types and where it stands."""
    found = _UNTYPABLE.search(text)
    if found is not None:
        code = ord(found.group())
        line = text.count("\n", 0, found.start()) + 1
        hint = " (dấu ngắt dòng của Word: gõ Enter thay cho nó)" if code == 0x0B else ""
        raise SubmissionError(
            f"{what} có ký tự điều khiển U+{code:04X} ở dòng {line}{hint}: xoá ký tự đó (thường do dán từ tệp khác) "
            "rồi nộp lại"
        )
    return text


def quiz_answers(metadata: dict, picks: list[dict], answers: dict[str, Any]) -> dict[int, dict]:
    """`answers` (question id → response, as in answers.json) checked against this attempt's picks:
    slot → {"question", "response"}. A question the attempt did not ask is refused."""
    asked = {p["question"]: p["slot"] for p in picks}
    unknown = sorted(set(answers) - set(asked))
    if unknown:
        raise SubmissionError(f"lần làm bài này không có câu hỏi: {', '.join(unknown)}")
    by_slot = {}
    for qid, slot in asked.items():
        response = check_response(metadata["questions"][qid], answers.get(qid))
        by_slot[slot] = {"question": qid, "response": response}
    if all(v["response"] is None for v in by_slot.values()):
        raise SubmissionError("chưa trả lời câu nào: hãy trả lời ít nhất một câu trước khi nộp")
    return by_slot


def partial_answers(metadata: dict, picks: list[dict], answers: Any) -> dict[str, Any]:
    """The answers given so far (question id → response), each checked as a submission checks it, but any number
    may be missing: what is saved while the learner answers. Unanswered questions are left out."""
    if not isinstance(answers, dict):
        raise SubmissionError("câu trả lời phải là một ánh xạ {mã câu hỏi: câu trả lời}")
    asked = {p["question"] for p in picks}
    unknown = sorted(str(qid)[:40] for qid in set(answers) - asked)
    if unknown:
        raise SubmissionError(f"lần làm bài này không có câu hỏi: {', '.join(unknown[:5])}")
    checked = {qid: check_response(metadata["questions"][qid], response) for qid, response in answers.items()}
    return {qid: response for qid, response in checked.items() if response is not None}


def fill_quiz(release: nbformat.NotebookNode, by_slot: dict[int, dict]) -> nbformat.NotebookNode:
    """A copy of the release notebook with each answer cell holding its slot's answer as a literal."""
    import nbformat

    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        slot = cell.get("metadata", {}).get("hoctap", {}).get("slot")
        if cell.cell_type == "code" and slot is not None and slot in by_slot:
            cell.source = f"answer_{slot} = {literal(by_slot[slot])}"
    return nb


def fill_commitment(release: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    """A copy of the release notebook with the learner's text as the commitment cell: a markdown cell (no code) that
    holds the text as inert HTML (`hoctap.safety.inert_markdown`), because nbgrader renders it with raw HTML on the
    instructor's origin."""
    import nbformat

    from hoctap.safety import inert_markdown

    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "commitment")
    cell.source = inert_markdown(text)
    return nb


def write_attempt(folder: Path, notebook_name: str, nb: nbformat.NotebookNode, answers: Any, when: dt.datetime) -> Path:
    """Write the attempt folder atomically: notebook, answers.json, timestamp.txt. A folder already there (a copy
    from a try that crashed, or written again) is replaced in one step: the database says what was submitted."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
    try:
        import nbformat

        _write(staging / notebook_name, nbformat.writes(nb) + "\n")
        _write(staging / "answers.json", json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        _write(staging / "timestamp.txt", timestamp_text(when))
        if folder.exists():
            os.rename(folder, old)
        os.rename(staging, folder)  # one step: the attempt is all there or not there
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def timestamp_text(when: dt.datetime) -> str:
    """A submission's time as nbgrader writes and reads `timestamp.txt`."""
    return when.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
