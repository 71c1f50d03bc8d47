"""Assessment → nbgrader SOURCE notebook: one notebook per assessment, reproducible byte for byte.

Path: `assessments/source/<assessment id>/<assessment id>.ipynb`. The text is nbformat 4.5 with sorted keys, fixed
cell ids, no outputs and a trailing newline. The learner app, the submission writer and the grader rely on this
format exactly:

Notebook metadata
    `kernelspec` python3, `language_info` {"name": "python"}, and `hoctap`:
    {"generated_by": "hoctap build", "topic", "assessment", "kind": "quiz"|"final"|"commitment", "title",
    "instructions", "points_per_question", "rating_scale": [{"id", "label", "points"}] (commitment; else []),
    "timezone", "roles", "units", "skip_units", "opens", "due", "closes" (ISO text or null), "attempts", "counts",
    "time_limit_minutes", "review" (the assessment's rules, so the learner side never reads the spec),
    "slots": [{"slot": k, "candidates": [question id, ...]}, ...],
    "questions": {question id: {"type", "prompt", "options": [{"id", "text"}], "targets": [{"id", "text"}],
    "content" (id or null), "cite"}}}.
    No answer and no explanation: this metadata survives into the release, which learners' kernels read.

Slots (quiz, final)
    Fixed questions first, one slot each (candidates = [that id]); then, for each `draw` of count c in spec
    order, c slots whose candidates are the draw's pool (`hoctap.topic.draw_pools`: the questions its filters select,
    never a lesson's practice question, minus the fixed ids and minus the pools of earlier draws of the same
    assessment). Slots are numbered from 1. For each attempt the app picks distinct
    questions from each draw's pool.

Cells (quiz, final)
    id "intro": markdown, nbgrader read-only (locked, grade_id "intro"): title and instructions.
    Per slot k:
    id "answer-k": a plain code cell (metadata {"hoctap": {"slot": k}}, no nbgrader metadata) whose source is
        exactly `answer_k = None`. The submission writer replaces it by
        `answer_k = {"question": <qid>, "response": <response>}` written as a literal.
    id "slot-k": an nbgrader autograder-test cell (grade, locked, not solution, grade_id "slot-k",
        points = points_per_question) whose source is
        `# Câu k\\n### BEGIN HIDDEN TESTS\\nfrom hoctap.grading.check import check_slot\\n`
        `check_slot(answer_k, KEYS)\\n### END HIDDEN TESTS`, KEYS being a one-line Python dict literal
        {qid: {"answer": key, "plain": accept_without_diacritics, "type": type}} of the slot's candidates, keys
        sorted. The release keeps only `# Câu k`; autograding restores the rest from the gradebook.

nbgrader cell metadata is always the full schema-3 dict {"grade", "grade_id", "locked", "schema_version": 3,
"solution", "task": false} plus "points" (a float) on grade cells; the release adds nbgrader's "checksum" and
"cell_type" and Jupyter's "editable"/"deletable": false on read-only cells.

Cells (commitment)
    id "intro" as above; id "rating-scale": markdown, read-only (locked, grade_id "rating-scale"): how to write
    and the rating scale; id "commitment": markdown, nbgrader manually graded answer (solution, grade, not locked,
    grade_id "commitment", points = the highest rating) whose source is
    `### BEGIN SOLUTION\\n(Học viên viết bản cam kết ở đây.)\\n### END SOLUTION`. nbgrader's generate_assignment
    replaces the region by ClearSolutions.text_stub, which hoctap.course.course sets to the same words, so the release
    cell reads `(Học viên viết bản cam kết ở đây.)`. The submission writes the learner's text as that cell's whole
    source, as inert HTML (`hoctap.safety.inert.inert_markdown`: formgrader renders it with raw HTML); a changed
    cell waits for a grader in formgrader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from hoctap.course import TEXT_STUB, course_for
from hoctap.errors import BuildError
from hoctap.topic import Assessment, AssessmentKind, Layout, Question, Topic, draw_pools, review_of

from .lessons import esc

GENERATOR = "hoctap build"  # the same mark as lessons: `hoctap build` may remove what carries it
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
NBGRADER_SCHEMA = 3


# ------------------------------------------------------------------ slots and keys


def slots(topic: Topic, assessment: Assessment) -> list[list[str]]:
    """The candidates of each slot, in slot order (slot k is index k - 1)."""
    out = [[qid] for qid in assessment.questions]
    for n, (draw, pool) in enumerate(zip(assessment.draw, draw_pools(topic, assessment), strict=True)):
        if len(pool) < draw.count:
            raise BuildError(
                f"{assessment.id}: draw[{n}] cần {draw.count} câu nhưng chỉ còn {len(pool)} câu sau khi bỏ câu cố định,"
                " câu luyện tập và câu của các lần rút trước; thêm câu hỏi vào ngân hàng hoặc giảm count"
            )
        out += [[q.id for q in pool] for _ in range(draw.count)]
    return out


def _canonical(value: Any) -> Any:
    """Dicts with sorted keys, all the way down, so a literal is the same text every build."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def slot_keys(questions: list[Question]) -> dict[str, dict[str, Any]]:
    """What the hidden test of a slot checks against: type, answer and `plain` (accept without diacritics)."""
    return _canonical(
        {q.id: {"type": q.type.value, "answer": q.answer, "plain": q.accept_without_diacritics} for q in questions}
    )


def hidden_test_source(k: int, keys: dict[str, dict[str, Any]]) -> str:
    return (
        f"# Câu {k}\n### BEGIN HIDDEN TESTS\nfrom hoctap.grading.check import check_slot\n"
        f"check_slot(answer_{k}, {keys!r})\n### END HIDDEN TESTS"
    )


def _public(q: Question) -> dict[str, Any]:
    """What a learner's kernel may know of a question: never its answer or explanation."""
    return {
        "type": q.type.value,
        "prompt": q.prompt,
        "options": [{"id": o.id, "text": o.text} for o in q.options],
        "targets": [{"id": o.id, "text": o.text} for o in q.targets],
        "content": q.content,
        "cite": q.cite,
    }


# ------------------------------------------------------------------ cells


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False, points=None):
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": NBGRADER_SCHEMA,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _markdown(cell_id: str, source: str, metadata: dict[str, Any]):
    cell = new_markdown_cell(source, metadata=metadata)
    cell["id"] = cell_id
    return cell


def _code(cell_id: str, source: str, metadata: dict[str, Any]):
    cell = new_code_cell(source, metadata=metadata)
    cell["id"] = cell_id
    return cell


def _intro(assessment: Assessment):
    text = f"# {esc(assessment.title)}"
    if assessment.instructions:
        text += f"\n\n{esc(assessment.instructions)}"
    return _markdown("intro", text, _nbgrader("intro", locked=True))


def _fmt_points(points: float) -> str:
    return f"{points:g}".replace(".", ",")


def _quiz_cells(assessment: Assessment, slot_candidates: list[list[str]], questions: dict[str, Question]) -> list:
    cells = [_intro(assessment)]
    points = float(assessment.points_per_question)
    for k, candidates in enumerate(slot_candidates, start=1):
        cells.append(_code(f"answer-{k}", f"answer_{k} = None", {"hoctap": {"slot": k}}))
        keys = slot_keys([questions[qid] for qid in candidates])
        meta = _nbgrader(f"slot-{k}", grade=True, locked=True, points=points)
        cells.append(_code(f"slot-{k}", hidden_test_source(k, keys), meta))
    return cells


def _commitment_cells(assessment: Assessment) -> list:
    rows = "\n".join(f"| {esc(level.label)} | {_fmt_points(level.points)} |" for level in assessment.rating_scale)
    guide = (
        "## Viết bản cam kết\n\nViết bản cam kết của anh/chị vào ô dưới đây: những việc cụ thể, làm được, gắn với "
        "chức trách, nhiệm vụ được giao.\n\n### Thang đánh giá cuối năm\n\n| Mức | Điểm |\n| --- | --- |\n" + rows
    )
    top = float(max(level.points for level in assessment.rating_scale))
    answer = f"### BEGIN SOLUTION\n{TEXT_STUB}\n### END SOLUTION"
    return [
        _intro(assessment),
        _markdown("rating-scale", guide, _nbgrader("rating-scale", locked=True)),
        _markdown("commitment", answer, _nbgrader("commitment", grade=True, solution=True, points=top)),
    ]


# ------------------------------------------------------------------ the notebook


def source_text(topic: Topic, assessment: Assessment) -> str:
    """One assessment's source notebook as the exact text committed."""
    questions = {q.id: q for q in topic.questions}
    if assessment.kind == AssessmentKind.commitment:
        slot_candidates: list[list[str]] = []
        cells = _commitment_cells(assessment)
    else:
        slot_candidates = slots(topic, assessment)
        cells = _quiz_cells(assessment, slot_candidates, questions)
    shown = sorted({qid for candidates in slot_candidates for qid in candidates})
    meta = {
        "generated_by": GENERATOR,
        "topic": topic.id,
        "assessment": assessment.id,
        "kind": assessment.kind.value,
        "title": assessment.title,
        "instructions": assessment.instructions,
        "points_per_question": float(assessment.points_per_question),
        "rating_scale": [
            {"id": level.id, "label": level.label, "points": float(level.points)} for level in assessment.rating_scale
        ],
        # The rules the learner app and the server enforce, so neither needs the spec (which holds the keys).
        "timezone": topic.timezone,
        "roles": list(assessment.roles),
        "units": list(assessment.units),
        "skip_units": [
            c.unit for c in topic.unit_choices if assessment.content and assessment.content not in c.contents
        ],
        "opens": assessment.opens.isoformat(),
        "due": assessment.due.isoformat(),
        "closes": assessment.closes.isoformat() if assessment.closes else None,
        "attempts": assessment.attempts,
        "counts": assessment.counts.value,
        "time_limit_minutes": assessment.time_limit_minutes,
        "review": review_of(assessment.review, assessment.attempts),
        "slots": [{"slot": k, "candidates": c} for k, c in enumerate(slot_candidates, start=1)],
        "questions": {qid: _public(questions[qid]) for qid in shown},
    }
    nb = new_notebook(
        cells=cells,
        metadata={"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}, "hoctap": meta},
    )
    nb.nbformat_minor = 5
    return nbformat.writes(nb) + "\n"


def source_files(topic: Topic, where: Layout) -> dict[Path, str]:
    """Every source notebook of a topic's assessments, by path."""
    course = course_for(where)
    return {course.source_notebook(a.id): source_text(topic, a) for a in topic.assessments}
