"""The deadline timeline: order, day counts, the today marker's place, the audience filter."""

from __future__ import annotations

import datetime as dt
import re

import ipywidgets
import pytest
import traitlets

from hoctap.errors import HoctapError
from hoctap.topic.model import Topic
from tests.unit.widgets.lesson_specs import base_spec, install_topic, topic_from
from widgets import lesson
from widgets.lesson.deadline_timeline import TimelineState, TimelineView, check_today, render_timeline

XSS = "<script>alert(1)</script>"


def deadline(id_: str, due: str, audiences: list[str], what: str = "", label: str = "") -> dict:
    return {
        "id": id_,
        "what": what or f"việc {id_}",
        "audiences": audiences,
        "due": due,
        "due_label": label or f"hạn {id_}",
        "cite": "L13",
        "evidence": "quý III",
    }


DEADLINES = [  # not in date order on purpose
    deadline("tuyen-truyen", "2021-10-31", ["nhan-dan"], "Tuyên truyền sâu rộng trong Nhân dân", "tháng 10 năm 2021"),
    deadline("hoc-tap", "2021-09-30", ["can-bo-chu-chot", "dang-vien"], "Học tập chuyên đề", "quý III năm 2021"),
]


def spec(deadlines: list[dict] | None = None, audiences: list[dict] | None = None) -> dict:
    """The base spec with three audiences and `deadlines` (default: DEADLINES)."""
    return base_spec(
        facts={
            "audiences": audiences
            or [
                {"id": "can-bo-chu-chot", "name": "Cán bộ chủ chốt"},
                {"id": "dang-vien", "name": "Đảng viên"},
                {"id": "nhan-dan", "name": "Nhân dân"},
            ],
            "deadlines": DEADLINES if deadlines is None else deadlines,
        }
    )


def make_topic(**changes) -> Topic:
    return topic_from(spec(**changes))


def sequence(html: str) -> list[str]:
    """The timeline's items in order: deadline ids, and 'TODAY' where the marker stands."""
    items = re.findall(r'<li class="(hoctap-today)"|data-deadline="([^"]+)"', html)
    return ["TODAY" if today else did for today, did in items]


# ---------------------------------------------------------------- state


def test_entries_are_sorted_by_due_date_with_names_and_day_counts():
    state = TimelineState(make_topic(), today=dt.date(2021, 10, 1))
    entries = state.entries
    assert [e.deadline.id for e in entries] == ["hoc-tap", "tuyen-truyen"]
    assert entries[0].audience_names == ("Cán bộ chủ chốt", "Đảng viên")
    assert (entries[0].status, entries[0].days, entries[0].status_text) == ("past", -1, "Đã qua hạn 1 ngày")
    assert (entries[1].status, entries[1].days, entries[1].status_text) == ("future", 30, "Còn 30 ngày")


@pytest.mark.parametrize(
    ("today", "index", "order"),
    [
        (dt.date(2021, 1, 1), 0, ["TODAY", "hoc-tap", "tuyen-truyen"]),
        (dt.date(2021, 10, 1), 1, ["hoc-tap", "TODAY", "tuyen-truyen"]),
        (dt.date(2026, 5, 1), 2, ["hoc-tap", "tuyen-truyen", "TODAY"]),
    ],
)
def test_today_marker_before_between_and_after(today, index, order):
    state = TimelineState(make_topic(), today=today)
    assert state.today_index == index
    html = render_timeline(state)
    assert sequence(html) == order
    assert html.count('class="hoctap-today"') == 1
    assert f'Hôm nay</strong> · <time datetime="{today.isoformat()}">{today:%d/%m/%Y}</time>' in html


def test_a_deadline_due_today_comes_after_the_marker():
    state = TimelineState(make_topic(), today=dt.date(2021, 9, 30))
    assert sequence(render_timeline(state)) == ["TODAY", "hoc-tap", "tuyen-truyen"]
    assert state.entries[0].status == "due" and state.entries[0].status_text == "Hạn cuối là hôm nay"


def test_long_spans_group_thousands():
    state = TimelineState(make_topic(), today=dt.date(2025, 11, 26))
    assert state.entries[0].status_text == "Đã qua hạn 1.518 ngày"


def test_audience_filter():
    state = TimelineState(make_topic(), today=dt.date(2021, 10, 1), audience="dang-vien")
    assert [e.deadline.id for e in state.entries] == ["hoc-tap"]
    state.audience = "nhan-dan"
    assert [e.deadline.id for e in state.entries] == ["tuyen-truyen"]
    assert state.today_index == 0
    state.audience = None
    assert len(state.entries) == 2
    with pytest.raises(traitlets.TraitError, match="can-bo-chu-chot, dang-vien, nhan-dan"):
        state.audience = "khong-co"


def test_today_defaults_to_the_real_today():
    assert TimelineState(make_topic()).today == dt.date.today()
    assert TimelineState(make_topic(), today=dt.datetime(2021, 10, 1, 8, 30)).today == dt.date(2021, 10, 1)


# ---------------------------------------------------------------- view


def test_view_dropdown_filters_and_follows_the_state():
    view = TimelineView(TimelineState(make_topic(), today=dt.date(2021, 10, 1)))
    assert view.audience.description == "Đối tượng"
    assert [label for label, _ in view.audience.options] == ["Tất cả", "Cán bộ chủ chốt", "Đảng viên", "Nhân dân"]
    assert sequence(view.body.value) == ["hoc-tap", "TODAY", "tuyen-truyen"]
    view.audience.value = "nhan-dan"
    assert view.state.audience == "nhan-dan"
    assert sequence(view.body.value) == ["TODAY", "tuyen-truyen"]
    view.state.audience = "dang-vien"
    assert view.audience.value == "dang-vien" and sequence(view.body.value) == ["hoc-tap", "TODAY"]
    view.audience.value = ""
    assert view.state.audience is None and len(sequence(view.body.value)) == 3
    view.state.today = dt.date(2020, 1, 1)
    assert sequence(view.body.value)[0] == "TODAY"


def test_view_text_and_classes():
    view = TimelineView(TimelineState(make_topic(), today=dt.date(2021, 10, 1)))
    html = view.body.value
    assert "30/09/2021" in html and "quý III năm 2021" in html and "Học tập chuyên đề" in html
    # Semicolons between audiences: a name such as "Cán bộ, đảng viên" has commas of its own.
    assert "Đối tượng: Cán bộ chủ chốt; Đảng viên" in html
    # The plan's words are quoted once: under "tháng 10 năm 2021", not under "quý III năm 2021", which shows them.
    assert html.count("Nguồn: kế hoạch, dòng 13: “quý III”") == 1 and html.count("Nguồn: kế hoạch, dòng 13<") == 1
    assert {"hoctap", "hoctap-timeline"} <= set(view._dom_classes)
    styles = [w for w in view.children if isinstance(w, ipywidgets.HTML) and "<style>" in w.value]
    assert len(styles) == 1 and "<style>" not in html


def test_no_deadline_at_all_is_said_and_today_still_shown():
    view = TimelineView(TimelineState(make_topic(deadlines=[]), today=dt.date(2021, 10, 1)))
    assert "Kế hoạch không nêu mốc thời hạn nào." in view.body.value
    assert sequence(view.body.value) == ["TODAY"]


def test_an_audience_the_plan_gives_no_date_sees_so_and_what_the_plan_asks_of_it():
    spec_ = spec(audiences=[{"id": "dang-vien", "name": "Đảng viên"}, {"id": "khong-dang-vien", "name": "Ngoài Đảng"}])
    spec_["facts"]["commitments"] = [
        {
            "id": "cam-ket",
            "audiences": ["khong-dang-vien"],
            "what": "Viết bản cam kết",
            "evaluation": "Định kỳ và cuối năm, nhận xét, đánh giá.",
            "cite": "L31",
            "evidence": "định kỳ, cuối năm nhận xét, đánh giá",
        }
    ]
    spec_["facts"]["deadlines"] = [deadline("hoc-tap", "2021-09-30", ["dang-vien"])]
    state = TimelineState(topic_from(spec_), today=dt.date(2021, 10, 1), audience="khong-dang-vien")
    html = render_timeline(state)
    assert "Kế hoạch không nêu ngày hoàn thành cho đối tượng này." in html
    assert 'data-commitment="cam-ket"' in html and "Viết bản cam kết" in html and "cuối năm" in html
    assert "Nguồn: kế hoạch, dòng 31: “định kỳ, cuối năm nhận xét, đánh giá”" in html
    assert sequence(html) == ["TODAY"]  # no date made up for it
    state.audience = "dang-vien"
    assert "cam-ket" not in render_timeline(state) and sequence(render_timeline(state)) == ["hoc-tap", "TODAY"]


def test_spec_text_is_escaped():
    topic = make_topic(
        deadlines=[deadline("x", "2021-09-30", ["a"], XSS, XSS)],
        audiences=[{"id": "a", "name": XSS}],
    )
    view = TimelineView(TimelineState(topic, today=dt.date(2021, 10, 1)))
    assert "<script>" not in view.body.value
    assert view.body.value.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3
    assert view.audience.options[1] == (XSS, "a")  # a Dropdown label is text, not HTML


def test_check_today():
    assert check_today("2021-09-30") == dt.date(2021, 9, 30)
    assert check_today(None) is None
    with pytest.raises(HoctapError, match="YYYY-MM-DD"):
        check_today("30/09/2021")


# ---------------------------------------------------------------- lesson entry point


def test_lesson_timeline_loads_the_spec_by_id(tmp_path, monkeypatch):
    install_topic(tmp_path, spec(), monkeypatch)
    view = lesson.timeline("2021-thu", today="2021-10-15")
    assert isinstance(view, TimelineView)
    assert view.state.today == dt.date(2021, 10, 15)
    assert sequence(view.body.value) == ["hoc-tap", "TODAY", "tuyen-truyen"]
