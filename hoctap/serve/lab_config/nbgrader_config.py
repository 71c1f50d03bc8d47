"""nbgrader's settings for the instructors' JupyterLab (formgrader), found on its JUPYTER_CONFIG_PATH (`lab_env`, and
the hub's spawner): the kit's course on the kit's gradebook — HOCTAP_DB_URL, or `var/gradebook-url` — so that
formgrader grades in the database the learners' attempts are in, PostgreSQL included (nbgrader's own default is a
SQLite file in the course folder). Every setting comes from `hoctap.course.Course.nbgrader_config()`.

The exchange, made true for formgrader. nbgrader's formgrader calls an assessment "released" only when its folder
stands in the exchange's outbound (`<exchange>/<course>/outbound/<assessment>`), and warns that "the exchange
directory … does not exist" when the exchange root (nbgrader's default `/usr/local/share/nbgrader/exchange`) is
missing. The kit hands assessments out through its own portal, never through the exchange, so every assessment
showed as "draft" under a warning. Here the exchange is the kit's `var/nbgrader-exchange/` (runtime state, like the
rest of `var/`), and each assessment the kit released (`<course>/release/<id>/`) stands in its outbound as a link to
that folder, a link whose folder is gone being removed: formgrader's status follows the kit's release, whichever way
it was made (`hoctap course release`, or `Course.release` in tests). formgrader loads this file again at every API
call, so the work is a few `stat`s once the links exist.
"""

import os
from pathlib import Path

from hoctap.course import COURSE_ID, course_for
from hoctap.topic import layout

EXCHANGE = Path("var") / "nbgrader-exchange"  # under the kit's root, writable by the instructors' server


def mark_released(root: Path, release_dir: Path) -> Path:
    """The exchange root `root`, with an outbound link for each released assessment (made once, kept while its
    folder stands)."""
    outbound = root / COURSE_ID / "outbound"
    try:
        outbound.mkdir(parents=True, exist_ok=True)
        for link in outbound.iterdir():
            if link.is_symlink() and not link.exists():  # the assessment's release folder was removed
                link.unlink()
        for released in release_dir.iterdir() if release_dir.is_dir() else ():
            link = outbound / released.name
            if released.is_dir() and not os.path.lexists(link):
                link.symlink_to(released.resolve(), target_is_directory=True)
    except OSError:
        pass  # a read-only course: formgrader shows its own warning, as before
    return root


c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
_kit = layout()
_course = course_for(_kit)
c.merge(_course.nbgrader_config())
c.Exchange.root = str(mark_released(_kit.root / EXCHANGE, _course.release_dir))
