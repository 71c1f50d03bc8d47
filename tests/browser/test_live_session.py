"""A live study session in Debian Chromium, two browser contexts: the trainer's lesson projected at 1280×720 (served by
the instructors' Voila, behind the Lab's token, as `make run` serves it) and a learner's phone at 390×844 (the
learners' Voila, the join page `notebooks/learner/session.ipynb`). Real servers, a real course (tests/quiz_kit.py).

- The trainer opens a session from the lesson's session cell: the code is shown large with a QR code drawn on the
  page (no request leaves the machine) and a link to the join page carrying the code.
- The phone opens that link: the code is filled in; the learner logs in with roster id and access code, is marked
  present, and the trainer's count moves to 1.
- The trainer sends a practice question of the lesson; the phone shows it; the learner answers; the trainer's chart
  counts it; the reveal shows the answer, the explanation and the source line on both screens.
- The learner's name holds `<script>`: it is text on the phone and in the trainer's named display, and never runs.
- The trainer's kernel is killed: the reloaded lesson offers the open session, and its count, question and chart come
  back from the database.
- On the learners' server the same lesson shows how to join, never the trainer's panel.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hoctap.build.kit import lesson_filename, notebook_text
from hoctap.serve import JOIN_ENV, JOIN_PATH
from tests.conftest import PAGE_TIMEOUT_MS
from tests.kernels import KERNEL_SOCKET, kernel_pid
from tests.quiz_kit import build_kit, set_student_name
from tests.servers import running_instructor_voila, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
EVIL_FIRST = "<script>window.__pwned=1</script>Cường"
LESSON = "tong-quan"


@pytest.fixture(scope="module")
def room(tmp_path_factory, browser, voila_server_module):
    """The kit (HOCTAP_HOME), the learners' Voila with the join page, the instructors' Voila with the lesson."""
    home = tmp_path_factory.mktemp("live-session")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))
        kit = build_kit(home)
        set_student_name(kit.course, "hv-003", EVIL_FIRST, "Lê Văn")
        learner_site = home / "notebooks" / "learner"
        shutil.copy(ROOT / "notebooks" / "learner" / "session.ipynb", learner_site / "session.ipynb")
        index = next(i for i, lesson in enumerate(kit.topic.lessons) if lesson.id == LESSON)
        name = lesson_filename(index, LESSON)
        for site in (learner_site / "lessons", home / "notebooks" / "instructor" / "lessons"):
            site.mkdir(parents=True, exist_ok=True)
            (site / name).write_text(notebook_text(kit.topic, index), encoding="utf-8")
        learner = voila_server_module(learner_site)
        patch.setenv(JOIN_ENV, f"{learner}{JOIN_PATH}")
        token = secrets.token_hex(24)
        site = home / "notebooks" / "instructor"
        with running_instructor_voila(site, token, home.parent / "instructor-voila.log") as server:
            yield kit, learner, f"{server.local_url}voila/render/lessons/{name}?token={token}", name


def contexts(browser):
    projector = browser.new_context(viewport=PROJECTOR)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    return projector, phone


def test_a_phone_joins_by_code_answers_and_both_screens_show_the_reveal(room, browser):
    kit, learner_url, lesson_url, _ = room
    projector, phone_context = contexts(browser)
    try:
        trainer = watched_page(projector, PAGE_TIMEOUT_MS)
        sockets: list[str] = []
        trainer.on("websocket", lambda socket: sockets.append(socket.url))
        trainer.goto(lesson_url)
        setup = trainer.locator(".hoctap-session-setup")
        setup.wait_for()
        trainer.locator(".hoctap-session-place input").fill("Hội trường <b>A</b>")
        trainer.locator(".hoctap-session-trainer input").fill("Báo cáo viên Lan")
        trainer.locator(".hoctap-session-open").click()
        code_box = trainer.locator(".hoctap-session-code")
        code_box.wait_for()
        code = code_box.inner_text().strip()
        assert len(code) == 6 and code.isdigit()
        join_link = trainer.locator(".hoctap-session-url").inner_text().strip()
        assert join_link == f"{learner_url}{JOIN_PATH}?ma={code}"
        assert trainer.locator(".hoctap-session-qr svg path").count() >= 1  # drawn in the page, not fetched
        trainer.get_by_text("Hội trường <b>A</b>").first.wait_for()  # the place is text, not markup
        assert trainer.outside == [] and trainer.errors == []
        assert trainer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        phone = watched_page(phone_context, PAGE_TIMEOUT_MS)
        phone.goto(join_link)
        # the code comes from the link (a pre-heated kernel learns it when the phone takes it: hoctap/serve/pool.py)
        expect(phone.locator(".hoctap-phone-session input")).to_have_value(code)
        phone.locator(".hoctap-phone-id input").fill("hv-003")
        phone.locator(".hoctap-phone-code input").fill(kit.codes["hv-003"])
        phone.locator(".hoctap-phone-submit").click()
        presence = phone.locator(".hoctap-phone-presence")
        presence.wait_for()
        assert "Lê Văn <script>window.__pwned=1</script>Cường" in presence.inner_text()
        assert "Đã điểm danh lúc" in presence.inner_text()
        trainer.locator(".hoctap-session-count", has_text="1").wait_for()

        question = next(q for q in kit.topic.questions if q.lesson == LESSON and str(q.type) == "single")
        label = trainer.locator(".hoctap-session-bank option", has_text=f"{question.id}: ").inner_text()
        trainer.locator(".hoctap-session-bank select").select_option(label=label)
        trainer.locator(".hoctap-session-send").click()
        phone.locator(".hoctap-phone-question", has_text=question.prompt).wait_for()
        right = next(o for o in question.options if o.id == question.answer)
        phone.locator(".hoctap-phone-option", has_text=right.text).click()
        phone.locator(".hoctap-phone-chosen", has_text=right.text).wait_for()
        trainer.locator(f'.hoctap-room-bar[data-option="{right.id}"][data-count="1"]').wait_for()
        assert trainer.locator(".hoctap-room-chart").get_attribute("data-answered") == "1"

        trainer.locator(".hoctap-session-named input").check()
        trainer.locator(".hoctap-room-names", has_text="<script>window.__pwned=1</script>Cường").wait_for()

        trainer.locator(".hoctap-session-reveal").click()
        for screen in (trainer, phone):
            reveal = screen.locator(".hoctap-room-reveal")
            reveal.wait_for()
            text = reveal.inner_text()
            assert question.explanation in text and f"({question.cite})" in text and right.text in text
        assert trainer.locator(f'.hoctap-room-bar.hoctap-room-right[data-option="{right.id}"]').count() == 1
        assert trainer.locator(".hoctap-session-reveal").is_disabled()
        for screen in (trainer, phone):
            assert screen.evaluate("window.__pwned === undefined") and screen.errors == [] and screen.dialogs == []
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # The trainer's kernel dies: the lesson reloaded finds the session, its count, question and chart.
        kernel_id = next(m.group(1) for url in sockets if (m := KERNEL_SOCKET.search(url)))
        os.kill(kernel_pid(kernel_id), signal.SIGKILL)
        trainer.reload()
        trainer.locator(".hoctap-session-resume", has_text=code).click()
        trainer.locator(".hoctap-session-count", has_text="1").wait_for()
        trainer.locator(f'.hoctap-room-bar[data-option="{right.id}"][data-count="1"]').wait_for()
        trainer.locator(".hoctap-room-reveal", has_text=question.explanation).wait_for()
    finally:
        projector.close()
        phone_context.close()


def test_on_the_learners_server_the_lesson_shows_how_to_join_not_the_trainers_panel(room, page):
    _kit, learner_url, _lesson, name = room
    page.goto(f"{learner_url}voila/render/lessons/{name}")
    page.locator(".hoctap-session-hint", has_text="Tham gia buổi học").wait_for()
    assert page.locator(".hoctap-session-setup").count() == 0
