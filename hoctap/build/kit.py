"""Spec → files: the lesson notebooks, the assessments' nbgrader source notebooks and the spec's JSON schema,
reproducible byte for byte.

`build()` writes what differs; `build(check=True)` writes nothing and reports every file that is
missing, stale or left over, so CI can insist that what is committed is what the spec produces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from hoctap.course import course_for
from hoctap.topic import Layout, Topic, layout, load_topic

from .lessons import Cell, lesson_cells
from .sources import source_files

GENERATOR = "hoctap build"


@dataclass
class BuildReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)  # check mode: differs from what the spec makes
    removed: list[Path] = field(default_factory=list)  # generated files no spec produces any more
    skipped: list[str] = field(default_factory=list)  # draft specs

    @property
    def clean(self) -> bool:
        return not (self.stale or self.removed)


def lesson_filename(index: int, lesson_id: str) -> str:
    return f"{index:02d}-{lesson_id}.ipynb"


def notebook_text(topic: Topic, index: int) -> str:
    """One lesson notebook as the exact text committed: no outputs, fixed cell ids, sorted keys."""
    lesson = topic.lessons[index]
    cells = []
    for n, cell in enumerate(lesson_cells(topic, lesson)):
        cells.append(_nb_cell(cell, f"{lesson.id}-{n:02d}"))
    nb = new_notebook(
        cells=cells,
        metadata={
            "title": lesson.title,
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "hoctap": {"generated_by": GENERATOR, "topic": topic.id, "lesson": lesson.id},
            "celltoolbar": "Slideshow",
        },
    )
    nb.nbformat_minor = 5
    return nbformat.writes(nb) + "\n"


def _nb_cell(cell: Cell, cell_id: str):
    meta = {"slideshow": {"slide_type": cell.slide}}
    if cell.kind == "markdown":
        made = new_markdown_cell(cell.source, metadata=meta)
    else:
        made = new_code_cell(cell.source, metadata=meta)
    made["id"] = cell_id
    return made


def schema_text() -> str:
    from hoctap.topic import Topic as _Topic

    schema = _Topic.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "hoctap/topic.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def expected_files(topic: Topic, where: Layout) -> dict[Path, str]:
    folder = where.lesson_dir(topic)
    return {
        folder / lesson_filename(i + 1, lesson.id): notebook_text(topic, i) for i, lesson in enumerate(topic.lessons)
    }


def _generated_here(path: Path) -> bool:
    """Only files our builder made may be removed: a trainer's own notebook beside them is kept."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return meta.get("hoctap", {}).get("generated_by") == GENERATOR


def build(*, check: bool = False, where: Layout | None = None, topics: list[Topic] | None = None) -> BuildReport:
    where = where or layout()
    report = BuildReport()
    if topics is None:
        topics = [load_topic(p) for p in where.topic_files()]
    wanted: dict[Path, str] = {where.schema: schema_text()}
    for topic in topics:
        if topic.draft:
            report.skipped.append(topic.id)
            continue
        wanted.update(expected_files(topic, where))
        wanted.update(source_files(topic, where))
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            report.unchanged.append(path)
        elif check:
            report.stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            report.written.append(path)
    sources = course_for(where).source
    for path in sorted([*where.lessons.glob("*/*.ipynb"), *sources.glob("*/*.ipynb")]):
        if path not in wanted and _generated_here(path):
            report.removed.append(path)
            if not check:
                path.unlink()
                if path.parent.parent == sources and not any(path.parent.iterdir()):
                    path.parent.rmdir()  # an empty assignment folder would still be an nbgrader assignment
    return report
