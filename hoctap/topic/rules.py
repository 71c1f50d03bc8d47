"""Rules between the fields of a topic spec that a per-field schema cannot say, and walks over a spec.

Each rule yields (field path, message); `topic.load_topic` turns the paths into FILE:LINE: field lines.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .kinds import QuestionType
from .model import SCHEMA_VERSION, Assessment, AssessmentKind, LessonKind, Question, Topic


def dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _duplicates(items: list, label: str, path: tuple) -> list[tuple[tuple, str]]:
    counts = Counter(item.id for item in items)
    return [
        ((*path, i, "id"), f"id {label} '{item.id}' bị trùng")
        for i, item in enumerate(items)
        if counts[item.id] > 1 and [x.id for x in items].index(item.id) != i
    ]


def cross_check(topic: Topic) -> list[tuple[tuple, str]]:
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
    seen_units: set[str] = set()
    for i, choice in enumerate(topic.unit_choices):
        if choice.unit in seen_units:
            found.append((("unit_choices", i, "unit"), f"đơn vị ghi hai lần: {choice.unit!r}"))
        seen_units.add(choice.unit)
        for j, content in enumerate(choice.contents):
            if content not in content_ids:
                found.append((("unit_choices", i, "contents", j), f"nội dung không có trong contents: {content!r}"))
    found += _duplicates(topic.assessments, "bài kiểm tra", ("assessments",))
    for i, assessment in enumerate(topic.assessments):
        found += [(("assessments", i, *loc), msg) for loc, msg in assessment_problems(topic, assessment)]
    return found


def practised(topic: Topic) -> dict[str, str]:
    """Question id → the first lesson whose practice shows it. A lesson shows the key after one wrong check,
    with no login: such a question is public, never part of an assessment."""
    out: dict[str, str] = {}
    for lesson in topic.lessons:
        for qid in lesson.practice:
            out.setdefault(qid, lesson.id)
    return out


def drawable(topic: Topic, content: str | None, lesson: str | None, difficulty) -> list[Question]:
    """The questions of the bank a draw may pick from: those its filters select, never a practice question."""
    shown = practised(topic)
    return [
        q
        for q in topic.questions
        if q.id not in shown
        and (content is None or q.content == content)
        and (lesson is None or q.lesson == lesson)
        and (difficulty is None or q.difficulty == difficulty)
    ]


def draw_pools(topic: Topic, assessment: Assessment) -> list[list[Question]]:
    """Each draw's pool, in spec order: `drawable` minus the fixed questions and minus the pools of earlier draws
    (so two draws never pick the same question); what the build puts in the slots and the check counts."""
    used = set(assessment.questions)
    pools = []
    for d in assessment.draw:
        pool = [q for q in drawable(topic, d.content, d.lesson, d.difficulty) if q.id not in used]
        used.update(q.id for q in pool)
        pools.append(pool)
    return pools


PRACTICE_NOT_DRAWN = " (câu luyện tập trong bài học không bao giờ được rút)"


def assessment_problems(topic: Topic, a: Assessment) -> list[tuple[tuple, str]]:
    """What is wrong with one assessment: dates out of order, unknown ids, draws the bank cannot fill."""
    found: list[tuple[tuple, str]] = []
    audiences = {x.id for x in topic.facts.audiences}
    questions = {q.id for q in topic.questions}
    if not (a.opens < a.due):
        found.append((("due",), "hạn nộp (due) phải sau giờ mở bài (opens)"))
    if a.closes is not None and a.closes < a.due:
        found.append((("closes",), "giờ đóng bài (closes) không được trước hạn nộp (due)"))
    for j, role in enumerate(a.roles):
        if role not in audiences:
            found.append((("roles", j), f"vai trò không có trong facts.audiences: {role!r}"))
    if a.content is not None and a.content not in {c.id for c in topic.contents}:
        found.append((("content",), f"nội dung không có trong contents: {a.content!r}"))
    if a.deadline is not None and a.deadline not in {d.id for d in topic.facts.deadlines}:
        found.append((("deadline",), f"mốc thời hạn không có trong facts.deadlines: {a.deadline!r}"))
    if a.kind == AssessmentKind.commitment:
        if a.questions or a.draw:
            found.append((("questions",), "bài cam kết không có câu hỏi trắc nghiệm"))
        if not a.rating_scale:
            found.append((("rating_scale",), "bài cam kết cần thang đánh giá (rating_scale)"))
        return found
    if a.rating_scale:
        found.append((("rating_scale",), "chỉ bài cam kết mới có thang đánh giá"))
    if not a.questions and not a.draw:
        found.append((("questions",), "bài kiểm tra cần câu hỏi cố định (questions) hoặc rút ngẫu nhiên (draw)"))
    shown = practised(topic)
    for j, qid in enumerate(a.questions):
        if qid not in questions:
            found.append((("questions", j), f"câu hỏi không có trong questions: {qid!r}"))
        elif qid in shown:
            found.append(
                (
                    ("questions", j),
                    f"câu {qid!r} là câu luyện tập của bài học {shown[qid]!r}, bài học cho xem đáp án: chọn câu "
                    "khác cho bài kiểm tra, hoặc bỏ câu này khỏi practice của bài học",
                )
            )
    contents = {c.id for c in topic.contents}
    for j, (d, pool) in enumerate(zip(a.draw, draw_pools(topic, a), strict=True)):
        if d.content is not None and d.content not in contents:
            found.append((("draw", j, "content"), f"nội dung không có trong contents: {d.content!r}"))
            continue
        if len(pool) < d.count:
            found.append(
                (
                    ("draw", j, "count"),
                    f"ngân hàng chỉ có {len(pool)} câu phù hợp, không rút đủ {d.count}{PRACTICE_NOT_DRAWN}",
                )
            )
    return found


def topic_warnings(topic: Topic) -> list[tuple[tuple, str]]:
    """What a spec may do but probably should not: retakes that cannot draw anything new."""
    found = []
    for i, a in enumerate(topic.assessments):
        if a.attempts < 2:
            continue
        for j, (d, pool) in enumerate(zip(a.draw, draw_pools(topic, a), strict=True)):
            where = ("assessments", i, "draw", j, "count")
            if len(pool) == d.count:
                found.append(
                    (
                        where,
                        f"được làm {a.attempts} lần nhưng ngân hàng chỉ có đúng {d.count} câu phù hợp: lần làm lại gặp "
                        f"lại đúng các câu ấy; thêm câu hỏi để ngân hàng nhiều hơn {d.count} câu{PRACTICE_NOT_DRAWN}",
                    )
                )
            elif d.count < len(pool) < d.count * a.attempts:
                found.append(
                    (
                        where,
                        f"ngân hàng có {len(pool)} câu cho {a.attempts} lần rút {d.count} câu: từ lần làm thứ "
                        f"{len(pool) // d.count + 1} có câu đã gặp ở lần trước",
                    )
                )
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
