"""nbgrader's settings for the instructors' JupyterLab (formgrader), found on its JUPYTER_CONFIG_PATH (`lab_env`, and
the hub's spawner): the kit's course on the kit's gradebook — HOCTAP_DB_URL, or `var/gradebook-url` — so that
formgrader grades in the database the learners' attempts are in, PostgreSQL included (nbgrader's own default is a
SQLite file in the course folder). Every setting comes from `hoctap.course.Course.nbgrader_config()`."""

from hoctap.course import course_for
from hoctap.topic import layout

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
c.merge(course_for(layout()).nbgrader_config())
