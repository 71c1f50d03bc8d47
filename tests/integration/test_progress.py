"""The progress tables on a real gradebook built through the kit's submit-and-grade path (tests/progress_kit.py),
on SQLite and on a real PostgreSQL server. Every expectation is computed here from the plan's records and the
rules written out below, not by hoctap.progress.tables."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text

from hoctap import cli
from hoctap.attempts.standing import rebuild_standing, standing_differences
from hoctap.course.database import engine_for
from hoctap.progress.labels import LABELS, labelled
from hoctap.progress.queries import Filters
from hoctap.progress.tables import (
    assessment_table,
    commitment_table,
    history_table,
    learner_table,
    option_table,
    question_table,
    role_table,
    timeline_table,
    unit_table,
)
from tests.progress_kit import (
    AFTER_ALL,
    COMMITMENT,
    FINAL,
    LEARNERS,
    MID_YEAR,
    QUIZZES,
    Record,
    copy_progress_kit,
)
from tests.quiz_kit import CLOSED as MINI_CLOSED
from tests.quiz_kit import COMMITMENT as MINI_COMMITMENT
from tests.quiz_kit import QUIZ as MINI_QUIZ

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ASSESSED_ROLES = {"can-bo-chu-chot", "dang-vien", "khong-dang-vien"}  # the 2021 spec's assessments; not nhan-dan
LQD = "truong-thpt-le-quy-don"  # chose contents 1 and 3 (unit_choices): quiz 2 is not theirs
DUE = {
    **{a: dt.datetime(2021, 9, 30, 23, 59, tzinfo=ZONE) for a in [*QUIZZES, FINAL]},
    COMMITMENT: dt.datetime(2021, 12, 31, 23, 59, tzinfo=ZONE),
    MINI_QUIZ: dt.datetime(2099, 12, 31, 23, 59, tzinfo=ZONE),
    MINI_CLOSED: dt.datetime(2020, 6, 30, 23, 59, tzinfo=ZONE),
    MINI_COMMITMENT: dt.datetime(2099, 12, 31, 23, 59, tzinfo=ZONE),
}
QUESTIONS = {**{a: 4 for a in QUIZZES}, FINAL: 15, MINI_QUIZ: 4}  # points: one per question
COMMITMENT_MAX = 10.0
UNIT_IDS = {
    "Chi bộ Văn phòng Tỉnh ủy": "chi-bo-van-phong-tinh-uy",
    "Sở Giáo dục và Đào tạo": "so-giao-duc-va-dao-tao",
    "Trường THPT Lê Quý Đôn": LQD,
    "Đảng ủy xã Tân Phong": "dang-uy-xa-tan-phong",
}


def assigned(person, assessment: str) -> bool:
    """Who must take what, written out from the specs (independently of Topic.applies)."""
    if assessment in (*QUIZZES, FINAL, COMMITMENT):
        if person.role not in ASSESSED_ROLES:
            return False
        return not (assessment == QUIZZES[1] and UNIT_IDS[person.unit] == LQD)
    if assessment == MINI_QUIZ:
        return person.role == "dang-vien"
    if assessment == MINI_CLOSED:
        return False  # in the spec but never put in the course (released): nobody is counted for it
    return True  # the mini topic's commitment is for everyone


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def kit(request, tmp_path_factory):
    """The session's SQLite progress kit (conftest), or that kit's gradebook copied row for row onto a PostgreSQL
    database (`copy_progress_kit`: the same plan's records, the tables' SQL run on the other server)."""
    sqlite_kit = request.getfixturevalue("progress_kit")
    if request.param == "sqlite":
        return sqlite_kit
    home = tmp_path_factory.mktemp("progress-postgresql")
    db_url = request.getfixturevalue("postgres_server").new_database(f"progress_{os.getpid()}")
    copied = copy_progress_kit(sqlite_kit, home, db_url)
    copied.engine = engine_for(copied.course.db_url)
    return copied


# ------------------------------------------------------------------ expectations, from the records


def records_of(kit, learner: str, assessment: str) -> list[Record]:
    return sorted(
        (r for r in kit.records if r.learner == learner and r.assessment == assessment), key=lambda r: r.number
    )


def counted(records: list[Record]) -> Record | None:
    """The attempt that counts: highest score, the latest on a tie (the grader keeps an earlier attempt in nbgrader's
    gradebook only when it scored strictly more)."""
    return max(records, key=lambda r: (r.score, r.number)) if records else None


def expected_pair(kit, person, assessment: str, now: dt.datetime) -> dict:
    records = [r for r in records_of(kit, person.id, assessment) if r.at <= now]  # as of `now`
    if any(not r.late for r in records):
        status = "on-time"
    elif records:
        status = "late"
    else:
        status = "missing" if now > DUE[assessment] else "not-due"
    score = None
    if assessment in (COMMITMENT, MINI_COMMITMENT):
        if records and records[0].manual is not None:
            score = (records[0].manual, COMMITMENT_MAX)
    elif records:
        score = (counted(records).score, float(QUESTIONS[assessment]))
    return {"status": status, "attempts": len(records), "score": score}


def expected_learners(kit, now, topic_assessments) -> dict[tuple[str, str], dict]:
    return {(p.id, a): expected_pair(kit, p, a, now) for p in LEARNERS for a in topic_assessments if assigned(p, a)}


BIG = [*QUIZZES, FINAL, COMMITMENT]


def standing(pairs: dict, learner: str) -> str | None:
    statuses = [v["status"] for (who, a), v in pairs.items() if who == learner and a in (*QUIZZES, FINAL)]
    if not statuses:
        return None
    if "missing" in statuses:
        return "missing"
    if "not-due" in statuses:
        return "in-progress"
    return "late" if "late" in statuses else "on-time"


def learner_mean(pairs: dict, learner: str) -> float | None:
    percents = [
        100.0 * v["score"][0] / v["score"][1]
        for (who, a), v in pairs.items()
        if who == learner and a in (*QUIZZES, FINAL) and v["score"] is not None
    ]
    return float(np.mean(percents)) if percents else None


# ------------------------------------------------------------------ the tables


def test_learner_table_matches_every_pair(kit):
    df = learner_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    expected = expected_learners(kit, AFTER_ALL, BIG)
    got = {(r.learner_id, r.assessment_id): r for r in df.itertuples()}
    assert set(got) == set(expected)  # nobody is counted for what does not apply to them
    assert not any(p.role == "nhan-dan" for p in LEARNERS if p.id in set(df["learner_id"]))
    assert not df[(df["unit_id"] == LQD) & (df["assessment_id"] == QUIZZES[1])].shape[0]
    lqd = {p.id for p in LEARNERS if UNIT_IDS[p.unit] == LQD}
    assert not [r for r in kit.records if r.learner in lqd and r.assessment == QUIZZES[1]]  # never offered to them
    for key, want in expected.items():
        row = got[key]
        assert row.status == want["status"], key
        assert row.attempts == want["attempts"], key
        if want["score"] is None:
            assert pd.isna(row.score), key
        else:
            assert (row.score, row.max_score) == want["score"], key
            assert row.percent == pytest.approx(round(100 * want["score"][0] / want["score"][1], 1)), key
    names = dict(zip(df["learner_id"], df["name"], strict=False))
    assert names["pk-04"] == "<script>alert(1)</script>" and names["pk-02"] == "Trần Thị Thu Hà"
    first = min(r.at for r in kit.records if r.learner == "pk-01" and r.assessment == QUIZZES[0])
    assert got[("pk-01", QUIZZES[0])].submitted_at == pd.Timestamp(first).tz_convert(ZONE)


def test_statuses_as_of_mid_year_count_only_what_stood_then(kit):
    df = learner_table(kit.engine, kit.topics[:1], now=MID_YEAR)
    expected = expected_learners(kit, MID_YEAR, BIG)
    assert Counter(df["status"]) == Counter(v["status"] for v in expected.values())
    assert "missing" not in set(df["status"]) and "late" not in set(df["status"])  # October's late work is to come
    got = {(r.learner_id, r.assessment_id): r for r in df.itertuples()}
    for key, want in expected.items():
        assert got[key].attempts == want["attempts"], key
    naive = learner_table(kit.engine, kit.topics[:1], now=MID_YEAR.astimezone(ZONE).replace(tzinfo=None))
    assert list(naive["status"]) == list(df["status"])  # a moment without a zone is the topic's local time
    units = unit_table(kit.engine, kit.topics[:1], now=MID_YEAR)
    assert units["missing"].sum() == 0
    people = {p.id for p in LEARNERS if p.role in ASSESSED_ROLES}
    assert units["in_progress"].sum() == sum(standing(expected, who) == "in-progress" for who in people)


@pytest.mark.parametrize("by", ["unit", "role"])
def test_unit_and_role_tables(kit, by):
    expected = expected_learners(kit, AFTER_ALL, BIG)
    table = (unit_table if by == "unit" else role_table)(kit.engine, kit.topics[:1], now=AFTER_ALL)
    groups: dict[str, list] = defaultdict(list)
    for p in LEARNERS:
        if p.role in ASSESSED_ROLES:
            groups[UNIT_IDS[p.unit] if by == "unit" else p.role].append(p)
    key = "unit_id" if by == "unit" else "role"
    assert sorted(table[key]) == sorted(groups)
    for row in table.itertuples():
        people = groups[getattr(row, key)]
        standings = Counter(standing(expected, p.id) for p in people)
        assert row.learners == len(people)
        assert (row.on_time, row.late, row.missing, row.in_progress) == (
            standings["on-time"],
            standings["late"],
            standings["missing"],
            standings["in-progress"],
        )
        assert row.completion == pytest.approx(round(100 * (standings["on-time"] + standings["late"]) / len(people), 1))
        means = [m for p in people if (m := learner_mean(expected, p.id)) is not None]
        assert row.mean_score == pytest.approx(round(float(np.mean(means)), 1))
        assert row.median_score == pytest.approx(round(float(np.median(means)), 1))
        written = [p for p in people if records_of(kit, p.id, COMMITMENT)]
        evaluated = [p for p in written if records_of(kit, p.id, COMMITMENT)[0].manual is not None]
        assert (row.commitments_required, row.commitments_written, row.commitments_evaluated) == (
            len(people),
            len(written),
            len(evaluated),
        )
    if by == "role":  # the plan's deadline for key cadres and party members: end of quarter III 2021 (L13)
        cadres = table[table["role"] == "dang-vien"].iloc[0]
        assert cadres["deadline_label"] == "quý III năm 2021" and cadres["deadline"].date() == dt.date(2021, 9, 30)


def place(pairs: dict, learner: str) -> tuple[str, int, int]:
    """A learner's place over every assessment that applies to them (commitment included), and k of n submitted."""
    statuses = [v["status"] for (who, _), v in pairs.items() if who == learner]
    done = sum(s in ("on-time", "late") for s in statuses)
    begun = any(v["attempts"] for (who, _), v in pairs.items() if who == learner)
    if done == len(statuses):
        return "done", done, len(statuses)
    if "missing" in statuses:
        return "overdue", done, len(statuses)
    return ("started" if done or begun else "not-started"), done, len(statuses)


@pytest.mark.parametrize("moment", ["mid-year", "after-all"])
def test_partial_progress_counts_who_did_some_of_the_work(kit, moment):
    """The dashboard's first screen: someone who did one quiz of five is "started, 1 of 5", not "not started"."""
    now = MID_YEAR if moment == "mid-year" else AFTER_ALL
    expected = expected_learners(kit, now, BIG)
    table = unit_table(kit.engine, kit.topics[:1], now=now)
    people = {p.id: UNIT_IDS[p.unit] for p in LEARNERS if p.role in ASSESSED_ROLES}
    places = {who: place(expected, who) for who in people}
    if moment == "mid-year":  # the seeded plan has people part-way through then
        assert Counter(p[0] for p in places.values())["started"] > 0
    for row in table.itertuples():
        mine = [places[who] for who, unit in people.items() if unit == row.unit_id]
        kinds = Counter(p[0] for p in mine)
        assert (row.done, row.started, row.not_started, row.overdue) == (
            kinds["done"],
            kinds["started"],
            kinds["not-started"],
            kinds["overdue"],
        ), row.unit_id
        assert (row.items_done, row.items_assigned) == (sum(p[1] for p in mine), sum(p[2] for p in mine))
        assert row.done + row.started + row.not_started + row.overdue == row.learners
    statuses = assessment_table(kit.engine, kit.topics[:1], now=now).set_index("assessment_id")
    for assessment in BIG:
        mine = [v for (_, a), v in expected.items() if a == assessment]
        begun = sum(v["status"] in ("not-due", "missing") and v["attempts"] > 0 for v in mine)
        untouched = sum(v["status"] == "not-due" and not v["attempts"] for v in mine)
        assert (statuses.loc[assessment, "started"], statuses.loc[assessment, "not_started"]) == (begun, untouched)


def test_standing_rows_equal_a_full_recomputation_after_the_seeded_plan(kit):
    """Skips, late work, two attempts, formgrader's hand grades: the rows kept as attempts moved are what adding
    up every attempt again gives, and a rebuild changes no table."""
    assert standing_differences(kit.engine) == []
    before = unit_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    assert rebuild_standing(kit.engine) > 0
    assert standing_differences(kit.engine) == []
    pd.testing.assert_frame_equal(unit_table(kit.engine, kit.topics[:1], now=AFTER_ALL), before)


@pytest.mark.parametrize("moment", ["mid-year", "after-all"])
def test_database_sums_equal_the_dashboards_pandas_sums(kit, moment):
    """The CLI and reports sum in the database (one row per learner or assessment fetched); the dashboard sums its
    kept learner frame in pandas. Same numbers, column by column."""
    now = MID_YEAR if moment == "mid-year" else AFTER_ALL
    kept = learner_table(kit.engine, kit.topics[:1], now=now, ordered=False)
    for table in (unit_table, role_table, assessment_table, timeline_table):
        by_database = table(kit.engine, kit.topics[:1], now=now)
        by_pandas = table(kit.engine, kit.topics[:1], now=now, learners=kept)
        pd.testing.assert_frame_equal(by_database, by_pandas, check_dtype=False, obj=table.__name__)


def test_assessment_table(kit):
    expected = expected_learners(kit, AFTER_ALL, BIG)
    table = assessment_table(kit.engine, kit.topics[:1], now=AFTER_ALL).set_index("assessment_id")
    assert list(table.index) == BIG
    for assessment in BIG:
        mine = [v for (_, a), v in expected.items() if a == assessment]
        statuses = Counter(v["status"] for v in mine)
        row = table.loc[assessment]
        assert row["assigned"] == len(mine)
        assert (row["on_time"], row["late"], row["missing"]) == (
            statuses["on-time"],
            statuses["late"],
            statuses["missing"],
        )
        percents = [100 * v["score"][0] / v["score"][1] for v in mine if v["score"] is not None]
        assert row["graded"] == len(percents)
        assert row["mean_score"] == pytest.approx(round(float(np.mean(percents)), 1))


def test_item_analysis_facility_discrimination_and_options(kit):
    questions = question_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    options = option_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    checked = 0
    for assessment in (*QUIZZES, FINAL):
        chosen = [counted(records_of(kit, p.id, assessment)) for p in LEARNERS if records_of(kit, p.id, assessment)]
        by_question: dict[str, list[tuple[float, float, object]]] = defaultdict(list)
        for record in chosen:
            for question, right, response in record.items:
                by_question[question].append((float(right), record.score - float(right), response))
        for question, rows in by_question.items():
            row = questions[(questions["assessment_id"] == assessment) & (questions["question_id"] == question)]
            assert len(row) == 1, (assessment, question)
            row = row.iloc[0]
            x = np.array([r[0] for r in rows])
            y = np.array([r[1] for r in rows])
            assert row["responses"] == len(rows)
            assert row["facility"] == pytest.approx(round(100 * x.mean(), 1))
            if len(rows) > 2 and x.std() > 0 and y.std() > 0:
                assert row["discrimination"] == pytest.approx(100 * np.corrcoef(x, y)[0, 1], abs=0.06)
                checked += 1
            topic_question = kit.topics[0].question(question)
            if topic_question.type.value == "single":
                tally = Counter(r[2] for r in rows)
                mine = options[(options["assessment_id"] == assessment) & (options["question_id"] == question)]
                assert {o: n for o, n in zip(mine["option_id"], mine["chosen"], strict=True) if n} == dict(tally)
                right = mine[mine["correct"]]
                assert list(right["option_id"]) == [topic_question.answer]
    assert checked >= 10  # discrimination was really compared, not skipped


def test_timeline_counts_first_submissions_by_day(kit):
    timeline = timeline_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    for assessment in BIG:
        firsts = Counter(
            min(r.at for r in records_of(kit, p.id, assessment)).astimezone(ZONE).date()
            for p in LEARNERS
            if records_of(kit, p.id, assessment)
        )
        mine = timeline[timeline["assessment_id"] == assessment]
        assert dict(zip(mine["date"], mine["submitted"], strict=True)) == dict(firsts)
        assert list(mine["cumulative"]) == list(np.cumsum([firsts[d] for d in sorted(firsts)]))


def test_commitment_table_by_unit(kit):
    table = commitment_table(kit.engine, kit.topics[:1], now=AFTER_ALL).set_index("unit_id")
    labels = {10.0: "Hoàn thành xuất sắc", 8.0: "Hoàn thành tốt", 6.0: "Hoàn thành", 0.0: "Chưa hoàn thành"}
    for unit_id in table.index:
        people = [p for p in LEARNERS if UNIT_IDS[p.unit] == unit_id and p.role in ASSESSED_ROLES]
        notes = [records_of(kit, p.id, COMMITMENT)[0] for p in people if records_of(kit, p.id, COMMITMENT)]
        rated = [n.manual for n in notes if n.manual is not None]
        row = table.loc[unit_id]
        assert (row["learners"], row["written"], row["evaluated"]) == (len(people), len(notes), len(rated))
        assert row["not_written"] == len(people) - len(notes) and row["waiting"] == len(notes) - len(rated)
        for label, n in Counter(labels[m] for m in rated).items():
            assert f"{label}: {n}" in row["ratings"]


def test_filters_narrow_every_table(kit):
    unit = "so-giao-duc-va-dao-tao"
    df = learner_table(kit.engine, kit.topics[:1], Filters(units=[unit], roles=["dang-vien"]), now=AFTER_ALL)
    assert set(df["unit_id"]) == {unit} and set(df["role"]) == {"dang-vien"}
    theirs = {p.id for p in LEARNERS if UNIT_IDS[p.unit] == unit and p.role == "dang-vien"}
    expected = {k for k in expected_learners(kit, AFTER_ALL, BIG) if k[0] in theirs}
    assert set(zip(df["learner_id"], df["assessment_id"], strict=True)) == expected
    only = assessment_table(kit.engine, kit.topics[:1], Filters(assessments=[FINAL]), now=AFTER_ALL)
    assert list(only["assessment_id"]) == [FINAL]


def test_history_spans_years_and_topics(kit):
    history = history_table(kit.engine, kit.topics, "pk-02", now=AFTER_ALL)
    assert list(dict.fromkeys(history["year"])) == [2021, 2030]
    assert set(history["assessment_id"]) == {*BIG, MINI_QUIZ, MINI_COMMITMENT}
    mini = history[history["assessment_id"] == MINI_QUIZ].iloc[0]
    record = records_of(kit, "pk-02", MINI_QUIZ)[0]
    assert (mini["score"], mini["status"]) == (record.score, "on-time")


@pytest.fixture
def kit_env(kit, monkeypatch):
    """The CLI pointed at the kit: its folder, and its gradebook when that is not the folder's SQLite file."""
    monkeypatch.setenv("HOCTAP_HOME", str(kit.home))
    if not kit.course.db_url.startswith("sqlite"):
        monkeypatch.setenv("HOCTAP_DB_URL", kit.course.db_url)
    return kit


def test_cli_exports_the_same_numbers(kit_env, tmp_path, capsysbinary):
    kit = kit_env
    table = unit_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    assert cli.main(["progress", "--by", "unit", "--topic", "2021", "--at", "2022-01-15", "--format", "csv"]) == 0
    csv = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out), encoding="utf-8-sig")
    assert list(csv.columns) == list(table.columns)
    assert list(csv["on_time"]) == list(table["on_time"]) and list(csv["unit"]) == list(table["unit"])
    out = tmp_path / "don-vi.xlsx"
    assert cli.main(["progress", "--by", "unit", "--topic", "2021", "--at", "2022-01-15", "--format", "xlsx",
                     "--out", str(out)]) == 0  # fmt: skip
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header == list(labelled(table, "unit").columns)  # a file people open: Vietnamese headers by default
    assert [row[header.index(LABELS["missing"])] for row in sheet.iter_rows(min_row=2, values_only=True)] == list(
        table["missing"]
    )
    assert (
        cli.main(["progress", "--by", "history", "--learner", "pk-02", "--format", "json", "--at", "2022-01-15"]) == 0
    )
    rows = json.loads(capsysbinary.readouterr().out)
    assert {r["year"] for r in rows} == {2021, 2030}


def test_cli_errors_are_one_line(kit_env, capsys):
    assert cli.main(["progress", "--topic", "1999"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "1999" in err and "2021-chuyen-de-toan-khoa" in err
    assert cli.main(["progress", "--by", "history"]) == 1
    assert "--learner" in capsys.readouterr().err


def test_cli_rebuild_recomputes_the_standing_rows_and_proves_them(kit_env, capsys):
    kit = kit_env
    before = unit_table(kit.engine, kit.topics[:1], now=AFTER_ALL)
    with kit.engine.begin() as db:  # a row gone wrong (edited by hand): the rebuild puts it back
        db.execute(text("UPDATE hoctap_standing SET submissions = submissions + 5"))
    assert standing_differences(kit.engine)
    assert cli.main(["progress", "--rebuild"]) == 0
    err = capsys.readouterr().err
    assert "khớp hoàn toàn" in err and len(err.strip().splitlines()) == 1
    assert standing_differences(kit.engine) == []
    pd.testing.assert_frame_equal(unit_table(kit.engine, kit.topics[:1], now=AFTER_ALL), before)
