"""The instructor's dashboard (`notebooks/instructor/progress.ipynb`): learners' progress with filters, counters,
charts, tables and downloads. It imports pandas: only the instructor's kernel loads it, never the learner's app.

In: a course (its root folder, its gradebook) and the topics with assessments; `hoctap.progress` computes the tables.
Out: `progress_app` and its `ProgressApp`; the state (`ProgressState`, `Counters`, `TABS`, `ALL`, `gradebook_engine`)
and `readable` (ids in words) for the tests.

`app` draws (with `charts`), `state` chooses and caches the tables, `counters` writes the figures, `messages` the
errors; `table` is the table component every tab holds.
"""

from .app import ProgressApp, progress_app, readable
from .counters import Counters
from .state import ALL, TABS, ProgressState, gradebook_engine

__all__ = ["ALL", "TABS", "Counters", "ProgressApp", "ProgressState", "gradebook_engine", "progress_app", "readable"]
