"""What the walls against hostile input cost, as ratios against a baseline measured in the same run.

1. A hostile topic spec (379 bytes of nested YAML aliases, "billion laughs") refused by `hoctap topic check`'s reading,
   against reading the shipped 2021 spec: the refusal must cost no more than an honest spec (it hung before).
2. The allow-list pass (`html_allowlist.sanitize_document`) over a report page holding the learner table of a
   synthetic 1,000 × 5 gradebook, against rendering that table to HTML (`report_html._table`): why nbgrader's small
   feedback pages go through it when written, and the kit's report is checked by its tests instead.
3. The learner server's busy page (HTTP 503 beyond the kernel cap) against its index page (no kernel either), on the
   same Voila: a refused page load must cost no more than a page that starts nothing.

Run alone: `python -m tests.bench.guard`.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from hoctap.errors import SpecError
from hoctap.serve import stop
from hoctap.serve.servers import start_learner, wait_ready
from hoctap.topic.catalog import layout
from hoctap.topic.yamlmap import load
from tests.bench.timing import median_time
from tests.servers import pick_free_port

NOW = dt.datetime(2031, 1, 15, tzinfo=dt.UTC)
LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)


def _refused(path: Path) -> None:
    try:
        load(path)
    except SpecError:
        return
    raise AssertionError(f"{path} was not refused")


def bench_spec(rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        hostile = Path(tmp) / "laughs.yaml"
        hostile.write_text(LAUGHS, encoding="utf-8")
        shipped = layout().topic_path("2021-chuyen-de-toan-khoa")
        refused = median_time(lambda: _refused(hostile), rounds)
        honest = median_time(lambda: load(shipped), rounds)
    return {"hostile_bytes": len(LAUGHS.encode()), "refused_s": refused, "shipped_s": honest, "ratio": refused / honest}


def bench_sanitize(rounds: int) -> dict:
    from hoctap.course.database import engine_for
    from hoctap.progress.tables import learner_table
    from hoctap.report.page import _table
    from hoctap.safety.allowlist import sanitize_document
    from tests.synthetic_gradebook import build_gradebook, synthetic_topic

    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/gradebook.db"
        topic = synthetic_topic(5)
        build_gradebook(db_url, topic, 1_000, seed=1)
        learners = learner_table(engine_for(db_url), [topic], None, NOW)
    page = f"<!DOCTYPE html><html><head><title>x</title></head><body>{_table(learners)}</body></html>"
    rendered = median_time(lambda: _table(learners), rounds)
    cleaned = median_time(lambda: sanitize_document(page), rounds)
    return {"rows": len(learners), "page_mb": len(page) / 1e6, "render_s": rendered, "sanitize_s": cleaned,
            "ratio": cleaned / rendered}  # fmt: skip


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def bench_busy(rounds: int) -> dict:
    """Median of `rounds` GETs each: a notebook page refused at the cap (no kernel may start) against the index."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "quiz.ipynb").write_text(
            json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8"
        )
        args = ["--LearnerKernelManager.max_kernels=0", "--VoilaConfiguration.preheat_kernel=False"]
        server = start_learner(site, "127.0.0.1", pick_free_port(), output=open(site / "voila.log", "wb"), args=args)
        try:
            wait_ready(server)
            base = server.local_url
            times: dict[str, list[float]] = {"busy": [], "index": []}
            for _ in range(rounds + 1):  # the first round warms templates and is not counted
                for name, url in (("busy", f"{base}voila/render/quiz.ipynb"), ("index", base)):
                    start = time.perf_counter()
                    status = _get(url)
                    times[name].append(time.perf_counter() - start)
                    assert status == (503 if name == "busy" else 200), (name, status)
        finally:
            stop(server)
    busy, index = statistics.median(times["busy"][1:]), statistics.median(times["index"][1:])
    return {"busy_s": busy, "index_s": index, "ratio": busy / index}


def bench_guard(rounds: int = 5) -> dict:
    return {"spec": bench_spec(rounds), "sanitize": bench_sanitize(rounds), "busy": bench_busy(rounds * 4)}


def report_lines(r: dict) -> list[str]:
    s, c, b = r["spec"], r["sanitize"], r["busy"]
    return [
        f"Hostile spec ({s['hostile_bytes']} bytes of aliases) refused in {s['refused_s'] * 1000:.0f} ms; the shipped"
        f" 2021 spec read in {s['shipped_s'] * 1000:.0f} ms; ratio {s['ratio']:.2f}× (target ≤ 1×)",
        f"Allow-list over a report table ({c['rows']} rows, {c['page_mb']:.1f} MB): {c['sanitize_s']:.2f} s, rendering "
        f"it {c['render_s']:.2f} s; ratio {c['ratio']:.2f}×",
        f"Busy page (HTTP 503 at the kernel cap) {b['busy_s'] * 1000:.1f} ms, index page {b['index_s'] * 1000:.1f} ms "
        f"on the same learner Voila; ratio {b['ratio']:.2f}× (target ≤ 1×: a refused load starts nothing)",
    ]


if __name__ == "__main__":
    results = bench_guard()
    print("\n".join(report_lines(results)))
