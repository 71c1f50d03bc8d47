"""Shared fixtures: free ports, learner Voila servers on a folder, Debian Chromium through Playwright, a page
that records where it connects, and a throwaway PostgreSQL server with a fresh database per test.

Like voila's own tests/app/conftest.py, each fixture is an override point: a test module can redefine
`free_port` or `browser` and everything built on it follows.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hoctap.serve import stop
from hoctap.serve.servers import Server, start_learner, wait_ready
from tests import postgres
from tests.servers import pick_free_port

CHROMIUM = "/usr/bin/chromium"
PAGE_TIMEOUT_MS = 30_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def free_port() -> int:
    """A free TCP port on 127.0.0.1, chosen by the OS."""
    return pick_free_port()


def _voila_factory(log_dir: Path) -> Callable[..., str]:
    started: list[Server] = []

    def start(folder: Path, timeout: float = 60.0) -> str:
        port = pick_free_port()
        log_path = log_dir / f"voila-{port}.log"
        with open(log_path, "wb") as log:
            server = start_learner(folder, "127.0.0.1", port, output=log)
        started.append(server)
        try:
            wait_ready(server, timeout)
        except Exception as error:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise AssertionError(f"{error}\n--- {log_path} ---\n{tail}") from None
        return server.local_url

    start.servers = started  # tests that need the process (PIDs, kernels) look here
    return start


def _stop_all(start: Callable[..., str]) -> None:
    for server in reversed(start.servers):
        stop(server)


@pytest.fixture
def voila_server(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Factory: `voila_server(folder)` starts the learner Voila (hoctap.serve.servers.start_learner) on a free port,
    waits until it answers and returns its base URL ("http://127.0.0.1:PORT/"). Every server started is
    stopped at teardown by PID and process group, kernels included. Its log is `tmp_path/voila-PORT.log`,
    quoted in the error when it fails to start."""
    start = _voila_factory(tmp_path)
    yield start
    _stop_all(start)


@pytest.fixture(scope="module")
def voila_server_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """`voila_server` shared by a test module (one server start for many page loads)."""
    start = _voila_factory(tmp_path_factory.mktemp("voila"))
    yield start
    _stop_all(start)


@pytest.fixture(scope="session")
def browser():
    """Debian Chromium driven by Playwright (sync API). Skips when /usr/bin/chromium is missing, unless
    HOCTAP_REQUIRE_BROWSER=1, which turns the skip into a failure (CI on a machine meant to have it)."""
    required = os.environ.get("HOCTAP_REQUIRE_BROWSER") == "1"
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: apt-get install chromium (browser tests need Debian's Chromium)"
        if required:
            pytest.fail(f"HOCTAP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        if required:
            pytest.fail(f"HOCTAP_REQUIRE_BROWSER=1 but playwright cannot be imported: {error}")
        pytest.skip(f"playwright is not installed: {error}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (own browser context) recording in `page.requested` every request and websocket it opens,
    and in `page.errors` every script or console error (a 404, a lab extension failing to load); check both
    with `tests.servers.assert_offline(page)`."""
    context = browser.new_context()
    yield recording(context.new_page())
    context.close()


def recording(page):
    """`page` recording its requests and websockets in `page.requested`, its script and console errors in
    `page.errors`, with the suite's default timeout."""
    page.requested = []
    page.errors = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.on("websocket", lambda socket: page.requested.append(socket.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL server for the session (tests/postgres.py), started on first use only: initdb and pg_ctl from
    Debian's /usr/lib/postgresql/*/bin on a free port of 127.0.0.1, stopped and removed at the session's end; or the
    server of `HOCTAP_TEST_PG_URL` when set. Skips when none can be started (no binaries: `apt-get install
    postgresql`), unless HOCTAP_REQUIRE_PG=1, which turns the skip into a failure (CI, which installs it)."""
    required = os.environ.get("HOCTAP_REQUIRE_PG") == "1"
    try:
        server = postgres.start()
    except Exception as error:
        reason = f"no PostgreSQL server for the tests: {type(error).__name__}: {error}"
        if required:
            pytest.fail(f"HOCTAP_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(request, postgres_server) -> str:
    """A brand-new empty database on `postgres_server`, named after the test (`t<pid>_<n>_<test name>`), as a
    SQLAlchemy URL: `postgresql+psycopg2://postgres@127.0.0.1:PORT/<name>`."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    return postgres_server.new_database(f"t{os.getpid()}_{next(_database_numbers)}_{slug}"[:63])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], ids=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A gradebook URL on each backend, the test running once per backend: `sqlite:///<tmp_path>/gradebook.db`
    (no file yet), or a fresh PostgreSQL database (`pg_url`, the server started only for this param). Deselect the
    PostgreSQL runs with `-m "not postgres"`."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/gradebook.db"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def progress_kit(tmp_path_factory):
    """A real gradebook (SQLite) of 30 learners, two topics and about a hundred graded attempts, built once per
    session through the kit's own submit-and-grade path (tests/progress_kit.py): the progress tables', the
    reports' and the dashboard's tests share it. Read-only for them: a test that changes it must build its own.
    Its `home` is a kit folder: set HOCTAP_HOME to it where the code under test reads topics or the gradebook."""
    from hoctap.course.database import engine_for
    from tests.progress_kit import build_progress_kit

    home = tmp_path_factory.mktemp("progress-kit")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOCTAP_HOME", str(home))
        kit = build_progress_kit(home)
    kit.engine = engine_for(kit.course.db_url)
    return kit
