"""YAML that remembers where each value stood, so a problem can be reported as FILE:LINE: field.

PyYAML's composer keeps the position of every node; we walk the node tree ourselves to build
plain Python values and, beside them, a map from each value's path (`("questions", 3, "answer")`)
to its 1-based line. Duplicate keys, which PyYAML silently lets the last one win, are refused.

A spec is input like any other: a file too big, nested too deep, an alias bomb ("billion laughs") or a tag
that would run code is refused with one located problem, cheaply, before anything big is built:

- the file is read up to `MAX_BYTES` (the pure-Python parser takes seconds per MB);
- the parser is iterative but PyYAML's composer recurses once per nesting level: each event is checked as the
  composer takes it from the parser (`_Loader.get_event`), so the composer never goes deeper than `MAX_DEPTH`
  collections and never meets more than `MAX_ALIASES` alias uses or `MAX_NODES` values (the same walk as
  `yaml.parse`, done in the one pass: parsing is most of the time a spec takes, twice would double it);
- aliases are composed as shared nodes: `_measure` walks the document once, aliases not expanded, and refuses a
  value whose expanded size exceeds `MAX_NODES` or whose expanded depth exceeds `MAX_DEPTH` before `_build` copies
  anything; it also refuses every tag but the plain YAML types the safe loader builds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hoctap.errors import Problem, SpecError

Path_ = tuple  # a value's path: keys and list indexes from the root

# The one real spec (a five-year programme) is ~90 KB, 6 levels deep, ~2 200 values and uses no alias: the limits
# are far above any honest spec and keep the worst case (a file at the size limit) to a few seconds.
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64  # nested collections; PyYAML's composer spends two Python frames on each level
MAX_ALIASES = 100  # alias uses (`*name`) in the file
MAX_NODES = 50_000  # values in the file, then in the built data (aliases expanded): tens of µs each to parse
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_KINDS = {  # what a scalar of each tag was meant to be, for messages
    _CORE + "int": "số nguyên",
    _CORE + "float": "số thực",
    _CORE + "bool": "giá trị true/false",
    _CORE + "null": "giá trị rỗng (null)",
    _CORE + "timestamp": "ngày giờ",
}


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


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
    """The file as text: UTF-8 (a BOM is allowed); anything else, or a file over MAX_BYTES, is one clear problem."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # never more: a huge file is refused without being read whole
    except OSError as exc:
        raise SpecError([Problem(str(path), 1, "(tệp)", f"không đọc được tệp ({exc.strerror})")]) from None
    if len(raw) > MAX_BYTES:
        raise SpecError(
            [
                Problem(
                    str(path),
                    1,
                    "(tệp)",
                    f"tệp quá lớn (hơn {_count(MAX_BYTES)} byte); một đặc tả chuyên đề chỉ khoảng vài trăm KB: "
                    "kiểm tra xem có chọn nhầm tệp không",
                )
            ]
        )
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
    file = str(path)
    text = read_text(path)
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters already here
        node = loader.get_single_node()
        if node is None:
            raise SpecError([Problem(file, 1, "(tệp)", "tệp rỗng: cần một đặc tả chuyên đề")])
        problems = _measure(node)
    except yaml.YAMLError as exc:
        raise SpecError([Problem(file, _error_line(exc, text), "(yaml)", f"YAML không hợp lệ: {_what(exc)}")]) from None
    except _Refused as exc:
        raise SpecError([Problem(file, exc.line, exc.field, exc.message)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if problems:
        raise SpecError([Problem(file, line, field, message) for line, field, message in problems])
    builder = _Builder(file)
    value = builder.build(node, ())
    if builder.problems:
        raise SpecError(builder.problems)
    return value, builder.lines


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(exc, "position", None)  # ReaderError (a control character) gives a position, not a mark
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _what(exc: yaml.YAMLError) -> str:
    return getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]


# ---------------------------------------------------------------- limits, checked before anything is built


class _Refused(Exception):
    """A limit was crossed: one problem says it, nothing after it would be worth reading."""

    def __init__(self, line: int, field: str, message: str):
        super().__init__(message)
        self.line, self.field, self.message = line, field, message


class _Alias:
    """A use of an anchor (`*name`), kept apart from the node it names so its own line is known."""

    __slots__ = ("node", "line", "name")

    def __init__(self, node: yaml.Node, line: int, name: str):
        self.node, self.line, self.name = node, line, name


class _Loader(yaml.SafeLoader):
    """The safe loader, checking each event as the composer takes it: depth and alias uses stay bounded."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0
        self._aliases = 0
        self._nodes = 0

    def get_event(self):
        event = super().get_event()
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            self._nodes += 1
            if self._nodes > MAX_NODES:
                raise _Refused(_line(event), "(yaml)", _TOO_MANY_VALUES)
        if isinstance(event, yaml.CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(_line(event), "(yaml)", _TOO_DEEP.format(why=f"hơn {MAX_DEPTH} tầng"))
        elif isinstance(event, yaml.CollectionEndEvent):
            self._depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(_line(event), "(yaml)", _TOO_MANY_ALIASES.format(why=f"hơn {MAX_ALIASES} lần dùng *tên"))
        return event

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            return _Alias(super().compose_node(parent, index), _line(event), event.anchor)
        return super().compose_node(parent, index)


_TOO_DEEP = "YAML lồng quá sâu ({why}); đặc tả chỉ cần vài tầng: kiểm tra dấu ngoặc và thụt lề"
_TOO_MANY_VALUES = f"đặc tả có quá nhiều giá trị (hơn {_count(MAX_NODES)}); kiểm tra xem có chọn nhầm tệp không"
_TOO_MANY_ALIASES = "YAML dùng bí danh (alias) quá nhiều ({why}); viết thẳng giá trị thay vì dùng bí danh"


def _line(event_or_node) -> int:
    return event_or_node.start_mark.line + 1


def _measure(root: yaml.Node) -> list[tuple[int, str, str]]:
    """Walk the composed document once, aliases not expanded (an alias weighs what the node it names weighs, measured
    already: an anchor comes before its aliases). Raise `_Refused` when the built value would be too big, too deep or
    would contain itself; return (line, field, message) for each node with a tag the kit does not build."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) → (values in its built copy, collection levels in it)
    open_: set[int] = set()  # the collections being walked: an alias to one of them would contain itself
    problems: list[tuple[int, str, str]] = []
    total = 0

    def walk(node, path: Path_, level: int) -> tuple[int, int]:
        nonlocal total
        if isinstance(node, _Alias):
            if id(node.node) in open_:
                message = f"bí danh (alias) *{node.name} nằm trong chính giá trị nó trỏ tới; viết thẳng giá trị"
                raise _Refused(node.line, _field(path), message)
            size, height = measured[id(node.node)]
            total += size
            if total > MAX_NODES:
                message = _TOO_MANY_ALIASES.format(why=f"dữ liệu dựng ra vượt {_count(MAX_NODES)} giá trị")
                raise _Refused(node.line, _field(path), message)
            if level + height > MAX_DEPTH:
                why = f"hơn {MAX_DEPTH} tầng khi thay *{node.name} bằng giá trị của nó"
                raise _Refused(node.line, _field(path), _TOO_DEEP.format(why=why))
            return size, height
        total += 1
        if total > MAX_NODES:
            raise _Refused(_line(node), _field(path), _TOO_MANY_VALUES)
        if node.tag not in ALLOWED_TAGS:
            problems.append((_line(node), _field(path), _tag_message(node.tag)))
        if isinstance(node, yaml.ScalarNode):
            measured[id(node)] = (1, 0)
            return 1, 0
        if isinstance(node, yaml.MappingNode):
            children = [((*path, _key_name(key)), part) for key, value in node.value for part in (key, value)]
        else:
            children = [((*path, i), item) for i, item in enumerate(node.value)]
        open_.add(id(node))
        size, height = 1, 0
        for child_path, child in children:
            child_size, child_height = walk(child, child_path, level + 1)
            size += child_size
            height = max(height, child_height)
        open_.discard(id(node))
        measured[id(node)] = (size, height + 1)
        return size, height + 1

    walk(root, (), 0)
    return problems


def _key_name(key) -> str:
    node = key.node if isinstance(key, _Alias) else key
    return node.value if isinstance(node, yaml.ScalarNode) else "?"


def _tag_message(tag: str) -> str:
    if tag == _CORE + "merge":
        return "khóa gộp '<<' (merge key) không được dùng; viết đầy đủ các khóa"
    if tag == _CORE + "value":
        return "'=' là ký hiệu riêng của YAML; muốn viết dấu '=' thì đặt trong dấu nháy: '='"
    shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
    return (
        f"thẻ YAML không được phép: {_short(shown)}; đặc tả chỉ dùng chuỗi, số, ngày giờ, true/false, null, "
        "danh sách và ánh xạ"
    )


# ---------------------------------------------------------------- building the values


class _Builder:
    """Plain values from a measured document, with the line of each path, and the problems met on the way."""

    def __init__(self, file: str):
        self.file = file
        self.lines = LineMap()
        self.problems: list[Problem] = []
        self._constructor = yaml.constructor.SafeConstructor()  # one per file: a loader per scalar is slow
        self._copies = 0  # > 0 inside an alias's copy: its problems were said where its anchor stands

    def build(self, node, path: Path_) -> Any:
        if isinstance(node, _Alias):
            self._copies += 1
            try:
                value = self.build(node.node, path)
            finally:
                self._copies -= 1
            self.lines[path] = node.line
            return value
        self.lines[path] = _line(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key, value_node in node.value:
                key_node, key_line = (key.node, key.line) if isinstance(key, _Alias) else (key, _line(key))
                if not isinstance(key_node, yaml.ScalarNode):
                    self._problem(key_line, (*path, "?"), "khóa phải là một chuỗi, không phải danh sách hay ánh xạ")
                    continue
                name = self._scalar(key_node, (*path, key_node.value))
                if name is _BAD:
                    continue
                if name in result:
                    self._problem(key_line, (*path, name), "khóa bị lặp lại (duplicate key)")
                    continue
                result[name] = self.build(value_node, (*path, name))
                self.lines[(*path, name)] = key_line
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        """A scalar as PyYAML's safe loader gives it (dates, ints, bools), or `_BAD` after saying why not."""
        try:
            return self._constructor.construct_object(node, deep=True)
        # Each constructor fails its own way: ValueError (`2030-13-45`), IndexError (`!!int ''`), KeyError
        # (`!!bool maybe`), AttributeError (`!!timestamp x`): whatever it is, it is this scalar's problem.
        except Exception:
            kind = _KINDS.get(node.tag, "giá trị")
            message = f"'{_short(node.value)}' không phải {kind} hợp lệ; sửa lại, hoặc đặt trong dấu nháy nếu là chuỗi"
            self._problem(_line(node), path, message)
            return _BAD

    def _problem(self, line: int, path: Path_, message: str) -> None:
        if not self._copies:
            self.problems.append(Problem(self.file, line, _field(path), message))


_BAD = object()  # a scalar that could not be built (its problem is listed)


def _field(path: Path_) -> str:
    """`("questions", 0, "prompt")` → `questions[0].prompt`, as the other checks of a spec name fields."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dump(data: Any) -> str:
    """YAML the way the kit writes specs: block style, UTF-8 letters kept, key order kept."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
