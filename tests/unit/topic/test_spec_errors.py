"""Malformed specs: each gives one clear line `FILE:LINE: field: what` and a non-zero exit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoctap.cli import main
from tests.specs import mini_spec, write_source, write_spec

LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<field>\S+): (?P<msg>.+)$")


def _line_of(path: Path, snippet: str, nth: int = 1) -> int:
    hits = [
        i
        for i, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if snippet in text
    ]
    return hits[nth - 1]


def _run_check(capsys, path: Path) -> tuple[int, list[str]]:
    code = main(["topic", "check", str(path), "--source-dir", str(path.parent)])
    out = capsys.readouterr().out.strip().splitlines()
    return code, out


def _break(tmp_path: Path, mutate) -> Path:
    spec = mini_spec()
    mutate(spec)
    write_source(tmp_path)
    return write_spec(tmp_path, spec, "2030-mini.yaml")


def _text_edit(tmp_path: Path, old: str, new: str) -> Path:
    path = _break(tmp_path, lambda s: None)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def q(index):
    return lambda s: s["questions"][index]


CASES = {
    # name: (make the broken file, expected field, snippet on the expected line, words in the message)
    "bad-yaml": (
        lambda t: _text_edit(t, "prompt: Hạn học tập?", "prompt: [Hạn học tập?"),
        "(yaml)",
        "prompt: [",
        "YAML",
    ),
    "missing-field": (lambda t: _break(t, lambda s: s.pop("short_title")), "short_title", "schema_version", "thiếu"),
    "unknown-content": (
        lambda t: _break(t, lambda s: q(1)(s).update(content="noi-dung-9")),
        "questions[1].content",
        "content: noi-dung-9",
        "noi-dung-9",
    ),
    "citation-out-of-range": (
        lambda t: _break(t, lambda s: q(0)(s).update(cite="L99")),
        "questions[0].cite",
        "cite: L99",
        "vượt quá",
    ),
    "citation-blank-line": (
        lambda t: _break(t, lambda s: q(0)(s).update(cite="L2")),
        "questions[0].cite",
        "cite: L2",
        "dòng trống",
    ),
    "duplicate-question-id": (
        lambda t: _break(t, lambda s: s["questions"].append(dict(q(0)(s)))),
        "questions[3].id",
        ("- id: q1", 2),
        "bị trùng",
    ),
    "wrong-answer-type": (
        lambda t: _break(t, lambda s: q(0)(s).update(answer=["a"])),
        "questions[0].answer",
        "answer:",
        "sai kiểu",
    ),
    "answer-not-an-option": (
        lambda t: _break(t, lambda s: q(0)(s).update(answer="z")),
        "questions[0].answer",
        "answer: z",
        "không phải id",
    ),
    "empty-options": (
        lambda t: _break(t, lambda s: q(0)(s).update(options=[])),
        "questions[0].options",
        "options: []",
        "ít nhất 2",
    ),
    "non-utf8": (
        lambda t: _bytes_edit(t, "Hạn học tập?", b"H\xe0n h\xf2c t\xe2p?"),
        "(tệp)",
        "prompt: H",
        "UTF-8",
    ),
    "duplicate-key": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  prompt: A\n  prompt: B"),
        "questions[0].prompt",  # named as every other check names a field
        "prompt: B",
        "lặp",
    ),
    "unknown-field": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  promt: Hạn học tập?"),
        "questions[0].promt",
        "promt:",
        "'prompt'",
    ),
    "evidence-not-in-line": (
        lambda t: _break(t, lambda s: q(0)(s).update(evidence="quý IV")),
        "questions[0].evidence",
        "evidence: quý IV",
        "không có trong dòng L5",
    ),
    "bad-date": (
        lambda t: _text_edit(t, "due: '2030-09-30'", "due: '2030-13-45'"),
        "facts.deadlines[0].due",
        "due:",
        "date",
    ),
    "bad-id": (lambda t: _break(t, lambda s: q(2)(s).update(id="Câu 3")), "questions[2].id", "id: Câu 3", "pattern"),
    "unknown-practice-question": (
        lambda t: _break(t, lambda s: s["lessons"][0].update(practice=["q9"])),
        "lessons[0].practice[0]",
        "- q9",
        "q9",
    ),
    "unknown-audience": (
        lambda t: _break(t, lambda s: s["facts"]["deadlines"][0].update(audiences=["ai-do"])),
        "facts.deadlines[0].audiences[0]",
        "- ai-do",
        "ai-do",
    ),
    "ordering-answer-incomplete": (
        lambda t: _break(t, lambda s: q(2)(s).update(answer=["hoc"])),
        "questions[2].answer",
        ("answer:", 3),
        "đúng một lần",
    ),
    "source-changed": (lambda t: _source_edit(t), "source.sha256", "sha256:", "sha256"),
    "unit-choice-unknown-content": (
        lambda t: _break(t, lambda s: s.update(unit_choices=[{"unit": "chi-bo-a", "contents": ["noi-dung-7"]}])),
        "unit_choices[0].contents[0]",
        "noi-dung-7",
        "noi-dung-7",
    ),
    # YAML the safe loader would refuse with a traceback, or build into something that is not a spec value
    "int-tag-not-an-int": (
        lambda t: _text_edit(t, "schema_version: 1", "schema_version: !!int abc"),
        "schema_version",
        "schema_version:",
        "'abc' không phải số nguyên hợp lệ",
    ),
    "timestamp-tag-not-a-date": (
        lambda t: _text_edit(t, "due: '2030-09-30'", "due: !!timestamp not-a-date"),
        "facts.deadlines[0].due",
        "due:",
        "không phải ngày giờ hợp lệ",
    ),
    "unquoted-impossible-date": (
        lambda t: _text_edit(t, "due: '2030-09-30'", "due: 2030-13-45"),
        "facts.deadlines[0].due",
        "due:",
        "'2030-13-45' không phải ngày giờ hợp lệ",
    ),
    "bool-tag-not-a-bool": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  prompt: !!bool maybe"),
        "questions[0].prompt",
        "prompt: !!bool",
        "true/false",
    ),
    "python-tag": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  prompt: !!python/name:os.system"),
        "questions[0].prompt",
        "prompt: !!python",
        "thẻ YAML không được phép: !!python/name:os.system",
    ),
    "python-apply-tag": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  prompt: !!python/object/apply:os.system [id]"),
        "questions[0].prompt",
        "prompt: !!python",
        "thẻ YAML không được phép: !!python/object/apply:os.system",
    ),
    "custom-tag": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  prompt: !custom Hạn học tập?"),
        "questions[0].prompt",
        "prompt: !custom",
        "thẻ YAML không được phép: !custom",
    ),
    "binary-tag": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  prompt: !!binary aGVsbG8="),
        "questions[0].prompt",
        "prompt: !!binary",
        "thẻ YAML không được phép: !!binary",
    ),
    "merge-key": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  <<: {prompt: Hạn học tập}"),
        "questions[0].<<",
        "<<:",
        "khóa gộp '<<'",
    ),
    "list-as-key": (
        lambda t: _text_edit(t, "  prompt: Hạn học tập?", "  [prompt]: Hạn học tập?"),
        "questions[0].?",
        "[prompt]:",
        "khóa phải là một chuỗi",
    ),
    "alias-inside-itself": (
        lambda t: _text_edit(t, "content_lines:\n  - 1-7", "content_lines: &lines\n  - 1-7\n  - *lines"),
        "source.content_lines[1]",
        "- *lines",
        "*lines nằm trong chính giá trị",
    ),
    "unit-choice-twice": (
        lambda t: _break(
            t,
            lambda s: s.update(
                unit_choices=[
                    {"unit": "chi-bo-a", "contents": ["noi-dung-1"]},
                    {"unit": "chi-bo-a", "contents": ["noi-dung-2"]},
                ]
            ),
        ),
        "unit_choices[1].unit",
        ("unit: chi-bo-a", 2),
        "hai lần",
    ),
}


def _bytes_edit(tmp_path: Path, old: str, new: bytes) -> Path:
    path = _break(tmp_path, lambda s: None)
    path.write_bytes(path.read_bytes().replace(old.encode("utf-8"), new, 1))
    return path


def _source_edit(tmp_path: Path) -> Path:
    path = _break(tmp_path, lambda s: None)
    source = tmp_path / "mini-source.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("thử nghiệm", "thử nghiệm mới", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_malformed_spec_gives_one_clear_line(tmp_path, capsys, case):
    make, field, snippet, words = CASES[case]
    path = make(tmp_path)
    code, out = _run_check(capsys, path)
    assert code == 1
    ours = [m for m in map(LINE.match, out) if m and m["field"] == field]
    assert ours, f"no line for {field} in {out}"
    hit = ours[0]
    assert hit["file"] == str(path)
    assert words in hit["msg"]
    snippet, nth = snippet if isinstance(snippet, tuple) else (snippet, 1)
    assert int(hit["line"]) == _line_of(path, snippet, nth), out
    # one problem, one line: nothing else is blamed for a single mistake
    assert len(out) == 1, out


def test_the_valid_spec_passes(tmp_path, capsys):
    path = _break(tmp_path, lambda s: None)
    code, out = _run_check(capsys, path)
    assert (code, out) == (0, [])


def test_missing_source_is_said_and_skipped(tmp_path, capsys):
    path = write_spec(tmp_path, mini_spec())
    code = main(["topic", "check", str(path), "--source-dir", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 0
    assert "không tìm thấy văn bản nguồn" in err


def test_file_name_must_match_the_id(tmp_path, capsys):
    write_source(tmp_path)
    path = write_spec(tmp_path, mini_spec(), "other-name.yaml")
    code, out = _run_check(capsys, path)
    assert code == 1
    assert out[0].endswith("id: tên tệp phải là '2030-mini.yaml' (id của chuyên đề), đang là 'other-name.yaml'")


def test_missing_file(tmp_path, capsys):
    code, out = _run_check(capsys, tmp_path / "absent.yaml")
    assert code == 1
    assert out == [f"{tmp_path / 'absent.yaml'}:1: (tệp): không tìm thấy tệp"]


def test_several_problems_are_all_listed(tmp_path, capsys):
    def mutate(s):
        q(0)(s).update(cite="L99")
        q(1)(s).update(content="noi-dung-9")

    code, out = _run_check(capsys, _break(tmp_path, mutate))
    assert code == 1
    assert [LINE.match(line)["field"] for line in out] == ["questions[0].cite", "questions[1].content"]
