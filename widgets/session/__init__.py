"""Live study sessions: the trainer's panel on the projected lesson and the learners' join page on their phones.

    from widgets import session
    session.lesson_panel("2021-chuyen-de-toan-khoa", "noi-dung-1")   # the session cell at the top of a lesson
    session.phone_app()                                            # notebooks/learner/session.ipynb

Where a lesson is opened decides what its session cell shows. On the trainer's side (the instructors' JupyterLab
and their Voila, whose servers set `HOCTAP_TRAINER_SIDE=1`; the learner servers drop it from their kernels'
environment) it is the trainer's panel (trainer.py); on the learners' server it is one line telling the learner how
to join: a learner's kernel never opens, closes or marks a session.
"""

from __future__ import annotations

import os

TRAINER_ENV = "HOCTAP_TRAINER_SIDE"
LEARNER_HINT = (
    '<div class="hoctap-session-hint"><p><strong>Học tập trực tiếp:</strong> khi báo cáo viên mở buổi học, mở trang '
    "<em>Tham gia buổi học</em> trên điện thoại (hoặc quét mã QR trên màn chiếu) và nhập mã buổi học.</p></div>"
)


def _course(course_root=None):
    from hoctap.course import course_at, course_for
    from hoctap.topic import layout

    return course_at(course_root) if course_root is not None else course_for(layout())


def trainer_panel(topic_id: str, lessons: tuple[str, ...] | list[str], course_root=None, clock=None, ticker=None):
    """The trainer's panel for a session on `lessons` of the topic (the gradebook of the kit, or `course_root`'s)."""
    from hoctap.course import engine_for
    from hoctap.topic import topic_by_id

    from .trainer import TrainerPanel
    from .trainer_state import TrainerState

    state = TrainerState(engine_for(_course(course_root).db_url), topic_by_id(topic_id), tuple(lessons), clock=clock)
    return TrainerPanel(state, ticker=ticker)


def lesson_panel(topic_id: str, lesson_id: str, course_root=None):
    """A lesson's session cell: the trainer's panel on the trainer's side, the way to join on the learners'."""
    if os.environ.get(TRAINER_ENV) != "1":
        import ipywidgets

        return ipywidgets.HTML(LEARNER_HINT)
    return trainer_panel(topic_id, (lesson_id,), course_root)


def phone_app(course_root=None, session_code: str | None = None, clock=None, ticker=None):
    """The learners' join page: who they are (login, or the hub's user), the session's code (from the QR code's
    link, `?ma=123456`, when Voila passes the page's query), then the live question."""
    from hoctap.hub import hub_user_of_kernel
    from hoctap.sessions import code_from_query

    from .phone import PhoneApp
    from .phone_state import PhoneState

    def portal():
        from hoctap.attempts import Portal

        course = _course(course_root)
        return Portal(course) if clock is None else Portal(course, clock=clock)

    state = PhoneState(portal, hub_user=hub_user_of_kernel())
    code = session_code if session_code is not None else code_from_query(os.environ.get("QUERY_STRING"))
    app = PhoneApp(state, session_code=code, ticker=ticker)
    import threading

    # While the learner types (or, pre-heated, before anyone asks): the portal and the session tables are built
    # now, not at "Tham gia" (about 0.8 s of CPU); a pre-heated kernel then learns its page's code.
    threading.Thread(target=_prepare, args=(app, state), name="hoctap-join-prepare", daemon=True).start()
    if state.hub_user is not None:
        state.enter_as_hub_user(code)  # the hub said who this is: straight into the room when the code is known
    return app


def _prepare(app, state) -> None:
    """Build what joining needs; in a pre-heated kernel (hoctap.serve.pool), then wait until a phone takes it and
    fill in the code of its link."""
    try:
        state.prepare()
    except Exception:  # pragma: no cover - joining builds it again, and says what went wrong
        pass
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    from voila.utils import wait_for_request

    from hoctap.sessions import code_from_query

    wait_for_request()
    code = code_from_query(os.environ.get("QUERY_STRING"))
    if code:
        app.set_code(code)
