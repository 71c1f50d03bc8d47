"""nbgrader's Execute step on a kernel kept warm between submissions.

Starting a kernel is most of what one autograde costs (about 1 s of 1.3–1.7 s here). The grader swaps
nbgrader's `Execute` for `WarmExecute` in `Autograde.autograde_preprocessors` — the rest of nbgrader's
pipeline is untouched — and each grader process keeps one kernel, cleared with `%reset -f` after every
notebook so no submission sees another's variables.

This is safe only because the grader rebuilds every submission from its stored answers: the cells it runs
are the release's own (hidden tests restored by nbgrader) and one-line literal assignments, so no
submission can leave code behind in the kernel (a patched module, a changed built-in).
"""

from __future__ import annotations

import atexit
import threading

from jupyter_client.manager import KernelManager
from nbgrader.preprocessors import Execute

_local = threading.local()  # one warm kernel per grader thread (a kernel runs one notebook at a time)
RESET = "get_ipython().run_line_magic('reset', '-f')"


def warm_manager(kernel_name: str = "python3", extra_arguments: list[str] | None = None) -> KernelManager:
    """This thread's running kernel (started on first use, restarted if it died)."""
    km = getattr(_local, "km", None)
    if km is not None and km.is_alive():
        return km
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(extra_arguments=extra_arguments or ["--HistoryManager.hist_file=:memory:"])
    _local.km = km
    atexit.register(_shutdown, km)
    return km


def _shutdown(km: KernelManager) -> None:
    if km.is_alive():
        km.shutdown_kernel(now=True)


def shutdown_warm_kernel() -> None:
    km = getattr(_local, "km", None)
    if km is not None:
        _shutdown(km)
        _local.km = None


class WarmExecute(Execute):
    """`Execute`, but the kernel comes from `warm_manager` and is reset instead of restarted."""

    def preprocess(self, nb, resources=None, km=None):
        km = warm_manager(self.kernel_name or nb.metadata.get("kernelspec", {}).get("name", "python3"))
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self.kc is not None:  # nbclient leaves a borrowed kernel's client open: clear the kernel, close it
                try:
                    self.kc.execute_interactive(RESET, timeout=30, store_history=False)
                except Exception:  # a kernel that cannot even reset is not reused
                    shutdown_warm_kernel()
                finally:
                    self.kc.stop_channels()
                    self.kc = None
