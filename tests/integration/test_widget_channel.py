"""What the learner's kernel still tells about a learner once they have logged out, asked the way any client can.

Voila 0.5.13 refuses a client's `execute_request` but lets comm messages through, so whoever has the page's kernel
id (the next person at a shared classroom computer: it is in the page's websocket URL) can open a second websocket
to the kernel and send `request_states` on the `jupyter.widget.control` comm: the kernel answers with the state of
every live widget. A learner logs in and out in Chromium; a second client (websocket-client, speaking the Jupyter
messaging protocol) probes the kernel before the code is submitted, on the list, and after logout.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from hoctap.load import WidgetChannel  # the load test's client: websocket-client, the Jupyter and widget protocols
from tests.quiz_kit import LEARNERS, build_kit
from tests.servers import assert_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = "voila/render/quiz.ipynb"
KERNEL_SOCKET = re.compile(r"^ws://[^/]+/api/kernels/([0-9a-f-]{36})/channels")


@pytest.fixture(scope="module")
def site(voila_server_module, tmp_path_factory):
    """(base URL, kit): the learner Voila on a quiz kit of its own (nothing else logs in there)."""
    home = tmp_path_factory.mktemp("widget-channel")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))  # inherited by Voila and its kernels
        kit = build_kit(home)
        yield voila_server_module(home / "notebooks" / "learner"), kit


def kernel_id(page) -> str:
    """The page's kernel, from the websocket URL it opened (what anyone at the computer can read)."""
    found = [m[1] for url in page.requested if (m := KERNEL_SOCKET.match(url))]
    assert found, f"no kernel websocket in {page.requested}"
    return found[-1]


def probe(base: str, page) -> dict[str, dict]:
    """A fresh connection to the page's kernel, one `request_states`, closed."""
    channel = WidgetChannel(base, kernel_id(page), timeout=10.0)
    try:
        return channel.request_states()
    finally:
        channel.close()


def holding(states: dict[str, dict], text: str) -> list[str]:
    """'ModelName.trait' of each widget whose state contains `text`."""
    return sorted(
        f"{model['model_name']}.{key}"
        for model in states.values()
        for key, value in model["state"].items()
        if text in json.dumps(value, ensure_ascii=False)
    )


def test_after_logout_no_client_on_the_kernel_finds_the_access_code(site, page):
    base, kit = site
    learner = LEARNERS[3]  # hv-004: not the login field's example (hv-001)
    code = kit.codes[learner.id]
    page.goto(base + APP)
    page.locator(".hoctap-login-id input").fill(learner.id)
    page.locator(".hoctap-login-code input").fill(code)

    deadline = time.monotonic() + 10  # typed, not submitted: the probe sees the code (the probe works)
    while (typed := holding(probe(base, page), code)) != ["PasswordModel.value"]:
        assert time.monotonic() < deadline, f"the typed code never reached the kernel: {typed}"
        time.sleep(0.1)

    page.locator(".hoctap-login-submit").click()
    page.locator(".hoctap-offers").wait_for()
    states = probe(base, page)
    assert holding(states, code) == []
    assert holding(states, learner.full_name) == ["HTMLModel.value"], "the probe sees the screen shown"

    page.locator(".hoctap-logout").click()
    page.locator(".hoctap-login").wait_for()
    assert page.locator(".hoctap-offers").count() == 0
    states = probe(base, page)
    assert holding(states, code) == []
    assert holding(states, learner.full_name) == [] and holding(states, learner.id) == []
    assert page.locator(".hoctap-login-id input").input_value() == ""
    assert page.locator(".hoctap-login-code input").input_value() == ""
    assert_offline(page)  # closing the screens' widgets raised no error in the page
