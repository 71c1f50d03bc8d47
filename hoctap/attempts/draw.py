"""Which questions an attempt gets, and in which option order: random, but reproducible.

The release notebook lists slots, each with its candidate questions (one for a fixed question, a pool
for a draw). An attempt picks distinct questions for the slots that share a pool, and shuffles each
question's options; both follow from (learner, assessment, attempt) alone, so the same attempt always
shows the same quiz — after a reload, on another device, or when the grader checks what was asked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class Pick:
    slot: int
    question: str
    option_order: tuple[str, ...]  # option ids in display order (single, multiple, ordering)
    target_order: tuple[str, ...]  # target ids in display order (matching)


def seed_of(learner: str, assessment: str, attempt: int) -> str:
    return f"hoctap|{learner}|{assessment}|{attempt}"


def draw(
    metadata: dict, learner: str, assessment: str, attempt: int, placed: dict[int, str] | None = None
) -> list[Pick]:
    """The questions and option orders of one attempt, from the release notebook's `hoctap` metadata.

    `placed` (slot → question: answers typed in from paper) fixes those slots; the other slots of the same pool
    are drawn from the rest of it, so no question is asked twice."""
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
        drawn = iter(rng.sample(pool, len(free)) if len(candidates) > 1 else [candidates[0]] * len(free))
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
