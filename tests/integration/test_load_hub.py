"""Twelve learners through JupyterHub, as Locust's simulated learners (`hoctap.load`, `hub_visit.HubVisit`): the hub's
login form, its OAuth with one of two quiz services, the quiz, the score. Two graders run as hub services; the
gradebook is a throwaway PostgreSQL database; Locust runs as a master with two workers (the mode that spreads the
load over machines). A functional check, not a benchmark (`make load` measures): every learner is graded exactly
once, none is lost, no step failed, and each worker took its own learners."""

from __future__ import annotations

import pytest

from hoctap.load import LoadSettings, report_lines, run_load

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(600)]

# Twelve, at two a second: each worker still takes learners of its own, several at once, and every one is still a
# login through the hub's form, a quiz on a hub service and a grade by the graders' shared queue; twenty at one a
# second showed the same with eight more kernel starts (the hub's services have no pre-heated pool) and more waiting.
LEARNERS = 12
RATE = 2.0


@pytest.fixture(scope="module")
def results(tmp_path_factory, postgres_server):
    folder = tmp_path_factory.mktemp("load-hub")
    settings = LoadSettings(
        users=LEARNERS,
        rate=RATE,
        hub=True,
        db_url=postgres_server.new_database("t_load_hub"),
        quiz_services=2,
        graders=2,
        workers=2,
        cull_wait=0.0,  # the services' culler is the kit's (45 s): not what this checks
        grade_wait=120.0,
    )
    return run_load(settings, folder)  # a failed run raises with its logs' tails


def _why(results) -> str:
    return "\n".join(report_lines(results))


def test_every_learner_logs_in_through_the_hub_and_is_graded_exactly_once(results):
    submissions = results["submissions"]
    assert submissions["pressed_submit"] == submissions["submitted"] == LEARNERS, _why(results)
    assert submissions["lost"] == [] and submissions["learners_with_several_attempts"] == [], _why(results)
    assert submissions["graded"] == submissions["graded_exactly_once"] == LEARNERS, _why(results)


def test_no_step_failed_and_every_visit_went_through_the_hubs_login(results):
    steps = results["steps"]
    assert results["errors"] == [], _why(results)
    assert results["visits"]["passed"] == LEARNERS, _why(results)
    assert steps["0 hub login (form, OAuth)"]["count"] == LEARNERS
    assert "3 login → list" not in steps  # the hub said who each learner is: the app asked no code
    assert steps["5 answer"]["count"] == 4 * LEARNERS
    assert results["kernels"]["peak"] > 0, _why(results)  # the quiz services' kernels are in the hub's process tree
    # the master ended the run when both workers' learners were done, not at Locust's time bound
    assert results["stopped_by_run_time"] is False, _why(results)
    # the two workers took different learners: twelve distinct learners, none twice
    assert results["submissions"]["learners_with_several_attempts"] == [] and results["visits"]["started"] == LEARNERS
