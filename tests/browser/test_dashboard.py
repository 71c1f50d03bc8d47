"""The instructor dashboard in Debian Chromium at 1366×768, served by the instructors' Voila (pre-heated kernels,
the Lab's token: hoctap/serve/instructor_voila.py) on a real gradebook built through the kit's submit-and-grade path
(tests/progress_kit.py). One server for the module.

- The first screen tells where learners stand (done / in progress / not started / overdue, k/n assessments
  submitted), as `unit_table` computed here on the same gradebook says, in total and for a unit.
- No table scrolls sideways, nor the page, on the unit, assessment and learner tabs.
- One click on "Tải CSV" / "Tải XLSX" saves a file that opens (csv, openpyxl) with the rows on screen.
- "Học viên" finds Nguyễn Văn Hùng by "Hùng", and no row because of prose ("Những nội dung…" holds "hung"); the
  learner named `<script>alert(1)</script>` is text.
- Without the token (or with a wrong one) the dashboard is refused; the learners' Voila has no URL for it.
- No request leaves the machine (no MathJax CDN), and the page carries the server's Content-Security-Policy.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from hoctap.course.database import engine_for
from hoctap.progress.queries import Filters
from hoctap.progress.tables import learner_table, unit_table
from hoctap.serve.servers import Server
from tests.conftest import PAGE_TIMEOUT_MS
from tests.progress_kit import EVIL_ID, TOPIC_2021
from tests.progress_kit import EVIL_NAME as EVIL
from tests.servers import running_instructor_voila, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = "voila/render/progress.ipynb"
# The learners' Voila must answer none of these with the dashboard or the gradebook.
LEARNER_REFUSED = [  # 404, but 403 from the static file handlers (see the test)
    "/voila/render/../instructor/progress.ipynb",
    "/voila/render/%2e%2e/instructor/progress.ipynb",
    "/voila/render/..%2finstructor%2fprogress.ipynb",
    "/voila/render/notebooks/instructor/progress.ipynb",
    "/voila/render/instructor/progress.ipynb",
    "/voila/files/../instructor/progress.ipynb",
    "/voila/files/../../assessments/gradebook.db",
    "/voila/files/..%2f..%2fassessments%2fgradebook.db",
    "/voila/api/contents/../instructor/progress.ipynb?content=1",
    "/voila/tree/../instructor",
    "/voila/static/../../../assessments/gradebook.db",
    "/files/../../assessments/gradebook.db",
    "/../../assessments/gradebook.db",
]
PLACES = ("learners", "done", "started", "not_started", "overdue")


@dataclass
class Site:
    home: Path
    kit: object
    server: Server
    token: str

    @property
    def dashboard(self) -> str:
        return f"{self.server.local_url}{DASHBOARD}?token={self.token}"


@pytest.fixture(scope="module")
def site(browser, progress_kit):
    """The session's progress kit as HOCTAP_HOME, the dashboard notebook in its `notebooks/instructor/`, the quiz in
    `notebooks/learner/`, and the instructors' Voila on it behind a fresh token (as `hoctap serve` starts it)."""
    kit = progress_kit
    home = kit.home
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))
        for side, name in (("instructor", "progress.ipynb"), ("learner", "quiz.ipynb")):
            (home / "notebooks" / side).mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "notebooks" / side / name, home / "notebooks" / side / name)
        token = secrets.token_hex(24)
        site = home / "notebooks" / "instructor"
        with running_instructor_voila(site, token, home.parent / "instructor-voila.log") as server:
            yield Site(home, kit, server, token)


@pytest.fixture
def trainer(browser, site):
    """A 1366×768 page: requests leaving the machine are aborted and listed, dialogs recorded (watched_page)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 768})
    yield watched_page(context, PAGE_TIMEOUT_MS)
    context.close()


def topic_of(site: Site):
    return next(t for t in site.kit.topics if t.id == TOPIC_2021)


def open_dashboard(page, site: Site) -> None:
    page.goto(site.dashboard)
    page.locator(".hoctap-counter-learners .hoctap-counter-value").wait_for(timeout=90_000)
    topic = topic_of(site)
    chosen = page.locator(".hoctap-filter-topic select")
    if chosen.input_value() != f"{topic.year}: {topic.title}":  # <option>s carry labels, not values
        chosen.select_option(label=f"{topic.year}: {topic.title}")
    page.locator(".hoctap-panel-unit .hoctap-table").wait_for()


def expected(row) -> dict[str, str]:
    want = {c: str(int(row[c])) for c in PLACES}
    want["items"] = f"{int(row['items_done'])}/{int(row['items_assigned'])}"
    return want


def wait_for_counters(page, want: dict[str, str]) -> None:
    page.wait_for_function(
        """want => Object.entries(want).every(([k, v]) =>
            document.querySelector(`.hoctap-counter-${k} .hoctap-counter-value`)?.textContent === v)""",
        arg=want,
    )


def no_sideways_scroll(page) -> None:
    page_box = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert page_box[0] <= page_box[1], page_box
    boxes = page.evaluate(
        """[...document.querySelectorAll('.hoctap-table-scroll')].filter(e => e.offsetParent)
             .map(e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right])"""
    )
    assert boxes, "no table on screen"
    for scroll_width, client_width, right in boxes:
        assert scroll_width <= client_width and right <= page_box[1], boxes


def test_the_first_screen_shows_partial_progress_as_the_tables_and_fits_the_laptop(trainer, site):
    page = trainer
    open_dashboard(page, site)
    units = unit_table(engine_for(site.kit.course.db_url), [topic_of(site)], Filters(), dt.datetime.now(dt.UTC))
    total = expected(units[[*PLACES, "items_done", "items_assigned"]].sum())
    # After every 2021 deadline, whoever left something undone is overdue; what they did submit is counted (k/n).
    assert 0 < int(units["items_done"].sum()) < int(units["items_assigned"].sum())
    wait_for_counters(page, total)
    chart = page.locator(".hoctap-chart-unit")
    assert chart.locator("svg").count() == 1
    assert all(word in chart.inner_text() for word in ("Hoàn thành", "Đang làm", "Chưa bắt đầu", "Quá hạn"))
    no_sideways_scroll(page)

    row = units.iloc[0]
    page.locator(".hoctap-filter-unit select").select_option(label=row["unit"])
    wait_for_counters(page, expected(row))
    page.locator(".hoctap-filter-unit select").select_option(label="Tất cả")
    wait_for_counters(page, total)

    for tab in ("Theo bài kiểm tra", "Học viên"):
        page.get_by_role("tab", name=tab).click()
        page.locator(".hoctap-table-scroll:visible").first.wait_for()
        no_sideways_scroll(page)
    assert page.dialogs == [] and page.errors == [] and page.outside == []
    assert "default-src 'self'" in page.policies[f"/{DASHBOARD}"]


def test_search_by_name_finds_the_learner_and_downloads_are_one_click(trainer, site, tmp_path):
    page = trainer
    open_dashboard(page, site)
    rows = learner_table(engine_for(site.kit.course.db_url), [topic_of(site)], Filters(), dt.datetime.now(dt.UTC))
    hung = rows[rows["name"] == "Nguyễn Văn Hùng"]
    page.get_by_role("tab", name="Học viên").click()
    panel = page.locator(".hoctap-panel-learner")
    who = panel.locator(".hoctap-table-who input")

    def find(text: str, count: int) -> None:
        who.fill(text)
        who.press("Enter")
        panel.locator(".hoctap-table-count", has_text=f"Tìm thấy {count} /").wait_for()

    find("Những", 0)  # a word of the assessments' titles, in no learner's name
    find("Hùng", len(hung))
    names = panel.locator(".hoctap-table tbody tr td:first-child").all_inner_texts()
    assert names == ["Nguyễn Văn Hùng"] * len(hung)

    with page.expect_download() as download:
        panel.locator(".hoctap-download-csv").click()  # one click: the file is saved
    assert download.value.suggested_filename == "tien-do-hoc-vien.csv"
    path = tmp_path / "hoc-vien.csv"
    download.value.save_as(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["Họ và tên"] for r in table] == ["Nguyễn Văn Hùng"] * len(hung)

    find("alert", 1 * len(rows[rows["learner_id"] == EVIL_ID]))
    cell = panel.locator(".hoctap-table td", has_text=EVIL).first
    assert cell.inner_text() == EVIL  # shown as the characters it is made of
    assert page.locator("script", has_text="alert(1)").count() == 0
    with page.expect_download() as download:
        panel.locator(".hoctap-download-xlsx").click()
    assert download.value.suggested_filename == "tien-do-hoc-vien.xlsx"
    path = tmp_path / "hoc-vien.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    names = [r[header.index("Họ và tên")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [EVIL] * len(rows[rows["learner_id"] == EVIL_ID])
    assert page.dialogs == [] and page.outside == []


def test_without_the_labs_token_the_dashboard_is_refused(site):
    port = site.server.port
    for path in (f"/{DASHBOARD}", f"/{DASHBOARD}?token=wrong"):
        status, location, body = get(port, path)
        assert status in (302, 403), (path, status)
        if status == 302:
            assert "/login" in location, location
        assert EVIL not in body and "Tiến độ học tập" not in body
    assert get(port, f"/{DASHBOARD}?token={site.token}")[0] == 200


def test_the_learners_voila_has_no_url_for_the_dashboard_or_the_gradebook(site, voila_server_module):
    base = voila_server_module(site.home / "notebooks" / "learner")
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    assert get(port, "/voila/render/quiz.ipynb")[0] == 200  # the learner site itself answers
    for path in LEARNER_REFUSED:
        status, _, body = get(port, path)
        # tornado's static file handler (Voila's /voila/files, /voila/static) answers 403 for a path outside its root
        refused = (403, 404) if path.startswith(("/voila/files/", "/voila/static/")) else (404,)
        assert status in refused, f"{path}: HTTP {status}"
        assert EVIL not in body and "progress_app" not in body and "SQLite format" not in body, path


def get(port: int, path: str) -> tuple[int, str, str]:
    """GET `path` exactly as written (no redirect followed, no `..` normalised away): status, Location, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, response.getheader("Location") or "", body
    finally:
        connection.close()
