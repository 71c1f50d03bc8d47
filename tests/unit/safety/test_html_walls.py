"""The walls behind the escaping: the allow-list for pages people open from disk, and formgrader's policy, which lets
nbgrader's own inline scripts run and nothing a learner could put in the page."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from hoctap.safety.allowlist import CSP_META, disallowed, safe_url, sanitize_document
from hoctap.safety.inert import inert_markdown, is_inert, make_inert
from hoctap.serve.instructor_guard import POLICY, policy, template_scripts

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)><rect/></svg>",
    '<a href="javascript:alert(4)">a</a>',
    '<a href=" jav&#x09;ascript:alert(5)">b</a>',
    '<iframe srcdoc="<script>alert(6)</script>"></iframe>',
    "<form action=x><button formaction=javascript:alert(7)>c</button></form>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(8)">',
    '<base href="javascript:/">',
    "<object data=x></object><embed src=x>",
    "<svg><foreignObject><script>alert(9)</script></foreignObject></svg>",
    "<math><mtext><script>alert(10)</script></mtext></math>",
    "<link rel=stylesheet href=//evil.example/x.css>",
]


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def scan(html: str) -> _Scan:
    s = _Scan()
    s.feed(html)
    s.close()
    return s


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_allow_list_leaves_nothing_that_runs_or_fetches(payload):
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body><p>Trước</p>{payload}<p>Sau</p></body></html>"
    clean = sanitize_document(page)
    found = scan(clean)
    assert not {"script", "iframe", "form", "button", "object", "embed", "base", "link", "foreignobject"} & set(
        found.tags
    )
    assert not [name for name, _ in found.attrs if name.startswith("on") or name in ("srcdoc", "formaction")]
    assert not [v for name, v in found.attrs if name in ("href", "src") and not safe_url(v or "")]
    assert "javascript" not in clean.lower().replace("&", "")
    assert clean.count("Content-Security-Policy") == 1 and clean.index(CSP_META) < clean.index("<title>")
    assert "Trước" in found.text and "Sau" in found.text  # the page around it stays
    assert disallowed(page) != []


def test_the_allow_list_keeps_a_page_the_kit_writes_as_it_is():
    page = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>a > b { color: red }</style></head><body>'
        '<table><thead><tr><th scope="col">Họ &amp; tên</th></tr></thead><tbody><tr><td class="n">1</td></tr></tbody>'
        '</table><svg viewBox="0 0 10 10" aria-label="biểu đồ"><rect x="1" y="2" width="3" height="4" data-value="5"'
        ' /><text x="1">t</text></svg><a href="#bang-unit">Bảng</a></body></html>'
    )
    assert disallowed(page) == []
    clean = sanitize_document(page)
    assert 'viewBox="0 0 10 10"' in clean and "a > b" in clean and 'data-value="5"' in clean
    assert scan(clean).text == scan(page).text


def test_learner_text_is_inert_and_only_that_shape_is():
    text = "a <b>b</b>\n\n[c](javascript:d) $e$ & `f`"
    assert is_inert(inert_markdown(text))
    forged = inert_markdown("x").replace("x", "<script>y</script>")  # the shape, but with a tag inside
    assert not is_inert(forged) and not is_inert(inert_markdown("x") + "\n\n[c](javascript:d)")
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": forged, "metadata": {"nbgrader": {"solution": True}}},
            {"cell_type": "markdown", "source": "# Đề bài", "metadata": {"nbgrader": {"locked": True}}},
        ]
    }
    assert make_inert(nb) == 1 and is_inert(nb["cells"][0]["source"])
    assert nb["cells"][1]["source"] == "# Đề bài"  # the kit's own cells are left alone
    assert make_inert(nb) == 0  # once is enough


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_formgrader_policy_allows_nbgrader_scripts_by_hash_and_nothing_else():
    scripts, handlers = template_scripts()
    assert scripts and "toggle_name(true);" in handlers
    nbgrader_own = (
        '\nvar submission_id = "42";\nvar notebook_id = "2030-cam-ket";\nvar assignment_id = "2030-cam-ket";\n'
    )
    nbgrader_own += 'var base_url = "/formgrader";\n'
    breaking_out = nbgrader_own.replace('"42"', '"42";alert(1);"')
    learner = "alert(document.cookie)"
    page = f"<script>{nbgrader_own}</script><script>{breaking_out}</script><p><script>{learner}</script></p>"
    csp = policy(page, "frame-ancestors 'self'; report-uri /api/security/csp-report")
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert _sha(nbgrader_own) in script_src
    assert _sha(breaking_out) not in script_src and _sha(learner) not in script_src
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert _sha("toggle_name(true);") in script_src  # nbgrader's own inline handlers, by hash
    for directive in (*POLICY, "frame-ancestors 'self'", "report-uri /api/security/csp-report"):
        assert directive in csp.split("; ")
    assert re.search(r"frame-src 'none'", csp) and "object-src 'none'" in csp


def test_the_instructors_lab_loads_the_guard_by_a_name_that_imports():
    import importlib
    from pathlib import Path

    from hoctap.serve.servers import lab_command

    command = lab_command(Path("/srv/kit"), "127.0.0.1", 9999)
    name, _, enabled = command[command.index("--ServerApp.jpserver_extensions") + 1].partition("=")
    module = importlib.import_module(name)  # a wrong name only makes Jupyter log a warning: formgrader left open
    assert enabled == "True" and hasattr(module, "_load_jupyter_server_extension")
    assert module._jupyter_server_extension_points() == [{"module": name}]
