"""`hoctap report`: gather the period's figures, then write its workbook and page, each whole, then moved in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from .gather import gather, period
from .page import render
from .workbook import workbook_bytes


def write_report(
    engine: Engine,
    *,
    year: int | None = None,
    review: str | None = None,
    start: int | None = None,
    out_dir: Path,
    now: dt.datetime | None = None,
    topics: list | None = None,
) -> list[Path]:
    """The report's workbook and page in `out_dir` (each written whole, then moved into place): their paths.
    `topics`: the topics already loaded (default: those of the installation in the period)."""
    report = gather(engine, period(year, review, start), now, topics)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _write(out_dir / f"{report.period.slug}.xlsx", workbook_bytes(report)),
        _write(out_dir / f"{report.period.slug}.html", render(report).encode("utf-8")),
    ]


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
