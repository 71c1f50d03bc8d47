"""The topic spec: one YAML file per topic is the single source of truth for lessons and questions.

`load_topic(path)` returns a validated `Topic` or raises `SpecError` listing every problem as
`FILE:LINE: field.path: what is wrong`. The models say what a field is (`description=`, which also
goes into the JSON schema in `data/topic.schema.json`); `_cross_check` says how fields must agree.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import yamlmap
from .errors import Problem, SpecError

SCHEMA_VERSION = 1
Id = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="id trong [a-z0-9-]")]
Cite = Annotated[str, Field(pattern=r"^L[1-9][0-9]*$", description="dòng của văn bản nguồn, ví dụ L25")]
Text = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    """Unknown fields are errors: a typo in a spec must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(Model):
    cite: Cite
    evidence: Text = Field(description="cụm từ chính thức ngắn trong dòng được dẫn (tên, số, ngày, phương châm)")


class Kind(StrEnum):
    whole_term = "whole-term"
    annual = "annual"


class Source(Model):
    name: Text = Field(description="tên tệp văn bản nguồn")
    title: Text
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    lines: int = Field(gt=0, description="số dòng của văn bản nguồn")
    content_lines: list[Annotated[str, Field(pattern=r"^[1-9][0-9]*(-[1-9][0-9]*)?$")]] = Field(
        min_length=1, description="các khoảng dòng là nội dung (được dẫn), ví dụ ['1', '5-39']"
    )

    def content_line_numbers(self) -> set[int]:
        numbers: set[int] = set()
        for span in self.content_lines:
            first, _, last = span.partition("-")
            numbers.update(range(int(first), int(last or first) + 1))
        return numbers


class KeyTerm(Cited):
    term: Text
    meaning: Text = Field(description="giải thích ngắn bằng lời của bộ công cụ")


class Section(Model):
    heading: Text
    body: Text = Field(description="lời giải thích của bộ công cụ (Markdown), không chép văn bản nguồn")
    cites: list[Cite] = Field(default_factory=list)


class TrainerMaterial(Model):
    heading: Text
    body: Text
    author: str = ""


class Content(Model):
    id: Id
    number: int = Field(ge=1)
    title: Text
    short_title: Text
    cite: Cite
    key_terms: list[KeyTerm] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    trainer_material: list[TrainerMaterial] = Field(
        default_factory=list, description="tư liệu riêng của báo cáo viên, hiện đúng chỗ trong bài học"
    )


class Audience(Model):
    id: Id
    name: Text


class Deadline(Cited):
    id: Id
    what: Text
    audiences: list[Id] = Field(min_length=1)
    due: dt.date = Field(description="ngày cuối cùng (hết quý III = 30/9)")
    due_label: Text = Field(description="cách văn bản nói hạn, ví dụ 'quý III năm 2021'")


class Motto(Cited):
    id: Id
    text: Text
    meaning: Text


class Document(Cited):
    id: Id
    kind: Text = Field(description="Chỉ thị, Công văn, Quyết định, Kết luận…")
    number: Text
    date: dt.date | None = None
    issuer: Text
    subject: Text


class FocalContent(Cited):
    id: Id
    name: Text
    meaning: Text


class ReviewCycle(Cited):
    id: Id
    name: Text
    years: int = Field(ge=1)


class Commitment(Cited):
    id: Id
    audiences: list[Id] = Field(min_length=1)
    what: Text
    evaluation: Text
    guided_by: Id | None = Field(default=None, description="id của văn bản hướng dẫn")


class Statement(Cited):
    """Any other fact of the plan worth teaching (who, what, how), in the kit's words."""

    id: Id
    text: Text


class Facts(Model):
    audiences: list[Audience] = Field(min_length=1)
    deadlines: list[Deadline] = Field(default_factory=list)
    mottos: list[Motto] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    focal_contents: list[FocalContent] = Field(default_factory=list)
    review_cycles: list[ReviewCycle] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)


class LessonKind(StrEnum):
    overview = "overview"
    content = "content"
    implementation = "implementation"


class Lesson(Model):
    id: Id
    title: Text
    kind: LessonKind
    content: Id | None = Field(default=None, description="id nội dung, cho bài học kind=content")
    intro: Text
    practice: list[Id] = Field(default_factory=list, description="id câu hỏi luyện tập trong bài")
    trainer_material: list[TrainerMaterial] = Field(default_factory=list)


class QuestionType(StrEnum):
    single = "single"
    multiple = "multiple"
    true_false = "true-false"
    short_text = "short-text"
    matching = "matching"
    ordering = "ordering"


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


class Option(Model):
    id: Id
    text: Text


class Question(Cited):
    id: Id
    content: Id | None = Field(default=None, description="id nội dung; bỏ trống nếu hỏi về kế hoạch nói chung")
    lesson: Id
    type: QuestionType
    prompt: Text
    options: list[Option] = Field(default_factory=list, description="lựa chọn; với matching: vế trái")
    targets: list[Option] = Field(default_factory=list, description="với matching: vế phải")
    answer: Any = Field(
        description="single: id; multiple: [id]; true-false: true/false; short-text: [đáp án chấp nhận];"
        " matching: {id trái: id phải}; ordering: [id theo đúng thứ tự]"
    )
    accept_without_diacritics: bool = Field(default=False, description="short-text: chấp nhận gõ không dấu")
    explanation: Text
    difficulty: Difficulty = Difficulty.medium

    @field_validator("answer")
    @classmethod
    def _answer_present(cls, value: Any) -> Any:
        if value is None or value == "" or value == [] or value == {}:
            raise ValueError("cần có đáp án")
        return value


class Topic(Model):
    schema_version: int = Field(description=f"phiên bản lược đồ đặc tả ({SCHEMA_VERSION})")
    id: Id
    year: int = Field(ge=2000, le=2100)
    kind: Kind
    title: Text
    short_title: Text
    draft: bool = Field(default=False, description="đặc tả đang soạn: chưa dựng bài học")
    source: Source
    contents: list[Content] = Field(min_length=1)
    facts: Facts
    lessons: list[Lesson] = Field(min_length=1)
    questions: list[Question] = Field(default_factory=list)

    # ---- lookups the builder and widgets use ----
    def content(self, content_id: str) -> Content:
        return next(c for c in self.contents if c.id == content_id)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def audience_name(self, audience_id: str) -> str:
        return next((a.name for a in self.facts.audiences if a.id == audience_id), audience_id)


# ---------------------------------------------------------------- loading and checking


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
    problems = [Problem(str(path), lines.line_of(loc), dotted(loc), msg) for loc, msg in _cross_check(topic)]
    if problems:
        raise SpecError(problems)
    return topic, lines


def dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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


def _duplicates(items: list, label: str, path: tuple) -> list[tuple[tuple, str]]:
    counts = Counter(item.id for item in items)
    return [
        ((*path, i, "id"), f"id {label} '{item.id}' bị trùng")
        for i, item in enumerate(items)
        if counts[item.id] > 1 and [x.id for x in items].index(item.id) != i
    ]


def _cross_check(topic: Topic) -> list[tuple[tuple, str]]:
    """Rules between fields that a per-field schema cannot say."""
    found: list[tuple[tuple, str]] = []
    f = topic.facts
    found += _duplicates(topic.contents, "nội dung", ("contents",))
    found += _duplicates(topic.lessons, "bài học", ("lessons",))
    found += _duplicates(topic.questions, "câu hỏi", ("questions",))
    found += _duplicates(f.audiences, "đối tượng", ("facts", "audiences"))
    for name in (
        "deadlines",
        "mottos",
        "documents",
        "focal_contents",
        "review_cycles",
        "commitments",
        "statements",
    ):
        found += _duplicates(getattr(f, name), name, ("facts", name))
    if topic.schema_version != SCHEMA_VERSION:
        found.append(
            (
                ("schema_version",),
                f"bộ công cụ đọc phiên bản {SCHEMA_VERSION}, tệp ghi {topic.schema_version}",
            )
        )

    content_ids = {c.id for c in topic.contents}
    lesson_ids = {lesson.id for lesson in topic.lessons}
    question_ids = {q.id for q in topic.questions}
    audience_ids = {a.id for a in f.audiences}
    document_ids = {d.id for d in f.documents}
    content_lines = topic.source.content_line_numbers()

    for i, c in enumerate(topic.contents):
        if c.number != i + 1:
            found.append((("contents", i, "number"), f"nội dung thứ {i + 1} phải có number: {i + 1}"))
    for i, lesson in enumerate(topic.lessons):
        where = ("lessons", i)
        if lesson.kind == LessonKind.content and lesson.content not in content_ids:
            found.append(((*where, "content"), f"nội dung không có trong contents: {lesson.content!r}"))
        if lesson.kind != LessonKind.content and lesson.content is not None:
            found.append(((*where, "content"), "chỉ bài học kind=content mới gắn với một nội dung"))
        for j, qid in enumerate(lesson.practice):
            if qid not in question_ids:
                found.append(((*where, "practice", j), f"câu hỏi không có trong questions: {qid!r}"))
    for name in ("deadlines", "commitments"):
        for i, item in enumerate(getattr(f, name)):
            for j, aud in enumerate(item.audiences):
                if aud not in audience_ids:
                    found.append(
                        (
                            ("facts", name, i, "audiences", j),
                            f"đối tượng không có trong facts.audiences: {aud!r}",
                        )
                    )
    for i, item in enumerate(f.commitments):
        if item.guided_by is not None and item.guided_by not in document_ids:
            found.append(
                (
                    ("facts", "commitments", i, "guided_by"),
                    f"văn bản không có trong facts.documents: {item.guided_by!r}",
                )
            )

    for loc, cite in citations(topic):
        line = int(cite[1:])
        if line > topic.source.lines:
            found.append((loc, f"dòng {cite} vượt quá văn bản nguồn ({topic.source.lines} dòng)"))
        elif line not in content_lines:
            found.append(
                (
                    loc,
                    f"dòng {cite} không thuộc phần nội dung của nguồn ({', '.join(topic.source.content_lines)})",
                )
            )

    for i, q in enumerate(topic.questions):
        where = ("questions", i)
        if q.content is not None and q.content not in content_ids:
            found.append(((*where, "content"), f"nội dung không có trong contents: {q.content!r}"))
        if q.lesson not in lesson_ids:
            found.append(((*where, "lesson"), f"bài học không có trong lessons: {q.lesson!r}"))
        found += [((*where, *loc), msg) for loc, msg in answer_problems(q)]
    return found


def citations(topic: Topic):
    """(path, 'L25') for every citation in the spec, so each can be checked against the source."""
    for path, value in walk(topic.model_dump(mode="python"), ()):
        if path and path[-1] in ("cite",) and isinstance(value, str):
            yield path, value
        elif path and path[-1] == "cites" and isinstance(value, list):
            for j, cite in enumerate(value):
                yield (*path, j), cite


def walk(value: Any, path: tuple):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, (*path, i))


def evidence_items(topic: Topic):
    """(path, cite, evidence) for every cited fact and question: what the source must bear out."""
    for path, value in walk(topic.model_dump(mode="python"), ()):
        if isinstance(value, dict) and "cite" in value and "evidence" in value:
            yield path, value["cite"], value["evidence"]


def answer_problems(q: Question) -> list[tuple[tuple, str]]:
    """What is wrong with a question's options and answer for its type (empty when nothing)."""
    found: list[tuple[tuple, str]] = []
    option_ids = [o.id for o in q.options]
    target_ids = [o.id for o in q.targets]
    a = q.answer
    choice = q.type in (
        QuestionType.single,
        QuestionType.multiple,
        QuestionType.matching,
        QuestionType.ordering,
    )
    if choice and len(q.options) < 2:
        # the answer cannot be judged without options: one problem, not a cascade
        return [(("options",), f"câu hỏi loại {q.type.value} cần ít nhất 2 lựa chọn")]
    if len(set(option_ids)) != len(option_ids):
        found.append((("options",), "id lựa chọn bị trùng"))
    if not choice and q.options:
        found.append((("options",), f"câu hỏi loại {q.type.value} không dùng options"))
    if q.type != QuestionType.matching and q.targets:
        found.append((("targets",), "chỉ câu hỏi matching mới dùng targets"))

    def wrong(expected: str) -> None:
        found.append((("answer",), f"đáp án sai kiểu cho loại {q.type.value}: cần {expected}, có {a!r}"))

    match q.type:
        case QuestionType.single:
            if not isinstance(a, str):
                wrong("một id lựa chọn")
            elif a not in option_ids:
                found.append((("answer",), f"đáp án {a!r} không phải id của một lựa chọn"))
        case QuestionType.multiple:
            if not (isinstance(a, list) and a and all(isinstance(x, str) for x in a)):
                wrong("danh sách id lựa chọn")
            elif unknown := [x for x in a if x not in option_ids]:
                found.append((("answer",), f"đáp án có id không phải lựa chọn: {unknown}"))
            elif len(set(a)) != len(a):
                found.append((("answer",), "đáp án có id lặp lại"))
        case QuestionType.true_false:
            if not isinstance(a, bool):
                wrong("true hoặc false")
        case QuestionType.short_text:
            if not (isinstance(a, list) and a and all(isinstance(x, str) and x.strip() for x in a)):
                wrong("danh sách các câu trả lời được chấp nhận")
        case QuestionType.matching:
            if len(q.targets) < 2:
                found.append((("targets",), "câu hỏi matching cần ít nhất 2 vế phải"))
            if not isinstance(a, dict):
                wrong("ánh xạ {id trái: id phải}")
            elif set(a) != set(option_ids) or any(v not in target_ids for v in a.values()):
                found.append((("answer",), "đáp án matching phải ghép mỗi id trái với một id phải có trong targets"))
        case QuestionType.ordering:
            if not (isinstance(a, list) and all(isinstance(x, str) for x in a)):
                wrong("danh sách id theo đúng thứ tự")
            elif sorted(a) != sorted(option_ids):
                found.append((("answer",), "đáp án ordering phải dùng mỗi id lựa chọn đúng một lần"))
    return found
