"""The load test's figures for `make bench`: a burst of learners arriving in the same second, each taking the whole
quiz through Locust (`hoctap.load`), beside a baseline measured in the same run: as many simulated visitors, all at
once, fetching a bare one-widget Voila notebook's page and its widget state over the same protocol, on a learner
Voila started the same way.

The ratio that matters is the arrival one (page → login screen, p95, quiz / bare): what the quiz app and its kit
add to what any Voila widget app costs. Absolute times on a shared 2-core machine are noise; they are printed for
the issue's targets (p95 to the login screen < 5 s, all served, none lost), which are reported, never asserted.

Run alone: `python -m tests.bench --only load [--load-users 40]`.
"""

from __future__ import annotations

from hoctap.load import ARRIVAL, PAGE, LoadSettings, report_lines, run_load


def bench_load(users: int = 40) -> dict:
    """The burst (every learner in the same second) and its baseline, each on a fresh learner Voila."""
    bare = run_load(LoadSettings(users=users, rate=float(users), bare=True, cull_wait=0.0))
    quiz = run_load(LoadSettings(users=users, rate=float(users)))
    return {"users": users, "bare": bare, "quiz": quiz, "ratios": _ratios(quiz, bare)}


def _ratios(quiz: dict, bare: dict) -> dict:
    out = {}
    for name in (PAGE, ARRIVAL):
        mine, base = quiz["steps"].get(name), bare["steps"].get(name)
        if mine and base and base["p95_s"]:
            out[name] = {"p50": mine["p50_s"] / base["p50_s"], "p95": mine["p95_s"] / base["p95_s"]}
    return out


def report_lines_load(results: dict) -> list[str]:
    lines = [*report_lines(results["bare"]), *report_lines(results["quiz"])]
    arrival = results["ratios"].get(ARRIVAL)
    if arrival:
        quiz, bare = results["quiz"]["steps"][ARRIVAL], results["bare"]["steps"][ARRIVAL]
        lines.append(
            f"Thử tải {results['users']} học viên cùng lúc / burst of {results['users']}: "
            f"mở trang → màn hình đăng nhập / arrival → login screen p95 {quiz['p95_s']:.2f} s "
            f"(notebook một widget / bare one-widget notebook "
            f"{bare['p95_s']:.2f} s); tỉ lệ / ratio p50 {arrival['p50']:.2f}×, p95 {arrival['p95']:.2f}×"
        )
    return lines
