"""Every slide of every built 2021 lesson fits a 1280×720 projector: measured in Chromium, slide by slide.

One learner Voila (the kit's own, `start_learner`) serves the committed lessons; one Chromium page with a 1280×720
viewport opens each lesson with ?template=hoctap-slides, waits for its widgets, then walks the deck with the keyboard
as a trainer does (Space: the next slide, down a vertical stack before going right) until it stops moving. At each
slide it reads the height of the slide's content (the section's scrollHeight, what reveal.js would cut off below
the slide area) and the height of reveal.js's slide area (`.reveal .slides`, the 1280×720 canvas scaled to the
screen). The walk must also have visited every slide in the page, so no slide escapes the measure. A practice
slide is measured twice: as it opens, and after the trainer answers and presses "Kiểm tra" (the feedback, with the
right answer, the explanation and the source, must fit too).
"""

from __future__ import annotations

import nbformat
import pytest

from hoctap.topic.catalog import layout, topic_by_id
from tests.conftest import recording
from tests.servers import assert_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = sorted(layout().lessons.glob("2021/*.ipynb"))
COMPONENTS = ".hoctap-explorer, .hoctap-flashcards, .hoctap-timeline, .hoctap-practice, .hoctap-session-hint"
VIEWPORT = {"width": 1280, "height": 720}

# The slide shown now (a vertical slide inside a stack, or a slide alone), its place, and its sizes.
PRESENT = """() => {
  const tops = Array.from(document.querySelectorAll('.reveal .slides > section'));
  const h = tops.findIndex(s => s.classList.contains('present'));
  if (h < 0) return null;
  const inner = Array.from(tops[h].querySelectorAll(':scope > section'));
  const v = inner.length ? inner.findIndex(s => s.classList.contains('present')) : 0;
  const slide = inner.length ? inner[v] : tops[h];
  if (!slide || slide.offsetHeight === 0) return null;  // not laid out yet
  const area = document.querySelector('.reveal .slides');
  return {
    at: h + '/' + v,
    content: slide.scrollHeight,
    width: slide.scrollWidth,
    areaHeight: area.offsetHeight,
    areaWidth: area.offsetWidth,
    text: slide.innerText.trim().split('\\n')[0].slice(0, 70),
  };
}"""
ALL_SLIDES = """() => Array.from(document.querySelectorAll('.reveal .slides > section')).flatMap((s, h) => {
  const inner = s.querySelectorAll(':scope > section');
  return inner.length ? Array.from(inner, (_, v) => h + '/' + v) : [h + '/0'];
})"""


def _widget_cells(path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and c.source.startswith("lesson."))


@pytest.fixture(scope="module")
def base(voila_server_module):
    return voila_server_module(layout().lessons)


@pytest.fixture(scope="module")
def projector(browser):
    """One page at the projector's size, for every lesson of the module (one browser, one page: fast)."""
    context = browser.new_context(viewport=VIEWPORT)
    yield recording(context.new_page())
    context.close()


# What answer widgets the practice slide shown has: one round trip instead of one per kind.
INPUTS = """() => {
  const q = document.querySelector('.reveal .slides section.present:not(.stack) .hoctap-question');
  const n = s => q.querySelectorAll(s).length;
  return {choice: n('input[type=radio]') + n('input[type=checkbox]'), toggle: n('button.widget-toggle-button'),
          text: n('input[type=text]'), selects: Array.from(q.querySelectorAll('select'), s => s.options.length)};
}"""


def answer_and_check(page) -> None:
    """On the practice slide shown: give some answer (the first choice, one option per drop-down), press Kiểm tra."""
    question = page.locator(".reveal .slides section.present:not(.stack) .hoctap-question")
    inputs = page.evaluate(INPUTS)
    if inputs["choice"]:
        question.locator("input[type=radio], input[type=checkbox]").first.check()
    if inputs["toggle"]:
        question.locator("button.widget-toggle-button").first.click()
    if inputs["text"]:
        question.locator("input[type=text]").first.fill("x")
    for i, options in enumerate(inputs["selects"]):
        question.locator("select").nth(i).select_option(index=1 + i % (options - 1))  # distinct where it can
    question.locator("button.hoctap-check").click()
    question.locator(".hoctap-feedback .hoctap-right, .hoctap-feedback .hoctap-wrong").wait_for()


def walk(page, last: str) -> list[dict]:
    """Press Space until the deck reaches slide `last` (or stops moving); the measure of each slide met, in order,
    and of each practice slide again once checked (its `at` ends in "+feedback")."""
    seen: list[dict] = []
    current = page.wait_for_function(PRESENT).json_value()
    while True:
        seen.append(current)
        if page.locator(".reveal .slides section.present:not(.stack) .hoctap-question").count():
            answer_and_check(page)
            checked = page.evaluate(PRESENT)
            seen.append({**checked, "at": checked["at"] + "+feedback"})
        if current["at"] == last:
            return seen
        page.keyboard.press("Space")
        try:
            handle = page.wait_for_function(
                f"() => {{ const p = ({PRESENT})(); return p && p.at !== {current['at']!r} ? p : null; }}", timeout=5000
            )
        except Exception:  # the Playwright timeout: the deck did not move
            return seen
        current = handle.json_value()


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_slide_fits_a_1280x720_projector(projector, base, path):
    page = projector
    # Leaving the previous lesson posts Voila's kernel shutdown, which the learner server refuses (403) by design;
    # that belongs to the previous page, not to this lesson.
    page.goto("about:blank")
    page.requested.clear()
    page.errors.clear()
    page.goto(f"{base}voila/render/2021/{path.name}?template=hoctap-slides")
    page.locator(".reveal.ready").wait_for(state="attached")
    page.wait_for_function(
        "([s, n]) => document.querySelectorAll(s).length >= n", arg=[COMPONENTS, _widget_cells(path)]
    )
    every = page.evaluate(ALL_SLIDES)
    slides = walk(page, every[-1])
    assert [s["at"] for s in slides if not s["at"].endswith("+feedback")] == every, "the walk missed a slide"
    checked = [s for s in slides if s["at"].endswith("+feedback")]
    meta = nbformat.read(path, as_version=4).metadata.hoctap
    lesson = next(x for x in topic_by_id(meta.topic).lessons if x.id == meta.lesson)
    assert len(checked) == len(lesson.practice), "every practice question is measured with its feedback"
    assert len(slides) > 5
    area = slides[0]["areaHeight"], slides[0]["areaWidth"]
    assert area == (720, 1280), f"reveal.js slide area {area}: the lesson deck should be 1280×720"
    too_tall = [f"{s['at']} {s['content']} px: {s['text']}" for s in slides if s["content"] > s["areaHeight"]]
    too_wide = [f"{s['at']} {s['width']} px: {s['text']}" for s in slides if s["width"] > s["areaWidth"]]
    assert not too_tall, f"{path.name}: slides taller than the {area[0]} px slide area: {too_tall}"
    assert not too_wide, f"{path.name}: slides wider than the {area[1]} px slide area: {too_wide}"
    per_slide = page.eval_on_selector_all(
        ".hoctap-practice", "views => views.map(v => v.querySelectorAll('.hoctap-question').length)"
    )
    assert per_slide and set(per_slide) == {1}, f"practice slides should hold one question each: {per_slide}"
    assert_offline(page)
