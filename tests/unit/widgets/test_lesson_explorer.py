"""The content explorer: pages, tab ↔ state, key-term highlighting, escaping, one CSS block."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import unicodedata

import ipywidgets
import pytest
import traitlets

from hoctap.errors import HoctapError
from hoctap.topic.model import Topic
from tests.unit.widgets.lesson_specs import base_content, base_spec, install_topic, topic_from
from widgets import lesson
from widgets.lesson.content_explorer import ContentExplorer, ExplorerState, find_terms, highlight, render_page
from widgets.style import markdown_html

XSS = "<script>alert(1)</script>"


def spec(**content_changes) -> dict:
    """The base spec with two contents; `content_changes` update the first content."""
    first = {
        "id": "noi-dung-1",
        "number": 1,
        "title": "Ý chí tự lực, tự cường",
        "short_title": "Tự lực, tự cường",
        "cite": "L7",
        "key_terms": [
            {"term": "tự lực, tự cường", "meaning": "dựa vào sức mình", "cite": "L7", "evidence": "tự lực"},
            {"term": "chuyên đề toàn khóa", "meaning": "chuyên đề cả nhiệm kỳ", "cite": "L5", "evidence": "toàn"},
            {"term": "toàn khóa", "meaning": "cả nhiệm kỳ", "cite": "L5", "evidence": "toàn khóa"},
        ],
        "sections": [
            {"heading": "Ý chính", "body": "Tinh thần tự lực, tự cường của dân tộc.", "cites": ["L7"]},
            {"heading": "Liên hệ", "body": "Học **chuyên đề toàn khoá** hằng năm.", "cites": []},
        ],
        "trainer_material": [
            {"heading": "Câu chuyện", "body": "Dòng một\ntiếp  \nDòng hai\n\nĐoạn hai", "author": "BCV A"}
        ],
    }
    first.update(content_changes)
    second = base_content(
        id="noi-dung-2",
        number=2,
        title="Ý nghĩa lý luận, thực tiễn",
        short_title="Ý nghĩa",
        sections=[{"heading": "Ý nghĩa", "body": "Giá trị lý luận và thực tiễn."}],
    )
    return base_spec(contents=[first, second])


def make_topic(**content_changes) -> Topic:
    return topic_from(spec(**content_changes))


def descendants(widget: ipywidgets.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from descendants(child)


def style_blocks(view: ipywidgets.Widget) -> int:
    return sum(
        w.value.count("<style>") for w in descendants(view) if isinstance(w, ipywidgets.HTML) and "<style>" in w.value
    )


# ---------------------------------------------------------------- state


def test_pages_are_the_contents_when_no_content_is_given():
    state = ExplorerState(make_topic())
    assert [p.title for p in state.pages] == ["Tự lực, tự cường", "Ý nghĩa"]
    assert state.selected == 0
    assert "Nội dung 1: Ý chí tự lực, tự cường" in state.html()
    assert "Tinh thần" in state.html() and "Học" in state.html()


def test_pages_are_the_sections_of_one_content_then_its_terms_and_material_once():
    state = ExplorerState(make_topic(), "noi-dung-1")
    assert [p.title for p in state.pages] == ["Ý chính", "Liên hệ", "Thuật ngữ chính", "Tư liệu của báo cáo viên"]
    assert "Tinh thần" in state.html(0) and "Tinh thần" not in state.html(1)
    # Key terms and trainer material used to follow every section, which made each page too tall for a slide.
    for section_page in (state.html(0), state.html(1)):
        assert "<dt>" not in section_page and "Câu chuyện" not in section_page
    assert "<dt>tự lực, tự cường</dt>" in state.html(2) and "Câu chuyện" not in state.html(2)
    assert "Câu chuyện" in state.html(3) and "<dt>" not in state.html(3)


def test_a_content_without_terms_or_material_has_only_its_section_pages():
    assert [p.title for p in ExplorerState(make_topic(), "noi-dung-2").pages] == ["Ý nghĩa"]


def test_no_section_element_in_a_page_for_reveal_takes_it_for_a_slide():
    for content in ("noi-dung-1", None):
        state = ExplorerState(make_topic(), content)
        assert all("<section" not in state.html(i) for i in range(len(state.pages)))


def test_unknown_content_names_the_known_ones():
    with pytest.raises(HoctapError, match="noi-dung-1, noi-dung-2"):
        ExplorerState(make_topic(), "noi-dung-9")


def test_select_out_of_range_is_refused():
    state = ExplorerState(make_topic())
    state.select(1)
    assert state.selected == 1
    with pytest.raises(traitlets.TraitError):
        state.select(2)
    assert state.selected == 1


# ---------------------------------------------------------------- view


def test_tab_switch_and_state_stay_in_step():
    view = ContentExplorer(ExplorerState(make_topic()))
    assert view.tab.titles == ("Tự lực, tự cường", "Ý nghĩa")
    assert [type(c) for c in view.tab.children] == [ipywidgets.HTML, ipywidgets.HTML]
    view.tab.selected_index = 1
    assert view.state.selected == 1
    view.state.select(0)
    assert view.tab.selected_index == 0


def test_no_tab_from_the_browser_keeps_the_selected_page():
    view = ContentExplorer(ExplorerState(make_topic()))
    view.tab.selected_index = 1
    view.tab.selected_index = None  # the browser can send any valid trait value
    assert view.tab.selected_index == 1 and view.state.selected == 1


def test_view_has_its_class_and_one_css_block():
    view = ContentExplorer(ExplorerState(make_topic()))
    assert {"hoctap", "hoctap-explorer"} <= set(view._dom_classes)
    assert style_blocks(view) == 1
    css = view.children[0].value
    assert "font-size: 18px" in css and "overflow-wrap: anywhere" in css and "min-height: 44px" in css


# ---------------------------------------------------------------- key terms


def marked(html_text: str) -> list[str]:
    return re.findall(r'<mark class="hoctap-term" title="[^"]*">(.*?)</mark>', html_text)


def test_terms_match_across_case_tone_placement_and_nfd():
    terms = make_topic().contents[0].key_terms
    nfd = unicodedata.normalize("NFD", "CHUYÊN ĐỀ TOÀN KHOÁ")
    out = highlight(f"Học {nfd} và Tự Lực, Tự Cường.", terms)
    assert marked(out) == ["CHUYÊN ĐỀ TOÀN KHOÁ", "Tự Lực, Tự Cường"]
    assert 'title="chuyên đề cả nhiệm kỳ"' in out  # the longest term wins over "toàn khóa"


def test_terms_match_whole_words_on_one_line_only():
    terms = [
        *make_topic().contents[0].key_terms,
        *make_topic(key_terms=[{"term": "an", "meaning": "m", "cite": "L5", "evidence": "an"}]).contents[0].key_terms,
    ]
    assert find_terms("bàn ban", terms) == []
    assert marked(highlight("tự lực\ntự cường", terms)) == []
    assert marked(highlight("tự lực. Tự cường", terms)) == []
    assert marked(highlight("an toàn khóa", terms)) == ["an", "toàn khóa"]


def test_highlight_escapes_without_breaking_entities():
    term = make_topic(key_terms=[{"term": "R&D", "meaning": 'a "quoted" <b>', "cite": "L7", "evidence": "x"}])
    out = highlight("x <R&D> & R&D", term.contents[0].key_terms)
    assert marked(out) == ["R&amp;D", "R&amp;D"]
    assert 'title="a &quot;quoted&quot; &lt;b&gt;"' in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == "x <R&D> & R&D"
    assert highlight("R&D <i>", term.contents[0].key_terms).endswith("</mark> &lt;i&gt;")
    assert highlight("không có <i>", term.contents[0].key_terms) == "không có &lt;i&gt;"


def test_section_text_is_highlighted_on_the_page():
    page = ExplorerState(make_topic()).html(0)
    assert '<mark class="hoctap-term" title="dựa vào sức mình">tự lực, tự cường</mark>' in page
    assert "<strong>" in page and "chuyên đề toàn khoá</mark></strong>" in page


def test_page_lists_terms_with_meaning_and_citation_and_the_trainer_material():
    page = ExplorerState(make_topic()).html(0)
    assert "<dt>tự lực, tự cường</dt>" in page
    # The source as a person can follow it: the plan's line, and its own words there unless the term is them.
    assert "dựa vào sức mình" in page and "(Nguồn: kế hoạch, dòng 7)" in page and "(Nguồn: kế hoạch, dòng 5)" in page
    quoted = make_topic(key_terms=[{"term": "tự lực", "meaning": "m", "cite": "L7", "evidence": "ý chí tự lực"}])
    assert "(Nguồn: kế hoạch, dòng 7: “ý chí tự lực”)" in ExplorerState(quoted).html(0)
    assert "<h3>Tư liệu của báo cáo viên</h3>" in page
    assert "<p>Dòng một tiếp<br>Dòng hai</p>\n<p>Đoạn hai</p>" in page
    assert "— BCV A" in page
    assert "Nguồn: kế hoạch, dòng 7" in page and "dòng L7" not in page


def test_content_without_terms_or_material_has_no_empty_headings():
    page = ExplorerState(make_topic()).html(1)
    assert "Tư liệu của báo cáo viên" not in page and "Thuật ngữ chính" not in page


def test_every_spec_text_is_escaped():
    topic = make_topic(
        title=XSS,
        short_title=XSS,
        key_terms=[{"term": XSS, "meaning": XSS, "cite": "L7", "evidence": "x"}],
        sections=[{"heading": XSS, "body": f"a {XSS}\n\n- {XSS}"}],
        trainer_material=[{"heading": XSS, "body": XSS, "author": XSS}],
    )
    view = ContentExplorer(ExplorerState(topic))
    page = view.pages[0].value
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 7
    assert view.tab.titles[0] == XSS  # a tab title is text, not HTML: escaping it would show &lt;


def test_markdown_subset():
    out = markdown_html("# Tiêu đề\nđoạn\n\n1. một\n   tiếp\n2. hai\n\n**đậm** & <i> *nghiêng* 2 * 3\nnối\\\nngắt")
    assert out == (
        "<h4>Tiêu đề</h4>\n<p>đoạn</p>\n<ol><li>một tiếp</li><li>hai</li></ol>\n"
        "<p><strong>đậm</strong> &amp; &lt;i&gt; <em>nghiêng</em> 2 * 3 nối<br>ngắt</p>"
    )


def test_render_page_of_one_section_names_its_content():
    state = ExplorerState(make_topic(), "noi-dung-1")
    out = render_page(state.pages[1])
    assert "<h2>Liên hệ</h2>" in out and "Nội dung 1: Ý chí tự lực, tự cường" in out


# ---------------------------------------------------------------- lesson entry point


def test_lesson_explorer_loads_the_spec_by_id(tmp_path, monkeypatch):
    install_topic(tmp_path, spec(), monkeypatch)
    view = lesson.explorer("2021-thu", "noi-dung-1")
    assert isinstance(view, ContentExplorer)
    assert view.tab.titles == ("Ý chính", "Liên hệ", "Thuật ngữ chính", "Tư liệu của báo cáo viên")
    with pytest.raises(HoctapError, match="2021-thu"):
        lesson.explorer("2099-khong-co")


def test_the_lesson_import_stays_light():
    """Lesson and quiz kernels import `widgets.lesson`: no pandas there (learner kernels ≤ 60 MB)."""
    code = "import sys, widgets.lesson; print(sorted(m for m in ('pandas', 'numpy', 'nbgrader') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
