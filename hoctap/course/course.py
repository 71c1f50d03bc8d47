"""The nbgrader course: its folders, its gradebook and its settings, owned by one object (like nbgrader's coursedir).

`Course(root)` is the course root (`assessments/` of the kit, or a test's temp dir). Every setting the kit gives
nbgrader comes from `Course.nbgrader_config()`; `assessments/nbgrader_config.py` loads the same settings for
people who run the `nbgrader` command or formgrader inside `assessments/`, so there is one source of truth.

    course = course_for(layout())
    course.ensure_db(topic.assessments, topic.timezone)   # once, serially, before graders run in parallel
    course.release("2021-kiem-tra-noi-dung-1")            # nbgrader generate_assignment, through its Python API
    course.api().autograde("2021-kiem-tra-noi-dung-1", "hv-001")

nbgrader itself is imported only when a method needs it: building notebooks does not pay for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from traitlets.config import Config

from hoctap.errors import CourseError

from .nbgrader_tables import COURSE_ID

if TYPE_CHECKING:  # pragma: no cover
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    from hoctap.topic import Assessment, Layout

# What a learner sees in the commitment cell of the release (nbgrader's ClearSolutions.text_stub): the source holds
# the same words between `### BEGIN SOLUTION` and `### END SOLUTION`. An unchanged cell scores 0 without a grader.
TEXT_STUB = "(Học viên viết bản cam kết ở đây.)"
EXECUTE_TIMEOUT = 30  # seconds a cell of a submission may run while autograding
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class Course:
    """One nbgrader course rooted at `root`; `db_url` defaults to `sqlite:///<root>/gradebook.db`."""

    def __init__(self, root: str | Path, db_url: str | None = None):
        self.root = Path(root).resolve()
        self._db_url = db_url

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r}, db_url={self.db_url!r})"

    # ------------------------------------------------------------------ layout (nbgrader's default structure)
    @property
    def db_url(self) -> str:
        return self._db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    def source_notebook(self, assignment_id: str) -> Path:
        """`source/<id>/<id>.ipynb`: one notebook per assessment, named like it."""
        return self.source / assignment_id / f"{assignment_id}.ipynb"

    def release_notebook(self, assignment_id: str) -> Path:
        return self.release_dir / assignment_id / f"{assignment_id}.ipynb"

    def submission_dir(self, student_id: str, assignment_id: str) -> Path:
        """`submitted/<student>/<assignment>/`: the notebook and `timestamp.txt` go here."""
        return self.submitted / student_id / assignment_id

    def autograded_notebook(self, student_id: str, assignment_id: str) -> Path:
        return self.autograded / student_id / assignment_id / f"{assignment_id}.ipynb"

    def feedback_html(self, student_id: str, assignment_id: str) -> Path:
        return self.feedback / student_id / assignment_id / f"{assignment_id}.html"

    # ------------------------------------------------------------------ nbgrader
    def nbgrader_config(self, warm: bool = False) -> Config:
        """Every setting the kit gives nbgrader (a fresh traitlets Config each call).

        `warm=True` (the grader) runs submissions on a kernel kept warm between them (hoctap.grading.warm_kernel)."""
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, GetGrades

        c = Config()
        c.CourseDirectory.root = str(self.root)
        c.CourseDirectory.db_url = self.db_url
        # A non-empty course id: nbgrader inserts the course row only for one, and PostgreSQL enforces the
        # assignment → course foreign key that SQLite ignores.
        c.CourseDirectory.course_id = COURSE_ID
        c.ClearSolutions.text_stub = TEXT_STUB
        c.Execute.timeout = EXECUTE_TIMEOUT
        # A deleted test cell is put back and run; it lands before its answer cell and fails, so deleting one never
        # earns a point and never leaves a grade waiting for a human.
        c.OverwriteCells.add_missing_cells = True
        # nbgrader's feedback shows the autograded notebook as is: hidden tests, and tracebacks that quote the line
        # holding the key. Feedback keeps each cell's score and drops both (a quiz has no other output to show).
        c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ClearOutput, CSSHTMLHeaderPreprocessor]
        # The feedback page is a file people open from disk: learners' words as text, the page cut to an allow-list.
        c.GenerateFeedback.exporter_class = "hoctap.grading.exporters.FeedbackExporter"
        c.NbGraderAPI.timezone = DEFAULT_TIMEZONE
        if warm:
            from nbconvert.preprocessors import ClearMetadataPreprocessor
            from nbgrader.preprocessors import (
                AssignLatePenalties,
                CheckCellMetadata,
                IgnorePattern,
                LimitOutput,
                SaveAutoGrades,
            )

            from hoctap.grading import WarmExecute

            # nbgrader's own list (nbgrader/converters/autograde.py) with Execute swapped for WarmExecute.
            c.Autograde.autograde_preprocessors = [
                WarmExecute,
                IgnorePattern,
                ClearMetadataPreprocessor,
                LimitOutput,
                SaveAutoGrades,
                AssignLatePenalties,
                CheckCellMetadata,
            ]
        return c

    def api(self, warm: bool = False) -> NbGraderAPI:
        """nbgrader's Python API bound to this course (its methods return {"success", "error", "log"})."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = self.nbgrader_config(warm)
        with _alembic_on_path():
            return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def gradebook(self) -> Gradebook:
        """nbgrader's Gradebook on this course's database (use as a context manager: it must be closed)."""
        from nbgrader.api import Gradebook

        with _alembic_on_path():
            return Gradebook(self.db_url, COURSE_ID)

    def ensure_db(self, assessments: Iterable[Assessment], timezone: str = DEFAULT_TIMEZONE) -> None:
        """Create the gradebook if it is missing and every assessment as an nbgrader assignment with its due date.

        Run once, serially, before parallel graders: creating nbgrader's tables is not safe to race. Idempotent:
        a changed due date is updated.
        """
        from .database import engine_for
        from .tables import ensure_indexes

        self.root.mkdir(parents=True, exist_ok=True)
        with _serial(self.db_url):
            with self.gradebook() as gb:
                for assessment in assessments:
                    gb.update_or_create_assignment(assessment.id, duedate=due_utc(assessment.due, timezone))
            # The indexes nbgrader's schema lacks (progress queries, `nbgrader export`: 359 s → 13.5 s at 2,000
            # learners × 10 assessments): every course path passes here before grading, the gradebook now exists.
            ensure_indexes(engine_for(self.db_url))

    def serial(self):
        """Hold the gradebook's release lock (`_serial`) across a whole release: made, released, tables added."""
        return _serial(self.db_url)

    def release(self, assignment_id: str) -> dict[str, Any]:
        """`nbgrader generate_assignment` for one assessment: source → release, cells and key into the gradebook.

        Returns nbgrader's result dict; raises CourseError (one line, naming the fix) when it fails.
        """
        source = self.source_notebook(assignment_id)
        if not source.is_file():
            raise CourseError(f"{source}: không có notebook nguồn của bài '{assignment_id}'; chạy `hoctap build`")
        with _alembic_on_path():  # the first release may be what creates the gradebook
            result = self.api().generate_assignment(assignment_id, force=True, create=True)
        if not result.get("success"):
            raise CourseError(
                f"{source}: nbgrader generate_assignment thất bại: {_last_line(result)}; xem nhật ký với "
                f"`nbgrader generate_assignment {assignment_id} --force` trong {self.root}"
            )
        return result


GRADEBOOK_URL_FILE = Path("var") / "gradebook-url"  # beside assessments/: the gradebook's URL when not SQLite


def course_at(root: str | Path) -> Course:
    """The course rooted at `root`. Its gradebook is `HOCTAP_DB_URL` when set (`postgresql+psycopg2://…`), else the
    URL in `<kit>/var/gradebook-url` when that file exists, else SQLite inside `root`. The file is how the learner
    server's kernels find a PostgreSQL gradebook: their environment carries no variable that looks like a secret
    (`serve.learner_env`), and `hoctap serve` writes the file (mode 0600) from HOCTAP_DB_URL."""
    url = os.environ.get("HOCTAP_DB_URL")
    if not url:
        saved = Path(root).resolve().parent / GRADEBOOK_URL_FILE
        url = saved.read_text(encoding="utf-8").strip() if saved.is_file() else None
    return Course(root, url or None)


def save_gradebook_url(kit_root: Path, db_url: str) -> Path:
    """Write the gradebook URL where learner kernels look for it (owner-only: it may hold a password)."""
    path = kit_root / GRADEBOOK_URL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(db_url + "\n")
    tmp.replace(path)
    return path


def course_for(where: Layout) -> Course:
    """The course of a kit installation: its `assessments/` folder (SQLite gradebook inside unless HOCTAP_DB_URL)."""
    return course_at(where.assessments)


def due_utc(when: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> dt.datetime:
    """A spec time (local to `timezone` unless it names its own) as the naive UTC nbgrader stores."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def _last_line(result: dict[str, Any]) -> str:
    for text in (result.get("error"), result.get("log")):
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if lines:
            return lines[-1]
    return "không rõ lỗi"


@contextlib.contextmanager
def _alembic_on_path() -> Iterator[None]:
    """nbgrader's Gradebook runs `alembic` from PATH when it creates a database: use the one beside this Python."""
    if shutil.which("alembic"):
        yield
        return
    here = str(Path(sys.executable).parent)
    if not (Path(here) / "alembic").exists():
        raise CourseError(
            f"không tìm thấy lệnh `alembic` mà nbgrader cần để tạo gradebook; đặt {here} đầu PATH hoặc "
            "chạy `pip install alembic`"
        )
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = here + os.pathsep + old
    try:
        yield
    finally:
        os.environ["PATH"] = old


_HELD: set[tuple[str, int]] = set()  # (database, thread) pairs holding the lock: `_serial` nests without deadlock
RELEASE_LOCK_KEY = int.from_bytes(hashlib.sha256(b"hoctap course release").digest()[:8], "big") >> 1  # a bigint


@contextlib.contextmanager
def _serial(db_url: str) -> Iterator[None]:
    """An exclusive lock per database while the gradebook is made and assessments are released (nbgrader's table
    creation and `generate_assignment` are not safe to race). PostgreSQL: a session advisory lock, which holds between
    machines (three machines releasing into one database at once failed without it: a duplicate `pg_type` key, then
    nbgrader's own errors). SQLite: a file lock in the temp dir, between processes of this machine (POSIX); the
    course folder gets no runtime file. Nested calls in one thread hold the lock once."""
    key = (db_url, threading.get_ident())
    if key in _HELD:
        yield
        return
    holder = _postgres_lock if db_url.startswith("postgresql") else _file_lock
    with holder(db_url):
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)


@contextlib.contextmanager
def _postgres_lock(db_url: str) -> Iterator[None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as db:
            db.execute(text("SELECT pg_advisory_lock(:key)"), {"key": RELEASE_LOCK_KEY})
            try:
                yield
            finally:
                db.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RELEASE_LOCK_KEY})
    finally:
        engine.dispose()


@contextlib.contextmanager
def _file_lock(db_url: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: callers keep to one process themselves
        yield
        return
    name = hashlib.sha256(db_url.encode("utf-8")).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"hoctap-gradebook-{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
