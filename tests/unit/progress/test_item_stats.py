"""Item analysis against values computed here, independently, with pandas and numpy from the raw attempts and
responses of a synthetic gradebook: Moodle's quiz statistics (mean, median, SD, skewness, kurtosis, Cronbach's
alpha, error ratio, standard error), its question statistics (facility, SD, discrimination, discriminative
efficiency, effective weight), PrairieLearn's quintile scores and the gain per extra attempt. The gradebook has a
question whose key is reversed (better learners get it wrong: negative discrimination, flagged) and, made here, one
that everyone answers right (facility 100, SD 0, discrimination undefined: blank)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from hoctap.course.database import engine_for
from hoctap.progress import COLUMNS, Filters, progress_table, table_bytes
from hoctap.progress.item_cache import cached, item_stats, recompute, refresh_in_background
from hoctap.progress.item_stats import random_guess
from hoctap.progress.items import item_analysis
from hoctap.topic import QuestionType
from tests.synthetic_gradebook import build_gradebook, synthetic_topic

LEARNERS = 150
EVERYONE_RIGHT = "2030-bai-01-c1"  # made so below
REVERSED = "2030-bai-01-c4"  # PROFILES[3]: better learners choose a wrong option more often


def make_everyone_right(db_url: str, question_id: str, key: str) -> None:
    """Every response to the question becomes the key, full marks; attempts' totals follow (the grader's sum)."""
    with engine_for(db_url).begin() as db:
        db.execute(
            text("UPDATE hoctap_response SET score = max_score, response = :key WHERE question_id = :q"),
            {"key": json.dumps(key), "q": question_id},
        )
        db.execute(
            text(
                "UPDATE hoctap_attempt SET score = (SELECT SUM(score) FROM hoctap_response r"
                " WHERE r.attempt_id = hoctap_attempt.id) WHERE assessment_id = :a"
            ),
            {"a": question_id.rsplit("-c", 1)[0]},
        )


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("items")
    topic = synthetic_topic(3)
    built = build_gradebook(f"sqlite:///{folder / 'gradebook.db'}", topic, LEARNERS, seed=11)
    make_everyone_right(built.db_url, EVERYONE_RIGHT, built.questions[EVERYONE_RIGHT].key)
    return built


@pytest.fixture(scope="module")
def computed(book):
    return item_analysis(engine_for(book.db_url), [book.topic])


@pytest.fixture(scope="module")
def raw(book):
    return read_raw(book.db_url)


def read_raw(db_url: str):
    """The graded attempts and their responses as stored, and the counted attempt of each learner (highest score,
    the latest on a tie), chosen here with pandas."""
    engine = engine_for(db_url)
    attempts = pd.read_sql(
        "SELECT id, student_id, assessment_id, number, score FROM hoctap_attempt WHERE status = 'graded'", engine
    )
    responses = pd.read_sql(
        "SELECT attempt_id, slot, question_id, response, score, max_score FROM hoctap_response", engine
    )
    counted = (
        attempts.sort_values(["score", "number"], ascending=False).groupby(["student_id", "assessment_id"]).head(1)
    )
    answers = responses.merge(counted.rename(columns={"id": "attempt_id", "score": "total"}), on="attempt_id")
    return attempts, responses, counted, answers


def quizzes(book):
    return [a for a in book.topic.assessments if a.kind.value == "quiz"]


def test_quiz_statistics_are_moodles(book, computed, raw):
    check_quiz(book, computed[0], raw)


def check_quiz(book, quiz: pd.DataFrame, raw) -> None:
    attempts, _, counted, answers = raw
    assert list(quiz["assessment_id"]) == [a.id for a in quizzes(book)]
    for a in quizzes(book):
        row = quiz.set_index("assessment_id").loc[a.id]
        totals = counted.loc[counted["assessment_id"] == a.id, "score"]
        items = answers[answers["assessment_id"] == a.id].pivot(index="attempt_id", columns="slot", values="score")
        p, maximum = items.shape[1], 5.0
        alpha = 100 * p / (p - 1) * (1 - items.var(ddof=1).sum() / totals.var(ddof=1))
        error_ratio = 100 * math.sqrt(1 - alpha / 100)
        assert row["attempts"] == len(totals) and row["slots"] == p == 5
        assert row["all_attempts"] == (attempts["assessment_id"] == a.id).sum()
        assert row["mean_score"] == pytest.approx(100 * totals.mean() / maximum, abs=0.051)
        assert row["median_score"] == pytest.approx(100 * totals.median() / maximum, abs=0.051)
        assert row["sd"] == pytest.approx(100 * totals.std(ddof=1) / maximum, abs=0.051)
        assert row["skewness"] == pytest.approx(totals.skew(), abs=0.0051)  # pandas: adjusted Fisher-Pearson, as Moodle
        assert row["kurtosis"] == pytest.approx(totals.kurt(), abs=0.0051)  # pandas: excess, unbiased, as Moodle
        assert row["alpha"] == pytest.approx(alpha, abs=0.051)
        assert row["error_ratio"] == pytest.approx(error_ratio, abs=0.051)
        assert row["standard_error"] == pytest.approx(error_ratio * totals.std(ddof=1) / 100 * 100 / maximum, abs=0.051)


def expected_question(answers: pd.DataFrame, question_id: str) -> dict:
    mine = answers[answers["question_id"] == question_id].sort_values("attempt_id")
    x, total = mine["score"].to_numpy(), mine["total"].to_numpy()
    rest = total - x
    spread = np.cov(np.sort(x), np.sort(rest))[0, 1]
    same = answers[answers["assessment_id"] == mine["assessment_id"].iloc[0]]
    roots = [
        math.sqrt(max(np.cov(g["score"], g["total"])[0, 1], 0)) for _, g in same.groupby("question_id", sort=False)
    ]
    cov_total = np.cov(x, total)[0, 1]
    by_total = same.drop_duplicates("attempt_id").sort_values(["total", "attempt_id"])["attempt_id"].to_numpy()
    fifths = [100 * mine.set_index("attempt_id").loc[part, "score"].mean() for part in np.array_split(by_total, 5)]
    return {
        "responses": len(x),
        "facility": 100 * x.mean(),
        "sd": 100 * x.std(ddof=1),
        "discrimination": 100 * np.corrcoef(x, rest)[0, 1] if x.std() and rest.std() else np.nan,
        "discriminative_efficiency": 100 * np.cov(x, rest)[0, 1] / spread if spread else np.nan,
        "effective_weight": 100 * math.sqrt(cov_total) / sum(roots) if cov_total >= 0 else np.nan,
        **{f"quintile_{k + 1}": v for k, v in enumerate(fifths)},
    }


def expected_gain(attempts: pd.DataFrame, responses: pd.DataFrame, question_id: str) -> tuple[float, int]:
    mine = responses[responses["question_id"] == question_id].merge(
        attempts.rename(columns={"id": "attempt_id", "score": "total"}), on="attempt_id"
    )
    gains = []
    for _, one in mine.groupby("student_id"):
        if len(one) > 1:
            one = one.sort_values("number")
            gains.append((one["score"].iloc[-1] - one["score"].iloc[0]) / (len(one) - 1))
    return 100 * float(np.mean(gains)), len(gains)


def test_question_statistics_are_moodles_and_prairielearns(computed, raw):
    check_questions(computed[1], raw)


def check_questions(questions: pd.DataFrame, raw) -> None:
    attempts, responses, _, answers = raw
    table = questions.set_index("question_id")
    assert len(table) == 2 * 5
    for question_id in table.index:
        want = expected_question(answers, question_id)
        got = table.loc[question_id]
        for column, value in want.items():
            if isinstance(value, float) and math.isnan(value):
                assert pd.isna(got[column]), (question_id, column)
            else:
                assert got[column] == pytest.approx(value, abs=0.051), (question_id, column, got[column], value)
        gain, retakers = expected_gain(attempts, responses, question_id)
        assert got["retakers"] == retakers > 0
        assert got["gain"] == pytest.approx(gain, abs=0.051), question_id
        assert got["random_guess"] == 25.0  # single choice among four


def test_the_reversed_key_is_flagged(computed):
    _, questions = computed
    row = questions.set_index("question_id").loc[REVERSED]
    assert row["discrimination"] < 0 and row["discriminative_efficiency"] < 0
    assert "phân biệt ngược" in row["flag"]
    reversed_ones = questions["question_id"].str.endswith("-c4")  # every quiz's fourth question follows PROFILES[3]
    assert (questions.loc[reversed_ones, "discrimination"] < 0).all()
    good = questions[~reversed_ones & (questions["question_id"] != EVERYONE_RIGHT)]
    assert (good["discrimination"] > 0).all() and not good["flag"].str.contains("ngược").any()


def test_a_question_everyone_answers_right_has_blanks_not_nan(book, computed):
    _, questions = computed
    row = questions.set_index("question_id").loc[EVERYONE_RIGHT]
    assert row["facility"] == 100.0 and row["sd"] == 0.0
    assert pd.isna(row["discrimination"]) and pd.isna(row["discriminative_efficiency"])
    assert row["effective_weight"] == 0.0  # no covariance with the total: Moodle's √0
    assert "quá dễ" in row["flag"] and "phân biệt" not in row["flag"]
    for labels in ("ids", "vi"):
        csv_text = table_bytes(questions, "csv", labels=labels, table="question").decode("utf-8-sig")
        line = next(x for x in csv_text.splitlines() if EVERYONE_RIGHT in x)
        cells = next(csv.reader([line]))
        assert "nan" not in [c.lower() for c in cells] and "" in cells  # the undefined discrimination: an empty cell


@pytest.mark.parametrize(
    ("kind", "options", "targets", "want"),
    [
        ("single", 4, 0, 25.0),
        ("true-false", 2, 0, 50.0),
        ("multiple", 3, 0, round(100 / 7, 1)),
        ("matching", 3, 4, round(100 / 64, 1)),
        ("ordering", 4, 0, round(100 / 24, 1)),
        ("short-text", 0, 0, 0.0),
    ],
)
def test_random_guess_score_by_type(kind, options, targets, want):
    # Only the type and the counts matter: a stand-in, not a spec question (whose validation wants a whole topic).
    q = SimpleNamespace(type=QuestionType(kind), options=[object()] * options, targets=[object()] * targets)
    assert random_guess(q) == want


# ------------------------------------------------------------------ the cache


def grade_one_more(db_url: str, book, assessment_id: str, status: str = "graded", at: dt.datetime | None = None) -> int:
    """A learner who had not taken the quiz takes it and is graded (every answer right): one more graded attempt (or
    one waiting for the grader, with `status`). Returns the attempt's id."""
    engine = engine_for(db_url)
    with engine.begin() as db:
        who = db.execute(
            text(
                "SELECT student_id FROM hoctap_learner WHERE student_id NOT IN"
                " (SELECT student_id FROM hoctap_attempt WHERE assessment_id = :a) ORDER BY student_id LIMIT 1"
            ),
            {"a": assessment_id},
        ).scalar_one()
        attempt_id = db.execute(text("SELECT MAX(id) + 1 FROM hoctap_attempt")).scalar_one()
        db.execute(
            text(
                "INSERT INTO hoctap_attempt (id, student_id, assessment_id, number, started_at, picks, status,"
                " submitted_at, late, score, max_score)"
                " VALUES (:id, :who, :a, 1, :at, '[]', :status, :at, 0, 5.0, 5.0)"
            ),
            {
                "id": attempt_id,
                "who": who,
                "a": assessment_id,
                "status": status,
                "at": (at or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
            },
        )
        facts = sorted((q for q in book.questions.values() if q.assessment_id == assessment_id), key=lambda q: q.slot)
        for q in facts:
            db.execute(
                text(
                    "INSERT INTO hoctap_response (attempt_id, slot, assessment_id, question_id, response, score,"
                    " max_score) VALUES (:id, :slot, :a, :q, :r, 1.0, 1.0)"
                ),
                {"id": attempt_id, "slot": q.slot, "a": assessment_id, "q": q.id, "r": json.dumps(q.key)},
            )
    return attempt_id


def test_the_cache_tells_as_of_and_since(book, raw, tmp_path):
    copy = tmp_path / "gradebook.db"
    shutil.copy(book.db_url.removeprefix("sqlite:///"), copy)
    engine, topics = engine_for(f"sqlite:///{copy}"), [book.topic]
    graded = int(raw[0]["assessment_id"].isin({a.id for a in quizzes(book)}).sum())
    quiz = quizzes(book)[1].id
    # Submitted an hour ago and still waiting for the grader when the statistics are computed: graded after, it must
    # count as "since" although it was submitted before the computation.
    waiting = grade_one_more(
        f"sqlite:///{copy}", book, quiz, "submitted", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    assert cached(engine, topics) is None
    first = recompute(engine, topics)
    assert (first.as_of, first.since) == (graded, 0)
    kept = cached(engine, topics)
    assert (kept.as_of, kept.since) == (graded, 0) and not kept.stale
    pd.testing.assert_frame_equal(kept.questions, first.questions, check_dtype=False)
    pd.testing.assert_frame_equal(kept.quiz, first.quiz, check_dtype=False)

    grade_one_more(f"sqlite:///{copy}", book, quiz)
    later = cached(engine, topics)
    assert (later.as_of, later.since) == (graded, 1) and later.stale
    assert "có 1 lần làm chấm sau đó" in later.note()
    assert cached(engine, topics, Filters(units=["don-vi-01"])) is None  # other filters: their own statistics
    assert item_stats(engine, topics).since == 1  # any number since is fine by default
    with engine.begin() as db:
        db.execute(text("UPDATE hoctap_attempt SET status = 'graded' WHERE id = :id"), {"id": waiting})
    assert cached(engine, topics).since == 2

    done = []
    first_call = refresh_in_background(engine, topics, on_done=done.append)
    second_call = refresh_in_background(engine, topics, on_done=done.append)  # joins the first while it runs
    first_call.join(120), second_call.join(120)
    assert [result.as_of for result in done] == [graded + 2, graded + 2]
    fresh = cached(engine, topics)
    assert (fresh.as_of, fresh.since) == (graded + 2, 0)
    before = first.questions.set_index("question_id")["responses"]
    after = fresh.questions.set_index("question_id")["responses"]
    assert ((after - before)[lambda d: d.index.str.startswith(quiz)] == 2).all()


# ------------------------------------------------------------------ the long export


def test_the_long_export_has_a_row_per_learner_and_question_answered(book, raw):
    attempts, responses, counted, _ = raw
    ids = {a.id for a in quizzes(book)}
    df = progress_table("response", engine_for(book.db_url), [book.topic])
    assert list(df.columns) == COLUMNS["response"]
    graded = responses.merge(attempts[attempts["assessment_id"].isin(ids)], left_on="attempt_id", right_on="id")
    assert len(df) == len(graded)  # every graded attempt's responses
    mine = df[df["counted"]]
    assert (
        len(mine) == counted["assessment_id"].isin(ids).sum() * 5 == mine.groupby(["learner_id", "question_id"]).ngroups
    )
    assert df["learner_id"].is_monotonic_increasing
    people = {one.id: one for one in book.learners}
    for row in df.sample(40, random_state=1).itertuples():
        facts, one = book.questions[row.question_id], people[row.learner_id]
        stored = graded[
            (graded["student_id"] == row.learner_id)
            & (graded["number"] == row.attempt)
            & (graded["question_id"] == row.question_id)
        ].iloc[0]
        answer = None if pd.isna(stored["response"]) else json.loads(stored["response"])
        assert row.response == ("" if answer is None else f"Phương án {answer.upper()} của câu {row.question_id}")
        assert row.correct == (answer == facts.key) and row.score == stored["score_x"]
        assert (row.name, row.unit_id, row.role) == (f"{one.last_name} {one.first_name}", one.unit_id, one.role)
    csv_text = table_bytes(df, "csv", table="response").decode("utf-8-sig")
    assert len(csv_text.splitlines()) == len(df) + 1


def test_the_long_export_keeps_to_the_filters(book):
    df = progress_table("response", engine_for(book.db_url), [book.topic], Filters(units=["don-vi-02"]))
    assert len(df) and set(df["unit_id"]) == {"don-vi-02"}


# ------------------------------------------------------------------ PostgreSQL


def test_on_postgresql_the_same_statistics(pg_url):
    topic = synthetic_topic(3)
    built = build_gradebook(pg_url, topic, 60, seed=11)
    make_everyone_right(built.db_url, EVERYONE_RIGHT, built.questions[EVERYONE_RIGHT].key)
    engine = engine_for(pg_url)
    quiz, questions = item_analysis(engine, [topic])
    facts = read_raw(pg_url)
    check_quiz(built, quiz, facts)
    check_questions(questions, facts)
    assert len(progress_table("response", engine, [topic])) == len(
        facts[1].merge(facts[0], left_on="attempt_id", right_on="id")
    )
    graded = facts[0]["assessment_id"].isin({a.id for a in quizzes(built)}).sum()
    assert recompute(engine, [topic]).as_of == graded and cached(engine, [topic]).since == 0
