"""One database engine for every nbgrader Gradebook a grader opens, instead of one per Gradebook.

nbgrader opens a new `Gradebook` several times per autograde and feedback (each app step, each preprocessor that
saves grades), and each one creates an engine, connects, reads the catalogue and disposes of the engine when closed.
On SQLite that is a file opened again; on PostgreSQL it is a new server process per connection, about 30 ms more
per Gradebook here, which made a grader on PostgreSQL a quarter slower than on SQLite. In the grader's process the
engine is made once per URL and kept (its `dispose` on close does nothing): the connections stay in its pool.
Only the grader's process does this (`Grader.__init__`); nbgrader's own commands are left as they are.
"""

from __future__ import annotations

import threading

_engines: dict[str, object] = {}
_lock = threading.Lock()


def reuse_gradebook_engines() -> None:
    """Make nbgrader's Gradebook take its engine from a per-URL cache in this process (idempotent)."""
    import nbgrader.api as api

    if getattr(api.create_engine, "hoctap_cached", False):
        return
    create = api.create_engine

    def cached(url, *args, **kwargs):
        key = str(url)
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = create(url, *args, **kwargs)
                engine.dispose = _keep  # Gradebook.close disposes of its engine: this one is shared, and stays
                _engines[key] = engine
        return engine

    cached.hoctap_cached = True
    api.create_engine = cached


def _keep(*_args, **_kwargs) -> None:
    """What a shared engine's `dispose` does: nothing (its pool outlives each Gradebook)."""
