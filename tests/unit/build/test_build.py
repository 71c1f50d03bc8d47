"""`hoctap build`: lessons and schema made from a spec, byte for byte, and `--check` catches drift."""

from __future__ import annotations

import json

import jsonschema
import nbformat
import pytest
import yaml

from hoctap.cli import main
from tests.specs import mini_spec, write_spec


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A kit folder with one spec in it; HOCTAP_HOME makes the CLI work there."""
    topics = tmp_path / "data" / "topics"
    topics.mkdir(parents=True)
    spec = mini_spec()
    spec["contents"][0]["trainer_material"] = [{"heading": "Thảo luận nhóm", "body": "Chia ba nhóm.", "author": "BCV"}]
    spec["contents"][1]["title"] = "Làm theo <script>alert(1)</script>"
    write_spec(topics, spec)
    monkeypatch.setenv("HOCTAP_HOME", str(tmp_path))
    return tmp_path


def _lessons(home):
    return sorted((home / "lessons" / "2030").glob("*.ipynb"))


def test_build_writes_one_notebook_per_lesson_then_nothing(home, capsys):
    assert main(["build"]) == 0
    assert [p.name for p in _lessons(home)] == ["01-tong-quan.ipynb", "02-noi-dung-1.ipynb"]
    first = {p: p.read_bytes() for p in _lessons(home)}
    capsys.readouterr()
    assert main(["build"]) == 0
    assert "0 tệp được ghi" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in _lessons(home)} == first
    assert main(["build", "--check"]) == 0


def test_check_reports_a_stale_notebook_and_build_repairs_it(home, capsys):
    main(["build"])
    notebook = _lessons(home)[0]
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("Tổng quan", "Tong quan"), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--check"]) == 1
    assert f"{notebook}: khác với kết quả dựng từ đặc tả" in capsys.readouterr().out
    main(["build"])
    assert main(["build", "--check"]) == 0


def test_leftover_generated_notebooks_go_and_a_trainers_own_stays(home):
    main(["build"])
    folder = home / "lessons" / "2030"
    (folder / "09-old.ipynb").write_text((folder / "01-tong-quan.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    own = nbformat.v4.new_notebook(metadata={"title": "Bài của tôi"})
    nbformat.write(own, folder / "99-bai-cua-toi.ipynb")
    assert main(["build", "--check"]) == 1
    main(["build"])
    assert not (folder / "09-old.ipynb").exists()
    assert (folder / "99-bai-cua-toi.ipynb").exists()


def test_notebooks_are_clean_slide_ready_and_escaped(home):
    main(["build"])
    for path in _lessons(home):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.title and nb.metadata.hoctap.topic == "2030-mini"
        for cell in nb.cells:
            assert cell.metadata.slideshow.slide_type in {"slide", "subslide", "fragment", "skip", "-"}
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
    text = "\n".join(c.source for c in nbformat.read(_lessons(home)[0], as_version=4).cells)
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_trainer_material_appears_after_the_content_it_belongs_to(home):
    main(["build"])
    cells = [c.source for c in nbformat.read(_lessons(home)[1], as_version=4).cells]
    section = next(i for i, s in enumerate(cells) if "Ý chính" in s)
    material = next(i for i, s in enumerate(cells) if "Thảo luận nhóm" in s)
    assert section < material
    assert "BCV" in cells[material]


def test_practice_cells_call_the_widgets_with_the_lessons_questions(home):
    main(["build"])
    code = [c.source for c in nbformat.read(_lessons(home)[1], as_version=4).cells if c.cell_type == "code"]
    assert code[0] == 'from widgets import lesson\n\nTOPIC = "2030-mini"'
    # One question per cell, each a vertical slide of its own, numbered as in the lesson.
    assert 'lesson.practice(TOPIC, ["q2"], start=1)' in code and 'lesson.practice(TOPIC, ["q3"], start=2)' in code


def test_schema_is_written_and_accepts_the_spec(home):
    main(["build"])
    schema = json.loads((home / "data" / "topic.schema.json").read_text(encoding="utf-8"))
    spec = yaml.safe_load((home / "data" / "topics" / "2030-mini.yaml").read_text(encoding="utf-8"))
    spec = json.loads(json.dumps(spec, default=str))  # dates as ISO strings, as JSON has them
    jsonschema.validate(spec, schema)
    spec["questions"][0]["difficulty"] = "very hard"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, schema)
