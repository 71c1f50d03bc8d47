"""Twenty learners take the quiz at once through Locust, against a real room: the learner Voila (its pool, cap and
culler, with a short cull timeout), the grader (`hoctap grade --watch`) and the room's own gradebook.

Locust runs as a subprocess (`hoctap.load.run`): it patches the standard library when imported, which must never
happen in pytest's process. What is asserted is what the kit promises, never a time: every learner's submission is
stored and graded exactly once (read from the database, nbgrader's gradebook and the result files), no step failed
in Locust's own stats, and the learners' kernels are culled once they have left (only the pre-heated pool stays).
"""

from __future__ import annotations

import pytest

from hoctap.load import LoadSettings, report_lines, run_load

pytestmark = pytest.mark.slow

LEARNERS = 20
# Two a second: the twenty arrive over ten seconds, not twenty, and still overlap as a room does (pages take several
# seconds on 2 cores, so most visits run at the same time either way); the run waits less for the last arrival.
RATE = 2.0
# Much shorter than the kit's 45 s: the run waits about one timeout after the last learner leaves, until only the pool
# is left. Safe for a learner still on the page: an open tab's kernel is never culled (`cull_connected=False`), and a
# kernel no browser has connected to yet (its page still arriving) is spared `connect_grace` (60 s) whatever this says
# (hoctap/serve/kernel_cap.py). What is culled after 10 s here is what the kit culls after 45: closed tabs' kernels.
CULL = ["--MappingKernelManager.cull_idle_timeout=10", "--MappingKernelManager.cull_interval=2"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("load-room")
    settings = LoadSettings(users=LEARNERS, rate=RATE, cull_wait=75.0, voila_args=CULL, grade_wait=90.0)
    return run_load(settings, folder)  # a failed run raises with its logs' tails


def _why(results) -> str:
    return "\n".join(report_lines(results))


def test_every_learner_submits_and_each_submission_is_graded_exactly_once(results):
    submissions = results["submissions"]
    assert submissions["pressed_submit"] == LEARNERS, _why(results)
    assert submissions["submitted"] == LEARNERS, _why(results)
    assert submissions["lost"] == [], _why(results)
    assert submissions["learners_with_several_attempts"] == [], _why(results)
    assert submissions["graded"] == submissions["graded_exactly_once"] == LEARNERS, _why(results)
    assert submissions["statuses"] == {"graded": LEARNERS}, _why(results)


def test_no_step_failed_in_locust(results):
    steps = results["steps"]
    assert results["errors"] == [], _why(results)
    assert results["visits"] == {**results["visits"], "started": LEARNERS, "passed": LEARNERS}, _why(results)
    assert {name: step["locust_failures"] for name, step in steps.items() if step["locust_failures"]} == {}
    # Every step of every visit reached Locust: its counts are the journal's (four questions each).
    assert {name: step["locust_count"] for name, step in steps.items()} == {
        name: step["count"] for name, step in steps.items()
    }
    assert steps["5 answer"]["count"] == 4 * LEARNERS
    assert steps["7 grading → score"]["count"] == LEARNERS


def test_the_learners_kernels_are_culled_after_they_leave(results):
    kernels = results["kernels"]
    assert kernels["peak"] > kernels["pool"], _why(results)  # the learners did hold kernels
    assert kernels["after_culling"] == kernels["pool"], _why(results)
    assert kernels["left_over"] == 0 and kernels["culled_within_s"] is not None, _why(results)
