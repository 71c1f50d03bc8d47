"""Headers of the item-analysis columns that the shared `labels.LABELS` does not already give (merged into it): the
question table's Moodle and PrairieLearn statistics, the quiz statistics (`item_stats.QUIZ_STATS_COLUMNS`) and the
long export of responses (`response`)."""

from __future__ import annotations

ITEM_LABELS: dict[str, str] = {  # column id → Vietnamese header
    "discriminative_efficiency": "Hiệu quả phân biệt (%)",
    "effective_weight": "Trọng số thực (%)",
    "random_guess": "Điểm đoán ngẫu nhiên (%)",
    "quintile_1": "Nhóm 1/5 thấp nhất (%)",
    "quintile_2": "Nhóm 2/5 (%)",
    "quintile_3": "Nhóm 3/5 (%)",
    "quintile_4": "Nhóm 4/5 (%)",
    "quintile_5": "Nhóm 5/5 cao nhất (%)",
    "gain": "Tăng điểm mỗi lần làm thêm (điểm %)",
    "retakers": "Số người làm lại",
    "slots": "Số câu mỗi bài",
    "all_attempts": "Tổng số lần làm đã chấm",
    "skewness": "Độ lệch phân phối",
    "kurtosis": "Độ nhọn phân phối",
    "alpha": "Hệ số tin cậy Cronbach (%)",
    "error_ratio": "Tỉ lệ sai số (%)",
    "standard_error": "Sai số chuẩn (%)",
    "attempt": "Lần làm",
    "counted": "Lần được tính điểm",
    "answered_at": "Nộp lúc",
    "slot": "Vị trí câu",
    "response": "Câu trả lời",
}
ITEM_LABELS_EN: dict[str, str] = {  # column id → English header
    "discriminative_efficiency": "Discriminative efficiency (%)",
    "effective_weight": "Effective weight (%)",
    "random_guess": "Random guess score (%)",
    "quintile_1": "Lowest fifth (%)",
    "quintile_2": "Second fifth (%)",
    "quintile_3": "Third fifth (%)",
    "quintile_4": "Fourth fifth (%)",
    "quintile_5": "Highest fifth (%)",
    "gain": "Gain per extra attempt (points %)",
    "retakers": "Learners who retook",
    "slots": "Questions per attempt",
    "all_attempts": "All graded attempts",
    "skewness": "Score distribution skewness",
    "kurtosis": "Score distribution kurtosis",
    "alpha": "Cronbach's alpha (%)",
    "error_ratio": "Error ratio (%)",
    "standard_error": "Standard error (%)",
    "attempt": "Attempt",
    "counted": "Counted attempt",
    "answered_at": "Submitted at",
    "slot": "Position",
    "response": "Response",
}
ITEM_TITLES: dict[str, str] = {  # table name → Vietnamese title
    "response": "Từng câu trả lời của học viên",
    "quiz": "Thống kê chung của bài kiểm tra",
}
