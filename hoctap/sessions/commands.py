"""`hoctap session …`: its arguments and the calls they make (cli.py adds the verb through `add_session_parser`).

    hoctap session new --topic 2021 --lesson noi-dung-1 --unit chi-bo-1 --place "Hội trường" --trainer "Lan" \
        --starts "2021-08-10 08:00" [--late-after 15] [--named]      # prints the number, the code and the join URL
    hoctap session list [--open]
    hoctap session close ID|MÃ
    hoctap session mark ID|MÃ LEARNER… [--by NAME]                   # ticked by hand
    hoctap session import ID|MÃ FILE.csv|xlsx [--by NAME]            # a signed paper list, whole or not at all
    hoctap session sheet ID|MÃ --output FILE.xlsx                    # the attendance sheet to print and file
    hoctap session filter --add W… | --remove W… | --list            # the projector's word filter

A session is named by its number (`session list` shows it) or its 6-digit join code (the newest session with that
code, an open one first). The gradebook is the course's, found like `hoctap progress` finds it (HOCTAP_HOME,
HOCTAP_DB_URL). Only the standard library is imported here, so `hoctap --help` stays quick; every call imports
what it needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CODE_DIGITS = 6  # room.CODE_DIGITS, not imported: see the module's docstring


def add_session_parser(verbs) -> None:
    """The `session` verb and its actions on the CLI's sub-parsers."""
    session = verbs.add_parser("session", help="buổi học tập, quán triệt: mã tham gia, điểm danh, danh sách ký tên")
    acts = session.add_subparsers(dest="action", required=True)
    new = acts.add_parser("new", help="mở buổi học; in số buổi, mã tham gia và đường dẫn cho điện thoại")
    new.add_argument("--topic", required=True, help="mã chuyên đề hoặc năm, ví dụ 2021")
    new.add_argument("--lesson", action="append", default=[], help="mã bài học (lặp lại được)")
    new.add_argument("--unit", default=None, help="mã đơn vị (unit_id) của danh sách học viên; bỏ trống: nhiều đơn vị")
    new.add_argument("--place", default="", help="địa điểm, ví dụ Hội trường Tỉnh ủy")
    new.add_argument("--trainer", default="", help="báo cáo viên")
    new.add_argument("--starts", required=True, help='giờ bắt đầu "YYYY-MM-DD HH:MM" (giờ Việt Nam)')
    new.add_argument("--late-after", type=int, default=15, help="sau bấy nhiêu phút thì tính là đến muộn (mặc định 15)")
    new.add_argument("--named", action="store_true", help="màn chiếu hiện tên người trả lời (mặc định: ẩn danh)")
    new.set_defaults(run=_new)
    listing = acts.add_parser("list", help="các buổi học: số buổi, mã, giờ, đơn vị, địa điểm, số có mặt")
    listing.add_argument("--open", action="store_true", help="chỉ các buổi đang mở")
    listing.set_defaults(run=_list)
    close = acts.add_parser("close", help="kết thúc buổi học: không nhận tham gia nữa")
    close.add_argument("session", metavar="ID|MÃ")
    close.set_defaults(run=_close)
    mark = acts.add_parser("mark", help="đánh dấu có mặt bằng tay (giờ hiện tại; buổi đã đóng: giờ bắt đầu)")
    mark.add_argument("session", metavar="ID|MÃ")
    mark.add_argument("learners", nargs="+", metavar="MÃ_HỌC_VIÊN")
    mark.add_argument("--by", default=None, help="người đánh dấu")
    mark.set_defaults(run=_mark)
    paper = acts.add_parser("import", help="nhập danh sách điểm danh giấy có chữ ký (CSV/XLSX: Mã học viên, Có mặt)")
    paper.add_argument("session", metavar="ID|MÃ")
    paper.add_argument("file", type=Path)
    paper.add_argument("--by", default=None, help="người nhập danh sách")
    paper.set_defaults(run=_import)
    sheet = acts.add_parser("sheet", help="danh sách điểm danh của buổi học (XLSX để in, ký và lưu)")
    sheet.add_argument("session", metavar="ID|MÃ")
    sheet.add_argument("--output", "-o", type=Path, required=True, help="tệp .xlsx ghi ra")
    sheet.set_defaults(run=_sheet)
    words = acts.add_parser("filter", help="bộ lọc từ: từ không bao giờ hiện trên màn chiếu")
    which = words.add_mutually_exclusive_group(required=True)
    which.add_argument("--add", nargs="+", metavar="TỪ", help="thêm từ")
    which.add_argument("--remove", nargs="+", metavar="TỪ", help="bỏ từ")
    which.add_argument("--list", action="store_true", help="in các từ đang lọc")
    words.set_defaults(run=_filter)


# ------------------------------------------------------------------ what each action calls


def _engine():
    from hoctap.course import course_for, existing_gradebook
    from hoctap.topic import layout

    return existing_gradebook(course_for(layout()))


def _rooms():
    from .room import Rooms

    return Rooms(_engine())


def _shown(text: str | None) -> str:
    """Stored text (names, places) safe to print at a terminal."""
    from hoctap.safety import printable

    return printable(text or "")


def _local(moment, topics=()):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(topics[0].timezone if topics else "Asia/Ho_Chi_Minh"))


def find_session(rooms, text: str):
    """The session a person names: its number, or its 6-digit join code (the newest with it, an open one first)."""
    from sqlalchemy import select

    from hoctap.errors import SessionError

    from .room import session_of
    from .tables import session

    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or digits != text.strip().replace(" ", ""):
        raise SessionError(
            f"'{text[:40]}': ghi số buổi (xem `hoctap session list`) hoặc mã tham gia {CODE_DIGITS} chữ số"
        )
    if len(digits) != CODE_DIGITS:
        return rooms.get(int(digits))
    query = (
        select(session)
        .where(session.c.code == digits)
        .order_by(session.c.closed_at.is_(None).desc(), session.c.id.desc())
        .limit(1)
    )
    with rooms.engine.connect() as db:
        row = db.execute(query).first()
    if row is None:
        raise SessionError(f"không có buổi học nào có mã {digits}")
    return session_of(row)


def _new(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from hoctap.course import learner
    from hoctap.errors import SessionError
    from hoctap.topic import parse_moment, select_topics

    from .join_code import join_url
    from .room import SessionPlan

    topic = select_topics([args.topic])[0]
    known = [lesson.id for lesson in topic.lessons]
    wrong = [x for x in args.lesson if x not in known]
    if wrong:
        raise SessionError(f"chuyên đề {topic.id} không có bài học {', '.join(wrong)}; các bài học: {', '.join(known)}")
    rooms = _rooms()
    unit = ""
    if args.unit:
        with rooms.engine.connect() as db:
            unit = db.execute(select(learner.c.unit).where(learner.c.unit_id == args.unit).limit(1)).scalar()
            units = [] if unit is not None else sorted(set(db.execute(select(learner.c.unit_id)).scalars()))
        if unit is None:
            raise SessionError(f"danh sách học viên không có đơn vị {args.unit}; các đơn vị: {', '.join(units[:30])}")
    starts = parse_moment(args.starts, topic.timezone, "--starts")
    plan = SessionPlan(topic.id, tuple(args.lesson), args.unit or None, unit, args.place, args.trainer, starts,
                       args.late_after, "named" if args.named else "anonymous")  # fmt: skip
    found = rooms.open(plan)
    print(f"đã mở buổi học số {found.id} — mã tham gia {found.code}")
    print(f"đường dẫn cho điện thoại: {join_url(found.code)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from hoctap.topic import all_topics

    rooms = _rooms()
    topics = all_topics()
    found = rooms.sessions(open_only=args.open)
    for s in found:
        where = "; ".join(_shown(x) for x in (s.unit or ("nhiều đơn vị" if s.unit_id is None else s.unit_id), s.place))
        state = "đang mở" if s.is_open else "đã đóng"
        print(f"{s.id}\t{s.code}\t{_local(s.starts_at, topics):%d/%m/%Y %H:%M}\t{where}\t{_shown(s.trainer)}\t"
              f"{rooms.count(s.id)} có mặt\t{state}")  # fmt: skip
    print(f"{len(found)} buổi học", file=sys.stderr)
    return 0


def _close(args: argparse.Namespace) -> int:
    rooms = _rooms()
    found = find_session(rooms, args.session)
    rooms.close(found.id)
    print(f"đã đóng buổi học số {found.id} (mã {found.code}): {rooms.count(found.id)} người có mặt")
    return 0


def _mark(args: argparse.Namespace) -> int:
    from hoctap.errors import SessionError

    from .paper_list import roster_names

    rooms = _rooms()
    found = find_session(rooms, args.session)
    names = roster_names(rooms.engine)
    ids = list(dict.fromkeys(x.strip().lower() for x in args.learners))
    unknown = [x for x in ids if x not in names]
    if unknown:  # nobody is marked when one id is wrong: the trainer types the list again
        shown = ", ".join(_shown(x[:40]) for x in unknown[:10])
        raise SessionError(f"không có trong danh sách học viên: {shown}; chưa đánh dấu ai")
    at = None if found.is_open else found.starts_at
    topics = _topics_of(found)
    for p in rooms.mark(found.id, ids, how="hand", by=args.by, at=at):
        again = "" if p.how == "hand" and p.marked_by == args.by else f" (đã điểm danh trước đó: {p.how})"
        late = " — đến muộn" if p.late else ""
        print(f"{p.student_id} {_shown(names[p.student_id])}: có mặt lúc {_local(p.joined_at, topics):%H:%M %d/%m/%Y}"
              f"{late}{again}")  # fmt: skip
    return 0


def _topics_of(found):
    from hoctap.topic import all_topics

    return [t for t in all_topics() if t.id == found.topic_id]


def _import(args: argparse.Namespace) -> int:
    from .paper_list import import_paper_list

    rooms = _rooms()
    found = find_session(rooms, args.session)
    before = {p.student_id for p in rooms.present(found.id)}
    marked = import_paper_list(rooms, found.id, args.file, by=args.by)  # AttendanceListError: every line, none marked
    already = sum(1 for p in marked if p.student_id in before)
    print(f"{args.file}: {len(marked)} người có mặt theo danh sách ký tên ({already} đã điểm danh trước đó); "
          f"buổi học số {found.id} có {rooms.count(found.id)} người có mặt")  # fmt: skip
    return 0


def _sheet(args: argparse.Namespace) -> int:
    from hoctap.report import attendance_sheet

    rooms = _rooms()
    found = find_session(rooms, args.session)
    data = attendance_sheet(rooms.engine, found.id, _topics_of(found))
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"đã ghi {out}: danh sách điểm danh buổi học số {found.id} (mã {found.code})")
    return 0


def _filter(args: argparse.Namespace) -> int:
    from .word_filter import WordFilter

    words = WordFilter(_engine())
    if args.add:
        added = words.add(args.add)
        print(f"đã thêm {len(added)} từ: {', '.join(added) or '(đã có sẵn)'}")
    elif args.remove:
        print(f"đã bỏ {words.remove(args.remove)} từ")
    else:
        for word in words.words():
            print(word)
    return 0
