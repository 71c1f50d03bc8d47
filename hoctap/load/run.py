"""`make load`: a room, its servers, Locust, then the figures.

    results = run_load(LoadSettings(users=40, rate=40))     # a dict; `report_lines(results)` prints it

1. A room in a temp folder (`room.prepare_room`: the shipped topic built, one content quiz released, a synthetic
   roster of `users` learners with codes).
2. The learner Voila (`hoctap.serve.start_learner`, with the kit's pool, cap and culler; `voila_args` adds settings,
   e.g. a short cull timeout) and the grader (`start_grader`, i.e. `hoctap grade --watch`) on the room, on a free
   port; the run waits until the pre-heated pool is up and counts its kernels (they stay: Voila never culls them).
3. Locust as a subprocess (`locust -f hoctap/load/locustfile.py --headless -u USERS -r RATE --csv … --html …`),
   never imported here: it patches the standard library. Each visit writes its steps' times to a journal (the
   report's exact percentiles and errors); Locust's JSON file gives its own counts beside them, which must agree.
4. Then: the grader's queue drained, the kernels culled (polled until only the pool's are left, at most
   `cull_wait` s after the last learner left), the database read (`stored.stored`), the learner server's peak
   memory (`watch.MemoryPeak`); the servers are stopped by PID with their kernels.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hoctap.serve import start_grader, start_learner, stop, wait_ready

from .hub_room import start_hub_room
from .learner import STEPS
from .room import Room, prepare_room, room_course, room_env
from .stored import stored, wait_graded
from .watch import MemoryPeak, kernels, wait_for_kernels

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
BARE = "bare.ipynb"
POOL_WAIT = 60.0  # seconds for the pre-heated pool to be up before learners come


@dataclass
class LoadSettings:
    users: int = 40
    rate: float = 40.0  # learners arriving per second
    run_time: float | None = None  # Locust's bound on the run (default: the arrivals, plus room for every visit)
    think: float = 0.0  # at most this many seconds of reading between two steps
    timeout: float = 30.0  # seconds a step may take before it is a failure
    score_timeout: float = 90.0
    cull_wait: float = 120.0  # seconds after the last learner left, at most, for the kernels to be culled
    grade_wait: float = 180.0  # seconds after the run, at most, for the grader's queue to drain
    voila_args: list[str] = field(default_factory=list)  # more learner Voila settings (`--Class.trait=value`)
    user_class: str = "LearnerUser"
    bare: bool = False  # the baseline: a bare one-widget notebook (BareUser) instead of the quiz
    hub: bool = False  # behind JupyterHub (hub_room.py): every learner logs in through the hub's form
    db_url: str | None = None  # the room's gradebook (an empty throwaway database; the hub's run needs one)
    quiz_services: int = 1  # behind the hub: quiz services (Voila processes) sharing the learners
    graders: int = 1  # behind the hub: graders, as hub services
    workers: int = 0  # Locust's master/worker mode: this many worker processes (0: one local process)

    def bound(self) -> float:
        return self.run_time or (self.users / self.rate + self.score_timeout + 60)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _home(home: Path):
    """This process's environment as `room_env` makes it while the servers start (they inherit it: Voila hands it
    to the kernels, the grader reads HOCTAP_HOME and would read HOCTAP_DB_URL); put back after."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(room_env(home, saved))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_load(settings: LoadSettings, folder: str | os.PathLike[str] | None = None, log=print) -> dict:
    """The whole run (see the module docstring); `folder` keeps the room, the logs and Locust's files (default: a
    temp folder, removed after)."""
    if folder is not None:
        try:
            return _run(settings, Path(folder), log)
        except Exception as error:  # the run's logs say why: their tails go with the error
            raise RuntimeError(f"{error}\n{log_tails(Path(folder))}") from error
    work = Path(tempfile.mkdtemp(prefix="hoctap-load-"))
    try:
        return _run(settings, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(settings: LoadSettings, work: Path, log) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    home = work / "room"
    begun = time.monotonic()
    log(f"Chuẩn bị phòng thi / preparing the room ({settings.users} learners) in {home}")
    if settings.bare:
        room = _bare_room(home)
    else:
        room = prepare_room(home, settings.users, db_url=settings.db_url)
    room_file = room.write(work / "room.json")
    prepared_s = time.monotonic() - begun
    servers = []
    try:
        if settings.hub:
            with _home(home):
                db_url = settings.db_url or room_course(home).db_url  # SQLite in the room unless a URL is given
                hub, base = start_hub_room(
                    room,
                    work,
                    db_url,
                    free_port,
                    quiz_services=settings.quiz_services,
                    graders=settings.graders,
                )
            servers.append(hub)
            pid, pool = hub.process.pid, 0  # no pre-heated kernel behind the hub (hoctap.serve.hub_voila)
            log(f"JupyterHub {base}: {settings.quiz_services} quiz service(s), {settings.graders} grader(s)")
        else:
            with (
                _home(home),
                open(work / "voila.log", "wb") as voila_log,
                open(work / "grader.log", "wb") as grader_log,
            ):
                learner = start_learner(room.site, "127.0.0.1", free_port(), output=voila_log, args=settings.voila_args)
                servers.append(learner)
                if not settings.bare:
                    servers.append(start_grader(home, output=grader_log))
            for server in servers:
                wait_ready(server)
            pid, base = learner.process.pid, learner.local_url
            pool = kernels(pid) if settings.bare else _pool_up(pid)  # the pool is the quiz's only
            log(f"Voila {base} ({pool} pre-heated kernels)")
        log(f"Locust: {settings.users} users, {settings.rate}/s")
        journal = work / "journal.jsonl"
        with MemoryPeak(pid) as peak:
            locust_s = _locust(settings, base, room_file, journal, work)
            left_at = time.monotonic()
            course = None if settings.bare else room_course(home, settings.db_url)
            graded_s = None if course is None else wait_graded(course, room.assessment, settings.grade_wait)
            right_after = kernels(pid)
            left = settings.cull_wait - (time.monotonic() - left_at)
            culled_s = wait_for_kernels(pid, pool, max(left, 0.0))
            culled_s = None if culled_s is None else time.monotonic() - left_at
            after = kernels(pid)
        visits = _journal(journal)
        pressed = {v["learner"] for v in visits if v.get("pressed_submit")}
        results = {
            "settings": asdict(settings),
            "prepared_s": prepared_s,
            "locust_s": locust_s,
            "steps": _steps(visits, _stats(work / "locust.json")),
            "errors": _errors(visits),
            "visits": {
                "started": len(visits),
                "passed": sum(1 for v in visits if v.get("passed")),
                "waited": sum(1 for v in visits if v.get("waits")),  # shown a waiting or busy page first
                "busy_pages": sum(v.get("waits", []).count(503) for v in visits),
                "failed": [v.get("why") for v in visits if not v.get("passed")][:20],
            },
            "submissions": None if course is None else stored(course, room.assessment, pressed),
            "graded_within_s": graded_s,
            "kernels": {
                "pool": pool,
                "peak": peak.kernels,
                "right_after_run": right_after,
                "after_culling": after,
                "left_over": max(after - pool, 0),
                "culled_within_s": culled_s,
                "waited_s": settings.cull_wait,
            },
            "memory": {"peak_tree_rss_mb": peak.mb},
            # Locust ended at its --run-time bound rather than when every learner was done (a visit left unfinished)
            "stopped_by_run_time": "--run-time limit reached" in _text(work / "locust.log"),
        }
    finally:
        for server in reversed(servers):
            stop(server)
    results["total_s"] = time.monotonic() - begun
    return results


def log_tails(folder: Path, size: int = 2500) -> str:
    """The end of each server's and Locust's log of a run kept in `folder`."""
    return "\n".join(
        f"--- {path.name} ---\n{path.read_text(encoding='utf-8', errors='replace')[-size:]}"
        for path in sorted(folder.glob("*.log"))
    )


def _bare_room(home: Path) -> Room:
    """The baseline's site: one notebook with one IntSlider (what any Voila widget app costs), no course."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    room = Room(home, "")
    room.site.mkdir(parents=True, exist_ok=True)

    nb = new_notebook(cells=[new_code_cell('import ipywidgets as w\nw.IntSlider(value=3, description="Số")')])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, room.site / BARE)
    return room


def _pool_up(pid: int) -> int:
    """Wait until the server's kernel count has been steady for a few seconds (the pre-heated pool started and ran
    the quiz); that count."""
    deadline, last, steady = time.monotonic() + POOL_WAIT, -1, 0
    while time.monotonic() < deadline and steady < 4:
        now = kernels(pid)
        steady = steady + 1 if now == last and now > 0 else 0
        last = now
        time.sleep(1)
    time.sleep(2)  # the pool's kernels run the notebook once started
    return kernels(pid)


def _locust(settings: LoadSettings, base: str, room_file: Path, journal: Path, work: Path) -> float:
    """Run Locust headless as a subprocess; its wall time. Its output goes to `work/locust.log`."""
    env = room_env(work / "room")
    env.update(
        HOCTAP_LOAD_ROOM=str(room_file),
        HOCTAP_LOAD_JOURNAL=str(journal),
        HOCTAP_LOAD_THINK=str(settings.think),
        HOCTAP_LOAD_TIMEOUT=str(settings.timeout),
        HOCTAP_LOAD_SCORE_TIMEOUT=str(settings.score_timeout),
        HOCTAP_LOAD_BARE=f"voila/render/{BARE}",
        HOCTAP_LOAD_HUB="1" if settings.hub else "0",
    )
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "-u",
        str(settings.users),
        "-r",
        str(settings.rate),
        "--run-time",
        f"{max(int(settings.bound()), 10)}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--json-file",  # written at the end of the run (its CSV is written every second: the last ones are missed)
        str(work / "locust"),
        "--csv",
        str(work / "locust"),
        "--html",
        str(work / "locust.html"),
        "BareUser" if settings.bare else settings.user_class,
    ]
    if settings.workers > 0:
        # every user spawned at once, each arriving at its own time (locustfile.LearnerUser._take: Locust's own
        # ramp-up over workers moves users between them, and a moved user would take a second learner)
        env.update(
            HOCTAP_LOAD_WORKERS=str(settings.workers),
            HOCTAP_LOAD_CLAIMS=str(work / "claims.txt"),
            HOCTAP_LOAD_ARRIVAL_RATE=str(settings.rate),
        )
        command[command.index("-r") + 1] = str(settings.users)
        port = free_port()
        command[5:5] = ["--master", "--expect-workers", str(settings.workers), "--master-bind-port", str(port)]
    start = time.monotonic()
    workers = []
    with open(work / "locust.log", "wb") as out:
        # Locust exits 1 when a request failed: the failures are figures of the report, not an error of the run.
        master = subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
        for n in range(settings.workers):  # on this machine here; on others: the same command with their host
            worker = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker", "--master-port", str(port)]
            with open(work / f"locust-worker-{n + 1}.log", "wb") as worker_out:
                workers.append(subprocess.Popen(worker, cwd=work, env=env, stdout=worker_out, stderr=subprocess.STDOUT))
        try:
            code = master.wait()
        finally:
            for worker in workers:
                try:
                    worker.wait(30)
                except subprocess.TimeoutExpired:
                    worker.kill()
    if code not in (0, 1) or not (work / "locust.json").is_file():
        tail = (work / "locust.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"locust exited with {code}:\n{tail}")
    return time.monotonic() - start


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _journal(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _steps(visits: list[dict], locust: dict[str, dict]) -> dict[str, dict]:
    """Each step's count, failures, p50, p95 and max in seconds, exact, from the journal; Locust's own counts beside
    (they must agree: a difference means a visit ended without writing its journal line)."""
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    for visit in visits:
        for name, seconds, error in visit.get("steps", []):
            times.setdefault(name, []).append(seconds)
            failures[name] = failures.get(name, 0) + (1 if error else 0)
    out = {}
    for name in [*STEPS, *sorted(set(times) - set(STEPS))]:
        if name not in times:
            continue
        values = sorted(times[name])
        out[name] = {
            "count": len(values),
            "failures": failures[name],
            "p50_s": percentile(values, 50),
            "p95_s": percentile(values, 95),
            "max_s": values[-1],
            "locust_count": locust.get(name, {}).get("count"),
            "locust_failures": locust.get(name, {}).get("failures"),
        }
    return out


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile of sorted `values`, interpolated between closest ranks (numpy's default)."""
    rank = (len(values) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def _stats(path: Path) -> dict[str, dict]:
    """Each step's request and failure counts as Locust saw them (its `--json-file`)."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {e["name"]: {"count": e["num_requests"], "failures": e["num_failures"]} for e in entries}


def _errors(visits: list[dict]) -> list[dict]:
    """Each distinct failure (step and why) with how many visits had it, most frequent first."""
    found: dict[tuple[str, str], int] = {}
    for visit in visits:
        for name, _seconds, error in visit.get("steps", []):
            if error:
                found[(name, error)] = found.get((name, error), 0) + 1
    return [{"step": s, "error": e, "count": n} for (s, e), n in sorted(found.items(), key=lambda kv: -kv[1])]
