"""Each learner's standing, and the unit and role tables made from it.

A learner's row holds counts over the assessments that apply to them; it comes either from the database
(`aggregates.per_learner`: the CLI, the reports, one row per learner fetched) or from a learner table already in
memory (`counts_from_rows`: the dashboard, which filters its kept frame without a query). Both give the same counts,
and `standing` turns them into what the tables count:

- `standing` over the autograded assessments (missing > in-progress > late > on-time), None with none of them;
- `place` over every assessment, commitment included (frames.DONE, OVERDUE, STARTED, NOT_STARTED);
- the commitment: required, written, evaluated; the mean exact percent over graded autograded work.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hoctap.topic import AssessmentKind, Topic

from .frames import (
    AUTOGRADED,
    DONE,
    IN_PROGRESS,
    LATE,
    MISSING,
    NOT_DUE,
    NOT_STARTED,
    ON_TIME,
    OVERDUE,
    STARTED,
)

STATUSES = (ON_TIME, LATE, MISSING, NOT_DUE)
COUNTS = [
    "items_assigned", "items_done", "overdue_items", "begun", "auto_n", *(f"auto_{s}" for s in STATUSES),
    "notes", "written", "evaluated",
]  # fmt: skip


def counts_from_rows(df: pd.DataFrame, due_rank: dict[str, int]) -> pd.DataFrame:
    """The per-learner counts of `aggregates.per_learner`, from learner-table rows (pandas)."""
    submitted = df["status"].isin([ON_TIME, LATE])
    auto = df["kind"].isin(AUTOGRADED)
    note = df["kind"] == AssessmentKind.commitment.value
    exact = 100.0 * df["score"] / df["max_score"].replace(0, np.nan)
    flags = pd.DataFrame(
        {
            "topic": df["topic"],
            "learner_id": df["learner_id"],
            "items_assigned": 1,
            "items_done": submitted,
            "overdue_items": df["status"] == MISSING,
            "begun": submitted | (df["attempts"] > 0),
            "auto_n": auto,
            **{f"auto_{s}": auto & (df["status"] == s) for s in STATUSES},
            "notes": note,
            "written": note & submitted,
            "evaluated": note & df["graded"].astype(bool),
            "percent_auto": exact.where(auto),
            "rank_auto": df["assessment_id"].map(due_rank).where(auto),
        }
    )
    grouped = flags.groupby(["topic", "learner_id"], sort=False)
    out = grouped[COUNTS].sum().astype("int64")
    out["mean_percent"] = grouped["percent_auto"].mean()
    out["due_rank"] = grouped["rank_auto"].max()
    who = df.groupby(["topic", "learner_id"], sort=False)[["unit_id", "unit", "role"]].first()
    return who.join(out).reset_index()


def standing(counts: pd.DataFrame, topics: Sequence[Topic]) -> pd.DataFrame:
    """Counts → what the unit and role tables count (see the module's docstring), with the topic's year."""
    out = counts.copy()
    out["standing"] = np.select(
        [out[f"auto_{MISSING}"] > 0, out[f"auto_{NOT_DUE}"] > 0, out[f"auto_{LATE}"] > 0, out["auto_n"] > 0],
        [MISSING, IN_PROGRESS, LATE, ON_TIME],
        "",
    )
    out["standing"] = out["standing"].replace("", None)
    out["place"] = np.select(
        [out["items_done"] == out["items_assigned"], out["overdue_items"] > 0, out["begun"] > 0],
        [DONE, OVERDUE, STARTED],
        NOT_STARTED,
    )
    out["commitment_required"] = out["notes"] > 0
    out["written"] = out["written"] > 0
    out["evaluated"] = out["evaluated"] > 0
    years = {t.id: t.year for t in topics}
    out["year"] = out["topic"].map(years)
    return out


def group_table(people: pd.DataFrame, spec: pd.DataFrame, by_rank: dict[int, str], keys: list[str]) -> pd.DataFrame:
    """The unit or role table (keys: ["unit_id", "unit"] or ["role"]) from each learner's standing. A group's
    deadline is the latest due date of the autograded assessments that apply to its learners."""
    columns = [people[k] for k in ("topic", *keys)]
    grouped = people.groupby(["topic", *keys])
    out = grouped.agg(year=("year", "first"), learners=("learner_id", "nunique"))
    for column, place in (("done", DONE), ("started", STARTED), ("not_started", NOT_STARTED), ("overdue", OVERDUE)):
        out[column] = (people["place"] == place).groupby(columns).sum().astype(int)
    out["items_done"] = people["items_done"].groupby(columns).sum().astype(int)
    out["items_assigned"] = people["items_assigned"].groupby(columns).sum().astype(int)
    for column, status in (("on_time", ON_TIME), ("late", LATE), ("missing", MISSING), ("in_progress", IN_PROGRESS)):
        out[column] = (people["standing"] == status).groupby(columns).sum().astype(int)
    assessed = people["standing"].notna().groupby(columns).sum()
    out["completion"] = (100.0 * (out["on_time"] + out["late"]) / assessed.replace(0, np.nan)).round(1)
    out["mean_score"] = grouped["mean_percent"].mean().round(1)
    out["median_score"] = grouped["mean_percent"].median().round(1)
    out["commitments_required"] = grouped["commitment_required"].sum().astype(int)
    out["commitments_written"] = grouped["written"].sum().astype(int)
    out["commitments_evaluated"] = grouped["evaluated"].sum().astype(int)
    latest = grouped["due_rank"].max().map(by_rank)
    facts = spec.set_index("assessment_id")
    out["deadline"] = latest.map(facts["due"])
    out["deadline_label"] = latest.map(facts["deadline_label"]).fillna("")
    return out.reset_index()
