"""The one import a lesson notebook needs: each function takes a topic id and returns a widget.

In: a topic id (and what to show of it), the topic's spec read through `hoctap.topic.topic_by_id`.
Out: `explorer`, `flashcards`, `timeline`, `practice`, `live_session`, each a widget for a lesson cell.

Built lesson cells stay one line long and readable by a trainer, for example::

    from widgets import lesson
    lesson.flashcards("2021-chuyen-de-toan-khoa", "mottos")

The spec is loaded through `hoctap.topic.topic_by_id`, which caches it until the file changes, so a
notebook with five components reads the YAML once.

One module per component, each with its state (no widget) and its view: `content_explorer`, `flashcard_deck`,
`deadline_timeline`, `practice_questions`; `source_ref` words their citations. They are not named like the functions
here: a submodule `explorer` would be the package's attribute `explorer` whenever it is imported, and
`lesson.explorer` must stay the function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hoctap.topic import topic_by_id

from .content_explorer import ContentExplorer, ExplorerState
from .deadline_timeline import TimelineState, TimelineView, check_today
from .flashcard_deck import TITLES, FlashcardsView, deck_from_topic
from .practice_questions import PracticeView


def explorer(topic_id: str, content_id: str | None = None) -> ContentExplorer:
    """All contents as tabs, or, given `content_id`, that content's sections as tabs."""
    return ContentExplorer(ExplorerState(topic_by_id(topic_id), content_id))


def flashcards(topic_id: str, kind: str, seed: int | None = None) -> FlashcardsView:
    """A deck of "mottos", "documents" or "terms"; `seed` shuffles it reproducibly."""
    deck = deck_from_topic(topic_by_id(topic_id), kind)
    if seed is not None:
        deck.shuffle(seed)
    return FlashcardsView(deck, title=TITLES[kind])


def timeline(topic_id: str, today: dt.date | str | None = None, audience: str | None = None) -> TimelineView:
    """The deadlines with today marked; `today` (a date or 'YYYY-MM-DD') defaults to the real today."""
    return TimelineView(TimelineState(topic_by_id(topic_id), today=check_today(today), audience=audience))


def practice(topic_id: str, question_ids: Sequence[str], seed: int | None = None, start: int = 1) -> PracticeView:
    """Practice on the given questions, numbered from `start`, with feedback (and a score for several); `seed`
    shuffles the options. Lessons give each question its own cell, so each is one slide."""
    return PracticeView(topic_by_id(topic_id), question_ids, seed=seed, start=start)


def live_session(topic_id: str, lesson_id: str):
    """The lesson's live session cell: the trainer's panel on the trainer's side (join code, QR code, count, questions
    to the room), how to join on the learners' server (widgets.session.lesson_panel decides which)."""
    from widgets.session import lesson_panel

    return lesson_panel(topic_id, lesson_id)


__all__ = ["explorer", "flashcards", "live_session", "practice", "timeline"]
