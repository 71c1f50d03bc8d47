"""The load run's report, Vietnamese then English on each line, and the issue's targets beside the figures.

    report_lines(results) -> list[str]       # results: hoctap.load.run.run_load's dict
    targets(results) -> list[(label, met, figure)]

The targets (issue 10) are reported, never asserted: a burst of learners arriving in the same second should reach
the login screen within 5 s at p95, all served, none lost; a steady stream (250 over five minutes) should keep the
p95 of every step under 2 s, with no error, each submission graded exactly once, and no kernel left two minutes
after the last learner leaves. Which one applies is read from the arrival rate.
"""

from __future__ import annotations

from .learner import ARRIVAL, SCORE, STEP_LABELS

BURST_RATE = 5.0  # learners per second from which a run is a burst (the 40 in the same second)
BURST_P95_S = 5.0
STEADY_P95_S = 2.0
NO_KERNEL_AFTER_S = 120.0


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def targets(results: dict) -> list[tuple[str, bool, str]]:
    settings, steps = results["settings"], results["steps"]
    visits, kernels = results["visits"], results["kernels"]
    submissions = results.get("submissions") or {}
    failures = sum(step["failures"] for step in steps.values())
    served = visits["passed"] == settings["users"] == visits["started"]
    out = []
    if settings["rate"] >= BURST_RATE:
        p95 = (steps.get(ARRIVAL) or {}).get("p95_s")
        out.append(
            (
                f"p95 đến màn hình đăng nhập < {BURST_P95_S:.0f} s / p95 to the login screen",
                p95 is not None and p95 < BURST_P95_S,
                _s(p95),
            )
        )
        out.append(("phục vụ đủ / all served", served, f"{visits['passed']}/{settings['users']}"))
    else:
        slow = {name: step["p95_s"] for name, step in steps.items() if (step["p95_s"] or 0) >= STEADY_P95_S}
        figure = ", ".join(f"{name} {_s(p95)}" for name, p95 in slow.items()) or "mọi bước / every step OK"
        out.append((f"p95 mỗi bước < {STEADY_P95_S:.0f} s / p95 of every step", not slow, figure))
        out.append(("không lỗi / no error", failures == 0, f"{failures} lỗi / failures"))
        culled = kernels.get("culled_within_s")
        left = kernels["left_over"] == 0 and culled is not None and culled <= NO_KERNEL_AFTER_S
        out.append(("không còn kernel sau 2 phút / no kernel left after 2 min", left, _s(culled)))
    if submissions:
        lost = submissions["lost"]
        out.append(("không mất bài / none lost", not lost, f"{len(lost)} mất / lost"))
        out.append(
            (
                "mỗi bài chấm đúng một lần / graded exactly once",
                submissions["all_graded_exactly_once"],
                f"{submissions['graded_exactly_once']}/{submissions['submitted']}",
            )
        )
    return out


def report_lines(results: dict) -> list[str]:
    settings, steps = results["settings"], results["steps"]
    kind = "Baseline: bare one-widget notebook" if settings.get("bare") else "Ứng dụng làm bài / quiz app"
    lines = [
        f"== Thử tải / load test — {kind}: {settings['users']} học viên / learners, {settings['rate']:g}/s ==",
        f"{'Bước / step':<66} {'n':>4} {'lỗi':>4} {'p50':>8} {'p95':>8} {'max':>8}",
    ]
    for name, step in steps.items():
        label = STEP_LABELS.get(name, name)
        lines.append(
            f"{label:<66} {step['count']:>4} {step['failures']:>4} "
            f"{_s(step['p50_s']):>8} {_s(step['p95_s']):>8} {_s(step['max_s']):>8}"
        )
    for error in results["errors"]:
        lines.append(f"  lỗi / error ×{error['count']} at {error['step']}: {error['error'][:200]}")
    visits = results["visits"]
    lines.append(
        f"Lượt hoàn tất / visits passed: {visits['passed']}/{visits['started']} (of {settings['users']}); phải chờ "
        f"trang hàng chờ hoặc trang bận / shown a waiting or busy page first: {visits.get('waited', 0)} "
        f"(trang bận / busy pages {visits.get('busy_pages', 0)})"
    )
    submissions = results.get("submissions")
    if submissions:
        lines.append(
            f"Bài nộp / submissions: {submissions['submitted']} lưu / stored, "
            f"{submissions['graded']} đã chấm / graded, {submissions['graded_exactly_once']} chấm đúng một lần / "
            f"graded exactly once; bấm nộp / pressed submit "
            f"{submissions['pressed_submit']}, mất / lost {len(submissions['lost'])}; trạng thái / statuses "
            f"{submissions['statuses']}; chấm xong sau / queue drained after {_s(results.get('graded_within_s'))}"
        )
    k = results["kernels"]
    if k["waited_s"]:
        culling = (
            f"sau khi dọn / after culling {k['after_culling']} (hàng chờ sẵn / pre-heated pool {k['pool']}; còn thừa / "
            f"left over {k['left_over']}; dọn xong sau / culled within {_s(k['culled_within_s'])}, chờ tối đa / "
            f"waited at most {k['waited_s']:.0f} s)"
        )
    else:
        culling = "không chờ dọn / culling not awaited"
    lines.append(f"Kernel: đỉnh / peak {k['peak']}, ngay sau / right after {k['right_after_run']}, {culling}")
    lines.append(
        f"Bộ nhớ đỉnh của máy chủ học viên (Voila + kernel, tổng RSS) / learner server's peak memory (tree RSS): "
        f"{results['memory']['peak_tree_rss_mb']:.0f} MB"
    )
    if not settings.get("bare"):
        score = steps.get(SCORE)
        if score:
            lines.append(
                f"(Bước có điểm gồm cả thời gian chấm / the score step includes grading: p95 {_s(score['p95_s'])})"
            )
        for label, met, figure in targets(results):
            lines.append(f"  [{'đạt / met' if met else 'CHƯA ĐẠT / not met'}] {label}: {figure}")
    return lines
