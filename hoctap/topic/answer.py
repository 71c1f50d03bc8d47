"""Is a response right? One rule per question type, shared by lesson practice and the grader.

A response has the shape `answers.json` uses: an option id (single), a list of option ids
(multiple), a bool (true-false), a text (short-text), a {left id: right id} map (matching) or an
ordered list of option ids (ordering). Anything of the wrong shape is simply not right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .kinds import QuestionType
from .text import same_text

if TYPE_CHECKING:  # the spec model (pydantic) is not loaded by kernels that only check keys
    from .model import Question


def is_correct(question: Question, response: Any) -> bool:
    """True when `response` is the right answer to `question`; wrong shapes are wrong answers."""
    return key_matches(question.type, question.answer, response, question.accept_without_diacritics)


def key_matches(qtype: QuestionType | str, key: Any, response: Any, accept_without_diacritics: bool = False) -> bool:
    """The rule itself, on a bare key: the grader's hidden tests call this without the whole spec."""
    match QuestionType(qtype):
        case QuestionType.single:
            return isinstance(response, str) and response == key
        case QuestionType.multiple:
            return (
                isinstance(response, list | tuple)
                and all(isinstance(x, str) for x in response)
                and len(response) == len(key)
                and sorted(set(response)) == sorted(key)
            )
        case QuestionType.true_false:
            return isinstance(response, bool) and response is key
        case QuestionType.short_text:
            if not isinstance(response, str) or not response.strip():
                return False
            return any(same_text(response, accepted, diacritics=not accept_without_diacritics) for accepted in key)
        case QuestionType.matching:
            return isinstance(response, dict) and dict(response) == dict(key)
        case QuestionType.ordering:
            return isinstance(response, list | tuple) and list(response) == list(key)
    return False


def is_answered(question: Question, response: Any) -> bool:
    """True when the learner gave something for every part of the question."""
    if response is None:
        return False
    match question.type:
        case QuestionType.multiple:
            return isinstance(response, list | tuple) and len(response) > 0
        case QuestionType.short_text:
            return isinstance(response, str) and bool(response.strip())
        case QuestionType.matching:
            return isinstance(response, dict) and all(response.get(o.id) for o in question.options)
        case QuestionType.ordering:
            return isinstance(response, list | tuple) and len(response) == len(question.options)
    return True


def answer_text(question: Question) -> str:
    """The right answer in words, for feedback: option texts rather than ids."""
    return response_text(question, question.answer)


def response_text(question: Question, response: Any) -> str:
    """A response (or the key) in words: option texts rather than ids; '' for no response. A response is checked
    when submitted, but an id the question does not know is shown as itself rather than failing."""
    if response is None:
        return ""
    texts = {o.id: o.text for o in question.options}
    targets = {o.id: o.text for o in question.targets}

    def text(table: dict, key: Any) -> str:
        return table.get(key, str(key)) if isinstance(key, str) else str(key)

    match question.type:
        case QuestionType.single:
            return text(texts, response)
        case QuestionType.multiple:
            return "; ".join(text(texts, k) for k in response)
        case QuestionType.true_false:
            return "Đúng" if response is True else "Sai" if response is False else str(response)
        case QuestionType.short_text:
            return response[0] if isinstance(response, list) else str(response)  # the key lists accepted answers
        case QuestionType.matching:
            return "; ".join(f"{text(texts, left)} → {text(targets, right)}" for left, right in dict(response).items())
        case QuestionType.ordering:
            return " → ".join(text(texts, k) for k in response)
    return str(response)
