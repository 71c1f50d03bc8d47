"""The `hoctap` command: parses arguments and calls the core, nothing more."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hoctap.errors import HoctapError, SpecError


def _topic_check(args: argparse.Namespace) -> int:
    from hoctap.topic import check_file

    failed = False
    for file in args.files:
        result = check_file(file, args.source_dir)
        for note in result.notes:
            print(note, file=sys.stderr)
        for problem in result.problems:
            print(problem)
        for warning in result.warnings:
            print(f"cảnh báo / warning: {warning}")
        failed |= bool(result.problems)
        if not result.problems:
            print(f"{file}: hợp lệ / OK", file=sys.stderr)
    return 1 if failed else 0


def _topic_new(args: argparse.Namespace) -> int:
    from hoctap.topic import layout, write_new_spec

    folder = args.out or layout().topics
    path = write_new_spec(args.year, args.title, folder, args.base, force=args.force)
    print(f"Đã tạo {path}: điền các chỗ TODO rồi chạy `hoctap topic check {path}`.")
    return 0


def _build(args: argparse.Namespace) -> int:
    from hoctap.build import build

    report = build(check=args.check)
    for topic_id in report.skipped:
        print(f"bỏ qua đặc tả nháp (draft): {topic_id}", file=sys.stderr)
    if args.check:
        for path in report.stale:
            print(f"{path}: khác với kết quả dựng từ đặc tả; chạy `hoctap build` rồi commit")
        for path in report.removed:
            print(f"{path}: không còn đặc tả nào tạo ra tệp này; chạy `hoctap build` để xoá")
        return 0 if report.clean else 1
    for path in report.written:
        print(f"đã ghi {path}")
    for path in report.removed:
        print(f"đã xoá {path}")
    print(f"{len(report.written)} tệp được ghi, {len(report.unchanged)} tệp không đổi.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from hoctap.serve import serve

    extra = [f"--LearnerKernelManager.max_kernels={args.max_kernels}"] if args.max_kernels else []
    extra += [f"--LearnerVoila.session_pool={args.session_pool}"] if args.session_pool is not None else []
    return serve(
        host=args.host,
        learner_port=args.learner_port,
        lab_port=args.lab_port,
        only=args.only,
        learner_args=extra,
        pool=args.pool,
    )


def _topics(topic_id: str | None):
    from hoctap.topic import layout, load_topic

    where = layout()
    paths = [where.topic_path(topic_id)] if topic_id else where.topic_files()
    return [t for t in (load_topic(p) for p in paths) if not t.draft]


def _course():
    from hoctap.course import course_for
    from hoctap.topic import layout

    return course_for(layout())


def _staff_add(args: argparse.Namespace) -> int:
    from hoctap.hub import add_instructor

    code = add_instructor(_course().db_url, args.name)
    print(f"giảng viên {args.name}: mã truy cập {code} (chỉ hiện một lần; chạy lại để cấp mã mới)")
    print(f"instructor {args.name}: access code {code} (shown once; run again for a new one)")
    return 0


def _roster_import(args: argparse.Namespace) -> int:
    from hoctap.course import import_file, roles_from_topics
    from hoctap.topic import layout

    course = _course()
    codes = args.codes or layout().root / "var" / "access-codes.csv"
    reissue = True if args.reissue else set(args.reissue_for or [])
    report = import_file(args.file, course.db_url, codes, roles=roles_from_topics(_topics(args.topic)), reissue=reissue)
    for line in report.lines():
        print(line)
    return 0


def _course_release(args: argparse.Namespace) -> int:
    from hoctap.course import release_course

    for assessment_id in release_course(_course(), _topics(args.topic), args.assessments):
        print(f"đã phát hành / released {assessment_id}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from hoctap.grading import Grader

    grader = Grader(_course(), name=args.name)
    if args.watch:
        print("Đang chờ bài nộp để chấm (Ctrl-C để dừng) / grading as submissions arrive", file=sys.stderr, flush=True)
        grader.show = lambda line: print(line, flush=True)  # every few seconds while there is work
        grader.watch(args.interval)
        return 0
    report = grader.run_once()
    print(grader.progress.line(grader.attempts.waiting(), force=True))
    return 1 if report.failed else 0


def _submit(args: argparse.Namespace) -> int:
    """Answers from paper: the same checks and path as the learner app, at the time the paper was handed in."""
    from hoctap.attempts import submit_paper_file

    attempt = submit_paper_file(_course(), args.learner, args.assessment, args.answers, args.at)
    late = " (nộp muộn / late)" if attempt.late else ""
    print(
        f"đã nộp lần {attempt.number} của {attempt.student_id} cho {args.assessment}{late}; chạy `hoctap grade` để chấm"
    )
    return 0


def _gradebook():
    from hoctap.course import existing_gradebook

    return existing_gradebook(_course())


def _rebuild_standing() -> int:
    """`hoctap progress --rebuild`: the standing rows recomputed from the attempts, then proved equal to them."""
    from hoctap.attempts import Attempts, rebuild_standing, standing_differences

    engine = Attempts(_gradebook()).engine  # the tables exist (a gradebook made before them gets them here)
    rows = rebuild_standing(engine)
    wrong = standing_differences(engine)
    if wrong:  # attempts moved during the rebuild: say which, a second run settles them
        shown = ", ".join(f"{who}/{what}: {column}" for who, what, column in wrong[:5])
        print(f"lỗi: {len(wrong)} dòng tiến độ chưa khớp với các lần làm bài ({shown}); chạy lại lệnh", file=sys.stderr)
        return 1
    print(f"đã tính lại {rows} dòng tiến độ (học viên × bài) từ các lần làm bài; khớp hoàn toàn", file=sys.stderr)
    return 0


def _progress(args: argparse.Namespace) -> int:
    from hoctap.progress import Filters, progress_table, table_bytes, write_table
    from hoctap.topic import parse_moment, select_topics

    if args.rebuild:
        return _rebuild_standing()
    topics = select_topics(args.topic)
    filters = Filters(units=args.unit, roles=args.role, assessments=args.assessment)
    df = progress_table(args.by, _gradebook(), topics, filters, parse_moment(args.at), args.learner)
    # People open the text table and the XLSX: words by default; CSV and JSON feed scripts: ids by default.
    labels = {"labels": args.labels or ("vi" if args.format in ("table", "xlsx") else "ids"), "table": args.by}
    if args.out:
        write_table(df, args.format, args.out, topics=topics, **labels)
        print(f"đã ghi {args.out} ({len(df)} dòng)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(table_bytes(df, args.format, topics=topics, **labels))
    return 0


def _report(args: argparse.Namespace) -> int:
    from hoctap.report import write_report
    from hoctap.topic import layout, parse_moment

    if args.year is None and args.review is None:
        raise HoctapError("chọn --year NĂM (báo cáo năm) hoặc --review 3y|5y --from NĂM (sơ kết, tổng kết)")
    if args.review and args.start is None:
        raise HoctapError("--review cần --from NĂM: năm đầu của giai đoạn, ví dụ --review 3y --from 2021")
    out = args.out or layout().root / "var" / "reports"
    paths = write_report(
        _gradebook(), year=args.year, review=args.review, start=args.start, out_dir=out, now=parse_moment(args.at)
    )
    for path in paths:
        print(f"đã ghi {path}")
    return 0


# `hoctap progress --by`: hoctap.progress.TABLES and the history (not imported here: every command would load pandas).
PROGRESS_TABLES = "learner unit role assessment question option response timeline commitment history".split()
PROGRESS_TABLES += ["session", "attendance", "studyunit", "studyrole"]  # live study sessions


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hoctap", description="Bộ công cụ học tập chuyên đề / study-programme kit")
    verbs = top.add_subparsers(dest="verb", required=True)

    topic = verbs.add_parser("topic", help="đặc tả chuyên đề / topic specs").add_subparsers(
        dest="action", required=True
    )
    check = topic.add_parser("check", help="kiểm tra đặc tả: mỗi lỗi một dòng FILE:LINE: field: lỗi")
    check.add_argument("files", nargs="+", type=Path)
    check.add_argument("--source-dir", type=Path, default=None, help="thư mục chứa văn bản nguồn")
    check.set_defaults(run=_topic_check)
    new = topic.add_parser("new", help="tạo đặc tả chuyên đề năm mới để điền")
    new.add_argument("year", type=int)
    new.add_argument("--title", required=True)
    new.add_argument("--from", dest="base", type=Path, default=None, help="đặc tả năm trước để dùng lại")
    new.add_argument("--out", type=Path, default=None, help="thư mục ghi (mặc định data/topics)")
    new.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
    new.set_defaults(run=_topic_new)

    build = verbs.add_parser("build", help="dựng bài học (lessons/) và lược đồ từ đặc tả")
    build.add_argument("--check", action="store_true", help="chỉ kiểm tra; thoát 1 nếu khác đặc tả")
    build.set_defaults(run=_build)

    roster = verbs.add_parser("roster", help="danh sách học viên / roster").add_subparsers(dest="action", required=True)
    imp = roster.add_parser("import", help="nhập danh sách (CSV/XLSX: mã, họ và tên, đơn vị, vai trò, email)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--topic", default=None, help="chuyên đề có các vai trò (mặc định: mọi chuyên đề)")
    imp.add_argument("--codes", type=Path, default=None, help="tệp ghi mã truy cập (mặc định var/access-codes.csv)")
    imp.add_argument("--reissue", action="store_true", help="cấp lại mã cho mọi học viên")
    imp.add_argument("--reissue-for", action="append", metavar="ID", help="cấp lại mã cho một học viên")
    imp.set_defaults(run=_roster_import)

    staff = verbs.add_parser("staff", help="tài khoản giảng viên trên JupyterHub / instructors' hub accounts")
    staff_add = staff.add_subparsers(dest="action", required=True).add_parser(
        "add", help="tạo tài khoản giảng viên (hoặc cấp mã mới) / add an instructor (or give a new code)"
    )
    staff_add.add_argument("name", help="tên đăng nhập: a-z, 0-9, . _ - (ví dụ gv-tuyengiao)")
    staff_add.set_defaults(run=_staff_add)

    course = verbs.add_parser("course", help="khoá học nbgrader / the nbgrader course").add_subparsers(
        dest="action", required=True
    )
    release = course.add_parser(
        "release", help="tạo gradebook và phát hành bài kiểm tra (nbgrader generate_assignment)"
    )
    release.add_argument("assessments", nargs="*", help="mã bài (mặc định: tất cả)")
    release.add_argument("--topic", default=None)
    release.set_defaults(run=_course_release)

    grade = verbs.add_parser("grade", help="chấm các bài đã nộp (một lần, hoặc --watch)")
    grade.add_argument("--watch", action="store_true", help="chấm liên tục khi có bài nộp (in tiến độ mỗi 5 giây)")
    grade.add_argument("--interval", type=float, default=0.5, help="giây giữa hai lần xem hàng đợi")
    grade.add_argument("--name", default=None, help="tên trình chấm (mỗi trình chấm chạy song song một tên)")
    grade.set_defaults(run=_grade)

    submit = verbs.add_parser("submit", help="nhập bài làm trên giấy: LEARNER ASSESSMENT answers.json")
    submit.add_argument("learner")
    submit.add_argument("assessment")
    submit.add_argument("answers", type=Path, help='{"mã câu hỏi": câu trả lời} hoặc {"text": "bản cam kết"}')
    submit.add_argument("--at", default=None, help="thời điểm nộp bài giấy, ví dụ 2021-09-15T10:00+07:00")
    submit.set_defaults(run=_submit)

    progress = verbs.add_parser("progress", help="bảng tiến độ học tập từ gradebook (README: tên cột)")
    progress.add_argument(
        "--by",
        default="unit",
        choices=PROGRESS_TABLES,
    )
    progress.add_argument("--topic", action="append", help="mã chuyên đề hoặc năm (lặp lại được; mặc định: tất cả)")
    progress.add_argument("--unit", action="append", help="mã đơn vị (unit_id), lặp lại được")
    progress.add_argument("--role", action="append", help="vai trò, lặp lại được")
    progress.add_argument("--assessment", action="append", help="mã bài kiểm tra, lặp lại được")
    progress.add_argument("--learner", default=None, help="mã học viên (cho --by history)")
    progress.add_argument(
        "--rebuild", action="store_true", help="tính lại các dòng tiến độ từ các lần làm bài và kiểm tra khớp"
    )
    progress.add_argument("--format", default="table", choices=["table", "csv", "xlsx", "json"])
    progress.add_argument(
        "--labels",
        choices=["vi", "en", "ids"],
        default=None,
        help="tên cột và giá trị: vi (tiếng Việt), en (English), ids (mã ổn định cho máy); mặc định vi cho bảng "
        "và XLSX, ids cho CSV và JSON / headers and values for people or ids for scripts",
    )
    progress.add_argument("--out", type=Path, default=None, help="tệp ghi (mặc định: in ra màn hình)")
    progress.add_argument("--at", default=None, help="tính tình trạng tại thời điểm này (mặc định: bây giờ)")
    progress.set_defaults(run=_progress)

    report = verbs.add_parser("report", help="báo cáo năm, sơ kết 3 năm, tổng kết 5 năm (XLSX + HTML)")
    report.add_argument("--year", type=int, default=None, help="báo cáo năm, ví dụ 2021")
    report.add_argument("--review", choices=["3y", "5y"], default=None, help="sơ kết (3y) hoặc tổng kết (5y)")
    report.add_argument("--from", dest="start", type=int, default=None, help="năm đầu của giai đoạn sơ kết/tổng kết")
    report.add_argument("--out", type=Path, default=None, help="thư mục ghi (mặc định var/reports)")
    report.add_argument("--at", default=None, help="số liệu tại thời điểm này (mặc định: bây giờ)")
    report.set_defaults(run=_report)

    from hoctap.sessions import add_session_parser  # its arguments and calls: hoctap/sessions/commands.py

    add_session_parser(verbs)  # `hoctap session new|list|close|mark|import|sheet|filter`

    serve = verbs.add_parser("serve", help="phục vụ bài học (Voila, 8866) và JupyterLab (8888)")
    serve.add_argument("--host", default="127.0.0.1", help="0.0.0.0 để học viên trong phòng truy cập")
    serve.add_argument("--learner-port", type=int, default=8866)
    serve.add_argument("--lab-port", type=int, default=8888)
    serve.add_argument("--only", choices=["learner", "lab"], default=None)
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="số nhân (kernel) tối đa của máy chủ học viên, kể cả nhân chờ sẵn (mặc định 300); quá số này học viên "
        "thấy trang “Máy chủ đang bận”",
    )
    serve.add_argument(
        "--pool",
        type=int,
        default=None,
        help="số nhân chờ sẵn đã chạy bài kiểm tra (mặc định: một mỗi lõi CPU, ít nhất 2) / pre-heated quiz kernels",
    )
    serve.add_argument(
        "--session-pool",
        type=int,
        default=None,
        help="số nhân chờ sẵn cho trang Tham gia buổi học (mặc định 1; Voila khởi động cả nhóm cùng lúc: không quá "
        "2 nhân mỗi lõi CPU) / pre-heated join-page kernels (at most 2 per core: Voila starts them all at once)",
    )
    serve.set_defaults(run=_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except SpecError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except HoctapError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an unforeseen input: one line for the person, the traceback in the log
        if os.environ.get("HOCTAP_DEBUG") == "1":
            raise
        where = _log_traceback(argv if argv is not None else sys.argv[1:])
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        print(
            f"lỗi không lường trước ({type(exc).__name__}{': ' + first if first else ''}); chi tiết ghi ở {where} — "
            "hãy gửi tệp này cho người phụ trách kỹ thuật / unexpected error, details in that file",
            file=sys.stderr,
        )
        return 2


def _log_traceback(argv: list[str]) -> str:
    """Append the current exception's traceback to `var/log/hoctap-errors.log` of the kit; where it went."""
    import datetime as dt
    import traceback

    try:
        from hoctap.topic import layout

        path = layout().root / "var" / "log" / "hoctap-errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} hoctap {' '.join(argv)}\n")
            log.write(traceback.format_exc())
        return str(path)
    except Exception:  # noqa: BLE001 - no log to write: say so, still in one line
        return "(không ghi được nhật ký; chạy lại với HOCTAP_DEBUG=1 để xem)"


if __name__ == "__main__":
    sys.exit(main())
