"""Locust's user classes for the learner app: `locust -f hoctap/load/locustfile.py --host http://HOST:PORT/ …`.

    LearnerUser   one learner's whole visit (hoctap.load.learner.Visit), once, then the user stops
    BareUser      the baseline: a bare one-widget notebook's page and its widget state, over the same protocol

Only Locust's own process imports this module: Locust (gevent) patches sockets, threads and time when imported,
which must never happen inside pytest or the kit's servers. Spreading users over machines works as Locust does it
(`--master` here, `--worker` there, each with the same room file): worker k of W takes the learners k, k + W, …

Settings, from the environment (`hoctap.load.run` sets them):
    HOCTAP_LOAD_ROOM      the room's JSON (`hoctap.load.room.Room.write`): the assessment, each learner's id and code
    HOCTAP_LOAD_JOURNAL   a file to append one JSON line per finished visit to (learner, passed, pressed submit, and
                          each step's seconds: the report's exact percentiles; Locust's own are rounded)
    HOCTAP_LOAD_THINK     at most this many seconds of reading between two steps (uniform; default 0)
    HOCTAP_LOAD_TIMEOUT   seconds a step may take (default 30; the score: HOCTAP_LOAD_SCORE_TIMEOUT, default 90)
    HOCTAP_LOAD_WORKERS   how many Locust workers share the learners (default 1)
    HOCTAP_LOAD_CLAIMS, HOCTAP_LOAD_ARRIVAL_RATE   master/worker on one machine: the learners' counter file, and
                          the arrivals per second (`LearnerUser._take`)
    HOCTAP_LOAD_BARE      the bare notebook's path under the server, for BareUser
    HOCTAP_LOAD_HUB       1: `--host` is a JupyterHub; each learner logs in through its form (hub_visit.HubVisit)
Each visit's steps are Locust requests (type "HTTP" for the page, "WS" for the rest), named as in
`hoctap.load.learner.STEPS`; a failed step is a Locust failure with the app's error line or the timeout. When every
learner of a local run has finished, the run stops without waiting for `--run-time`.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import time
from collections.abc import Callable

import gevent
from locust import User, events, task
from locust.runners import LocalRunner, MasterRunner, WorkerRunner

from hoctap.load.hub_visit import HubVisit
from hoctap.load.learner import PAGE, Visit, bare_visit
from hoctap.load.room import read_room

_ROOM: dict | None = None
_TAKEN = itertools.count()  # learners taken by this process's users
_FINISHED = itertools.count(1)
IDLE = 24 * 3600.0  # seconds a user that made its visit waits: until the run ends


def _room() -> dict:
    global _ROOM
    if _ROOM is None:
        _ROOM = read_room(os.environ["HOCTAP_LOAD_ROOM"])
    return _ROOM


def _number(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def _journal(line: dict) -> None:
    path = os.environ.get("HOCTAP_LOAD_JOURNAL")
    if path:
        with open(path, "a", encoding="utf-8") as out:  # one short write per line: O_APPEND keeps lines whole
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


class _Reporting(User):
    """A user that reports each timed step as a Locust request, makes one visit, then idles; a local run ends once
    every user has made its visit.

    It idles rather than stops: Locust counts the users alive while it ramps up and starts new ones in place of
    those that stopped, which would each take a learner (or find none) beyond the number asked for. Idling, it
    waits between tasks, where Locust stops a user at once at the end of the run."""

    abstract = True
    done = False

    def wait_time(self) -> float:
        return IDLE if self.done else 0.0

    def report(self, name: str, seconds: float, error: str | None) -> None:
        self.environment.events.request.fire(
            request_type="HTTP" if name == PAGE else "WS",
            name=name,
            response_time=seconds * 1000,
            response_length=0,
            exception=RuntimeError(error) if error else None,
            context={},
        )

    def recorded(self) -> tuple[list, Callable[[str, float, str | None], None]]:
        """A list of the visit's steps ([name, seconds, error]) for the journal, and a reporter that fills it and
        reports each step to Locust."""
        steps: list = []

        def report(name: str, seconds: float, error: str | None) -> None:
            steps.append([name, seconds, error])
            self.report(name, seconds, error)

        return steps, report

    def finished(self) -> None:
        self.done = True
        runner = self.environment.runner
        if isinstance(runner, WorkerRunner):  # the master counts the visits of all its workers
            runner.send_message(FINISHED_MESSAGE)
            return
        users = getattr(self.environment.parsed_options, "num_users", None)
        if isinstance(runner, LocalRunner) and users and next(_FINISHED) >= users:
            gevent.spawn_later(0.5, runner.quit)  # from outside this user's greenlet, which quit() kills


FINISHED_MESSAGE = "hoctap_visit_finished"


@events.init.add_listener
def _count_workers_visits(environment, **_kwargs) -> None:
    """Master/worker runs (`--master` here, `--worker` elsewhere): the master ends the run once every learner of every
    worker has made their visit, as a local run does, instead of waiting for `--run-time`."""
    if not isinstance(environment.runner, MasterRunner):
        return

    def on_finished(environment, msg, **_kw) -> None:  # Locust calls listeners with these names
        users = getattr(environment.parsed_options, "num_users", None)
        if users and next(_FINISHED) >= users:
            gevent.spawn_later(0.5, environment.runner.quit)

    environment.runner.register_message(FINISHED_MESSAGE, on_finished)


class LearnerUser(_Reporting):
    """One learner of the room: the quiz page, log in, start the quiz, answer, submit, wait for the score, leave."""

    def _take(self) -> tuple[int, float | None]:
        """The next learner's index in the room, and when they arrive (None: now, Locust's own ramp-up paces them).

        Master/worker on one machine (`HOCTAP_LOAD_CLAIMS`, a counter file): the workers take learners in turn
        under a file lock, and the n-th arrives n / rate s after the first (`HOCTAP_LOAD_ARRIVAL_RATE`). The master
        spawns every user at once for this: ramping up over workers, Locust moves users between them and a moved
        user would take a second learner. Workers on other machines (no shared file) take k, k + W, k + 2W, …"""
        claims = os.environ.get("HOCTAP_LOAD_CLAIMS")
        if not claims:
            workers = int(_number("HOCTAP_LOAD_WORKERS", 1))
            return getattr(self.environment.runner, "worker_index", 0) + next(_TAKEN) * workers, None
        with open(claims, "a+", encoding="utf-8") as counter:
            fcntl.flock(counter, fcntl.LOCK_EX)  # released when the file closes
            counter.seek(0)
            taken, first = (counter.read().split() + [None, None])[:2]
            index, first = int(taken or 0), float(first or time.time())
            counter.seek(0)
            counter.truncate()
            counter.write(f"{index + 1} {first}")
        return index, first + index / _number("HOCTAP_LOAD_ARRIVAL_RATE", 1.0)

    @task
    def visit(self) -> None:
        if self.done:
            return
        room = _room()
        index, arrives_at = self._take()
        if arrives_at is not None:  # master/worker: every user is spawned at once, each arrives at its own time
            gevent.sleep(max(arrives_at - time.time(), 0.0))
        if index >= len(room["learners"]):
            why = f"no learner left in the room ({len(room['learners'])} learners)"
            self.report(PAGE, 0.0, why)
            _journal({"learner": None, "passed": False, "pressed_submit": False, "why": why, "steps": []})
            return self.finished()
        learner_id, code = room["learners"][index]
        steps, report = self.recorded()
        kind = HubVisit if os.environ.get("HOCTAP_LOAD_HUB") == "1" else Visit
        visit = kind(
            self.host,
            learner_id,
            code,
            room["assessment"],
            report,
            timeout=_number("HOCTAP_LOAD_TIMEOUT", 30),
            score_timeout=_number("HOCTAP_LOAD_SCORE_TIMEOUT", 90),
            think=_number("HOCTAP_LOAD_THINK", 0),
        )
        passed = visit.run()
        _journal(
            {
                "learner": learner_id,
                "passed": passed,
                "pressed_submit": visit.pressed_submit,
                "why": visit.failed,
                "waits": visit.waits,
                "steps": steps,
            }
        )
        self.finished()


class BareUser(_Reporting):
    """The baseline: what any Voila app costs (a page, a kernel, its widget state), with a one-widget notebook."""

    @task
    def visit(self) -> None:
        if self.done:
            return
        steps, report = self.recorded()
        passed = bare_visit(self.host, os.environ["HOCTAP_LOAD_BARE"], report, _number("HOCTAP_LOAD_TIMEOUT", 30))
        why = next((f"{name}: {error}" for name, _, error in steps if error), None)
        _journal({"learner": None, "passed": passed, "pressed_submit": False, "why": why, "steps": steps})
        self.finished()
