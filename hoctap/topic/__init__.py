"""The topic spec: what a year's topic says, checked against its source document.

In: `data/topics/<year>-<slug>.yaml` and the source text it cites. Out: a validated `Topic` (contents, facts,
lessons, question bank, assessments) or `SpecError` with one `FILE:LINE: field: what` per problem; the kit's folder
layout (`layout()`, `Layout`) and the topics in it; Vietnamese text folding and sorting; how a response is judged
(`is_correct`, `answer_text`). Open `model.py` first; it leans on pydantic and PyYAML."""

from hoctap import lazy_surface

SURFACE = {
    "parse_moment": "moments",
    "Assessment": "model",
    "AssessmentKind": "model",
    "Content": "model",
    "Deadline": "model",
    "KeyTerm": "model",
    "Lesson": "model",
    "LessonKind": "model",
    "Option": "model",
    "Question": "model",
    "Section": "model",
    "Topic": "model",
    "TrainerMaterial": "model",
    "QuestionType": "kinds",
    "Review": "kinds",
    "review_of": "kinds",
    "load_topic": "load",
    "load_topic_with_lines": "load",
    "check_file": "check",
    "write_new_spec": "new",
    "draw_pools": "rules",
    "practised": "rules",
    "Layout": "catalog",
    "layout": "catalog",
    "all_topics": "catalog",
    "select_topics": "catalog",
    "topic_by_id": "catalog",
    "answer_text": "answer",
    "response_text": "answer",
    "is_answered": "answer",
    "is_correct": "answer",
    "key_matches": "answer",
    "fold": "text",
    "name_sort_key": "text",
    "nfc": "text",
    "slug": "text",
    "sort_key": "text",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
