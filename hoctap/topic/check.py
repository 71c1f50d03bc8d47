"""`hoctap topic check`: every problem of a spec file, one line each, as FILE:LINE: field: what."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hoctap.errors import Problem, SpecError

from .load import load_topic_with_lines
from .new import EMPTY_SHA
from .rules import dotted, topic_warnings, walk
from .source import check_against_source, find_source

PLACEHOLDER = "TODO"


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # printed, but the spec is valid


def check_file(path: str | Path, source_dir: Path | None = None) -> CheckResult:
    path = Path(path)
    result = CheckResult()
    if not path.is_file():
        result.problems.append(Problem(str(path), 1, "(tệp)", "không tìm thấy tệp"))
        return result
    try:
        topic, lines = load_topic_with_lines(path)
    except SpecError as exc:
        result.problems.extend(exc.problems)
        return result

    def problem(loc: tuple, message: str) -> None:
        result.problems.append(Problem(str(path), lines.line_of(loc), dotted(loc), message))

    for loc, message in topic_warnings(topic):
        result.warnings.append(Problem(str(path), lines.line_of(loc), dotted(loc), message))
    if path.stem != topic.id:
        problem(("id",), f"tên tệp phải là '{topic.id}.yaml' (id của chuyên đề), đang là '{path.name}'")
    for loc, value in walk(topic.model_dump(mode="python"), ()):
        if isinstance(value, str) and value.startswith(PLACEHOLDER):
            problem(loc, f"còn chỗ cần điền: {value!r}")
    if topic.source.sha256 == EMPTY_SHA:
        problem(("source", "sha256"), "chưa ghi sha256 của văn bản nguồn (sha256sum TỆP)")
    source = find_source(topic, source_dir)
    if source is None:
        result.notes.append(
            f"{path}: không tìm thấy văn bản nguồn '{topic.source.name}' (đặt HOCTAP_SOURCE_DIR): "
            "bỏ qua đối chiếu trích dẫn với nguồn"
        )
    else:
        for loc, message in check_against_source(topic, source):
            problem(loc, message)
    return result
