"""Whole HTML pages cut down to an allow-list: what the kit and nbgrader write as files for people to open.

nbgrader's feedback page renders every markdown cell with raw HTML (its template never calls `clean_html`), and a
page opened from disk has no server to send a Content-Security-Policy. So the page itself is rewritten:

- only the tags of documents, text, tables, lists and simple SVG charts stay; `script`, `iframe`, `object`,
  `embed`, `form`, `base`, `svg foreignObject`, `template` … go with everything inside them; other unknown tags
  go but their text stays (escaped);
- only plain attributes stay (no `on…` handler, no `srcdoc`, no `formaction`); `href`/`src` keep only relative
  URLs, `#…`, http(s) and mailto (and `data:image/…` for `src`), never `javascript:`;
- comments go; text is escaped again; `<style>` keeps its CSS;
- a `<meta http-equiv="Content-Security-Policy">` opens `<head>`: no script runs and nothing is fetched, even
  through what the list lets by.

    clean = sanitize_document(html_text)

Python's own `html.parser` reads the page (no dependency); the result is what a browser would build from it,
minus what is not allowed.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# No script at all, nothing from the network: styles and images inline only.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{PAGE_POLICY}">'

ALLOWED_TAGS = frozenset(
    """html head body title meta style header footer main nav section article aside figure figcaption
    h1 h2 h3 h4 h5 h6 p div span br hr pre code blockquote b i u s em strong small sub sup mark abbr kbd samp var
    ul ol li dl dt dd table caption thead tbody tfoot tr th td colgroup col a img label
    svg g rect line polyline polygon circle ellipse path text tspan title desc defs lineargradient stop""".split()
)
# Dropped with their whole content: they run code, embed documents, or hide markup from the reader.
DROPPED_WITH_CONTENT = frozenset(
    "script iframe frame frameset object embed applet noscript noembed template form base foreignobject"
    " textarea select button input xmp plaintext math link".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())  # no end
ALLOWED_ATTRIBUTES = frozenset(
    """class id style title lang dir colspan rowspan scope headers width height align valign alt role charset name
    content http-equiv href src start type reversed span
    xmlns viewbox preserveaspectratio x y x1 y1 x2 y2 cx cy r rx ry d points fill stroke stroke-width
    stroke-dasharray stroke-linecap stroke-linejoin opacity fill-opacity stroke-opacity transform text-anchor
    dominant-baseline font-size font-family font-weight font-style offset stop-color""".split()
)
# The HTML parser gives SVG attributes in lower case; a browser fixes them again, tests and people read these.
SVG_CASE = {"viewbox": "viewBox", "preserveaspectratio": "preserveAspectRatio", "lineargradient": "linearGradient"}
_SAFE_URL = re.compile(r"(?:https?:|mailto:|#|/|\./|\.\./|[^:/?#\s]+(?:[/?#]|$))", re.I)
_SAFE_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\s]+")
_META_KEPT = ("charset", "viewport")


def safe_url(value: str, *, image: bool = False) -> bool:
    """A link or source a page may keep: relative, `#…`, http(s), mailto; inline raster images for `src`."""
    plain = _CONTROL.sub("", html.unescape(value))  # `jav&#x09;ascript:` and `java\tscript:` are javascript:
    if image and _SAFE_IMAGE.match(plain):
        return True
    return bool(plain) and _SAFE_URL.match(plain) is not None


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping: list[str] = []  # open tags whose content goes with them
        self.saw_head = False
        self.removed: list[str] = []  # what the list did not let by: `<script>`, `img onerror`, …

    # ------------------------------------------------------------------ tags
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.dropping:
            if tag == self.dropping[-1] and not closed and tag not in VOID_TAGS:
                self.dropping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            self.removed.append(f"<{tag}>")
            if not closed and tag not in VOID_TAGS:
                self.dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS or (tag == "meta" and not self._meta_kept(attrs)):
            self.removed.append(f"<{tag}>")
            return
        kept = "".join(self._attribute(tag, name, value) for name, value in attrs)
        name = SVG_CASE.get(tag, tag)
        self.out.append(f"<{name}{kept}{' /' if closed and tag not in VOID_TAGS else ''}>")
        if tag == "head" and not self.saw_head:
            self.saw_head = True
            self.out.append(CSP_META)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{SVG_CASE.get(tag, tag)}>")

    @staticmethod
    def _meta_kept(attrs: list[tuple[str, str | None]]) -> bool:
        """Charset and viewport; and any Content-Security-Policy: a browser enforces every policy a page has, so
        one more can only forbid more (a `refresh` or a cookie-setting `http-equiv` goes)."""
        values = dict(attrs)
        return (
            "charset" in values
            or values.get("name") in _META_KEPT
            or (values.get("http-equiv") or "").lower() == "content-security-policy"
        )

    def _attribute(self, tag: str, name: str, value: str | None) -> str:
        value = value or ""
        if (
            (name not in ALLOWED_ATTRIBUTES and not re.fullmatch(r"(?:data|aria)-[a-z0-9-]+", name))
            or (name in ("href", "src") and not safe_url(value, image=(name == "src")))
            or (name == "content" and tag != "meta")
        ):
            self.removed.append(f"<{tag} {name}>")
            return ""
        return f' {SVG_CASE.get(name, name)}="{html.escape(value, quote=True)}"'

    # ------------------------------------------------------------------ text
    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.cdata_elem == "style":
            self.out.append(data.replace("</", "<\\/"))  # CSS as is: only `</` could end the element early
        else:
            self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        if decl.lower().startswith("doctype"):
            self.out.append("<!DOCTYPE html>")

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


def _cleaned(text: str) -> _Cleaner:
    cleaner = _Cleaner()
    cleaner.feed(text)
    cleaner.close()
    return cleaner


def sanitize_document(text: str) -> str:
    """`text` (a whole HTML page, or a fragment) with only allow-listed tags and attributes, no comment and no
    script, opening its `<head>` with a policy that runs no script (a fragment gets the policy first)."""
    cleaner = _cleaned(text)
    out = "".join(cleaner.out)
    return out if cleaner.saw_head else CSP_META + out


def disallowed(text: str) -> list[str]:
    """What `sanitize_document` would take out of `text` (`<script>`, `<img onerror>` …): [] for a page the kit
    writes itself, which its tests check instead of paying for the pass on every page."""
    return _cleaned(text).removed
