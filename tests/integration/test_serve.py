"""The serving layer: the learner Voila (index, app, slides, message filter) and `serve()` itself."""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hoctap.errors import ServeError
from hoctap.serve import servers as serving
from hoctap.serve import supervise
from hoctap.serve.voila_app import APP_TEMPLATE, SLIDES_TEMPLATE, config, lesson_groups
from tests.servers import BUTTON_CODE, button_lesson, external_refs, pick_free_port, slider_lesson, write_lesson

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode("utf-8")


def links(page: str) -> dict[str, list[str]]:
    """hrefs of the index page by link class."""
    found: dict[str, list[str]] = {}
    for cls, href in re.findall(r'<a class="([\w-]+)" href="([^"]+)"', page):
        found.setdefault(cls, []).append(html.unescape(href))
    return found


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    slider_lesson(folder, title="Tổng quan <b>&</b> “mở đầu”")
    return folder


def learner_site(tmp_path: Path) -> Path:
    """A kit as the learner server sees it: `notebooks/learner/` holds the quiz and `lessons`, a symlink to the kit's
    `lessons/`; beside them, `assessments/` holds what must never have a URL (a key, a gradebook, an image)."""
    kit = tmp_path / "kit"
    slider_lesson(kit / "lessons")
    site = kit / "notebooks" / "learner"
    write_lesson(site / "quiz.ipynb", "Làm bài kiểm tra", [("code", BUTTON_CODE, "-")])
    (site / "lessons").symlink_to(Path("..") / ".." / "lessons")
    source = kit / "assessments" / "source" / "bai"
    write_lesson(source / "bai.ipynb", "Bài có khoá", [("code", f"### BEGIN HIDDEN TESTS\n{SECRET}\n### END", "-")])
    (source / "khoa.png").write_bytes(b"\x89PNG " + SECRET.encode())
    (kit / "assessments" / "gradebook.db").write_bytes(b"SQLite format 3\0" + SECRET.encode())
    return site


SECRET = "KEYS = {'q1': 'b'}"
OUTSIDE = [
    "/voila/render/../../assessments/source/bai/bai.ipynb",
    "/voila/render/lessons/../../assessments/source/bai/bai.ipynb",
    "/voila/render/%2e%2e/%2e%2e/assessments/source/bai/bai.ipynb",
    "/voila/render/..%2f..%2fassessments%2fsource%2fbai%2fbai.ipynb",
    "/voila/render/lessons/..%2f..%2f..%2fassessments/source/bai/bai.ipynb",
    "/voila/files/../../assessments/source/bai/khoa.png",
    "/voila/files/lessons/../../assessments/source/bai/khoa.png",
    "/voila/files/lessons/..%2f..%2fassessments/source/bai/khoa.png",
    "/voila/api/contents/../../assessments/source/bai/bai.ipynb?content=1",
    "/voila/api/contents/lessons/../../assessments",
    "/voila/tree/../../assessments/source",
    "/voila/tree/lessons/../../assessments",
    "/voila/static/../../../assessments/gradebook.db",
    # from the kit's own template folder up to the repository's assessment sources (they hold the keys)
    "/voila/templates/hoctap-slides/static/../../../../../../assessments/source/2021-kiem-tra-noi-dung-1/"
    "2021-kiem-tra-noi-dung-1.ipynb",
    "/voila/templates/hoctap-slides/static/..%2f..%2f..%2f..%2f..%2f..%2fassessments/source/2021-kiem-tra-noi-dung-1/"
    "2021-kiem-tra-noi-dung-1.ipynb",
    "/files/assessments/gradebook.db",
    "/files/../assessments/gradebook.db",
    "/../assessments/gradebook.db",
    "/assessments/source/bai/bai.ipynb",
    "/api/contents/assessments/source/bai/bai.ipynb",
]


def raw_get(port: int, path: str) -> tuple[int, str]:
    """GET `path` exactly as written (urllib would normalise the `..` away)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


# -- fast: no server --------------------------------------------------------------------------------------------


def test_the_learner_site_lists_the_quiz_first_then_the_lessons_through_the_symlink(tmp_path: Path):
    site = learner_site(tmp_path)
    (tmp_path / "kit" / "lessons" / "2021" / "vong").symlink_to("..")  # a link back up is walked once

    groups = lesson_groups(site, "", "/")

    assert [(g["folder"], g["label"]) for g in groups] == [
        ("", "Kiểm tra, đánh giá"),
        ("lessons/2021", "Bài học năm 2021"),
    ]
    quiz, lesson = groups[0]["lessons"][0], groups[1]["lessons"][0]
    assert (quiz["title"], quiz["kind"], quiz["app_url"]) == ("Làm bài kiểm tra", "app", "/voila/render/quiz.ipynb")
    assert (lesson["kind"], lesson["app_url"]) == ("lesson", "/voila/render/lessons/2021/01-tong-quan.ipynb")
    assert [g["folder"] for g in lesson_groups(site, "lessons", "/")] == ["lessons/2021"]
    for outside in ("..", "../..", "lessons/../..", "lessons/../../assessments"):
        assert lesson_groups(site, outside, "/") == []


def test_the_grader_beside_voila_is_the_cli_verb(tmp_path: Path):
    assert serving.grader_command()[1:] == ["-m", "hoctap.cli", "grade", "--watch"]
    from hoctap.topic.catalog import Layout

    assert serving.learner_site(Layout(tmp_path)) == tmp_path / "notebooks" / "learner"
    assert not serving.has_released(Layout(tmp_path))
    (tmp_path / "assessments" / "release").mkdir(parents=True)
    assert serving.has_released(Layout(tmp_path))


def test_lesson_groups_read_titles_and_build_both_links(tmp_path: Path):
    slider_lesson(tmp_path)
    write_lesson(tmp_path / "2022" / "bài một.ipynb", "", [("markdown", "x", "slide")])
    (tmp_path / "2022" / "broken.ipynb").write_text("{not json", encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write_lesson(tmp_path / ".ipynb_checkpoints" / "old.ipynb", "cũ", [])

    groups = lesson_groups(tmp_path, "", "/")

    assert [g["folder"] for g in groups] == ["2021", "2022"]
    first = groups[0]["lessons"][0]
    assert first["title"] == "Tổng quan về chuyên đề"
    assert first["app_url"] == "/voila/render/2021/01-tong-quan.ipynb"
    assert first["slides_url"] == f"/voila/render/2021/01-tong-quan.ipynb?template={SLIDES_TEMPLATE}"
    titles = {lesson["path"]: lesson["title"] for lesson in groups[1]["lessons"]}
    assert titles == {"2022/broken.ipynb": "broken", "2022/bài một.ipynb": "bài một"}  # no title: file name
    urls = {lesson["path"]: lesson["app_url"] for lesson in groups[1]["lessons"]}
    assert urls["2022/bài một.ipynb"] == "/voila/render/2022/b%C3%A0i%20m%E1%BB%99t.ipynb"
    assert lesson_groups(tmp_path, "../..", "/") == []


def test_voila_configuration_is_the_safe_one():
    c = config()
    assert c.Voila.open_browser is False and c.Voila.port_retries == 0
    voila = c.VoilaConfiguration
    assert voila.template == APP_TEMPLATE and voila.theme == "light" and voila.classic_tree is True
    assert voila.strip_sources is True and voila.show_tracebacks is False
    assert voila.extension_denylist == ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension"]
    assert callable(voila.page_config_hook)
    assert voila.preheat_kernel is True and c.VoilaKernelManager.kernel_pools_config["quiz.ipynb"]["pool_size"] >= 1
    kernels = c.MappingKernelManager
    assert kernels.cull_connected is False  # open tabs stay
    assert 0 < kernels.cull_idle_timeout and kernels.cull_idle_timeout + kernels.cull_interval <= 60  # plain GETs go
    assert voila.multi_kernel_manager_class == "hoctap.serve.kernel_cap.LearnerKernelManager"  # the cap on kernels


def test_learner_environment_carries_no_secret():
    env = serving.learner_env(
        {"PATH": "/usr/bin", "HOME": "/root", "JUPYTER_TOKEN": "t", "HOCTAP_DB_PASSWORD": "p", "GH_TOKEN": "g"}
    )
    assert set(env) >= {"PATH", "HOME"} and not {"JUPYTER_TOKEN", "HOCTAP_DB_PASSWORD", "GH_TOKEN"} & set(env)
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert serving.lab_env("abc", {"PATH": "/usr/bin"})["JUPYTER_TOKEN"] == "abc"


def test_commands_are_safe_by_default(tmp_path: Path):
    learner = serving.learner_command(tmp_path, "127.0.0.1", 9001)
    assert learner[1:3] == ["-m", "hoctap.serve.voila_app"] and "--port=9001" in learner
    lab = serving.lab_command(tmp_path, "127.0.0.1", 9002)
    assert "--no-browser" in lab and "--ServerApp.port_retries=0" in lab and f"--ServerApp.root_dir={tmp_path}" in lab
    assert ("--allow-root" in lab) == (os.geteuid() == 0)
    assert not any("token" in arg.lower() for arg in lab), "the token goes through the environment, not argv"


def test_a_server_on_every_interface_is_announced_by_address_and_probed_locally():
    server = serving.Server("Voila", "0.0.0.0", 9003, "--learner-port", process=None)
    assert server.local_url == "http://127.0.0.1:9003/"
    assert "0.0.0.0" not in server.url and server.url.endswith(":9003/")
    assert serving.Server("Lab", "::1", 9004, "--lab-port", None, url_suffix="lab?token=x").url == (
        "http://[::1]:9004/lab?token=x"
    )


@pytest.mark.parametrize("only, option", [("learner", "--learner-port"), ("lab", "--lab-port")])
def test_serve_names_a_taken_port_and_the_option(lessons: Path, only: str, option: str):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError) as caught:
            serving.serve("127.0.0.1", learner_port=port, lab_port=port, only=only, site_dir=lessons)
    message = str(caught.value)
    assert "\n" not in message
    assert str(port) in message and option in message and "đang được dùng" in message and "in use" in message


def test_serve_needs_the_learner_site(tmp_path: Path, free_port: int):
    with pytest.raises(ServeError, match="hoctap build"):
        serving.serve("127.0.0.1", free_port, free_port, only="learner", site_dir=tmp_path / "missing")


# -- slow: a real learner Voila ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_index_app_and_slides(voila_server, lessons: Path):
    button_lesson(lessons)
    base = voila_server(lessons)

    status, index = get(base)
    assert status == 200 and '<html lang="vi">' in index
    assert "Bài học" in index and "Mở bài học" in index and "Trình chiếu" in index
    assert "Tổng quan &lt;b&gt;&amp;&lt;/b&gt; “mở đầu”" in index  # the title, escaped
    assert "Bài thử nút bấm" in index
    found = links(index)
    assert found["open-app"] == ["/voila/render/2021/01-tong-quan.ipynb", "/voila/render/2021/02-nut-bam.ipynb"]
    assert found["open-slides"] == [f"{url}?template={SLIDES_TEMPLATE}" for url in found["open-app"]]
    assert external_refs(index) == []

    status, app = get(base.rstrip("/") + found["open-app"][0])
    assert status == 200 and WIDGET_VIEW in app
    assert "<title>Tổng quan &lt;b&gt;&amp;&lt;/b&gt; “mở đầu”</title>" in app
    assert "import ipywidgets" not in app, "sources are stripped"
    assert external_refs(app) == []

    status, slides = get(base.rstrip("/") + found["open-slides"][1])
    assert status == 200 and WIDGET_VIEW in slides
    assert slides.count("<section") >= 3 and "Ghi chú cho người trình bày" not in slides  # slide_type "skip"
    assert external_refs(slides) == []
    for css in re.findall(r'href="(/voila/templates/hoctap-slides/static/reveal\.js/[^"]+)"', slides):
        assert get(base.rstrip("/") + css)[0] == 200
    assert len(re.findall(r"static/reveal\.js/dist/", slides)) == 2  # reveal.css and the white theme


@pytest.mark.slow
def test_the_learner_site_serves_the_quiz_and_the_lessons_and_nothing_else(voila_server, tmp_path: Path):
    site = learner_site(tmp_path)
    base = voila_server(site)

    status, index = get(base)
    assert status == 200
    found = links(index)
    assert found["open-app"] == ["/voila/render/quiz.ipynb", "/voila/render/lessons/2021/01-tong-quan.ipynb"]
    assert found["open-slides"] == [f"/voila/render/lessons/2021/01-tong-quan.ipynb?template={SLIDES_TEMPLATE}"]
    assert index.index("Làm bài kiểm tra") < index.index("Bài học năm 2021") < index.index("Tổng quan về chuyên đề")
    assert "Vào làm bài" in index
    status, lesson = get(base + "voila/render/lessons/2021/01-tong-quan.ipynb")  # rendered through the symlink
    assert status == 200 and WIDGET_VIEW in lesson
    status, _ = get(base + "voila/tree/lessons")
    assert status == 200
    status, model = get(base + "voila/api/contents/quiz.ipynb?content=1")
    assert status == 200 and json.loads(model)["content"] is None  # Voila's contents API never gives a source

    port = urlsplit(base).port
    for path in OUTSIDE:
        status, body = raw_get(port, path)
        # Voila's template handler asserts the URL's shape (`<template>/static/<path>` after normpath): a 500
        refused = (400, 403, 404, 500) if path.startswith("/voila/templates/") else (400, 403, 404)
        assert status in refused, f"{path}: HTTP {status}"
        assert SECRET not in body and "BEGIN HIDDEN TESTS" not in body and "Traceback" not in body, path


@pytest.mark.slow
def test_client_execute_request_is_refused(voila_server, lessons: Path, tmp_path: Path):
    import websocket

    base = voila_server(lessons)
    _, app = get(base + "voila/render/2021/01-tong-quan.ipynb")
    config = json.loads(
        re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', app, re.S)[1]
    )
    proof = tmp_path / "executed"
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{urlsplit(base).port}/api/kernels/{config['kernelId']}/channels", timeout=30
    )
    try:
        session = uuid.uuid4().hex

        def send(msg_type: str, content: dict) -> str:
            msg_id = uuid.uuid4().hex
            header = {"msg_id": msg_id, "msg_type": msg_type, "session": session, "username": "", "version": "5.3"}
            ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                                "channel": "shell", "buffers": []}))  # fmt: skip
            return msg_id

        execute = send("execute_request", {"code": f"open({str(proof)!r}, 'w').close()", "silent": False})
        info = send("kernel_info_request", {})
        replies = []
        while True:
            msg = json.loads(ws.recv())
            replies.append((msg.get("parent_header", {}).get("msg_id"), msg["header"]["msg_type"]))
            if replies[-1] == (info, "kernel_info_reply"):
                break
    finally:
        ws.close()
    time.sleep(0.5)
    assert not proof.exists(), "the kernel ran code sent by the browser"
    assert not [r for r in replies if r[0] == execute], replies


@pytest.mark.slow
def test_a_taken_port_stops_voila_instead_of_moving(lessons: Path, tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with open(tmp_path / "voila.log", "wb") as log:
            server = serving.start_learner(lessons, "127.0.0.1", port, output=log)
        try:
            with pytest.raises(ServeError, match=f"cổng {port}"):
                serving.wait_ready(server, timeout=30)
        finally:
            serving.stop(server)
    assert server.process.returncode not in (None, 0)


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_prints_urls_and_stops_everything(lessons: Path, tmp_path: Path, how: signal.Signals):
    """`serve()` as `hoctap serve` runs it: both servers, the banner, then a clean stop with no orphans."""
    learner, lab = pick_free_port(), pick_free_port()
    code = (
        "import sys; from hoctap.serve.servers import serve; "
        f"sys.exit(serve('127.0.0.1', {learner}, {lab}, site_dir={str(lessons)!r}))"
    )
    home = tmp_path / "kit"
    (home / "assessments" / "release").mkdir(parents=True)  # something released: a grader runs beside Voila
    env = {**os.environ, "HOCTAP_HOME": str(home)}
    log = open(tmp_path / "serve.log", "w+b")  # the test reads the file while the child writes
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
    )
    try:
        deadline = time.monotonic() + 90
        while b"press Ctrl-C to stop" not in (tmp_path / "serve.log").read_bytes():
            assert child.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        out = (tmp_path / "serve.log").read_text(encoding="utf-8")
        assert f"http://127.0.0.1:{learner}/" in out and "Học viên" in out and "Learners" in out
        token = re.search(rf"http://127\.0\.0\.1:{lab}/lab\?token=([0-9a-f]{{48}})", out)[1]
        assert get(f"http://127.0.0.1:{lab}/api/contents?token={token}")[0] == 200
        with pytest.raises(urllib.error.HTTPError):
            get(f"http://127.0.0.1:{lab}/api/contents")
        get(f"http://127.0.0.1:{learner}/voila/render/2021/01-tong-quan.ipynb")  # starts a kernel
        family = supervise.descendants(child.pid)
        assert len(family) >= 4  # Voila, its kernel, JupyterLab, the grader
        assert any(serving.grader_command()[1:] == _argv(pid)[1:] for pid in family), "no grader beside Voila"
        assert "máy chấm" in out.lower()

        child.send_signal(how)
        assert child.wait(60) == 0
    finally:
        if child.poll() is None:  # the test failed before a clean stop: leave nothing running behind it
            for pid in supervise.descendants(child.pid):  # servers run in their own process groups
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        log.close()
    time.sleep(0.2)
    assert [pid for pid in family if supervise.alive(pid)] == []
    assert "Đã dừng" in (tmp_path / "serve.log").read_text(encoding="utf-8")
