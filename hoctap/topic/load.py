"""A topic spec file → a validated, cross-checked `Topic`, or `SpecError` listing every problem as
FILE:LINE: field: what (the line from the YAML line map, the rules from `rules`)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hoctap.errors import Problem, SpecError

from . import yamlmap
from .model import Topic
from .rules import cross_check, dotted


def load_topic(path: str | Path) -> Topic:
    """Load, validate and cross-check a spec; raise SpecError with every problem found."""
    return load_topic_with_lines(path)[0]


def load_topic_with_lines(path: str | Path) -> tuple[Topic, yamlmap.LineMap]:
    """As `load_topic`, also returning where each field stood (for later checks' messages)."""
    path = Path(path)
    data, lines = yamlmap.load(path)
    if not isinstance(data, dict):
        raise SpecError([Problem(str(path), 1, "(tệp)", "đặc tả phải là một ánh xạ YAML (key: value)")])
    try:
        topic = Topic.model_validate(data)
    except ValidationError as exc:
        raise SpecError([_problem_from(path, lines, err) for err in _merge_typos(exc.errors())]) from None
    problems = [Problem(str(path), lines.line_of(loc), dotted(loc), msg) for loc, msg in cross_check(topic)]
    if problems:
        raise SpecError(problems)
    return topic, lines


def _problem_from(path: Path, lines: yamlmap.LineMap, err: dict) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = err["type"]
    if kind == "missing":
        msg = "thiếu trường bắt buộc (missing field)"
    elif kind == "typo":
        msg = err["msg"]
    elif kind == "extra_forbidden":
        msg = "trường không có trong lược đồ (unknown field); kiểm tra chính tả"
    else:
        msg = f"{err['msg']} (giá trị: {_short(err.get('input'))})"
    return Problem(str(path), lines.line_of(loc), dotted(loc), msg)


def _merge_typos(errors: list[dict]) -> list[dict]:
    """`promt:` gives both "missing prompt" and "unknown promt": say it once, as a likely typo."""
    missing = {e["loc"]: e for e in errors if e["type"] == "missing"}
    merged = []
    for err in errors:
        if err["type"] != "extra_forbidden":
            merged.append(err)
            continue
        parent, name = err["loc"][:-1], str(err["loc"][-1])
        options = [loc[-1] for loc in missing if loc[:-1] == parent]
        guess = difflib.get_close_matches(name, [str(o) for o in options], n=1)
        if guess:
            missing.pop((*parent, guess[0]), None)
            err = {**err, "type": "typo", "msg": f"trường không có trong lược đồ; có phải '{guess[0]}'?"}
        merged.append(err)
    return [e for e in merged if e["type"] != "missing" or e["loc"] in missing]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
