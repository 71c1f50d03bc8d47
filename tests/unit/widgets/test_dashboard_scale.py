"""The dashboard at province scale, without a browser: the name search apart from the any-text search, the columns
a 1,366 px screen shows, one-click downloads, the per-assessment chart, and the instructors' Voila's settings (its
pool, its token, its policy) and how `hoctap serve` and the hub start it."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from hoctap.hub.config import DASHBOARD_SERVICE, services
from hoctap.serve import instructor_voila, servers
from hoctap.serve.servers import Server, banner
from widgets.dashboard.charts import assessment_chart
from widgets.dashboard.preheat import refresh_when_taken
from widgets.dashboard.table import TableState, TableView, table_html
from widgets.dashboard.table.downloads import save_script

PROSE = "Kiểm tra nội dung 1: Những nội dung cơ bản"


def learners() -> pd.DataFrame:
    names = ["Nguyễn Văn Hùng", "Trần Văn Hưng", "Lê Thị Nhung", "<b>Hùng</b>"]
    return pd.DataFrame(
        {
            "learner_id": ["pk-01", "pk-02", "pk-03", "pk-04"] * 3,
            "name": names * 3,
            "unit": ["Văn phòng"] * 12,
            "assessment": [PROSE] * 12,
            "percent": [80.0, 60.5, None, 10.0] * 3,
        }
    )


def test_a_name_search_finds_learners_by_name_or_id_never_by_prose():
    state = TableState(learners())
    state.who = "Hùng"  # with its marks: Hùng, not Hưng; "Những" in every title does not count
    assert set(state.rows["learner_id"]) == {"pk-01", "pk-04"}
    state.who = "hung"  # without marks: both Hùng and Hưng, still not Nhung nor the prose
    assert set(state.rows["learner_id"]) == {"pk-01", "pk-02", "pk-04"}
    state.who = "pk-03"
    assert set(state.rows["name"]) == {"Lê Thị Nhung"}
    state.who = "nhung"
    assert set(state.rows["learner_id"]) == {"pk-03"}
    assert state.count_text() == "Tìm thấy 3 / 12 dòng"


def test_the_any_text_search_matches_at_word_starts():
    state = TableState(learners())
    state.query = "hung"  # "Những" holds "hung" inside a word: no longer a match by itself
    assert set(state.rows["learner_id"]) == {"pk-01", "pk-02", "pk-04"}
    state.query = "nhung"
    assert len(state.rows) == 12  # the title's "Những" and Nhung's name both start with it
    state.query = "nhung"
    state.who = "pk-01"  # both at once
    assert set(state.rows["learner_id"]) == {"pk-01"}


def test_the_screen_shows_the_key_columns_first_and_escapes_every_cell():
    state = TableState(learners(), shown=("name", "learner_id", "percent", "assessment", "absent"))
    assert state.columns == ["name", "learner_id", "percent", "assessment"]
    view = TableView(state, table="learner")
    html = view.table.value
    heads = re.findall(r'<th scope="col">([^<]*)</th>', html)
    assert heads == ["Họ và tên", "Mã học viên", "Tỉ lệ điểm (%)", "Bài kiểm tra"]
    assert "&lt;b&gt;Hùng&lt;/b&gt;" in html and "<b>" not in html
    assert view.who.layout.display is None  # a table of learners has the name search
    assert set(view.state.frame.columns) == set(learners().columns)  # the downloads keep every column
    units = TableView(TableState(pd.DataFrame({"unit": ["A"], "learners": [3]})))
    assert units.who.layout.display == "none"  # no learner to search for in a table of units
    assert "hoctap-text-long" in table_html(pd.DataFrame({"prompt": ["Câu hỏi dài"]}))


def test_a_download_is_one_click_its_link_is_clicked_by_a_script():
    view = TableView(TableState(learners()), file_stem="hoc-vien")
    view.csv.click()
    mark = re.search(r'data-hoctap-save="(\d+)"', view.link.value).group(1)
    assert 'download="hoc-vien.csv"' in view.link.value
    scripts = [o for o in view.saver.outputs if "application/javascript" in o.get("data", {})]
    script = scripts[0]["data"]["application/javascript"] if len(scripts) == 1 else ""
    assert re.search(rf'data-hoctap-save=\\?"{mark}\\?"', script) and "a.click()" in script
    view.xlsx.click()
    assert re.search(r'data-hoctap-save="(\d+)"', view.link.value).group(1) != mark  # a new mark per file
    assert len(view.saver.outputs) == 1  # the last script only
    with pytest.raises(ValueError):
        save_script("1'); alert(1); ('")  # a mark is a counter, never text


def test_the_assessment_chart_splits_each_assessment_into_four_parts_that_add_up():
    table = pd.DataFrame(
        {
            "assessment": ["Bài 1", "<i>Bài 2</i>"],
            "assigned": [10, 10],
            "submitted": [4, 0],
            "missing": [3, 0],
            "not_started": [1, 9],
        }  # fmt: skip
    )
    svg = assessment_chart(table)
    values = dict(re.findall(r'data-series="([^"]+)" data-value="([\d.]+)"', svg)[:4])
    assert values == {"Đã nộp": "4", "Đang làm": "2", "Quá hạn": "3", "Chưa bắt đầu": "1"}
    assert "<i>" not in svg


def test_outside_a_preheated_kernel_nothing_waits_for_a_page(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert refresh_when_taken(object()) is None


def test_the_instructors_voila_preheats_the_dashboard_behind_the_labs_token(monkeypatch, tmp_path):
    assert instructor_voila.pool_config(2) == {"default": {"pool_size": 0}, "progress.ipynb": {"pool_size": 2}}
    c = instructor_voila.config("s3cret")
    assert c.Voila.token == "s3cret" and c.VoilaConfiguration.preheat_kernel is True
    assert "http" not in instructor_voila.CSP and "default-src 'self'" in instructor_voila.CSP  # no other host
    spawned = []
    monkeypatch.setattr(servers, "spawn", lambda command, env, cwd, output: spawned.append((command, env)))
    started = servers.start_instructor(tmp_path, "127.0.0.1", 8867, "s3cret")
    ((command, env),) = spawned
    assert command[1:4] == ["-m", "hoctap.serve.instructor_voila", str(tmp_path)] and "--port=8867" in command
    assert "s3cret" not in " ".join(command) and env["JUPYTER_TOKEN"] == "s3cret"  # the environment, never `ps`
    assert started.url_suffix == "voila/render/progress.ipynb?token=s3cret"
    dashboard = Server(
        "d", "127.0.0.1", 8867, "--dashboard-port", None, url_suffix="voila/render/progress.ipynb?token=t"
    )
    assert "http://127.0.0.1:8867/voila/render/progress.ipynb?token=t" in banner([dashboard])


def test_the_hubs_dashboard_service_runs_the_instructors_voila(tmp_path):
    found = {s["name"]: s for s in services(tmp_path, "sqlite:///x", "python", {"hoctap-quiz": 8870}, 8871, 1)}
    command = found[DASHBOARD_SERVICE]["command"]
    assert command[:4] == ["python", "-m", "hoctap.serve.instructor_voila", "--hub"]
    assert command[4] == str(tmp_path / "notebooks" / "instructor")
    assert found["hoctap-quiz"]["command"][2] == "hoctap.serve.hub_voila"
