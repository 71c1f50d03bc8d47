"""The instructor's grading screen for commitments (`notebooks/instructor/grading.ipynb`), in Vietnamese.

In: a course (its root folder, its gradebook); `hoctap.grading` reads what waits and saves ratings.
Out: `grading_app` and its `GradingApp`; the state (`GradingState`) for the tests.

`app` draws, `state` holds the list, the one on screen and the holds, `keys` is the keyboard shortcuts' script.
"""

from .app import GradingApp, grading_app
from .state import GradingState

__all__ = ["GradingApp", "GradingState", "grading_app"]
