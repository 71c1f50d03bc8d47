"""What a learner may do, enforced server side: list assessments, start, save a draft, submit, see the result.

The learner app (a Voila notebook) and `hoctap submit` (answers typed in from paper) both go through here,
so the same rules hold for both: the assessment must be assigned to the learner, open (or late, which is
flagged), with attempts left and within its time limit. Everything it reads on the learner's behalf comes
from the release notebooks (no key) and the gradebook; it never loads a spec.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from hoctap.course import Course, engine_for

from .answers import check_commitment, partial_answers, quiz_answers, write_attempt
from .draw import draw, pick_of, place_questions
from .meta import Rules as _Rules
from .meta import release_metadata
from .refusal import RefusedError
from .review import for_learner
from .storage import attempt_folder, now_utc, result_path
from .table import GRADED, OPEN, Attempt, Attempts
from .time_up import close_on_time, limit_end
from .windows import GRACE_SECONDS, Window, expired, window

log = logging.getLogger("hoctap.attempts.portal")


@dataclass(frozen=True)
class Learner:
    id: str
    full_name: str
    unit: str  # as the roster wrote it, for display
    unit_id: str  # as assessments name units
    role: str


FAILED_LOGIN_DELAY_S = 1.0  # a wrong code costs the guesser a second (on top of scrypt's own cost)
KIND_ORDER = {"quiz": 0, "final": 1, "commitment": 2}  # the order a learner meets them in the plan
MAX_ID, MAX_CODE = 128, 64  # what a login reads of each field: a megabyte typed in costs no more than a code


@dataclass(frozen=True)
class Offer:
    """One assessment as the learner's list shows it."""

    id: str
    title: str
    kind: str
    window: Window
    attempts: list[Attempt]

    @property
    def open_attempt(self) -> Attempt | None:
        return next((a for a in self.attempts if a.status == OPEN), None)


@dataclass(frozen=True)
class Sitting:
    """An attempt in progress: what to show (questions without keys, in this attempt's order)."""

    attempt: Attempt
    title: str
    kind: str
    instructions: str
    questions: list[dict]  # [{"slot", "question", "type", "prompt", "options", "lefts", "targets"}] in display order
    time_limit_minutes: int | None
    rating_scale: list[dict]

    @property
    def saved(self) -> dict:
        """The answers saved so far (question id → response): a resumed attempt shows them again."""
        return dict(self.attempt.saved or {})

    @property
    def ends_at(self) -> dt.datetime | None:
        """The time limit's end, from the server's start time (None without a limit)."""
        return limit_end(self.attempt, self.time_limit_minutes)


class Portal:
    def __init__(self, course: Course, clock=now_utc):
        self.course = course
        self.clock = clock
        self.attempts = Attempts(engine_for(course.db_url))

    # ------------------------------------------------------------------ who
    def learner(self, student_id: str) -> Learner | None:
        """The roster's learner (name from nbgrader's student table, unit and role from the kit's)."""
        from sqlalchemy import select

        from hoctap.course import learner as learner_table
        from hoctap.course import student as student_table

        query = (
            select(
                student_table.c.first_name,
                student_table.c.last_name,
                learner_table.c.unit,
                learner_table.c.unit_id,
                learner_table.c.role,
            )
            .join(learner_table, learner_table.c.student_id == student_table.c.id)
            .where(student_table.c.id == student_id)
        )
        with self.attempts.engine.connect() as db:
            row = db.execute(query).first()
        if row is None:
            return None
        first, last, unit, unit_id, role = row
        return Learner(student_id, " ".join(p for p in (last, first) if p), unit, unit_id, role)

    def login(self, student_id: str, code: str) -> Learner:
        """The learner whose roster id and access code these are; one vague refusal for any mistake, which costs the
        same for an id on the roster and one that is not (the code is always hashed: no "who exists" oracle)."""
        import time

        from hoctap.course import verify_code

        student_id = (student_id or "").strip().lower()[:MAX_ID]
        code = (code or "")[:MAX_CODE]
        learner = self.learner(student_id) if student_id else None
        matches = verify_code(self.course.db_url, student_id, code)  # a dummy hash for an unknown id
        if learner is None or not matches:
            time.sleep(FAILED_LOGIN_DELAY_S)
            raise RefusedError("mã học viên hoặc mã truy cập không đúng")
        return learner

    # ------------------------------------------------------------------ reading
    def released(self) -> list[str]:
        folder = self.course.release_dir
        return sorted(p.name for p in folder.iterdir() if (p / f"{p.name}.ipynb").is_file()) if folder.is_dir() else []

    def window_of(self, learner: Learner, meta: dict, attempts: list[Attempt]) -> Window:
        used = sum(1 for a in attempts if a.status != OPEN)
        return window(
            _Rules(meta),
            role=learner.role,
            unit=learner.unit_id,
            now=self._now(meta),
            attempts_used=used,
            timezone=meta["timezone"],
        )

    def offers(self, learner: Learner) -> list[Offer]:
        """Every released assessment assigned to the learner, with its window and the learner's attempts."""
        offers = []
        for assessment_id in self.released():  # then in the plan's order: content quizzes, the final, the commitment
            meta = release_metadata(self.course, assessment_id)
            attempts = self._settled(meta, self.attempts.of(learner.id, assessment_id))
            w = self.window_of(learner, meta, attempts)
            if w.state != "not-assigned":
                offers.append(Offer(assessment_id, meta["title"], meta["kind"], w, attempts))
        return sorted(offers, key=lambda o: (KIND_ORDER.get(o.kind, len(KIND_ORDER)), o.window.opens, o.id))

    # ------------------------------------------------------------------ acting
    def start(self, learner: Learner, assessment_id: str, questions: list[str] | None = None) -> Sitting:
        """Resume the open attempt, or start the next one if the rules allow.

        `questions` (answers typed in from paper) puts those questions in the slots that can hold them
        instead of drawing; the other slots are drawn as usual."""
        meta = release_metadata(self.course, assessment_id)
        attempts = self._settled(meta, self.attempts.of(learner.id, assessment_id))  # time up: it counts
        current = next((a for a in attempts if a.status == OPEN), None)
        if current is None:
            w = self.window_of(learner, meta, attempts)
            if not w.accepting:
                raise RefusedError(w.message())
            number = len(attempts) + 1
            chosen = place_questions(meta, questions) if questions else {}
            seen = {p["question"] for a in attempts for p in a.picks}  # a retake asks what it has not asked
            drawn = draw(meta, learner.id, assessment_id, number, chosen, seen)
            picks = [pick_of(meta, p, chosen.get(p.slot)) for p in drawn]
            taken = [p["question"] for p in picks]
            if len(set(taken)) != len(taken):
                raise RefusedError("câu hỏi trên giấy trùng với câu được rút cho chỗ khác; kiểm tra lại answers.json")
            now = self._now(meta)
            limit = meta["time_limit_minutes"]
            ends = now + dt.timedelta(minutes=limit) if limit else None
            current = self.attempts.start(learner.id, assessment_id, number, picks, now, ends)
        return self._sitting(meta, current)

    def _sitting(self, meta: dict, attempt: Attempt) -> Sitting:
        shown = []
        for pick in attempt.picks:
            q = meta["questions"][pick["question"]]
            by_id = {o["id"]: o for o in q["options"]}
            targets = {o["id"]: o for o in q["targets"]}
            shown.append(
                {
                    "slot": pick["slot"],
                    "question": pick["question"],
                    "type": q["type"],
                    "prompt": q["prompt"],
                    "options": [by_id[i] for i in pick["options"]],
                    "lefts": q["options"],
                    "targets": [targets[i] for i in pick["targets"]],
                }
            )
        return Sitting(
            attempt,
            meta["title"],
            meta["kind"],
            meta["instructions"],
            shown,
            meta["time_limit_minutes"],
            meta["rating_scale"],
        )

    def _own_open_attempt(self, learner: Learner, attempt_id: int) -> Attempt:
        attempt = self.attempts.get(attempt_id)
        if attempt.student_id != learner.id:
            raise RefusedError("đây không phải bài làm của anh/chị")
        if attempt.status != OPEN:
            raise RefusedError("bài này đã được nộp")
        return attempt

    def save_draft(self, learner: Learner, attempt_id: int, text: str) -> None:
        attempt = self._own_open_attempt(learner, attempt_id)
        self._in_time(release_metadata(self.course, attempt.assessment_id), attempt)
        self.attempts.save_draft(attempt_id, check_commitment(text))

    def save_answers(self, learner: Learner, attempt_id: int, answers: dict) -> dt.datetime:
        """Keep a quiz's answers as given so far (each checked, any number missing): a reload, a culled kernel or
        another device resumes from them, and they are what is submitted when the time is up. When saved."""
        attempt = self._own_open_attempt(learner, attempt_id)
        meta = release_metadata(self.course, attempt.assessment_id)
        now = self._in_time(meta, attempt)
        self.attempts.save_answers(attempt_id, partial_answers(meta, attempt.picks, answers), now)
        return now

    def _in_time(self, meta: dict, attempt: Attempt) -> dt.datetime:
        """Now, if the attempt's time is not up (with its grace); else the attempt is closed and refused."""
        now = self._now(meta)
        if expired(attempt.started_at, meta["time_limit_minutes"], now):
            self._close_on_time(meta, attempt)
            raise RefusedError(f"đã hết {meta['time_limit_minutes']} phút làm bài: bài đã được nộp với các câu đã lưu")
        return now

    def _settled(self, meta: dict, attempts: list[Attempt]) -> list[Attempt]:
        """The learner's attempts, an open one whose time is up closed first (submitted with what was saved)."""
        now = self._now(meta)
        overdue = [a for a in attempts if a.status == OPEN and expired(a.started_at, meta["time_limit_minutes"], now)]
        for attempt in overdue:
            self._close_on_time(meta, attempt)
        return self.attempts.of(attempts[0].student_id, attempts[0].assessment_id) if overdue else attempts

    def _close_on_time(self, meta: dict, attempt: Attempt) -> Attempt | None:
        closed = close_on_time(self.attempts, meta, attempt)
        if closed is not None:
            self._archive(meta, closed, closed.answers, closed.submitted_at)
        return closed

    def time_up(self, learner: Learner, attempt_id: int, answers: dict) -> Attempt:
        """The learner's clock reached zero: keep the last answers (if still in time) and close the attempt, which is
        then submitted with what was saved, or expired with nothing; closed already, it is returned as it is."""
        attempt = self.attempts.get(attempt_id)
        if attempt.student_id != learner.id:
            raise RefusedError("đây không phải bài làm của anh/chị")
        if attempt.status == OPEN:
            meta = release_metadata(self.course, attempt.assessment_id)
            if answers and not expired(attempt.started_at, meta["time_limit_minutes"], self._now(meta)):
                self.attempts.save_answers(attempt_id, partial_answers(meta, attempt.picks, answers), self._now(meta))
            self._close_on_time(meta, self.attempts.get(attempt_id))
        return self.attempts.get(attempt_id)

    def close_overdue(self) -> int:
        """Close every open attempt whose time is up, of every learner (the grader's sweep: a learner who never
        comes back still has their saved answers submitted). How many were submitted."""
        submitted = 0
        for attempt in self.attempts.overdue(self.clock() - dt.timedelta(seconds=GRACE_SECONDS)):
            try:
                meta = release_metadata(self.course, attempt.assessment_id)
            except (RefusedError, OSError, ValueError, KeyError) as error:
                log.warning("attempt %s: time is up but its assessment cannot be read: %s", attempt.id, error)
                continue
            submitted += self._close_on_time(meta, attempt) is not None
        return submitted

    def submit(self, learner: Learner, attempt_id: int, answers: dict) -> Attempt:
        """Check, then record the attempt as submitted with its answers, in one step (the database is the truth),
        then keep a copy in its folder. Quiz `answers`: question id → response; commitment: {"text": …}.

        Everything is checked before anything is written. A crash after the step leaves a submitted attempt the
        grader rebuilds from the database; a crash before it leaves the attempt open, to be submitted again."""
        attempt = self._own_open_attempt(learner, attempt_id)
        meta = release_metadata(self.course, attempt.assessment_id)
        now = self._now(meta)
        stored = self._checked(learner, meta, attempt, answers, now)
        late = now > _aware(_Rules(meta).due, meta)
        self.attempts.mark_submitted(attempt.id, now, late, stored)
        self._archive(meta, attempt, stored, now)
        return self.attempts.get(attempt.id)

    def submit_paper(self, learner: Learner, assessment_id: str, answers: dict) -> Attempt:
        """Answers typed in from paper: every check first (shape, questions of this assessment, window), so a refused
        entry starts no attempt and burns none; then start (or resume the one a crash left open) and submit."""
        meta = release_metadata(self.course, assessment_id)
        paper = None if meta["kind"] == "commitment" else list(answers)
        if meta["kind"] == "commitment":
            check_commitment(answers.get("text"))
            if set(answers) != {"text"}:
                raise RefusedError('bản cam kết nhập từ giấy là {"text": "..."}: không có mục nào khác')
        else:
            placed = place_questions(meta, paper)
            picks = [{"slot": slot, "question": qid} for slot, qid in placed.items()]
            quiz_answers(meta, picks, answers)
        attempts = self.attempts.of(learner.id, assessment_id)
        if not any(a.status == OPEN for a in attempts):
            w = self.window_of(learner, meta, attempts)
            if not w.accepting:
                raise RefusedError(w.message())
        sitting = self.start(learner, assessment_id, questions=paper)
        return self.submit(learner, sitting.attempt.id, answers)

    def _now(self, meta: dict) -> dt.datetime:
        """The clock's time, aware: a naive one (a paper's time typed without offset) is in the topic's zone."""
        return _aware(self.clock(), meta)

    def _checked(self, learner: Learner, meta: dict, attempt: Attempt, answers: dict, now: dt.datetime) -> dict:
        """What is stored for `answers`, after every rule: window, time limit, shape, size."""
        w = self.window_of(learner, meta, [])  # attempts were counted when this one started
        if w.state == "closed":
            raise RefusedError(w.message())
        if expired(attempt.started_at, meta["time_limit_minutes"], now):
            self._close_on_time(meta, attempt)
            raise RefusedError(f"đã hết {meta['time_limit_minutes']} phút làm bài: bài đã được nộp với các câu đã lưu")
        if not isinstance(answers, dict):
            raise RefusedError("câu trả lời phải là một ánh xạ {mã câu hỏi: câu trả lời}")
        if meta["kind"] == "commitment":
            return {"text": check_commitment(answers.get("text"))}
        quiz_answers(meta, attempt.picks, answers)  # refuses a wrong shape, an unasked question, nothing answered
        return dict(answers)

    def _archive(self, meta: dict, attempt: Attempt, stored: dict, now: dt.datetime) -> None:
        """A copy of the submission in `attempts/<learner>/<assessment>/<n>/` (notebook, answers, nbgrader's
        timestamp), for people and for nbgrader's tools. The grader does not need it: a failure is logged."""
        folder = attempt_folder(self.course, attempt.student_id, attempt.assessment_id, attempt.number)
        try:
            write_attempt(folder, f"{attempt.assessment_id}.ipynb", self._notebook(meta, attempt, stored), stored, now)
        except OSError as error:
            log.warning("attempt %s: copy not written to %s: %s", attempt.id, folder, error)

    def _notebook(self, meta: dict, attempt: Attempt, stored: dict):
        import nbformat

        from .answers import fill_commitment, fill_quiz

        release = nbformat.read(self.course.release_notebook(attempt.assessment_id), as_version=4)
        if meta["kind"] == "commitment":
            return fill_commitment(release, stored["text"])
        return fill_quiz(release, quiz_answers(meta, attempt.picks, stored))

    def status(self, learner: Learner, attempt_id: int) -> str:
        """Where the learner's own attempt stands: open, submitted, grading, graded or failed."""
        attempt = self.attempts.get(attempt_id)
        if attempt.student_id != learner.id:
            raise RefusedError("đây không phải bài làm của anh/chị")
        return attempt.status

    def evaluation(self, learner: Learner, assessment_id: str):
        """The instructor's evaluation of the learner's commitment (None before one exists)."""
        from .evaluation import evaluation

        meta = release_metadata(self.course, assessment_id)
        return evaluation(self.attempts.engine, learner.id, assessment_id, meta.get("rating_scale") or [])

    def result(self, learner: Learner, assessment_id: str, number: int) -> dict | None:
        """The learner's own result of one attempt, once graded (None before), from the database: any quiz service
        shows what any grader stored. An attempt graded before results were stored there has its result file."""
        attempts = self.attempts.of(learner.id, assessment_id)
        attempt = next((a for a in attempts if a.number == number), None)
        if attempt is None or attempt.status != GRADED:
            return None
        stored = attempt.result
        if stored is None:
            path: Path = result_path(self.course, learner.id, assessment_id, number)
            if not path.is_file():
                return None
            stored = json.loads(path.read_text(encoding="utf-8"))
        meta = release_metadata(self.course, assessment_id)
        used = sum(1 for a in attempts if a.status != OPEN)
        return for_learner(stored, meta, used, self._now(meta))


def _zone(meta: dict):
    from zoneinfo import ZoneInfo

    return ZoneInfo(meta["timezone"])


def _aware(moment: dt.datetime, meta: dict) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_zone(meta))
