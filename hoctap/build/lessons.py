"""What goes into each lesson notebook: an ordered list of cells per lesson kind, declared as data.

Markdown comes from the spec (the kit's own words, with line citations); code cells are one call
into `widgets.lesson` each, so a trainer reading a cell sees what it shows. Every cell carries
reveal.js slide metadata: the same notebook is a page in Voila and a slide deck.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from hoctap.topic import Content, Lesson, LessonKind, Topic, TrainerMaterial

SETUP = "setup"


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" | "code"
    source: str
    slide: str  # reveal.js slide_type: slide, subslide, fragment, skip, -


def md(text: str, slide: str = "slide") -> Cell:
    return Cell("markdown", text.strip(), slide)


def call(expression: str, slide: str = "-") -> Cell:
    return Cell("code", expression, slide)


def esc(text: str) -> str:
    """Spec text in Markdown: HTML-special characters escaped so a spec cannot inject markup."""
    return html.escape(text, quote=False)


def cite(line: str) -> str:
    return f"<small>(dòng {line})</small>"


def arg(value: object) -> str:
    """A Python literal for a code cell (json gives double quotes and keeps Vietnamese letters)."""
    return json.dumps(value, ensure_ascii=False)


def fmt_date(value) -> str:
    return value.strftime("%d/%m/%Y")


# ------------------------------------------------------------------ shared pieces


def _title(topic: Topic, lesson: Lesson) -> Cell:
    return md(f"# {esc(lesson.title)}\n\n**{esc(topic.short_title)}** · năm {topic.year}\n\n{esc(lesson.intro)}")


def _setup(topic: Topic) -> Cell:
    # Hidden in Voila (no output) and skipped in slides; trainers in JupyterLab run it first.
    return Cell("code", f"from widgets import lesson\n\nTOPIC = {arg(topic.id)}", "skip")


def _trainer_material(items: list[TrainerMaterial], heading: str) -> list[Cell]:
    if not items:
        return []
    cells = [md(f"## {heading}\n\n*Phần này do báo cáo viên bổ sung trong đặc tả chuyên đề.*")]
    for item in items:
        by = f"\n\n— {esc(item.author)}" if item.author else ""
        cells.append(md(f"### {esc(item.heading)}\n\n{esc(item.body)}{by}", "subslide"))
    return cells


def _practice(lesson: Lesson) -> list[Cell]:
    if not lesson.practice:
        return []
    return [
        md("## Luyện tập\n\nTrả lời từng câu rồi bấm **Kiểm tra** để xem đáp án, giải thích và dòng dẫn chứng."),
        call(f"lesson.practice(TOPIC, {arg(lesson.practice)})", "subslide"),
    ]


def _contents_list(topic: Topic) -> str:
    return "\n".join(f"{c.number}. **{esc(c.title)}** {cite(c.cite)}" for c in topic.contents)


def _statements(topic: Topic, *lines: str) -> str:
    wanted = {f"L{n}" if not str(n).startswith("L") else n for n in lines}
    return "\n".join(f"- {esc(s.text)} {cite(s.cite)}" for s in topic.facts.statements if s.cite in wanted)


# ------------------------------------------------------------------ one builder per lesson kind


def _overview(topic: Topic, lesson: Lesson) -> list[Cell]:
    f = topic.facts
    deadlines = "\n".join(
        f"- **{esc(d.due_label)}** ({fmt_date(d.due)}): {esc(d.what)} — "
        f"{esc(', '.join(topic.audience_name(a) for a in d.audiences))} {cite(d.cite)}"
        for d in f.deadlines
    )
    audiences = "\n".join(f"- {esc(a.name)}" for a in f.audiences)
    return [
        md(f"## Chuyên đề gồm {len(topic.contents)} nội dung cơ bản\n\n{_contents_list(topic)}"),
        md(
            "### Khám phá từng nội dung\n\nChọn từng thẻ để xem phần giải thích và các thuật ngữ chính.",
            "subslide",
        ),
        call("lesson.explorer(TOPIC)", "-"),
        md(f"## Vị trí của chuyên đề\n\n{_statements(topic, 'L9', 'L15')}"),
        md(f"## Ai học, học đến khi nào\n\n**Đối tượng:**\n\n{audiences}\n\n**Thời hạn:**\n\n{deadlines}"),
        md(
            "### Dòng thời gian\n\nChọn đối tượng để xem các mốc áp dụng; vạch **Hôm nay** cho biết đang ở đâu.",
            "subslide",
        ),
        call("lesson.timeline(TOPIC)", "-"),
    ]


def _content(topic: Topic, lesson: Lesson) -> list[Cell]:
    content: Content = topic.content(lesson.content)
    cells = [
        md(f"## Nội dung {content.number}: {esc(content.title)}\n\n{cite(content.cite)}"),
    ]
    for section in content.sections:
        refs = " ".join(cite(c) for c in section.cites)
        cells.append(md(f"### {esc(section.heading)}\n\n{esc(section.body)}\n\n{refs}".rstrip(), "subslide"))
    if content.key_terms:
        terms = "\n".join(f"- **{esc(t.term)}**: {esc(t.meaning)} {cite(t.cite)}" for t in content.key_terms)
        cells.append(md(f"### Thuật ngữ chính\n\n{terms}", "subslide"))
    cells += [
        md("### Xem lại theo từng phần", "subslide"),
        call(f"lesson.explorer(TOPIC, {arg(content.id)})", "-"),
    ]
    cells += _trainer_material(content.trainer_material, "Tư liệu của báo cáo viên cho nội dung này")
    return cells


def _implementation(topic: Topic, lesson: Lesson) -> list[Cell]:
    f = topic.facts
    mottos = "\n".join(f"- **“{esc(m.text)}”** — {esc(m.meaning)} {cite(m.cite)}" for m in f.mottos)
    focal = "\n".join(
        f"{i}. **{esc(x.name)}**: {esc(x.meaning)} {cite(x.cite)}" for i, x in enumerate(f.focal_contents, 1)
    )
    commitments = "\n".join(f"- {esc(c.what)} — *{esc(c.evaluation)}* {cite(c.cite)}" for c in f.commitments)
    reviews = "\n".join(f"- **{esc(r.name)}** ({r.years} năm) {cite(r.cite)}" for r in f.review_cycles)
    return [
        md(f"## Phương châm triển khai\n\n{mottos}"),
        md("### Thẻ ghi nhớ: phương châm", "subslide"),
        call('lesson.flashcards(TOPIC, "mottos")', "-"),
        md(f"## Ba nội dung trọng tâm\n\n{focal}\n\n{_statements(topic, 'L25')}"),
        md(f"## Cách tổ chức thực hiện\n\n{_statements(topic, 'L17', 'L19', 'L21', 'L23', 'L27')}"),
        md(
            "### Thẻ ghi nhớ: văn bản liên quan\n\n"
            "Mặt trước là số hiệu văn bản; lật thẻ để xem trích yếu và ngày ban hành.",
            "subslide",
        ),
        call('lesson.flashcards(TOPIC, "documents")', "-"),
        md(f"## Viết bản cam kết\n\n{commitments}"),
        md(f"## Báo cáo, sơ kết, tổng kết\n\n{reviews}"),
        md(f"## Sinh hoạt chi bộ thường kỳ\n\n{_statements(topic, 'L37', 'L39')}"),
        md("### Các mốc thời hạn", "subslide"),
        call("lesson.timeline(TOPIC)", "-"),
    ]


BODY = {
    LessonKind.overview: _overview,
    LessonKind.content: _content,
    LessonKind.implementation: _implementation,
}


def lesson_cells(topic: Topic, lesson: Lesson) -> list[Cell]:
    """Every cell of one lesson, in order."""
    return [
        _title(topic, lesson),
        _setup(topic),
        *BODY[lesson.kind](topic, lesson),
        *_practice(lesson),
        *_trainer_material(lesson.trainer_material, "Tư liệu của báo cáo viên"),
        md(
            f"---\n\n*Nguồn: {esc(topic.source.title)} {cite('L1')}. Nội dung bài học do bộ công cụ hoctap "
            "soạn từ đặc tả chuyên đề; các số dòng dẫn tới văn bản kế hoạch.*",
            "slide",
        ),
    ]
