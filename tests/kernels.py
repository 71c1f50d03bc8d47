"""A Voila kernel's process, found from its websocket's URL: tests kill it to show that nothing lives only there."""

from __future__ import annotations

import re
from pathlib import Path

KERNEL_SOCKET = re.compile(r"/api/kernels/([0-9a-f-]{36})/channels")


def kernel_pid(kernel_id: str) -> int:
    """The process of the Voila kernel `kernel_id` (its connection file is named after it)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "ipykernel" in cmdline and f"kernel-{kernel_id}.json" in cmdline:
            return int(entry.name)
    raise AssertionError(f"no process for kernel {kernel_id}")
