"""The learner server's cap on kernels and its culler, through a real Voila and real page loads: pages beyond the cap
get the busy page (HTTP 503) and start nothing; kernels without a websocket go, open tabs and the pre-heated pool
stay, and a page served from the pool gets time to connect."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hoctap.serve import servers as serving
from hoctap.serve import supervise
from hoctap.serve.kernel_cap import RETRY_AFTER
from tests.servers import BUTTON_CODE, external_refs, pick_free_port, slider_lesson, write_lesson

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LESSON = "voila/render/2021/01-tong-quan.ipynb"
QUIZ = "voila/render/quiz.ipynb"
BUSY = "Máy chủ đang bận, vui lòng chờ"


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), dict(error.headers)


def kernels(server: serving.Server) -> dict[str, int]:
    """The server's kernel processes, {kernel id: PID}, read from their command lines (`-f …/kernel-<id>.json`)."""
    found = {}
    for pid in supervise.descendants(server.process.pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        match = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(argv))
        if "ipykernel_launcher" in " ".join(argv) and match:
            found[match[1]] = pid
    return found


def kernel_id(page: str) -> str:
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)[1]
    return json.loads(config)["kernelId"]


def connect(server: serving.Server, kernel: str):
    """A tab's websocket on `kernel`, checked live by a kernel_info round trip (Voila lets that message through)."""
    import websocket

    ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel}/channels", timeout=30)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "kernel_info_request", "session": uuid.uuid4().hex, "username": "",
              "version": "5.3"}  # fmt: skip
    ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell"}))
    while True:
        msg = json.loads(ws.recv())
        if msg["header"]["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") == msg_id:
            return ws


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def capped_voila(tmp_path: Path) -> Iterator[Callable[..., serving.Server]]:
    """`capped_voila(folder, *voila_args)`: the learner server on a free port with more Voila settings, ready;
    stopped (process group and kernels, by PID) at teardown. Its log is `tmp_path/voila-PORT.log`."""
    started: list[serving.Server] = []

    def start(folder: Path, *args: str) -> serving.Server:
        port = pick_free_port()
        with open(tmp_path / f"voila-{port}.log", "wb") as log:
            server = serving.start_learner(folder, "127.0.0.1", port, output=log, args=args)
        started.append(server)
        serving.wait_ready(server)
        server.log = tmp_path / f"voila-{port}.log"
        return server

    yield start
    for server in reversed(started):
        serving.stop(server)


@pytest.mark.slow
def test_page_loads_beyond_the_cap_get_the_busy_page_until_kernels_go(capped_voila, tmp_path: Path):
    slider_lesson(tmp_path / "site")
    server = capped_voila(
        tmp_path / "site",
        "--LearnerKernelManager.max_kernels=3",
        "--LearnerKernelManager.connect_grace=3",
        "--MappingKernelManager.cull_idle_timeout=2",
        "--MappingKernelManager.cull_interval=1",
    )
    lesson = server.local_url + LESSON
    tabs = []
    try:
        for _ in range(3):
            status, page, _ = fetch(lesson)
            assert status == 200 and WIDGET_VIEW in page
            tabs.append(connect(server, kernel_id(page)))  # an open tab: the culler must leave its kernel
        assert len(kernels(server)) == 3

        status, page, headers = fetch(lesson)
        assert status == 503 and BUSY in page and "thử lại sau ít phút" in page and '<html lang="vi">' in page
        assert headers["Retry-After"] == str(RETRY_AFTER) and f'http-equiv="refresh" content="{RETRY_AFTER}"' in page
        assert "<script" not in page and external_refs(page) == []  # self-contained: works with the server busy
        assert len(kernels(server)) == 3, "the refused page started a kernel"
        assert fetch(server.local_url + "api/kernels")[0] == 404  # no list of kernels for learners

        open_tabs = kernels(server)
        time.sleep(4)  # idle timeout (2 s) and two culling rounds
        assert kernels(server) == open_tabs, "the culler took the kernel of an open tab"
    finally:
        for ws in tabs:
            ws.close()
    wait_until(lambda: not kernels(server), "the kernels of closed tabs to be culled")

    status, page, _ = fetch(lesson)
    assert status == 200 and WIDGET_VIEW in page
    assert kernel_id(page) in kernels(server)
    wait_until(lambda: not kernels(server), "the kernel of a page that never connected to be culled")


@pytest.mark.slow
def test_the_pool_counts_outlives_the_culler_and_gives_its_page_time_to_connect(capped_voila, tmp_path: Path):
    site = tmp_path / "site"
    slider_lesson(site)
    write_lesson(site / "quiz.ipynb", "Làm bài kiểm tra", [("code", BUTTON_CODE, "-")])  # pre-heated: QUIZ_POOL
    server = capped_voila(
        site,
        "--LearnerKernelManager.max_kernels=3",
        "--MappingKernelManager.cull_idle_timeout=3",
        "--MappingKernelManager.cull_interval=1",
    )
    wait_until(lambda: b"Kernel pool of quiz.ipynb is filled with 2" in server.log.read_bytes(), "the pool")
    pooled = kernels(server)
    assert len(pooled) == 2
    time.sleep(5)  # beyond the idle timeout, a few culling rounds
    assert kernels(server) == pooled, "the culler took kernels waiting in the pool"

    status, page, _ = fetch(server.local_url + QUIZ)
    assert status == 200 and kernel_id(page) in pooled  # served from the pool, idle since it was pre-heated
    time.sleep(1.5)  # a culling round passes before the browser opens the websocket
    tab = connect(server, kernel_id(page))
    try:
        # Three kernels now count: the one in use, the one still waiting, the one refilling the pool.
        for path in (QUIZ, LESSON):
            status, page, _ = fetch(server.local_url + path)
            assert status == 503 and BUSY in page, path
    finally:
        tab.close()
