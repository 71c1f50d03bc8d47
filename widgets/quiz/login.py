"""The login screen: learner id, access code, "Đăng nhập"."""

from __future__ import annotations

import ipywidgets

from ..style import classed, esc
from .app_state import AppState
from .parts import act, button


class LoginView(ipywidgets.VBox):
    """Mã học viên, mã truy cập, "Đăng nhập"."""

    def __init__(self, state: AppState, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        if state.hub_user is not None:  # behind the hub: it logs people in and out, never this page
            self.children = [hub_exit(state)]
            self.add_class("hoctap-login")
            return
        style = {"description_width": "8em"}
        wide = ipywidgets.Layout(width="100%")
        intro = ipywidgets.HTML(
            "<h3>Đăng nhập</h3><p>Nhập mã học viên và mã truy cập mà người hướng dẫn đã cấp cho anh/chị.</p>"
        )
        self.student = classed(
            ipywidgets.Text(description="Mã học viên", placeholder="ví dụ: tn-0001", style=style, layout=wide),
            "hoctap-login-id",
        )
        self.code = classed(
            ipywidgets.Password(description="Mã truy cập", placeholder="ví dụ: abcd-efgh", style=style, layout=wide),
            "hoctap-login-code",
        )
        self.submit = button("Đăng nhập", "hoctap-login-submit")
        self.submit.on_click(lambda _: self.login())
        for field in (self.student, self.code):  # Enter in either field logs in, as on any login form
            field.on_msg(self._on_enter)
        self.children = [intro, self.student, self.code, self.submit]
        self.add_class("hoctap-login")

    def _on_enter(self, _widget, content, _buffers) -> None:
        # ipywidgets' text views send {"event": "submit"} on Enter (the message behind the deprecated on_submit)
        if isinstance(content, dict) and content.get("event") == "submit" and self.comm is not None:
            self.login()

    def login(self) -> None:
        """The code leaves the field before it is checked, right or wrong: nothing keeps it in the kernel or the page
        (on a shared computer the next person must not find it). On success the app closes this screen."""
        code, self.code.value = self.code.value, ""
        act(self.submit, lambda: self.state.login(self.student.value, code))


def hub_exit(state: AppState) -> ipywidgets.HTML:
    """Behind the hub, in place of the form: who the hub says is here, and its logout (to log in as someone else)."""
    return classed(
        ipywidgets.HTML(
            f"<p>Anh/chị đang đăng nhập với tài khoản <strong>{esc(state.hub_user)}</strong>.</p>"
            f'<p><a class="hoctap-hub-logout" href="{esc(state.hub_logout)}" target="_top">'
            "Đăng xuất khỏi hệ thống / Log out</a></p>"
        ),
        "hoctap-hub-exit",
    )
