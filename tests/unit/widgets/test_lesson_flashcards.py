"""Flashcards: decks from a topic, flip/next/prev, reproducible shuffles, escaping, one CSS block."""

from __future__ import annotations

import html
import re

import ipywidgets
import pytest

from hoctap.errors import HoctapError
from hoctap.topic import catalog
from hoctap.topic.model import Topic
from tests.unit.widgets.lesson_specs import base_content, base_spec, install_topic, topic_from
from widgets import lesson
from widgets.lesson.flashcard_deck import Card, DeckState, FlashcardsView, deck_from_topic, render_card

XSS = "<script>alert(1)</script>"


def spec(**fact_changes) -> dict:
    """The base spec with two mottos, two documents and key terms in two contents; `fact_changes` update the facts."""
    facts = {
        "audiences": [{"id": "dang-vien", "name": "Đảng viên"}],
        "mottos": [
            {
                "id": "tren-truoc",
                "text": "Trên trước, dưới sau",
                "meaning": "cấp trên làm trước",
                "cite": "L11",
                "evidence": "x",
            },
            {
                "id": "dang-vien-di-truoc",
                "text": "Đảng viên đi trước",
                "meaning": "nêu gương",
                "cite": "L11",
                "evidence": "x",
            },
        ],
        "documents": [
            {
                "id": "cv-3058",
                "kind": "Công văn",
                "number": "3058/UBND-NC",
                "date": "2016-10-28",
                "issuer": "UBND tỉnh",
                "subject": "thực hiện Chỉ thị 27/CT-TTg",
                "cite": "L27",
                "evidence": "3058/UBND-NC",
            },
            {
                "id": "kl-01",
                "kind": "Kết luận",
                "number": "01-KL/TW",
                "issuer": "Bộ Chính trị",
                "subject": "tiếp tục thực hiện Chỉ thị 05",
                "cite": "L33",
                "evidence": "01-KL/TW",
            },
        ],
    }
    facts.update(fact_changes)

    def content(number: int, terms: list[tuple[str, str]]) -> dict:
        return base_content(
            id=f"noi-dung-{number}",
            number=number,
            title=f"Nội dung {number}",
            short_title=f"ND{number}",
            key_terms=[{"term": t, "meaning": m, "cite": "L7", "evidence": "x"} for t, m in terms],
        )

    return base_spec(
        contents=[content(1, [("tự lực", "dựa vào sức mình")]), content(2, [("nêu gương", "làm gương")])],
        facts=facts,
    )


def make_topic(**fact_changes) -> Topic:
    return topic_from(spec(**fact_changes))


def numbered(n: int) -> DeckState:
    return DeckState([Card(f"mặt trước {i}", f"mặt sau {i}", "L11") for i in range(n)])


def descendants(widget: ipywidgets.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from descendants(child)


# ---------------------------------------------------------------- decks from a topic


def test_motto_cards():
    deck = deck_from_topic(make_topic(), "mottos")
    assert deck.cards == (
        Card("Trên trước, dưới sau", "cấp trên làm trước", "L11", "x"),
        Card("Đảng viên đi trước", "nêu gương", "L11", "x"),
    )


def test_document_cards_give_kind_number_then_subject_date_issuer():
    cards = deck_from_topic(make_topic(), "documents").cards
    assert cards[0].front == "Công văn 3058/UBND-NC"
    assert cards[0].back.split("\n") == [
        "thực hiện Chỉ thị 27/CT-TTg",
        "Ngày ban hành: 28/10/2016",
        "Cơ quan ban hành: UBND tỉnh",
    ]
    assert cards[0].cite == "L27"
    assert "Ngày ban hành" not in cards[1].back  # no date in the spec, none invented


def test_term_cards_come_from_every_content():
    cards = deck_from_topic(make_topic(), "terms").cards
    assert [(c.front, c.back) for c in cards] == [("tự lực", "dựa vào sức mình"), ("nêu gương", "làm gương")]


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(HoctapError, match="mottos, documents, terms"):
        deck_from_topic(make_topic(), "laws")


# ---------------------------------------------------------------- state


def test_flip_next_prev_and_clamping():
    deck = numbered(3)
    assert (deck.index, deck.flipped, deck.card.front) == (0, False, "mặt trước 0")
    deck.prev()
    assert deck.index == 0
    deck.flip()
    assert deck.flipped
    deck.next()
    assert (deck.index, deck.flipped) == (1, False)  # a new card shows its front
    deck.next()
    deck.next()
    assert deck.index == 2 and deck.at_last
    deck.prev()
    assert deck.card.front == "mặt trước 1"


def test_shuffle_is_reproducible_with_a_seed_and_differs_with_another():
    a, b, c = numbered(8), numbered(8), numbered(8)
    a.shuffle(42)
    b.shuffle(42)
    c.shuffle(7)
    assert a.order == b.order
    assert a.order != c.order
    assert sorted(a.order) == list(range(8)) and a.order != list(range(8))


def test_shuffle_starts_again_from_the_first_card_face_up():
    deck = numbered(5)
    deck.next()
    deck.flip()
    deck.shuffle(3)
    assert (deck.index, deck.flipped) == (0, False)
    assert deck.card == deck.cards[deck.order[0]]


# ---------------------------------------------------------------- view


def test_view_flip_shows_the_back_and_marks_the_card():
    view = FlashcardsView(deck_from_topic(make_topic(), "mottos"), title="Phương châm")
    assert 'data-side="front"' in view.card.value and "Trên trước, dưới sau" in view.card.value
    assert "hoctap-card-back" not in view.card._dom_classes
    view.flip_button.click()
    assert view.state.flipped
    assert 'data-side="back"' in view.card.value and "cấp trên làm trước" in view.card.value
    assert "Nguồn: kế hoạch, dòng 11: “x”" in view.card.value
    assert "hoctap-card-back" in view.card._dom_classes
    view.flip_button.click()
    assert "hoctap-card-back" not in view.card._dom_classes and 'data-side="front"' in view.card.value


def test_view_next_prev_position_and_disabled_ends():
    view = FlashcardsView(numbered(8))
    assert view.position.value == "Thẻ 1/8"
    assert view.prev_button.disabled and not view.next_button.disabled
    view.next_button.click()
    assert view.position.value == "Thẻ 2/8" and "mặt trước 1" in view.card.value
    for _ in range(10):
        view.next_button.click()
    assert view.position.value == "Thẻ 8/8" and view.next_button.disabled and not view.prev_button.disabled
    view.prev_button.click()
    assert view.state.index == 6


def test_view_redraws_after_a_shuffle():
    deck = numbered(8)
    view = FlashcardsView(deck)
    deck.shuffle(42)
    assert f"mặt trước {deck.order[0]}" in view.card.value
    view.shuffle_button.click()
    assert view.position.value == "Thẻ 1/8"


def test_view_classes_and_one_css_block():
    view = FlashcardsView(numbered(2), title="Thẻ")
    assert {"hoctap", "hoctap-flashcards"} <= set(view._dom_classes)
    classes = {c for w in descendants(view) for c in getattr(w, "_dom_classes", ())}
    assert {"hoctap-card", "hoctap-flip", "hoctap-next", "hoctap-prev"} <= classes
    assert [b.description for b in (view.prev_button, view.flip_button, view.next_button)] == [
        "Thẻ trước",
        "Lật thẻ",
        "Thẻ sau",
    ]
    styles = [w for w in descendants(view) if isinstance(w, ipywidgets.HTML) and "<style>" in w.value]
    assert len(styles) == 1


def test_empty_deck_says_so_and_disables_the_buttons():
    view = FlashcardsView(DeckState([]))
    assert "Chưa có thẻ nào." in view.card.value and view.position.value == "Thẻ 0/0"
    assert view.prev_button.disabled and view.next_button.disabled and view.flip_button.disabled
    view.flip_button.click()
    assert "hoctap-card-back" not in view.card._dom_classes


def test_card_text_is_escaped():
    card = Card(XSS, f"{XSS}\n{XSS}", "L11")
    for flipped in (False, True):
        out = render_card(card, flipped)
        assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    topic = make_topic(mottos=[{"id": "x", "text": XSS, "meaning": XSS, "cite": "L11", "evidence": "x"}])
    view = FlashcardsView(deck_from_topic(topic, "mottos"), title=XSS)
    assert "<script>" not in view.card.value and "<script>" not in view.title.value


# ---------------------------------------------------------------- lesson entry point


def test_lesson_flashcards_loads_the_spec_and_shuffles_with_a_seed(tmp_path, monkeypatch):
    install_topic(tmp_path, spec(), monkeypatch)
    view = lesson.flashcards("2021-thu", "documents")
    assert isinstance(view, FlashcardsView)
    assert "Văn bản liên quan" in view.title.value and "Công văn 3058/UBND-NC" in view.card.value
    a, b = lesson.flashcards("2021-thu", "terms", seed=5), lesson.flashcards("2021-thu", "terms", seed=5)
    assert a.state.order == b.state.order


def test_the_source_quotes_the_plans_words_unless_the_card_shows_them():
    assert "Nguồn: kế hoạch, dòng 11: “đi trước”" in render_card(Card("Một", "Hai", "L11", "đi trước"), True)
    shown = render_card(Card("Công văn 3058/UBND-NC", "trích yếu", "L27", "3058/UBND-NC"), True)
    assert "Nguồn: kế hoạch, dòng 27<" in shown and "“3058/UBND-NC”" not in shown


# Words a spec author writes for the next author, not for a learner: none may reach a card.
EDITORIAL = ("văn bản nguồn", "đặc tả", "không nêu", "ghi chú", "todo", "dòng l")


@pytest.mark.parametrize("kind", ["mottos", "documents", "terms"])
def test_no_card_of_the_2021_topic_carries_an_editorial_note(kind):
    deck = deck_from_topic(catalog.topic_by_id("2021-chuyen-de-toan-khoa"), kind)
    assert len(deck) > 0
    for card in deck.cards:
        for flipped in (False, True):
            text = html.unescape(re.sub(r"<[^>]+>", " ", render_card(card, flipped))).lower()
            assert not [w for w in EDITORIAL if w in text], f"{card.front}: {text}"
