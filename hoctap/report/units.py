"""One printed page per unit: its counts (the unit table's row), its assessments (`assessment_table` over the
unit's own rows, so they add up to the assessment table), its commitments, and by name only the learners who have
work missing (overdue and not submitted), each with the assessments they lack. A province's 10,000 learners are
not printed one row per assessment: the workbook holds those.

    parts = unit_pages(report)          # HTML sections, one per unit of each topic
"""

from __future__ import annotations

import pandas as pd

from hoctap.progress import LABELS, assessment_table

from .gather import Report
from .html import esc, table_html

LISTED = 500  # learners with work missing named per unit; past that they are counted (all are in the workbook)
MISSING = "missing"
FACTS = (
    "learners", "done", "started", "not_started", "overdue", "items_done", "items_assigned", "on_time", "late",
    "missing", "in_progress", "completion", "mean_score", "median_score", "commitments_required",
    "commitments_written", "commitments_evaluated",
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    "assessment", "kind", "due", "assigned", "submitted", "on_time", "late", "missing", "not_due", "graded", "waiting",
    "completion", "mean_score",
)  # fmt: skip
COMMITMENT_COLUMNS = ("learners", "written", "evaluated", "waiting", "not_written", "mean_score", "ratings")


def units(report: Report) -> list[tuple[str, str, str]]:
    """(topic, unit id, unit name) of every unit in the unit table, in its order."""
    df = report.tables["unit"]
    return list(zip(df["topic"], df["unit_id"].astype(str), df["unit"].astype(str), strict=True))


def anchor(topic: str, unit_id: str) -> str:
    """A fragment id for the unit's page (ids are kept to letters, digits and hyphens)."""
    text = f"don-vi-{topic}-{unit_id}"
    return "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in text)


def unit_pages(report: Report) -> list[str]:
    """Each unit's section, in the unit table's order."""
    learners = report.tables["learner"]
    # Row positions per unit, each unit's rows taken when its page is written (not every unit's copy at once).
    rows = learners.groupby(["topic", "unit_id"], sort=False).indices if len(learners) else {}
    commitments = report.tables["commitment"].set_index(["topic", "unit_id"])
    several = len(report.topics) > 1
    names = {t.id: f"{t.title} ({t.year})" for t in report.topics}
    parts = []
    for (_, unit), (topic, unit_id, name) in zip(report.tables["unit"].iterrows(), units(report), strict=True):
        own = learners.iloc[rows[(topic, unit_id)]] if (topic, unit_id) in rows else learners.iloc[0:0]
        title = f"Đơn vị: {name}" + (f" — {names.get(topic, topic)}" if several else "")
        parts += [f'<section class="unit" id="{anchor(topic, unit_id)}">', f"<h2>{esc(title)}</h2>"]
        parts.append(_facts(unit))
        mine = assessment_table(None, [t for t in report.topics if t.id == topic], learners=own) if len(own) else None
        if mine is not None and len(mine):
            parts += ["<h3>Theo bài kiểm tra</h3>", table_html(mine[list(ASSESSMENT_COLUMNS)], table="assessment")]
        if (topic, unit_id) in commitments.index:
            row = commitments.loc[[(topic, unit_id)], list(COMMITMENT_COLUMNS)]
            parts += ["<h3>Bản cam kết</h3>", table_html(row.reset_index(drop=True), table="commitment")]
        parts += _missing(own)
        parts.append("</section>")
    return parts


def _facts(unit: pd.Series) -> str:
    """The unit's row of the unit table as label: value lines."""
    shown = [c for c in FACTS if c in unit.index]
    frame = pd.DataFrame({"Chỉ số": [LABELS[c] for c in shown], "Giá trị": [unit[c] for c in shown]})
    return table_html(frame).replace("<table>", '<table class="facts">', 1)


def _missing(own: pd.DataFrame) -> list[str]:
    """The learners with work missing (overdue, not submitted), by name, each with the assessments they lack."""
    late = own[own["status"] == MISSING]
    if late.empty:
        return ["<h3>Học viên còn bài quá hạn chưa làm</h3>", '<p class="count">Không có.</p>']
    lacking = late.groupby(["learner_id", "name"], sort=False)["assessment"].agg(list)
    items = [
        f"<li>{esc(name)} ({esc(learner)}): {esc(', '.join(map(str, titles)))}</li>"
        for (learner, name), titles in list(lacking.items())[:LISTED]
    ]
    more = len(lacking) - len(items)
    note = f" Danh sách dưới đây nêu {len(items)} người đầu; đủ cả trong tệp XLSX cùng tên." if more > 0 else ""
    return [
        "<h3>Học viên còn bài quá hạn chưa làm</h3>",
        f'<p class="count">{len(lacking)} học viên, {len(late)} bài.{esc(note)}</p>',
        f'<ol class="missing">{"".join(items)}</ol>',
    ]
