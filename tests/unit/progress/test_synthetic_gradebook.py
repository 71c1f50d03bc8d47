"""The synthetic gradebook builder (tests/synthetic_gradebook.py): deterministic, consistent with itself the way the
kit's grader leaves a gradebook, and read back by nbgrader itself."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hoctap.course import tables as gradebook_tables
from hoctap.course.tables import ensure_tables
from hoctap.topic.model import AssessmentKind
from tests.bench.export_baseline import extra_indexes
from tests.synthetic_gradebook import (
    OPTIONS,
    PROFILES,
    TABLE_ORDER,
    assessment_id,
    build_gradebook,
    counted_number,
    synthetic_topic,
)

LEARNERS, ASSESSMENTS = 160, 4
KIT_INDEXES = sorted(index.name for index in getattr(gradebook_tables, "NBGRADER_INDEXES", ()))


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """nbgrader's empty gradebook, made once (nbgrader runs `alembic` to make one): builds start from copies."""
    path = tmp_path_factory.mktemp("empty") / "gradebook.db"
    ensure_tables(f"sqlite:///{path}").dispose()
    return path


def _copy(empty: Path, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(empty, folder / "gradebook.db")
    return f"sqlite:///{folder / 'gradebook.db'}"


@pytest.fixture(scope="module")
def book(empty_gradebook, tmp_path_factory):
    url = _copy(empty_gradebook, tmp_path_factory.mktemp("book"))
    return build_gradebook(url, synthetic_topic(ASSESSMENTS), LEARNERS, seed=7, units=5, attempts_max=3)


def _rows(db_url: str, sql: str) -> list:
    engine = create_engine(db_url)
    try:
        with engine.connect() as db:
            return [tuple(r) for r in db.execute(text(sql))]
    finally:
        engine.dispose()


def _dump(db_url: str) -> dict[str, list]:
    """Every row the builder wrote, with the ids nbgrader gave its assignments, notebooks and cells (random
    uuid4, made by nbgrader's SaveCells) replaced by names."""
    names = dict(_rows(db_url, "SELECT id, 'assignment:' || name FROM assignment"))
    names.update(_rows(db_url, "SELECT id, 'notebook:' || name FROM notebook"))
    names.update(_rows(db_url, "SELECT id, 'cell:' || name || ':' || type FROM base_cell"))
    out = {}
    for table in TABLE_ORDER:
        rows = _rows(db_url, f"SELECT * FROM {table}")
        out[table] = sorted(tuple(names.get(v, v) if isinstance(v, str) else v for v in row) for row in rows)
    return out


# ------------------------------------------------------------------ the topic


def test_synthetic_topic_has_quizzes_of_single_questions_and_a_commitment_last():
    topic = synthetic_topic(6, 4)
    assert [a.id for a in topic.assessments] == [assessment_id(n) for n in range(1, 7)]
    *quizzes, commitment = topic.assessments
    assert commitment.kind == AssessmentKind.commitment and commitment.rating_scale
    assert all(a.kind == AssessmentKind.quiz and len(a.questions) == 4 for a in quizzes)
    for a in quizzes:
        for qid in a.questions:
            q = topic.question(qid)
            assert q.type.value == "single" and [o.id for o in q.options] == list(OPTIONS)
    assert all(a.due.year == 2030 for a in topic.assessments)
    assert sorted(a.due for a in topic.assessments) == [a.due for a in topic.assessments]
    assert len(topic.facts.audiences) == 2


def test_counted_number_is_what_the_grader_leaves():
    assert counted_number([3.0]) == 1
    assert counted_number([2.0, 5.0]) == 2
    assert counted_number([5.0, 2.0]) == 1
    assert counted_number([5.0, 2.0, 5.0]) == 3  # the last, tying the best: the grader puts nothing back
    assert counted_number([5.0, 5.0, 2.0]) == 1  # the earliest of the best


# ------------------------------------------------------------------ determinism


def test_same_seed_same_rows_other_seed_other_rows(empty_gradebook, tmp_path):
    topic = synthetic_topic(3)
    dumps = []
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        url = _copy(empty_gradebook, tmp_path / name)
        made = build_gradebook(url, topic, 25, seed=seed, indexes=name != "c")
        dumps.append((_dump(url), made.scores, made.counts))
    assert dumps[0] == dumps[1]
    assert extra_indexes(f"sqlite:///{tmp_path / 'a' / 'gradebook.db'}") == KIT_INDEXES
    assert extra_indexes(f"sqlite:///{tmp_path / 'c' / 'gradebook.db'}") == []  # nbgrader's bare schema
    assert dumps[0][0]["hoctap_response"] != dumps[2][0]["hoctap_response"]
    assert dumps[0][0]["student"] == dumps[2][0]["student"]  # learners do not depend on the seed


# ------------------------------------------------------------------ the learners and the counts


def test_learners_units_roles_and_counts(book):
    ids = book.learner_ids
    assert ids[0] == "sv-00001" and ids[-1] == f"sv-{LEARNERS:05d}" and len(set(ids)) == LEARNERS
    kit = _rows(book.db_url, "SELECT student_id, unit, unit_id, role FROM hoctap_learner ORDER BY student_id")
    assert kit == [(one.id, one.unit, one.unit_id, one.role) for one in book.learners]
    assert {one.unit_id for one in book.learners} == {f"don-vi-{k:02d}" for k in range(1, 6)}
    assert book.learners[0].unit == "Đơn vị 01" and book.learners[-1].unit_id == "don-vi-05"
    roles = [a.id for a in book.topic.facts.audiences]
    assert [one.role for one in book.learners[:4]] == [roles[0], roles[1], roles[0], roles[1]]
    for table, count in book.counts.items():
        assert _rows(book.db_url, f"SELECT count(*) FROM {table}") == [(count,)], table
    assert book.counts["submitted_assignment"] == len(book.scores)
    share = len(book.scores) / (LEARNERS * ASSESSMENTS)
    assert 0.78 < share < 0.92  # fraction_submitted 0.85


def test_attempts_are_graded_numbered_in_time_and_late_after_the_due(book):
    due = {a.id: a for a in book.topic.assessments}
    rows = _rows(
        book.db_url,
        "SELECT student_id, assessment_id, number, status, started_at, submitted_at, late, score, max_score "
        "FROM hoctap_attempt ORDER BY student_id, assessment_id, number",
    )
    by_pair = defaultdict(list)
    for row in rows:
        by_pair[row[:2]].append(row)
    assert set(by_pair) == set(book.scores)
    lates = 0
    for (_, assessment), attempts in by_pair.items():
        a = due[assessment]
        limit = 1 if a.kind == AssessmentKind.commitment else 3
        assert [r[2] for r in attempts] == list(range(1, len(attempts) + 1)) and len(attempts) <= limit
        times = [(r[4], r[5]) for r in attempts]
        assert all(start < end for start, end in times)
        assert [t[1] for t in times] == sorted(t[1] for t in times)
        for r in attempts:
            assert r[3] == "graded" and r[8] > 0
            lates += bool(r[6])
    assert 0.03 < lates / len(rows) < 0.2  # late_fraction 0.1
    # late means after the due, checked in SQL against nbgrader's due dates (naive UTC, as the attempts' times)
    wrong = _rows(
        book.db_url,
        "SELECT count(*) FROM hoctap_attempt t JOIN assignment a ON a.name = t.assessment_id "
        "WHERE (t.submitted_at > a.duedate) != t.late",
    )
    assert wrong == [(0,)]


# ------------------------------------------------------------------ consistency, as the grader leaves it


def test_responses_sum_to_their_attempt_and_fill_every_slot(book):
    quizzes = {a.id: len(a.questions) for a in book.topic.assessments if a.kind != AssessmentKind.commitment}
    rows = _rows(
        book.db_url,
        "SELECT t.id, t.assessment_id, t.score, t.max_score, count(r.slot), coalesce(sum(r.score), 0), "
        "coalesce(sum(r.max_score), 0) FROM hoctap_attempt t LEFT JOIN hoctap_response r ON r.attempt_id = t.id "
        "GROUP BY t.id, t.assessment_id, t.score, t.max_score",
    )
    for _, assessment, score, top, slots, total, total_top in rows:
        if assessment in quizzes:
            assert slots == quizzes[assessment] and total == score and total_top == top
        else:
            assert slots == 0 and score == 0.0 and top == 10.0  # a commitment: text waiting for a human
    slots = _rows(book.db_url, "SELECT DISTINCT slot FROM hoctap_response ORDER BY slot")
    assert slots == [(k,) for k in range(1, 6)]


def test_nbgrader_grades_hold_the_counted_attempt(book):
    """Per submission: nbgrader's grade rows (slot-k) are the responses of the attempt the grader leaves counted,
    whose score is the highest of the learner's attempts, and whose time is the submission's timestamp."""
    grades = _rows(
        book.db_url,
        "SELECT s.student_id, a.name, c.name, g.auto_score, g.manual_score, g.needs_manual_grade, s.timestamp "
        "FROM grade g JOIN submitted_notebook n ON n.id = g.notebook_id "
        "JOIN submitted_assignment s ON s.id = n.assignment_id JOIN assignment a ON a.id = s.assignment_id "
        "JOIN base_cell c ON c.id = g.cell_id",
    )
    attempts = _rows(
        book.db_url, "SELECT id, student_id, assessment_id, number, score, submitted_at FROM hoctap_attempt"
    )
    responses = defaultdict(dict)
    for attempt_id, slot, score in _rows(book.db_url, "SELECT attempt_id, slot, score FROM hoctap_response"):
        responses[attempt_id][f"slot-{slot}"] = score
    by_pair = defaultdict(list)
    for row in sorted(attempts, key=lambda r: r[3]):
        by_pair[(row[1], row[2])].append(row)
    nbgrader = defaultdict(dict)
    stamps = {}
    for learner_id, assessment, cell, auto, manual, waiting, stamp in grades:
        nbgrader[(learner_id, assessment)][cell] = (auto, manual, bool(waiting))
        stamps[(learner_id, assessment)] = stamp
    assert set(nbgrader) == set(by_pair)
    quizzes = 0
    for pair, cells in nbgrader.items():
        tries = by_pair[pair]
        if "commitment" in cells:
            auto, manual, waiting = cells["commitment"]
            assert auto is None and (manual is None) == waiting
            assert book.scores[pair] == (manual or 0.0)
            continue
        quizzes += 1
        counted = tries[counted_number([t[4] for t in tries]) - 1]
        assert counted[4] == max(t[4] for t in tries)
        assert {cell: v[0] for cell, v in cells.items()} == responses[counted[0]]
        assert all(v[1] is None and not v[2] for v in cells.values())
        assert sum(v[0] for v in cells.values()) == counted[4] == book.scores[pair]
        assert stamps[pair] == counted[5]
    assert quizzes > LEARNERS  # most pairs are quizzes
    waiting = [pair for pair, cells in nbgrader.items() if "commitment" in cells and cells["commitment"][2]]
    evaluated = [pair for pair, cells in nbgrader.items() if "commitment" in cells and not cells["commitment"][2]]
    assert waiting and evaluated


def test_comments_only_for_the_commitment_solution_cell(book):
    rows = _rows(
        book.db_url,
        "SELECT c.name, c.type, count(*) FROM comment m JOIN base_cell c ON c.id = m.cell_id GROUP BY c.name, c.type",
    )
    commitments = sum(1 for (_, a) in book.scores if a == book.topic.assessments[-1].id)
    assert rows == [("commitment", "SolutionCell", commitments)]


def test_questions_follow_their_profiles(book):
    """Item analysis has something to find: facility near each profile's, the popular wrong option first, and
    the item better learners get wrong more often correlating negatively with the rest of the attempt."""
    rows = _rows(
        book.db_url,
        "SELECT r.question_id, r.response, r.score, t.score FROM hoctap_response r "
        "JOIN hoctap_attempt t ON t.id = r.attempt_id",
    )
    by_question = defaultdict(list)
    for qid, response, score, total in rows:
        by_question[qid].append((response, score, total - score))
    for qid, answers in by_question.items():
        facts = book.questions[qid]
        facility = sum(a[1] for a in answers) / len(answers)
        assert abs(facility - 0.97 * facts.profile.right) < 0.1, (qid, facility, facts.profile)
        wrong = Counter(r for r, score, _ in answers if score == 0 and r is not None)
        if facts.profile.popular >= 0.6:
            assert wrong.most_common(1)[0][0] == f'"{facts.popular_wrong}"', (qid, wrong)
        assert all(r is None or r.strip('"') in OPTIONS for r, _, _ in answers)
        assert (_correlation([a[1] for a in answers], [a[2] for a in answers]) > 0) == (
            facts.profile.discrimination > 0
        ), (qid, facts.profile)
    assert {book.questions[q].profile for q in by_question} == set(PROFILES)


def _correlation(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    spread = (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5
    return cov / spread


def test_nbgrader_reads_the_scores(book):
    """nbgrader's own API (what formgrader and `nbgrader export` use) computes the scores inserted."""
    from nbgrader.api import Gradebook, MissingEntry

    from hoctap.course import COURSE_ID

    with Gradebook(book.db_url, COURSE_ID) as gb:
        for learner_id in book.learner_ids[:12]:
            for a in book.topic.assessments:
                try:
                    submission = gb.find_submission(a.id, learner_id)
                except MissingEntry:
                    assert (learner_id, a.id) not in book.scores
                    continue
                assert submission.score == book.scores[(learner_id, a.id)]
                assert submission.max_score == (10.0 if a.kind == AssessmentKind.commitment else 5.0)


@pytest.mark.slow
def test_nbgrader_export_returns_the_inserted_scores(empty_gradebook, tmp_path):
    from tests.bench.export_baseline import check_export, read_grades, time_nbgrader_export

    url = _copy(empty_gradebook, tmp_path / "db")
    made = build_gradebook(url, synthetic_topic(3), 30, seed=3)
    grades = tmp_path / "grades.csv"
    seconds = time_nbgrader_export(url, tmp_path / "course", grades)
    assert seconds > 0
    assert check_export(grades, made, sample=None) == 30 * 3
    rows = read_grades(grades)
    assert {row["max_score"] for (_, a), row in rows.items() if a == assessment_id(1)} == {"5.0"}
