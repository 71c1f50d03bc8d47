"""The instructor dashboard in Debian Chromium, served by the trainer JupyterLab (Voila's server extension behind the
token) on a real gradebook built through the kit's submit-and-grade path (tests/progress_kit.py).

The instructor filters by unit and the counters show that unit's row of `hoctap.progress.tables.unit_table` (computed
here on the same gradebook); downloads the table as XLSX and opens it; finds the learner named
`<script>alert(1)</script>` shown as text (no dialog). Without the token the dashboard is refused, and the
learners' Voila (which serves `notebooks/learner/` only) has no URL for the dashboard or the gradebook.

The lab's Voila renders the dashboard with the kit's own template (serve.lab_command), which asks no CDN for fonts;
one request still leaves: JupyterLab's server hands Voila a MathJax URL on cdnjs (its `mathjax_url` setting), as
formgrader's pages do. The test aborts it, records it, and allows that one and no other; the dashboard works
without it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from hoctap.course.database import engine_for
from hoctap.progress.queries import Filters
from hoctap.progress.tables import unit_table
from hoctap.serve.servers import Server
from tests.conftest import PAGE_TIMEOUT_MS
from tests.progress_kit import EVIL_ID, TOPIC_2021
from tests.progress_kit import EVIL_NAME as EVIL
from tests.servers import running_lab, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = "voila/render/notebooks/instructor/progress.ipynb"
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


MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"  # JupyterLab's mathjax_url (see above)


@dataclass
class Site:
    home: Path
    kit: object
    lab: Server
    token: str

    @property
    def base(self) -> str:
        return self.lab.local_url.rstrip("/")

    @property
    def dashboard(self) -> str:
        return f"{self.base}/{DASHBOARD}?token={self.token}"


@pytest.fixture(scope="module")
def site(browser, progress_kit):
    """The session's progress kit (tests/conftest.py) as HOCTAP_HOME (inherited by JupyterLab and its kernels), the
    dashboard notebook copied into its `notebooks/instructor/`, the quiz into `notebooks/learner/`, and the trainer
    JupyterLab on it."""
    kit = progress_kit
    home = kit.home
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))
        for side, name in (("instructor", "progress.ipynb"), ("learner", "quiz.ipynb")):
            (home / "notebooks" / side).mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "notebooks" / side / name, home / "notebooks" / side / name)
        with running_lab(home, home.parent / "lab.log") as (lab, token):
            yield Site(home, kit, lab, token)


@pytest.fixture
def trainer(browser, site):
    """A page of the trainer's browser: requests leaving the machine are aborted (and listed in `outside`), dialogs
    are recorded and dismissed (`tests.servers.watched_page`)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    yield watched_page(context, PAGE_TIMEOUT_MS)
    context.close()


def open_dashboard(page, site: Site) -> None:
    page.goto(site.dashboard)
    page.locator(".hoctap-counter-learners .hoctap-counter-value").wait_for(timeout=90_000)
    topic = next(t for t in site.kit.topics if t.id == TOPIC_2021)
    label = f"{topic.year}: {topic.title}"  # ipywidgets' <option>s carry labels, not values
    chosen = page.locator(".hoctap-filter-topic select")
    if chosen.input_value() != label:  # the default is the newest topic whose year has begun
        chosen.select_option(label=label)
    page.locator(".hoctap-panel-unit .hoctap-table").wait_for()


def counters(page) -> dict[str, str]:
    names = ("learners", "on_time", "late", "missing", "completion", "mean_score")
    return {n: page.locator(f".hoctap-counter-{n} .hoctap-counter-value").inner_text() for n in names}


def percent(value) -> str:
    return "–" if value != value else f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " %"


def expected(row) -> dict[str, str]:
    return {
        "learners": str(row["learners"]),
        "on_time": str(row["on_time"]),
        "late": str(row["late"]),
        "missing": str(row["missing"]),
        "completion": percent(row["completion"]),
        "mean_score": percent(row["mean_score"]),
    }


def units_of(site: Site):
    topic = next(t for t in site.kit.topics if t.id == TOPIC_2021)
    now = dt.datetime.now(dt.UTC)  # as the dashboard: every 2021 due date has long passed either way
    return unit_table(engine_for(site.kit.course.db_url), [topic], Filters(), now)


def wait_for_counters(page, want: dict[str, str]) -> None:
    page.locator(".hoctap-counter-learners .hoctap-counter-value", has_text=want["learners"]).wait_for()
    page.wait_for_function(
        """want => Object.entries(want).every(([k, v]) =>
            document.querySelector(`.hoctap-counter-${k} .hoctap-counter-value`)?.textContent === v)""",
        arg=want,
    )


def test_the_instructor_filters_by_unit_and_the_counters_are_that_units_row(trainer, site):
    page = trainer
    open_dashboard(page, site)
    units = units_of(site)
    total = {c: str(int(units[c].sum())) for c in ("learners", "on_time", "late", "missing")}
    wait_for_counters(page, total)  # all units: the units' counts add up
    assert page.locator(".hoctap-chart-unit svg").count() == 1
    assert "Hoàn thành theo đơn vị" in page.locator(".hoctap-chart-unit").inner_text()

    unit_select = page.locator(".hoctap-filter-unit select")
    for _, row in units.iterrows():
        unit_select.select_option(label=row["unit"])
        want = expected(row)
        wait_for_counters(page, want)
        assert counters(page) == want
        page.wait_for_function(  # the table is drawn after the counters
            """unit => { const rows = document.querySelectorAll('.hoctap-panel-unit .hoctap-table tbody tr');
                         return rows.length === 1 && rows[0].textContent.includes(unit); }""",
            arg=row["unit"],
        )
    unit_select.select_option(label="Tất cả")
    wait_for_counters(page, total)
    assert page.dialogs == [] and page.errors == []
    assert all(url.startswith(MATHJAX_CDN) for url in page.outside), page.outside


def test_the_instructor_downloads_the_filtered_table_as_xlsx(trainer, site, tmp_path):
    page = trainer
    open_dashboard(page, site)
    units = units_of(site)
    row = units.iloc[0]
    page.locator(".hoctap-filter-unit select").select_option(label=row["unit"])
    wait_for_counters(page, expected(row))
    panel = page.locator(".hoctap-panel-unit")
    panel.locator(".hoctap-download-xlsx").click()
    link = panel.locator("a.hoctap-download-file")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "tien-do-theo-don-vi.xlsx"
    path = tmp_path / "tien-do-theo-don-vi.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Theo đơn vị"]
    sheet = book["Theo đơn vị"]
    header = [c.value for c in sheet[1]]
    assert sheet.max_row == 2  # the unit chosen: one row
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["Đơn vị"] == row["unit"] and values["Số học viên"] == row["learners"]
    assert values["Đúng hạn"] == row["on_time"] and values["Chưa làm (quá hạn)"] == row["missing"]

    page.get_by_role("tab", name="Phân tích câu hỏi").click()  # computed in the background, then drawn
    tables = page.locator(".hoctap-panel-question table.hoctap-table")
    tables.nth(1).wait_for()  # questions, then options
    assert "Độ phân biệt (%)" in tables.nth(0).inner_text() and "Tỉ lệ chọn (%)" in tables.nth(1).inner_text()


def test_a_learner_named_like_a_script_is_text(trainer, site):
    page = trainer
    open_dashboard(page, site)
    page.get_by_role("tab", name="Học viên").click()
    panel = page.locator(".hoctap-panel-learner")
    search = panel.locator(".hoctap-table-search input")
    search.fill("alert")
    search.press("Enter")
    panel.locator(".hoctap-table-count", has_text="Tìm thấy").wait_for()
    cell = panel.locator(".hoctap-table td", has_text=EVIL).first
    cell.wait_for()
    assert cell.inner_text() == EVIL  # shown as the characters it is made of
    assert EVIL_ID in panel.locator(".hoctap-table tbody tr").first.inner_text()
    assert page.locator("script", has_text="alert(1)").count() == 0  # never an element
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_without_the_token_the_dashboard_is_refused(site):
    port = site.lab.port
    for path in (f"/{DASHBOARD}", f"/{DASHBOARD}?token=wrong"):
        status, location, body = get(port, path)
        assert status in (302, 403), (path, status)
        if status == 302:
            assert "/login" in location, location
        assert EVIL not in body and "Tiến độ học tập" not in body


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
