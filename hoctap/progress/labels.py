"""Vietnamese headers and values for the progress tables (the column ids stay stable; people read these)."""

from __future__ import annotations

import pandas as pd

from .item_labels import ITEM_LABELS, ITEM_TITLES

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
}

STATUS_LABELS = {
    "on-time": "Đúng hạn",
    "late": "Muộn",
    "missing": "Chưa làm (quá hạn)",
    "not-due": "Chưa đến hạn",
    "in-progress": "Đang học",
}
KIND_LABELS = {"quiz": "Kiểm tra nội dung", "final": "Kiểm tra cuối khóa", "commitment": "Bản cam kết"}

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
}


# Where a column's shared header says something else in one table: the timeline's percent is of learners who
# submitted, not of marks, and its "submitted" counts one day.
# The commitment table's mean is in the rating scale's points (8 of 10), not a percentage.
TABLE_LABELS = {
    "timeline": {"percent": "Tỉ lệ đã nộp (%)", "submitted": "Nộp trong ngày"},
    "commitment": {"mean_score": "Điểm đánh giá TB"},
}


def labelled(df: pd.DataFrame, table: str | None = None) -> pd.DataFrame:
    """The table as people read it: Vietnamese headers, statuses and kinds in words, yes/no for booleans."""
    out = df.copy()
    if "status" in out:
        out["status"] = out["status"].map(lambda s: STATUS_LABELS.get(s, s))
    if "kind" in out:
        out["kind"] = out["kind"].map(lambda k: KIND_LABELS.get(k, k))
    for column in out.columns:
        if out[column].dtype == bool:  # `graded` is a yes/no per learner, but a count in the assessment table
            out[column] = out[column].map({True: "có", False: "không"})
    return out.rename(columns={**LABELS, **TABLE_LABELS.get(table or "", {})})
