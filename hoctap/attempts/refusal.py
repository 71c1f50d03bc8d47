"""The server's refusal of a learner's request, as one Vietnamese sentence."""

from __future__ import annotations

from hoctap.errors import HoctapError


class RefusedError(HoctapError):
    """The server refuses: closed, not assigned, no attempts left, time is up, or not this learner's attempt."""
