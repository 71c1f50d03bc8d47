"""Browse a topic's contents: one tab per content, or one tab per section of a single content.

`ExplorerState` knows which pages exist and which one is shown; `render_page` turns a page into
HTML (escaped, key terms highlighted); `ContentExplorer` is a `Tab` kept in step with the state.
A trainer projecting the lesson and a learner on a phone see the same pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ipywidgets
import traitlets

from hoctap.errors import HoctapError
from hoctap.topic import Content, KeyTerm, Section, Topic, fold, nfc

from ..source_ref import source_html, source_text
from ..style import dress, esc, markdown_html

CLASS = "hoctap-explorer"
TERM_CLASS = "hoctap-term"
MATERIAL_HEADING = "Tư liệu của báo cáo viên"
TERMS_HEADING = "Thuật ngữ chính"


@dataclass(frozen=True)
class Page:
    """What one tab shows: a whole content, or one part of it — a section (`sections` then holds just that one),
    its key terms (`part` "terms") or its trainer material (`part` "material")."""

    title: str
    content: Content
    sections: tuple[Section, ...]
    whole_content: bool
    part: str = "content"  # "content" | "section" | "terms" | "material"


class ExplorerState(traitlets.HasTraits):
    """Pages and the selected one; no widgets, so lessons and tests can drive it alone."""

    selected = traitlets.Int(0, help="index of the page shown (the selected tab)")

    def __init__(self, topic: Topic, content_id: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.topic = topic
        self.content_id = content_id
        if content_id is None:
            self.pages = tuple(Page(c.short_title, c, tuple(c.sections), True) for c in topic.contents)
        else:
            content = _content(topic, content_id)
            # One page per section, then the key terms and the trainer material on pages of their own: repeated
            # under every section they made each page too tall for a projected slide.
            pages = [Page(s.heading, content, (s,), False, "section") for s in content.sections]
            if content.key_terms:
                pages.append(Page(TERMS_HEADING, content, (), False, "terms"))
            if content.trainer_material:
                pages.append(Page(MATERIAL_HEADING, content, (), False, "material"))
            self.pages = tuple(pages)

    @traitlets.validate("selected")
    def _validate_selected(self, proposal):
        index = proposal["value"]
        if not 0 <= index < len(self.pages):
            raise traitlets.TraitError(
                f"không có trang số {index}: chỉ có {len(self.pages)} trang (0–{len(self.pages) - 1})"
            )
        return index

    def select(self, index: int) -> None:
        self.selected = index

    @property
    def page(self) -> Page:
        return self.pages[self.selected]

    def html(self, index: int | None = None) -> str:
        return render_page(self.pages[self.selected if index is None else index])


def _content(topic: Topic, content_id: str) -> Content:
    for content in topic.contents:
        if content.id == content_id:
            return content
    known = ", ".join(c.id for c in topic.contents)
    raise HoctapError(f"chuyên đề '{topic.id}' không có nội dung '{content_id}'; các nội dung: {known}")


# ---------------------------------------------------------------- key terms

_WORD = re.compile(r"\w+")
# What may stand between the words of a term: spaces and punctuation (as `fold` ignores them), but
# never a line break or the end of a sentence, so a match stays inside one phrase.
_GAP = re.compile(r"[^\w\n.!?]+")


def find_terms(text: str, terms: list[KeyTerm]) -> list[tuple[int, int, KeyTerm]]:
    """(start, end, term) of each key term in `text` (NFC), longest first, never overlapping.

    Words are compared through `hoctap.topic.text.fold`, so case, NFC/NFD and the placement of the
    tone mark (`khoá`/`khóa`) do not matter; whole words only, so `an` never matches in `ban`.
    """
    words = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    keys = [(tuple(fold(w) for w in _WORD.findall(nfc(t.term))), t) for t in terms]
    keys = sorted((k for k in keys if k[0]), key=lambda k: -len(k[0]))
    found: list[tuple[int, int, KeyTerm]] = []
    i = 0
    while i < len(words):
        for key, term in keys:
            run = words[i : i + len(key)]
            if tuple(w[2] for w in run) == key and _joined(text, run):
                found.append((run[0][0], run[-1][1], term))
                i += len(key)
                break
        else:
            i += 1
    return found


def _joined(text: str, run: list[tuple[int, int, str]]) -> bool:
    return all(_GAP.fullmatch(text[a[1] : b[0]]) for a, b in zip(run, run[1:], strict=False))


def highlight(text: str, terms: list[KeyTerm]) -> str:
    """Escaped `text` with each key term wrapped in <mark class="hoctap-term" title="meaning">.

    Matching runs on the raw text and escaping on the pieces between matches, so no entity is cut.
    """
    text = nfc(text)
    out: list[str] = []
    pos = 0
    for start, end, term in find_terms(text, terms):
        out.append(esc(text[pos:start]))
        out.append(f'<mark class="{TERM_CLASS}" title="{esc(term.meaning)}">{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


# ---------------------------------------------------------------- rendering


def render_page(page: Page) -> str:
    """A page as HTML: heading, sections with terms highlighted, key terms, trainer material (those a page holds)."""
    content = page.content
    terms = list(content.key_terms)
    parts = [f'<div class="hoctap-page" data-part="{page.part}">']
    heading = f"Nội dung {content.number}: {content.title}"
    if page.whole_content:
        parts.append(f"<h2>{esc(heading)}</h2>")
        parts.append(source_html(content.cite))
    else:
        parts.append(f'<p class="hoctap-cite">{esc(heading)}</p>')
    tag = "h3" if page.whole_content else "h2"
    for section in page.sections:
        # A <div>, not a <section>: reveal.js takes every <section> in a deck for a slide, and a vertical slide holding
        # one became a "stack" that it hid while showing it (an empty slide).
        parts.append(f'<div class="hoctap-section"><{tag}>{esc(section.heading)}</{tag}>')
        parts.append(markdown_html(section.body, lambda raw: highlight(raw, terms)))
        if section.cites:
            parts.append(source_html(section.cites))
        parts.append("</div>")
    if terms and page.part in ("content", "terms"):
        parts.append(f"<{tag}>{esc(TERMS_HEADING)}</{tag}>")
        parts.append(f'<dl class="hoctap-terms">{"".join(_term_html(t) for t in terms)}</dl>')
    if content.trainer_material and page.part in ("content", "material"):
        parts.append(f"<{tag}>{esc(MATERIAL_HEADING)}</{tag}>")
        for item in content.trainer_material:
            author = f'<p class="hoctap-cite">— {esc(item.author)}</p>' if item.author else ""
            body = markdown_html(item.body)
            parts.append(f'<article class="hoctap-material"><h4>{esc(item.heading)}</h4>{body}{author}</article>')
    parts.append("</div>")
    return "\n".join(parts)


def _term_html(term: KeyTerm) -> str:
    return f"<dt>{esc(term.term)}</dt><dd>{esc(term.meaning)} {_inline_source(term)}</dd>"


def _inline_source(term: KeyTerm) -> str:
    return f'<span class="hoctap-cite">({esc(source_text(term.cite, term.evidence, term.term))})</span>'


# ---------------------------------------------------------------- view


class ContentExplorer(ipywidgets.VBox):
    """A Tab of HTML pages; switching tabs selects in the state and selecting switches tabs."""

    def __init__(self, state: ExplorerState, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        self.pages = [
            ipywidgets.HTML(state.html(i), layout=ipywidgets.Layout(width="100%")) for i in range(len(state.pages))
        ]
        self.tab = ipywidgets.Tab(
            children=self.pages, titles=[p.title for p in state.pages], selected_index=state.selected
        )
        self.tab.add_class("hoctap-tabs")
        dress(self, CLASS, [self.tab])
        self.tab.observe(self._on_tab_change, names="selected_index")
        state.observe(self._on_selected_change, names="selected")

    def _on_tab_change(self, change) -> None:
        # The browser may send any index (even None): the state's validation decides.
        index = change["new"]
        if index is None or not 0 <= index < len(self.state.pages):
            self.tab.selected_index = self.state.selected
            return
        self.state.select(index)

    def _on_selected_change(self, change) -> None:
        self.tab.selected_index = change["new"]
