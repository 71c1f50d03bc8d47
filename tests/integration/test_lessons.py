"""The committed lessons are what the spec produces, and each runs headless without error."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from hoctap.build.kit import build
from hoctap.topic.catalog import layout

LESSONS = sorted(layout().lessons.glob("*/*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_committed_lessons_and_schema_match_the_specs():
    report = build(check=True)
    assert report.stale == [] and report.removed == [], "run `hoctap build` and commit"
    assert LESSONS, "no lessons were built"


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_executes_and_every_widget_cell_shows_a_widget(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.source.startswith("from widgets import"):
            continue
        kinds = {kind for out in cell.outputs for kind in out.get("data", {})}
        errors = [out for out in cell.outputs if out.output_type == "error"]
        assert not errors, errors
        assert WIDGET in kinds, f"{path.name}: `{cell.source}` showed no widget"
