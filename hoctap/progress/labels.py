"""Headers and values of the progress tables as people read them, in Vietnamese or English (the column ids stay
stable for machines: `--labels ids`).

    labelled(df, "unit")                            # Vietnamese headers and values, times to the second
    labelled(df, "learner", lang="en", topics=ts)  # English; roles by their audience names, not codes

Item-analysis columns have their headers in `item_labels` (merged here)."""

from __future__ import annotations

import pandas as pd

from .item_labels import ITEM_LABELS, ITEM_LABELS_EN, ITEM_TITLES
from .session_labels import SESSION_LABELS, SESSION_LABELS_EN, SESSION_TITLES, SESSION_TITLES_EN

LABELS = {
    "topic": "Chuyên đề",
    "year": "Năm",
    "learner_id": "Mã học viên",
    "name": "Họ và tên",
    "unit_id": "Mã đơn vị",
    "unit": "Đơn vị",
    "role": "Vai trò",
    "role_name": "Đối tượng",
    "assessment_id": "Mã bài",
    "assessment": "Bài kiểm tra",
    "kind": "Loại",
    "due": "Hạn nộp",
    "deadline_label": "Mốc kế hoạch",
    "attempts": "Số lần làm",
    "attempts_allowed": "Số lần được làm",
    "submitted_at": "Nộp lần đầu",
    "last_submitted_at": "Nộp lần cuối",
    "status": "Tình trạng",
    "graded": "Đã chấm",
    "score": "Điểm",
    "max_score": "Điểm tối đa",
    "percent": "Tỉ lệ điểm (%)",
    "rating": "Xếp loại",
    "learners": "Số học viên",
    "done": "Hoàn thành",
    "started": "Đang làm",
    "not_started": "Chưa bắt đầu",
    "overdue": "Quá hạn",
    "items_done": "Số bài đã nộp",
    "items_assigned": "Số bài phải làm",
    "on_time": "Đúng hạn",
    "late": "Muộn",
    "missing": "Chưa làm (quá hạn)",
    "in_progress": "Đang học (còn hạn)",
    "not_due": "Chưa đến hạn",
    "completion": "Hoàn thành (%)",
    "mean_score": "Điểm TB (%)",
    "median_score": "Trung vị (%)",
    "commitments_required": "Phải viết cam kết",
    "commitments_written": "Đã viết cam kết",
    "commitments_evaluated": "Cam kết đã đánh giá",
    "deadline": "Thời hạn",
    "assigned": "Số phải làm",
    "submitted": "Đã nộp",
    "waiting": "Chờ chấm",
    "mean_attempts": "Số lần làm TB",
    "question_id": "Mã câu hỏi",
    "content": "Nội dung",
    "type": "Dạng câu hỏi",
    "prompt": "Câu hỏi",
    "responses": "Số bài trả lời",
    "blank": "Bỏ trống",
    "facility": "Độ dễ (%)",
    "sd": "Độ lệch chuẩn (%)",
    "discrimination": "Độ phân biệt (%)",
    "flag": "Lưu ý",
    "answer": "Đáp án",
    "option_id": "Mã lựa chọn",
    "option": "Lựa chọn",
    "correct": "Là đáp án",
    "chosen": "Số lần chọn",
    "share": "Tỉ lệ chọn (%)",
    "date": "Ngày",
    "cumulative": "Cộng dồn",
    "written": "Đã viết",
    "evaluated": "Đã đánh giá",
    "not_written": "Chưa viết",
    "ratings": "Xếp loại",
    **ITEM_LABELS,
    **SESSION_LABELS,
}

LABELS_EN = {
    "topic": "Topic",
    "year": "Year",
    "learner_id": "Learner id",
    "name": "Full name",
    "unit_id": "Unit id",
    "unit": "Unit",
    "role": "Role",
    "role_name": "Audience",
    "assessment_id": "Assessment id",
    "assessment": "Assessment",
    "kind": "Kind",
    "due": "Due",
    "deadline_label": "Plan deadline",
    "attempts": "Attempts",
    "attempts_allowed": "Attempts allowed",
    "submitted_at": "First submitted",
    "last_submitted_at": "Last submitted",
    "status": "Status",
    "graded": "Graded",
    "score": "Score",
    "max_score": "Maximum score",
    "percent": "Score (%)",
    "rating": "Rating",
    "learners": "Learners",
    "done": "Done",
    "started": "In progress",
    "not_started": "Not started",
    "overdue": "Overdue",
    "items_done": "Assessments submitted",
    "items_assigned": "Assessments assigned",
    "on_time": "On time",
    "late": "Late",
    "missing": "Missing (overdue)",
    "in_progress": "Still in time",
    "not_due": "Not due yet",
    "completion": "Completion (%)",
    "mean_score": "Mean score (%)",
    "median_score": "Median (%)",
    "commitments_required": "Commitments required",
    "commitments_written": "Commitments written",
    "commitments_evaluated": "Commitments evaluated",
    "deadline": "Deadline",
    "assigned": "Assigned",
    "submitted": "Submitted",
    "waiting": "Waiting for grading",
    "mean_attempts": "Mean attempts",
    "question_id": "Question id",
    "content": "Content",
    "type": "Question type",
    "prompt": "Question",
    "responses": "Responses",
    "blank": "Blank",
    "facility": "Facility (%)",
    "sd": "Standard deviation (%)",
    "discrimination": "Discrimination (%)",
    "flag": "Note",
    "answer": "Key",
    "option_id": "Option id",
    "option": "Option",
    "correct": "Is the key",
    "chosen": "Times chosen",
    "share": "Share chosen (%)",
    "date": "Date",
    "cumulative": "Cumulative",
    "written": "Written",
    "evaluated": "Evaluated",
    "not_written": "Not written",
    "ratings": "Ratings",
    **ITEM_LABELS_EN,
    **SESSION_LABELS_EN,
}

# Values in words. A learner's place over every assessment (done, started, …) shares the status column's words.
STATUS_LABELS = {
    "on-time": "Đúng hạn",
    "late": "Muộn",
    "missing": "Chưa làm (quá hạn)",
    "not-due": "Chưa đến hạn",
    "in-progress": "Đang học",
    "done": "Hoàn thành",
    "started": "Đang làm",
    "not-started": "Chưa bắt đầu",
    "overdue": "Quá hạn",
}
STATUS_LABELS_EN = {
    "on-time": "On time",
    "late": "Late",
    "missing": "Missing (overdue)",
    "not-due": "Not due yet",
    "in-progress": "In progress",
    "done": "Done",
    "started": "Started",
    "not-started": "Not started",
    "overdue": "Overdue",
}
KIND_LABELS = {"quiz": "Kiểm tra nội dung", "final": "Kiểm tra cuối khóa", "commitment": "Bản cam kết"}
KIND_LABELS_EN = {"quiz": "Content quiz", "final": "Final test", "commitment": "Commitment"}
YES_NO = {"vi": {True: "có", False: "không"}, "en": {True: "yes", False: "no"}}

TABLE_TITLES = {
    "learner": "Học viên × bài kiểm tra",
    "unit": "Theo đơn vị",
    "role": "Theo đối tượng",
    "assessment": "Theo bài kiểm tra",
    "question": "Phân tích câu hỏi",
    "option": "Tỉ lệ chọn từng phương án",
    "timeline": "Tiến độ theo ngày",
    "commitment": "Bản cam kết theo đơn vị",
    "history": "Quá trình học tập của học viên",
    **ITEM_TITLES,
    **SESSION_TITLES,
}
TABLE_TITLES_EN = {
    "learner": "Learners × assessments",
    "unit": "By unit",
    "role": "By audience",
    "assessment": "By assessment",
    "question": "Item analysis",
    "option": "Options chosen",
    "timeline": "Progress by day",
    "commitment": "Commitments by unit",
    "history": "Learner history",
    **SESSION_TITLES_EN,
}


# Where a column's shared header says something else in one table: the timeline's percent is of learners who
# submitted, not of marks, and its "submitted" counts one day.
# The commitment table's mean is in the rating scale's points (8 of 10), not a percentage.
TABLE_LABELS = {
    "timeline": {"percent": "Tỉ lệ đã nộp (%)", "submitted": "Nộp trong ngày"},
    "commitment": {"mean_score": "Điểm đánh giá TB"},
}
TABLE_LABELS_EN = {
    "timeline": {"percent": "Submitted so far (%)", "submitted": "Submitted that day"},
    "commitment": {"mean_score": "Mean rating (points)"},
}
LANGUAGES = ("vi", "en", "ids")


def headers(table: str | None = None, lang: str = "vi") -> dict[str, str]:
    """Column id → header in `lang` ("ids": none), `table`'s own where it has some."""
    if lang == "ids":
        return {}
    if lang == "en":
        return {**LABELS_EN, **TABLE_LABELS_EN.get(table or "", {})}
    return {**LABELS, **TABLE_LABELS.get(table or "", {})}


def title(table: str, lang: str = "vi") -> str:
    """The table's title in `lang` (its id for "ids")."""
    if lang == "ids":
        return table
    titles = TABLE_TITLES_EN if lang == "en" else TABLE_TITLES
    return titles.get(table, TABLE_TITLES.get(table, table))


def labelled(df: pd.DataFrame, table: str | None = None, lang: str = "vi", topics=None) -> pd.DataFrame:
    """The table as people read it, same columns in the same order: headers in `lang`; statuses and kinds in words;
    yes/no for booleans; times in the topic's local time to the second, without a zone (a cell holds no zone
    name); roles by their audience names when `topics` are given. `lang="ids"` gives the frame back unchanged."""
    if lang == "ids":
        return df
    if lang not in LANGUAGES:
        raise ValueError(f"labels {lang!r}: vi, en or ids")
    out = df.copy()
    statuses, kinds = (STATUS_LABELS_EN, KIND_LABELS_EN) if lang == "en" else (STATUS_LABELS, KIND_LABELS)
    for column, words in (("status", statuses), ("kind", kinds)):
        if column in out:
            out[column] = _words(out[column], words)
    if topics and "role" in out:
        out["role"] = _role_names(out, topics)
    for column in out.columns:
        values = out[column]
        if values.dtype == bool:  # `graded` is a yes/no per learner, but a count in the assessment table
            out[column] = values.map(YES_NO[lang])
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_localize(None).dt.floor("s")
        elif pd.api.types.is_datetime64_dtype(values):
            out[column] = values.dt.floor("s")
    return out.rename(columns=headers(table, lang))


def _words(values: pd.Series, words: dict[str, str]) -> pd.Series:
    """Codes in words (a code without words stays as it is): one hashed lookup per row, no Python call per row."""
    mapped = values.map(words)
    return mapped.where(mapped.notna(), values)


def _role_names(df: pd.DataFrame, topics) -> pd.Series:
    """Each row's role by its audience's name in its topic (facts.audiences); an unknown code stays a code."""
    out = _words(df["role"], {a.id: a.name for t in topics for a in t.facts.audiences})
    if "topic" in df and len(topics) > 1:  # a later topic may rename an audience: each row takes its own topic's name
        for topic in topics:
            rows = (df["topic"] == topic.id).to_numpy()
            out[rows] = _words(df["role"][rows], {a.id: a.name for a in topic.facts.audiences})
    return out
