"""The `hoctap` command: parses arguments and calls the core, nothing more."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import HoctapError, SpecError


def _topic_check(args: argparse.Namespace) -> int:
    from .check import check_file

    failed = False
    for file in args.files:
        result = check_file(file, args.source_dir)
        for note in result.notes:
            print(note, file=sys.stderr)
        for problem in result.problems:
            print(problem)
        failed |= bool(result.problems)
        if not result.problems:
            print(f"{file}: hợp lệ / OK", file=sys.stderr)
    return 1 if failed else 0


def _topic_new(args: argparse.Namespace) -> int:
    from .catalog import layout
    from .topic_new import write_new_spec

    folder = args.out or layout().topics
    path = write_new_spec(args.year, args.title, folder, args.base, force=args.force)
    print(f"Đã tạo {path}: điền các chỗ TODO rồi chạy `hoctap topic check {path}`.")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .build import build

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
    from .serve import serve

    return serve(host=args.host, learner_port=args.learner_port, lab_port=args.lab_port, only=args.only)


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

    serve = verbs.add_parser("serve", help="phục vụ bài học (Voila, 8866) và JupyterLab (8888)")
    serve.add_argument("--host", default="127.0.0.1", help="0.0.0.0 để học viên trong phòng truy cập")
    serve.add_argument("--learner-port", type=int, default=8866)
    serve.add_argument("--lab-port", type=int, default=8888)
    serve.add_argument("--only", choices=["learner", "lab"], default=None)
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


if __name__ == "__main__":
    sys.exit(main())
