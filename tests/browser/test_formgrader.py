"""A commitment from submission to evaluation, with the instructor's part done in nbgrader's formgrader (Chromium).

A learner submits a commitment (through hoctap.attempts.portal.Portal: the learner app's screens are test_quiz_app.py's
business) and the grader autogrades it: it waits for a human. The trainer JupyterLab (hoctap.serve.servers.start_lab on
the kit) serves formgrader; in Chromium the instructor goes Manage Students → the learner → the commitment → its
notebook, types a score and a comment in the "commitment" cell, and formgrader saves them when each field loses
the focus. nbgrader's Gradebook then holds the manual score, and the learner app shows "Đánh giá: 8/10 — …" and
the comment.

Formgrader offline: its grading page would load MathJax from cdnjs.cloudflare.com (nbconvert's classic template calls
its `mathjax()` macro with the CDN built in). The kit's `mathjax.html.j2` (hoctap/serve/lab_config/) stands in for
that macro, so the page asks nothing of the network and formgrader's script runs to its end: no request leaves the
machine, no script error, and its keyboard navigation works (Tab moves between the score and the comment).

Formgrader's Manage Assignments shows no "exchange directory … does not exist" warning and every assessment as
"released": the kit's exchange is its `var/nbgrader-exchange/` (hoctap/serve/lab_config/nbgrader_config.py).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from hoctap.attempts.portal import Portal
from hoctap.grading.grader import Grader
from hoctap.serve import stop
from hoctap.serve.servers import Server, start_lab, wait_ready
from tests.conftest import PAGE_TIMEOUT_MS
from tests.quiz_kit import COMMITMENT, RATING_SCALE, build_kit, commitment_grade
from tests.servers import assert_offline, watched_page
from widgets.quiz import AWAITING, evaluation_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]

LEARNER = "hv-001"
TEXT = "Tôi cam kết mỗi quý đọc một chuyên đề và báo cáo kết quả với chi bộ."
SCORE, MAX_SCORE = 8, 10
COMMENT = "Cụ thể, làm được; nên nêu rõ thời hạn từng việc."
LABEL = next(level["label"] for level in RATING_SCALE if level["points"] == SCORE)  # "Hoàn thành tốt"
APP = "voila/render/quiz.ipynb"
SAVED_WITHIN_S = 10


@dataclass
class Lab:
    server: Server
    token: str
    log: Path

    @property
    def base(self) -> str:
        return self.server.local_url.rstrip("/")

    def ready(self, timeout: float = 60.0) -> None:
        try:
            wait_ready(self.server, timeout)
        except Exception as error:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise AssertionError(f"{error}\n--- {self.log} ---\n{tail}") from None


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """The quiz kit at `tmp_path/kit`, HOCTAP_HOME pointing at it (the servers and the grader inherit it)."""
    home = tmp_path / "kit"
    monkeypatch.setenv("HOCTAP_HOME", str(home))
    return build_kit(home)


@pytest.fixture
def lab(kit, tmp_path, free_port):
    """The trainer JupyterLab on the kit, started but not waited for (it boots while the test grades)."""
    token = secrets.token_hex(24)
    log_path = tmp_path / "lab.log"
    with open(log_path, "wb") as log:
        server = start_lab(kit.home, "127.0.0.1", free_port, token, output=log)
    try:
        yield Lab(server, token, log_path)
    finally:
        stop(server)


def submit_and_autograde(kit) -> None:
    """The learner's commitment, submitted and autograded: in the gradebook, waiting for a human."""
    portal = Portal(kit.course)
    learner = portal.login(LEARNER, kit.codes[LEARNER])
    sitting = portal.start(learner, COMMITMENT)
    portal.submit(learner, sitting.attempt.id, {"text": TEXT})
    report = Grader(kit.course, name="formgrader-test", warm=False).run_once()
    assert (report.graded, report.failed) == (1, 0)
    waiting = portal.evaluation(learner, COMMITMENT)
    assert waiting is not None and waiting.pending and evaluation_text(waiting) == AWAITING
    assert commitment_grade(kit.course, LEARNER) == {
        "manual_score": None,
        "needs_manual_grade": True,
        "manual_comment": None,
    }


def trainer_page(context):
    """A page in `context` that aborts every request leaving the machine; returns (page, outside, errors)."""
    page = watched_page(context, PAGE_TIMEOUT_MS)
    return page, page.outside, page.errors


def is_put(fragment: str):
    return lambda response: fragment in response.url and response.request.method == "PUT"


def open_submission(fg, lab: Lab) -> str:
    """Formgrader → Manage Students → the learner → the commitment → its notebook; the assignment page's URL."""
    fg.goto(f"{lab.base}/formgrader?token={lab.token}")
    fg.get_by_role("link", name="Manage Students").click()
    fg.locator(f'a[href$="/formgrader/manage_students/{LEARNER}"]').click()
    fg.locator(f'a[href$="/formgrader/manage_students/{LEARNER}/{COMMITMENT}"]').click()
    row = fg.locator("#main-table tr", has_text=COMMITMENT)
    row.locator("td.needs-manual-grade .glyphicon-ok").wait_for()  # the commitment waits for a human
    assert row.locator("td.score").inner_text() == f"0 / {MAX_SCORE}"
    assignment_page = fg.url
    row.locator('td.name a[href*="/formgrader/submissions/"]').click()
    fg.wait_for_url("**/formgrader/submissions/*/")
    return assignment_page


def grade_in_formgrader(fg) -> None:
    """Type the score, leave the field (formgrader saves on change), type the comment, leave it; wait for both
    PUTs to be answered."""
    score = fg.locator("input.score#commitment")
    comment = fg.locator("textarea.comment#commitment-comment")
    fg.locator("input.score.needs_manual_grade#commitment").wait_for()  # the grade is loaded (GradeUI.render)
    fg.locator("textarea.comment#commitment-comment[placeholder]").wait_for()  # the comment too (CommentUI)
    assert TEXT in fg.locator(".nbgrader_cell", has=score).inner_text()  # what is graded is the learner's text
    assert f"/ {float(MAX_SCORE)}" in fg.locator(".nbgrader_cell", has=score).inner_text()

    with fg.expect_response(is_put("/formgrader/api/grade/")) as saved:
        score.fill(str(SCORE))
        comment.click()  # the score field loses the focus: change → GradeUI.save → PUT
    assert saved.value.ok, saved.value.status
    assert saved.value.json()["manual_score"] == SCORE and saved.value.json()["needs_manual_grade"] is False

    with fg.expect_response(is_put("/formgrader/api/comment/")) as saved:
        comment.fill(COMMENT)
        comment.blur()
    assert saved.value.ok, saved.value.status
    assert saved.value.json()["manual_comment"] == COMMENT
    fg.locator("input.score#commitment:not(.needs_manual_grade)").wait_for()


def wait_for_gradebook(kit) -> dict:
    """nbgrader's Gradebook, read again until it holds the manual score formgrader saved."""
    deadline = time.monotonic() + SAVED_WITHIN_S
    while (row := commitment_grade(kit.course, LEARNER))["manual_score"] != SCORE:
        assert time.monotonic() < deadline, f"the gradebook has no manual score after {SAVED_WITHIN_S} s: {row}"
        time.sleep(0.2)
    return row


def test_an_instructor_grades_a_commitment_in_formgrader_and_the_learner_sees_it(kit, lab, voila_server, browser, page):
    # 1. Submitted and autograded: it waits for an evaluation.
    submit_and_autograde(kit)
    base = voila_server(kit.home / "notebooks" / "learner")  # JupyterLab boots meanwhile
    lab.ready()

    # 2. The instructor grades it in formgrader.
    context = browser.new_context()
    try:
        fg, outside, errors = trainer_page(context)
        assignment_page = open_submission(fg, lab)
        grade_in_formgrader(fg)
        assert wait_for_gradebook(kit) == {
            "manual_score": SCORE,
            "needs_manual_grade": False,
            "manual_comment": COMMENT,
        }
        fg.goto(assignment_page)  # formgrader's own tables agree
        row = fg.locator("#main-table tr", has_text=COMMITMENT)
        row.locator("td.score", has_text=f"{SCORE} / {MAX_SCORE}").wait_for()
        assert row.locator("td.needs-manual-grade .glyphicon-ok").count() == 0
        # The kit's course as formgrader sees it: no warning about the exchange, every assessment released.
        fg.goto(f"{lab.base}/formgrader/manage_assignments")
        fg.locator("#main-table tr", has_text=COMMITMENT).wait_for()
        assert "exchange directory" not in fg.content()
        listed = fg.request.get(f"{lab.base}/formgrader/api/assignments").json()
        assert {a["name"]: a["status"] for a in listed} == {a.id: "released" for a in kit.topic.assessments}
        assert outside == [], outside  # MathJax's CDN included: the kit's stand-in asks for nothing
        assert errors == [], errors
    finally:
        context.close()

    # 3. The learner sees the evaluation: on the list, then on the commitment's own screen.
    page.goto(base + APP)
    page.locator(".hoctap-login-id input").fill(LEARNER)
    page.locator(".hoctap-login-code input").fill(kit.codes[LEARNER])
    page.locator(".hoctap-login-submit").click()
    card = page.locator(f".hoctap-offer-{COMMITMENT}")
    expected = f"Đánh giá: {SCORE}/{MAX_SCORE} — {LABEL}"
    card.locator(".hoctap-evaluation", has_text=expected).wait_for()
    assert card.locator(".hoctap-comment").inner_text() == f"Nhận xét: {COMMENT}"
    card.locator(".hoctap-view-result").click()
    shown = page.locator(".hoctap-result .hoctap-evaluation")
    shown.wait_for()
    assert expected in shown.inner_text() and f"Nhận xét: {COMMENT}" in shown.inner_text()
    assert "Traceback" not in page.content()
    assert_offline(page)
