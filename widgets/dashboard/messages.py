"""What the dashboard says when something fails: one Vietnamese line on the page (`sentence`, `gradebook_message`),
and for the unexpected, a fixed line there and the traceback in the server log (`log`)."""

from __future__ import annotations

import logging
import sys

from widgets.sentences import sentence as _sentence

UNEXPECTED = "Bảng tiến độ gặp lỗi khi đọc dữ liệu; hãy thử “Tải lại”, nếu vẫn lỗi hãy xem nhật ký máy chủ."

log = logging.getLogger("hoctap.progress_app")
if not log.handlers:
    handler = logging.StreamHandler(sys.__stderr__)  # the server log: sys.stderr in a kernel goes to the browser
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False


def sentence(text: object) -> str:
    """An error's first line as a sentence (`widgets.sentences`); the app's fixed sentence when it says nothing."""
    return _sentence(text, UNEXPECTED)


def gradebook_message(error: Exception, db_url: str) -> str:
    """A database error as one line naming the gradebook and the likely fix."""
    from hoctap.course import safe_url

    cause: BaseException | None = error
    while cause is not None and getattr(cause, "orig", None) is None:  # pandas wraps SQLAlchemy's error
        cause = cause.__cause__
    origin = cause.orig if cause is not None else error  # the driver's own words, without the SQL
    text = next((line.strip() for line in str(origin).splitlines() if line.strip()), type(origin).__name__)
    where = safe_url(db_url)
    if "no such table" in text or "does not exist" in text:
        return (
            f"Sổ điểm {where} chưa đủ bảng ({text}): hãy phát hành bài (`hoctap course release`) và nhập danh "
            "sách học viên (`hoctap roster import`)."
        )
    return f"Không đọc được sổ điểm {where}: {text}."
