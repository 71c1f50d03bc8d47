"""The learner server's waiting line: page loads that arrive while the machine is already starting as many kernels
as it can at once wait their turn on a small page showing their place, first come first served.

Why a line and not Voila's spinner: on 2 cores, forty kernels starting together share the CPU and all forty learners
wait the whole burst (24 to 26 s each for six learners before); started a few at a time, the first ones get their
screen in seconds and everyone sees how many are ahead. The page holds no script: it reloads itself (meta refresh,
like the busy page) with the learner's ticket in its URL, and the server answers each reload with the place now, or
with the app when the turn has come.

Nothing is lost and nobody waits forever: a ticket is a random token (a place cannot be guessed or taken), the line
only moves forward (a ticket leaves it when its page goes in, or when it has not been seen for `expire_after` s: a
closed tab), and every admission frees a place for the next one. A token the line does not know (expired, made up)
joins at the back, as a new arrival would. The page is built here from fixed text and two numbers; the only value
from the request (its path and arguments, in the reload URL) is escaped.
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlencode

from .plain_pages import plain_page

TICKET_ARG = "hang-cho"  # the query argument carrying a learner's ticket ("waiting line")
REFRESH = 1  # seconds the waiting page stays before it reloads (the server holds each reload, kernel_cap.HOLD)
EXPIRE_AFTER = 20  # seconds without a reload before a ticket leaves the line (several missed reloads: a closed tab)


class WaitingLine:
    """Tickets in arrival order, each with when it was last seen."""

    def __init__(self, expire_after: float = EXPIRE_AFTER, clock: Callable[[], float] = time.monotonic):
        self.expire_after = expire_after
        self._clock = clock
        self._seen: dict[str, float] = {}  # token -> last seen; a dict keeps arrival order

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, token: object) -> bool:
        return token in self._seen

    def join(self) -> str:
        """A new ticket at the back of the line."""
        token = secrets.token_urlsafe(12)
        self._seen[token] = self._clock()
        return token

    def ahead(self, token: str | None) -> int:
        """How many tickets are ahead of `token` (all of them for a page load without a ticket)."""
        if token not in self._seen:
            return len(self._seen)
        for index, other in enumerate(self._seen):
            if other == token:
                return index
        raise AssertionError("unreachable")

    def seen(self, token: str) -> None:
        self._seen[token] = self._clock()  # an existing key keeps its place in the dict

    def leave(self, token: str | None) -> None:
        self._seen.pop(token, None)

    def expire(self) -> None:
        """Drop the tickets not seen for `expire_after` s (their tabs are closed)."""
        limit = self._clock() - self.expire_after
        for token in [t for t, seen in self._seen.items() if seen < limit]:
            del self._seen[token]


def reload_url(path: str, arguments: dict[str, list[bytes]], token: str) -> str:
    """The page's own URL with its arguments and the ticket (replacing any older ticket)."""
    pairs = [(k, v.decode("utf-8", "replace")) for k, values in arguments.items() if k != TICKET_ARG for v in values]
    return f"{path}?{urlencode([*pairs, (TICKET_ARG, token)])}"


def queue_page(place: int, url: str) -> str:
    """The waiting page: the learner's place (1 = next), reloading itself to `url` after REFRESH s."""
    return plain_page("queue.html", place=int(place), refresh=REFRESH, url=html.escape(url, quote=True))
