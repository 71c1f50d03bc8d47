"""The kit behind a real JupyterHub (deploy/hub/jupyterhub_config.py) on a real PostgreSQL gradebook.

One hub for the module, as `make hub` runs it: the proxy (configurable-http-proxy from npm), the kit's
authenticator, the quiz and dashboard services (hoctap.serve.hub_voila) and a grader, all started by the hub on free
ports and stopped by PID. In Chromium a learner logs in with a roster id and code and takes a quiz; over HTTP, a
wrong code is refused then throttled, and a learner reaches nothing but the quiz service.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import requests

from hoctap.build.kit import notebook_text
from hoctap.hub import add_instructor
from hoctap.serve import HubPorts, start_hub, stop, wait_hub
from tests.browser.test_quiz_app import GRADED_WITHIN_MS, answer, offer, submit_quiz
from tests.quiz_kit import QUIZ, build_kit
from tests.servers import pick_free_port

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

DASHBOARD_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "instructor" / "progress.ipynb"
QUIZ_PAGE = "services/hoctap-quiz/voila/render/quiz.ipynb"
DASHBOARD_PAGE = "services/hoctap-dashboard/voila/render/progress.ipynb"
INSTRUCTOR = "gv-an"
JOIN_NOTEBOOK = DASHBOARD_NOTEBOOK.parents[1] / "learner" / "session.ipynb"
LESSON_FILE = "01-bai-hoc.ipynb"


@pytest.fixture(scope="module")
def hub_site(postgres_server, tmp_path_factory):
    """(base URL, kit, instructor's code): the kit at a temp home, its gradebook on PostgreSQL, behind the hub."""
    home = tmp_path_factory.mktemp("hub-home")
    db_url = postgres_server.new_database("t_hub_site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))
        kit = build_kit(home, db_url=db_url)
    (home / "notebooks" / "instructor").mkdir(parents=True, exist_ok=True)
    shutil.copy(DASHBOARD_NOTEBOOK, home / "notebooks" / "instructor")
    # a live session: the join page on the quiz service, a lesson on the dashboard service (the trainer's side)
    shutil.copy(JOIN_NOTEBOOK, home / "notebooks" / "learner")
    lessons = home / "notebooks" / "instructor" / "lessons"
    lessons.mkdir()
    (lessons / LESSON_FILE).write_text(notebook_text(kit.topic, 0), encoding="utf-8")
    staff_code = add_instructor(db_url, INSTRUCTOR)
    ports = HubPorts(pick_free_port(), pick_free_port(), pick_free_port(), (pick_free_port(),), pick_free_port())
    log_path = home / "hub.log"
    with open(log_path, "wb") as log:
        server = start_hub(home, db_url, ports, state_dir=home / "hub-state", output=log)
    try:
        try:
            wait_hub(server, ports)
        except Exception as error:
            raise AssertionError(f"{error}\n{log_path.read_text(errors='replace')[-4000:]}") from None
        yield f"http://127.0.0.1:{ports.port}/", kit, staff_code
    finally:
        stop(server)


def hub_login(base: str, name: str, code: str) -> tuple[requests.Session, requests.Response]:
    """Log in through the hub's form (with its _xsrf field and cookie), following the redirects to the start page."""
    session = requests.Session()
    form = session.get(base + "hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
    response = session.post(base + "hub/login", data={"username": name, "password": code, "_xsrf": xsrf}, timeout=60)
    response.encoding = "utf-8"  # the hub's pages say so in a meta tag only: requests would guess Latin-1
    return session, response


def browser_login(page, base: str, name: str, code: str) -> None:
    page.goto(base + "hub/login")
    assert "Mã truy cập" in page.locator("form").inner_text()  # the kit's form, Vietnamese first
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(code)
    page.locator("#login_submit").click()


def test_a_learner_logs_in_through_the_hub_takes_a_quiz_and_sees_the_score(hub_site, page):
    base, kit, _ = hub_site
    browser_login(page, base, "hv-001", kit.codes["hv-001"])
    page.wait_for_url(re.compile(re.escape(QUIZ_PAGE)))
    page.locator(".hoctap-offers").wait_for(timeout=60_000)
    # the hub said who this is: no id or code asked again, the learner's own name shown
    assert page.locator(".hoctap-login-id").count() == 0
    assert "Nguyễn Văn An" in page.locator(".hoctap-offers").inner_text()
    assert page.locator(".hoctap-hub-logout").get_attribute("href") == "/hub/logout"  # logging out is the hub's
    offer(page, QUIZ).locator(".hoctap-start").click()
    page.locator(".hoctap-quiz").wait_for()
    answer(page, right=True)
    submit_quiz(page, "Sau khi nộp không sửa được.")
    page.locator(".hoctap-score", has_text="Điểm: 4/4 (100%)").wait_for(timeout=GRADED_WITHIN_MS)


def test_a_header_sent_by_the_page_does_not_change_who_the_kernel_serves(hub_site, page):
    base, kit, _ = hub_site
    page.set_extra_http_headers({"X-Hoctap-Hub-User": "hv-001"})  # what a learner's tampered browser could send
    browser_login(page, base, "hv-002", kit.codes["hv-002"])
    page.locator(".hoctap-offers").wait_for(timeout=60_000)
    shown = page.locator(".hoctap-offers").inner_text()
    assert "Trần Thị Bình" in shown and "Nguyễn Văn An" not in shown


def test_a_wrong_code_is_refused_and_repeated_wrong_codes_are_throttled(hub_site):
    base, kit, _ = hub_site
    for _ in range(5):  # HoctapAuthenticator.max_failures
        _, refused = hub_login(base, "hv-004", "sai0-sai0")
        assert refused.status_code == 403 and "Invalid" in refused.text
    _, locked = hub_login(base, "hv-004", kit.codes["hv-004"])  # even the right code waits now
    assert locked.status_code == 429
    said = re.search(r'class="login_error"[^>]*>([^<]*)<', locked.text)  # on the login form, in both languages
    assert said is not None
    assert "Đăng nhập sai quá nhiều lần" in said.group(1) and "too many failed logins" in said.group(1)
    _, other = hub_login(base, "hv-003", kit.codes["hv-003"])  # one account locked, not the room's address
    assert other.status_code == 200 and other.url.endswith(QUIZ_PAGE)


def test_a_learner_reaches_only_the_quiz_service(hub_site):
    base, kit, _ = hub_site
    session, landed = hub_login(base, "hv-002", kit.codes["hv-002"])
    assert landed.status_code == 200 and landed.url.endswith(QUIZ_PAGE)
    refused = {
        "hub/spawn": (403,),
        "user/hv-002/lab": (403, 404),  # no server of their own: the hub's spawn is refused
        "hub/user/hv-002/lab": (403, 404),
        DASHBOARD_PAGE: (403,),  # the instructors' service
        "hub/admin": (403,),
        "hub/api/users": (403,),
        "hub/api/users/hv-001": (403, 404),  # another learner
        "services/hoctap-quiz/voila/files/quiz.ipynb": (403, 404),  # the app's source
        "services/hoctap-quiz/voila/render/..%2F..%2Fassessments%2Fgradebook.db": (403, 404),  # the course
        "services/hoctap-quiz/voila/files/..%2F..%2Fassessments%2Frelease": (403, 404),
        "services/hoctap-quiz/api/contents/": (403, 404),
    }
    for path, allowed in refused.items():
        status = session.get(base + path, timeout=30).status_code
        assert status in allowed, f"{path}: HTTP {status}"
    anonymous = requests.get(base + QUIZ_PAGE, timeout=30)  # no hub login: sent to the hub's login form
    assert anonymous.url.startswith(base + "hub/login")


def test_an_instructors_own_jupyterlab_runs_formgrader_on_the_kits_postgresql_gradebook(hub_site):
    base, kit, staff_code = hub_site
    session, _ = hub_login(base, INSTRUCTOR, staff_code)
    session.get(base + "hub/spawn", timeout=60)
    lab_url = base + f"user/{INSTRUCTOR}/lab"
    deadline = time.monotonic() + 120
    while not (lab := session.get(lab_url, timeout=60)).url.startswith(lab_url):  # spawn-pending until it is up
        assert time.monotonic() < deadline, f"the instructor's server did not start: {lab.url} HTTP {lab.status_code}"
        time.sleep(1)
    assert lab.status_code == 200 and "JupyterLab" in lab.text  # reached through the server's OAuth with the hub
    # formgrader reads the learners from the gradebook the kit uses (PostgreSQL here), not a SQLite file of its own
    students = session.get(base + f"user/{INSTRUCTOR}/formgrader/api/students", timeout=60)
    assert students.status_code == 200, students.text[:300]
    assert sorted(s["id"] for s in students.json()) == sorted(kit.codes)
    assert "Content-Security-Policy" in session.get(base + f"user/{INSTRUCTOR}/formgrader", timeout=60).headers
    # a learner reaches no instructor's server
    learner, _ = hub_login(base, "hv-002", kit.codes["hv-002"])
    assert learner.get(base + f"user/{INSTRUCTOR}/lab", timeout=30).status_code in (403, 404)


def test_an_instructor_lands_on_the_dashboard(hub_site, page):
    base, _, staff_code = hub_site
    browser_login(page, base, INSTRUCTOR, staff_code)
    page.wait_for_url(re.compile(re.escape(DASHBOARD_PAGE)))
    page.locator(".hoctap-counter-learners .hoctap-counter-value").wait_for(timeout=90_000)
    assert page.locator(".hoctap-counter-learners .hoctap-counter-value").inner_text().strip() == "4"


def test_a_session_opened_on_the_hub_is_joined_from_a_phone_by_its_link(hub_site, browser):
    """The trainer (an instructor) projects a lesson from the dashboard service; the QR code's link is the join page
    on the quiz service, on the hub's own address; a learner logged in to the hub opens it and is in the room at once
    (no id or code asked: the hub says who this is), and the trainer's count moves."""
    base, kit, staff_code = hub_site
    projector = browser.new_context(viewport={"width": 1280, "height": 720})
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        trainer = projector.new_page()
        browser_login(trainer, base, INSTRUCTOR, staff_code)
        # logged in once the hub sends the instructor on (the dashboard itself may take a while: not waited for)
        trainer.wait_for_url(re.compile(re.escape(DASHBOARD_PAGE)), wait_until="commit", timeout=90_000)
        trainer.goto(f"{base}services/hoctap-dashboard/voila/render/lessons/{LESSON_FILE}")
        trainer.locator(".hoctap-session-place input").fill("Hội trường Huyện ủy", timeout=90_000)
        trainer.locator(".hoctap-session-open").click()
        code = trainer.locator(".hoctap-session-code").inner_text().strip()
        link = trainer.locator(".hoctap-session-url").inner_text().strip()
        assert link == f"{base}services/hoctap-quiz/voila/render/session.ipynb?ma={code}"

        phone = phone_context.new_page()
        browser_login(phone, base, "hv-003", kit.codes["hv-003"])  # not hv-004: the throttle test locks it
        phone.wait_for_url(re.compile(re.escape(QUIZ_PAGE)), wait_until="commit", timeout=90_000)
        phone.goto(link)
        presence = phone.locator(".hoctap-phone-presence")
        presence.wait_for(timeout=60_000)
        assert "Lê Văn <b>Cường</b>" in presence.inner_text() and phone.locator(".hoctap-phone-id").count() == 0
        trainer.locator(".hoctap-session-count", has_text="1").wait_for()
    finally:
        projector.close()
        phone_context.close()
