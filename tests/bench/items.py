"""Item analysis at scale: the question table (which computes the quiz statistics with it), the long export of every
response, and the cached statistics the dashboard reads, at 1,000 × 5 and 10,000 × 20 (learners × assessments), as
ratios against the learner table timed in the same run on the same gradebook (and `nbgrader export` at 1,000 × 5).

The gradebooks are synthetic (tests/synthetic_gradebook.py), on SQLite in a temp dir; each figure is the median of
`rounds` calls. Run alone: `python -m tests.bench.items` (or `make bench` … `--only items`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import tempfile
from pathlib import Path

from hoctap.course.database import engine_for
from hoctap.progress.item_cache import cached, recompute
from hoctap.progress.items import item_analysis, response_table
from hoctap.progress.tables import learner_table
from tests.bench.export_baseline import time_nbgrader_export
from tests.bench.timing import median_time
from tests.synthetic_gradebook import build_gradebook, synthetic_topic

SIZES = [(1_000, 5), (10_000, 20)]
NOW = dt.datetime(2031, 1, 15, tzinfo=dt.UTC)  # after every synthetic due date


def _timed(action, rounds: int) -> float | None:
    try:
        return median_time(action, rounds)
    except Exception as error:  # noqa: BLE001 - a baseline that cannot run is reported, not fatal
        print(f"(không đo được / not measured: {type(error).__name__}: {error})")
        return None


def bench_items(rounds: int = 3, export: bool = True) -> dict:
    results: dict = {"sizes": {}}
    with tempfile.TemporaryDirectory(prefix="hoctap-bench-items-") as tmp:
        for learners, assessments in SIZES:
            label = f"{learners}x{assessments}"
            folder = Path(tmp) / label
            folder.mkdir()
            db_url = f"sqlite:///{folder / 'gradebook.db'}"
            topic = synthetic_topic(assessments)
            book = build_gradebook(db_url, topic, learners, seed=1)
            engine = engine_for(db_url)
            topics = [topic]
            size: dict = {"build_s": book.seconds, "responses": book.counts.get("hoctap_response", 0)}
            size["learner_table_s"] = _timed(functools.partial(learner_table, engine, topics, None, NOW), rounds)
            size["item_analysis_s"] = median_time(functools.partial(item_analysis, engine, topics), rounds)
            size["response_table_s"] = median_time(functools.partial(response_table, engine, topics), rounds)
            size["response_rows"] = len(response_table(engine, topics))
            recompute(engine, topics, now=NOW)  # the synthetic submissions are dated up to 2030
            size["cached_s"] = median_time(functools.partial(cached, engine, topics), rounds)
            if export and (learners, assessments) == SIZES[0]:
                try:
                    size["nbgrader_export_s"] = time_nbgrader_export(db_url, folder, Path(tmp) / f"{label}.csv")
                except Exception as error:  # noqa: BLE001 - the bench goes on without its baseline
                    print(f"(nbgrader export: không đo được / not measured: {error})")
            engine.dispose()
            results["sizes"][label] = size
    return results


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else "—"


def report_lines(r: dict) -> list[str]:
    lines = []
    for label, s in r["sizes"].items():
        base = s.get("learner_table_s")
        lines.append(
            f"Phân tích câu hỏi / item analysis at {label} ({s['responses']} responses, built in {s['build_s']:.0f} s):"
            f" question table + quiz statistics {s['item_analysis_s']:.2f} s ({_ratio(s['item_analysis_s'], base)} the"
            f" learner table's {base or float('nan'):.2f} s); long export {s['response_rows']} rows"
            f" {s['response_table_s']:.2f} s ({_ratio(s['response_table_s'], base)}); cached statistics read"
            f" {s['cached_s'] * 1000:.0f} ms (with its count of attempts graded since)"
        )
        if s.get("nbgrader_export_s"):
            lines.append(
                f"  nbgrader export at {label}: {s['nbgrader_export_s']:.2f} s; item analysis"
                f" {_ratio(s['nbgrader_export_s'], s['item_analysis_s'])} faster, long export"
                f" {_ratio(s['nbgrader_export_s'], s['response_table_s'])} faster, cached read"
                f" {_ratio(s['nbgrader_export_s'], s['cached_s'])} faster"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.items")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-export", action="store_true", help="skip the nbgrader export baseline")
    args = parser.parse_args()
    results = bench_items(args.rounds, export=not args.no_export)
    print("\n".join(report_lines(results)))
    print(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
