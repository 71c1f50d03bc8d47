"""Windows, audiences, attempts and time limits: the server's refusals, as a table."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hoctap.attempts.windows import State, expired, time_left, window
from hoctap.topic.model import Assessment

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIZ = Assessment.model_validate(
    {
        "id": "2030-quiz",
        "title": "Quiz",
        "kind": "quiz",
        "roles": ["dang-vien"],
        "opens": "2030-05-01T07:00:00",
        "due": "2030-09-30T23:59:00",
        "closes": "2030-10-31T23:59:00",
        "attempts": 2,
        "questions": ["q1"],
    }
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.mark.parametrize(
    ("role", "now", "used", "state"),
    [
        ("khong-dang-vien", "2030-06-01T08:00", 0, State.not_assigned),
        ("dang-vien", "2030-05-01T06:59", 0, State.not_open),
        ("dang-vien", "2030-05-01T07:00", 0, State.open),
        ("dang-vien", "2030-09-30T23:59", 1, State.open),
        ("dang-vien", "2030-10-01T00:00", 0, State.late),
        ("dang-vien", "2030-10-31T23:59", 0, State.closed),
        ("dang-vien", "2030-06-01T08:00", 2, State.exhausted),
        ("dang-vien", "2030-11-01T08:00", 2, State.closed),  # closed says more than exhausted
    ],
)
def test_window(role, now, used, state):
    w = window(QUIZ, role=role, unit="chi-bo-a", now=at(now), attempts_used=used)
    assert w.state == state
    assert w.accepting == (state in (State.open, State.late))
    assert w.message()


def test_naive_spec_times_are_vietnam_time_whatever_the_clock_zone():
    utc_now = dt.datetime(2030, 5, 1, 0, 30, tzinfo=dt.UTC)  # 07:30 in Vietnam
    assert window(QUIZ, role="dang-vien", unit="x", now=utc_now, attempts_used=0).state == State.open


def test_units_filter():
    only_a = QUIZ.model_copy(update={"units": ["chi-bo-a"]})
    assert window(only_a, role="dang-vien", unit="chi-bo-b", now=at("2030-06-01T08:00"), attempts_used=0).state == (
        State.not_assigned
    )


def test_time_limit_with_grace():
    start = at("2030-06-01T08:00")
    assert time_left(start, None, start) is None
    assert time_left(start, 30, at("2030-06-01T08:10")) == dt.timedelta(minutes=20)
    assert not expired(start, 30, at("2030-06-01T08:30:20"))
    assert expired(start, 30, at("2030-06-01T08:31"))
    assert not expired(start, None, at("2031-01-01T00:00"))
