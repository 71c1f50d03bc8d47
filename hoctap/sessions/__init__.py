"""Live study sessions: a trainer's session with a join code, attendance, questions to the room, the word filter.

In: the trainer's session plan (topic, lessons, unit, place, start), learners joining with the code (or marked by
hand, or from a signed paper list), questions sent from the spec's bank or typed, the learners' answers.
Out: rows in the gradebook's database (tables.py) that the progress tables and the attendance sheets read; live
counts (`Board.tally`) for the projected chart. Nothing here is graded. Open `room.py` first."""

from hoctap import lazy_surface

SURFACE = {
    "Rooms": "room",
    "Session": "room",
    "SessionPlan": "room",
    "Presence": "room",
    "LATE_AFTER_MINUTES": "room",
    "Board": "questions",
    "Draft": "questions",
    "RoomQuestion": "questions",
    "Tally": "questions",
    "KINDS": "questions",
    "KIND_NAMES": "questions",
    "bank_question": "questions",
    "sendable": "questions",
    "typed": "questions",
    "WordFilter": "word_filter",
    "blocked": "word_filter",
    "import_paper_list": "paper_list",
    "read_paper_list": "paper_list",
    "roster_names": "paper_list",
    "join_url": "join_code",
    "join_page": "join_code",
    "code_from_query": "join_code",
    "qr_svg": "join_code",
    "ensure_session_tables": "tables",
    "session_table": "tables",
    "attendance_table": "tables",
    "room_question_table": "tables",
    "room_answer_table": "tables",
    "add_session_parser": "commands",  # `hoctap session …` (cli.py): its arguments and calls
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
