"""The built 2021 lessons in Voila and Debian Chromium: every lesson renders, and a trainer's gestures work."""

from __future__ import annotations

import nbformat
import pytest

from hoctap.topic.catalog import layout
from hoctap.topic.catalog import topic_by_id as topic
from tests.servers import assert_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = sorted(layout().lessons.glob("2021/*.ipynb"))
COMPONENTS = ".hoctap-explorer, .hoctap-flashcards, .hoctap-timeline, .hoctap-practice, .hoctap-session-hint"
TOPIC = topic("2021-chuyen-de-toan-khoa")


@pytest.fixture(scope="module")
def base(voila_server_module):
    return voila_server_module(layout().lessons)


def _widget_cells(path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and c.source.startswith("lesson."))


def open_lesson(page, base: str, name: str, query: str = "") -> None:
    path = layout().lessons / "2021" / name
    page.goto(f"{base}voila/render/2021/{name}{query}")
    page.wait_for_function(
        "([s, n]) => document.querySelectorAll(s).length >= n", arg=[COMPONENTS, _widget_cells(path)]
    )


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_renders_its_widgets_without_error(page, base, path):
    open_lesson(page, base, path.name)
    assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "Traceback" not in page.content()
    title = nbformat.read(path, as_version=4).metadata.title
    assert page.locator("h1", has_text=title).count() == 1
    assert_offline(page)


def test_switching_a_tab_of_the_content_explorer(page, base):
    open_lesson(page, base, "01-tong-quan.ipynb")
    first = TOPIC.contents[0]
    explorer = page.locator(".hoctap-explorer").first  # the overview explores each content on its own
    visible = explorer.locator(".hoctap-page:visible")
    assert first.sections[0].heading in visible.inner_text()
    assert visible.locator("mark.hoctap-term").count() > 0  # key terms are highlighted in the text
    explorer.locator(".lm-TabBar-tab", has_text="Thuật ngữ chính").click()
    visible = explorer.locator(".hoctap-page:visible")
    assert visible.count() == 1
    assert first.key_terms[0].term in visible.inner_text() and first.sections[0].heading not in visible.inner_text()
    explorer.locator(".lm-TabBar-tab", has_text=first.sections[1].heading).click()
    assert first.sections[1].heading in explorer.locator(".hoctap-page:visible").inner_text()


def test_flipping_a_flashcard(page, base):
    open_lesson(page, base, "05-trien-khai.ipynb")
    deck = page.locator(".hoctap-flashcards").first
    face = deck.locator(".hoctap-card-face")
    assert face.get_attribute("data-side") == "front"
    front_text = face.inner_text()
    deck.locator("button.hoctap-flip").click()
    deck.locator(".hoctap-card-face[data-side='back']").wait_for()
    assert deck.locator(".hoctap-card-face").inner_text() != front_text
    deck.locator("button.hoctap-next").click()
    deck.locator(".hoctap-card-face[data-side='front']").wait_for()  # a new card shows its front


def _question_box(page, question_id):
    return page.locator(f".hoctap-question-{question_id}")


def test_practice_question_right_then_wrong_with_feedback(page, base):
    open_lesson(page, base, "01-tong-quan.ipynb")
    single = [q for q in TOPIC.questions if q.type.value == "single" and q.id in TOPIC.lessons[0].practice]
    right_q, wrong_q = single[0], single[1]

    box = _question_box(page, right_q.id)
    right_text = next(o.text for o in right_q.options if o.id == right_q.answer)
    box.locator("label", has_text=right_text).click()
    box.locator("button.hoctap-check").click()
    feedback = box.locator(".hoctap-feedback .hoctap-right")
    feedback.wait_for()
    assert "Đúng rồi!" in feedback.inner_text()
    # The source as a person can follow it: the plan's line and its own words there.
    assert f"Nguồn: kế hoạch, dòng {right_q.cite[1:]}: “{right_q.evidence}”" in feedback.inner_text()

    box = _question_box(page, wrong_q.id)
    wrong_text = next(o.text for o in wrong_q.options if o.id != wrong_q.answer)
    box.locator("label", has_text=wrong_text).click()
    box.locator("button.hoctap-check").click()
    feedback = box.locator(".hoctap-feedback .hoctap-wrong")
    feedback.wait_for()
    text = feedback.inner_text()
    assert "Chưa đúng." in text and "Đáp án đúng" in text and f"“{wrong_q.evidence}”" in text
    # Each question is a widget of its own (one slide each): every practice question of the lesson is on the page.
    lesson = TOPIC.lessons[0]
    assert page.locator(".hoctap-practice .hoctap-question").count() == len(lesson.practice)
    assert page.locator(".hoctap-qnum").all_inner_texts() == [f"Câu {n}." for n in range(1, len(lesson.practice) + 1)]


def test_the_index_lists_lesson_titles_not_file_names(page, base):
    page.goto(base)
    items = page.locator("li.lesson")
    assert items.count() == len(LESSONS)
    shown = page.locator("main").inner_text()
    assert ".ipynb" not in shown and "2021/" not in shown
    for path in LESSONS:
        assert nbformat.read(path, as_version=4).metadata.title in shown
    first = items.first.locator("a.open-app")
    assert first.get_attribute("href").endswith(f"/voila/render/2021/{LESSONS[0].name}")
    first.click()
    page.wait_for_function("s => document.querySelectorAll(s).length > 0", arg=COMPONENTS)


def test_lesson_slides_render_with_live_widgets_offline(page, base):
    open_lesson(page, base, "05-trien-khai.ipynb", "?template=hoctap-slides")
    page.locator(".reveal.ready").wait_for(state="attached")
    assert page.locator(".slides > section").count() > 5
    # go to the first flashcards slide and use the widget there
    for _ in range(page.locator(".slides > section").count()):
        if page.locator("section.present:not(.stack) .hoctap-flashcards").count():
            break
        page.keyboard.press("Space")  # next slide, vertical subslides included
    deck = page.locator("section.present:not(.stack) .hoctap-flashcards").first
    deck.locator("button.hoctap-flip").click()
    deck.locator(".hoctap-card-face[data-side='back']").wait_for()
    assert_offline(page)
