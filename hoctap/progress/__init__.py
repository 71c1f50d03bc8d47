"""Gradebook → progress tables: one SQL query per table into pandas, joined with the roster and the spec.

In: an engine on the gradebook, the topics, filters (unit, role, assessment), a moment. Out: DataFrames by learner,
unit, role, assessment, question (item analysis), option, timeline, commitment, history, live study sessions
(session, attendance, "đã học tập, quán triệt" by unit and role; a session's roll), with stable column ids and
Vietnamese labels; CSV, XLSX, JSON and text exports. Open `tables.py` first; it leans on SQLAlchemy and pandas."""

from hoctap import lazy_surface

SURFACE = {
    "TABLES": "tables",
    "COLUMNS": "frames",
    "AUTOGRADED": "frames",
    "progress_table": "tables",
    "learner_table": "tables",
    "unit_table": "tables",
    "role_table": "tables",
    "assessment_table": "tables",
    "question_table": "tables",
    "option_table": "tables",
    "timeline_table": "tables",
    "commitment_table": "tables",
    "history_table": "tables",
    "sessions_table": "sessions",
    "attendance_by_learner": "sessions",
    "studied_by_unit": "sessions",
    "studied_by_role": "sessions",
    "session_roll": "roll",
    "ROLL_COLUMNS": "roll",
    "HOW_WORDS": "session_labels",
    "quiz_table": "items",
    "item_analysis": "items",
    "response_table": "items",
    "QUIZ_STATS_COLUMNS": "item_stats",
    "ItemStats": "item_cache",
    "cached_item_stats": "item_cache",
    "recompute_item_stats": "item_cache",
    "refresh_item_stats": "item_cache",
    "Filters": "queries",
    "LABELS": "labels",
    "TABLE_LABELS": "labels",
    "TABLE_TITLES": "labels",
    "labelled": "labels",
    "table_bytes": "export",
    "write_table": "export",
    "naive_local": "export",
    "SHEET_NAME_LIMIT": "export",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
