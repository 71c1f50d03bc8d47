"""In Debian Chromium: lessons work as an app and as slides with live widgets, and nothing leaves this machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.servers import assert_offline, button_lesson, slider_lesson

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def lessons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lessons")
    slider_lesson(folder)
    button_lesson(folder)
    return folder


@pytest.fixture(scope="module")
def base(voila_server_module, lessons: Path) -> str:
    return voila_server_module(lessons)


def click_and_see_label_change(page) -> None:
    button = page.get_by_role("button", name="Bấm tôi")
    button.wait_for(state="visible")
    assert page.get_by_text("chưa bấm", exact=True).is_visible()
    button.click()
    page.get_by_text("đã bấm", exact=True).wait_for(state="visible")  # the kernel ran the callback


def test_index_opens_a_lesson_offline(base: str, page):
    page.goto(base)
    lesson = page.locator("li.lesson", has_text="Bài thử nút bấm")
    assert lesson.locator("a.open-slides").inner_text() == "Trình chiếu"
    lesson.get_by_role("link", name="Mở bài học").click()
    page.wait_for_url(re.compile(r"/voila/render/2021/02-nut-bam\.ipynb$"))
    click_and_see_label_change(page)
    assert_offline(page)


def test_app_widgets_are_live_offline(base: str, page):
    page.goto(base + "voila/render/2021/02-nut-bam.ipynb")
    click_and_see_label_change(page)
    page.locator("mjx-container").first.wait_for()  # maths typeset by the MathJax bundled in Voila
    assert_offline(page)


def test_slides_widgets_are_live_offline(base: str, page):
    page.goto(base + "voila/render/2021/02-nut-bam.ipynb?template=hoctap-slides")
    page.locator(".reveal.ready").wait_for(state="attached")
    assert page.locator(".slides > section").count() == 3  # the "skip" cell is not a slide
    font = page.evaluate("getComputedStyle(document.querySelector('.reveal')).fontFamily")
    assert "Source Sans Pro" in font, "the vendored reveal.js white theme is applied"
    page.keyboard.press("ArrowRight")
    page.locator(".slides > section.present", has_text="Nút bấm").wait_for()
    click_and_see_label_change(page)
    page.keyboard.press("ArrowRight")
    page.locator(".slides > section.present", has_text="Kết thúc").wait_for()
    assert_offline(page)
