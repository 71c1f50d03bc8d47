"""A burst of learners on the learner server, through a real Voila and real page loads: past what the cores can start
at once, a page load gets the waiting page with its place in the line (no script, escaped, reloading itself with
its ticket); the place moves forward and the learner gets the app when the turn comes. Static files go out gzipped
(once, from memory) with a cache policy by name. The line's bookkeeping is checked alone with a fake clock."""

from __future__ import annotations

import gzip
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path

import pytest

from hoctap.serve import servers as serving
from hoctap.serve.waiting_line import TICKET_ARG, WaitingLine
from tests.servers import SLIDER_CODE, external_refs, pick_free_port, write_lesson

QUIZ = "voila/render/quiz.ipynb"
CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+); url=([^"]*)">')
PLACE = re.compile(r'data-place="(\d+)"')
HOSTILE = '"><script>alert(1)</script>'


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def page(url: str) -> tuple[int, str]:
    status, body, _ = get(url)
    return status, body.decode("utf-8")


def place(html: str) -> int | None:
    found = PLACE.search(html)
    return int(found[1]) if found else None


def reload_of(base: str, html: str) -> str:
    """The URL the waiting page reloads to, as the browser reads it from the meta refresh."""
    return base.rstrip("/") + unescape(REFRESH.search(html)[2])


@pytest.fixture
def learner_voila(tmp_path: Path) -> Iterator[Callable[..., serving.Server]]:
    started: list[serving.Server] = []

    def start(folder: Path, *args: str) -> serving.Server:
        port = pick_free_port()
        log_path = tmp_path / f"voila-{port}.log"
        with open(log_path, "wb") as log:
            server = serving.start_learner(folder, "127.0.0.1", port, output=log, args=args)
        started.append(server)
        serving.wait_ready(server)
        server.log = log_path
        return server

    yield start
    for server in reversed(started):
        serving.stop(server)


def test_the_line_gives_places_in_arrival_order_and_forgets_closed_tabs():
    now = [0.0]
    line = WaitingLine(expire_after=20, clock=lambda: now[0])
    first, second, third = line.join(), line.join(), line.join()
    assert [line.ahead(t) for t in (first, second, third)] == [0, 1, 2]
    assert line.ahead(None) == 3 and line.ahead("made-up") == 3  # a page load without a known ticket: the back
    assert len({first, second, third}) == 3 and all(len(t) >= 16 for t in (first, second, third))
    line.leave(first)
    assert [line.ahead(t) for t in (second, third)] == [0, 1]
    now[0] = 15
    line.seen(third)  # second's tab is closed: it stops reloading
    now[0] = 25
    line.expire()
    assert second not in line and line.ahead(third) == 0


def follow(base: str, url: str, places: list[int] | None = None) -> str:
    """What a browser does with the waiting page: reload it (the server holds each reload a few seconds) until the
    app comes; the places seen go to `places`. Returns the app page."""
    for _ in range(60):
        status, html = page(url)
        if status == 200 and CONFIG.search(html):
            return html
        assert status == 200 and place(html), html
        if places is not None:
            places.append(place(html))
        url = reload_of(base, html)
    raise AssertionError(f"never got the app: {url}")


@pytest.mark.slow
def test_past_the_start_slots_a_learner_sees_a_place_then_gets_the_app(learner_voila, tmp_path: Path):
    site = tmp_path / "site"
    # The quiz takes 6 s to run (a slow start, as on a busy machine), the pool holds one kernel, one start at once.
    cells = [("code", "import time\ntime.sleep(6)", "-"), ("code", SLIDER_CODE, "-")]
    write_lesson(site / "quiz.ipynb", "Làm bài kiểm tra", cells)
    server = learner_voila(site, "--LearnerVoila.pool=1", "--LearnerKernelManager.max_starts=1")
    base = server.local_url
    first = follow(base, base + QUIZ)  # the pre-heated kernel, once it has run the quiz; its refill starts now
    assert json.loads(CONFIG.search(first)[1])["kernelId"]

    status, second = page(base + QUIZ)  # the refill is still running the quiz: the only start slot is taken
    assert status == 200 and place(second) == 1, second
    assert "Anh/chị đang ở vị trí số 1 trong hàng chờ" in second and '<html lang="vi">' in second
    assert "<script" not in second and external_refs(second) == []
    status, third = page(base + QUIZ + "?x=" + urllib.request.quote(HOSTILE))
    assert status == 200 and place(third) == 2
    assert "<script" not in third and HOSTILE not in third  # the request's arguments are escaped
    second_url, third_url = reload_of(base, second), reload_of(base, third)
    assert f"{TICKET_ARG}=" in second_url and "x=" in third_url
    tickets = [re.search(rf"{TICKET_ARG}=([^&]+)", u)[1] for u in (second_url, third_url)]
    assert tickets[0] != tickets[1]
    status, made_up = page(base + QUIZ + f"?{TICKET_ARG}=not-a-ticket")
    assert status == 200 and place(made_up) == 3, "a made-up ticket joins at the back"

    second_places: list[int] = []
    second = follow(base, second_url, second_places)
    assert set(second_places) <= {1}, f"someone who came later got in first: {second_places}"
    third_places: list[int] = []
    third = follow(base, third_url, third_places)
    assert set(third_places) <= {1}, f"the place did not move forward from 2: {third_places}"
    kernels = {json.loads(CONFIG.search(html)[1])["kernelId"] for html in (first, second, third)}
    assert len(kernels) == 3, "each learner has a kernel of their own"


@pytest.mark.slow
def test_static_files_go_gzipped_from_memory_with_a_cache_policy_by_name(learner_voila, tmp_path: Path):
    site = tmp_path / "site"
    write_lesson(site / "2021" / "bai.ipynb", "Bài", [("code", SLIDER_CODE, "-")])
    server = learner_voila(site, "--LearnerVoila.pool=0")
    base = server.local_url
    status, body, _ = get(base + "voila/render/2021/bai.ipynb")
    html = body.decode("utf-8")
    assert status == 200
    scripts = re.findall(r'src="([^"]+\.js)"', html)
    voila_js = next(s for s in scripts if s.endswith("/voila.js"))
    gz = {"Accept-Encoding": "gzip, deflate"}

    status, zipped, headers = get(base.rstrip("/") + voila_js, gz)
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == "no-cache"
    assert "Accept-Encoding" in headers["Vary"] and headers.get("Etag")
    status, plain, plain_headers = get(base.rstrip("/") + voila_js)
    assert status == 200 and "Content-Encoding" not in plain_headers and gzip.decompress(zipped) == plain
    assert len(zipped) < len(plain) / 2
    assert plain_headers["Etag"] != headers["Etag"], "two representations, two entity tags"
    status, again, _ = get(base.rstrip("/") + voila_js, {**gz, "If-None-Match": headers["Etag"]})
    assert status == 304 and again == b""

    # the widget manager's bundle, named by its content hash: cached for good
    manager = "voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json"
    status, body, _ = get(base + manager)
    entry = json.loads(body)["jupyterlab"]["_build"]["load"]
    hashed = base + "voila/labextensions/@jupyter-widgets/jupyterlab-manager/" + entry
    status, zipped, headers = get(hashed, gz)
    assert re.search(r"\.[0-9a-f]{16,}\.js$", entry), entry
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(zipped) == get(hashed)[1]

    status, zipped, headers = get(base + "voila/render/2021/bai.ipynb", gz)  # the page itself (compress_response)
    assert (
        status == 200
        and headers.get("Content-Encoding") == "gzip"
        and b"jupyter-config-data" in gzip.decompress(zipped)
    )


def test_a_start_that_hangs_frees_its_slot_and_the_line_moves_on():
    from hoctap.serve.kernel_cap import STALLED_AFTER, LearnerKernelManager

    manager = LearnerKernelManager(max_starts=2)
    assert manager.starts_in_flight() == 0 and manager.room("quiz.ipynb", pooled=True) == 2  # no pool here
    hung, slow = object(), object()
    manager._starting_pages[hung] = time.monotonic()
    manager._starting_pages[slow] = time.monotonic()
    assert manager.starts_in_flight() == 2 and manager.room("2021/bai.ipynb", pooled=False) == 0
    manager._starting_pages[hung] = time.monotonic() - STALLED_AFTER - 1  # Voila still waits on a dead kernel
    assert manager.starts_in_flight() == 1 and manager.room("2021/bai.ipynb", pooled=False) == 1
