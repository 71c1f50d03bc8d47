"""What goes into each lesson notebook: an ordered list of cells per lesson kind, declared as data.

Markdown comes from the spec (the kit's own words, each fact followed by the plan's words it rests on and their
line); code cells are one call into `widgets.lesson` each, so a trainer reading a cell sees what it shows. Every cell
carries reveal.js slide metadata: the same notebook is a page in Voila and a slide deck that fits a 1280×720
projector — one practice question per slide, long lists paged (`slides.paged`).
"""

from __future__ import annotations

from hoctap.topic import Content, Lesson, LessonKind, Topic, TrainerMaterial, fold

from .slides import Cell, arg, call, esc, fmt_date, md, paged, src

SETUP = "setup"

__all__ = ["Cell", "lesson_cells", "period_name"]


# ------------------------------------------------------------------ shared pieces


def _title(topic: Topic, lesson: Lesson) -> Cell:
    return md(f"# {esc(lesson.title)}\n\n**{esc(topic.short_title)}** · năm {topic.year}\n\n{esc(lesson.intro)}")


def _setup(topic: Topic) -> Cell:
    # Hidden in Voila (no output) and skipped in slides; trainers in JupyterLab run it first.
    return Cell("code", f"from widgets import lesson\n\nTOPIC = {arg(topic.id)}", "skip")


def _session(topic: Topic, lesson: Lesson) -> Cell:
    # A slide of its own after the title: on the trainer's side the live session's panel (join code, QR code, count,
    # questions to the room); on the learners' server one line on how to join (widgets.session.lesson_panel).
    return call(f"lesson.live_session(TOPIC, {arg(lesson.id)})", "slide")


def _trainer_material(items: list[TrainerMaterial], heading: str) -> list[Cell]:
    if not items:
        return []
    cells = [md(f"## {heading}\n\n*Phần này do báo cáo viên bổ sung trong đặc tả chuyên đề.*")]
    for item in items:
        by = f"\n\n— {esc(item.author)}" if item.author else ""
        cells.append(md(f"### {esc(item.heading)}\n\n{esc(item.body)}{by}", "subslide"))
    return cells


def _practice(lesson: Lesson) -> list[Cell]:
    """An opening slide, then each question on a vertical slide of its own: a question with its feedback fits the
    projector, where five or six stacked were up to 2,300 px tall and all but the first were cut off."""
    if not lesson.practice:
        return []
    cells = [
        md(
            "## Luyện tập\n\n"
            f"{len(lesson.practice)} câu hỏi, mỗi câu một trang (chuyển trang xuống để sang câu sau). Trả lời rồi bấm "
            "**Kiểm tra** để xem đáp án, giải thích và câu chữ của kế hoạch làm căn cứ."
        )
    ]
    for n, qid in enumerate(lesson.practice, 1):
        cells.append(call(f"lesson.practice(TOPIC, {arg([qid])}, start={n})", "subslide"))
    return cells


def _contents_list(topic: Topic) -> str:
    return "\n".join(f"{c.number}. **{esc(c.title)}** {src(c.cite)}" for c in topic.contents)


def _statement_items(topic: Topic, *lines: str) -> list[str]:
    wanted = {f"L{n}" if not str(n).startswith("L") else n for n in lines}
    return [f"- {esc(s.text)} {src(s.cite, s.evidence, s.text)}" for s in topic.facts.statements if s.cite in wanted]


def _statements(topic: Topic, *lines: str) -> str:
    return "\n".join(_statement_items(topic, *lines))


def period_name(name: str, years: int) -> str:
    """A review's name with its period, unless the name already says it ("Sơ kết (3 năm)", "Báo cáo hằng năm")."""
    folded = fold(name)
    if fold(f"{years} năm") in folded or (years == 1 and fold("hằng năm") in folded):
        return name
    return f"{name} ({years} năm)"


def _who_and_when(topic: Topic) -> list[str]:
    """One line per audience: its deadlines as the plan words them, or, for a group the plan gives no date, that it
    gives none and what it does ask of the group (its commitment and how it is reviewed)."""
    f = topic.facts
    items = []
    for a in f.audiences:
        dated = [d for d in f.deadlines if a.id in d.audiences]
        if dated:
            when = "; ".join(
                f"{esc(d.what)} — **{esc(d.due_label)}** ({fmt_date(d.due)}) {src(d.cite, d.evidence, d.due_label)}"
                for d in dated
            )
        else:
            asked = [c for c in f.commitments if a.id in c.audiences]
            when = "kế hoạch không nêu ngày hoàn thành" + "".join(
                f"; viết bản cam kết — {esc(c.evaluation)} {src(c.cite, c.evidence, c.evaluation)}" for c in asked
            )
        items.append(f"- **{esc(a.name)}**: {when}")
    return items


def _explore_each(topic: Topic) -> list[Cell]:
    """One vertical slide per content, its sections and key terms as tabs: all contents in one explorer, each
    whole on its tab, stood 1,200 px tall on a 720 px slide."""
    cells = []
    for c in topic.contents:
        cells.append(
            md(
                f"### Khám phá nội dung {c.number}: {esc(c.short_title)}\n\n"
                "Chọn từng thẻ để xem phần giải thích và các thuật ngữ chính.",
                "subslide",
            )
        )
        cells.append(call(f"lesson.explorer(TOPIC, {arg(c.id)})", "-"))
    return cells


# ------------------------------------------------------------------ one builder per lesson kind


def _overview(topic: Topic, lesson: Lesson) -> list[Cell]:
    return [
        md(f"## Chuyên đề gồm {len(topic.contents)} nội dung cơ bản\n\n{_contents_list(topic)}"),
        *_explore_each(topic),
        md(f"## Vị trí của chuyên đề\n\n{_statements(topic, 'L9', 'L15')}"),
        *paged("## Ai học, học đến khi nào", _who_and_when(topic)),
        md(
            "### Dòng thời gian\n\nChọn đối tượng để xem các mốc áp dụng; vạch **Hôm nay** cho biết đang ở đâu.",
            "subslide",
        ),
        call("lesson.timeline(TOPIC)", "-"),
    ]


def _content(topic: Topic, lesson: Lesson) -> list[Cell]:
    content: Content = topic.content(lesson.content)
    cells = [
        md(f"## Nội dung {content.number}: {esc(content.title)}\n\n{src(content.cite)}"),
    ]
    for section in content.sections:
        refs = src(section.cites) if section.cites else ""
        cells.append(md(f"### {esc(section.heading)}\n\n{esc(section.body)}\n\n{refs}".rstrip(), "subslide"))
    if content.key_terms:
        terms = [f"- **{esc(t.term)}**: {esc(t.meaning)} {src(t.cite, t.evidence, t.term)}" for t in content.key_terms]
        cells += paged("### Thuật ngữ chính", terms, "subslide")
    cells += [
        md("### Xem lại theo từng phần", "subslide"),
        call(f"lesson.explorer(TOPIC, {arg(content.id)})", "-"),
    ]
    cells += _trainer_material(content.trainer_material, "Tư liệu của báo cáo viên cho nội dung này")
    return cells


def _implementation(topic: Topic, lesson: Lesson) -> list[Cell]:
    f = topic.facts
    mottos = [f"- **“{esc(m.text)}”** — {esc(m.meaning)} {src(m.cite, m.evidence, m.text)}" for m in f.mottos]
    focal = [
        f"{i}. **{esc(x.name)}**: {esc(x.meaning)} {src(x.cite, x.evidence, x.name)}"
        for i, x in enumerate(f.focal_contents, 1)
    ]
    commitments = [f"- {esc(c.what)} — *{esc(c.evaluation)}* {src(c.cite, c.evidence, c.what)}" for c in f.commitments]
    reviews = [f"- **{esc(period_name(r.name, r.years))}** {src(r.cite, r.evidence, r.name)}" for r in f.review_cycles]
    return [
        *paged("## Phương châm triển khai", mottos),
        md("### Thẻ ghi nhớ: phương châm", "subslide"),
        call('lesson.flashcards(TOPIC, "mottos")', "-"),
        *paged("## Ba nội dung trọng tâm", [*focal, *_statement_items(topic, "L25")]),
        *paged("## Cách tổ chức thực hiện", _statement_items(topic, "L17", "L19", "L21", "L23", "L27")),
        md(
            "### Thẻ ghi nhớ: văn bản liên quan\n\n"
            "Mặt trước là số hiệu văn bản; lật thẻ để xem văn bản nói về điều gì, ngày và cơ quan ban hành.",
            "subslide",
        ),
        call('lesson.flashcards(TOPIC, "documents")', "-"),
        *paged("## Viết bản cam kết", commitments),
        *paged("## Báo cáo, sơ kết, tổng kết", reviews),
        *paged("## Sinh hoạt chi bộ thường kỳ", _statement_items(topic, "L37", "L39")),
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
        _session(topic, lesson),
        *BODY[lesson.kind](topic, lesson),
        *_practice(lesson),
        *_trainer_material(lesson.trainer_material, "Tư liệu của báo cáo viên"),
        md(
            f"---\n\n*Nguồn: bài “{esc(topic.source.title)}”. Nội dung bài học do bộ công cụ hoctap soạn từ đặc tả "
            "chuyên đề; mỗi dẫn chứng ghi số dòng của kế hoạch và cụm từ nguyên văn ở dòng đó, trong ngoặc kép.*",
            "slide",
        ),
    ]
