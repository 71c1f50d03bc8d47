"""Submitted attempts → grades, exactly once: the grader, its warm kernel, the hidden tests' check.

In: the attempts table (the queue), the release notebooks, the stored answers. Out: nbgrader's gradebook holding the
attempt that counts, the learner's result (in the attempt's row), nbgrader's feedback page made safe, each
attempt's responses for item analysis. Open `grader.py` first; it leans on nbgrader's Python API."""

from hoctap import lazy_surface

SURFACE = {
    "Grader": "grader",
    "GradingPageExporter": "exporters",
    "FeedbackExporter": "exporters",
    "WarmExecute": "warm_kernel",
    "check_slot": "check",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
