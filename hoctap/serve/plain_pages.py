"""The learner server's own small pages (busy, waiting line): self-contained HTML, no script, no external URL, so
they work while the server is too busy to serve anything else. Their shared look is `templates/plain_page.css`,
inlined into each page's `$style`."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=8)
def _template(name: str) -> string.Template:
    return string.Template((TEMPLATES / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _style() -> str:
    return (TEMPLATES / "plain_page.css").read_text(encoding="utf-8")


def plain_page(name: str, **values: object) -> str:
    """`templates/<name>` with `values` (already escaped by the caller) and the shared style."""
    return _template(name).substitute(style=_style(), **values)
