"""The live study sessions' tables (`sessions.py`): their column ids, in order, and their headers in Vietnamese and
English (merged into `frames.COLUMNS` and `labels.LABELS`, so `--labels vi|en|ids` and the exports treat them like
every other table). Kept apart from `sessions.py` so the shared lists import no query."""

from __future__ import annotations

SESSION_COLUMNS = [
    "topic", "year", "session_id", "code", "starts_at", "place", "unit_id", "unit", "trainer", "lessons", "is_open",
    "closed_at", "expected", "present", "late_arrivals", "by_phone", "by_hand", "by_paper", "absent",
    "present_percent", "questions", "answers",
]  # fmt: skip
ATTENDANCE_COLUMNS = [
    "topic", "year", "learner_id", "name", "unit_id", "unit", "role", "sessions_expected", "sessions_attended",
    "times_late", "first_attended", "last_attended", "quizzes_assigned", "quizzes_passed", "passed", "studied",
]  # fmt: skip
STUDY_COLUMNS = [
    "learners", "attended", "attended_percent", "sessions_attended", "times_late", "first_attended", "last_attended",
    "passed", "studied", "studied_percent",
]  # fmt: skip
STUDY_UNIT_COLUMNS = ["topic", "year", "unit_id", "unit", *STUDY_COLUMNS]
STUDY_ROLE_COLUMNS = ["topic", "year", "role", "role_name", *STUDY_COLUMNS]
SESSION_TABLE_COLUMNS = {
    "session": SESSION_COLUMNS,
    "attendance": ATTENDANCE_COLUMNS,
    "studyunit": STUDY_UNIT_COLUMNS,
    "studyrole": STUDY_ROLE_COLUMNS,
}

SESSION_LABELS = {
    "session_id": "Số buổi",
    "code": "Mã tham gia",
    "starts_at": "Thời gian",
    "place": "Địa điểm",
    "trainer": "Báo cáo viên",
    "lessons": "Bài học",
    "is_open": "Đang mở",
    "closed_at": "Kết thúc lúc",
    "expected": "Số phải dự",
    "present": "Có mặt",
    "late_arrivals": "Đến muộn",
    "by_phone": "Điểm danh bằng điện thoại",
    "by_hand": "Đánh dấu tay",
    "by_paper": "Từ danh sách giấy",
    "absent": "Vắng",
    "present_percent": "Tỉ lệ có mặt (%)",
    "questions": "Câu hỏi đã hỏi",
    "answers": "Câu trả lời",
    "sessions_expected": "Số buổi phải dự",
    "sessions_attended": "Số buổi đã dự",
    "times_late": "Số lần đến muộn",
    "first_attended": "Dự lần đầu",
    "last_attended": "Dự lần cuối",
    "quizzes_assigned": "Số bài kiểm tra phải làm",
    "quizzes_passed": "Số bài kiểm tra đạt",
    "passed": "Đạt các bài kiểm tra",
    "studied": "Đã học tập, quán triệt",
    "attended": "Đã dự buổi học",
    "attended_percent": "Tỉ lệ đã dự (%)",
    "studied_percent": "Tỉ lệ đã học tập, quán triệt (%)",
}
SESSION_LABELS_EN = {
    "session_id": "Session",
    "code": "Join code",
    "starts_at": "Starts",
    "place": "Place",
    "trainer": "Trainer",
    "lessons": "Lessons",
    "is_open": "Still open",
    "closed_at": "Closed at",
    "expected": "Expected",
    "present": "Present",
    "late_arrivals": "Arrived late",
    "by_phone": "Joined by phone",
    "by_hand": "Marked by hand",
    "by_paper": "From a paper list",
    "absent": "Absent",
    "present_percent": "Present (%)",
    "questions": "Questions asked",
    "answers": "Answers given",
    "sessions_expected": "Sessions expected",
    "sessions_attended": "Sessions attended",
    "times_late": "Times late",
    "first_attended": "First attended",
    "last_attended": "Last attended",
    "quizzes_assigned": "Quizzes assigned",
    "quizzes_passed": "Quizzes passed",
    "passed": "Passed the quizzes",
    "studied": "Studied the topic",
    "attended": "Attended a session",
    "attended_percent": "Attended (%)",
    "studied_percent": "Studied (%)",
}
SESSION_TITLES = {
    "session": "Buổi học tập, quán triệt",
    "attendance": "Dự học của học viên",
    "studyunit": "Học tập, quán triệt – đơn vị",
    "studyrole": "Học tập, quán triệt – đối tượng",
}
SESSION_TITLES_EN = {
    "session": "Study sessions",
    "attendance": "Attendance by learner",
    "studyunit": "Studied, by unit",
    "studyrole": "Studied, by audience",
}
# How a learner was marked present, in words (the `how` column of the attendance sheet).
HOW_WORDS = {"phone": "điện thoại", "hand": "đánh dấu tay", "paper": "danh sách giấy"}
