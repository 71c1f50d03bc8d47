"""What a learner may do and what they did: the portal, attempts and their windows, answers, responses.

In: a learner's requests (the quiz app, answers typed from paper), the released notebooks (no key), the gradebook.
Out: attempts in the database — started, drafted, submitted with their answers in one step — each rule enforced on
the server (assigned, open, attempts left, time limit, ownership); the grader's queue; the learner's results and
evaluations. Open `portal.py` first; it leans on SQLAlchemy only (no pandas, no nbgrader: learners' kernels load it)."""

from hoctap import lazy_surface

SURFACE = {
    "submit_paper_file": "paper",
    "Portal": "portal",
    "Learner": "portal",
    "Offer": "portal",
    "Sitting": "portal",
    "RefusedError": "refusal",
    "release_metadata": "meta",
    "Attempt": "table",
    "Attempts": "table",
    "attempt_table": "table",
    "create_tables": "table",
    "standing_table": "standing",
    "standing_sums": "standing",
    "rebuild_standing": "standing",
    "standing_differences": "standing",
    "OPEN": "table",
    "SUBMITTED": "table",
    "GRADING": "table",
    "GRADED": "table",
    "FAILED": "table",
    "EXPIRED": "table",
    "State": "windows",
    "Evaluation": "evaluation",
    "rating_label": "evaluation",
    "MAX_COMMITMENT": "answers",
    "fill_commitment": "answers",
    "fill_quiz": "answers",
    "quiz_answers": "answers",
    "timestamp_text": "answers",
    "attempt_folder": "storage",
    "result_path": "storage",
    "now_utc": "storage",
    "response_table": "responses",
    "response_rows": "responses",
    "record": "responses",
    "create_response_tables": "responses",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
