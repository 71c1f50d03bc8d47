"""`nbgrader export` on a synthetic gradebook: the baseline the kit's progress tables are measured against.

    seconds = time_nbgrader_export(db_url, course_root)            # the real CLI, in a subprocess
    seconds = time_nbgrader_export(db_url, course_root, to=csv)    # … keeping its grades.csv
    check_export(csv, book)                                        # its rows are the scores build_gradebook put in

    python -m tests.bench.export_baseline --learners 1000 --assessments 5 [--db-url URL] [--json FILE]

The command is the one an instructor runs, `nbgrader export --to grades.csv`, given the course on its command line
(`--CourseDirectory.root`, `--CourseDirectory.db_url`: the export app's `--db` alias sets the same trait,
`--CourseDirectory.course_id=hoctap`), run from the course root with the venv's `bin` first on PATH. The time is the
whole command's wall time, Python start and nbgrader's import (about 2 s here) included: what the instructor waits.

The main entry builds one synthetic gradebook, times the command's fixed cost (`startup_s`: an export of an
assignment that does not exist), the export with the kit's extra indexes on nbgrader's tables
(`gradebook_tables.ensure_indexes`) and again after dropping them (nbgrader's bare schema), and checks both CSVs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hoctap.course import COURSE_ID

# The columns of nbgrader's CsvExportPlugin (nbgrader/plugins/export.py), in order.
CSV_COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]


class ExportError(RuntimeError):
    """`nbgrader export` failed (its output's last lines say why)."""


def export_command(
    db_url: str, course_root: str | Path, to: str | Path, assignments: list[str] | None = None
) -> list[str]:
    nbgrader = Path(sys.executable).parent / "nbgrader"
    program = [str(nbgrader)] if nbgrader.exists() else [sys.executable, "-m", "nbgrader"]
    command = [
        *program,
        "export",
        f"--CourseDirectory.root={Path(course_root).resolve()}",
        f"--CourseDirectory.db_url={db_url}",
        f"--CourseDirectory.course_id={COURSE_ID}",
        f"--to={Path(to).resolve()}",
    ]
    if assignments is not None:
        command.append(f"--ExportPlugin.assignment={json.dumps(assignments)}")
    return command


def time_nbgrader_export(
    db_url: str, course_root: str | Path, to: str | Path | None = None, *, assignments: list[str] | None = None
) -> float:
    """Seconds `nbgrader export` takes on the gradebook at `db_url` (the whole command); its CSV goes to `to`
    (kept), or to a temporary folder (removed). `assignments`: export only these (`--ExportPlugin.assignment`);
    an assignment that does not exist gives the command's fixed cost (start, imports, opening the gradebook).
    Raises ExportError when the command fails."""
    course_root = Path(course_root)
    course_root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="hoctap-export-") as tmp:
        target = Path(to) if to is not None else Path(tmp) / "grades.csv"
        command = export_command(db_url, course_root, target, assignments)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=course_root, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0 or not target.is_file():
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise ExportError(f"nbgrader export exited {done.returncode}:\n{tail}")
    return seconds


def read_grades(path: str | Path) -> dict[tuple[str, str], dict[str, str]]:
    """nbgrader's grades.csv as {(student id, assignment): row}."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and list(rows[0]) != CSV_COLUMNS:
        raise AssertionError(f"{path}: columns {list(rows[0])}, expected {CSV_COLUMNS}")
    return {(row["student_id"], row["assignment"]): row for row in rows}


def check_export(path: str | Path, book, sample: int | None = 50, seed: int = 0) -> int:
    """Check nbgrader's grades.csv against a synthetic gradebook (`tests.synthetic_gradebook.Synthetic`): one row per
    learner × assessment, and, for `sample` pairs drawn at random (None: all), the score the builder inserted
    (0 and no timestamp where nothing was submitted). Returns the number of rows; raises AssertionError listing
    the differences."""
    rows = read_grades(path)
    assessments = [a.id for a in book.topic.assessments]
    pairs = [(learner, a) for learner in book.learner_ids for a in assessments]
    problems = []
    if len(rows) != len(pairs) or set(rows) != set(pairs):
        problems.append(f"{len(rows)} rows, expected {len(pairs)} (learners × assessments)")
    chosen = pairs if sample is None or sample >= len(pairs) else random.Random(seed).sample(pairs, sample)
    for pair in chosen:
        row = rows.get(pair)
        if row is None:
            problems.append(f"{pair}: no row")
            continue
        expected = book.scores.get(pair)
        got = float(row["raw_score"])
        if expected is None:
            if got != 0.0 or row["timestamp"]:
                problems.append(f"{pair}: nothing was submitted, the export says {got} at {row['timestamp']!r}")
        elif abs(got - expected) > 1e-9 or abs(float(row["score"]) - expected) > 1e-9:
            problems.append(f"{pair}: score {row['raw_score']}/{row['score']}, inserted {expected}")
        elif not row["timestamp"]:
            problems.append(f"{pair}: submitted, but the export has no timestamp")
    if problems:
        raise AssertionError(f"{path}: {len(problems)} differences:\n" + "\n".join(problems[:20]))
    return len(rows)


def drop_extra_indexes(db_url: str) -> list[str]:
    """Drop the kit's indexes on nbgrader's tables (nbgrader's bare schema); returns the names dropped."""
    from sqlalchemy import create_engine, inspect

    from hoctap.course import tables as gradebook_tables

    engine = create_engine(db_url)
    try:
        dropped = []
        for index in getattr(gradebook_tables, "NBGRADER_INDEXES", ()):
            if any(one["name"] == index.name for one in inspect(engine).get_indexes(index.table.name)):
                index.drop(engine)
                dropped.append(index.name)
        return dropped
    finally:
        engine.dispose()


def extra_indexes(db_url: str) -> list[str]:
    """The kit's indexes on nbgrader's tables present in the gradebook at `db_url`."""
    from sqlalchemy import create_engine, inspect

    from hoctap.course import tables as gradebook_tables

    engine = create_engine(db_url)
    try:
        names = {
            one["name"]
            for table in ("grade", "submitted_notebook", "submitted_assignment", "comment")
            for one in inspect(engine).get_indexes(table)
        }
        return sorted(index.name for index in getattr(gradebook_tables, "NBGRADER_INDEXES", ()) if index.name in names)
    finally:
        engine.dispose()


def bench(learners: int, assessments: int, db_url: str | None = None, seed: int = 0) -> dict:
    """Build a synthetic gradebook (SQLite in a temp folder unless `db_url`), time `nbgrader export` on it with the
    kit's indexes and without, check both exports; the figures as a dict."""
    from tests.synthetic_gradebook import build_gradebook, synthetic_topic

    with tempfile.TemporaryDirectory(prefix="hoctap-export-bench-") as tmp:
        root = Path(tmp) / "course"
        url = db_url or f"sqlite:///{Path(tmp) / 'gradebook.db'}"
        book = build_gradebook(url, synthetic_topic(assessments), learners, seed=seed)
        result = {
            "learners": learners,
            "assessments": assessments,
            "database": url.split(":", 1)[0],
            "build_s": round(book.seconds, 2),
            "build_phases_s": {k: round(v, 2) for k, v in book.phases.items()},
            "rows": book.counts,
            # the command's fixed cost: the same export asked for an assignment that does not exist
            "startup_s": round(time_nbgrader_export(url, root, assignments=["khong-co-bai-nay"]), 2),
        }
        for label in ("with_indexes", "without_indexes"):
            if label == "without_indexes":
                result["dropped"] = drop_extra_indexes(url)
            present = extra_indexes(url)
            to = Path(tmp) / f"grades-{label}.csv"
            seconds = time_nbgrader_export(url, root, to)
            result[label] = {"export_s": round(seconds, 2), "indexes": present, "rows": check_export(to, book)}
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--assessments", type=int, default=5)
    parser.add_argument("--db-url", default=None, help="an empty database (default: SQLite in a temp folder)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = bench(args.learners, args.assessments, args.db_url, args.seed)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
