"""`hoctap course release`: the gradebook made (nbgrader's tables and the kit's, once, serially, before learners'
kernels and graders start) and each assessment released through nbgrader's `generate_assignment`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from hoctap.errors import HoctapError

from .course import Course
from .database import engine_for
from .tables import safe_url


def release_course(course: Course, topics: Iterable, wanted: Iterable[str] = ()) -> Iterator[str]:
    """Release the assessments of `topics` (all, or those whose id is in `wanted`), yielding each id once released."""
    from hoctap.attempts import create_response_tables, create_tables  # the kit's tables live with the attempts

    chosen = set(wanted)
    # One release at a time per gradebook, whichever machine runs it (several machines, each building its own course
    # folder from the spec, may release into one PostgreSQL at the same moment).
    with course.serial():
        for topic in topics:
            assessments = [a for a in topic.assessments if not chosen or a.id in chosen]
            course.ensure_db(assessments, topic.timezone)
            for assessment in assessments:
                course.release(assessment.id)
                yield assessment.id
        engine = engine_for(course.db_url)
        create_tables(engine)
        create_response_tables(engine)


def existing_gradebook(course: Course):
    """An engine on the course's gradebook, or one line saying to release the course first (a missing SQLite file
    would otherwise be created empty)."""
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url.removeprefix("sqlite:///")).is_file():
        raise HoctapError(f"chưa có gradebook {safe_url(course.db_url)}; chạy `hoctap course release` trước")
    return engine_for(course.db_url)
