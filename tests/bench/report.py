"""`hoctap report --year` at scale: the workbook and the printable page at 1,000 × 5 and 10,000 × 20 (learners ×
assessments) on synthetic SQLite gradebooks, against pandas' `to_excel` writing the same learner table in the same
run (the baseline). Each size runs in a child process, so its peak memory (ru_maxrss) is the report's own.

Figures: seconds to gather the tables, to write the XLSX, to write the HTML; the HTML's size; the child's peak RSS;
`to_excel` of the learner table (openpyxl, as pandas writes it) and the ratio to_excel / our XLSX. Targets at
10,000 × 20: XLSX + HTML under 15 s, peak under 1 GiB, HTML a few MB. Run alone: `python -m tests.bench.report`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [(1_000, 5), (10_000, 20)]
NOW = dt.datetime(2031, 1, 15, tzinfo=dt.UTC)  # after every synthetic due date


def _child(db_url: str, assessments: int, baseline: bool) -> dict:
    """In the child: the report's three steps timed, then (after its peak is read) pandas' to_excel baseline."""
    from hoctap.course.database import engine_for
    from hoctap.report.gather import gather, period
    from hoctap.report.page import render
    from hoctap.report.workbook import workbook_bytes
    from tests.synthetic_gradebook import synthetic_topic

    topic = synthetic_topic(assessments)
    engine = engine_for(db_url)
    out: dict = {}
    start = time.perf_counter()
    report = gather(engine, period(year=topic.year), NOW, topics=[topic])
    out["gather_s"] = time.perf_counter() - start
    start = time.perf_counter()
    xlsx = workbook_bytes(report)
    out["xlsx_s"] = time.perf_counter() - start
    start = time.perf_counter()
    page = render(report).encode("utf-8")
    out["html_s"] = time.perf_counter() - start
    out["xlsx_mb"], out["html_mb"] = len(xlsx) / 2**20, len(page) / 2**20
    out["learner_rows"] = len(report.tables["learner"])
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if baseline:
        learners = report.tables["learner"].copy()
        for column in learners.columns:  # what a spreadsheet can hold: local times without a zone
            if hasattr(learners[column], "dt") and getattr(learners[column].dt, "tz", None) is not None:
                learners[column] = learners[column].dt.tz_localize(None)
        start = time.perf_counter()
        learners.to_excel(io.BytesIO(), sheet_name="Học viên", index=False, engine="openpyxl")
        out["to_excel_s"] = time.perf_counter() - start
    return out


def bench_report(baseline: bool = True, sizes=SIZES) -> dict:
    """Each size: a synthetic gradebook, then the report in a child process."""
    from tests.synthetic_gradebook import build_gradebook, synthetic_topic

    results: dict = {"sizes": {}}
    with tempfile.TemporaryDirectory(prefix="hoctap-bench-report-") as tmp:
        for learners, assessments in sizes:
            label = f"{learners}x{assessments}"
            db_url = f"sqlite:///{Path(tmp) / f'{label}.db'}"
            book = build_gradebook(db_url, synthetic_topic(assessments), learners, seed=1)
            done = subprocess.run(
                [sys.executable, "-m", "tests.bench.report", "--child", db_url, str(assessments)]
                + ([] if baseline else ["--no-baseline"]),
                check=True,
                capture_output=True,
                text=True,
            )
            size = json.loads(done.stdout.strip().splitlines()[-1])
            size["build_s"] = book.seconds
            results["sizes"][label] = size
    return results


def report_lines(r: dict) -> list[str]:
    lines = []
    for label, s in r["sizes"].items():
        both = s["xlsx_s"] + s["html_s"]
        line = (
            f"Báo cáo / report at {label} ({s['learner_rows']} learner rows): tables {s['gather_s']:.2f} s, "
            f"XLSX {s['xlsx_s']:.2f} s ({s['xlsx_mb']:.1f} MB), HTML {s['html_s']:.2f} s ({s['html_mb']:.2f} MB); "
            f"XLSX + HTML {both:.2f} s (target < 15 s at 10000x20), all with tables {both + s['gather_s']:.2f} s; "
            f"peak RSS {s['peak_mb']:.0f} MB (target < 1024 MB)"
        )
        lines.append(line)
        if "to_excel_s" in s:
            lines.append(
                f"  pandas to_excel of the same learner table (openpyxl): {s['to_excel_s']:.2f} s; "
                f"ratio to_excel / our XLSX (every sheet and chart) {s['to_excel_s'] / s['xlsx_s']:.1f}×"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.report")
    parser.add_argument("--child", nargs=2, metavar=("DB_URL", "ASSESSMENTS"), help=argparse.SUPPRESS)
    parser.add_argument("--no-baseline", action="store_true", help="skip pandas' to_excel")
    parser.add_argument("--small", action="store_true", help="only 1,000 × 5")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), not args.no_baseline)))
        return 0
    results = bench_report(baseline=not args.no_baseline, sizes=SIZES[:1] if args.small else SIZES)
    print("\n".join(report_lines(results)))
    print(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
