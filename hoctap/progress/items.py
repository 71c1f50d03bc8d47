"""Item analysis, as Moodle's quiz statistics give it: per question of the bank, its facility, spread and
discrimination on the counted attempts, flagged when too hard, too easy or weak; and how often each option was
chosen (a widespread misunderstanding shows as a wrong option many chose)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from hoctap.topic import Topic, answer_text, is_correct

from .frames import (
    AUTOGRADED,
    OPTION_COLUMNS,
    QUESTION_COLUMNS,
    TOO_EASY,
    TOO_HARD,
    WEAK_DISCRIMINATION,
    read_frame,
)
from .queries import Filters, chosen, item_sums, option_counts

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


# The item-analysis tables by name (`--by`), merged into `tables.TABLES`.
ITEM_TABLES = {"question": question_table, "option": option_table}

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
