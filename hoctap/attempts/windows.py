"""May this learner start (or submit) this assessment now? One pure function, used by the app and the server.

The answer is a `Window`: a state, the deadline that applies, attempts left, and a Vietnamese sentence
to show. Closed assessments, exhausted attempts and expired time limits are refused here, server side;
work after the due date but before the close is accepted and flagged late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the rules read any object with the Assessment's fields (learner kernels skip pydantic)
    from hoctap.topic import Assessment


class State(StrEnum):
    not_assigned = "not-assigned"  # the learner's role or unit is not in the audience
    not_open = "not-open"
    open = "open"
    late = "late"  # past due, not closed: accepted, flagged
    closed = "closed"
    exhausted = "exhausted"  # no attempts left


ACCEPTING = {State.open, State.late}


@dataclass(frozen=True)
class Window:
    state: State
    opens: dt.datetime
    due: dt.datetime
    closes: dt.datetime | None
    attempts_left: int

    @property
    def accepting(self) -> bool:
        return self.state in ACCEPTING

    def message(self) -> str:
        when = {
            State.not_assigned: "Bài này không dành cho đơn vị hoặc vai trò của anh/chị.",
            State.not_open: f"Bài mở lúc {fmt(self.opens)}.",
            State.open: f"Hạn nộp: {fmt(self.due)}. Còn {self.attempts_left} lần làm.",
            State.late: f"Đã quá hạn {fmt(self.due)}: bài nộp bây giờ bị ghi là nộp muộn.",
            State.closed: f"Bài đã đóng lúc {fmt(self.closes)}: không nhận bài nữa." if self.closes else "Bài đã đóng.",
            State.exhausted: "Anh/chị đã dùng hết số lần làm bài.",
        }
        return when[self.state]


def fmt(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M ngày %d/%m/%Y") if moment else ""


def localize(moment: dt.datetime, timezone: str) -> dt.datetime:
    """A spec's time without a zone is the province's local time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def window(
    a: Assessment, *, role: str, unit: str, now: dt.datetime, attempts_used: int, timezone: str = "Asia/Ho_Chi_Minh"
) -> Window:
    """Where `now` falls for this learner: assigned? open? late? closed? attempts left?"""
    zone = ZoneInfo(timezone)
    opens, due = localize(a.opens, timezone), localize(a.due, timezone)
    closes = localize(a.closes, timezone) if a.closes else None
    now = now.astimezone(zone)
    left = max(a.attempts - attempts_used, 0)

    def at(state: State) -> Window:
        return Window(state, opens.astimezone(zone), due.astimezone(zone), closes and closes.astimezone(zone), left)

    # `skip_units`: units whose choice of contents this year (L39) leaves this assessment out (release metadata).
    if (a.roles and role not in a.roles) or (a.units and unit not in a.units) or unit in getattr(a, "skip_units", ()):
        return at(State.not_assigned)
    if now < opens:
        return at(State.not_open)
    if closes is not None and now >= closes:
        return at(State.closed)
    if left == 0:
        return at(State.exhausted)
    return at(State.late if now > due else State.open)


def time_left(started: dt.datetime, limit_minutes: int | None, now: dt.datetime) -> dt.timedelta | None:
    """What remains of an attempt's time limit (None when there is no limit; negative once expired)."""
    if limit_minutes is None:
        return None
    return started + dt.timedelta(minutes=limit_minutes) - now


# A submission arriving just after the limit (network, a slow click) is still taken: grace, in seconds.
GRACE_SECONDS = 30


def expired(started: dt.datetime, limit_minutes: int | None, now: dt.datetime) -> bool:
    left = time_left(started, limit_minutes, now)
    return left is not None and left < -dt.timedelta(seconds=GRACE_SECONDS)
