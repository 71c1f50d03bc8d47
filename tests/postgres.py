"""A throwaway PostgreSQL server for the test session, started from Debian's binaries (`apt-get install postgresql`).

    server = start()                        # initdb + pg_ctl start in a temp dir, on a free port of 127.0.0.1
    url = server.new_database("t_roster")   # "postgresql+psycopg2://postgres@127.0.0.1:PORT/t_roster", empty
    server.stop()                           # pg_ctl stop -m immediate (kill by PID as a fallback), dir removed

`HOCTAP_TEST_PG_URL` (an existing server's URL; its database part is ignored) makes `start()` use that server
instead: each `new_database` is created there, and dropped again by `stop()`.

As root the server runs as the `postgres` user (PostgreSQL refuses to run as root): its folder is made under /tmp
(traversable by anyone) and given to `postgres`. Not as root, it runs as the current user. The cluster's superuser is
`postgres` either way, with trust authentication (initdb `-A trust`): the server listens on 127.0.0.1 only and lives
as long as the test session. Durability is switched off (`fsync=off`...): nothing here needs to survive a crash.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import make_url

from tests.servers import pick_free_port

ENV_URL = "HOCTAP_TEST_PG_URL"
SUPERUSER = "postgres"
DEFAULT_PORT = 5432  # a machine's own PostgreSQL may be there: never used
START_TIMEOUT_S = 60
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    """The server could not be started (the message quotes the command and its output or the server's log)."""


def find_initdb() -> Path | None:
    """The newest Debian PostgreSQL's initdb (`/usr/lib/postgresql/<major>/bin/initdb`), or None."""
    found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb") if os.access(p, os.X_OK)]

    def major(path: Path) -> tuple[int, str]:
        version = path.parent.parent.name
        return (int(version), version) if version.isdigit() else (-1, version)

    return max(found, key=major) if found else None


class PostgresServer:
    """A server the tests may create databases on: `new_database(name)` returns a SQLAlchemy URL."""

    def __init__(self, host: str, port: int, user: str = SUPERUSER, password: str | None = None):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.created: list[str] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.host}:{self.port})"

    def url(self, database: str) -> str:
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return make_url(f"postgresql+psycopg2://{auth}@{self.host}:{self.port}/{database}").render_as_string(
            hide_password=False
        )

    def connect(self, database: str = "postgres"):
        """A psycopg2 connection in autocommit mode (CREATE/DROP DATABASE refuse to run in a transaction)."""
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=database, connect_timeout=10
        )
        connection.autocommit = True
        return connection

    def new_database(self, name: str) -> str:
        """CREATE DATABASE `name` (lower-case letters, digits, `_`; at most 63) and return its URL."""
        from psycopg2 import sql

        if not DATABASE_NAME.match(name):
            raise ValueError(f"{name!r}: a database name here is [a-z_][a-z0-9_]*, at most 63 characters")
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))
        finally:
            connection.close()
        self.created.append(name)
        return self.url(name)

    def stop(self) -> None:
        """An existing server is left running: only the databases the tests created are dropped."""
        from psycopg2 import sql

        if not self.created:
            return
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                for name in self.created:
                    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        finally:
            connection.close()
            self.created = []


class ThrowawayServer(PostgresServer):
    """A server of our own in `folder` (data/, sock/, postgres.log), run by `run_as` (None: the current user)."""

    def __init__(self, bin_dir: Path, folder: Path, port: int, run_as: str | None):
        super().__init__("127.0.0.1", port)
        self.bin_dir, self.folder, self.run_as = bin_dir, folder, run_as
        self.data, self.sockets, self.log = folder / "data", folder / "sock", folder / "postgres.log"
        self.stopped = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.host}:{self.port}, {self.folder})"

    def command(self, program: str, *args: str) -> list[str]:
        argv = [str(self.bin_dir / program), *args]
        if self.run_as is None:
            return argv
        if shutil.which("runuser"):
            return ["runuser", "-u", self.run_as, "--", *argv]
        return ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(argv)]

    def run(self, program: str, *args: str, timeout: float = START_TIMEOUT_S) -> subprocess.CompletedProcess:
        # cwd: the server's own folder, which its user can reach (initdb and pg_ctl fail in a cwd they cannot read).
        argv = self.command(program, *args)
        try:
            done = subprocess.run(
                argv, cwd=self.folder, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise PostgresError(f"{shlex.join(argv)}: no answer in {timeout:.0f} s{self.log_tail()}") from None
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()[-3000:]
            raise PostgresError(f"{shlex.join(argv)} exited {done.returncode}:\n{output}{self.log_tail()}")
        return done

    def log_tail(self) -> str:
        try:
            return f"\n--- {self.log} ---\n" + self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")

    def start(self) -> None:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-c unix_socket_directories={self.sockets}",
                "-c fsync=off",
                "-c full_page_writes=off",
                "-c synchronous_commit=off",
                "-c max_connections=200",
            ]
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-o",
            options,
            "start",
        )

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """pg_ctl stop -m immediate; the postmaster is killed by PID when that fails. The folder is removed."""
        if self.stopped:
            return
        self.stopped = True
        pid = self.postmaster_pid()
        try:
            if pid is not None:
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop", timeout=40)
        except (PostgresError, OSError):
            _kill(pid)
        finally:
            _wait_gone(pid)
            shutil.rmtree(self.folder, ignore_errors=True)


def _kill(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)  # its backends notice the postmaster is gone and exit
    except ProcessLookupError:
        pass


def _wait_gone(pid: int | None, timeout: float = 10.0) -> None:
    if pid is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # another user's process: still there
            pass
        time.sleep(0.05)
    _kill(pid)


def _owner() -> str | None:
    """Who runs the server: `postgres` when we are root (PostgreSQL refuses root), else the current user (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresError(
            f"running as root but there is no `{SUPERUSER}` user to run PostgreSQL: apt-get install postgresql"
        ) from None
    return SUPERUSER


def start_throwaway(initdb: Path, attempts: int = 3) -> ThrowawayServer:
    """initdb and start a server in a new folder under /tmp on a free port (a port taken meanwhile: another)."""
    run_as = _owner()
    folder = Path(tempfile.mkdtemp(prefix="hoctap-pg-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        (folder / "sock").mkdir()
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            for path in (folder, folder / "sock"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        server = ThrowawayServer(initdb.parent, folder, 0, run_as)
        server.init()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    error: PostgresError | None = None
    for _ in range(attempts):
        server.port = _free_port()
        try:
            server.start()
        except PostgresError as failed:
            error = failed
            _kill(server.postmaster_pid())
            continue
        atexit.register(server.stop)  # a session that dies before its teardown still stops the server
        return server
    shutil.rmtree(folder, ignore_errors=True)
    raise error  # type: ignore[misc]


def _free_port() -> int:
    while True:
        port = pick_free_port()
        if port != DEFAULT_PORT:
            return port


def start() -> PostgresServer:
    """The server for the session: `HOCTAP_TEST_PG_URL`'s when set, else a throwaway one (PostgresError when
    initdb is missing or the server fails to start)."""
    given = os.environ.get(ENV_URL)
    if given:
        url = make_url(given)
        return PostgresServer(
            url.host or "127.0.0.1", url.port or DEFAULT_PORT, url.username or SUPERUSER, url.password
        )
    initdb = find_initdb()
    if initdb is None:
        raise PostgresError("no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql")
    return start_throwaway(initdb)
