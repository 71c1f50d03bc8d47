"""Hostile or broken YAML: alias bombs, deep nesting, huge files, tags that would run code, scalars that do not
build. Each gives one located line `FILE:LINE: field: message`, quickly, and never a traceback."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hoctap.errors import SpecError
from hoctap.topic import yamlmap

LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<field>\S+): (?P<msg>.+)$")
HOCTAP = Path(sys.executable).with_name("hoctap")  # the console script of this venv


def billion_laughs(width: int = 10, levels: int = 9) -> str:
    """The classic alias bomb: `levels` lists of `width` aliases to the list above, width**levels strings in all."""
    names = "abcdefghijklmnopqrstuvwxyz"[:levels]
    strings = ",".join(['"x"'] * width)
    lines = [f"{names[0]}: &{names[0]} [{strings}]"]
    for above, name in zip(names, names[1:], strict=False):
        uses = ",".join([f"*{above}"] * width)
        lines.append(f"{name}: &{name} [{uses}]")
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> re.Match:
    """The one problem `yamlmap.load` raises for `path`."""
    with pytest.raises(SpecError) as caught:
        yamlmap.load(path)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1, lines
    found = LINE.match(lines[0])
    assert found and found["file"] == str(path), lines
    return found


# ---------------------------------------------------------------- aliases


def test_billion_laughs_is_refused_at_the_alias_that_crosses_the_budget(tmp_path):
    text = billion_laughs()
    assert len(text.encode()) < 400
    found = refused(write(tmp_path, text))
    assert "YAML dùng bí danh (alias) quá nhiều" in found["msg"]
    assert f"vượt {yamlmap.MAX_NODES:,} giá trị".replace(",", " ") in found["msg"]
    # a's list is 11 values, b's 111, c's 1 111, d's 11 111 (keys counted too): the fourth *d in e crosses 50 000
    assert (found["line"], found["field"]) == ("5", "e[3]")


def test_more_alias_uses_than_allowed_is_refused_at_the_first_one_too_many(tmp_path):
    uses = "\n".join(["- *a"] * (yamlmap.MAX_ALIASES + 1))
    found = refused(write(tmp_path, f"- &a x\n{uses}\n"))
    assert (found["line"], found["field"]) == (str(yamlmap.MAX_ALIASES + 2), "(yaml)")
    assert "bí danh (alias) quá nhiều" in found["msg"] and f"hơn {yamlmap.MAX_ALIASES} lần" in found["msg"]


def test_an_alias_inside_what_it_names_is_refused(tmp_path):
    found = refused(write(tmp_path, "a: 1\nb: &b\n  c: [1, *b]\n"))
    assert (found["line"], found["field"]) == ("3", "b.c[1]") and "*b nằm trong chính giá trị" in found["msg"]


def test_aliases_that_build_a_value_too_deep_are_refused_at_the_alias(tmp_path):
    deep = "[" * 60 + "1" + "]" * 60
    found = refused(write(tmp_path, f"a: &a {deep}\nb: [[[[[[ *a ]]]]]]\n"))
    assert (found["line"], found["field"]) == ("2", "b[0][0][0][0][0][0]")
    assert "lồng quá sâu" in found["msg"] and "*a" in found["msg"]


def test_ordinary_aliases_still_work_and_lines_point_at_each_use(tmp_path):
    path = write(tmp_path, "a: &opts\n  - 1\n  - [2, 3]\nb:\n  - *opts\n  - *opts\nc: *opts\n&k d: 4\n")
    value, lines = yamlmap.load(path)
    assert value == {"a": [1, [2, 3]], "b": [[1, [2, 3]], [1, [2, 3]]], "c": [1, [2, 3]], "d": 4}
    assert value["b"][0] is not value["b"][1]  # copies: changing one does not change the others
    assert (lines[("b", 1)], lines[("c",)], lines.line_of(("c", 1, 0))) == (6, 7, 3)


def test_an_alias_used_as_a_duplicate_key_is_named_at_its_own_line(tmp_path):
    found = refused(write(tmp_path, "&k a: 1\nb: 2\n*k : 3\n"))
    assert (found["line"], found["field"]) == ("3", "a") and "khóa bị lặp lại" in found["msg"]


# ---------------------------------------------------------------- depth, size, count


@pytest.mark.parametrize(
    "text, line",
    [
        ("[" * 100_000 + "]" * 100_000 + "\n", 1),  # the composer would recurse 100 000 times
        ("{a: " * 100_000 + "}" * 100_000 + "\n", 1),
        ("- " * 100_000 + "x\n", 1),
        ("".join(" " * i + "a:\n" for i in range(100)) + " " * 100 + "x\n", yamlmap.MAX_DEPTH + 1),
    ],
    ids=["flow-lists", "flow-maps", "block-lists", "block-maps"],
)
def test_nesting_deeper_than_the_limit_is_refused_at_the_line_that_crosses_it(tmp_path, text, line):
    found = refused(write(tmp_path, text))
    assert (found["line"], found["field"]) == (str(line), "(yaml)")
    assert found["msg"].startswith(f"YAML lồng quá sâu (hơn {yamlmap.MAX_DEPTH} tầng)")


def test_nesting_up_to_the_limit_is_fine(tmp_path):
    depth = yamlmap.MAX_DEPTH
    value, _ = yamlmap.load(write(tmp_path, "[" * depth + "1" + "]" * depth + "\n"))
    for _ in range(depth):
        (value,) = value
    assert value == 1


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * yamlmap.MAX_BYTES + b"\n")  # a comment: parsing it would be fine, only long
    found = refused(path)
    assert (found["line"], found["field"]) == ("1", "(tệp)") and "tệp quá lớn" in found["msg"]


def test_more_values_than_the_budget_are_refused_while_parsing(tmp_path, monkeypatch):
    # the real budget takes the pure-Python parser seconds to reach; the rule is the same at any size
    monkeypatch.setattr(yamlmap, "MAX_NODES", 1_000)
    items = 1_000 - 3  # beside the mapping, the key `a` and the list
    value, _ = yamlmap.load(write(tmp_path, "a:\n" + "".join(f"  - {i}\n" for i in range(items)), "ok.yaml"))
    assert len(value["a"]) == items
    found = refused(write(tmp_path, "a:\n" + "".join(f"  - {i}\n" for i in range(items + 1))))
    assert (found["line"], found["field"]) == (str(items + 2), "(yaml)") and "quá nhiều giá trị" in found["msg"]


# ---------------------------------------------------------------- tags and scalars


@pytest.mark.parametrize(
    "value, shown",
    [
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!python/object/apply:os.system [id]", "!!python/object/apply:os.system"),
        ("!!python/object/new:tuple [[1]]", "!!python/object/new:tuple"),
        ("!custom x", "!custom"),
        ("!<tag:example.com,2024:thing> x", "tag:example.com,2024:thing"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a: null}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
    ],
)
def test_tags_other_than_the_plain_types_are_refused_with_their_line(tmp_path, value, shown):
    found = refused(write(tmp_path, f"a: 1\nb:\n  c: {value}\n"))
    assert (found["line"], found["field"]) == ("3", "b.c")
    assert found["msg"].startswith(f"thẻ YAML không được phép: {shown};")


def test_a_tag_directive_cannot_smuggle_a_python_tag(tmp_path):
    found = refused(write(tmp_path, "%TAG !p! tag:yaml.org,2002:python/\n---\na: !p!name:os.system\n"))
    assert (found["line"], found["field"]) == ("3", "a") and "!!python/name:os.system" in found["msg"]


def test_plain_core_tags_build_as_the_safe_loader_builds_them(tmp_path):
    text = "s: !!str 1\ni: !!int '3'\nf: !!float 1\nb: !!bool yes\nn: !!null ''\nd: !!timestamp 2030-01-02\n"
    text += "l: !!seq [1]\nm: !!map {a: 1}\nx: ! 12\n"
    value, _ = yamlmap.load(write(tmp_path, text))
    assert value == {
        "s": "1",
        "i": 3,
        "f": 1.0,
        "b": True,
        "n": None,
        "d": dt.date(2030, 1, 2),
        "l": [1],
        "m": {"a": 1},
        "x": 12,
    }


@pytest.mark.parametrize(
    "value, kind",
    [
        ("!!int abc", "số nguyên"),
        ("!!int ''", "số nguyên"),
        ("!!float x", "số thực"),
        ("!!bool maybe", "giá trị true/false"),
        ("!!timestamp not-a-date", "ngày giờ"),
        ("!!timestamp ''", "ngày giờ"),
        ("2030-02-30", "ngày giờ"),
        ("1" * 5000, "số nguyên"),  # beyond Python's limit for int() of a string
    ],
)
def test_scalars_that_do_not_build_are_one_line_with_their_field(tmp_path, value, kind):
    found = refused(write(tmp_path, f"a:\n  - ok\n  - {value}\n"))
    assert (found["line"], found["field"]) == ("3", "a[1]")
    assert f"không phải {kind} hợp lệ" in found["msg"] and "dấu nháy" in found["msg"]


def test_a_bad_scalar_behind_an_anchor_is_said_once(tmp_path):
    with pytest.raises(SpecError) as caught:
        yamlmap.load(write(tmp_path, "a: &x !!int abc\nb: [*x, *x]\n"))
    assert [str(p).split(": ", 1)[0] for p in caught.value.problems] == [f"{tmp_path / 'spec.yaml'}:1"]


def test_a_control_character_is_named_at_its_line(tmp_path):
    found = refused(write(tmp_path, "a: 1\nb: x\x01y\n"))
    assert (found["line"], found["field"]) == ("2", "(yaml)") and "YAML không hợp lệ" in found["msg"]


def test_a_folder_instead_of_a_file_is_one_line(tmp_path):
    found = refused(tmp_path)
    assert (found["line"], found["field"]) == ("1", "(tệp)") and "không đọc được tệp" in found["msg"]


# ---------------------------------------------------------------- through the command line


@pytest.mark.parametrize(
    "text, words",
    [
        (billion_laughs(), "bí danh (alias) quá nhiều"),
        ("[" * 100_000 + "]" * 100_000 + "\n", "lồng quá sâu"),
        ("a: !!python/object/apply:os.system [id]\n", "thẻ YAML không được phép"),
    ],
    ids=["billion-laughs", "deep", "python-tag"],
)
def test_topic_check_prints_one_line_and_exits_1_without_a_traceback(tmp_path, text, words):
    path = write(tmp_path, text)
    done = subprocess.run(
        [str(HOCTAP), "topic", "check", str(path)], capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and LINE.match(lines[0]) and words in lines[0], lines
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
