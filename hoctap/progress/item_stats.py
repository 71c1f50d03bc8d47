"""Item analysis as Moodle's quiz statistics report and PrairieLearn's question statistics give it, from the
kit's responses: per assessment, the spread and reliability of its scores; per question, how it performed.

Over the attempt that counts for each learner (highest, or last, as the assessment counts): Moodle's default too,
which reads the attempts its grading method keeps. Moodle's definitions (mod/quiz/report/statistics, calculator.php;
question/classes/statistics/questions/calculator.php), with T an attempt's total, x the item's mark, n attempts:
- mean, median, SD (n − 1) of T, in % of the maximum; skewness k3 / k2^1.5 and kurtosis k4 / k2² from the sample
  cumulants k2 = n·m2/(n−1), k3 = n²·m3/((n−1)(n−2)), k4 = n²((n+1)m4 − 3(n−1)m2²)/((n−1)(n−2)(n−3));
- Cronbach's alpha (Moodle's "coefficient of internal consistency") 100·p/(p−1)·(1 − Σ var(slot marks) / k2), p slots;
  error ratio 100·√(1 − alpha/100); standard error = error ratio × SD / 100 (in % of the maximum, as SD);
- per question: discriminative efficiency 100·cov(x, rest) / cov_max(x, rest), cov_max pairing the sorted x with
  the sorted rest of the attempt (the best any question with these marks could do); effective weight
  100·√cov(x, T) / Σ over the assessment's slots of √cov(slot mark, T) (blank when cov(x, T) < 0); random-guess
  score (`random_guess`).
PrairieLearn's: quintile scores (the counted attempts of an assessment ordered by total, ties by attempt, cut into
five groups as SQL's `ntile(5)`; each question's mean score in each group, quintile 1 the weakest), and the score
gain per extra attempt (`GAIN`, over every graded attempt). Undefined values (no spread, too few attempts) are NaN:
blank in every export.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql import Select

from hoctap.attempts import GRADED, attempt_table, response_table
from hoctap.course import learner, student
from hoctap.topic import Question

from .queries import Filters, _applies

QUIZ_STATS_COLUMNS = [
    "topic", "assessment_id", "assessment", "slots", "attempts", "all_attempts", "mean_score", "median_score", "sd",
    "skewness", "kurtosis", "alpha", "error_ratio", "standard_error",
]  # fmt: skip
QUESTION_STATS = [
    "responses", "blank", "facility", "sd", "discrimination", "discriminative_efficiency", "effective_weight",
    "random_guess", "quintile_1", "quintile_2", "quintile_3", "quintile_4", "quintile_5", "gain", "retakers",
]  # fmt: skip
QUINTILES = QUESTION_STATS[8:13]
WEAK_EFFICIENCY = 15.0  # Moodle's docs: a discriminative efficiency under 15 % says the question tells little

GAIN = """Score gain per extra attempt (`gain`, percentage points of the question's maximum): for each learner with
k ≥ 2 graded attempts whose first and last graded attempts both showed the question, (score on it in the last −
score on it in the first) / (k − 1); the mean over those learners (`retakers` of them). What a retake adds on this
question: near 0 while the facility is low says learners do not learn it from feedback. (PrairieLearn's
"incremental submission score" is the same idea per submission of one question; here a retake is the whole quiz.)"""


def random_guess(q: Question) -> float:
    """The score, in % of the maximum, of a learner who picks a complete response at random (all-or-nothing marks,
    as the kit grades): single choice 1/n; true-false 1/2; multiple choice 1/(2ⁿ − 1) (any non-empty set of n);
    matching 1/mᵏ (each of k items to any of m targets); ordering 1/n!; short text 0 (nothing to pick from)."""
    kind, n = q.type.value, len(q.options)
    if kind == "single":
        chance = 1 / n if n else 0.0
    elif kind == "true-false":
        chance = 0.5
    elif kind == "multiple":
        chance = 1 / (2**n - 1) if n else 0.0
    elif kind == "matching":
        chance = 1 / len(q.targets) ** n if q.targets and n else 0.0
    elif kind == "ordering":
        chance = 1 / math.factorial(n) if n else 0.0
    else:
        chance = 0.0
    return round(100.0 * chance, 1)


# ------------------------------------------------------------------ SQL


def counted_responses(picked, filters: Filters) -> Select:
    """Every response of the counted attempts: the rows item analysis works on (one per learner × question)."""
    counted = ranked_attempts(picked, filters)
    r = response_table.c
    return (
        select(
            r.assessment_id,
            r.question_id,
            r.slot,
            r.attempt_id,
            r.score,
            r.max_score,
            counted.c.score.label("total"),
            case((r.response.is_(None), 1), else_=0).label("blank"),
        )
        .select_from(counted.join(response_table, r.attempt_id == counted.c.id))
        .where(counted.c.rank == 1)
    )


def ranked_attempts(picked, filters: Filters):
    """The graded attempts, ranked per learner and assessment as `queries.counted_attempts` ranks them (highest
    score, the latest on a tie; the last, for assessments that count the last): rank 1 counts. Its own statement
    rather than `counted_attempts` so that the long export can keep every attempt and mark the counted one, and so
    that SQLite scans the attempts once (see `graded_where`)."""
    a = attempt_table.c
    last = [x.id for _, x in picked if x.counts.value == "last"]
    ordering = [case((a.assessment_id.in_(last), a.number), else_=0).desc()] if last else []
    ordering += [a.score.desc(), a.number.desc()]
    return (
        select(
            a.id,
            a.student_id,
            a.assessment_id,
            a.number,
            a.score,
            a.submitted_at,
            func.row_number().over(partition_by=(a.student_id, a.assessment_id), order_by=ordering).label("rank"),
        )
        .select_from(attempts_of(picked, filters))
        .where(graded_where(picked, filters))
        .subquery("ranked")
    )


def _restricted(topic, a) -> bool:
    """Whether the spec gives this assessment to some learners only (roles, units, a content a unit did not choose)."""
    return bool(a.roles or a.units or any(a.content and a.content not in c.contents for c in topic.unit_choices))


def graded_where(picked, filters: Filters):
    """Graded attempts of these assessments by learners the filters keep and the spec assigns. Assessments for
    everyone share one `IN` (a condition per assessment on every row cost SQLite seconds at 250,000 attempts)."""
    # `status || ''`: without ANALYZE statistics SQLite otherwise walks the queue index (status, submitted_at) and
    # fetches 250,000 rows out of order, 4× slower than one scan of the table (PostgreSQL plans it alike either way).
    return and_((attempt_table.c.status + "") == GRADED, *assigned_to(picked, filters))


def attempts_of(picked, filters: Filters):
    """The attempt table joined to the roster: attempts of someone not on it (a trainer trying the quiz) never count,
    as in `counted_attempts`."""
    return attempt_table.join(learner, learner.c.student_id == attempt_table.c.student_id)


def graded_counts(picked, filters: Filters) -> Select:
    """Per assessment, how many graded attempts (all of them, every learner the filters keep and the spec assigns)."""
    a = attempt_table.c
    return (
        select(a.assessment_id, func.count().label("all_attempts"))
        .select_from(attempts_of(picked, filters))
        .where(graded_where(picked, filters))
        .group_by(a.assessment_id)
    )


def assigned_to(picked, filters: Filters) -> list:
    """The conditions of `graded_where` but the status: these assessments, by learners the filters keep and the spec
    assigns them to."""
    a = attempt_table.c
    plain = [x.id for t, x in picked if not _restricted(t, x)]
    assigned = [a.assessment_id.in_(plain)] if plain else []
    assigned += [_applies(t, x, a.assessment_id) for t, x in picked if _restricted(t, x)]
    return [a.assessment_id.in_([x.id for _, x in picked]), or_(*assigned), *filters.on_learner()]


def gains(picked, filters: Filters) -> Select:
    """Per assessment and question, `GAIN` and how many learners it is over, in one statement: each learner's first
    and last graded attempts (found by the attempt's unique key), their responses to the same question paired."""
    a = attempt_table.c
    span = (
        select(
            a.student_id,
            a.assessment_id,
            func.min(a.number).label("first"),
            func.max(a.number).label("last"),
            func.count().label("k"),
        )
        .select_from(attempts_of(picked, filters))
        .where(graded_where(picked, filters))
        .group_by(a.student_id, a.assessment_id)
        .having(func.count() > 1)
        .subquery("span")
    )
    first, last = attempt_table.alias("first_attempt"), attempt_table.alias("last_attempt")
    before, after = response_table.alias("before"), response_table.alias("after")

    def attempt(alias, number):
        return and_(
            alias.c.student_id == span.c.student_id,
            alias.c.assessment_id == span.c.assessment_id,
            alias.c.number == number,
        )

    def fraction(r):
        return r.c.score / func.nullif(r.c.max_score, 0.0)

    return (
        select(
            before.c.assessment_id,
            before.c.question_id,
            (100.0 * func.avg((fraction(after) - fraction(before)) / (span.c.k - 1))).label("gain"),
            func.count().label("retakers"),
        )
        .select_from(
            span.join(first, attempt(first, span.c["first"]))
            .join(last, attempt(last, span.c["last"]))
            .join(before, before.c.attempt_id == first.c.id)
            .join(after, and_(after.c.attempt_id == last.c.id, after.c.question_id == before.c.question_id))
        )
        .group_by(before.c.assessment_id, before.c.question_id)
    )


def long_rows(picked, filters: Filters) -> Select:
    """Every response of every graded attempt, with its learner and whether the attempt counts: the long export's
    rows (in no order: sorting 1.2 million rows costs SQLite more than numpy). The responses are reached from the
    ranked attempts by their primary key: an outer join to `counted_attempts` instead made SQLite scan it once per
    response."""
    r = response_table.c
    ranked = ranked_attempts(picked, filters)
    k = ranked.c
    return select(
        k.student_id.label("learner_id"),
        k.assessment_id,
        k.number.label("attempt"),
        case((k.rank == 1, 1), else_=0).label("counted"),
        k.submitted_at.label("answered_at"),
        r.slot,
        r.question_id,
        r.response,
        r.score,
        r.max_score,
    ).select_from(ranked.join(response_table, r.attempt_id == k.id))


def roster(filters: Filters) -> Select:
    """The learners the filters keep, with their names and places: the long export's second, small statement (the
    names once per learner rather than once per response: at 1.2 million responses, a third of the fetch)."""
    return (
        select(
            learner.c.student_id.label("learner_id"),
            student.c.last_name,
            student.c.first_name,
            learner.c.unit_id,
            learner.c.unit,
            learner.c.role,
        )
        .select_from(learner.join(student, student.c.id == learner.c.student_id))
        .where(*filters.on_learner())
    )


# ------------------------------------------------------------------ pandas


def attempt_quintiles(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per counted attempt: its assessment, total and maximum, and its quintile (0…4) in the assessment."""
    if rows.empty:
        return pd.DataFrame(columns=["attempt_id", "assessment_id", "total", "maximum", "quintile"])
    per = rows.groupby("attempt_id", sort=False).agg(
        assessment_id=("assessment_id", "first"), total=("total", "first"), maximum=("max_score", "sum")
    )
    per = per.reset_index().sort_values(["assessment_id", "total", "attempt_id"], kind="stable")
    rank = per.groupby("assessment_id", sort=False).cumcount().to_numpy()
    n = per.groupby("assessment_id", sort=False)["total"].transform("size").to_numpy()
    base, extra = n // 5, n % 5  # SQL's ntile(5): the first `extra` groups hold one more
    big = extra * (base + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per["quintile"] = np.where(rank < big, rank // (base + 1), extra + (rank - big) // np.maximum(base, 1))
    return per


def _moments(totals: np.ndarray, maximum: float, sum_slot_variance: float, slots: int) -> dict:
    """Moodle's test statistics of one assessment's totals (calculator.php), NaN where Moodle leaves them unset."""
    s = len(totals)
    out = dict.fromkeys(QUIZ_STATS_COLUMNS[6:], np.nan)
    if not s:
        return out
    scale = 100.0 / maximum if maximum else np.nan
    mean = float(totals.mean())
    out["mean_score"], out["median_score"] = mean * scale, float(np.median(totals)) * scale
    if s < 2:
        return out
    d = totals - mean
    p2, p3, p4 = float((d**2).sum()), float((d**3).sum()), float((d**4).sum())
    sd = math.sqrt(p2 / (s - 1))
    out["sd"] = sd * scale
    if s < 3:
        return out
    m2, m3, m4 = p2 / s, p3 / s, p4 / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    if k2 == 0:
        return out
    out["skewness"] = k3 / k2**1.5
    if s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        out["kurtosis"] = k4 / (k2 * k2)
    if slots > 1:
        alpha = (100.0 * slots / (slots - 1)) * (1 - sum_slot_variance / k2)
        out["alpha"] = alpha
        out["error_ratio"] = 100.0 * math.sqrt(1 - alpha / 100) if alpha <= 100 else np.nan
        out["standard_error"] = out["error_ratio"] * sd / 100 * scale
    return out


def quiz_stats(rows: pd.DataFrame, attempts: pd.DataFrame, counts: pd.DataFrame, picked) -> pd.DataFrame:
    """One row per assessment (spec order): Moodle's quiz overall statistics."""
    slot_var = rows.groupby(["assessment_id", "slot"])["score"].var(ddof=1).groupby(level=0).agg(["sum", "size"])
    all_attempts = dict(zip(counts["assessment_id"], counts["all_attempts"], strict=True))
    out = []
    for topic, a in picked:
        mine = attempts[attempts["assessment_id"] == a.id]
        total_var, slots = slot_var.loc[a.id] if a.id in slot_var.index else (0.0, 0)
        maximum = float(mine["maximum"].max()) if len(mine) else 0.0
        stats = _moments(mine["total"].to_numpy(float), maximum, float(total_var), int(slots))
        out.append(
            {
                "topic": topic.id,
                "assessment_id": a.id,
                "assessment": a.title,
                "slots": int(slots),
                "attempts": len(mine),
                "all_attempts": int(all_attempts.get(a.id, 0)),
                **{k: round(v, 2 if k in ("skewness", "kurtosis") else 1) for k, v in stats.items()},
            }
        )
    return pd.DataFrame(out, columns=QUIZ_STATS_COLUMNS)


def question_stats(rows: pd.DataFrame, attempts: pd.DataFrame, gained: pd.DataFrame) -> pd.DataFrame:
    """Per assessment and question (those answered at least once): the statistics of `QUESTION_STATS` but the
    random-guess score (from the spec)."""
    keys = ["assessment_id", "question_id"]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *(c for c in QUESTION_STATS if c != "random_guess")])
    df = rows.sort_values([*keys, "attempt_id"], kind="stable").reset_index(drop=True)
    gid = df.groupby(keys, sort=False).ngroup().to_numpy()
    x = df["score"].to_numpy(float)
    t = df["total"].to_numpy(float)
    rest = t - x
    frac = np.where(df["max_score"].to_numpy(float) > 0, x / df["max_score"].to_numpy(float), np.nan)
    count = np.bincount(gid).astype(float)

    def mean(v):
        return np.bincount(gid, weights=v) / count

    def centred(v):
        return v - mean(v)[gid]

    below = np.where(count > 1, count - 1, np.nan)
    dx, dr, dt, df_ = centred(x), centred(rest), centred(t), centred(frac)
    var_x, var_r = np.bincount(gid, dx * dx) / below, np.bincount(gid, dr * dr) / below
    cov = np.bincount(gid, dx * dr) / below
    # cov_max: x and rest each sorted within the question, paired rank by rank (Moodle's sorted mark arrays).
    sx, sr = np.lexsort((x, gid)), np.lexsort((rest, gid))
    cov_max = np.bincount(gid[sx], (x[sx] - mean(x)[gid[sx]]) * (rest[sr] - mean(rest)[gid[sr]])) / below
    cov_t = np.bincount(gid, dx * dt) / below
    with np.errstate(divide="ignore", invalid="ignore"):
        discrimination = np.where(var_x * var_r > 0, 100 * cov / np.sqrt(var_x * var_r), np.nan)
        efficiency = np.where(cov_max != 0, 100 * cov / cov_max, np.nan)
    first = df.groupby(gid, sort=False)[keys].first()
    out = first.reset_index(drop=True)
    out["responses"] = count.astype(int)
    out["blank"] = np.bincount(gid, df["blank"].to_numpy(float)).astype(int)
    out["facility"] = np.round(100 * mean(np.nan_to_num(frac)), 1)
    out["sd"] = np.round(100 * np.sqrt(np.bincount(gid, df_ * df_) / below), 1)
    out["discrimination"] = np.round(discrimination, 1)
    out["discriminative_efficiency"] = np.round(efficiency, 1)
    out["effective_weight"] = _effective_weight(df, out, cov_t)
    quintile = df["attempt_id"].map(attempts.set_index("attempt_id")["quintile"]).to_numpy()
    by_quintile = pd.DataFrame({"g": gid, "q": quintile, "frac": frac}).groupby(["g", "q"])["frac"].mean().unstack()
    for k, column in enumerate(QUINTILES):
        values = by_quintile[k] if k in by_quintile else pd.Series(dtype=float)
        out[column] = (100 * values.reindex(range(len(out)))).round(1).to_numpy()
    out = out.merge(gained, on=keys, how="left")
    out["gain"] = out["gain"].astype(float).round(1)
    out["retakers"] = out["retakers"].fillna(0).astype(int)
    return out


def _effective_weight(df: pd.DataFrame, out: pd.DataFrame, cov_t: np.ndarray) -> np.ndarray:
    """100·√cov(x, T) / Σ over the assessment's slots of √cov(slot mark, T) (Moodle sums the slots whose covariance
    is ≥ 0 and leaves negative ones blank); a question always in the same slot gets Moodle's value."""
    slot = df.groupby(["assessment_id", "slot"])
    centred = (df["score"] - slot["score"].transform("mean")) * (df["total"] - slot["total"].transform("mean"))
    covs = centred.groupby([df["assessment_id"], df["slot"]]).sum() / (slot.size() - 1).replace(0, np.nan)
    denominator = np.sqrt(covs[covs >= 0]).groupby(level=0).sum()
    below = out["assessment_id"].map(denominator).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where((cov_t >= 0) & (below > 0), 100 * np.sqrt(np.clip(cov_t, 0, None)) / below, np.nan)
    return np.round(weight, 1)
