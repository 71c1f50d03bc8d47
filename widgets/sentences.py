"""Errors as the apps show them: one Vietnamese sentence, never a traceback (shared by the quiz and the dashboard)."""

from __future__ import annotations


def sentence(text: object, fallback: str) -> str:
    """An error's first line as a sentence: capital first letter, final full stop; `fallback` when it says nothing."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    if not line:
        return fallback
    line = line[0].upper() + line[1:]
    return line if line[-1] in ".!?…" else line + "."
