"""YAML that remembers where each value stood, so a problem can be reported as FILE:LINE: field.

PyYAML's composer keeps the position of every node; we walk the node tree ourselves to build
plain Python values and, beside them, a map from each value's path (`("questions", 3, "answer")`)
to its 1-based line. Duplicate keys, which PyYAML silently lets the last one win, are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, SpecError

Path_ = tuple  # a value's path: keys and list indexes from the root


class LineMap(dict):
    """path → line; `line_of` falls back to the nearest parent that has a line."""

    def line_of(self, path: Path_) -> int | None:
        path = tuple(path)
        while path:
            if path in self:
                return self[path]
            path = path[:-1]
        return self.get((), 1)


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (a BOM is allowed); anything else is one clear problem."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            [
                Problem(
                    str(path),
                    line,
                    "(tệp)",
                    f"không phải UTF-8 (byte {exc.start}); hãy lưu lại tệp bằng mã UTF-8",
                )
            ]
        ) from None
    return text


def load(path: Path) -> tuple[Any, LineMap]:
    """Parse a YAML file into plain values and their line map, or raise SpecError."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError([Problem(str(path), line, "(yaml)", f"YAML không hợp lệ: {what}")]) from None
    lines = LineMap()
    if node is None:
        raise SpecError([Problem(str(path), 1, "(tệp)", "tệp rỗng: cần một đặc tả chuyên đề")])
    problems: list[Problem] = []
    value = _build(node, (), lines, problems, str(path))
    if problems:
        raise SpecError(problems)
    return value, lines


def _build(node: yaml.Node, path: Path_, lines: LineMap, problems: list[Problem], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                field = ".".join(str(p) for p in (*path, key))
                problems.append(Problem(file, key_node.start_mark.line + 1, field, "khóa bị lặp lại (duplicate key)"))
                continue
            result[key] = _build(value_node, (*path, key), lines, problems, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, problems, file) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    """A scalar as PyYAML's safe loader gives it (dates, ints, bools), built on its own."""
    return yaml.SafeLoader("").construct_object(node, deep=True)


def dump(data: Any) -> str:
    """YAML the way the kit writes specs: block style, UTF-8 letters kept, key order kept."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
