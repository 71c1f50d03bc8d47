"""Learners' words stay words on every page the instructor opens (Debian Chromium, the instructors' real JupyterLab).

A learner writes a commitment and a short answer carrying script — `<script>`, `onerror`, `<svg onload>`,
`javascript:` links (markdown and HTML), `<iframe srcdoc>`, and a script that creates a kernel through the Jupyter
API and runs Python that writes a marker file — and a learner's name and unit carry script too (put into the
gradebook directly, as `nbgrader db student add` or an older import would: `hoctap roster import` refuses them).
The grader grades both; then, in the instructor's browser, formgrader (students, the learner's submissions, the
grading page, manual grading's list), the progress dashboard (learners' table, item analysis with the answers),
nbgrader's feedback page and the yearly HTML report are opened. No dialog opens, no page asks `/api/kernels`,
no marker file appears, no `javascript:` link or frame is on any page, and the learner's words are shown as the
characters they are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from hoctap.attempts.portal import Portal
from hoctap.course.database import engine_for
from hoctap.course.tables import learner as learner_table
from hoctap.grading.grader import Grader
from hoctap.report import write_report
from tests.conftest import PAGE_TIMEOUT_MS
from tests.quiz_kit import COMMITMENT, QUIZ, build_kit, set_student_name
from tests.servers import running_lab, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
LEARNER = "hv-002"
NAME = "<img src=x onerror=alert('name')>"
UNIT = "<svg onload=alert('unit')>"
SETTLE_MS = 1500  # long enough for an onerror, an onload or a fetch to have fired
KERNEL_URL = re.compile(r"/api/kernels/([0-9a-f-]{36})")


def kernel_script(marker: Path) -> str:
    """Creates a kernel through the Jupyter API with the instructor's session and runs Python that writes `marker`."""
    code = f"open({str(marker)!r}, 'w').write('pwned')"
    return (
        "<script>fetch('/lab').then(()=>fetch('/api/kernels',{method:'POST',headers:{'X-XSRFToken':"
        "(document.cookie.match(/_xsrf=([^;]+)/)||[])[1]||''}})).then(r=>r.json()).then(k=>{const w=new WebSocket("
        "location.origin.replace('http','ws')+'/api/kernels/'+k.id+'/channels');w.onopen=()=>w.send(JSON.stringify("
        "{header:{msg_id:'m',msg_type:'execute_request',session:'s',username:'',version:'5.3'},parent_header:{},"
        f"metadata:{{}},channel:'shell',content:{{code:\"{code}\",silent:false}}}}))}})</script>"
    )


def commitment(marker: Path) -> str:
    return "\n".join(
        [
            "Tôi cam kết học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
            "<script>alert('script')</script>",
            "<img src=x onerror=alert('img')>",
            "<svg onload=alert('svg')>",
            "[bấm vào đây](javascript:alert('md-link'))",
            "<a href=\"javascript:alert('a-link')\">liên kết</a>",
            "<iframe srcdoc=\"<script>alert('iframe')</script>\"></iframe>",
            kernel_script(marker),
        ]
    )


@pytest.fixture
def graded(tmp_path, monkeypatch):
    """The quiz kit with the hostile name and unit, the hostile commitment and answer graded, the report written."""
    home = tmp_path / "kit"
    monkeypatch.setenv("HOCTAP_HOME", str(home))
    kit = build_kit(home)
    instructor = home / "notebooks" / "instructor"
    instructor.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "notebooks" / "instructor" / "progress.ipynb", instructor / "progress.ipynb")
    set_student_name(kit.course, LEARNER, NAME, "Trần Thị")  # the kit's import refuses it
    engine = engine_for(kit.course.db_url)
    with engine.begin() as db:
        db.execute(update(learner_table).where(learner_table.c.student_id == LEARNER).values(unit=UNIT))

    marker = tmp_path / "pwned"
    portal = Portal(kit.course)
    learner = portal.login(LEARNER, kit.codes[LEARNER])
    text = commitment(marker)
    portal.submit(learner, portal.start(learner, COMMITMENT).attempt.id, {"text": text})
    sitting = portal.start(learner, QUIZ)
    short = next(q for q in sitting.questions if q["type"] == "short-text")
    answer = f"<img src=x onerror=alert('answer')>{kernel_script(marker)}"
    portal.submit(learner, sitting.attempt.id, {short["question"]: answer})
    report = Grader(kit.course, name="hostile-text", warm=False).run_once()
    assert (report.graded, report.failed) == (2, 0)
    html_report = next(p for p in write_report(engine, year=2030, out_dir=tmp_path / "reports") if p.suffix == ".html")
    return kit, marker, text, answer, html_report


@pytest.fixture
def lab(graded, tmp_path):
    with running_lab(graded[0].home, tmp_path / "lab.log") as (server, token):
        yield server.local_url.rstrip("/"), token


@pytest.fixture
def instructor(browser):
    """The instructor's browser: nothing leaves the machine; every request, dialog and policy header is kept."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield watched_page(context, PAGE_TIMEOUT_MS)
    context.close()


def visit(page, url: str) -> None:
    """Go to `url`, counting requests and dialogs from here."""
    page.requested.clear()
    page.dialogs.clear()
    page.goto(url)


def assert_inert(page, marker: Path, where: str, own_kernel: bool = False) -> None:
    """Nothing the learner wrote ran: no dialog, no kernel created or reached but the page's own (the dashboard is
    a Voila app: its kernel is started by the server and the page connects to it), no marker, no link or frame
    that would run script."""
    page.wait_for_timeout(SETTLE_MS)
    assert page.dialogs == [], f"{where}: a dialog opened: {page.dialogs}"
    created = [r for r in page.requested if r.startswith("POST") and "/api/kernels" in r]
    assert created == [], f"{where}: the page asked the Jupyter API for a new kernel: {created}"
    reached = {m.group(1) for r in page.requested if (m := KERNEL_URL.search(r))}
    assert len(reached) <= (1 if own_kernel else 0), f"{where}: the page reached kernels {reached}"
    assert not marker.exists(), f"{where}: the learner's script ran Python on the server"
    assert page.locator('a[href^="javascript:" i]').count() == 0, f"{where}: a javascript: link"
    assert page.locator("iframe").count() == 0, f"{where}: a frame"


def test_script_in_a_commitment_a_short_answer_a_name_or_a_unit_runs_nowhere_the_instructor_looks(
    graded, lab, instructor
):
    kit, marker, text, answer, html_report = graded
    base, token = lab
    page = instructor

    # The instructor logs in to JupyterLab (its session cookie is what a script would borrow), then opens
    # formgrader: its pages are hardened by hoctap.serve.instructor_guard (JupyterLab started as `hoctap serve` does).
    page.goto(f"{base}/lab?token={token}", wait_until="domcontentloaded")
    visit(page, f"{base}/formgrader/manage_students")
    page.locator(f'#main-table a[href$="/formgrader/manage_students/{LEARNER}"]').wait_for()
    assert NAME.replace("'", "") in page.locator("#main-table").inner_text().replace("'", "")  # shown as text
    assert_inert(page, marker, "formgrader: students")

    visit(page, f"{base}/formgrader/manage_students/{LEARNER}/{COMMITMENT}")
    row = page.locator("#main-table tr", has_text=COMMITMENT)
    row.wait_for()
    assert_inert(page, marker, "formgrader: the learner's submission")
    row.locator('td.name a[href*="/formgrader/submissions/"]').click()
    page.wait_for_url("**/formgrader/submissions/*/")
    page.locator("input.score.needs_manual_grade#commitment").wait_for()  # nbgrader's own scripts still run
    shown = page.locator(".hoctap-learner-text").inner_text()
    assert shown == text, "the grading page shows the learner's words as the characters they are"
    assert f"Trần Thị, {NAME}" in page.locator(".name-shown").first.inner_text()
    policy = page.policies[urlsplit(page.url).path]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert_inert(page, marker, "formgrader: the grading page")

    visit(page, f"{base}/formgrader/gradebook/{COMMITMENT}/{COMMITMENT}")
    page.locator('#main-table a[href*="/formgrader/submissions/"]').first.wait_for()
    assert_inert(page, marker, "formgrader: manual grading's list")

    # the progress dashboard (Voila inside the instructors' Lab)
    visit(page, f"{base}/voila/render/notebooks/instructor/progress.ipynb")
    page.locator(".hoctap-counter-learners .hoctap-counter-value").wait_for(timeout=90_000)
    page.get_by_role("tab", name="Học viên").click()
    page.locator(".hoctap-panel-learner .hoctap-table td", has_text=NAME).first.wait_for()
    page.get_by_role("tab", name="Phân tích câu hỏi").click()
    page.locator(".hoctap-panel-question .hoctap-table td", has_text=answer[:40]).first.wait_for()
    page.locator(".hoctap-panel-unit, .hoctap-panel-learner").first.wait_for(state="attached")
    assert_inert(page, marker, "dashboard", own_kernel=True)

    # nbgrader's feedback page and the yearly report, opened from disk (no server, no header to help)
    for label, path in (("feedback", kit.course.feedback_html(LEARNER, COMMITMENT)), ("report", html_report)):
        visit(page, path.as_uri())
        page.locator("body").wait_for()
        assert_inert(page, marker, label)
    visit(page, kit.course.feedback_html(LEARNER, COMMITMENT).as_uri())
    assert page.locator(".hoctap-learner-text").inner_text() == text
    visit(page, html_report.as_uri())
    assert NAME in page.locator("body").inner_text() and UNIT in page.locator("body").inner_text()
