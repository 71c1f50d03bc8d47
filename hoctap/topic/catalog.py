"""Where the kit's files live: one object owns the layout (like nbgrader's coursedir).

The kit is installed editable, so the folders sit beside the package. `HOCTAP_HOME` points
elsewhere (a test's temp dir, a second installation) without any `sys.path` tricks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hoctap.errors import HoctapError

from .load import load_topic
from .model import Topic


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def topics(self) -> Path:
        return self.root / "data" / "topics"

    @property
    def schema(self) -> Path:
        return self.root / "data" / "topic.schema.json"

    @property
    def lessons(self) -> Path:
        return self.root / "lessons"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def assessments(self) -> Path:
        return self.root / "assessments"

    def lesson_dir(self, topic: Topic) -> Path:
        return self.lessons / str(topic.year)

    def topic_files(self) -> list[Path]:
        return sorted(self.topics.glob("*.yaml"))

    def topic_path(self, topic_id: str) -> Path:
        path = self.topics / f"{topic_id}.yaml"
        if not path.is_file():
            known = ", ".join(p.stem for p in self.topic_files()) or "(không có)"
            raise HoctapError(f"{path}: không có đặc tả chuyên đề '{topic_id}'; các chuyên đề hiện có: {known}")
        return path


def layout() -> Layout:
    """The layout of this installation (or of HOCTAP_HOME)."""
    home = os.environ.get("HOCTAP_HOME")
    return Layout(Path(home).resolve() if home else Path(__file__).resolve().parents[2])


@lru_cache(maxsize=16)
def _cached(path: str, mtime_ns: int) -> Topic:
    return load_topic(path)


def topic_by_id(topic_id: str) -> Topic:
    """The spec of a topic by id, loaded once per change of the file (lesson cells call this)."""
    path = layout().topic_path(topic_id)
    return _cached(str(path), path.stat().st_mtime_ns)


def all_topics() -> list[Topic]:
    """Every topic of this installation, oldest year first (drafts included: their assessments may have run)."""
    found = [topic_by_id(path.stem) for path in layout().topic_files()]
    return sorted(found, key=lambda t: (t.year, t.id))


def select_topics(selectors: list[str] | None = None, years: range | None = None) -> list[Topic]:
    """Topics by id or year (`2021`), or within `years`; none given: every topic. Unknown ids are an error
    naming the topics there are."""
    known = all_topics()
    chosen = [t for t in known if years is None or t.year in years]
    if selectors:
        wanted = set(selectors)
        chosen = [t for t in chosen if t.id in wanted or str(t.year) in wanted]
        missing = wanted - {t.id for t in chosen} - {str(t.year) for t in chosen}
        if missing:
            names = ", ".join(f"{t.id} ({t.year})" for t in known) or "(không có)"
            raise HoctapError(
                f"{layout().topics}: không có chuyên đề {', '.join(sorted(missing))}; các chuyên đề hiện có: {names}"
            )
    return chosen
