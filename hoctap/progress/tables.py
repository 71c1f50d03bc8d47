"""Progress tables: the gradebook as pandas DataFrames, for the dashboard, `hoctap progress` and the reports.

Each table runs ONE SQL statement (`progress_queries`) on the gradebook — any SQLAlchemy URL — and finishes in
pandas with the spec: titles, deadlines, the rating scale. No per-row ORM, no nbgrader import: 10,000 learners ×
20 assessments is one query of 200,000 rows.

    engine = engine_for(course.db_url)
    learners = learner_table(engine, [topic])                     # learner × assessment
    units = unit_table(engine, [topic], Filters(roles=["dang-vien"]))
    TABLES["unit"](engine, [topic], Filters(), now)               # by name, as the CLI and the dashboard ask

Column names are stable (documented in README.md, "Bảng tiến độ"); `progress_labels.LABELS` gives their
Vietnamese headers. Times are in the topic's time zone. `now` decides what is still "not due" and what is
"missing", so a report for a past date is reproducible.

A learner counts only for what applies to them: the assessment's roles and units, and, for an assessment on one
content, whether their unit chose that content this year (`unit_choices`, L39). Learners with nothing assigned
(for example the People, whose propaganda is not assessed) appear in no table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from hoctap.attempts import rating_label
from hoctap.errors import HoctapError
from hoctap.topic import AssessmentKind, Topic, answer_text, is_correct, name_sort_key, sort_key

from .queries import Filters, chosen, item_sums, option_counts, pairs

ON_TIME, LATE, MISSING, NOT_DUE = "on-time", "late", "missing", "not-due"
IN_PROGRESS = "in-progress"  # a learner with nothing missing yet, but work still to do before the deadline
AUTOGRADED = (AssessmentKind.quiz.value, AssessmentKind.final.value)

LEARNER_COLUMNS = [
    "topic", "year", "learner_id", "name", "unit_id", "unit", "role", "assessment_id", "assessment", "kind",
    "due", "deadline_label", "attempts", "attempts_allowed", "submitted_at", "last_submitted_at", "status",
    "graded", "score", "max_score", "percent", "rating",
]  # fmt: skip
GROUP_COLUMNS = [
    "learners", "on_time", "late", "missing", "in_progress", "completion", "mean_score", "median_score",
    "commitments_required", "commitments_written", "commitments_evaluated", "deadline", "deadline_label",
]  # fmt: skip
ASSESSMENT_COLUMNS = [
    "topic", "year", "assessment_id", "assessment", "kind", "due", "deadline_label", "assigned", "submitted",
    "on_time", "late", "missing", "not_due", "graded", "waiting", "completion", "mean_score", "median_score",
    "mean_attempts",
]  # fmt: skip
QUESTION_COLUMNS = [
    "topic", "assessment_id", "question_id", "content", "type", "prompt", "responses", "blank", "facility", "sd",
    "discrimination", "flag", "answer",
]  # fmt: skip
OPTION_COLUMNS = ["topic", "assessment_id", "question_id", "option_id", "option", "correct", "chosen", "share"]
TIMELINE_COLUMNS = [
    "topic",
    "assessment_id",
    "assessment",
    "date",
    "submitted",
    "cumulative",
    "assigned",
    "percent",
    "due",
]
COMMITMENT_COLUMNS = [
    "topic", "year", "unit_id", "unit", "learners", "written", "evaluated", "waiting", "not_written", "mean_score",
    "ratings",
]  # fmt: skip

UNIT_COLUMNS = ["topic", "year", "unit_id", "unit", *GROUP_COLUMNS]
ROLE_COLUMNS = ["topic", "year", "role", "role_name", *GROUP_COLUMNS]
# Each table's columns by its name (`--by`): the contract README.md documents.
COLUMNS = {
    "learner": LEARNER_COLUMNS,
    "unit": UNIT_COLUMNS,
    "role": ROLE_COLUMNS,
    "assessment": ASSESSMENT_COLUMNS,
    "question": QUESTION_COLUMNS,
    "option": OPTION_COLUMNS,
    "timeline": TIMELINE_COLUMNS,
    "commitment": COMMITMENT_COLUMNS,
}

# Moodle's quiz statistics flag questions like these (facility and discrimination in percent).
TOO_HARD, TOO_EASY, WEAK_DISCRIMINATION = 20.0, 95.0, 20.0


def _zone(topics: Sequence[Topic]) -> ZoneInfo:
    return ZoneInfo(topics[0].timezone if topics else "Asia/Ho_Chi_Minh")


def _local(moment: dt.datetime, zone: ZoneInfo) -> pd.Timestamp:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return pd.Timestamp(moment).tz_convert(zone)


def read_frame(engine: Engine, query) -> pd.DataFrame:
    """Run one statement and hand its rows to pandas straight from the driver's cursor: SQLAlchemy's per-row result
    processing costs more than the query at 200,000 rows. (Times then come as the driver gives them: text from
    SQLite, datetimes from PostgreSQL; `_times` reads both.)"""
    with engine.connect() as db:
        result = db.execute(query)
        columns = list(result.keys())
        rows = result.cursor.fetchall() if result.cursor is not None else []
    return pd.DataFrame.from_records(rows, columns=columns)


def _assessments_frame(topics: Sequence[Topic], zone: ZoneInfo) -> pd.DataFrame:
    """What the spec says of each assessment, one row each, in spec order."""
    rows = []
    for order, (topic, a) in enumerate((t, a) for t in topics for a in t.assessments):
        deadline = next((d for d in topic.facts.deadlines if d.id == a.deadline), None)
        rows.append(
            {
                "assessment_id": a.id,
                "topic": topic.id,
                "year": topic.year,
                "assessment": a.title,
                "kind": a.kind.value,
                "due": _local(a.due, zone),
                "attempts_allowed": a.attempts,
                "deadline_label": deadline.due_label if deadline else "",
                "order": order,
            }
        )
    return pd.DataFrame(rows, columns=["assessment_id", "topic", "year", "assessment", "kind", "due",
                                       "attempts_allowed", "deadline_label", "order"])  # fmt: skip


def _times(values: pd.Series, zone: ZoneInfo) -> pd.Series:
    """Database times (UTC; SQLite gives text, PostgreSQL aware datetimes) in the topic's zone."""
    text = values.dropna()
    if len(text) and isinstance(text.iloc[0], str):  # SQLite: "2021-06-01 01:00:00.000000", parsed vectorised
        return pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_convert(zone)
    return pd.to_datetime(values, utc=True).dt.tz_convert(zone)


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
    zone = _zone(topics)
    until = _local(now, zone).tz_convert("UTC").to_pydatetime() if now is not None else None
    now_local = _local(now or dt.datetime.now(dt.UTC), zone)
    picked = chosen(topics, filters)
    raw = read_frame(engine, pairs(picked, filters, until))
    spec = _assessments_frame(topics, zone)
    df = raw.merge(spec, on="assessment_id", how="inner")
    names = df.drop_duplicates("learner_id").set_index("learner_id")  # one name per learner, not per row
    full = (names["last_name"].fillna("") + " " + names["first_name"].fillna("")).str.strip()
    df["name"] = df["learner_id"].map(full)
    for column in ("submitted_at", "last_submitted_at"):
        df[column] = _times(df[column], zone)
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


def _per_learner(df: pd.DataFrame) -> pd.DataFrame:
    """Each learner's standing over the autograded assessments that apply to them, and their commitment."""
    work = df[df["kind"].isin(AUTOGRADED)]
    keys = [work["topic"], work["learner_id"]]
    counts = pd.DataFrame({status: (work["status"] == status) for status in (ON_TIME, LATE, MISSING, NOT_DUE)})
    counts = counts.groupby(keys).sum()
    mean = work.assign(exact=_exact_percent(work)).groupby(["topic", "learner_id"])["exact"].mean()
    standing = pd.Series(
        np.select(
            [counts[MISSING] > 0, counts[NOT_DUE] > 0, counts[LATE] > 0],
            [MISSING, IN_PROGRESS, LATE],
            ON_TIME,
        ),
        index=counts.index,
        name="standing",
    )
    notes = df[df["kind"] == AssessmentKind.commitment.value]
    notes = notes.assign(written=notes["status"].isin([ON_TIME, LATE]))
    commitment = notes.groupby(["topic", "learner_id"]).agg(written=("written", "any"), evaluated=("graded", "any"))
    who = df.groupby(["topic", "learner_id"])[["year", "unit_id", "unit", "role"]].first()
    out = who.join(standing).join(mean.rename("mean_percent")).join(commitment)
    out["commitment_required"] = out["written"].notna()
    out["written"] = out["written"].fillna(False).astype(bool)
    out["evaluated"] = out["evaluated"].fillna(False).astype(bool)
    return out.reset_index()


def _group_table(df: pd.DataFrame, topics: Sequence[Topic], keys: list[str]) -> pd.DataFrame:
    people = _per_learner(df)
    due = df[df["kind"].isin(AUTOGRADED)].sort_values("due").groupby(["topic", *keys]).last()
    grouped = people.groupby(["topic", *keys])
    out = grouped.agg(year=("year", "first"), learners=("learner_id", "nunique"))
    for column, status in (("on_time", ON_TIME), ("late", LATE), ("missing", MISSING), ("in_progress", IN_PROGRESS)):
        out[column] = (people["standing"] == status).groupby([people[k] for k in ("topic", *keys)]).sum().astype(int)
    assessed = people["standing"].notna().groupby([people[k] for k in ("topic", *keys)]).sum()
    out["completion"] = (100.0 * (out["on_time"] + out["late"]) / assessed.replace(0, np.nan)).round(1)
    out["mean_score"] = grouped["mean_percent"].mean().round(1)
    out["median_score"] = grouped["mean_percent"].median().round(1)
    out["commitments_required"] = grouped["commitment_required"].sum().astype(int)
    out["commitments_written"] = grouped["written"].sum().astype(int)
    out["commitments_evaluated"] = grouped["evaluated"].sum().astype(int)
    out["deadline"] = due["due"].reindex(out.index)
    out["deadline_label"] = due["deadline_label"].reindex(out.index).fillna("")
    return out.reset_index()


def unit_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per unit: learners, who finished on time, late, who has work missing, scores, commitments."""
    df = learners if learners is not None else learner_table(engine, topics, filters, now, ordered=False)
    out = _group_table(df, topics, ["unit_id", "unit"])
    out = out.sort_values(["topic", "unit"], key=_text_key)
    return out[UNIT_COLUMNS].reset_index(drop=True)


def role_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per role; its deadline is the plan's deadline for that audience (facts.deadlines), when it has one."""
    df = learners if learners is not None else learner_table(engine, topics, filters, now, ordered=False)
    out = _group_table(df, topics, ["role"])
    zone = _zone(topics)
    for i, row in out.iterrows():  # a handful of roles
        topic = next(t for t in topics if t.id == row["topic"])
        deadline = next((d for d in topic.facts.deadlines if row["role"] in d.audiences), None)
        if deadline is not None:
            end_of_day = dt.datetime.combine(deadline.due, dt.time(23, 59))
            out.at[i, "deadline"] = _local(end_of_day, zone)
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


def assessment_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per assessment: assigned, submitted on time / late, missing, graded, scores, attempts."""
    df = learners if learners is not None else learner_table(engine, topics, filters, now, ordered=False)
    spec = _assessments_frame(topics, _zone(topics))
    g = df.assign(exact=_exact_percent(df)).groupby("assessment_id")
    out = spec.set_index("assessment_id")
    out["assigned"] = g.size()
    for column, status in (("on_time", ON_TIME), ("late", LATE), ("missing", MISSING), ("not_due", NOT_DUE)):
        out[column] = (df["status"] == status).groupby(df["assessment_id"]).sum()
    out["submitted"] = out["on_time"] + out["late"]
    out["graded"] = g["graded"].sum()
    out["waiting"] = out["submitted"] - out["graded"]
    out["completion"] = (100.0 * out["submitted"] / out["assigned"].replace(0, np.nan)).round(1)
    out["mean_score"] = g["exact"].mean().round(1)
    out["median_score"] = g["exact"].median().round(1)
    out["mean_attempts"] = df["attempts"].where(df["attempts"] > 0).groupby(df["assessment_id"]).mean().round(2)
    out = out[out["assigned"].notna()].fillna({"assigned": 0}).reset_index().sort_values("order")
    for column in ("assigned", "on_time", "late", "missing", "not_due", "submitted", "graded", "waiting"):
        out[column] = out[column].fillna(0).astype(int)
    return out[ASSESSMENT_COLUMNS].reset_index(drop=True)


def timeline_table(engine, topics, filters=None, now=None, *, learners: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per assessment and day: submissions that day and so far, against the learners it applies to and its due."""
    df = learners if learners is not None else learner_table(engine, topics, filters, now, ordered=False)
    assigned = df.groupby("assessment_id").size()
    done = df[df["submitted_at"].notna()].copy()
    done["date"] = done["submitted_at"].dt.date
    daily = done.groupby(["assessment_id", "date"]).size().rename("submitted").reset_index()
    daily["cumulative"] = daily.groupby("assessment_id")["submitted"].cumsum()
    daily["assigned"] = daily["assessment_id"].map(assigned).astype(int)
    daily["percent"] = (100.0 * daily["cumulative"] / daily["assigned"]).round(1)
    spec = _assessments_frame(topics, _zone(topics))[["assessment_id", "topic", "assessment", "due", "order"]]
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


# ------------------------------------------------------------------ item analysis


def question_table(engine, topics, filters=None, now=None, **_) -> pd.DataFrame:
    """Item analysis as Moodle's quiz statistics give it, over the attempt that counts for each learner:
    facility index (mean score, % of the maximum), standard deviation (%), discrimination index (correlation of the
    item's score with the rest of the attempt, ×100). Flags: too hard, too easy, weak or negative discrimination."""
    filters = filters or Filters()
    picked = [(t, a) for t, a in chosen(topics, filters) if a.kind.value in AUTOGRADED]
    sums = read_frame(engine, item_sums(picked, filters))
    owner = {a.id: t for t, a in picked}
    sums = sums[sums["assessment_id"].isin(owner)]
    n = sums["n"].astype(float)
    variance_x = (sums["sxx"] - sums["sx"] ** 2 / n) / (n - 1).replace(0, np.nan)
    cov = sums["sxy"] - sums["sx"] * sums["sy"] / n
    spread = np.sqrt((sums["sxx"] - sums["sx"] ** 2 / n) * (sums["syy"] - sums["sy"] ** 2 / n))
    stats = pd.DataFrame(
        {
            "assessment_id": sums["assessment_id"],
            "question_id": sums["question_id"],
            "responses": sums["n"].astype(int),
            "blank": sums["blank"].astype(int),
            "facility": (100.0 * sums["sx"] / n).round(1),
            "sd": (100.0 * np.sqrt(variance_x.clip(lower=0))).round(1),
            "discrimination": (100.0 * cov / spread.replace(0, np.nan)).round(1),
        }
    )
    spec = []
    for t, a in picked:
        for qid in _questions_of(t, a):
            q = t.question(qid)
            spec.append(
                {
                    "topic": t.id,
                    "assessment_id": a.id,
                    "question_id": q.id,
                    "content": q.content or "",
                    "type": q.type.value,
                    "prompt": q.prompt,
                    "answer": answer_text(q),
                }
            )
    out = pd.DataFrame(spec, columns=["topic", "assessment_id", "question_id", "content", "type", "prompt", "answer"])
    out = out.merge(stats, on=["assessment_id", "question_id"], how="left")
    out["responses"] = out["responses"].fillna(0).astype(int)
    out["blank"] = out["blank"].fillna(0).astype(int)
    out["flag"] = [
        _flag(f, d, n) for f, d, n in zip(out["facility"], out["discrimination"], out["responses"], strict=True)
    ]
    return out[QUESTION_COLUMNS]


def _questions_of(topic: Topic, assessment) -> list[str]:
    """Every bank question the assessment can show: its fixed ones, then each draw's pool (spec order, once)."""
    from hoctap.topic import draw_pools

    return list(assessment.questions) + [q.id for pool in draw_pools(topic, assessment) for q in pool]


def _flag(facility: float, discrimination: float, responses: int) -> str:
    if not responses:
        return ""
    notes = []
    if facility < TOO_HARD:
        notes.append("quá khó")
    elif facility > TOO_EASY:
        notes.append("quá dễ")
    if pd.notna(discrimination) and discrimination < 0:
        notes.append("phân biệt ngược: xem lại đáp án")
    elif pd.notna(discrimination) and discrimination < WEAK_DISCRIMINATION:
        notes.append("phân biệt kém")
    return "; ".join(notes)


def option_table(engine, topics, filters=None, now=None, **_) -> pd.DataFrame:
    """How often each option was chosen, per question (counted attempts): widespread misunderstandings show as a
    wrong option many chose. Choice questions list every option (0 when none chose it); other types list each
    distinct response given."""
    filters = filters or Filters()
    picked = [(t, a) for t, a in chosen(topics, filters) if a.kind.value in AUTOGRADED]
    counts = read_frame(engine, option_counts(picked, filters))
    owner = {a.id: t for t, a in picked}
    rows = []
    for (assessment_id, question_id), group in counts.groupby(["assessment_id", "question_id"], sort=False):
        topic = owner.get(assessment_id)
        if topic is None:
            continue
        q = topic.question(question_id)
        total = int(group["chosen"].sum())
        tally: dict[str, int] = {}
        for text, n in zip(group["response"], group["chosen"], strict=True):
            for key in _option_keys(q, None if pd.isna(text) else json.loads(text)):
                tally[key] = tally.get(key, 0) + int(n)
        labels = _option_labels(q)
        for key in [*labels, *(k for k in tally if k not in labels)]:
            rows.append(
                {
                    "topic": topic.id,
                    "assessment_id": assessment_id,
                    "question_id": question_id,
                    "option_id": key,
                    "option": labels.get(key, key),
                    "correct": _option_correct(q, key),
                    "chosen": tally.get(key, 0),
                    "share": round(100.0 * tally.get(key, 0) / total, 1) if total else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=OPTION_COLUMNS)


BLANK = "(bỏ trống)"


def _option_keys(q, response) -> list[str]:
    if response is None:
        return [BLANK]
    if q.type.value == "multiple" and isinstance(response, list):
        return [str(r) for r in response] or [BLANK]
    if q.type.value == "true-false":
        return ["true" if response is True else "false" if response is False else json.dumps(response)]
    if isinstance(response, str):
        return [response]
    return [json.dumps(response, ensure_ascii=False, sort_keys=True)]


def _option_labels(q) -> dict[str, str]:
    if q.type.value in ("single", "multiple"):
        return {o.id: o.text for o in q.options}
    if q.type.value == "true-false":
        return {"true": "Đúng", "false": "Sai"}
    return {}


def _option_correct(q, key: str) -> bool:
    if key == BLANK:
        return False
    if q.type.value == "single":
        return key == q.answer
    if q.type.value == "multiple":
        return key in q.answer
    if q.type.value == "true-false":
        return key == ("true" if q.answer else "false")
    try:
        response = json.loads(key) if key[:1] in "[{" else key
    except ValueError:
        response = key
    return is_correct(q, response)


# ------------------------------------------------------------------ by name

Table = Callable[..., pd.DataFrame]
TABLES: dict[str, Table] = {
    "learner": learner_table,
    "unit": unit_table,
    "role": role_table,
    "assessment": assessment_table,
    "question": question_table,
    "option": option_table,
    "timeline": timeline_table,
    "commitment": commitment_table,
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
