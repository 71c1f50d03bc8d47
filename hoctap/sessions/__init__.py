"""Live study sessions: a trainer's session with a join code, attendance, questions to the room, the word filter.

In: the trainer's session plan (topic, lessons, unit, place, start), learners joining with the code (or marked by
hand, or from a signed paper list), questions sent from the spec's bank or typed, the learners' answers.
Out: rows in the gradebook's database (tables.py) that the progress tables and the attendance sheets read; live
counts (`Board.tally`) for the projected chart. Nothing here is graded.
"""

from .join_code import code_from_query, join_url, qr_svg
from .paper_list import import_paper_list, read_paper_list
from .questions import KIND_NAMES, KINDS, Board, Draft, RoomQuestion, Tally, bank_question, sendable, typed
from .room import Presence, Rooms, Session, SessionPlan
from .word_filter import WordFilter, blocked

__all__ = [
    "KINDS",
    "KIND_NAMES",
    "Board",
    "Draft",
    "Presence",
    "RoomQuestion",
    "Rooms",
    "Session",
    "SessionPlan",
    "Tally",
    "WordFilter",
    "bank_question",
    "blocked",
    "code_from_query",
    "import_paper_list",
    "join_url",
    "qr_svg",
    "read_paper_list",
    "sendable",
    "typed",
]
