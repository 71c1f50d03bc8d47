"""`python -m hoctap.load` (`make load USERS=… RATE=…`): one load run of the learner app, its report printed in
Vietnamese and English and written as JSON (default bench-results/load.json)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hoctap.topic import layout

from .report import report_lines
from .run import LoadSettings, run_load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hoctap.load", description="Locust load test of the learner app")
    parser.add_argument("--users", type=int, default=40, help="số học viên / learners (default 40)")
    parser.add_argument("--rate", type=float, default=40.0, help="học viên đến mỗi giây / arrivals per second")
    parser.add_argument("--run-time", type=float, default=None, help="giới hạn của Locust, giây / Locust's bound, s")
    parser.add_argument("--think", type=float, default=0.0, help="thời gian đọc tối đa giữa hai bước, giây")
    parser.add_argument("--cull-wait", type=float, default=120.0, help="chờ dọn kernel tối đa, giây / s")
    parser.add_argument("--keep", type=Path, default=None, help="giữ phòng thi và nhật ký ở đây / keep the run here")
    parser.add_argument("--out", type=Path, default=None, help="tệp JSON (mặc định bench-results/load.json)")
    parser.add_argument("--hub", action="store_true", help="qua JupyterHub (deploy/hub) / through the hub")
    parser.add_argument("--db-url", default=None, help="sổ điểm trống dùng một lần / a throwaway gradebook")
    parser.add_argument("--quiz-services", type=int, default=1, help="số dịch vụ làm bài sau hub / quiz services")
    parser.add_argument("--graders", type=int, default=1, help="số trình chấm sau hub / graders behind the hub")
    parser.add_argument("--workers", type=int, default=0, help="tiến trình Locust phụ (master/worker) / Locust workers")
    parser.add_argument(
        "voila_args", nargs="*", help="sau -- : thêm thiết lập Voila / after -- : more Voila settings (--Class.trait=v)"
    )
    args = parser.parse_args(argv)
    settings = LoadSettings(
        users=args.users,
        rate=args.rate,
        run_time=args.run_time,
        think=args.think,
        cull_wait=args.cull_wait,
        voila_args=list(args.voila_args),
        hub=args.hub,
        db_url=args.db_url,
        quiz_services=args.quiz_services,
        graders=args.graders,
        workers=args.workers,
    )
    out = args.out or layout().root / "bench-results" / "load.json"  # before the run points HOCTAP_HOME elsewhere
    results = run_load(settings, args.keep, log=lambda line: print(line, file=sys.stderr, flush=True))
    print("\n".join(report_lines(results)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"Đã ghi / written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
