"""Which side of a live session each server is: the trainer's panel only where instructors are (their Lab and Voila,
standalone and under the hub), the join page's address for the QR code, and no pre-heated join page behind the hub
(a pre-heated kernel cannot know whose page it is)."""

from __future__ import annotations

from hoctap.hub.config import DASHBOARD_SERVICE, services
from hoctap.serve import JOIN_ENV, JOIN_PATH, TRAINER_ENV
from hoctap.serve.environments import join_page_env, lab_env, learner_env
from hoctap.serve.hub_voila import hub_config
from hoctap.sessions import join_page


def test_only_the_instructors_servers_are_the_trainers_side():
    base = {"PATH": "/usr/bin", TRAINER_ENV: "1", "HOCTAP_DB_URL": "postgresql://u:p@h/db"}
    assert TRAINER_ENV not in learner_env(base) and "HOCTAP_DB_URL" not in learner_env(base)
    assert lab_env("t", {"PATH": "/usr/bin"})[TRAINER_ENV] == "1"
    assert join_page_env("10.1.2.3", 8866) == {JOIN_ENV: f"http://10.1.2.3:8866/{JOIN_PATH}"}


def test_under_the_hub_the_dashboard_service_is_the_trainers_side_and_the_quiz_service_is_not(tmp_path):
    found = {s["name"]: s for s in services(tmp_path, "sqlite:///x", "python", {"hoctap-quiz": 8870}, 8871, 1)}
    trainer, quiz = found[DASHBOARD_SERVICE]["environment"], found["hoctap-quiz"]["environment"]
    assert trainer[TRAINER_ENV] == "1" and trainer[JOIN_ENV] == f"/services/hoctap-quiz/{JOIN_PATH}"
    assert TRAINER_ENV not in quiz and JOIN_ENV not in quiz
    config = hub_config("token", "/services/hoctap-quiz/")
    assert config.LearnerVoila.session_pool == 0 and config.VoilaConfiguration.preheat_kernel is False


def test_a_join_path_is_put_on_the_host_the_trainers_page_came_from():
    env = {JOIN_ENV: f"/services/hoctap-quiz/{JOIN_PATH}", "SERVER_NAME": "hoc.tayninh.vn", "SERVER_PORT": "443"}
    assert join_page(env) == f"https://hoc.tayninh.vn/services/hoctap-quiz/{JOIN_PATH}"
    env.update(SERVER_NAME="10.0.0.9", SERVER_PORT="8000")
    assert join_page(env) == f"http://10.0.0.9:8000/services/hoctap-quiz/{JOIN_PATH}"
    assert join_page({JOIN_ENV: f"http://10.0.0.5:8866/{JOIN_PATH}", "SERVER_NAME": "x"}).startswith("http://10.0.0.5")
