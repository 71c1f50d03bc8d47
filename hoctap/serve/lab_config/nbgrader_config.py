"""nbgrader's settings for the instructors' JupyterLab (formgrader), found on its JUPYTER_CONFIG_PATH (`lab_env`, and
the hub's spawner): the kit's course on the kit's gradebook — HOCTAP_DB_URL, or `var/gradebook-url` — so that
formgrader grades in the database the learners' attempts are in, PostgreSQL included (nbgrader's own default is a
SQLite file in the course folder). Every setting comes from `hoctap.course.Course.nbgrader_config()`.

The exchange, made true for formgrader. nbgrader's formgrader calls an assessment "released" only when its folder
stands in the exchange's outbound (`<exchange>/<course>/outbound/<assessment>`), and warns that "the exchange
directory … does not exist" when the exchange root (nbgrader's default `/usr/local/share/nbgrader/exchange`) is
missing. The kit hands assessments out through its own portal, never through the exchange, so every assessment
showed as "draft" under a warning. Here the exchange is the course's own `exchange/` folder, and each assessment the
kit released (`release/<id>/`) stands in its outbound as a link to that folder: formgrader's status follows the
kit's release, whichever way it was made (`hoctap course release`, or `Course.release` in tests). formgrader loads
this file again at every API call, so the work is a few `stat`s once the links exist.
"""

import os
from pathlib import Path

from hoctap.course import COURSE_ID, course_for
from hoctap.topic import layout

EXCHANGE = "exchange"  # under the course root: writable by the instructors' server, moved with the course


def mark_released(course_root: Path, release_dir: Path) -> Path:
    """The exchange root, with an outbound link for each released assessment (made once, kept if it exists)."""
    root = course_root / EXCHANGE
    outbound = root / COURSE_ID / "outbound"
    try:
        outbound.mkdir(parents=True, exist_ok=True)
        for released in release_dir.iterdir() if release_dir.is_dir() else ():
            link = outbound / released.name
            if released.is_dir() and not os.path.lexists(link):
                link.symlink_to(released.resolve(), target_is_directory=True)
    except OSError:
        pass  # a read-only course: formgrader shows its own warning, as before
    return root


c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
_course = course_for(layout())
c.merge(_course.nbgrader_config())
c.Exchange.root = str(mark_released(_course.root, _course.release_dir))
