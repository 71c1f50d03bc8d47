"""The pieces lesson cells are made of: cells with their reveal.js slide type, spec text made safe for Markdown,
source references in the plan's own words, and long lists paged over several slides.

A slide is projected at 1280×720 and cannot scroll well in a room, so a list longer than `PAGE_BUDGET` characters
goes on several slides ("(tiếp)" on the later ones); the browser test `tests/browser/test_slides_fit.py` measures
every built slide against the visible area.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass

from hoctap.topic import fold

# What one slide holds, in characters of list text (citations' markup included): measured on the 2021 lessons at
# 1280×720, a slide of 1,100 such characters stands about 450 px high of the 720 px visible.
PAGE_BUDGET = 1100
PAGE_ITEMS = 6


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" | "code"
    source: str
    slide: str  # reveal.js slide_type: slide, subslide, fragment, skip, -


def md(text: str, slide: str = "slide") -> Cell:
    return Cell("markdown", text.strip(), slide)


def call(expression: str, slide: str = "-") -> Cell:
    return Cell("code", expression, slide)


def esc(text: str) -> str:
    """Spec text in Markdown: HTML-special characters escaped so a spec cannot inject markup."""
    return html.escape(text, quote=False)


def arg(value: object) -> str:
    """A Python literal for a code cell (json gives double quotes and keeps Vietnamese letters)."""
    return json.dumps(value, ensure_ascii=False)


def fmt_date(value) -> str:
    return value.strftime("%d/%m/%Y")


def lines_of(cites: str | Iterable[str]) -> str:
    items = [cites] if isinstance(cites, str) else list(cites)
    return ", ".join(c[1:] if c.startswith("L") else c for c in items)


def src(cites: str | Iterable[str], evidence: str = "", shown: str = "") -> str:
    """Where a fact comes from, as a learner can find it in any copy of the plan: its line and the plan's own words
    there (the spec's `evidence`), as the quiz results write it; the words are left out when the item shows them
    already (a motto, a document's number)."""
    lines = lines_of(cites)
    if evidence and not (shown and fold(evidence) in fold(shown)):
        return f"<small>(kế hoạch, dòng {lines}: “{esc(evidence)}”)</small>"
    return f"<small>(kế hoạch, dòng {lines})</small>"


def paged(heading: str, items: list[str], first: str = "slide", intro: str = "") -> list[Cell]:
    """`items` (Markdown lines) under `heading` ("## Tên"), on as many slides as they need: the first of type
    `first` (with `intro` above the list), the others vertical subslides headed "Tên (tiếp)"."""
    pages: list[list[str]] = [[]]
    size = len(intro)
    for item in items:
        if pages[-1] and (size + len(item) > PAGE_BUDGET or len(pages[-1]) >= PAGE_ITEMS):
            pages.append([])
            size = 0
        pages[-1].append(item)
        size += len(item)
    cells = []
    for n, page in enumerate(pages):
        title = heading if n == 0 else f"{heading} (tiếp)"
        lead = f"{intro}\n\n" if intro and n == 0 else ""
        cells.append(md(f"{title}\n\n{lead}" + "\n".join(page), first if n == 0 else "subslide"))
    return cells
