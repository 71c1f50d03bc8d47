"""`hoctap serve --max-kernels N` reaches the learner server's kernel cap (what the cap does: test_kernel_cap.py)."""

from __future__ import annotations

import hoctap.serve.servers
from hoctap.cli import main


def fake_serve(monkeypatch, seen: dict) -> None:
    """`serve` records its arguments: patched where it lives and on the stage's surface (which keeps what it loaded)."""
    fake = lambda **kwargs: seen.update(kwargs) or 0  # noqa: E731
    monkeypatch.setattr(hoctap.serve.servers, "serve", fake)
    monkeypatch.setattr(hoctap.serve, "serve", fake, raising=False)


def test_max_kernels_is_passed_to_the_learner_voila(monkeypatch):
    seen = {}
    fake_serve(monkeypatch, seen)
    assert main(["serve", "--only", "learner", "--max-kernels", "40"]) == 0
    assert seen["learner_args"] == ["--LearnerKernelManager.max_kernels=40"] and seen["only"] == "learner"
    assert main(["serve"]) == 0
    assert seen["learner_args"] == []  # the default cap (hoctap.serve.kernel_cap.MAX_KERNELS)


def test_pool_is_passed_to_the_learner_voila(monkeypatch):
    """`hoctap serve --pool N`: the quiz's pre-heated kernels (what the pool does: test_burst_queue.py)."""
    seen = {}
    fake_serve(monkeypatch, seen)
    assert main(["serve", "--pool", "6"]) == 0
    assert seen["pool"] == 6
    assert main(["serve"]) == 0
    assert seen["pool"] is None  # learner_voila's default: one per core, at least 2
