"""Progress tables at scale: every table at 1,000 × 5, 1,000 × 20 and 10,000 × 20 (learners × assessments), the
dashboard's first render, and `nbgrader export` on the smallest gradebook as the baseline, all in one run.

The gradebooks are synthetic (tests/synthetic_gradebook.py: bulk inserts into nbgrader's tables and the kit's),
on SQLite in a temp dir. Each table is timed as the dashboard and the CLI call it: its own SQL query and pandas,
median of `rounds`. Ratios: `nbgrader export` / table at 1,000 × 5 (target ≥ 100×); table at 10,000 × 20 /
table at 1,000 × 20 (10× the learners: target ≤ 12×). Run alone: `python -m tests.bench.progress`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import tempfile
import time
from pathlib import Path

from hoctap.course.database import engine_for
from hoctap.progress.tables import TABLES
from tests.bench.export_baseline import time_nbgrader_export
from tests.bench.timing import median_time
from tests.synthetic_gradebook import build_gradebook, synthetic_topic

SIZES = [(1_000, 5), (1_000, 20), (10_000, 20)]
NOW = dt.datetime(2031, 1, 15, tzinfo=dt.UTC)  # after every synthetic due date


def _dashboard_first_render(course_root: Path, topic) -> float | None:
    """Seconds to build the dashboard app (its query, tables and first page) in this process."""
    try:
        from widgets.dashboard import progress_app
    except ImportError:  # the dashboard is not there: nothing to time
        return None
    start = time.perf_counter()
    progress_app(str(course_root), topics=[topic], now=NOW)
    return time.perf_counter() - start


def _standing_costs(engine, rounds: int = 200) -> dict:
    """What the standing rows cost: recomputing one pair's row inside a transaction (what every start, submit and
    grade now does), median over `rounds` pairs, and a full rebuild (`hoctap progress --rebuild`)."""
    import random

    from sqlalchemy import select

    from hoctap.attempts.standing import rebuild_standing, refresh, standing_table

    with engine.connect() as db:
        keys = [tuple(r) for r in db.execute(select(standing_table.c.student_id, standing_table.c.assessment_id))]
    picked = random.Random(7).sample(keys, min(rounds, len(keys)))
    times = []
    for pair in picked:
        start = time.perf_counter()
        with engine.begin() as db:
            refresh(db, pair=pair)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    rebuild_standing(engine)
    return {"refresh_ms": 1000 * sorted(times)[len(times) // 2], "rebuild_s": time.perf_counter() - start}


def _postgres():
    """A throwaway PostgreSQL server (tests/postgres.py), or None when none can be started here."""
    from tests import postgres

    try:
        return postgres.start()
    except Exception as error:  # noqa: BLE001 - the bench goes on without it
        print(f"(PostgreSQL: không chạy được / not measured: {error})")
        return None


def bench_progress(rounds: int = 3, export: bool = True, postgres: bool = True) -> dict:
    """Every table at each size on SQLite, and at 10,000 × 20 also on PostgreSQL (the gradebook DESIGN.md advises
    beyond one machine) when a server can be started."""
    results: dict = {"sizes": {}}
    server = _postgres() if postgres else None
    runs = [(n, a, "sqlite") for n, a in SIZES] + ([(*SIZES[-1], "postgresql")] if server else [])
    with tempfile.TemporaryDirectory(prefix="hoctap-bench-progress-") as tmp:
        for learners, assessments, backend in runs:
            label = f"{learners}x{assessments}" + ("" if backend == "sqlite" else f"-{backend}")
            course_root = Path(tmp) / label
            course_root.mkdir()
            db_url = f"sqlite:///{course_root / 'gradebook.db'}"
            if backend == "postgresql":
                db_url = server.new_database("bench_progress")
            topic = synthetic_topic(assessments)
            book = build_gradebook(db_url, topic, learners, seed=1)
            engine = engine_for(db_url)
            size = {"build_s": book.seconds, "rows": dict(book.counts), "tables": {}}
            for name, table in TABLES.items():
                size["tables"][name] = median_time(functools.partial(table, engine, [topic], None, NOW), rounds)
            size["standing"] = _standing_costs(engine)
            size["dashboard_s"] = _dashboard_first_render(course_root, topic) if backend == "sqlite" else None
            if export and (learners, assessments) == SIZES[0]:
                size["nbgrader_export_s"] = time_nbgrader_export(db_url, course_root, Path(tmp) / "export")
            engine.dispose()
            results["sizes"][label] = size
    if server is not None:
        server.stop()
    small, mid, big = (results["sizes"][f"{n}x{a}"] for n, a in SIZES)
    if "10000x20-postgresql" in results["sizes"]:
        pg = results["sizes"]["10000x20-postgresql"]["tables"]
        results["slowest_at_10000x20_postgresql"] = max(pg.items(), key=lambda item: item[1])
    if "nbgrader_export_s" in small:
        results["export_ratio_min"] = min(small["nbgrader_export_s"] / t for t in small["tables"].values())
    results["growth_10x_learners_max"] = max(big["tables"][n] / mid["tables"][n] for n in big["tables"])
    results["slowest_at_10000x20"] = max(big["tables"].items(), key=lambda item: item[1])
    return results


def report_lines(r: dict) -> list[str]:
    lines = []
    for label, size in r["sizes"].items():
        tables = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in size["tables"].items())
        dash = f"; dashboard first render {size['dashboard_s']:.2f} s" if size.get("dashboard_s") is not None else ""
        lines.append(f"Bảng tiến độ / progress tables at {label} (built in {size['build_s']:.1f} s): {tables}{dash}")
        if "nbgrader_export_s" in size:
            lines.append(f"  nbgrader export at {label}: {size['nbgrader_export_s']:.2f} s (same gradebook)")
        if "standing" in size:
            lines.append(
                f"  standing rows at {label}: {size['standing']['refresh_ms']:.1f} ms to recompute a pair (each "
                f"start/submit/grade), {size['standing']['rebuild_s']:.1f} s to rebuild them all"
            )
    if "export_ratio_min" in r:
        lines.append(
            f"  every table ≥ {r['export_ratio_min']:.0f}× faster than nbgrader export at 1000x5 (target ≥ 100×)"
        )
    name, seconds = r["slowest_at_10000x20"]
    lines.append(f"  slowest table at 10000x20 (SQLite): {name} {seconds:.2f} s (target < 1 s)")
    if "slowest_at_10000x20_postgresql" in r:
        name, seconds = r["slowest_at_10000x20_postgresql"]
        lines.append(f"  slowest table at 10000x20 (PostgreSQL): {name} {seconds:.2f} s (target < 1 s)")
    lines.append(
        f"  10× the learners (1000x20 → 10000x20): at most {r['growth_10x_learners_max']:.1f}× the time (≤ 12×)"
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.progress")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-export", action="store_true", help="skip the nbgrader export baseline")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    results = bench_progress(args.rounds, export=not args.no_export, postgres=not args.no_postgres)
    print("\n".join(report_lines(results)))
    print(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
