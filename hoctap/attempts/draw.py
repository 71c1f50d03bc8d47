"""Which questions an attempt gets, and in which option order: random, but reproducible.

The release notebook lists slots, each with its candidate questions (one for a fixed question, a pool
for a draw). An attempt picks distinct questions for the slots that share a pool, and shuffles each
question's options; both follow from (learner, assessment, attempt, questions seen in earlier attempts), and
the attempt's picks are stored when it starts, so the same attempt always shows the same quiz — after a reload,
on another device, or when the grader checks what was asked. A retake prefers questions not seen before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import groupby

from .refusal import RefusedError


@dataclass(frozen=True)
class Pick:
    slot: int
    question: str
    option_order: tuple[str, ...]  # option ids in display order (single, multiple, ordering)
    target_order: tuple[str, ...]  # target ids in display order (matching)


def seed_of(learner: str, assessment: str, attempt: int) -> str:
    return f"hoctap|{learner}|{assessment}|{attempt}"


def draw(
    metadata: dict,
    learner: str,
    assessment: str,
    attempt: int,
    placed: dict[int, str] | None = None,
    seen: set[str] | frozenset[str] = frozenset(),
) -> list[Pick]:
    """The questions and option orders of one attempt, from the release notebook's `hoctap` metadata.

    `placed` (slot → question: answers typed in from paper) fixes those slots; the other slots of the same pool
    are drawn from the rest of it, so no question is asked twice. `seen` (questions of the learner's earlier
    attempts) are drawn only when the pool has too few others: a retake tests again instead of repeating."""
    seed = seed_of(learner, assessment, attempt)
    rng = random.Random(seed)  # str seeds are hashed with SHA-512: stable across runs and machines
    questions = metadata["questions"]
    placed = placed or {}
    picks: list[Pick] = []
    for candidates, group in groupby(metadata["slots"], key=lambda s: tuple(s["candidates"])):
        slots = list(group)
        taken = {s["slot"]: placed[s["slot"]] for s in slots if s["slot"] in placed}
        free = [s for s in slots if s["slot"] not in taken]
        pool = [c for c in candidates if c not in taken.values()]
        drawn = iter(_sample(rng, pool, len(free), seen) if len(candidates) > 1 else [candidates[0]] * len(free))
        chosen = [taken[s["slot"]] if s["slot"] in taken else next(drawn) for s in slots]
        for slot, qid in zip(slots, chosen, strict=True):
            q = questions[qid]
            order = random.Random(f"{seed}|{qid}")
            options = [o["id"] for o in q.get("options", [])]
            targets = [o["id"] for o in q.get("targets", [])]
            order.shuffle(options)
            order.shuffle(targets)
            picks.append(Pick(slot["slot"], qid, tuple(options), tuple(targets)))
    return picks


def _sample(rng: random.Random, pool: list[str], count: int, seen: set[str] | frozenset[str]) -> list[str]:
    """`count` questions of `pool`, unseen ones first; the order is random either way."""
    fresh = [q for q in pool if q not in seen]
    if len(fresh) >= count:
        return rng.sample(fresh, count)
    chosen = fresh + rng.sample([q for q in pool if q in seen], count - len(fresh))
    rng.shuffle(chosen)
    return chosen


def pick_of(meta: dict, drawn, paper_question: str | None) -> dict:
    """One slot of a new attempt: the drawn question (shuffled options), or the paper's (options as printed)."""
    if paper_question is None:
        return {
            "slot": drawn.slot,
            "question": drawn.question,
            "options": list(drawn.option_order),
            "targets": list(drawn.target_order),
        }
    q = meta["questions"][paper_question]
    return {
        "slot": drawn.slot,
        "question": paper_question,
        "options": [o["id"] for o in q["options"]],
        "targets": [o["id"] for o in q["targets"]],
    }


def place_questions(meta: dict, questions: list[str]) -> dict[int, str]:
    """slot → question for questions answered on paper: each goes to the first free slot that can hold it."""
    placed: dict[int, str] = {}
    for qid in questions:
        slot = next((s["slot"] for s in meta["slots"] if qid in s["candidates"] and s["slot"] not in placed), None)
        if slot is None:
            raise RefusedError(f"câu hỏi {qid} không thuộc bài này (hoặc nhiều câu hơn số chỗ có thể chứa nó)")
        placed[slot] = qid
    return placed
