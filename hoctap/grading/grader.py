"""Submitted attempts → nbgrader grades, feedback and the learner's result, each attempt exactly once.

The queue is the attempts table (`Attempts.claim` is an UPDATE only one grader wins). For each attempt the
grader rebuilds the submission from the release notebook and the answers stored with the attempt — it never trusts a
notebook a learner could have edited (an answer cell is code: a crafted one could redefine the check) —
puts it in nbgrader's `submitted/<learner>/<assessment>/`, autogrades through nbgrader's Python API (which
restores the hidden tests from the gradebook), generates nbgrader's feedback (hidden tests and outputs
dropped), and stores the learner's result with the grade, in the attempt's row (one UPDATE: no graded attempt without
it): score and, per question, right or wrong, the right answer, the explanation and the source line. Nothing a
learner needs stays on the grader's disk, so graders and quiz services on other machines share only the database.
A grader killed mid-way puts back what it held when it restarts.

When an assessment counts the highest attempt and a later attempt scores lower, the better attempt is put
back and graded again, so nbgrader's gradebook (what formgrader and the progress tables read) holds the
attempt that counts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from hoctap.attempts import (
    Attempt,
    Attempts,
    Portal,
    attempt_folder,
    create_response_tables,
    fill_commitment,
    fill_quiz,
    now_utc,
    quiz_answers,
    record,
    response_rows,
    timestamp_text,
)
from hoctap.course import Course, engine_for
from hoctap.errors import HoctapError
from hoctap.topic import answer_text, response_text, topic_by_id

from .gradebook_engine import reuse_gradebook_engines
from .names import NameHold
from .progress import Progress

log = logging.getLogger("hoctap.grading.grader")


STALE_CLAIM = dt.timedelta(minutes=10)  # far longer than any one grade takes
SWEEP_EVERY = 5.0  # seconds between two sweeps: attempts whose time is up, claims of graders that died


class GradingError(HoctapError):
    """nbgrader could not grade a submission (its log's last line says why)."""


@dataclass
class GradeReport:
    graded: int = 0
    failed: int = 0


class Grader:
    """Takes submitted attempts in order and grades them; several may run on one database."""

    def __init__(self, course: Course, name: str | None = None, warm: bool = True, clock=now_utc):
        self.course = course
        self.clock = clock  # when attempts' time limits are up (tests pass their own)
        # A stable name: a grader restarted after a crash recognises its own unfinished claims and puts them back.
        self.name = name or f"{socket.gethostname()}-grader"
        self.attempts = Attempts(engine_for(course.db_url))
        reuse_gradebook_engines()  # nbgrader opens a Gradebook several times a grade: one engine, not one each
        self._hold = NameHold(course.root / ".graders", self.attempts.engine, self.name)
        create_response_tables(self.attempts.engine)
        self.warm = warm
        self._api = None
        self._portal = None  # closes attempts whose time is up (built at the first sweep)
        self._next_sweep = 0.0
        self.progress = Progress()  # this grader's counts and rate since it started (`hoctap grade` prints them)
        self.show = None  # called with a progress line every few seconds while there is work (None: silent)

    @property
    def api(self):
        """One nbgrader API for this grader's life: building it (config, converters) costs as much as a grade."""
        if self._api is None:
            self._api = self.course.api(warm=self.warm)
        return self._api

    def run_once(self) -> GradeReport:
        """Grade everything pending now (after putting back what this grader held when it last stopped, what
        graders that died hold, and what graders that never came back have held for too long)."""
        self.attempts.release_claims(self.name)
        self.attempts.release_stale(now_utc() - STALE_CLAIM)
        self._sweep()
        report = GradeReport()
        while (attempt := self.attempts.claim(self.name, now_utc())) is not None:
            try:
                self.grade(attempt)
                report.graded += 1
                self.progress.record(ok=True)
            except Exception as error:  # one bad submission must not stop the queue: it is kept, marked failed
                self.attempts.fail(attempt.id, self.name, f"{type(error).__name__}: {error}")
                report.failed += 1
                self.progress.record(ok=False)
            self._show_progress()
        return report

    def _show_progress(self, force: bool = False) -> None:
        """A progress line to `show` when one is due (the queue's size read then, at most every few seconds)."""
        if self.show is not None and (force or self.progress.due()):
            line = self.progress.line(self.attempts.waiting(), force)
            if line:
                self.show(line)

    def _sweep(self) -> None:
        """Every SWEEP_EVERY seconds: claims of graders that died go back to the queue (they hold their name no
        more), and attempts whose time is up are submitted with their saved answers, even if no learner's kernel
        is left to do it (a time limit is minutes long)."""
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + SWEEP_EVERY
        for dead in self._hold.dead_claimers(self.attempts.engine):
            if put_back := self.attempts.release_claims(dead):
                log.warning(
                    "%s: %d attempt(s) held by '%s', which stopped, back in the queue", self.name, put_back, dead
                )
        if self._portal is None:
            self._portal = Portal(self.course)
        self._portal.clock = self.clock  # not a closure over self: a grader must die with its last reference
        if closed := self._portal.close_overdue():
            log.info("%s: %d attempt(s) whose time was up submitted with their saved answers", self.name, closed)

    def watch(self, interval: float = 0.5, stop: threading.Event | None = None) -> None:
        """Grade as submissions arrive, until `stop` is set (or Ctrl-C)."""
        stop = stop or threading.Event()
        if self.warm:  # the first learner should not wait for a kernel to start
            from .warm_kernel import warm_manager

            warm_manager()
            self.api  # noqa: B018 - builds nbgrader's API (imports, config) before the first submission
        while not stop.is_set():
            if not self.run_once().graded:
                self._show_progress()  # the queue may move while this grader waits (other graders, new work)
                stop.wait(interval)

    # ------------------------------------------------------------------ one attempt
    def grade(self, attempt: Attempt) -> None:
        release = nbformat.read(self.course.release_notebook(attempt.assessment_id), as_version=4)
        meta = release.metadata["hoctap"]
        answers = self._answers(attempt)
        score, max_score, slot_scores = self._autograde(attempt, release, meta, answers)
        counted = self._counted(attempt, score, meta)
        if counted is not None:  # a better earlier attempt counts: the gradebook must hold it
            self._restore(counted, release, meta)
        result = self._result(attempt, meta, answers, score, max_score, slot_scores)
        rows = response_rows(attempt.id, attempt.assessment_id, result["items"])
        record(self.attempts.engine, rows, attempt.id)
        self.attempts.finish(attempt.id, self.name, score, max_score, now_utc(), result)
        # nbgrader's feedback page comes last: the learner's score does not wait for it, and a failure here
        # leaves the grade standing (the page can be made again with `nbgrader generate_feedback`).
        try:
            self.api.generate_feedback(attempt.assessment_id, attempt.student_id, force=True)
        except Exception as error:  # noqa: BLE001 - logged, never fatal
            log.warning("feedback for %s/%s not generated: %s", attempt.student_id, attempt.assessment_id, error)

    def _answers(self, attempt: Attempt) -> dict:
        """What was submitted: the attempt's row (the truth), or, for an attempt submitted before the kit stored
        answers there, the copy in its folder."""
        if attempt.answers is not None:
            return attempt.answers
        folder = attempt_folder(self.course, attempt.student_id, attempt.assessment_id, attempt.number)
        return json.loads((folder / "answers.json").read_text(encoding="utf-8"))

    def _autograde(self, attempt, release, meta, answers) -> tuple[float, float, dict[str, tuple]]:
        """Autograde one attempt; its total, maximum and (score, max score) per grade cell ("slot-3": (1.0, 1.0))."""
        if meta["kind"] == "commitment":
            nb = fill_commitment(release, answers["text"])
        else:
            nb = fill_quiz(release, quiz_answers(meta, attempt.picks, answers))
        self._place(attempt.student_id, attempt.assessment_id, nb, timestamp_text(attempt.submitted_at))
        result = self.api.autograde(attempt.assessment_id, attempt.student_id, force=True, create=True)
        if not result.get("success"):
            raise GradingError((result.get("log") or result.get("error") or "").strip().splitlines()[-1:])
        with self.course.gradebook() as gb:
            submission = gb.find_submission(attempt.assessment_id, attempt.student_id)
            cells = {g.name: (float(g.score), float(g.max_score)) for g in submission.notebooks[0].grades}
            return float(submission.score), float(submission.max_score), cells

    def _place(self, student: str, assessment: str, nb, timestamp: str) -> None:
        """Replace nbgrader's one submission folder for this learner and assessment."""
        target = self.course.submission_dir(student, assessment)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{assessment}-", dir=target.parent))
        nbformat.write(nb, staging / f"{assessment}.ipynb")
        (staging / "timestamp.txt").write_text(timestamp, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)

    def _counted(self, attempt: Attempt, score: float, meta: dict) -> Attempt | None:
        """The earlier attempt that counts instead of this one, if any (counts: highest)."""
        if meta.get("counts", "highest") != "highest":
            return None
        earlier = [
            a
            for a in self.attempts.of(attempt.student_id, attempt.assessment_id)
            if a.score is not None and a.id != attempt.id
        ]
        best = max(earlier, key=lambda a: (a.score, -a.number), default=None)
        return best if best is not None and best.score > score else None

    def _restore(self, counted: Attempt, release, meta) -> None:
        self._autograde(counted, release, meta, self._answers(counted))

    def _result(self, attempt, meta: dict, answers: dict, score: float, max_score: float, cells: dict) -> dict:
        """The learner's own view of this attempt (nothing here is secret any more: the attempt is over); its items
        also become the attempt's rows for item analysis."""
        items = []
        if meta["kind"] != "commitment":
            topic = topic_by_id(meta["topic"])
            for pick in attempt.picks:
                q = topic.question(pick["question"])
                got, top = cells.get(f"slot-{pick['slot']}", (0.0, 0.0))
                items.append(
                    {
                        "slot": pick["slot"],
                        "question": q.id,
                        "prompt": q.prompt,
                        "response": answers.get(q.id),
                        "right": got > 0,
                        "score": got,
                        "max_score": top,
                        "chosen": response_text(q, answers.get(q.id)),
                        "answer": answer_text(q),
                        "explanation": q.explanation,
                        "cite": q.cite,
                        "evidence": q.evidence,
                    }
                )
        return {
            "assessment": attempt.assessment_id,
            "attempt": attempt.number,
            "kind": meta["kind"],
            "score": score,
            "max_score": max_score,
            "graded_at": now_utc().isoformat(),
            "items": items,
        }


def wait_for_result(course: Course, student: str, assessment: str, number: int, timeout: float = 30.0) -> dict | None:
    """The learner's result once a grader has stored it, read from the database (None after `timeout` seconds)."""
    attempts = Attempts(engine_for(course.db_url))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = next((a for a in attempts.of(student, assessment) if a.number == number), None)
        if found is not None and found.result is not None:
            return found.result
        time.sleep(0.05)
    return None
