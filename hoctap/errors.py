"""Every error the kit raises on purpose: one base class, one line each, naming where and how to fix."""

from __future__ import annotations


class HoctapError(Exception):
    """Base of the kit's own errors; the CLI prints these as one line and exits non-zero."""


class SpecError(HoctapError):
    """A topic spec is malformed: carries the file, line and field of each problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class SourceError(HoctapError):
    """The source document is missing or is not the one the spec names."""


class BuildError(HoctapError):
    """Generated files differ from what the spec produces, or cannot be written."""


class ServeError(HoctapError):
    """A server could not be started (port taken, missing executable)."""


class CourseError(HoctapError):
    """The nbgrader course cannot do what was asked (missing source notebook, nbgrader failed, no alembic)."""


class RosterError(SpecError):
    """A roster file (or the access-codes file beside it) has problems: one `FILE:ROW: column: message` each."""


class GradebookError(HoctapError):
    """The gradebook database cannot be opened, created or written (URL, driver, `alembic` on PATH)."""


class SessionError(HoctapError):
    """A live study session refuses what was asked (wrong or closed code, closed question, bad answer)."""


class AttendanceListError(SpecError):
    """A signed attendance list (CSV/XLSX) has problems: one `FILE:ROW: column: message` each; nothing was marked."""


class Problem:
    """One problem in one file: printed as `FILE:LINE: field.path: message`."""

    __slots__ = ("file", "line", "field", "message")

    def __init__(self, file: str, line: int | None, field: str, message: str):
        self.file = file
        self.line = line
        self.field = field or "(tệp)"
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}:{self.line or 1}: {self.field}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"
