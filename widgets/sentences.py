"""Errors as the apps show them: one Vietnamese sentence, never a traceback (shared by the quiz and the dashboard).

A sentence never shows where things are on the server: a kit error may name a file or a database URL for the
instructor at a terminal, but what a browser shows hides them (`hide_paths`).
"""

from __future__ import annotations

import re

HIDDEN = "…"
# A URL (a database's, with its file or host), or an absolute path of two parts or more (`/srv/kit/x`); dates such
# as 30/9/2021 are not paths (they start with a digit, not a slash).
_URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://\S*", re.I)
_PATH = re.compile(r"(?<![\w/.])(?:~|\.{1,2})?/(?:[^\s/'\"`:;,()]+/)+[^\s/'\"`:;,()]*")


def hide_paths(text: str) -> str:
    """`text` without URLs or absolute file paths."""
    return _PATH.sub(HIDDEN, _URL.sub(HIDDEN, text))


def sentence(text: object, fallback: str) -> str:
    """An error's first line as a sentence: capital first letter, final full stop, no server path; `fallback` when
    it says nothing."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    line = hide_paths(line).strip()
    if not line or line == HIDDEN:
        return fallback
    line = line[0].upper() + line[1:]
    return line if line[-1] in ".!?…" else line + "."
