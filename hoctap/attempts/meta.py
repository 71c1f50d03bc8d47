"""An assessment's rules and questions as its release notebook carries them (no key: learners' kernels read it).

The release notebook's `metadata.hoctap` (written by `hoctap.build`) holds everything the server enforces; it is
read as plain JSON, never through the spec (which holds the keys) or nbformat (whose validation costs memory).
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from hoctap.course import Course

from .refusal import RefusedError


def release_metadata(course: Course, assessment_id: str) -> dict:
    """The assessment's `hoctap` metadata (read-only: callers share it). Read again only when the release notebook
    changes: every saved answer needs it, and a room of learners saves every few seconds."""
    path = course.release_notebook(assessment_id)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RefusedError(f"bài '{assessment_id}' chưa được phát hành") from None
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read(path: str, _mtime_ns: int, _size: int) -> dict:
    with open(path, encoding="utf-8") as f:  # plain JSON: nbformat's validation costs the learner's kernel memory
        return json.load(f)["metadata"]["hoctap"]


class Rules:
    """The assessment's rules as the release metadata carries them (the Assessment model's fields)."""

    def __init__(self, meta: dict):
        self.roles, self.units = meta["roles"], meta["units"]
        self.skip_units = meta.get("skip_units", [])
        self.opens = dt.datetime.fromisoformat(meta["opens"])
        self.due = dt.datetime.fromisoformat(meta["due"])
        self.closes = dt.datetime.fromisoformat(meta["closes"]) if meta["closes"] else None
        self.attempts = meta["attempts"]
