"""In Debian Chromium: the screen a learner sees while a page opens speaks plain Vietnamese, with no Jupyter words
(Voila's own says "Running ..." then "Executing 2 of 9", and ours said "Đang chạy ô 2/2"), from the first byte to
the app, and it goes away once the app is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.servers import SLIDER_CODE, assert_offline, write_lesson

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOADING = "Đang mở bài, xin chờ trong giây lát…"
JUPYTER_WORDS = re.compile(r"(?<!\w)(ô|kernel|notebook|cell|jupyter|executing|running|đang chạy)(?!\w)", re.I)


@pytest.fixture(scope="module")
def base(voila_server_module, tmp_path_factory: pytest.TempPathFactory) -> str:
    site: Path = tmp_path_factory.mktemp("loading")
    # three cells, the second slow: the loading screen stays up long enough to be read between cells
    write_lesson(
        site / "2021" / "cham.ipynb",
        "Bài mở chậm",
        [("code", "import time\ntime.sleep(2)", "-"), ("code", "time.sleep(2)", "-"), ("code", SLIDER_CODE, "-")],
    )
    return voila_server_module(site)


def test_the_loading_screen_says_in_vietnamese_that_the_page_opens(base: str, page):
    page.goto(base + "voila/render/2021/cham.ipynb", wait_until="commit")
    text = page.locator("#loading_text")
    text.wait_for(state="attached")
    assert text.evaluate("e => e.closest('[lang]').lang") == "vi"
    seen = set()
    while page.locator("#loading").count() and not page.locator(".widget-slider").count():
        try:
            seen.add(text.inner_text(timeout=1000).strip())
        except Exception:  # noqa: BLE001 - the screen went away between the two looks
            break
        page.wait_for_timeout(100)
    assert seen == {LOADING}, seen

    page.locator(".widget-slider").wait_for(state="visible")
    assert page.locator("#loading").count() == 0, "the loading screen is gone once the app is there"
    assert not JUPYTER_WORDS.search(page.locator("body").inner_text())
    assert_offline(page)


def test_the_loading_text_has_no_jupyter_words_in_the_page_source(base: str, page):
    response = page.goto(base + "voila/render/2021/cham.ipynb")
    source = response.text()
    shown = re.findall(r'<h2 id="loading_text"[^>]*>([^<]*)</h2>', source)
    assert shown == [LOADING]
    calls = re.findall(r"voila_process\(\d+, \d+\)", source)
    assert len(calls) == 3  # each cell updates the screen: with the same words (above, seen in Chromium)
    assert "Đang chạy" not in source and "Executing ${" not in source.split("window.update_loading_text")[0]
