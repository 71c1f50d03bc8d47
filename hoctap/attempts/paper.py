"""Answers typed in from paper (`hoctap submit`): read from an answers file, entered at the moment the paper was
handed in, through the same checks and path as the learner app (`Portal.submit_paper`)."""

from __future__ import annotations

import json
from pathlib import Path

from hoctap.course import Course
from hoctap.errors import HoctapError
from hoctap.topic import parse_moment

from .portal import Portal, release_metadata
from .table import Attempt


def read_answers(path: Path) -> dict:
    """`{question id: response}` or `{"text": …}` from `path`, or one line saying why not."""
    try:
        answers = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HoctapError(f"{path}: không đọc được answers.json ({error})") from None
    if not isinstance(answers, dict):
        raise HoctapError(f"{path}: answers.json phải là một ánh xạ {{mã câu hỏi: câu trả lời}}")
    return answers


def submit_paper_file(course: Course, learner_id: str, assessment_id: str, path: Path, at: str | None) -> Attempt:
    """Enter `path`'s answers for `learner_id`; `at` (text, the topic's zone without an offset) is when the paper
    was handed in, default now. Every refusal is one line that names the file."""
    answers = read_answers(path)
    moment = parse_moment(at, release_metadata(course, assessment_id)["timezone"], "--at") if at else None
    portal = Portal(course) if moment is None else Portal(course, clock=lambda: moment)
    learner = portal.learner(learner_id)
    if learner is None:
        raise HoctapError(
            f"không có học viên '{learner_id}' trong danh sách; nhập danh sách trước (hoctap roster import)"
        )
    try:
        return portal.submit_paper(learner, assessment_id, answers)
    except HoctapError as error:
        raise HoctapError(f"{path}: {error}") from None
