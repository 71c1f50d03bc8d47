"""A learner's words as nbgrader shows them: text, never markup (light module: learner kernels import it).

nbgrader renders a manually graded markdown cell with `markdown2html` and nothing else — formgrader's grading page
and the feedback page pass raw HTML through, on the instructor's origin. So the commitment cell never holds the
learner's text as markdown: it holds one line of HTML that the kit writes itself,

    <div class="hoctap-learner-text tex2jax_ignore" style="white-space: pre-wrap">…escaped text…</div>

- one line: a CommonMark HTML block ends at a blank line, after which markdown (links, `javascript:` URLs) would be
  parsed again; the learner's line breaks become `&#10;` and `pre-wrap` shows them;
- every character that HTML, markdown or MathJax reads as syntax is an entity, so nothing inside is a tag, a
  link, an emphasis or a formula; `tex2jax_ignore` keeps MathJax away from the `$` the reader sees.

`is_inert` recognises exactly that shape: no `<` and no line break inside, so even a forged one holds only text.
"""

from __future__ import annotations

import re
from typing import Any

OPEN = '<div class="hoctap-learner-text tex2jax_ignore" style="white-space: pre-wrap">'
CLOSE = "</div>"
# HTML's five, then what markdown, MathJax or the template would read as syntax. `&` first: the others add `&`s.
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\r\n": "&#10;",
    "\r": "&#10;",
    "\n": "&#10;",
    "$": "&#36;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    "|": "&#124;",
    "~": "&#126;",
    "#": "&#35;",
}
_SPECIAL = re.compile("|".join(re.escape(k) for k in sorted(_ENTITIES, key=len, reverse=True)))
_INERT = re.compile(re.escape(OPEN) + r"[^<\r\n]*" + re.escape(CLOSE))


def inert_markdown(text: str) -> str:
    """The learner's `text` as a markdown cell source that renders as that text and nothing else."""
    return OPEN + _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], text) + CLOSE


def is_inert(source: str) -> bool:
    """True when `source` is `inert_markdown` of some text (no tag, no line break inside: only text can show)."""
    return _INERT.fullmatch(source) is not None


def is_learner_cell(cell: Any) -> bool:
    """A markdown cell the learner wrote: nbgrader's solution cells (the commitment)."""
    nbgrader = (cell.get("metadata") or {}).get("nbgrader") or {}
    return cell.get("cell_type") == "markdown" and bool(nbgrader.get("solution"))


def make_inert(nb: Any) -> int:
    """Turn every learner-written markdown cell of `nb` (in place) into inert text, unless it is already; returns how
    many cells changed. For notebooks written before the kit escaped them, and for any an instructor made."""
    changed = 0
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if is_learner_cell(cell) and not is_inert(source):
            cell["source"] = inert_markdown(source)
            changed += 1
    return changed
