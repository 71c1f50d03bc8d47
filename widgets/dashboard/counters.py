"""The figures at the top of the dashboard and how they are written (1.520, 85,5 %, – when there is nothing to
average).

They tell where each learner stands over EVERY assessment that applies to them (hoctap.progress.frames): done (all
submitted), in progress (some work begun, nothing overdue), not started (nothing begun, still in time), overdue
(something past its due date and not submitted), and how many of the assessments were submitted in all ("k/n bài").
A learner who did one quiz of five is "Đang làm", never "Chưa làm": a new instructor once read "0 Đúng hạn / 0 Muộn /
37 Chưa làm" on a course with 30 submissions, because a learner counted only once all five were done."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Counters:
    """The figures at the top of the dashboard, for the filtered rows (a row of `unit_table` over them)."""

    learners: int = 0
    done: int = 0
    started: int = 0
    not_started: int = 0
    overdue: int = 0
    items_done: int = 0  # assessments submitted, summed over the learners
    items_assigned: int = 0  # assessments that apply, summed over the learners
    mean_score: float | None = None  # mean over learners of their mean score (%)

    LABELS = (
        ("learners", "Học viên"),
        ("done", "Hoàn thành"),
        ("started", "Đang làm"),
        ("not_started", "Chưa bắt đầu"),
        ("overdue", "Quá hạn"),
        ("items", "Bài đã nộp"),
        ("mean_score", "Điểm TB"),
    )
    HINTS = {
        "learners": "học viên được giao bài",
        "done": "đã nộp mọi bài được giao",
        "started": "đã nộp hoặc mở ít nhất một bài",
        "not_started": "chưa mở bài nào, còn hạn",
        "overdue": "có bài quá hạn chưa nộp",
        "mean_score": "bài trắc nghiệm đã chấm",
    }

    @property
    def items_percent(self) -> float | None:
        return 100.0 * self.items_done / self.items_assigned if self.items_assigned else None

    def texts(self) -> list[tuple[str, str, str, str]]:
        """(field, label, value as shown, hint): '1.520', '85,5 %', '30/185', '–' when there is nothing to average."""
        out = []
        for name, label in self.LABELS:
            if name == "items":
                value = f"{count_text(self.items_done)}/{count_text(self.items_assigned)}"
                hint = f"{percent_text(self.items_percent)} số bài phải làm"
            elif name == "mean_score":
                value, hint = percent_text(self.mean_score), self.HINTS[name]
            else:
                value, hint = count_text(getattr(self, name)), self.HINTS[name]
            out.append((name, label, value, hint))
        return out


def count_text(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


def percent_text(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %"
