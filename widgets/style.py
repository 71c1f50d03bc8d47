"""The look every component shares, and the small HTML helpers that keep spec text safe.

Lessons are projected to a room and opened on phones, so one CSS block sets a large base font,
high contrast (dark on light, WCAG AA), text that wraps instead of overflowing a 360 px screen, and
44 px touch targets. ipywidgets' own CSS truncates labels (`white-space: nowrap; text-overflow:
ellipsis`) and fixes heights at 28 px: the rules below undo that inside `.hoctap` only, so the
kit never restyles the rest of a notebook. Each top-level view injects this block once, through
`style_widget()`; nested parts (a question inside a practice set) do not.

Every string that comes from a spec is escaped before it enters an HTML widget (`esc`): a spec is
data and could contain `<`. Widget labels (RadioButtons, Checkbox, Dropdown, Tab titles) are set as
text by ipywidgets and must *not* be escaped, or learners would see `&lt;`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable

import ipywidgets

from hoctap.safety import visible

# Class names the browser tests rely on live in the modules that add them; these two are shared.
BASE_CLASS = "hoctap"
STYLE_CLASS = "hoctap-style"

CSS = """
.hoctap {
  --jp-widgets-font-size: 18px;
  --jp-widgets-inline-height: 44px;
  --jp-widgets-inline-width: 100%;
  --jp-widgets-inline-label-width: auto;
  --jp-widgets-radio-item-height: auto;
  --jp-widgets-horizontal-tab-height: 44px;
  font-size: 18px;
  line-height: 1.5;
  color: #1a1a1a;
  background: #ffffff;
  max-width: 100%;
  box-sizing: border-box;
  padding: 8px;
}
.hoctap *, .hoctap *::before, .hoctap *::after { box-sizing: border-box; }
.hoctap h2 { font-size: 1.6em; line-height: 1.25; margin: 0.4em 0; color: #0d2b45; }
.hoctap h3 { font-size: 1.35em; line-height: 1.3; margin: 0.8em 0 0.4em; color: #0d2b45; }
.hoctap h4 { font-size: 1.15em; line-height: 1.3; margin: 0.6em 0 0.3em; color: #0d2b45; }
.hoctap p, .hoctap li, .hoctap dd, .hoctap dt, .hoctap label, .hoctap span,
.hoctap .widget-html-content, .hoctap .widget-label, .hoctap .widget-label-basic {
  white-space: normal;
  overflow-wrap: anywhere;
  text-overflow: clip;
}
.hoctap .widget-html, .hoctap .widget-html-content {
  font-size: 18px;
  line-height: 1.5;
  color: #1a1a1a;
  max-width: 100%;
}
.hoctap .widget-box, .hoctap .widget-hbox, .hoctap .widget-vbox, .hoctap .widget-inline-hbox {
  max-width: 100%;
  overflow: visible;
}
.hoctap .widget-hbox, .hoctap .widget-inline-hbox { flex-wrap: wrap; }
.hoctap .widget-button, .hoctap .jupyter-button, .hoctap .widget-toggle-button {
  min-height: 44px;
  height: auto;
  min-width: 44px;
  width: auto;
  padding: 6px 16px;
  margin: 4px 8px 4px 0;
  font-size: 18px;
  line-height: 1.3;
  white-space: normal;
  border-radius: 6px;
  background: #0b4f8a;
  color: #ffffff;
}
.hoctap .widget-toggle-button { background: #e8edf2; color: #1a1a1a; border: 2px solid #0b4f8a; }
.hoctap .widget-toggle-button.mod-active { background: #0b4f8a; color: #ffffff; }
.hoctap .jupyter-button:disabled { opacity: 0.45; cursor: default; }
.hoctap .jupyter-button:focus-visible, .hoctap select:focus-visible, .hoctap input:focus-visible {
  outline: 3px solid #b35900;
  outline-offset: 2px;
}
.hoctap .widget-radio, .hoctap .widget-checkbox, .hoctap .widget-dropdown, .hoctap .widget-text {
  width: auto;
  max-width: 100%;
  height: auto;
  line-height: 1.4;
}
.hoctap .widget-radio-box label, .hoctap .widget-checkbox label {
  display: flex;
  align-items: flex-start;
  gap: 10px;
  min-height: 44px;
  height: auto;
  padding: 8px 4px;
  line-height: 1.4;
  font-size: 18px;
  cursor: pointer;
}
.hoctap .widget-radio-box input, .hoctap .widget-checkbox input {
  flex: 0 0 auto;
  width: 22px;
  height: 22px;
  margin: 2px 0 0 0;
}
.hoctap .widget-radio-box label { flex-direction: row-reverse; justify-content: flex-end; }
.hoctap select, .hoctap input[type='text'] {
  min-height: 44px;
  font-size: 18px;
  max-width: 100%;
  color: #1a1a1a;
  background: #ffffff;
  border: 2px solid #44505c;
}
.hoctap .widget-dropdown > select { flex: 1 1 12em; min-width: 0; }
.hoctap .jupyter-widgets.widget-tab > .lm-TabBar,
.hoctap .jupyter-widgets.widget-tab > .lm-TabBar > .lm-TabBar-content {
  min-height: auto;
  height: auto;
  flex-wrap: wrap;
  font-size: 18px;
}
.hoctap .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab {
  flex: 0 1 auto;
  align-items: center;
  min-height: 44px;
  max-width: 100%;
  padding: 8px 14px;
  font-size: 18px;
  line-height: 1.3;
  color: #1a1a1a;
  background: #e8edf2;
  border: 1px solid #8a96a3;
}
.hoctap .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab.lm-mod-current {
  color: #0b4f8a;
  background: #ffffff;
  font-weight: bold;
  border-top: 4px solid #0b4f8a;
  min-height: 44px;
}
.hoctap .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tabLabel {
  line-height: 1.3;
  white-space: normal;
  overflow: visible;
  text-overflow: clip;
}
.hoctap .widget-tab-contents { overflow: visible; padding: 12px; }
.hoctap-cite { font-size: 0.85em; color: #44505c; }
mark.hoctap-term { background: #ffe680; color: #1a1a1a; padding: 0 2px; border-radius: 3px; cursor: help; }
.hoctap-terms dt { float: none; width: auto; font-weight: bold; margin-top: 0.5em; }
.hoctap-terms dd { float: none; width: auto; margin: 0 0 0.3em 1em; }
.hoctap-material { border-left: 4px solid #0b4f8a; padding: 4px 12px; margin: 8px 0; background: #f3f6f9; }
.hoctap-card-face {
  min-height: 8em;
  display: flex;
  flex-direction: column;
  justify-content: center;
  gap: 0.4em;
  padding: 1em 1.25em;
  border: 3px solid #0b4f8a;
  border-radius: 12px;
  background: #ffffff;
  font-size: 1.3em;
  line-height: 1.4;
  text-align: center;
}
.hoctap-card-face[data-side='back'] { background: #eef5fc; border-color: #1d6b3a; font-size: 1.1em; }
.hoctap-card-side { font-size: 0.7em; text-transform: uppercase; letter-spacing: 0.05em; color: #44505c; }
.hoctap-card-front { font-weight: bold; }
.hoctap-position { font-weight: bold; }
.hoctap-tl { list-style: none; margin: 12px 0; padding: 0 0 0 24px; border-left: 4px solid #5a6b7d; }
.hoctap-tl > li { position: relative; margin: 0 0 14px 0; padding: 8px 12px; border-radius: 8px; background: #f3f6f9; }
.hoctap-tl > li::before {
  content: '';
  position: absolute;
  left: -36px;
  top: 14px;
  width: 20px;
  height: 20px;
  border-radius: 50%;
  background: #5a6b7d;
  border: 3px solid #ffffff;
}
.hoctap-tl-date { font-weight: bold; color: #0d2b45; }
.hoctap-tl-status { font-weight: bold; }
.hoctap-tl-past .hoctap-tl-status { color: #5c3d00; }
.hoctap-tl-future .hoctap-tl-status, .hoctap-tl-due .hoctap-tl-status { color: #0b5d1e; }
.hoctap-tl > li.hoctap-today { background: #fff1cc; border: 2px solid #b35900; color: #1a1a1a; }
.hoctap-tl > li.hoctap-today::before { background: #c0392b; }
.hoctap-question { border: 1px solid #c5cdd5; border-radius: 10px; padding: 10px 12px; margin: 10px 0; }
.hoctap-prompt { font-weight: bold; }
.hoctap-hint { color: #44505c; font-style: italic; }
.hoctap-right, .hoctap-wrong, .hoctap-empty { padding: 8px 12px; border-radius: 8px; border-left: 6px solid; }
.hoctap-right { background: #e7f5ea; color: #0b4d1b; border-color: #1d6b3a; }
.hoctap-wrong { background: #fdecec; color: #7d1616; border-color: #b02a2a; }
.hoctap-empty { background: #fff6db; color: #4d3800; border-color: #b35900; }
.hoctap-right p, .hoctap-wrong p, .hoctap-empty p { margin: 0.25em 0; }
.hoctap-score { font-size: 1.2em; font-weight: bold; color: #0d2b45; }
"""


def style_widget() -> ipywidgets.HTML:
    """The CSS as a widget: a view puts it first among its children, once."""
    widget = ipywidgets.HTML(f"<style>{CSS}</style>")
    widget.add_class(STYLE_CLASS)
    return widget


def dress(box: ipywidgets.Box, name: str, children: Iterable[ipywidgets.Widget]) -> ipywidgets.Box:
    """Give a view's box its stable classes and its children, the style block first."""
    box.children = (style_widget(), *children)
    box.add_class(BASE_CLASS)
    box.add_class(name)
    box.layout.max_width = "100%"
    return box


def classed(widget: ipywidgets.Widget, *classes: str) -> ipywidgets.Widget:
    """`widget` with `classes` added: built and given its stable classes in one expression (the apps' views)."""
    for name in classes:
        widget.add_class(name)
    return widget


# ---------------------------------------------------------------- HTML helpers


def esc(text: object) -> str:
    """Text made safe for an HTML widget (quotes too: it may land in an attribute). Stored learner text may hold
    control characters or a lone surrogate, which the kernel's message encoder refuses: `visible` shows them."""
    return html.escape(visible(str(text)), quote=True)


def date_text(day: dt.date) -> str:
    """Dates as Vietnamese readers write them: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def number_text(n: int) -> str:
    """Thousands grouped with a dot, as Vietnamese writes numbers: 1520 → '1.520'."""
    return f"{n:,}".replace(",", ".")


_EMPHASIS = re.compile(r"\*\*(?P<strong>.+?)\*\*|\*(?=\S)(?P<em>.+?)(?<=\S)\*")
_HARD_BREAK = re.compile(r"(?:  +|\\)$")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")
_HEADING = re.compile(r"^(#{1,6})\s+")
_BLANK = re.compile(r"\n\s*\n")


def markdown_html(text: str, inline: Callable[[str], str] = esc) -> str:
    """A small, safe subset of Markdown: paragraphs, lists, `#` headings, **bold**, *italic*.

    As in Markdown, a single newline is a space (specs are hard-wrapped in YAML) and a line ending
    in two spaces or a backslash is a line break. Spec bodies are short explanations; a full
    Markdown engine would be one more dependency in the learner kernel. `inline` turns raw text
    into safe HTML (escape, or escape and highlight): it only ever sees raw text, so a highlight
    can never cut an entity such as `&amp;` in two.
    """
    blocks = [b for b in _BLANK.split(text.replace("\r\n", "\n").strip()) if b.strip()]
    return "\n".join(_block(block.split("\n"), inline) for block in blocks)


def _block(lines: list[str], inline: Callable[[str], str]) -> str:
    first = lines[0]
    if heading := _HEADING.match(first):
        level = min(6, 3 + len(heading.group(1)))
        rest = f"\n{_block(lines[1:], inline)}" if lines[1:] else ""
        return f"<h{level}>{_inline(first[heading.end() :].strip(), inline)}</h{level}>{rest}"
    for marker, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        if marker.match(first):
            items: list[list[str]] = []
            for line in lines:
                if marker.match(line):
                    items.append([marker.sub("", line, count=1)])
                else:
                    items[-1].append(line)
            body = "".join(f"<li>{_lines(item, inline)}</li>" for item in items)
            return f"<{tag}>{body}</{tag}>"
    return f"<p>{_lines(lines, inline)}</p>"


def _lines(lines: list[str], inline: Callable[[str], str]) -> str:
    out = ""
    for i, line in enumerate(lines):
        hard = bool(_HARD_BREAK.search(line)) and i < len(lines) - 1
        text = _inline(_HARD_BREAK.sub("", line).strip(), inline)
        out += text + ("<br>" if hard else " " if i < len(lines) - 1 else "")
    return out


def _inline(text: str, inline: Callable[[str], str]) -> str:
    out: list[str] = []
    pos = 0
    for match in _EMPHASIS.finditer(text):
        out.append(inline(text[pos : match.start()]))
        tag = "strong" if match.group("strong") is not None else "em"
        out.append(f"<{tag}>{inline(match.group(tag))}</{tag}>")
        pos = match.end()
    out.append(inline(text[pos:]))
    return "".join(out)
