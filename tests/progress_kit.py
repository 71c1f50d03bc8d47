"""A real gradebook for the progress tables' tests, built through the kit's own submit-and-grade path.

Two topics in one course: the shipped 2021 topic (five assessments, unit choices) and the 2030 mini topic of
`tests.quiz_kit` (another year, for a learner's history). Thirty learners in four units and four roles; a seeded
plan says, per learner and assessment, whether they skip it, submit on time, late, or twice, and which questions
they get right. Every attempt goes through `Portal.start/submit` and `Grader.run_once`; commitments are graded by
hand through nbgrader's Gradebook, as formgrader does. The plan's records are what tests compute expectations
from, independently of `hoctap.progress.tables`.

    kit = build_progress_kit(tmp_path)              # HOCTAP_HOME must point at kit.home while grading
    kit.records                                     # every submitted attempt: learner, assessment, time, answers
    copy = copy_progress_kit(kit, other_home, pg_url)  # the same gradebook, row for row, on another database
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Integer, inspect, select
from sqlalchemy import text as sql_text

from hoctap.attempts import attempt_table, create_response_tables, create_tables, standing_table
from hoctap.attempts.portal import Portal
from hoctap.attempts.responses import response_table
from hoctap.build import source_files
from hoctap.course.course import Course
from hoctap.course.database import engine_for
from hoctap.course.roster import Learner as RosterLearner
from hoctap.course.roster_import import import_roster, read_codes_file
from hoctap.course.tables import ensure_tables
from hoctap.course.tables import learner as learner_table
from hoctap.grading.grader import Grader
from hoctap.topic import load_topic
from hoctap.topic.catalog import Layout
from hoctap.topic.model import Topic
from tests.quiz_kit import COMMITMENT as MINI_COMMITMENT
from tests.quiz_kit import QUIZ as MINI_QUIZ
from tests.quiz_kit import quiz_spec, set_student_name
from tests.specs import write_source, write_spec

TOPIC_2021 = "2021-chuyen-de-toan-khoa"
REPO_TOPICS = Path(__file__).resolve().parent.parent / "data" / "topics"
QUIZZES = ["2021-kiem-tra-noi-dung-1", "2021-kiem-tra-noi-dung-2", "2021-kiem-tra-noi-dung-3"]
FINAL, COMMITMENT = "2021-kiem-tra-cuoi-khoa", "2021-ban-cam-ket"
ON_TIME_DAY = dt.datetime(2021, 6, 1, 1, 0, tzinfo=dt.UTC)  # 08:00 in Tây Ninh
LATE_DAY = dt.datetime(2021, 10, 15, 1, 0, tzinfo=dt.UTC)  # after the quizzes' due (30/9/2021)
AFTER_ALL = dt.datetime(2022, 1, 15, 1, 0, tzinfo=dt.UTC)  # every 2021 due date has passed
MID_YEAR = dt.datetime(2021, 8, 1, 1, 0, tzinfo=dt.UTC)  # before the due dates

VP, SGD, LQD, TP = (
    "Chi bộ Văn phòng Tỉnh ủy",
    "Sở Giáo dục và Đào tạo",
    "Trường THPT Lê Quý Đôn",
    "Đảng ủy xã Tân Phong",
)
EVIL_ID, EVIL_NAME = "pk-04", "<script>alert(1)</script>"
LEARNERS = [
    RosterLearner("pk-01", "Nguyễn Văn Hùng", VP, "can-bo-chu-chot"),
    RosterLearner("pk-02", "Trần Thị Thu Hà", VP, "dang-vien"),
    RosterLearner("pk-03", "Lê Minh Tuấn", VP, "dang-vien"),
    RosterLearner("pk-04", "Phạm Văn Đức", VP, "khong-dang-vien"),  # renamed to EVIL_NAME after the import
    RosterLearner("pk-05", "Đỗ Thanh Bình", SGD, "can-bo-chu-chot"),
    RosterLearner("pk-06", "Lý Mai Anh", SGD, "dang-vien"),
    RosterLearner("pk-07", "Ngô Văn Nam", SGD, "dang-vien"),
    RosterLearner("pk-08", "Võ Thị Lan", SGD, "khong-dang-vien"),
    RosterLearner("pk-09", "Hồ Thị Ngân", LQD, "can-bo-chu-chot"),
    RosterLearner("pk-10", "Phan Văn Long", LQD, "dang-vien"),
    RosterLearner("pk-11", "Bùi Thị Hoa", LQD, "khong-dang-vien"),
    RosterLearner("pk-12", "Đặng Văn Khoa", LQD, "dang-vien"),
    RosterLearner("pk-13", "Trương Văn Tài", TP, "can-bo-chu-chot"),
    RosterLearner("pk-14", "Huỳnh Thị Mỹ", TP, "dang-vien"),
    RosterLearner("pk-15", "Mai Văn Sơn", TP, "khong-dang-vien"),
    RosterLearner("pk-16", "Châu Thị Diệu", TP, "nhan-dan"),
    RosterLearner("pk-17", "Tạ Văn Lộc", TP, "nhan-dan"),
    RosterLearner("pk-18", "Kiều Thị Vân", VP, "dang-vien"),
    RosterLearner("pk-19", "Lâm Văn Phúc", VP, "dang-vien"),
    RosterLearner("pk-20", "Quách Thị Yến", SGD, "dang-vien"),
    RosterLearner("pk-21", "Tô Văn Hải", SGD, "khong-dang-vien"),
    RosterLearner("pk-22", "Vương Thị Hằng", LQD, "dang-vien"),
    RosterLearner("pk-23", "Dương Văn Thành", LQD, "khong-dang-vien"),
    RosterLearner("pk-24", "La Thị Kim", TP, "dang-vien"),
    RosterLearner("pk-25", "Nguyễn Thị Ánh", TP, "dang-vien"),
    RosterLearner("pk-26", "Trần Văn Ân", TP, "khong-dang-vien"),
    RosterLearner("pk-27", "Lê Thị Ngọc", VP, "khong-dang-vien"),
    RosterLearner("pk-28", "Phạm Văn Đức", SGD, "can-bo-chu-chot"),
    RosterLearner("pk-29", "Hoàng Thị Thảo", LQD, "dang-vien"),
    RosterLearner("pk-30", "Nguyễn Văn Hùng", TP, "dang-vien"),  # the same name as pk-01, another person
]
MINI_TAKERS = ["pk-02", "pk-06"]  # also in the 2030 topic: their history spans two years


@dataclass
class Record:
    """One submitted attempt, as the plan made it."""

    learner: str
    assessment: str
    number: int
    at: dt.datetime
    late: bool
    items: list[tuple[str, bool, object]] = field(default_factory=list)  # (question, right, response)
    manual: float | None = None  # a commitment's hand-given score (None: not evaluated yet)

    @property
    def score(self) -> float:
        return float(sum(1 for _, right, _ in self.items if right))


@dataclass
class ProgressKit:
    home: Path
    course: Course
    topics: list[Topic]
    records: list[Record]
    learners: list[RosterLearner]


def right_probability(question_id: str) -> float:
    """How likely a learner gets this question right: varies by question so item analysis has contrasts."""
    return [0.9, 0.3, 0.6, 0.75, 0.45][sum(map(ord, question_id)) % 5]


def response_to(topic: Topic, shown: dict, right: bool):
    """A right response, or a wrong one (for single choice, always the first wrong option: a popular mistake)."""
    q = topic.question(shown["question"])
    key = q.answer
    if right:
        return key[0] if q.type.value == "short-text" else key
    kind = q.type.value
    if kind == "single":
        return next(o["id"] for o in shown["options"] if o["id"] != key)
    if kind == "true-false":
        return not key
    if kind == "short-text":
        return "không biết"
    if kind == "multiple":
        return [o["id"] for o in shown["options"] if o["id"] not in key][:1]
    if kind == "ordering":
        return list(reversed(key))
    if kind == "matching":
        return {left: next(t["id"] for t in shown["targets"] if t["id"] != r) for left, r in key.items()}
    raise AssertionError(kind)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _install_topics(home: Path) -> list[Topic]:
    topics_dir = Layout(home).topics
    topics_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_TOPICS / f"{TOPIC_2021}.yaml", topics_dir)
    write_source(topics_dir)
    mini = load_topic(write_spec(topics_dir, quiz_spec()))
    big = load_topic(topics_dir / f"{TOPIC_2021}.yaml")
    return [big, mini]


def _grade_in_parallel(home: Path, course: Course, graders: int = 2) -> None:
    """`hoctap grade` twice at once, as a course with several graders runs (and twice as fast on two cores)."""
    env = {**os.environ, "HOCTAP_HOME": str(home), "HOCTAP_DB_URL": course.db_url}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", "hoctap.cli", "grade"]
    running = [
        subprocess.Popen([*command, "--name", f"progress-kit-{n}"], env=env, stdout=subprocess.PIPE, text=True)
        for n in range(graders)
    ]
    for process in running:
        out, _ = process.communicate(timeout=900)
        assert process.returncode == 0, out
    left = Grader(course, name="progress-kit").run_once()  # anything a grader found busy (same learner) is done now
    assert left.failed == 0, left


def build_progress_kit(home: Path, db_url: str | None = None, seed: int = 2021) -> ProgressKit:
    """Spec, course, roster, then every planned attempt submitted and graded (HOCTAP_HOME = `home` meanwhile)."""
    topics = _install_topics(home)
    big, mini = topics
    course = Course(Layout(home).assessments, db_url)
    wanted = [*QUIZZES, FINAL, COMMITMENT, MINI_QUIZ, MINI_COMMITMENT]
    for topic in topics:
        for path, text in source_files(topic, Layout(home)).items():
            if path.parent.name in wanted:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    course.ensure_db([t.assessment(a) for t in topics for a in wanted if a in {x.id for x in t.assessments}])
    for assessment_id in wanted:
        course.release(assessment_id)
    codes_file = home / "codes.csv"
    import_roster(LEARNERS, course.db_url, codes_file)
    # A name with markup, as `nbgrader db student add` would leave it (the kit's import refuses it): every table,
    # page and export must show it as text.
    set_student_name(course, EVIL_ID, EVIL_NAME, None)
    codes = {learner_id: row[-1] for learner_id, row in read_codes_file(codes_file).items()}
    clock = Clock(ON_TIME_DAY)
    portal = Portal(course, clock=clock)
    rng = random.Random(seed)
    records: list[Record] = []

    def take(who, assessment_id: str, topic: Topic, at: dt.datetime, late: bool, number: int) -> None:
        clock.now = at
        sitting = portal.start(who, assessment_id)
        record = Record(who.id, assessment_id, number, at, late)
        if sitting.kind == "commitment":
            portal.submit(who, sitting.attempt.id, {"text": f"Cam kết của {who.id}: học tập và làm theo."})
        else:
            answers = {}
            for shown in sitting.questions:
                right = rng.random() < right_probability(shown["question"])
                answers[shown["question"]] = response_to(topic, shown, right)
                record.items.append((shown["question"], right, answers[shown["question"]]))
            portal.submit(who, sitting.attempt.id, answers)
        records.append(record)

    for index, person in enumerate(LEARNERS):
        who = portal.login(person.id, codes[person.id])
        offered = {o.id for o in portal.offers(who)}
        day = dt.timedelta(days=index % 5)  # submissions spread over several days (completion over time)
        for assessment_id in [*QUIZZES, FINAL, COMMITMENT]:
            if assessment_id not in offered:
                continue
            roll = rng.random()
            if assessment_id in QUIZZES:
                if roll < 0.25:
                    continue
                late = 0.65 <= roll < 0.8
                take(who, assessment_id, big, (LATE_DAY if late else ON_TIME_DAY) + day, late, 1)
                if roll >= 0.8:  # a second try, a day later
                    take(who, assessment_id, big, ON_TIME_DAY + day + dt.timedelta(days=1), False, 2)
            elif assessment_id == FINAL:
                if roll < 0.6:
                    take(who, assessment_id, big, ON_TIME_DAY + day + dt.timedelta(days=7), False, 1)
            elif roll < 0.75:
                take(who, assessment_id, big, ON_TIME_DAY + day + dt.timedelta(days=30), False, 1)
        if person.id in MINI_TAKERS:
            take(who, MINI_QUIZ, mini, ON_TIME_DAY, False, 1)
    _grade_in_parallel(home, course)

    for i, record in enumerate(r for r in records if r.assessment == COMMITMENT):
        if i % 3 == 2:
            continue  # waits for the instructor
        record.manual = [10.0, 8.0, 6.0, 0.0][i % 4]
        with course.gradebook() as gb:
            grade = gb.find_grade("commitment", COMMITMENT, COMMITMENT, record.learner)
            grade.manual_score = record.manual
            grade.needs_manual_grade = False
            gb.db.commit()
    return ProgressKit(home, course, topics, records, LEARNERS)


def copy_progress_kit(kit: ProgressKit, home: Path, db_url: str) -> ProgressKit:
    """`kit` on another database (PostgreSQL): its course folder copied to `home`, the gradebook's tables made there
    as the kit makes them on any new gradebook, then every row of every table copied, as it stands.

    What the PostgreSQL runs of the progress tests check is the tables' SQL on that server, against the same plan's
    records; grading on PostgreSQL is the two-services and PostgreSQL course tests' subject. Building the plan again
    through nbgrader took 97 s of the suite; this copy takes a few seconds and leaves the same rows."""
    shutil.copytree(kit.home, home, dirs_exist_ok=True, ignore=shutil.ignore_patterns("gradebook.db*"))
    course = Course(Layout(home).assessments, db_url)
    ensure_tables(db_url).dispose()  # nbgrader's tables (its course row is replaced below), the learners', indexes
    source, target = engine_for(kit.course.db_url), engine_for(db_url)
    create_tables(target)
    create_response_tables(target)
    from nbgrader.api import Base  # nbgrader's own table definitions, in the order their foreign keys need

    tables = [*Base.metadata.sorted_tables, learner_table, attempt_table, standing_table, response_table]
    kept = set(inspect(source).get_table_names()) - {"alembic_version"}  # stamped by nbgrader on the new database
    assert kept == {t.name for t in tables}, f"tables the copy does not know: {kept - {t.name for t in tables}}"
    with source.connect() as read, target.begin() as write:
        for table in reversed(tables):
            write.execute(table.delete())
        for table in tables:
            found = read.execute(select(table)).mappings()
            rows = [{c: _as_stored(table.c[c], v) for c, v in row.items()} for row in found]
            if rows:
                write.execute(table.insert(), rows)
        for table in tables:  # serial keys continue after the copied ids (`hoctap progress --rebuild`, new attempts)
            key = list(table.primary_key.columns)
            if len(key) == 1 and isinstance(key[0].type, Integer) and key[0].autoincrement in (True, "auto"):
                write.execute(
                    sql_text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                         f"COALESCE((SELECT MAX({key[0].name}) FROM {table.name}), 0) + 1, false)")
                )  # fmt: skip
    source.dispose()
    target.dispose()
    return ProgressKit(home, course, kit.topics, kit.records, kit.learners)


def _as_stored(column, value):
    """SQLite gives back a zone-aware column's moment without its zone (the kit writes UTC): UTC again, for
    PostgreSQL's `timestamp with time zone` (a naive moment would be read in the server's zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None and getattr(column.type, "timezone", False):
        return value.replace(tzinfo=dt.UTC)
    return value
