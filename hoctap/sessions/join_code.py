"""How a phone finds the session: the learners' join page, with the code in its address, as a link and a QR code.

    join_url("123456")              # http://192.168.1.10:8866/voila/render/session.ipynb?ma=123456
    qr_svg(join_url("123456"))      # an <svg> drawn here, offline (segno): nothing is fetched from outside

The join page's address is what the server that started the trainer's side says (`HOCTAP_JOIN_URL`: `hoctap serve`
sets it from the learner server's address on the room's network; under the hub, the hub's config sets the quiz
service's). Without it (a Lab started by hand), the page's path alone is shown and the code is typed.
"""

from __future__ import annotations

import os
from urllib.parse import quote

JOIN_ENV = "HOCTAP_JOIN_URL"
JOIN_PAGE = "session.ipynb"  # notebooks/learner/session.ipynb
CODE_PARAMETER = "ma"  # ?ma=123456: "mã" without its diacritics, what a phone's address bar shows


def join_page(environ=None) -> str:
    """The join page's address. A path (under the hub: `/services/hoctap-quiz/voila/render/session.ipynb`) is put
    on the host the trainer's page was asked from, which Voila hands its kernel (`SERVER_NAME`, `SERVER_PORT`): the
    room reaches the hub by the same name as the projector did."""
    environ = os.environ if environ is None else environ
    page = environ.get(JOIN_ENV) or f"/voila/render/{JOIN_PAGE}"
    host, port = environ.get("SERVER_NAME"), environ.get("SERVER_PORT")
    if page.startswith("/") and host:
        scheme = "https" if port == "443" else "http"
        shown = f"[{host}]" if ":" in host else host
        page = f"{scheme}://{shown}{'' if port in ('', '80', '443', None) else f':{port}'}{page}"
    return page


def join_url(code: str, page: str | None = None) -> str:
    return f"{page or join_page()}?{CODE_PARAMETER}={quote(code)}"


def code_from_query(query: str | None) -> str:
    """The code in a join page's query string (`ma=123456`), digits only; "" when absent."""
    from urllib.parse import parse_qs

    values = parse_qs(query or "").get(CODE_PARAMETER) or [""]
    return "".join(ch for ch in values[0] if ch.isdigit())[:16]


def qr_svg(url: str, scale: int = 8) -> str:
    """The URL as an inline SVG QR code (error correction M: a projector's glare or a phone's angle still reads it)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000000", light="#ffffff", border=2)
