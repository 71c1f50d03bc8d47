"""A cap on the learner server's live kernels, a waiting line for kernel starts, and a culler that spares open tabs
and the pre-heated pool.

Voila 0.5.13 starts a kernel for every page load of a notebook and has no limit (voila#617): twenty plain GETs of
the quiz page started twenty kernels (1.35 GB). Four pieces, all installed by `hoctap.serve.learner_voila`:

- `LearnerKernelManager` (`VoilaConfiguration.multi_kernel_manager_class`; Voila wraps it in its pre-heating
  `VoilaKernelManager`, so `self._pools` is Voila's pool) counts what is live: running kernels, pool kernels still
  starting, and page loads that have been let in but hold no kernel yet. `reserve_kernel()` lets a page load in
  while that count is under `max_kernels`. The pool counts: with the cap at N and a pool of P, N - P learners hold
  kernels while P wait pre-heated. A kernel still starting may count twice for a second (started, and its pool task
  or page not done yet): the cap errs on the safe side.
- It also counts the kernel starts in flight (pool kernels starting or running the notebook, pages starting a
  kernel until rendered) against `max_starts` (default: STARTS_PER_CORE per core). Forty kernels starting at once
  on 2 cores share them, and all forty learners wait the whole burst (`python -m tests.bench.burst`); a page load
  arriving past that waits in line.
- `CappedVoilaHandler` (Voila's `/voila/render/` handler, swapped in by `LearnerVoila.init_handlers`, as Voila has
  no setting for it) lets a page that starts or takes a kernel in when the learner is first in line (or within the
  room: one per ready pool kernel, one per free start slot) and the cap allows it. Otherwise a new arrival gets
  the waiting page with its place (waiting_line.py) or, past the cap, the busy page (`templates/busy.html`, HTTP
  503, reloads itself). A learner's reload of the waiting page is held up to HOLD s, so a turn is taken the moment
  it comes. The check is in the handler because a page served from the pool takes a kernel without starting one:
  only the handler sees every page load.
- The culler: kernels with no websocket go `cull_idle_timeout` s after their last activity (`cull_connected=False`
  keeps open tabs; Voila skips kernels waiting in the pool); a kernel no browser has connected to yet is spared for
  `connect_grace` s, as its page may still be rendering under a burst. A pool kernel handed to a page has been idle
  since it was pre-heated, so the first cull round that sees it out of the pool counts that as activity: the page
  gets a full timeout to connect instead of losing its kernel before the browser opens the websocket.
"""

from __future__ import annotations

import asyncio
import time
from functools import lru_cache
from pathlib import Path

import tornado.web
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Int
from voila.tornado.handler import TornadoVoilaHandler

from .plain_pages import plain_page
from .pool import cores
from .waiting_line import TICKET_ARG, WaitingLine, queue_page, reload_url

# A quiz kernel is about 67 MB RSS (53 MB PSS) here: 300 of them are 16 to 20 GiB, what a 24 GiB machine can give
# kernels beside the OS, Voila, the grader and JupyterLab, and room for the 250 open quizzes the design asks of it.
MAX_KERNELS = 300
# Kernel starts let run at once, per core. A start is not all CPU (spawning, ZeroMQ handshakes, Voila's turns between
# messages): measured with 40 learners in the same second on 2 cores (tests/bench/burst.py), 1 per core left the cores
# idle between starts (the last learner waited twice as long as with no line), 8 per core let everyone share the
# cores again (all forty waited the whole burst); 4 per core keeps the cores busy and serves learners in order.
STARTS_PER_CORE = 4
# A page still starting its kernel after this long no longer holds a start slot: Voila waits forever on a kernel that
# died at birth (seen with dozens of simultaneous starts: "Address already in use" on a port jupyter_client chose), and
# the line must not stop behind it. That learner's reload gets a kernel of its own.
STALLED_AFTER = 120.0
CONNECT_GRACE = 60  # seconds the culler spares a kernel no browser has connected to yet (see connect_grace)
HOLD = 5.0  # seconds a reload of the waiting page is held while its turn may come (then it shows the place again)
HOLD_STEP = 0.2  # seconds between looks at the line while a reload is held
RETRY_AFTER = 15  # seconds: the busy page reloads itself after this, and says so in its Retry-After header


class LearnerKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with a count of live kernels against `max_kernels`, and a culler that gives a kernel
    just taken from the pre-heated pool a full idle timeout."""

    max_kernels = Int(
        MAX_KERNELS,
        config=True,
        help="Most kernels alive at once, the pre-heated pool included; a page load beyond gets HTTP 503.",
    )

    max_starts = Int(
        0,
        config=True,
        help="Kernel starts in flight at once (pool refills included) before page loads wait in line; "
        f"0: {STARTS_PER_CORE} per core.",
    )

    # 60 s: the waiting line keeps renders short (at most 4 starts per core in flight), and a kernel nobody connected to
    # must still be gone within 2 minutes (a 250-learner run left 10 such kernels at 2 minutes with 120 s here).
    connect_grace = Int(
        CONNECT_GRACE,
        config=True,
        help="Seconds the culler spares a kernel no browser has connected to yet (its page may still be rendering).",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reserved = 0  # page loads let in that do not hold their kernel yet
        self._starting_pages: dict[object, float] = {}  # page loads starting a kernel, until rendered: when let in
        self._was_pooled: set[str] = set()  # kernels seen waiting in the pool at a cull round
        self._ever_connected: set[str] = set()  # kernels a browser has opened a websocket to
        self._first_seen: dict[str, float] = {}  # kernel id → when a cull round first saw it out of the pool
        self.waiting = WaitingLine()

    def starts_in_flight(self) -> int:
        """Kernels being started now: pool kernels starting or still running the notebook, and pages starting a
        kernel (their own, or one taken from the pool before it was ready), until rendered."""
        stalled = time.monotonic() - STALLED_AFTER  # a start that hangs (a kernel dead at birth) frees its slot
        pages = sum(1 for since in self._starting_pages.values() if since > stalled)
        return sum(1 for task in self._pool_tasks() if not _ready(task)) + pages

    def ready_kernels(self, notebook: str) -> int:
        """Pre-heated kernels of `notebook` that have run it, ready to be handed to a page."""
        return sum(1 for task in getattr(self, "_pools", {}).get(notebook, ()) if _ready(task))

    def room(self, notebook: str, pooled: bool) -> int:
        """How many page loads of `notebook` may go in now: one per ready pool kernel, one per free start slot.

        Past `max_starts`, one more start only slows the others down (they share the cores): a page waits in line.
        """
        limit = self.max_starts or STARTS_PER_CORE * cores()
        return (self.ready_kernels(notebook) if pooled else 0) + max(0, limit - self.starts_in_flight())

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
        live, pooled, now = set(self._kernels), self._pooled_ids(), time.monotonic()
        self._was_pooled = (self._was_pooled | pooled) & live
        connected = {k for k in live if self._kernel_connections.get(k, 0) > 0}
        self._ever_connected = connected | (self._ever_connected & live)
        self._first_seen = {k: self._first_seen.get(k, now) for k in live - pooled}
        return await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id: str):
        # Voila's VoilaKernelManager calls this only for kernels not waiting in its pool.
        # A kernel no browser has connected to yet may belong to a page still rendering (under a burst a page took
        # 98 s, and its kernel was culled under it at a 45 s timeout): it gets `connect_grace` s from when it was
        # first seen. A closed tab's kernel (connected once) goes after the idle timeout; a bare GET's after this.
        if kernel_id not in self._ever_connected:
            if time.monotonic() - self._first_seen.get(kernel_id, time.monotonic()) < self.connect_grace:
                return
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
        return {task.result()["kernel_id"] for task in self._pool_tasks() if _succeeded(task)}


def _succeeded(task) -> bool:
    return task.done() and not task.cancelled() and task.exception() is None


def _ready(task) -> bool:
    """A pool task whose kernel started and whose rendering of the notebook is over (or failed: a page learns how)."""
    if not task.done():
        return False
    return not _succeeded(task) or task.result()["task"].done()


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, letting a page that starts or takes a kernel in only when there is room: under the cap
    (else the busy page, HTTP 503) and with a pool kernel ready or a start slot free (else the waiting page, with
    the learner's place in the line)."""

    @tornado.web.authenticated
    async def get(self, path=None):
        manager = self.kernel_manager
        if not self._takes_kernel(path):  # Voila redirects other files to /voila/files/
            return await super().get(path=path)
        line = manager.waiting
        line.expire()
        token = self.get_argument(TICKET_ARG, None)
        token = token if token in line else None  # expired or made up: a new arrival
        pooled = self._from_pool(path)
        # A learner in line is held here up to HOLD s before the page with their place is sent again: a turn that
        # comes meanwhile is taken at once, not at the next reload (the browser keeps showing the waiting page).
        held_until = time.monotonic() + (HOLD if token is not None else 0)
        while not self._gone:  # a closed tab takes no turn: its ticket expires
            if line.ahead(token) < manager.room(path, pooled) and manager.reserve_kernel():
                line.leave(token)
                # a page that takes a pool kernel still starting (Voila pops the oldest) is a start in flight too
                return await self._serve(path, starts=not pooled or manager.ready_kernels(path) == 0)
            if token is not None:
                line.seen(token)
            if time.monotonic() >= held_until:
                break
            await asyncio.sleep(HOLD_STEP)
        else:
            return
        if token is None and manager.live_kernels() + len(line) >= manager.max_kernels:
            return self._busy()  # a learner already in line keeps their place until the cap lets them in
        if token is None:
            token = line.join()
            self.log.info(
                "hoctap: %d kernel starts in flight (at most %d): %s waits in line, place %d",
                manager.starts_in_flight(),
                manager.max_starts or STARTS_PER_CORE * cores(),
                self.request.path,
                line.ahead(token) + 1,
            )
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        self.finish(queue_page(line.ahead(token) + 1, reload_url(self.request.path, self.request.arguments, token)))

    _gone = False

    def on_connection_close(self) -> None:
        self._gone = True
        super().on_connection_close()

    async def _serve(self, path: str, starts: bool) -> None:
        """Voila's page, holding the reservation `get` took until its kernel is running or taken from the pool; a
        page that `starts` a kernel (its own, or a pool kernel not ready yet) counts as a start in flight until it
        is rendered."""
        manager = self.kernel_manager
        reserved = True
        if starts:
            manager._starting_pages[self] = time.monotonic()
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
            manager._starting_pages.pop(self, None)

    def _busy(self) -> None:
        manager = self.kernel_manager
        self.log.warning(
            "hoctap: %d kernels alive (cap %d), %d in line: busy page for %s",
            manager.live_kernels(),
            manager.max_kernels,
            len(manager.waiting),
            self.request.path,
        )
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_AFTER))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        self.finish(busy_page())

    def _from_pool(self, path: str) -> bool:
        """Whether Voila will serve this page from its pre-heated pool (Voila's own test, on this request)."""
        manager = self.kernel_manager
        try:
            data, size = manager.notebook_data.get(path, {}), manager.get_pool_size(path)
        except AttributeError:
            return False
        template, theme = self.get_argument("template", None), self.get_argument("theme", None)
        return bool(self.should_use_rendered_notebook(data, size, template, theme, self.request.arguments))

    def _takes_kernel(self, path: str | None) -> bool:
        suffixes = {".ipynb", *(s.lower() for s in self.voila_configuration.extension_language_mapping)}
        return Path(path or "").suffix.lower() in suffixes


@lru_cache(maxsize=1)
def busy_page() -> str:
    """The busy page (Vietnamese, then English), reloading itself after RETRY_AFTER s."""
    return plain_page("busy.html", retry=RETRY_AFTER)
