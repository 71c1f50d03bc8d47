"""`LearnerVoila`: standalone Voila as the learner server runs it (hoctap/serve/voila_app.py launches it).

Voila 0.5.13 with three changes, none of which it has a setting for:
- `/voila/render/` is served by `kernel_cap.CappedVoilaHandler` (the kernel cap, the busy page, the waiting line);
- the size of the quiz's pre-heated pool is one setting, `--LearnerVoila.pool=N` (`hoctap serve --pool N`; default
  and why in pool.py), turned into Voila's `VoilaKernelManager.kernel_pools_config` before the kernel manager
  is made;
- responses are compressed (tornado's `compress_response`, which Voila never sets: the quiz page's 95 files were
  4.8 MB on the wire, mostly JavaScript), and the static files a page loads are gzipped once, kept in memory and
  sent with a cache policy (`static_cache`): forty phones then cost one compression per file, not forty.
"""

from __future__ import annotations

from traitlets import Int
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from .kernel_cap import CappedVoilaHandler
from .pool import DEFAULT_SESSION_POOL, default_pool, pool_config
from .static_cache import CachedFileFindHandler, CachedMultiStaticFileHandler, CachedTemplateStaticFileHandler

REPLACED_HANDLERS = {
    TornadoVoilaHandler: CappedVoilaHandler,
    TemplateStaticFileHandler: CachedTemplateStaticFileHandler,
    MultiStaticFileHandler: CachedMultiStaticFileHandler,
}


class LearnerVoila(Voila):
    """Standalone Voila with the learner server's handlers, pool size and compression."""

    pool = Int(
        -1,
        config=True,
        help="Pre-heated kernels kept waiting for the quiz (-1: one per core, at least 2; 0: none).",
    )

    session_pool = Int(
        -1,
        config=True,
        help="Pre-heated kernels kept waiting for the live session's join page (-1: pool.DEFAULT_SESSION_POOL).",
    )

    def init_settings(self):
        # before Voila makes its kernel manager, which reads this from the configuration (pool.MIN_POOL: why)
        size = self.pool if self.pool >= 0 else default_pool()
        sessions = self.session_pool if self.session_pool >= 0 else DEFAULT_SESSION_POOL
        self.config.VoilaKernelManager.kernel_pools_config = pool_config(size, sessions)
        settings = super().init_settings()
        settings["compress_response"] = True  # read by tornado.web.Application(**settings) in Voila.start
        return settings

    def init_handlers(self):
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            if pattern.endswith("/voila/labextensions/(.*)"):
                handler = CachedFileFindHandler
            handlers.append((pattern, REPLACED_HANDLERS.get(handler, handler), *rest))
        return handlers
