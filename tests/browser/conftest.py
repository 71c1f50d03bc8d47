"""Fixtures of the learner app's browser tests."""

from __future__ import annotations

import pytest

from hoctap.serve import stop
from hoctap.serve.servers import start_grader
from tests.quiz_kit import build_kit


@pytest.fixture(scope="module")
def quiz_site(voila_server_module, tmp_path_factory):
    """(base URL, kit): the learner Voila on a quiz kit of the module's own (`notebooks/learner/`), a grader on its
    course."""
    home = tmp_path_factory.mktemp("quiz-site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))  # inherited by Voila, its kernels and the grader
        kit = build_kit(home)
        with open(home / "grader.log", "wb") as log:
            grader = start_grader(home, output=log)
        try:
            yield voila_server_module(home / "notebooks" / "learner"), kit
        finally:
            stop(grader)
