"""A moment as people type it on the command line (`--at`), in the topic's time zone unless they say otherwise."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hoctap.errors import HoctapError

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def parse_moment(text: str | None, zone: str = DEFAULT_ZONE, option: str = "--at") -> dt.datetime | None:
    """`2022-01-15` / `2022-01-15T08:00` / `2022-01-15T08:00+07:00`: an aware moment; without an offset, in `zone`
    (the topic's). None when not given; one line naming `option` when it cannot be read."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise HoctapError(
            f"{option}: không hiểu thời điểm {text!r}; viết như 2022-01-15, 2022-01-15T08:00 hoặc "
            "2022-01-15T08:00+07:00 (giờ và phút hai chữ số)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))
