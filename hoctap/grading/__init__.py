"""Submitted attempts → grades, exactly once: the grader, its warm kernel, the hidden tests' check.

In: the attempts table (the queue), the release notebooks, the stored answers. Out: nbgrader's gradebook holding the
attempt that counts, the learner's result (in the attempt's row), nbgrader's feedback page made safe, each
attempt's responses for item analysis. Open `grader.py` first; it leans on nbgrader's Python API."""

from hoctap import lazy_surface

SURFACE = {
    "Grader": "grader",
    "GradingPageExporter": "exporters",
    "FORMGRADER_STAND_INS": "exporters",
    "FeedbackExporter": "exporters",
    "WarmExecute": "warm_kernel",
    "check_slot": "check",
    "Commitment": "by_hand",
    "Submission": "by_hand",
    "GradedMeanwhile": "by_hand",
    "commitments": "by_hand",
    "submissions": "by_hand",
    "reload_submission": "by_hand",
    "save_rating": "by_hand",
    "unit_counts": "by_hand",
    "when_text": "by_hand",
    "HOLD_MINUTES": "holds",
    "ensure_hold_table": "holds",
    "take_hold": "holds",
    "release_hold": "holds",
    "holds_of": "holds",
    "holder": "holds",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
