"""Where a fact comes from, in words a learner can follow: the line of the plan and the plan's own phrase there.

A bare "dòng L13" sends a learner to a numbered copy of the plan that no learner has; the short phrase the spec cites
(`evidence`, words that stand verbatim in that line) can be found in any copy of the plan, printed or online. When
the phrase is already on screen (a motto quoted whole, a document's number), it is not repeated. Lessons and quiz
results both write sources through here, so a learner reads one form everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from hoctap.topic import fold

from .style import esc


def line_numbers(cites: str | Iterable[str]) -> str:
    """'L13' → '13'; ['L5', 'L7'] → '5, 7'."""
    items = [cites] if isinstance(cites, str) else list(cites)
    return ", ".join(c[1:] if c.startswith("L") else c for c in items)


def source_text(cites: str | Iterable[str], evidence: str = "", shown: str = "") -> str:
    """'Nguồn: kế hoạch, dòng 13: “quý III năm 2021”', or 'Nguồn: kế hoạch, dòng 13' without a phrase to show."""
    lines = line_numbers(cites)
    if evidence and not (shown and fold(evidence) in fold(shown)):
        return f"Nguồn: kế hoạch, dòng {lines}: “{evidence}”"
    return f"Nguồn: kế hoạch, dòng {lines}"


def source_html(cites: str | Iterable[str], evidence: str = "", shown: str = "") -> str:
    return f'<p class="hoctap-cite">{esc(source_text(cites, evidence, shown))}</p>'
