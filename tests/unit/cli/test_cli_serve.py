"""`hoctap serve --max-kernels N` reaches the learner server's kernel cap (what the cap does: test_kernel_cap.py)."""

from __future__ import annotations

import hoctap.serve.servers
from hoctap.cli import main


def test_max_kernels_is_passed_to_the_learner_voila(monkeypatch):
    seen = {}
    monkeypatch.setattr(hoctap.serve.servers, "serve", lambda **kwargs: seen.update(kwargs) or 0)
    assert main(["serve", "--only", "learner", "--max-kernels", "40"]) == 0
    assert seen["learner_args"] == ["--LearnerKernelManager.max_kernels=40"] and seen["only"] == "learner"
    assert main(["serve"]) == 0
    assert seen["learner_args"] == []  # the default cap (hoctap.serve.kernel_cap.MAX_KERNELS)
