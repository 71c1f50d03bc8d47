"""Flashcards for what a learner should know by heart: mottos, documents, key terms.

`DeckState` holds the cards, their order, the current card and which side shows; `FlashcardsView`
draws one card and the buttons. The deck clamps at both ends (buttons disabled there) rather than
wrapping, so a room following a projected deck always knows it has reached the last card.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import ipywidgets
import traitlets

from hoctap.errors import HoctapError
from hoctap.topic import Topic

from ..source_ref import source_text
from ..style import date_text, dress, esc

CLASS = "hoctap-flashcards"
KINDS = ("mottos", "documents", "terms")
TITLES = {"mottos": "Phương châm triển khai", "documents": "Văn bản liên quan", "terms": "Thuật ngữ chính"}


@dataclass(frozen=True)
class Card:
    """One card: the prompt, the answer (lines joined by newlines), the source line ('L11') and the plan's words
    there (`evidence`), which the card quotes as its source unless its text already holds them."""

    front: str
    back: str
    cite: str = ""
    evidence: str = ""


class DeckState(traitlets.HasTraits):
    """Which card is shown and whether it is turned over; shuffling only reorders `order`."""

    index = traitlets.Int(0, help="position in the current order of the card shown")
    flipped = traitlets.Bool(False, help="True when the back of the card is shown")
    order = traitlets.List(traitlets.Int(), help="the order of the cards, as indexes into `cards`")

    def __init__(self, cards: list[Card], **kwargs):
        super().__init__(**kwargs)
        self.cards = tuple(cards)
        self.order = list(range(len(self.cards)))

    @traitlets.validate("index")
    def _validate_index(self, proposal):
        return max(0, min(proposal["value"], len(self.cards) - 1))

    def __len__(self) -> int:
        return len(self.cards)

    @property
    def card(self) -> Card | None:
        return self.cards[self.order[self.index]] if self.cards else None

    @property
    def at_first(self) -> bool:
        return self.index == 0

    @property
    def at_last(self) -> bool:
        return self.index >= len(self.cards) - 1

    def flip(self) -> None:
        self.flipped = not self.flipped

    def next(self) -> None:
        self._go(self.index + 1)

    def prev(self) -> None:
        self._go(self.index - 1)

    def _go(self, index: int) -> None:
        # A new card starts face up: the learner should try to recall before turning it.
        with self.hold_trait_notifications():
            self.flipped = False
            self.index = index

    def shuffle(self, seed: int | str | None = None) -> None:
        """Reorder the cards; the same seed gives the same order every time (None: at random)."""
        order = list(range(len(self.cards)))
        random.Random(seed).shuffle(order)
        with self.hold_trait_notifications():
            self.flipped = False
            self.index = 0
            self.order = order


def deck_from_topic(topic: Topic, kind: str) -> DeckState:
    """A deck of `kind` ("mottos", "documents" or "terms") from a topic's facts and contents."""
    facts = topic.facts
    if kind == "mottos":
        cards = [Card(m.text, m.meaning, m.cite, m.evidence) for m in facts.mottos]
    elif kind == "documents":
        cards = [Card(f"{d.kind} {d.number}", _document_back(d), d.cite, d.evidence) for d in facts.documents]
    elif kind == "terms":
        cards = [Card(t.term, t.meaning, t.cite, t.evidence) for c in topic.contents for t in c.key_terms]
    else:
        raise HoctapError(f"không có loại thẻ '{kind}'; chọn một trong: {', '.join(KINDS)}")
    return DeckState(cards)


def _document_back(document) -> str:
    lines = [document.subject]
    if document.date is not None:
        lines.append(f"Ngày ban hành: {date_text(document.date)}")
    lines.append(f"Cơ quan ban hành: {document.issuer}")
    return "\n".join(lines)


def render_card(card: Card | None, flipped: bool) -> str:
    """One face of a card as HTML; `data-side` tells tests and CSS which face it is."""
    if card is None:
        return '<div class="hoctap-card-face" data-side="front"><p>Chưa có thẻ nào.</p></div>'
    if not flipped:
        body = f'<div class="hoctap-card-front">{esc(card.front)}</div>'
        return (
            f'<div class="hoctap-card-face" data-side="front"><div class="hoctap-card-side">Mặt trước</div>{body}</div>'
        )
    lines = "".join(f"<div>{esc(line)}</div>" for line in card.back.split("\n"))
    shown = f"{card.front}\n{card.back}"
    cite = f'<div class="hoctap-cite">{esc(source_text(card.cite, card.evidence, shown))}</div>' if card.cite else ""
    return (
        '<div class="hoctap-card-face" data-side="back"><div class="hoctap-card-side">Mặt sau</div>'
        f'<div class="hoctap-card-prompt hoctap-cite">{esc(card.front)}</div>'
        f'<div class="hoctap-card-back-text">{lines}</div>{cite}</div>'
    )


class FlashcardsView(ipywidgets.VBox):
    """Card, position ("Thẻ 2/8") and the buttons Thẻ trước / Lật thẻ / Thẻ sau / Xáo thẻ."""

    def __init__(self, deck: DeckState, title: str = "", **kwargs):
        super().__init__(**kwargs)
        self.state = deck
        self.title = ipywidgets.HTML(f"<h3>{esc(title)}</h3>" if title else "")
        self.card = ipywidgets.HTML(layout=ipywidgets.Layout(width="100%"))
        self.card.add_class("hoctap-card")
        self.position = ipywidgets.HTML()
        self.position.add_class("hoctap-position")
        self.prev_button = self._button("Thẻ trước", "hoctap-prev", "Xem thẻ trước", lambda: deck.prev())
        self.flip_button = self._button("Lật thẻ", "hoctap-flip", "Xem mặt còn lại của thẻ", lambda: deck.flip())
        self.next_button = self._button("Thẻ sau", "hoctap-next", "Xem thẻ tiếp theo", lambda: deck.next())
        self.shuffle_button = self._button(
            "Xáo thẻ", "hoctap-shuffle", "Xáo trộn thứ tự các thẻ", lambda: deck.shuffle()
        )
        buttons = ipywidgets.HBox([self.prev_button, self.flip_button, self.next_button, self.shuffle_button])
        buttons.add_class("hoctap-controls")
        children = [self.title] if title else []
        dress(self, CLASS, [*children, self.card, self.position, buttons])
        deck.observe(self._render, names=["index", "flipped", "order"])
        self._render()

    @staticmethod
    def _button(label: str, css: str, tooltip: str, action) -> ipywidgets.Button:
        button = ipywidgets.Button(description=label, tooltip=tooltip, layout=ipywidgets.Layout(width="auto"))
        button.add_class(css)
        button.on_click(lambda _: action())
        return button

    def _render(self, _change=None) -> None:
        deck = self.state
        self.card.value = render_card(deck.card, deck.flipped)
        if deck.flipped and deck.card is not None:
            self.card.add_class("hoctap-card-back")
        else:
            self.card.remove_class("hoctap-card-back")
        self.position.value = f"Thẻ {deck.index + 1}/{len(deck)}" if len(deck) else "Thẻ 0/0"
        empty = len(deck) == 0
        self.prev_button.disabled = empty or deck.at_first
        self.next_button.disabled = empty or deck.at_last
        self.flip_button.disabled = empty
        self.shuffle_button.disabled = len(deck) < 2
