"""The nbgrader course: its folders and settings, the gradebook, the roster and the learners' access codes.

In: a course folder (`assessments/`), a gradebook URL (SQLite or PostgreSQL), roster files. Out: `Course` (one object
owns the layout and nbgrader's config, like nbgrader's coursedir), engines on the gradebook, nbgrader's tables and
the kit's (`hoctap_learner`), imported learners with hashed codes. Open `course.py` first; it leans on nbgrader and
SQLAlchemy."""

from hoctap import lazy_surface

SURFACE = {
    "release_course": "release",
    "existing_gradebook": "release",
    "Course": "course",
    "course_at": "course",
    "course_for": "course",
    "save_gradebook_url": "course",
    "TEXT_STUB": "course",
    "COURSE_ID": "nbgrader_tables",
    "engine_for": "database",
    "create_missing": "database",
    "add_missing_columns": "database",
    "assignment": "nbgrader_tables",
    "base_cell": "nbgrader_tables",
    "comment": "nbgrader_tables",
    "grade": "nbgrader_tables",
    "grade_cells": "nbgrader_tables",
    "student": "nbgrader_tables",
    "submitted_assignment": "nbgrader_tables",
    "submitted_notebook": "nbgrader_tables",
    "learner": "tables",
    "safe_url": "tables",
    "verify_code": "access",
    "new_code": "access",
    "hash_code": "access",
    "code_matches": "access",
    "import_file": "roster_import",
    "roles_from_topics": "roster",
    # a signed attendance list (hoctap.sessions) is read with the roster's file checks
    "text_rows": "roster_files",
    "excel_rows": "roster_files",
    "check_encoding": "roster_files",
    "ROSTER_HEADERS": "roster_format",
    "ROSTER_TEXT_SUFFIXES": "roster_format",
    "ROSTER_EXCEL_SUFFIXES": "roster_format",
    "ROSTER_HEADER_ROWS": "roster_format",
    "ROSTER_MAX_PROBLEMS": "roster_format",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
