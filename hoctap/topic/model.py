"""The topic spec: one YAML file per topic is the single source of truth for lessons and questions.

The models say what a field is (`description=`, which also goes into the JSON schema in
`data/topic.schema.json`); `rules.cross_check` says how fields must agree, and `load.load_topic(path)`
returns a validated `Topic` or raises `SpecError` listing every problem as `FILE:LINE: field.path: what`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .kinds import QuestionType, Review  # noqa: F401 - part of the spec model's API

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


class AssessmentKind(StrEnum):
    quiz = "quiz"  # a quiz on one content (or lesson), autograded
    final = "final"  # the final test over the whole topic, autograded
    commitment = "commitment"  # the learner's written commitment (bản cam kết), graded by hand


class Counts(StrEnum):
    highest = "highest"
    last = "last"


class Draw(Model):
    """Questions drawn at random from the bank for each attempt (fixed once the attempt starts)."""

    count: int = Field(ge=1)
    content: Id | None = Field(default=None, description="chỉ lấy câu hỏi của nội dung này")
    lesson: Id | None = Field(default=None, description="chỉ lấy câu hỏi của bài học này")
    difficulty: Difficulty | None = None


class RatingLevel(Model):
    """One level of the year-end rating scale of a commitment (e.g. "Hoàn thành tốt", 8 points)."""

    id: Id
    label: Text
    points: float = Field(ge=0)


class Assessment(Model):
    id: Id = Field(description="tên bài trong nbgrader (duy nhất trong mọi chuyên đề): nên bắt đầu bằng năm")
    title: Text
    kind: AssessmentKind
    roles: list[Id] = Field(
        default_factory=list, description="vai trò (id trong facts.audiences) phải làm; trống = mọi người"
    )
    units: list[Id] = Field(default_factory=list, description="đơn vị phải làm; trống = mọi đơn vị")
    opens: dt.datetime = Field(description="giờ mở bài (giờ Việt Nam nếu không ghi múi giờ)")
    due: dt.datetime = Field(description="hạn nộp: nộp sau hạn là nộp muộn")
    closes: dt.datetime | None = Field(default=None, description="sau giờ này không nhận bài; trống = không đóng")
    attempts: int = Field(default=1, ge=1, description="số lần làm tối đa")
    counts: Counts = Field(default=Counts.highest, description="lần được tính điểm: cao nhất hoặc lần cuối")
    time_limit_minutes: int | None = Field(default=None, ge=1)
    review: Review | None = Field(
        default=None,
        description="khi nào học viên xem đáp án: after-each (sau mỗi lần), after-last (sau lần cuối), after-close "
        "(sau khi bài đóng); trống = sau lần cuối nếu được làm nhiều lần, sau mỗi lần nếu chỉ một lần",
    )
    questions: list[Id] = Field(default_factory=list, description="câu hỏi cố định")
    draw: list[Draw] = Field(default_factory=list, description="câu hỏi rút ngẫu nhiên cho mỗi lần làm")
    points_per_question: float = Field(default=1, gt=0)
    pass_percent: float = Field(
        default=50,
        ge=0,
        le=100,
        description="bài quiz/final: điểm đạt, tính bằng % điểm tối đa (mặc định 50); đạt mọi bài kiểm tra được giao "
        "và dự ít nhất một buổi học tập là đã học tập, quán triệt chuyên đề",
    )
    instructions: str = Field(default="", description="hướng dẫn hiện cho học viên")
    rating_scale: list[RatingLevel] = Field(default_factory=list, description="commitment: thang đánh giá cuối năm")
    deadline: Id | None = Field(
        default=None, description="id của mốc thời hạn trong facts.deadlines mà bài này phục vụ"
    )
    content: Id | None = Field(
        default=None,
        description="nội dung mà bài hỏi: đơn vị đã chọn nội dung khác (unit_choices) thì không phải làm bài này",
    )


class UnitChoice(Model):
    """The contents a unit chose to carry out this year (each chi bộ chooses some contents every year, L39)."""

    unit: Id = Field(description="đơn vị dạng id, như cột unit_id của danh sách học viên")
    contents: list[Id] = Field(min_length=1, description="id các nội dung đơn vị chọn")
    note: str = Field(default="", description="ghi chú, ví dụ số nghị quyết của chi bộ")


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
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="múi giờ của các mốc giờ không ghi múi giờ")
    assessments: list[Assessment] = Field(default_factory=list)
    unit_choices: list[UnitChoice] = Field(
        default_factory=list,
        description="nội dung mỗi đơn vị chọn trong năm (L39); đơn vị không ghi ở đây làm mọi nội dung",
    )

    # ---- lookups the builder and widgets use ----
    def content(self, content_id: str) -> Content:
        return next(c for c in self.contents if c.id == content_id)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def assessment(self, assessment_id: str) -> Assessment:
        return next(a for a in self.assessments if a.id == assessment_id)

    def applies(self, assessment: Assessment, role: str, unit_id: str) -> bool:
        """Whether a learner of `role` in unit `unit_id` must take `assessment` (roles, units, the unit's choice)."""
        if assessment.roles and role not in assessment.roles:
            return False
        if assessment.units and unit_id not in assessment.units:
            return False
        if assessment.content is None:
            return True
        chosen = next((c.contents for c in self.unit_choices if c.unit == unit_id), None)
        return chosen is None or assessment.content in chosen

    def audience_name(self, audience_id: str) -> str:
        return next((a.name for a in self.facts.audiences if a.id == audience_id), audience_id)
