"""Lesson practice: every question type right, wrong and unanswered, through real widgets."""

from __future__ import annotations

import json
import unicodedata

import ipywidgets
import pytest

from hoctap.errors import HoctapError
from hoctap.topic import catalog
from tests.unit.widgets.lesson_specs import base_spec, install_topic, topic_from
from widgets import lesson
from widgets.lesson.practice_questions import PracticeState, PracticeView, QuestionView

XSS = "<script>alert(1)</script>"


def q(id_: str, type_: str, answer, options=(), targets=(), **extra) -> dict:
    return {
        "id": id_,
        "lesson": "tong-quan",
        "type": type_,
        "prompt": extra.pop("prompt", f"Câu hỏi {id_}?"),
        "options": [{"id": i, "text": t} for i, t in options],
        "targets": [{"id": i, "text": t} for i, t in targets],
        "answer": answer,
        "explanation": extra.pop("explanation", f"Vì văn bản nói vậy ({id_})."),
        "cite": "L13",
        "evidence": "quý III",
        **extra,
    }


QUESTIONS = [
    q("q-single", "single", "c", [("a", "Một"), ("b", "Hai"), ("c", "Ba"), ("d", "Bốn"), ("e", "Năm")]),
    q(
        "q-multiple",
        "multiple",
        ["hoc-tap", "lam-theo", "neu-guong"],
        [("hoc-tap", "Học tập"), ("lam-theo", "Làm theo Bác"), ("neu-guong", "Nêu gương"), ("thi-dua", "Thi đua")],
    ),
    q("q-tf", "true-false", True),
    q("q-short", "short-text", ["toàn khóa"]),
    q("q-plain", "short-text", ["toàn khóa"], accept_without_diacritics=True),
    q(
        "q-match",
        "matching",
        {"cv-3058": "ct-27", "cv-3232": "ct-26"},
        [("cv-3058", "Công văn 3058/UBND-NC"), ("cv-3232", "Công văn 3232/UBND-NC")],
        [("ct-27", "Chỉ thị 27/CT-TTg"), ("ct-26", "Chỉ thị 26/CT-TTg"), ("qd-1847", "Quyết định 1847/QĐ-TTg")],
    ),
    q(
        "q-order",
        "ordering",
        ["q3", "t10", "cuoi"],
        [("q3", "Quý III năm 2021"), ("t10", "Tháng 10 năm 2021"), ("cuoi", "Cuối năm 2021")],
    ),
]


def spec(questions: list[dict] | None = None) -> dict:
    """The base spec with `questions` (default: QUESTIONS)."""
    return base_spec(questions=QUESTIONS if questions is None else questions)


TOPIC = topic_from(spec())


def view_of(question_id: str, **kwargs) -> QuestionView:
    return QuestionView(TOPIC.question(question_id), **kwargs)


def answer(view: QuestionView, response) -> None:
    """Work the view's widgets as a learner would, to give `response` (None: touch nothing)."""
    if response is None:
        return
    kind = view.state.question.type.value
    controls = view.input.controls
    if kind in ("single", "true-false", "short-text"):
        controls[0].value = response
    elif kind == "multiple":
        ids = [o.id for o in view.state.choices]
        for oid, box in zip(ids, controls, strict=True):
            box.value = oid in response
    elif kind == "matching":
        lefts = [o.id for o in view.state.question.options]
        for oid, dropdown in zip(lefts, controls, strict=True):
            dropdown.value = response.get(oid, "")
    elif kind == "ordering":
        for dropdown, oid in zip(controls, response, strict=False):
            dropdown.value = oid


def checked(question_id: str, response) -> QuestionView:
    """A fresh view of the question, answered with `response` and checked."""
    view = view_of(question_id)
    answer(view, response)
    view.check_button.click()
    return view


def descendants(widget: ipywidgets.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from descendants(child)


# (question, a right response, a wrong one, an incomplete one)
CASES = [
    ("q-single", "c", "a", None),
    ("q-multiple", ["neu-guong", "hoc-tap", "lam-theo"], ["hoc-tap", "thi-dua"], []),
    ("q-tf", True, False, None),
    ("q-short", "Toàn khoá", "nửa khóa", "   "),
    (
        "q-match",
        {"cv-3058": "ct-27", "cv-3232": "ct-26"},
        {"cv-3058": "ct-26", "cv-3232": "ct-27"},
        {"cv-3058": "ct-27"},
    ),
    ("q-order", ["q3", "t10", "cuoi"], ["t10", "q3", "cuoi"], ["q3", "t10"]),
]
each_case = pytest.mark.parametrize(("qid", "right", "wrong", "partial"), CASES, ids=[c[0] for c in CASES])


@each_case
def test_right_answer(qid, right, wrong, partial):
    view = checked(qid, right)
    assert (view.state.status, view.state.checked, view.state.correct) == ("right", True, True)
    assert '<div class="hoctap-right"' in view.feedback.value and "hoctap-wrong" not in view.feedback.value
    assert "Đúng rồi!" in view.feedback.value and "Đáp án đúng" not in view.feedback.value
    assert f"Giải thích:</strong> Vì văn bản nói vậy ({qid})." in view.feedback.value
    # The plan's own words as the source, after its line: a learner finds them in any copy of the plan.
    assert "Nguồn: kế hoạch, dòng 13: “quý III”" in view.feedback.value


@each_case
def test_wrong_answer_shows_the_right_one(qid, right, wrong, partial):
    view = checked(qid, wrong)
    assert (view.state.status, view.state.checked, view.state.correct) == ("wrong", True, False)
    assert '<div class="hoctap-wrong"' in view.feedback.value and "hoctap-right" not in view.feedback.value
    assert "Chưa đúng." in view.feedback.value and "Đáp án đúng:" in view.feedback.value
    assert "Giải thích:" in view.feedback.value and "Nguồn: kế hoạch, dòng 13: “quý III”" in view.feedback.value


@each_case
def test_unanswered_check_asks_for_an_answer_and_is_not_wrong(qid, right, wrong, partial):
    view = checked(qid, partial)
    assert (view.state.status, view.state.checked, view.state.correct) == ("empty", False, None)
    assert "Hãy chọn hoặc nhập câu trả lời trước khi kiểm tra." in view.feedback.value
    assert "hoctap-wrong" not in view.feedback.value and "Đáp án đúng" not in view.feedback.value


def test_answer_text_names_options_not_ids():
    view = checked("q-order", ["t10", "q3", "cuoi"])
    assert "Quý III năm 2021 → Tháng 10 năm 2021 → Cuối năm 2021" in view.feedback.value
    view = checked("q-match", {"cv-3058": "ct-26", "cv-3232": "ct-27"})
    assert "Công văn 3058/UBND-NC → Chỉ thị 27/CT-TTg" in view.feedback.value


@pytest.mark.parametrize(
    "typed",
    ["toàn khoá", "TOÀN KHOÁ", unicodedata.normalize("NFD", "toàn khoá"), "  Toàn   khóa ", "toàn khoá."],
    ids=["old-tone", "upper", "nfd", "spaces", "dot"],
)
def test_short_answer_accepted_across_tone_placement_nfd_and_case(typed):
    view = checked("q-short", typed)
    assert view.state.correct is True


def test_short_answer_without_diacritics_only_where_allowed():
    strict, plain = view_of("q-short"), view_of("q-plain")
    for view in (strict, plain):
        answer(view, "toan khoa")
        view.check_button.click()
    assert strict.state.correct is False and plain.state.correct is True
    assert strict.input.widget.placeholder == "Nhập câu trả lời"


# ---------------------------------------------------------------- inputs and option order


def test_single_keeps_spec_order_without_a_seed_and_ids_out_of_labels():
    view = view_of("q-single")
    radio = view.input.widget
    assert isinstance(radio, ipywidgets.RadioButtons)
    assert radio.get_state()["_options_labels"] == ("Một", "Hai", "Ba", "Bốn", "Năm")
    assert radio.index is None and radio.layout.width == "auto"


def test_seeded_shuffle_is_reproducible_and_differs_with_another_seed():
    question = TOPIC.question("q-single")
    a, b, c = (PracticeState(question, seed=s) for s in (1, 1, 2))
    assert [o.id for o in a.choices] == [o.id for o in b.choices]
    assert [o.id for o in a.choices] != [o.id for o in c.choices]
    assert sorted(o.id for o in a.choices) == ["a", "b", "c", "d", "e"]
    labels = view_of("q-single", seed=1).input.widget.get_state()["_options_labels"]
    assert list(labels) == [o.text for o in a.choices]


def test_ordering_and_targets_never_listed_in_answer_order():
    order = PracticeState(TOPIC.question("q-order"))
    assert [o.id for o in order.choices] == ["cuoi", "q3", "t10"]  # Vietnamese alphabetical, not the key
    match = PracticeState(TOPIC.question("q-match"))
    assert [o.id for o in match.targets] == ["ct-26", "ct-27", "qd-1847"]


def test_widget_kinds_per_type():
    kinds = {qid: type(view_of(qid).input.controls[0]) for qid, *_ in CASES}
    assert kinds == {
        "q-single": ipywidgets.RadioButtons,
        "q-multiple": ipywidgets.Checkbox,
        "q-tf": ipywidgets.ToggleButtons,
        "q-short": ipywidgets.Text,
        "q-match": ipywidgets.Dropdown,
        "q-order": ipywidgets.Dropdown,
    }
    assert [c.description for c in view_of("q-multiple").input.controls] == [
        "Học tập",
        "Làm theo Bác",
        "Nêu gương",
        "Thi đua",
    ]
    assert view_of("q-tf").input.widget.options == (("Đúng", True), ("Sai", False))
    assert [d.description for d in view_of("q-order").input.controls] == ["Thứ 1", "Thứ 2", "Thứ 3"]


def test_the_key_is_in_no_widget_before_a_check():
    view = view_of("q-short")

    def synced() -> str:
        return json.dumps([w.get_state() for w in descendants(view)], ensure_ascii=False, default=str)

    answer(view, "nửa khóa")
    assert "toàn khóa" not in synced()
    view.check_button.click()
    assert "toàn khóa" in synced()  # lesson practice shows the answer after a check, on purpose


# ---------------------------------------------------------------- changing and resetting


def test_a_changed_answer_clears_the_feedback():
    view = view_of("q-single")
    answer(view, "a")
    view.check_button.click()
    assert view.state.status == "wrong"
    answer(view, "c")
    assert (view.state.status, view.state.checked, view.state.correct) == ("", False, None)
    assert view.feedback.value == ""


def test_reset_button_empties_inputs_and_feedback():
    view = view_of("q-multiple")
    answer(view, ["hoc-tap"])
    view.check_button.click()
    view.reset_button.click()
    assert [box.value for box in view.input.controls] == [False] * 4
    assert (view.state.response, view.state.status, view.feedback.value) == (None, "", "")
    order = view_of("q-order")
    answer(order, ["q3"])  # half filled: the response is still None
    order.reset_button.click()
    assert [d.value for d in order.input.controls] == ["", "", ""]


def test_state_reset_also_empties_the_inputs():
    view = view_of("q-short")
    answer(view, "toàn khóa")
    view.state.reset()
    assert view.input.widget.value == ""


def test_unsetting_one_ordering_position_keeps_the_others():
    view = view_of("q-order")
    answer(view, ["q3", "t10", "cuoi"])
    view.input.controls[2].value = ""
    assert view.state.response is None
    assert [d.value for d in view.input.controls] == ["q3", "t10", ""]


# ---------------------------------------------------------------- classes, CSS, escaping


def test_question_classes_and_one_css_block_when_standalone():
    view = view_of("q-single", number=2)
    assert {"hoctap", "hoctap-question", "hoctap-question-q-single"} <= set(view._dom_classes)
    assert "hoctap-check" in view.check_button._dom_classes and view.check_button.description == "Kiểm tra"
    assert view.reset_button.description == "Làm lại"
    assert "hoctap-feedback" in view.feedback._dom_classes
    assert "Câu 2." in view.prompt.value
    assert sum("<style>" in w.value for w in descendants(view) if isinstance(w, ipywidgets.HTML)) == 1


def test_practice_view_scores_and_has_one_css_block():
    view = PracticeView(TOPIC, ["q-single", "q-tf", "q-order"])
    assert {"hoctap", "hoctap-practice"} <= set(view._dom_classes)
    assert "Luyện tập" in view.heading.value
    assert sum("<style>" in w.value for w in descendants(view) if isinstance(w, ipywidgets.HTML)) == 1
    assert view.score.value == "Đúng 0/3"
    single, tf, order = view.questions
    assert "hoctap-question-q-tf" in tf._dom_classes and "Câu 2." in tf.prompt.value
    answer(single, "c")
    single.check_button.click()
    tf.check_button.click()  # unanswered: not counted either way
    answer(order, ["t10", "q3", "cuoi"])
    order.check_button.click()
    assert view.score.value == "Đúng 1/3"
    answer(tf, True)
    tf.check_button.click()
    assert view.score.value == "Đúng 2/3"
    answer(single, "a")  # a changed answer is no longer a checked right one
    assert view.score.value == "Đúng 1/3"


def test_one_question_per_view_numbered_from_start_without_heading_or_score():
    """A lesson gives each practice question its own cell, one slide each: "Câu 3.", no "Luyện tập", no "Đúng 0/1"."""
    view = PracticeView(TOPIC, ["q-tf"], start=3)
    assert len(view.questions) == 1 and "Câu 3." in view.questions[0].prompt.value
    shown = [w for w in view.children if isinstance(w, ipywidgets.HTML)]
    assert view.heading not in view.children and view.score not in view.children
    assert sum("<style>" in w.value for w in shown) == 1
    answer(view.questions[0], True)
    view.questions[0].check_button.click()
    assert view.score.value == "Đúng 1/1" and "Đúng rồi!" in view.questions[0].feedback.value


def test_practice_view_refuses_unknown_questions():
    with pytest.raises(HoctapError, match="q-khong-co"):
        PracticeView(TOPIC, ["q-single", "q-khong-co"])


def test_spec_text_is_escaped():
    topic = topic_from(spec([q("x", "single", "b", [("a", "Một"), ("b", XSS)], prompt=XSS, explanation=XSS)]))
    view = PracticeView(topic, ["x"])
    question = view.questions[0]
    assert "<script>" not in question.prompt.value and "&lt;script&gt;" in question.prompt.value
    answer(question, "a")
    question.check_button.click()
    assert "<script>" not in question.feedback.value
    assert question.feedback.value.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # answer, explanation
    assert question.input.widget.get_state()["_options_labels"][1] == XSS  # labels are text, not HTML


# ---------------------------------------------------------------- lesson entry point


def test_lesson_practice_loads_the_spec_by_id(tmp_path, monkeypatch):
    install_topic(tmp_path, spec(), monkeypatch)
    view = lesson.practice("2021-thu", ["q-tf", "q-short"])
    assert isinstance(view, PracticeView)
    assert [v.state.question.id for v in view.questions] == ["q-tf", "q-short"]
    assert view.score.value == "Đúng 0/2"
    assert "Câu 5." in lesson.practice("2021-thu", ["q-tf"], start=5).questions[0].prompt.value


# ---------------------------------------------------------------- the real 2021 spec, when it is there

REAL = "2021-chuyen-de-toan-khoa"


@pytest.mark.skipif(not (catalog.layout().topics / f"{REAL}.yaml").is_file(), reason="the 2021 spec is not written yet")
def test_every_question_of_the_2021_spec_is_right_with_its_key_through_the_widgets():
    topic = catalog.topic_by_id(REAL)
    view = lesson.practice(REAL, [question.id for question in topic.questions])
    for question_view in view.questions:
        question = question_view.state.question
        answer(question_view, question.answer[0] if question.type.value == "short-text" else question.answer)
        question_view.check_button.click()
        assert question_view.state.status == "right", question.id
    assert view.score.value == f"Đúng {len(topic.questions)}/{len(topic.questions)}"
    for lesson_spec in topic.lessons:
        assert len(lesson.practice(REAL, lesson_spec.practice).questions) == len(lesson_spec.practice)
