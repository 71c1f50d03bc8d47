"""The cells of the built lessons: slides that fit a projector, citations a person can follow, the plan's words.

Read through `lesson_cells` on the real 2021 spec (what `hoctap build` commits), and on small specs for the edges.
"""

from __future__ import annotations

import re

import pytest

from hoctap.build.lessons import lesson_cells, period_name
from hoctap.build.slides import PAGE_BUDGET, PAGE_ITEMS, paged
from hoctap.topic import fold, topic_by_id
from hoctap.topic.source import find_source, source_lines

TOPIC = topic_by_id("2021-chuyen-de-toan-khoa")
QUOTED = re.compile(r"\(kế hoạch, dòng (\d+): “([^”]+)”\)")


def cells_of(lesson_id: str):
    return lesson_cells(TOPIC, next(x for x in TOPIC.lessons if x.id == lesson_id))


def markdown(lesson_id: str) -> str:
    return "\n".join(c.source for c in cells_of(lesson_id) if c.kind == "markdown")


@pytest.mark.parametrize("lesson", TOPIC.lessons, ids=[x.id for x in TOPIC.lessons])
def test_each_practice_question_is_a_vertical_slide_of_its_own(lesson):
    code = [c for c in lesson_cells(TOPIC, lesson) if c.kind == "code" and "lesson.practice" in c.source]
    assert [c.source for c in code] == [
        f'lesson.practice(TOPIC, ["{qid}"], start={n})' for n, qid in enumerate(lesson.practice, 1)
    ]
    assert {c.slide for c in code} == {"subslide"}


@pytest.mark.parametrize("lesson", TOPIC.lessons, ids=[x.id for x in TOPIC.lessons])
def test_code_cells_stay_one_call_each(lesson):
    for cell in lesson_cells(TOPIC, lesson):
        if cell.kind == "code" and not cell.source.startswith("from widgets import"):
            assert "\n" not in cell.source and cell.source.startswith("lesson.")


def test_a_review_name_that_holds_its_period_does_not_get_it_twice():
    text = markdown("trien-khai")
    assert "Sơ kết (3 năm)" in text and "Tổng kết (5 năm)" in text
    assert "(3 năm) (3 năm)" not in text and "(5 năm) (5 năm)" not in text and "hằng năm (1 năm)" not in text
    assert period_name("Sơ kết (3 năm)", 3) == "Sơ kết (3 năm)"
    assert period_name("Báo cáo hằng năm", 1) == "Báo cáo hằng năm"
    assert period_name("Sơ kết", 3) == "Sơ kết (3 năm)"


@pytest.mark.parametrize("lesson", TOPIC.lessons, ids=[x.id for x in TOPIC.lessons])
def test_citations_give_the_plans_words_not_a_bare_line_code(lesson):
    text = markdown(lesson.id)
    assert "dòng L" not in text and "<small>(dòng" not in text
    assert all(m.startswith("<small>(kế hoạch, dòng ") for m in re.findall(r"<small>\([^)]*\)", text))


def test_the_plans_words_are_quoted_where_the_item_does_not_show_them():
    text = markdown("tong-quan")
    # The People's deadline: the plan's words "tháng 10 năm 2021" are its label, so only the line is given...
    assert "**tháng 10 năm 2021** (31/10/2021) <small>(kế hoạch, dòng 13)</small>" in text
    # ...while a statement in the kit's words quotes the plan's own phrase after the line.
    assert "(kế hoạch, dòng 9: “chuyên đề năm 2021”)" in text


def test_every_quoted_phrase_stands_in_the_line_it_cites():
    path = find_source(TOPIC)
    if path is None:
        pytest.skip("the 2021 source document is not on this machine (../shared/source)")
    lines = source_lines(path)
    quoted = [m for x in TOPIC.lessons for m in QUOTED.findall(markdown(x.id))]
    assert len(quoted) > 10
    for number, phrase in quoted:
        assert fold(phrase) in fold(lines[int(number) - 1]), (number, phrase)


def test_each_audience_gets_what_the_plan_says_and_no_made_up_date():
    text = markdown("tong-quan")
    rows = {line.split("**")[1]: line for line in text.splitlines() if line.startswith("- **")}
    assert "30/09/2021" in rows["Cán bộ chủ chốt các cấp"] and "30/09/2021" in rows["Cán bộ, đảng viên"]
    assert "31/10/2021" in rows["Các tầng lớp Nhân dân"]
    non_party = rows[next(name for name in rows if "không là đảng viên" in name)]
    assert "kế hoạch không nêu ngày hoàn thành" in non_party
    assert "(kế hoạch, dòng 31: “định kỳ, cuối năm nhận xét, đánh giá”)" in non_party
    assert not re.search(r"\d\d/\d\d/\d{4}", non_party)


def test_the_overview_explores_each_content_on_its_own_slide():
    code = [c for c in cells_of("tong-quan") if c.kind == "code" and "explorer" in c.source]
    assert [c.source for c in code] == [f'lesson.explorer(TOPIC, "{c.id}")' for c in TOPIC.contents]
    titles = [c for c in cells_of("tong-quan") if c.source.startswith("### Khám phá nội dung")]
    assert len(titles) == len(TOPIC.contents) and {c.slide for c in titles} == {"subslide"}


def test_a_long_list_goes_on_several_slides_and_a_short_one_on_one():
    items = [f"- mục {n} " + "x" * 300 for n in range(8)]
    cells = paged("## Việc làm", items)
    assert [c.slide for c in cells][0] == "slide" and {c.slide for c in cells[1:]} == {"subslide"}
    assert cells[1].source.startswith("## Việc làm (tiếp)")
    assert sum(c.source.count("- mục") for c in cells) == 8
    for cell in cells:
        assert cell.source.count("- mục") <= PAGE_ITEMS and len(cell.source) <= PAGE_BUDGET + 400
    assert len(paged("## Ngắn", ["- một", "- hai"])) == 1
