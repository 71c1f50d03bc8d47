"""The source document a topic is built from: found, verified by sha256, and used to prove citations.

The project never holds a copy of the source text (only facts, short official phrases and line
numbers). Where the document is at hand — `HOCTAP_SOURCE_DIR`, or `../shared/source/` beside the
checkout as in CI — every citation and evidence phrase of a spec can be checked against it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .catalog import layout
from .model import Topic
from .rules import citations, evidence_items
from .text import contains


def candidate_dirs() -> list[Path]:
    dirs = []
    if env := os.environ.get("HOCTAP_SOURCE_DIR"):
        dirs.append(Path(env))
    dirs.append(layout().root.parent / "shared" / "source")
    return dirs


def find_source(topic: Topic, directory: Path | None = None) -> Path | None:
    """The source file of `topic`, or None when it is not on this machine."""
    for folder in [directory] if directory else candidate_dirs():
        path = Path(folder) / topic.source.name
        if path.is_file():
            return path
    return None


def source_lines(path: Path) -> list[str]:
    """The document's lines, numbered from 1 by index + 1 (as `cat -n` shows them)."""
    return path.read_text(encoding="utf-8").splitlines()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_against_source(topic: Topic, path: Path) -> list[tuple[tuple, str]]:
    """(field path, message) for each citation the document does not bear out."""
    found: list[tuple[tuple, str]] = []
    digest = sha256_of(path)
    if digest != topic.source.sha256:
        found.append((("source", "sha256"), f"{path} có sha256 {digest[:12]}…, đặc tả ghi {topic.source.sha256[:12]}…"))
    lines = source_lines(path)
    if len(lines) != topic.source.lines:
        found.append((("source", "lines"), f"{path} có {len(lines)} dòng, đặc tả ghi {topic.source.lines}"))

    def line(cite: str) -> str:
        number = int(cite[1:])
        return lines[number - 1] if number <= len(lines) else ""

    for loc, cite in citations(topic):
        if not line(cite).strip():
            found.append((loc, f"dòng {cite} của văn bản nguồn là dòng trống"))
    for loc, cite, evidence in evidence_items(topic):
        if line(cite).strip() and not contains(line(cite), evidence):
            found.append(((*loc, "evidence"), f"cụm từ {evidence!r} không có trong dòng {cite} của văn bản nguồn"))
    return found
