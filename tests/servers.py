"""Helpers for tests that serve lessons: tiny lesson notebooks and the "nothing leaves this machine" checks."""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from hoctap.serve import LAB_PORT, LEARNER_PORT

RESERVED_PORTS = {LEARNER_PORT, LAB_PORT}  # what a person's `make run` may be using
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
INLINE_SCHEMES = {"data", "blob", "about"}
# An external fetch in HTML: src/href/action/import()/url() pointing at another host.
EXTERNAL_REF = re.compile(
    r"""(?:\b(?:src|href|action)\s*=\s*["']?|\bimport\s*\(\s*["']|\burl\(\s*["']?)\s*((?:https?:)?//[^"'\s)>]+)""",
    re.I,
)
CDN_HOSTS = ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "code.jquery.com", "fonts.googleapis.com")

BUTTON_CODE = """\
import ipywidgets as w
label = w.Label("chưa bấm")
button = w.Button(description="Bấm tôi")
button.on_click(lambda _: setattr(label, "value", "đã bấm"))
w.VBox([button, label])"""
SLIDER_CODE = 'import ipywidgets as w\nw.IntSlider(value=3, description="Số")'


def pick_free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free now on `host` (never 8866 or 8888)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def write_lesson(path: Path, title: str, cells: list[tuple[str, str, str]]) -> Path:
    """Write a lesson notebook: cells are (kind "markdown"|"code", source, slide_type)."""
    nb = new_notebook()
    nb.metadata.title = title
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    make = {"markdown": new_markdown_cell, "code": new_code_cell}
    nb.cells = [make[kind](source, metadata={"slideshow": {"slide_type": slide}}) for kind, source, slide in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def slider_lesson(folder: Path, title: str = "Tổng quan về chuyên đề") -> Path:
    """`folder/2021/01-tong-quan.ipynb`: a heading and one IntSlider."""
    return write_lesson(
        folder / "2021" / "01-tong-quan.ipynb",
        title,
        [("markdown", "# Bài 1\n\nMở đầu.", "slide"), ("code", SLIDER_CODE, "-")],
    )


def button_lesson(folder: Path, title: str = "Bài thử nút bấm") -> Path:
    """`folder/2021/02-nut-bam.ipynb`: title slide, then a Button whose click changes a Label (live widgets)."""
    return write_lesson(
        folder / "2021" / "02-nut-bam.ipynb",
        title,
        [
            ("markdown", "# Bài thử\n\nCông thức $E = mc^2$.", "slide"),
            ("markdown", "## Nút bấm", "slide"),
            ("code", BUTTON_CODE, "-"),
            ("markdown", "Ghi chú cho người trình bày", "skip"),
            ("markdown", "## Kết thúc", "slide"),
        ],
    )


def external_refs(html: str) -> list[str]:
    """URLs of other hosts that a page would fetch (src/href/import/url), plus any CDN host named at all."""
    found = [url for url in EXTERNAL_REF.findall(html) if not is_local(url)]
    found += [host for host in CDN_HOSTS if host in html]
    return found


def is_local(url: str) -> bool:
    parts = urlsplit(url if "//" not in url or "://" in url else "http:" + url)
    if parts.scheme in INLINE_SCHEMES:
        return True
    return parts.hostname in LOCAL_HOSTS or (not parts.scheme and not parts.netloc)


def assert_offline(page) -> None:
    """For the `page` fixture: every request stayed on this machine, a kernel websocket was opened (widgets are
    live), and no script or console error happened."""
    outside = [url for url in page.requested if not is_local(url)]
    assert outside == [], f"requests left the machine: {outside}"
    assert any(url.startswith(("ws://127.0.0.1", "ws://localhost")) for url in page.requested), "no kernel websocket"
    assert page.errors == [], page.errors


def watched_page(context, timeout_ms: int = 30_000):
    """A page in the Playwright `context` for an instructor's browser: every request leaving the machine is aborted
    (pages opened from disk, `file:`, stay), and the page keeps what happened: `requested` ("METHOD url", websockets
    as "WS url"), `outside` (the aborted URLs), `dialogs` (each dismissed), `errors` (script errors) and `policies`
    (each document's Content-Security-Policy header, by path)."""
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.requested, page.outside, page.dialogs, page.errors, page.policies = [], [], [], [], {}

    def route(route) -> None:
        url = route.request.url
        page.requested.append(f"{route.request.method} {url}")
        if urlsplit(url).scheme == "file" or is_local(url):
            route.continue_()
        else:
            page.outside.append(url)
            route.abort()

    def dialog(d) -> None:
        page.dialogs.append(d.message)
        d.dismiss()

    def response(r) -> None:
        if r.request.resource_type == "document":
            page.policies.setdefault(urlsplit(r.url).path, r.headers.get("content-security-policy", ""))

    context.route("**/*", route)
    page.on("dialog", dialog)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("websocket", lambda socket: page.requested.append(f"WS {socket.url}"))
    page.on("response", response)
    return page


@contextlib.contextmanager
def running_lab(home: Path, log_path: Path, timeout: float = 90.0):
    """The instructors' JupyterLab on the kit at `home` (as `hoctap serve` starts it), on a free port, with a fresh
    token: yields (server, token) once it answers, its log's tail in the error if it does not; stopped by PID."""
    from hoctap.serve import start_lab

    token = secrets.token_hex(24)
    with _ready(
        lambda log: start_lab(home, "127.0.0.1", pick_free_port(), token, output=log), log_path, timeout
    ) as server:
        yield server, token


@contextlib.contextmanager
def running_instructor_voila(site: Path, token: str, log_path: Path, timeout: float = 90.0):
    """The instructors' Voila on `site` (as `hoctap serve` starts it, behind the Lab's `token`), on a free port: yields
    the server once it answers, its log's tail in the error if it does not; stopped by PID."""
    from hoctap.serve.servers import start_instructor

    with _ready(lambda log: start_instructor(site, "127.0.0.1", pick_free_port(), token, log), log_path, timeout) as s:
        yield s


@contextlib.contextmanager
def _ready(start, log_path: Path, timeout: float):
    from hoctap.serve import stop, wait_ready

    with open(log_path, "wb") as log:
        server = start(log)
    try:
        try:
            wait_ready(server, timeout)
        except Exception as error:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise AssertionError(f"{error}\n--- {log_path} ---\n{tail}") from None
        yield server
    finally:
        stop(server)
