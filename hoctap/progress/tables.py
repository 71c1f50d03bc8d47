"""Progress tables: the gradebook as pandas DataFrames, for the dashboard, `hoctap progress` and the reports.

Each table runs ONE SQL statement (`queries`) on the gradebook — any SQLAlchemy URL — and finishes in
pandas with the spec: titles, deadlines, the rating scale. No per-row ORM, no nbgrader import: 10,000 learners ×
20 assessments is one query of 200,000 rows.

    engine = engine_for(course.db_url)
    learners = learner_table(engine, [topic])                     # learner × assessment
    units = unit_table(engine, [topic], Filters(roles=["dang-vien"]))
    TABLES["unit"](engine, [topic], Filters(), now)               # by name, as the CLI and the dashboard ask

Column names are stable (documented in README.md, "Bảng tiến độ"); `labels.LABELS` gives their
Vietnamese headers. Times are in the topic's time zone. `now` decides what is still "not due" and what is
"missing", so a report for a past date is reproducible.

A learner counts only for what applies to them: the assessment's roles and units, and, for an assessment on one
content, whether their unit chose that content this year (`unit_choices`, L39). Learners with nothing assigned
(for example the People, whose propaganda is not assessed) appear in no table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from hoctap.attempts import rating_label
from hoctap.errors import HoctapError
from hoctap.topic import AssessmentKind, Topic, name_sort_key, sort_key

from .aggregates import median_percent, per_assessment, per_day, per_learner, rank_by_due
from .frames import (
    ASSESSMENT_COLUMNS,
    COMMITMENT_COLUMNS,
    LATE,
    LEARNER_COLUMNS,
    MISSING,
    NOT_DUE,
    ON_TIME,
    ROLE_COLUMNS,
    TIMELINE_COLUMNS,
    UNIT_COLUMNS,
    assessments_frame,
    local_moment,
    local_times,
    read_frame,
    zone_of,
)
from .items import ITEM_TABLES, option_table, question_table  # noqa: F401 (tests and callers import them from here)
from .people import counts_from_rows, group_table, standing
from .queries import Filters, activity_after, chosen, pairs
from .sessions import SESSION_TABLES


def learner_table(
    engine: Engine,
    topics: Sequence[Topic],
    filters: Filters | None = None,
    now: dt.datetime | None = None,
    *,
    ordered: bool = True,
) -> pd.DataFrame:
    """One row per learner and assessment that applies to them: attempts, submission, status, counted score; by
    topic, unit, learner name (Vietnamese order) and the spec's order of assessments unless `ordered` is False."""
    filters = filters or Filters()
    zone = zone_of(topics)
    now_local, until = _moments(engine, topics, now)
    picked = chosen(topics, filters)
    raw = read_frame(engine, pairs(picked, filters, until))
    spec = assessments_frame(topics, zone)
    df = raw.merge(spec, on="assessment_id", how="inner")
    names = df.drop_duplicates("learner_id").set_index("learner_id")  # one name per learner, not per row
    full = (names["last_name"].fillna("") + " " + names["first_name"].fillna("")).str.strip()
    df["name"] = df["learner_id"].map(full)
    for column in ("submitted_at", "last_submitted_at"):
        df[column] = local_times(df[column], zone)
    for column in ("attempts", "submissions", "on_time_submissions", "waiting", "open"):
        df[column] = df[column].astype("int64")
    exhausted = (df["attempts"] >= df["attempts_allowed"]) & (df["open"] == 0)
    df["status"] = np.select(
        [
            (df["submissions"] > 0) & (df["on_time_submissions"] > 0),
            df["submissions"] > 0,
            (df["due"] < now_local) | exhausted,
        ],
        [ON_TIME, LATE, MISSING],
        NOT_DUE,
    )
    df["graded"] = (
        df["score"].notna() & (df["needs_manual_grade"].fillna(1) == 0) & (df["waiting"] == 0) & (df["submissions"] > 0)
    )
    df["score"] = df["score"].where(df["graded"])
    df["max_score"] = df["max_score"].where(df["graded"])
    df["percent"] = (100.0 * df["score"] / df["max_score"].replace(0, np.nan)).round(1)
    df["rating"] = _ratings(df, topics)
    if not ordered:  # the other tables group it: Vietnamese name order would cost more than the query
        return df[LEARNER_COLUMNS]
    ranks = _name_ranks(df["name"])
    df = df.assign(_name=df["name"].map(ranks)).sort_values(["topic", "unit_id", "_name", "learner_id", "order"])
    return df[LEARNER_COLUMNS].reset_index(drop=True)


def _moments(
    engine: Engine, topics: Sequence[Topic], now: dt.datetime | None
) -> tuple[pd.Timestamp, dt.datetime | None]:  # noqa: E501
    """`now` in the topic's zone (what is past due), and the moment the attempts are read "as of": None (the
    standing rows, as they are) unless `now` is in the past and something happened since."""
    zone = zone_of(topics)
    until = local_moment(now, zone).tz_convert("UTC").to_pydatetime() if now is not None else None
    if until is not None and read_frame(engine, activity_after(until)).empty:
        until = None  # nothing has moved since: the standing rows are the table as of then
    return local_moment(now or dt.datetime.now(dt.UTC), zone), until


def _exact_percent(df: pd.DataFrame) -> pd.Series:
    """The score in percent before rounding (means of rounded percents drift by a tenth)."""
    return 100.0 * df["score"] / df["max_score"].replace(0, np.nan)


def _name_ranks(names: pd.Series) -> dict[str, int]:
    """Vietnamese order of the distinct names (sorting 10,000 names, not 200,000 rows, in Python)."""
    return {name: i for i, name in enumerate(sorted(names.unique(), key=name_sort_key))}


def _ratings(df: pd.DataFrame, topics: Sequence[Topic]) -> pd.Series:
    """A commitment's level on its rating scale, once evaluated ("Hoàn thành tốt"); else empty."""
    scales = {a.id: [level.model_dump() for level in a.rating_scale] for t in topics for a in t.assessments}
    rated = df["graded"] & (df["kind"] == AssessmentKind.commitment.value)
    out = pd.Series("", index=df.index, dtype="object")
    for (assessment_id, score), index in df[rated].groupby(["assessment_id", "score"]).groups.items():
        out[index] = rating_label(scales.get(assessment_id, []), score) or ""
    return out


# ------------------------------------------------------------------ by learner, then by unit and role


def _people(engine, topics, filters, now, learners) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, str]]:
    """Each learner's standing (`people.standing`): from the learner rows given (the dashboard's kept frame), else
    summed by the database, one row per learner; with the spec and the assessments by due rank."""
    spec = assessments_frame(topics, zone_of(topics))
    if learners is not None:
        ranks = rank_by_due(chosen(topics, Filters()))
        counts = counts_from_rows(learners, ranks)
    else:
        filters = filters or Filters()
        picked = chosen(topics, filters)
        now_local, until = _moments(engine, topics, now)
        ranks = rank_by_due(picked)
        counts = read_frame(engine, per_learner(picked, filters, now_local.to_pydatetime(), until)) if picked else None
        if counts is None or counts.empty:
            counts = counts_from_rows(learner_table(engine, topics, filters, now, ordered=False), ranks)
    return standing(counts, topics), spec, {rank: aid for aid, rank in ranks.items()}


def unit_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per unit: learners, who finished on time, late, who has work missing, scores, commitments."""
    out = group_table(*_people(engine, topics, filters, now, learners), ["unit_id", "unit"])
    out = out.sort_values(["topic", "unit"], key=_text_key)
    return out[UNIT_COLUMNS].reset_index(drop=True)


def role_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per role; its deadline is the plan's deadline for that audience (facts.deadlines), when it has one."""
    out = group_table(*_people(engine, topics, filters, now, learners), ["role"])
    zone = zone_of(topics)
    for i, row in out.iterrows():  # a handful of roles
        topic = next(t for t in topics if t.id == row["topic"])
        deadline = next((d for d in topic.facts.deadlines if row["role"] in d.audiences), None)
        if deadline is not None:
            end_of_day = dt.datetime.combine(deadline.due, dt.time(23, 59))
            out.at[i, "deadline"] = local_moment(end_of_day, zone)
            out.at[i, "deadline_label"] = deadline.due_label
    names = {(t.id, a.id): a.name for t in topics for a in t.facts.audiences}
    out["role_name"] = [names.get((t, r), r) for t, r in zip(out["topic"], out["role"], strict=True)]
    return out[ROLE_COLUMNS].reset_index(drop=True)


def _text_key(column: pd.Series) -> pd.Series:
    """Vietnamese dictionary order for a text column (for `sort_values(key=…)`): the rank of each distinct value."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return column
    ranks = {value: i for i, value in enumerate(sorted(column.dropna().unique(), key=lambda v: sort_key(str(v))))}
    return column.map(ranks)


# ------------------------------------------------------------------ by assessment, over time, commitments


def _assessment_counts(engine, topics, filters, now, learners) -> pd.DataFrame:
    """Per assessment id: assigned, pairs by status, started, not_started, graded, exact mean and median percent,
    mean attempts — from the learner rows given (pandas), else summed by the database."""
    if learners is not None:
        df = learners.assign(exact=_exact_percent(learners))
        g = df.groupby("assessment_id")
        out = pd.DataFrame({"assigned": g.size()})
        for status in (ON_TIME, LATE, MISSING, NOT_DUE):
            out[status] = (df["status"] == status).groupby(df["assessment_id"]).sum()
        # Begun but not submitted (an attempt open, or one that ran out), and not begun while there is still time.
        unsubmitted = df["status"].isin([NOT_DUE, MISSING])
        out["started"] = (unsubmitted & (df["attempts"] > 0)).groupby(df["assessment_id"]).sum()
        out["not_started"] = ((df["status"] == NOT_DUE) & (df["attempts"] == 0)).groupby(df["assessment_id"]).sum()
        out["graded"] = g["graded"].sum()
        out["mean_exact"] = g["exact"].mean()
        out["median_exact"] = g["exact"].median()
        out["mean_attempts"] = df["attempts"].where(df["attempts"] > 0).groupby(df["assessment_id"]).mean()
        return out
    filters = filters or Filters()
    picked = chosen(topics, filters)
    if not picked:
        return pd.DataFrame(columns=["assigned"])
    now_local, until = _moments(engine, topics, now)
    moment = now_local.to_pydatetime()
    out = read_frame(engine, per_assessment(picked, filters, moment, until)).set_index("assessment_id")
    middle = read_frame(engine, median_percent(picked, filters, moment, until)).set_index("assessment_id")
    return out.join(middle["median_exact"])


def assessment_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per assessment: assigned, submitted on time / late, missing, graded, scores, attempts."""
    counts = _assessment_counts(engine, topics, filters, now, learners)
    out = assessments_frame(topics, zone_of(topics)).set_index("assessment_id")
    out = out.join(counts.rename(columns={ON_TIME: "on_time", LATE: "late", MISSING: "missing", NOT_DUE: "not_due"}))
    out["submitted"] = out["on_time"] + out["late"]
    out["waiting"] = out["submitted"] - out["graded"]
    out["completion"] = (100.0 * out["submitted"] / out["assigned"].replace(0, np.nan)).round(1)
    out["mean_score"] = out["mean_exact"].astype(float).round(1)
    out["median_score"] = out["median_exact"].astype(float).round(1)
    out["mean_attempts"] = out["mean_attempts"].astype(float).round(2)
    out = out[out["assigned"].notna()].reset_index().sort_values("order")
    for column in ("assigned", "on_time", "late", "missing", "not_due", "submitted", "started", "not_started",
                   "graded", "waiting"):  # fmt: skip
        out[column] = out[column].fillna(0).astype(int)
    return out[ASSESSMENT_COLUMNS].reset_index(drop=True)


def _first_submissions_by_day(engine, topics, filters, now, learners) -> tuple[pd.DataFrame, pd.Series]:
    """(assessment_id, date, submitted) of first submissions per local day, and the pairs assigned per assessment:
    from the learner rows given, else counted by the database (pandas when it cannot tell the local day)."""
    if learners is None:
        filters = filters or Filters()
        picked = chosen(topics, filters)
        now_local, until = _moments(engine, topics, now)
        moment = now_local.to_pydatetime()
        by_day = per_day(picked, filters, moment, until, zone_of(topics), engine.dialect.name) if picked else None
        if by_day is not None:
            daily = read_frame(engine, by_day)
            daily["date"] = pd.to_datetime(daily["date"]).dt.date
            assigned = read_frame(engine, per_assessment(picked, filters, moment, until))
            return daily, assigned.set_index("assessment_id")["assigned"]
        learners = learner_table(engine, topics, filters, now, ordered=False)
    done = learners[learners["submitted_at"].notna()]
    daily = done.groupby(["assessment_id", done["submitted_at"].dt.date.rename("date")]).size()
    return daily.rename("submitted").reset_index(), learners.groupby("assessment_id").size()


def timeline_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per assessment and day: submissions that day and so far, against the learners it applies to and its due."""
    daily, assigned = _first_submissions_by_day(engine, topics, filters, now, learners)
    daily = daily.sort_values(["assessment_id", "date"])
    daily["cumulative"] = daily.groupby("assessment_id")["submitted"].cumsum()
    daily["assigned"] = daily["assessment_id"].map(assigned).astype(int)
    daily["percent"] = (100.0 * daily["cumulative"] / daily["assigned"]).round(1)
    spec = assessments_frame(topics, zone_of(topics))[["assessment_id", "topic", "assessment", "due", "order"]]
    out = daily.merge(spec, on="assessment_id").sort_values(["order", "date"])
    out["due"] = out["due"].dt.date
    return out[TIMELINE_COLUMNS].reset_index(drop=True)


def commitment_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit: learners asked to write a commitment, written, evaluated, waiting, not written, rating counts."""
    if learners is None:  # only the commitments' rows are needed: ask the database for those alone
        filters = filters or Filters()
        wanted = [a.id for _, a in chosen(topics, filters) if a.kind == AssessmentKind.commitment]
        filters = Filters(filters.units, filters.roles, wanted or ["(không có)"], filters.learners)
        learners = learner_table(engine, topics, filters, now, ordered=False)
    notes = learners[learners["kind"] == AssessmentKind.commitment.value]
    rows = []
    for (topic, unit_id, unit), group in notes.groupby(["topic", "unit_id", "unit"]):
        written = group["status"].isin([ON_TIME, LATE])
        levels = group.loc[group["rating"] != "", "rating"].value_counts()
        rows.append(
            {
                "topic": topic,
                "year": int(group["year"].iloc[0]),
                "unit_id": unit_id,
                "unit": unit,
                "learners": group["learner_id"].nunique(),
                "written": int(written.sum()),
                "evaluated": int(group["graded"].sum()),
                "waiting": int((written & ~group["graded"]).sum()),
                "not_written": int((~written).sum()),
                "mean_score": round(float(group["score"].mean()), 2) if group["graded"].any() else np.nan,
                "ratings": "; ".join(f"{label}: {n}" for label, n in levels.items()),
            }
        )
    out = pd.DataFrame(rows, columns=COMMITMENT_COLUMNS)
    return out.sort_values(["topic", "unit"], key=_text_key).reset_index(drop=True) if rows else out


def history_table(engine, topics, learner_id: str, now=None) -> pd.DataFrame:
    """One learner's rows across every topic and year given (the learner table, narrowed to them)."""
    df = learner_table(engine, topics, Filters(learners=[learner_id]), now)
    return df.sort_values(["year", "topic"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ by name

Table = Callable[..., pd.DataFrame]
TABLES: dict[str, Table] = {
    "learner": learner_table,
    "unit": unit_table,
    "role": role_table,
    "assessment": assessment_table,
    **ITEM_TABLES,  # item analysis: question, option (items.py keeps its own list)
    "timeline": timeline_table,
    "commitment": commitment_table,
    **SESSION_TABLES,  # live study sessions (sessions.py)
}


def progress_table(
    by: str,
    engine: Engine,
    topics: Sequence[Topic],
    filters: Filters | None = None,
    now: dt.datetime | None = None,
    learner_id: str | None = None,
) -> pd.DataFrame:
    """The table named `by` ("learner", "unit", …, or "history" with `learner_id`), as the CLI and dashboard ask."""
    if by == "history":
        if not learner_id:
            raise HoctapError("bảng history cần mã học viên (--learner ID)")
        return history_table(engine, topics, learner_id, now)
    if by not in TABLES:
        raise HoctapError(f"không có bảng {by!r}; chọn một trong {', '.join([*TABLES, 'history'])}")
    return TABLES[by](engine, topics, filters, now)
