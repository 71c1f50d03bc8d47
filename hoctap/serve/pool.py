"""The size of the learner server's pool of pre-heated quiz kernels, and the cores it sizes things by.

Apart from voila_app.py (which configures Voila with it) and learner_voila.py (which applies `--LearnerVoila.pool`)
because both need it and voila_app.py must not import what imports it back.
"""

from __future__ import annotations

import os

QUIZ_NOTEBOOK = "quiz.ipynb"
SESSION_NOTEBOOK = "session.ipynb"  # the live session's join page (widgets.session.phone_app)
# Kernels pre-heated for the join page: a room is told "scan now" and sixty phones ask within a minute, and a kernel
# started per phone costs about a second of CPU (sixty phones: half a minute on 2 cores). One waits by default. A
# larger pool (`hoctap serve --session-pool N`) serves the first N phones at once, but Voila starts (and refills) the
# whole pool at the same moment, outside the waiting line: 60 on 2 cores timed out and served nobody (session
# bench), so keep N to about two per core. A pre-heated kernel learns the page's query (the code in the QR link)
# when a phone takes it (voila.utils.wait_for_request, in phone_app).
DEFAULT_SESSION_POOL = 1
# Kernels pre-heated for the quiz, waiting for the next learners (each ~68 MB, no CPU while it waits). Measured with
# 40 learners opening the quiz in the same second on 2 cores (`python -m tests.bench.burst`): what makes a burst long
# is the starts themselves (about 1 s of CPU per quiz kernel, and 0.3 s of Voila's), not the pool, which serves the
# first learners at once and then refills at the rate the cores start kernels: a pool of 4 instead of 2 gave a median
# of 23.6 s against 23.4 s (the last learner 36 s against 41 s, within the noise of a shared machine) for two more
# idle kernels. One per core, at least 2: as many learners as the machine serves in parallel find a kernel ready.
# `--LearnerVoila.pool=N` (`hoctap serve --pool N` once the CLI passes it to `serve(pool=N)`).
MIN_POOL = 2


def cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_pool() -> int:
    return max(MIN_POOL, cores())


def pool_config(size: int, session_size: int = DEFAULT_SESSION_POOL) -> dict[str, dict[str, int]]:
    """Voila's `kernel_pools_config`: `size` kernels pre-heated for the quiz, `session_size` for the join page, none
    for lessons."""
    return {
        "default": {"pool_size": 0},
        QUIZ_NOTEBOOK: {"pool_size": size},
        SESSION_NOTEBOOK: {"pool_size": session_size},
    }
