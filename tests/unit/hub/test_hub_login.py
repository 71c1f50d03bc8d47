"""The hub's side of the kit without a hub: the authenticator on a real course's gradebook, the throttle, the
instructors' accounts, and the learner app told who it serves by the kernel's environment."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from tornado import web

from hoctap.hub import BEHIND_HUB_ENV, HoctapAuthenticator, Throttle, add_instructor, hub_user_of_kernel
from hoctap.hub.staff import StaffError, verify_instructor
from tests.quiz_kit import build_kit
from widgets.quiz import learner_app
from widgets.quiz.login import LoginView
from widgets.quiz.offers import OffersView


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub-kit")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))
        yield build_kit(home, with_app=False)


def handler(address: str = "10.0.0.7"):
    return SimpleNamespace(request=SimpleNamespace(remote_ip=address))


def log_in(auth: HoctapAuthenticator, name: str, code: str, address: str = "10.0.0.7"):
    """The hub's call, on an event loop of its own in another thread: Playwright's session-wide browser keeps a loop
    running in the main thread once a browser test has run, where asyncio.run refuses to start one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(
            asyncio.run, auth.authenticate(handler(address), {"username": name, "password": code})
        ).result()


def test_a_learner_logs_in_with_the_kits_code_and_joins_the_groups_of_their_unit_and_role(kit):
    auth = HoctapAuthenticator(db_url=kit.course.db_url)
    who = log_in(auth, "hv-001", kit.codes["hv-001"].upper().replace("-", " "))  # typed as on any login form
    assert who == {"name": "hv-001", "groups": ["unit-chi-bo-van-phong", "role-dang-vien"]}
    assert log_in(auth, "hv-001", kit.codes["hv-002"]) is None  # another learner's code
    assert log_in(auth, "khong-co", kit.codes["hv-001"]) is None  # not on the roster
    assert log_in(auth, "", "") is None


def test_an_instructor_logs_in_with_their_own_code_into_the_instructors_group(kit):
    code = add_instructor(kit.course.db_url, "gv-binh")
    auth = HoctapAuthenticator(db_url=kit.course.db_url)
    assert log_in(auth, "gv-binh", code) == {"name": "gv-binh", "groups": ["instructors"]}
    assert log_in(auth, "gv-binh", kit.codes["hv-001"]) is None
    again = add_instructor(kit.course.db_url, "gv-binh")  # a new code replaces the old one
    assert verify_instructor(kit.course.db_url, "gv-binh", again) and not verify_instructor(
        kit.course.db_url, "gv-binh", code
    )


@pytest.mark.parametrize("name", ["hv-001", "GV", "a", "gv an", "<b>gv</b>", "gv/../x"])
def test_an_instructor_name_that_is_a_learner_or_not_a_plain_name_is_refused(kit, name):
    with pytest.raises(StaffError):
        add_instructor(kit.course.db_url, name)


def test_five_wrong_codes_lock_the_account_and_not_the_room(kit):
    auth = HoctapAuthenticator(db_url=kit.course.db_url, max_failures=5, lockout_seconds=300)
    for _ in range(5):
        assert log_in(auth, "hv-003", "sai0-sai0") is None
    with pytest.raises(web.HTTPError) as locked:
        log_in(auth, "hv-003", kit.codes["hv-003"])
    assert locked.value.status_code == 429 and "thử lại sau khoảng 5 phút" in locked.value.log_message
    assert log_in(auth, "hv-004", kit.codes["hv-004"])["name"] == "hv-004"  # same address, another learner


def test_the_throttle_locks_an_address_after_ten_times_as_many_failures_and_forgets_after_the_lockout():
    now = [0.0]
    throttle = Throttle(max_failures=2, lockout_seconds=60, per_address_factor=3, clock=lambda: now[0])
    for n in range(6):
        assert throttle.wait_left(f"guess-{n}", "10.0.0.9") == 0
        throttle.failed(f"guess-{n}", "10.0.0.9")
    assert throttle.wait_left("anyone", "10.0.0.9") == 60  # six accounts tried from one address
    assert throttle.wait_left("anyone", "10.0.0.10") == 0
    now[0] = 61.0
    assert throttle.wait_left("anyone", "10.0.0.9") == 0
    throttle.failed("guess-0", None)  # its second failure in a row: locked
    assert throttle.wait_left("guess-0", None) == 60
    now[0] = 122.0
    throttle.failed("guess-0", None)
    assert throttle.wait_left("guess-0", None) == 0  # the count started again after the lock
    throttle.succeeded("guess-0")
    throttle.failed("guess-0", None)
    assert throttle.wait_left("guess-0", None) == 0  # a success starts it again too


def test_only_a_server_behind_the_hub_names_the_learner():
    assert hub_user_of_kernel({"HTTP_X_HOCTAP_HUB_USER": "hv-001"}) is None  # a standalone server's page sent it
    assert hub_user_of_kernel({BEHIND_HUB_ENV: "1", "HTTP_X_HOCTAP_HUB_USER": " hv-001 "}) == "hv-001"
    assert hub_user_of_kernel({BEHIND_HUB_ENV: "1"}) is None


def test_behind_the_hub_the_app_opens_on_the_learners_assessments_without_asking_a_code(kit, monkeypatch):
    monkeypatch.setenv(BEHIND_HUB_ENV, "1")
    monkeypatch.setenv("HTTP_X_HOCTAP_HUB_USER", "hv-002")
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/tinh/")
    app = learner_app(str(kit.course.root))
    assert isinstance(app.screen, OffersView) and app.state.learner.id == "hv-002"
    assert 'href="/tinh/hub/logout"' in app.screen.logout.value
    monkeypatch.setenv("HTTP_X_HOCTAP_HUB_USER", "gv-khach")  # a hub user the roster does not know
    stranger = learner_app(str(kit.course.root))
    assert isinstance(stranger.screen, LoginView) and stranger.state.learner is None
    assert "không có trong danh sách học viên" in stranger.state.message
    assert "hoctap-login-id" not in str([w._dom_classes for w in stranger.screen.children])  # no code form


def test_forty_logins_at_once_on_a_gradebook_without_the_instructors_table_all_go_through(kit, monkeypatch):
    """Seen in a 40-learner load run: every login created the instructors' table, and logins arriving together raced
    to create it ("table hoctap_instructor already exists", HTTP 500 on the hub's login). Two creations, if there are
    two, are made to start together (a barrier) so that the race, if any, shows every time."""
    import threading

    from hoctap.course import engine_for
    from hoctap.hub import staff

    staff.instructor.drop(engine_for(kit.course.db_url), checkfirst=True)
    create_all, together = staff.metadata.create_all, threading.Barrier(2, timeout=1.0)

    def create_all_together(*args, **kwargs):
        try:
            together.wait()
        except threading.BrokenBarrierError:  # only one creation: nothing to race with
            pass
        return create_all(*args, **kwargs)

    monkeypatch.setattr(staff.metadata, "create_all", create_all_together)
    auth = HoctapAuthenticator(db_url=kit.course.db_url, max_failures=1000)

    data = {"username": "hv-001", "password": kit.codes["hv-001"]}

    def one(_):
        try:
            return asyncio.run(auth.authenticate(handler(), data))
        except Exception as error:  # noqa: BLE001 - what the hub would have turned into HTTP 500
            return error

    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(one, range(40)))
    assert [r for r in results if not isinstance(r, dict)] == []
    assert {r["name"] for r in results} == {"hv-001"}
