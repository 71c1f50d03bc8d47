"""`hoctap topic new`: next year's spec starts from the last one's structure and reusable facts."""

from hoctap.build.kit import build
from hoctap.cli import main
from hoctap.topic import load_topic
from hoctap.topic.catalog import Layout
from tests.specs import mini_spec, write_spec


def test_new_spec_reuses_structure_and_facts_and_lists_what_to_fill(tmp_path, capsys):
    base = write_spec(tmp_path, mini_spec())
    out = tmp_path / "topics"
    code = main(
        ["topic", "new", "2031", "--title", "Chuyên đề năm 2031: Làm theo", "--from", str(base), "--out", str(out)]
    )
    assert code == 0
    path = out / "2031-chuyen-de-nam-2031-lam-theo.yaml"
    assert str(path) in capsys.readouterr().out

    draft = load_topic(path)  # a draft is a valid spec, so the tools can read it
    old = load_topic(base)
    assert (draft.year, draft.kind.value, draft.draft) == (2031, "annual", True)
    assert [c.id for c in draft.contents] == [c.id for c in old.contents]
    assert draft.facts.mottos == old.facts.mottos
    assert draft.facts.documents == old.facts.documents
    assert draft.facts.deadlines == [] and draft.questions == []
    assert [lesson.kind.value for lesson in draft.lessons] == ["overview", "content", "content", "implementation"]

    assert main(["topic", "check", str(path), "--source-dir", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(": short_title: còn chỗ cần điền" in line for line in lines)
    assert any(": source.sha256: chưa ghi sha256" in line for line in lines)
    text = path.read_text(encoding="utf-8").splitlines()
    for line in lines:  # every line points at the line of the field it names
        number = int(line.split(":")[1])
        assert 1 <= number <= len(text)


def test_new_spec_without_a_base_and_refusing_to_overwrite(tmp_path, capsys):
    args = ["topic", "new", "2032", "--title", "Chuyên đề 2032", "--out", str(tmp_path)]
    assert main(args) == 0
    assert (tmp_path / "2032-chuyen-de-2032.yaml").is_file()
    assert main(args) == 1
    assert "tệp đã có" in capsys.readouterr().err


def test_build_skips_drafts(tmp_path):
    topics = tmp_path / "data" / "topics"
    topics.mkdir(parents=True)
    assert main(["topic", "new", "2033", "--title", "Nháp", "--out", str(topics)]) == 0
    report = build(where=Layout(tmp_path))
    assert report.skipped == ["2033-nhap"]
    assert not (tmp_path / "lessons").exists()
