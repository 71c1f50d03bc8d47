"""The instructor's grading screen (notebooks/instructor/grading.ipynb) in Chromium, served as `hoctap serve` serves
it: by the instructors' Voila beside the dashboard, behind the Lab's token (hoctap/serve/instructor_voila.py).
Commitments graded with the keyboard; the same rating read back by the learner's app, formgrader's API (the
trainer's JupyterLab) and `hoctap progress --by commitment`; two instructors at once; no English; nothing leaves
the machine.

One kit, one JupyterLab and one instructors' Voila for the module; four learners submitted a commitment, autograded
by the kit's grader, so all four wait for a human. The tests run in order on that shared course.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hoctap.attempts import Portal
from hoctap.course import engine_for
from hoctap.grading import holder, holds_of, release_hold
from hoctap.grading.grader import Grader
from hoctap.serve import stop
from hoctap.serve.servers import start_instructor, start_lab, wait_ready
from tests.conftest import PAGE_TIMEOUT_MS
from tests.quiz_kit import COMMITMENT, HOSTILE_FIRST_NAME, build_kit, commitment_grade, grade_commitment
from tests.servers import pick_free_port, watched_page
from widgets.quiz import evaluation_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
SCREEN = "voila/render/grading.ipynb"
TEXTS = {
    "hv-001": "Tôi cam kết:\n- đọc một chuyên đề mỗi quý;\n- báo cáo với chi bộ.",
    "hv-002": '<script>alert("x")</script><img src=x onerror="alert(1)"> & hết',
    "hv-003": "Cam kết của đồng chí Cường.",
    "hv-004": "Cam kết thứ tư.",
}
ENGLISH = ("Save", "Next", "Previous", "Score", "Comment", "Submit", "Loading", "Cancel", "Grade", "Error", "None")


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    home = tmp_path_factory.mktemp("grading-screen") / "kit"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))
        kit = build_kit(home, with_app=False)
        (home / "notebooks" / "instructor").mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "notebooks" / "instructor" / "grading.ipynb", home / "notebooks" / "instructor")
        token = secrets.token_hex(24)  # one secret for the instructors' servers, as `hoctap serve` does
        logs = {"lab": home.parent / "lab.log", "screen": home.parent / "instructor-voila.log"}
        with open(logs["lab"], "wb") as lab_log, open(logs["screen"], "wb") as screen_log:
            servers = {
                "lab": start_lab(home, "127.0.0.1", pick_free_port(), token, output=lab_log),
                "screen": start_instructor(
                    home / "notebooks" / "instructor", "127.0.0.1", pick_free_port(), token, screen_log
                ),
            }
        try:  # the servers boot while the learners submit and the grader grades
            portal = Portal(kit.course)
            for learner_id, text in TEXTS.items():
                learner = portal.login(learner_id, kit.codes[learner_id])
                portal.submit(learner, portal.start(learner, COMMITMENT).attempt.id, {"text": text})
            assert Grader(kit.course, name="grading-screen", warm=False).run_once().graded == len(TEXTS)
            for name, server in servers.items():
                try:
                    wait_ready(server, 90)
                except Exception as error:
                    raise AssertionError(f"{error}\n{logs[name].read_text(errors='replace')[-4000:]}") from None
            kit.lab, kit.base = (servers[n].local_url.rstrip("/") for n in ("lab", "screen"))
            kit.token, kit.portal, kit.engine = token, portal, engine_for(kit.course.db_url)
            yield kit
        finally:
            for server in servers.values():
                stop(server)


def open_screen(browser, site, who: str):
    """A trainer's page on the grading screen, signed as `who` (typed, then Tab: the name is saved on leaving)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = watched_page(context, PAGE_TIMEOUT_MS)
    page.goto(f"{site.base}/{SCREEN}?token={site.token}")
    page.locator(".hoctap-grading-card h3").wait_for(timeout=90_000)
    name = page.locator(".hoctap-grading-who input")
    name.fill(who)
    name.press("Tab")
    return context, page


def wait_held(site, learner_id: str, who: str) -> None:
    key, deadline = (learner_id, COMMITMENT), time.monotonic() + 15
    while holder(holds_of(site.engine, [key]).get(key), dt.datetime.now(dt.UTC)) != who:
        assert time.monotonic() < deadline, f"{who} does not hold {learner_id}"
        time.sleep(0.1)


def card_is(page, learner_id: str) -> None:
    page.locator(".hoctap-grading-card h3", has_text=f"({learner_id})").wait_for()


def grade_with_keys(page, level: int, comment: str, learner_name: str) -> None:
    """Number key for the level (the cursor then lands in the comment), the comment typed, Ctrl+Enter."""
    page.keyboard.press(str(level))
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type(comment)
    page.keyboard.press("Control+Enter")
    page.locator(".hoctap-grading-ok", has_text=f"Đã lưu: {learner_name}").wait_for()


def english_words(page) -> list[str]:
    shown = page.locator(".hoctap-grading-app").inner_text()
    attributes = page.evaluate(
        "Array.from(document.querySelectorAll('.hoctap-grading-app [placeholder], .hoctap-grading-app [title]'))"
        ".map(e => (e.getAttribute('placeholder') || '') + ' ' + (e.getAttribute('title') || '')).join(' ')"
    )
    return [w for w in ENGLISH if re.search(rf"\b{w}\b", f"{shown} {attributes}", re.I)]


def test_an_instructor_grades_two_commitments_with_the_keyboard_and_everyone_reads_the_same(browser, site):
    context, page = open_screen(browser, site, "Cô Lan")
    try:
        card_is(page, "hv-001")
        assert page.locator(".hoctap-grading-text").inner_text() == TEXTS["hv-001"]  # line breaks kept
        units = page.locator(".hoctap-grading-unit select").inner_text().replace("\xa0", " ")  # ipywidgets' spaces
        assert "Chi bộ Văn phòng — chờ 4/4" in units
        listed = [t.replace("\xa0", " ") for t in page.locator(".hoctap-grading-list option").all_inner_texts()]
        assert len(listed) == 4 and listed[0].startswith("1. Nguyễn Văn An (hv-001)") and "chờ chấm" in listed[0]
        assert f"Lê Văn {HOSTILE_FIRST_NAME} (hv-003)" in listed[2]  # a name with markup, as text
        labels = [
            t.replace("\xa0", " ")
            for t in page.locator(".hoctap-grading-scale .widget-radio-box label").all_inner_texts()
        ]
        assert labels == [
            "1 · Hoàn thành xuất sắc — 10 điểm",
            "2 · Hoàn thành tốt — 8 điểm",
            "3 · Hoàn thành — 6 điểm",
            "4 · Chưa hoàn thành — 0 điểm",
        ]
        grade_with_keys(page, 2, "Cụ thể, làm được.", "Nguyễn Văn An")
        card_is(page, "hv-002")  # moved on by itself
        assert page.locator(".hoctap-grading-text").inner_text() == TEXTS["hv-002"]  # markup shown as text
        assert page.locator(".hoctap-grading-text img, .hoctap-grading-text script").count() == 0
        page.locator(".hoctap-grading-comment textarea").focus()
        page.keyboard.press("Tab")  # Tab order: comment → save
        assert page.evaluate("document.activeElement.textContent") == "Lưu và sang bài tiếp"
        page.keyboard.press("Escape")
        page.evaluate("document.activeElement.blur()")
        grade_with_keys(page, 1, "Rất tốt.\nCần thêm thời hạn.", "Trần Thị Bình")
        card_is(page, "hv-003")
        assert english_words(page) == []
        assert page.dialogs == [] and page.errors == [] and page.outside == []
    finally:
        context.close()
    release_hold(site.engine, "Cô Lan", ("hv-003", COMMITMENT))  # the closed tab's hold, as if expired

    expected = {
        "hv-001": (8.0, "Cụ thể, làm được.", "Hoàn thành tốt"),
        "hv-002": (10.0, "Rất tốt.\nCần thêm thời hạn.", "Hoàn thành xuất sắc"),
    }
    for learner_id, (score, comment, label) in expected.items():
        assert commitment_grade(site.course, learner_id) == {  # nbgrader's Gradebook API
            "manual_score": score,
            "needs_manual_grade": False,
            "manual_comment": comment,
        }
        learner = site.portal.login(learner_id, site.codes[learner_id])
        shown = site.portal.evaluation(learner, COMMITMENT)
        assert f"{score:g}/10 — {label}" in evaluation_text(shown)
    # formgrader's own API (what its pages show) agrees.
    api = browser.new_context().request
    found = api.get(f"{site.lab}/formgrader/api/submissions/{COMMITMENT}?token={site.token}").json()
    scores = {row["student"]: (row["score"], row["needs_manual_grade"]) for row in found}
    assert scores["hv-001"] == (8.0, False) and scores["hv-002"] == (10.0, False)
    assert scores["hv-003"][1] is True
    # The progress tables (the command line) count the same ratings.
    table = subprocess.run(
        [sys.executable, "-m", "hoctap.cli", "progress", "--by", "commitment", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HOCTAP_HOME": str(site.home)},
    )
    (row,) = [r for r in json.loads(table.stdout) if r.get("unit") == "Chi bộ Văn phòng"]
    assert (row["evaluated"], row["waiting"]) == (2, 2), row
    assert "Hoàn thành tốt" in str(row["ratings"]) and "Hoàn thành xuất sắc" in str(row["ratings"]), row


def test_two_instructors_at_once_never_overwrite_each_other(browser, site):
    first, lan = open_screen(browser, site, "Cô Lan")
    wait_held(site, "hv-003", "Cô Lan")
    second, hung = open_screen(browser, site, "Thầy Hùng")
    try:
        card_is(lan, "hv-003")
        card_is(hung, "hv-004")  # offered the next free one, and told who holds the other
        hung.locator(".hoctap-grading-holds", has_text="Cô Lan đang chấm bài của").wait_for()
        assert f"Lê Văn {HOSTILE_FIRST_NAME}" in hung.locator(".hoctap-grading-holds").inner_text()  # as text
        # Thầy Hùng looks at Cô Lan's: read only.
        hung.keyboard.press("Alt+P")
        card_is(hung, "hv-003")
        hung.locator(".hoctap-grading-card", has_text="Đang do Cô Lan chấm: chỉ xem.").wait_for()
        hung.locator(".hoctap-grading-save:disabled").wait_for()
        hung.keyboard.press("Alt+N")
        card_is(hung, "hv-004")
        # Meanwhile someone grades hv-004 in formgrader: Thầy Hùng's rating must not overwrite it.
        grade_commitment(site.course, "hv-004", 6, "Từ formgrader.")
        hung.keyboard.press("3")
        hung.keyboard.type("Của Thầy Hùng.")
        hung.keyboard.press("Control+Enter")
        hung.locator(".hoctap-grading-refused", has_text="đã có người chấm trong formgrader").wait_for()
        assert commitment_grade(site.course, "hv-004")["manual_comment"] == "Từ formgrader."
        grade_with_keys(lan, 3, "Được.", f"Lê Văn {HOSTILE_FIRST_NAME}")
        assert commitment_grade(site.course, "hv-003")["manual_score"] == 6.0
        lan.locator(".hoctap-grading-card", has_text="Không còn bản cam kết nào chờ chấm").wait_for()
        assert english_words(lan) == [] and english_words(hung) == []
        assert lan.dialogs == hung.dialogs == [] and lan.errors == hung.errors == []
        assert lan.outside == hung.outside == []
    finally:
        first.close()
        second.close()
