"""One simulated learner behind JupyterHub: the hub's login form, its OAuth with the quiz service, then the visit.

    visit = HubVisit(hub_url, learner_id, code, assessment_id, report)
    visit.run() -> bool

As a browser does it: GET `/hub/login` (the form's `_xsrf` field and cookie), POST the roster id and code, then
follow the redirects — the hub's start page for a learner (`hoctap.hub.config.start_page`: one of the quiz
services), the service's OAuth with the hub, its callback setting the service's cookie — up to the quiz page's
address (step `0 hub login`); then the quiz page (step `1 page`), fetched and its kernel's websocket opened with
those cookies. The app opens on the learner's assessments (the hub said who this is: no login screen), so step `2`
ends when the quiz's card is shown; the rest is `learner.Visit`'s.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from .channel import WidgetChannel
from .learner import APP_PATH, ARRIVAL, HUB_LOGIN, LOGIN_SCREEN, PAGE, StepFailed, Visit

XSRF = re.compile(r'name="_xsrf" value="([^"]+)"')
MAX_REDIRECTS = 12


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses (HTTPError 302 with a Location): the visit follows them itself, to stop
    before the quiz page."""

    def redirect_request(self, *args, **kwargs):
        return None


class HubVisit(Visit):
    """A learner's visit through the hub (the module docstring); `base_url` is the hub's address."""

    def __init__(self, base_url: str, *args, **kwargs):
        super().__init__(base_url, *args, **kwargs)
        self.hub = self.base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(_NoRedirect(), urllib.request.HTTPCookieProcessor(self.jar))

    def _arrive(self) -> None:
        start = time.perf_counter()
        self._step(HUB_LOGIN, self._hub_login)
        kernel = self._step(PAGE, self._page)
        self._step(LOGIN_SCREEN, lambda: self._app_screen(kernel))
        self.report(ARRIVAL, time.perf_counter() - start, None)

    def _hub_login(self) -> None:
        status, _, form = self._open(self.hub + "hub/login")
        found = XSRF.search(form)
        if status != 200 or found is None:
            raise StepFailed(f"the hub's login form: HTTP {status}")
        body = urllib.parse.urlencode({"username": self.learner_id, "password": self.code, "_xsrf": found[1]})
        status, location, page = self._open(self.hub + "hub/login", body.encode())
        if status == 429:
            raise StepFailed("the hub throttled the login (HTTP 429)")
        for _ in range(MAX_REDIRECTS):
            if location is None:
                raise StepFailed(f"HTTP {status} before the quiz page")
            target = urllib.parse.urljoin(self.hub, location)
            if target.split("?")[0].endswith(APP_PATH) and self._has_service_cookie(target):
                self.base = target.split("?")[0][: -len(APP_PATH)]  # the service this learner was sent to
                self.cookie = self._cookie_header(self.base)
                return
            status, location, page = self._open(target)
        raise StepFailed("too many redirects after the hub's login")

    def _app_screen(self, kernel: str) -> None:
        """The app, opened by the hub's word on who this is: the learner's list, with the quiz's card."""
        self.channel = WidgetChannel(self.base, kernel, timeout=self.timeout, cookie=self.cookie)
        self.channel.request_states()
        self._wait(lambda: self.channel.find(f"hoctap-offer-{self.assessment_id}"))

    def _open(self, url: str, data: bytes | None = None) -> tuple[int, str | None, str]:
        """(status, Location, body) of one request, redirects not followed."""
        request = urllib.request.Request(url, data=data, headers={"User-Agent": "hoctap-load"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, None, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location"), answer.read().decode("utf-8", errors="replace")
        except (urllib.error.URLError, OSError) as error:
            raise StepFailed(f"no answer: {getattr(error, 'reason', error)}") from None

    def _has_service_cookie(self, url: str) -> bool:
        """The service's login cookie is set (at its OAuth callback): a cookie on the service's own path that is not
        the OAuth state's."""
        prefix = urllib.parse.urlsplit(url).path.split("?")[0][: -len(APP_PATH)].rstrip("/")
        return any(c.path.rstrip("/") == prefix and not c.name.endswith("-oauth-state") for c in self.jar)

    def _cookie_header(self, url: str) -> str:
        path = urllib.parse.urlsplit(url).path
        return "; ".join(f"{c.name}={c.value}" for c in self.jar if path.startswith(c.path.rstrip("/") or "/"))
