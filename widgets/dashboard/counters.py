"""The figures at the top of the dashboard (learners, on time, late, missing, completion, mean score) and how they
are written: 1.520, 85,5 %, – when there is nothing to average."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Counters:
    """The figures at the top of the dashboard, for the filtered rows."""

    learners: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    in_progress: int = 0
    completion: float | None = None  # % of learners with autograded work who finished it (on time or late)
    mean_score: float | None = None  # mean over learners of their mean score (%)

    LABELS = (
        ("learners", "Học viên"),
        ("on_time", "Đúng hạn"),
        ("late", "Muộn"),
        ("missing", "Chưa làm"),
        ("completion", "Tỉ lệ hoàn thành"),
        ("mean_score", "Điểm TB"),
    )

    def texts(self) -> list[tuple[str, str, str]]:
        """(field, label, value as shown): '1.520', '85,5 %', '–' when there is nothing to average."""
        out = []
        for name, label in self.LABELS:
            value = getattr(self, name)
            out.append(
                (name, label, percent_text(value) if name in ("completion", "mean_score") else count_text(value))
            )
        return out


def count_text(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


def percent_text(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %"
