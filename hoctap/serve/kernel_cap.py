"""A cap on the learner server's live kernels, and a culler that spares open tabs and the pre-heated pool.

Voila 0.5.13 starts a kernel for every page load of a notebook and has no limit (voila#617): twenty plain GETs of
the quiz page started twenty kernels (1.35 GB). Three pieces, all installed by `hoctap.serve.voila_app`:

- `LearnerKernelManager` (`VoilaConfiguration.multi_kernel_manager_class`; Voila wraps it in its pre-heating
  `VoilaKernelManager`, so `self._pools` is Voila's pool) counts what is live: running kernels, pool kernels still
  starting, and page loads that have been let in but hold no kernel yet. `reserve_kernel()` lets a page load in
  while that count is under `max_kernels`. The pool counts: with the cap at N and a pool of P, N - P learners hold
  kernels while P wait pre-heated. A kernel still starting may count twice for a second (started, and its pool task
  or page not done yet): the cap errs on the safe side.
- `CappedVoilaHandler` (Voila's `/voila/render/` handler, swapped in by `LearnerVoila.init_handlers`, as Voila has
  no setting for it) asks for a reservation before a page that starts a kernel, and answers HTTP 503 with the busy
  page (`templates/busy.html`, self-contained, reloads itself) when there is none. The check is in the handler
  because a page served from the pool takes a kernel without starting one: only the handler sees every page load.
- The culler: kernels with no websocket go `cull_idle_timeout` s after their last activity (`cull_connected=False`
  keeps open tabs; Voila skips kernels waiting in the pool). A pool kernel handed to a page has been idle since it
  was pre-heated, so the first cull round that sees it out of the pool counts that as activity: the page gets a full
  timeout to connect instead of losing its kernel before the browser opens the websocket.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import tornado.web
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Int
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

# A quiz kernel is about 67 MB RSS (53 MB PSS) here: 300 of them are 16 to 20 GiB, what a 24 GiB machine can give
# kernels beside the OS, Voila, the grader and JupyterLab, and room for the 250 open quizzes the design asks of it.
MAX_KERNELS = 300
RETRY_AFTER = 15  # seconds: the busy page reloads itself after this, and says so in its Retry-After header
BUSY_PAGE = Path(__file__).resolve().parent / "templates" / "busy.html"


class LearnerKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with a count of live kernels against `max_kernels`, and a culler that gives a kernel
    just taken from the pre-heated pool a full idle timeout."""

    max_kernels = Int(
        MAX_KERNELS,
        config=True,
        help="Most kernels alive at once, the pre-heated pool included; a page load beyond gets HTTP 503.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reserved = 0  # page loads let in that do not hold their kernel yet
        self._was_pooled: set[str] = set()  # kernels seen waiting in the pool at a cull round

    def live_kernels(self) -> int:
        """Kernels running, pool kernels starting, and page loads let in that will start or take one."""
        return len(self._kernels) + sum(1 for task in self._pool_tasks() if not task.done()) + self._reserved

    def reserve_kernel(self) -> bool:
        """Let one page load in if there is room (then call `release_kernel` once it holds its kernel)."""
        if self.live_kernels() >= self.max_kernels:
            return False
        self._reserved += 1
        return True

    def release_kernel(self) -> None:
        self._reserved -= 1

    async def cull_kernels(self):
        self._was_pooled = (self._was_pooled | self._pooled_ids()) & set(self._kernels)
        return await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id: str):
        # Voila's VoilaKernelManager calls this only for kernels not waiting in its pool.
        if kernel_id in self._was_pooled:
            self._was_pooled.discard(kernel_id)
            kernel = self._kernels.get(kernel_id)
            if kernel is not None:
                kernel.last_activity = utcnow()  # handed to a page since the last round
            return
        return await super().cull_kernel_if_idle(kernel_id)

    def _pool_tasks(self):
        # Voila's pool (VoilaKernelManager._pools: notebook -> tasks, each done once its kernel has started)
        for pool in getattr(self, "_pools", {}).values():
            yield from pool

    def _pooled_ids(self) -> set[str]:
        ids = set()
        for task in self._pool_tasks():
            if task.done() and not task.cancelled() and task.exception() is None:
                ids.add(task.result()["kernel_id"])
        return ids


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, asking the kernel manager for room before a page that starts or takes a kernel."""

    @tornado.web.authenticated
    async def get(self, path=None):
        manager = self.kernel_manager
        if not self._takes_kernel(path):  # Voila redirects other files to /voila/files/
            return await super().get(path=path)
        if not manager.reserve_kernel():
            self.log.warning(
                "hoctap: %d kernels alive (cap %d): busy page for %s",
                manager.live_kernels(),
                manager.max_kernels,
                self.request.path,
            )
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_AFTER))
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
            self.finish(busy_page())
            return
        reserved = True
        try:
            # TornadoVoilaHandler.get's loop; once the page yields its first part, its kernel is running (or was
            # taken from the pool, whose refill then counts): the reservation is no longer needed.
            async for html in self.get_generator(path=path):
                if reserved:
                    manager.release_kernel()
                    reserved = False
                self.write(html)
                self.flush()
        finally:
            if reserved:
                manager.release_kernel()

    def _takes_kernel(self, path: str | None) -> bool:
        suffixes = {".ipynb", *(s.lower() for s in self.voila_configuration.extension_language_mapping)}
        return Path(path or "").suffix.lower() in suffixes


class LearnerVoila(Voila):
    """Standalone Voila with `CappedVoilaHandler` serving `/voila/render/`."""

    def init_handlers(self):
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            handlers.append((pattern, CappedVoilaHandler if handler is TornadoVoilaHandler else handler, *rest))
        return handlers


@lru_cache(maxsize=1)
def busy_page() -> str:
    """The busy page (Vietnamese, then English), reloading itself after RETRY_AFTER s."""
    return string.Template(BUSY_PAGE.read_text(encoding="utf-8")).substitute(retry=RETRY_AFTER)
