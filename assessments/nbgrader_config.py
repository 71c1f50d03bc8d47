"""nbgrader settings for this course, for `nbgrader …` and formgrader run inside this folder.

Every setting comes from `hoctap.course.Course.nbgrader_config()`: change it there, not here.
"""

from pathlib import Path

from hoctap.course import course_at

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
c.merge(course_at(Path(__file__).resolve().parent).nbgrader_config())
