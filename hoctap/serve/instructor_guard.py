"""A Jupyter server extension for the instructors' JupyterLab: formgrader shows learners' words and names, so its
pages run nbgrader's own scripts and nothing else.

`hoctap serve` loads it (`serve.lab_command`: `--ServerApp.jpserver_extensions`). nbgrader's formgrader, on the
same origin as the instructor's Lab and its kernels, renders a submission with raw HTML and prints the student's
name unescaped; a script there runs with the instructor's session (it can start a kernel through `/api/kernels`
and run Python as the server's user). Learner text already reaches nbgrader as inert HTML
(`hoctap.safety.inert_markdown`) and names with markup are refused at import; this is the second wall, for
whatever gets past the first:

- formgrader's grading page is made by `hoctap.grading.GradingPageExporter` (learner cells inert, names escaped)
  and its other pages by a Jinja environment with autoescape: swapped into the server's settings at the first
  request, because extensions load in alphabetical order and nbgrader's settings do not exist yet when this one
  loads;
- every HTML response under `/formgrader` gets a Content-Security-Policy (`policy`): scripts only from the
  server's own files, inline scripts only when their text is one of nbgrader's template scripts with plain
  values where the template has `{{ … }}` (each allowed by its hash), inline event handlers only nbgrader's own,
  no frames, plugins, workers or foreign form targets. A `<script>`, `onerror=`, `javascript:` link or `<iframe
  srcdoc>` that reached the page would not run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path
from typing import Any

from tornado.web import OutputTransform

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)
_TEMPLATE_VALUE = re.compile(r"\{\{.*?\}\}", re.S)
# What a template value may be inside a script: ids, URLs, time zones. No quote (it could leave the JS string),
# no `<` (it could end the script), no backslash (it could escape the closing quote).
_PLAIN_VALUE = r"[^\"'<>\\\n]*"
_HANDLER = re.compile(r"\son[a-z]+\s*=\s*\"([^\"]*)\"", re.I)
_KEPT_FROM_SERVER = ("frame-ancestors", "report-uri")  # Jupyter's own directives, kept as they are

POLICY = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # nbconvert and nbgrader style cells and inputs inline
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'none'",
    "child-src 'none'",
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@functools.cache
def template_scripts() -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...]]:
    """From nbgrader's own formgrader templates and the kit's stand-ins for some of them
    (hoctap.grading.FORMGRADER_STAND_INS: MathJax's): a pattern for each inline script (values where the template
    has `{{ … }}`), and each inline event handler without a template value."""
    from nbgrader.server_extensions.formgrader import handlers

    from hoctap.grading import FORMGRADER_STAND_INS

    scripts: list[re.Pattern[str]] = []
    handler_texts: set[str] = set()
    for path in sorted([*Path(handlers.template_path).rglob("*"), *FORMGRADER_STAND_INS.rglob("*")]):
        if path.suffix not in (".tpl", ".j2"):
            continue
        text = path.read_text(encoding="utf-8")
        for body in _INLINE_SCRIPT.findall(text):
            if "{%" not in body:  # a script whose text depends on template logic is not allowed at all
                parts = _TEMPLATE_VALUE.split(body)
                scripts.append(re.compile(_PLAIN_VALUE.join(re.escape(p) for p in parts), re.S))
        handler_texts.update(h for h in _HANDLER.findall(text) if "{{" not in h)
    return tuple(scripts), tuple(sorted(handler_texts))


def policy(page: str, server_policy: str = "") -> str:
    """The Content-Security-Policy of one formgrader page: nbgrader's inline scripts found in `page` by hash."""
    patterns, handler_texts = template_scripts()
    allowed = sorted(
        {_sha256(body) for body in _INLINE_SCRIPT.findall(page) if any(p.fullmatch(body) for p in patterns)}
    )
    handlers = ["'unsafe-hashes'", *(_sha256(h) for h in handler_texts)] if handler_texts else []
    script_src = " ".join(["script-src 'self'", *allowed, *handlers])
    kept = [d.strip() for d in server_policy.split(";") if d.strip().split(" ", 1)[0] in _KEPT_FROM_SERVER]
    return "; ".join([*POLICY[:1], script_src, *POLICY[1:], *kept])


def harden(settings: dict[str, Any]) -> None:
    """Swap formgrader's exporter and Jinja environment for escaping ones (once; a no-op without formgrader)."""
    exporter = settings.get("nbgrader_exporter")
    if exporter is not None and not getattr(exporter, "hoctap_safe", False):
        from hoctap.grading import GradingPageExporter

        safe = GradingPageExporter(config=exporter.config)
        safe.hoctap_safe = True
        settings["nbgrader_exporter"] = safe
    env = settings.get("nbgrader_jinja2_env")
    if env is not None and not getattr(env, "hoctap_safe", False):
        from jinja2 import Environment

        safe_env = Environment(loader=env.loader, autoescape=True)
        safe_env.hoctap_safe = True
        settings["nbgrader_jinja2_env"] = safe_env


class FormgraderPolicy(OutputTransform):
    """Adds `policy` to formgrader's HTML responses (tornado runs one transform object per request)."""

    def __init__(self, request, settings: dict[str, Any]):
        super().__init__(request)
        base = settings.get("base_url", "/")
        self.applies = request.path.startswith(base.rstrip("/") + "/formgrader")
        if self.applies:
            harden(settings)

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.applies and headers.get("Content-Type", "").startswith("text/html"):
            # A page sent in pieces is hashed on its first piece only: a script in a later piece is refused.
            page = chunk.decode("utf-8", errors="replace")
            headers["Content-Security-Policy"] = policy(page, headers.get("Content-Security-Policy", ""))
        return status_code, headers, chunk


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "hoctap.serve.instructor_guard"}]


def _load_jupyter_server_extension(serverapp) -> None:
    web_app = serverapp.web_app
    # First: a later transform (gzip) would hand this one a compressed page.
    web_app.transforms.insert(0, functools.partial(FormgraderPolicy, settings=web_app.settings))
    serverapp.log.info("hoctap: formgrader pages run only nbgrader's own scripts (Content-Security-Policy)")
