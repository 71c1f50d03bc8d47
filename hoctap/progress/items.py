"""Item analysis, as Moodle's quiz statistics and PrairieLearn's question statistics give it: per assessment its
score distribution and reliability (`quiz_table`); per question of the bank its facility, spread, discrimination,
discriminative efficiency, effective weight, random-guess score, quintile scores and gain per extra attempt on the
counted attempts, flagged when too hard, too easy or weak (`question_table`; the statistics are `item_stats`, kept
by `item_cache`); how often each option was chosen (`option_table`: a widespread misunderstanding shows as a wrong
option many chose); and every response of every graded attempt in long format (`response_table`, `--by response`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from hoctap.topic import Topic, answer_text, is_correct, response_text

from .frames import (
    AUTOGRADED,
    OPTION_COLUMNS,
    QUESTION_COLUMNS,
    RESPONSE_COLUMNS,
    TOO_EASY,
    TOO_HARD,
    WEAK_DISCRIMINATION,
    local_times,
    read_frame,
    zone_of,
)
from .item_stats import (
    QUIZ_STATS_COLUMNS,
    WEAK_EFFICIENCY,
    attempt_quintiles,
    counted_responses,
    gains,
    graded_counts,
    long_rows,
    question_stats,
    quiz_stats,
    random_guess,
    roster,
)
from .queries import Filters, chosen, option_counts

# ------------------------------------------------------------------ item analysis


def item_analysis(engine, topics, filters=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Moodle's quiz statistics and PrairieLearn's question statistics (`item_stats`) over the counted attempts:
    (one row per autograded assessment, `QUIZ_STATS_COLUMNS`; one row per bank question, `QUESTION_COLUMNS`).
    Three statements: the counted attempts' responses, the graded attempts per assessment, the gains."""
    filters = filters or Filters()
    picked = [(t, a) for t, a in chosen(topics, filters) if a.kind.value in AUTOGRADED]
    if not picked:
        return pd.DataFrame(columns=QUIZ_STATS_COLUMNS), pd.DataFrame(columns=QUESTION_COLUMNS)
    rows = read_frame(engine, counted_responses(picked, filters))
    ids = {a.id for _, a in picked}
    # Ids as categories: every groupby below then works on integer codes (4× faster at 800,000 responses).
    rows = rows[rows["assessment_id"].isin(ids)].astype({"assessment_id": "category", "question_id": "category"})
    attempts = attempt_quintiles(rows)
    quiz = quiz_stats(rows, attempts, read_frame(engine, graded_counts(picked, filters)), picked)
    stats = question_stats(rows, attempts, read_frame(engine, gains(picked, filters)))
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
                    "random_guess": random_guess(q),
                }
            )
    out = pd.DataFrame(spec, columns=["topic", "assessment_id", "question_id", "content", "type", "prompt", "answer",
                                      "random_guess"])  # fmt: skip
    out = out.merge(stats, on=["assessment_id", "question_id"], how="left")
    for column in ("responses", "blank", "retakers"):
        out[column] = out[column].fillna(0).astype(int)
    out["flag"] = [
        _flag(f, d, e, n)
        for f, d, e, n in zip(
            out["facility"], out["discrimination"], out["discriminative_efficiency"], out["responses"], strict=True
        )
    ]
    return quiz, out[QUESTION_COLUMNS]


def question_table(engine, topics, filters=None, now=None, **_) -> pd.DataFrame:
    """Item analysis per bank question, over the attempt that counts for each learner: facility index (mean score,
    % of the maximum), standard deviation (%), discrimination index (correlation of the item's score with the rest
    of the attempt, ×100), discriminative efficiency, effective weight, random-guess score, quintile scores, gain
    per extra attempt (`item_stats`). Flags: too hard, too easy, weak or negative discrimination, low efficiency."""
    return item_analysis(engine, topics, filters)[1]


def quiz_table(engine, topics, filters=None, now=None, **_) -> pd.DataFrame:
    """Moodle's quiz overall statistics, one row per autograded assessment (`item_stats.QUIZ_STATS_COLUMNS`)."""
    return item_analysis(engine, topics, filters)[0]


def _questions_of(topic: Topic, assessment) -> list[str]:
    """Every bank question the assessment can show: its fixed ones, then each draw's pool (spec order, once)."""
    from hoctap.topic import draw_pools

    return list(assessment.questions) + [q.id for pool in draw_pools(topic, assessment) for q in pool]


def _flag(facility: float, discrimination: float, efficiency: float, responses: int) -> str:
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
    if pd.notna(efficiency) and efficiency < WEAK_EFFICIENCY and not (pd.notna(discrimination) and discrimination < 0):
        notes.append("hiệu quả phân biệt dưới 15 %")
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


def response_table(engine, topics, filters=None, now=None, **_) -> pd.DataFrame:
    """The long format (nbgrader #799, PrairieLearn #5682): one row per learner × question of every graded attempt
    of an autograded assessment, with the response in words (option texts), its score and whether it got full marks;
    `counted` marks the attempt that counts. One statement; the words of each distinct response are made once."""
    filters = filters or Filters()
    picked = [(t, a) for t, a in chosen(topics, filters) if a.kind.value in AUTOGRADED]
    if not picked:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    df = read_frame(engine, long_rows(picked, filters))
    owner = {a.id: t for t, a in picked}
    df = df[df["assessment_id"].isin(owner)]
    # Learner, assessment (spec order), attempt, slot: a sort on integer codes.
    people, people_ids = pd.factorize(df["learner_id"], sort=True)
    order = {a: k for k, a in enumerate(owner)}
    sorted_rows = np.lexsort((df["slot"], df["attempt"], df["assessment_id"].map(order), people))
    df, people = df.iloc[sorted_rows].reset_index(drop=True), people[sorted_rows]
    df["topic"] = df["assessment_id"].map({a: t.id for a, t in owner.items()})
    names = read_frame(engine, roster(filters)).set_index("learner_id").reindex(people_ids)
    names["name"] = (names["last_name"].fillna("") + " " + names["first_name"].fillna("")).str.strip()
    for column in ("name", "unit_id", "unit", "role"):  # once per learner, then taken by code
        df[column] = names[column].to_numpy()[people]
    times, moments = pd.factorize(df["answered_at"])  # one parse per attempt, not per response
    df["answered_at"] = local_times(pd.Series(moments), zone_of(topics)).array.take(times)
    df["response"] = _response_words(df, owner)
    df["counted"] = df["counted"].astype(bool)
    df["correct"] = (df["max_score"] > 0) & (df["score"] >= df["max_score"])
    return df[RESPONSE_COLUMNS]


def _response_words(df: pd.DataFrame, owner: dict) -> np.ndarray:
    """Each response in words (`response_text`), computed once per distinct question and response."""
    questions, question_ids = pd.factorize(df["question_id"])
    answers, texts = pd.factorize(df["response"])  # NULL (blank) → -1
    pair = questions.astype(np.int64) * (len(texts) + 1) + (answers + 1)
    unique, inverse = np.unique(pair, return_inverse=True)
    topic_of = dict(zip(df["question_id"], df["assessment_id"].map(owner), strict=False))
    words = []
    for code in unique:
        qid, answer = question_ids[code // (len(texts) + 1)], code % (len(texts) + 1) - 1
        if answer < 0:
            words.append("")
            continue
        text = texts[answer]
        try:
            words.append(response_text(topic_of[qid].question(qid), json.loads(text)))
        except (ValueError, KeyError, TypeError, AttributeError):  # a question the spec no longer has: the raw text
            words.append(str(text))
    return np.asarray(words, dtype=object)[inverse.ravel()]


# The item-analysis tables by name (`--by`), merged into `tables.TABLES`.
ITEM_TABLES = {"question": question_table, "option": option_table, "response": response_table}

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
