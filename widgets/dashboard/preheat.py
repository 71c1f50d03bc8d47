"""A dashboard pre-heated in a kernel that waits for its visitor (hoctap/serve/instructor_voila.py) reads the gradebook
again when a page takes it, if what it read is older than `STALE_AFTER` seconds: otherwise an instructor arriving
an hour after the kernel started would see an hour-old picture as "now".

Voila tells a pre-heated kernel that a page took it through its request-info websocket (`voila.utils.
wait_for_request`, which blocks): the wait runs in a daemon thread, and the reload is handed to the kernel's event
loop, where every widget change happens. Outside a pre-heated kernel (the Lab, the tests) nothing is done."""

from __future__ import annotations

import asyncio
import os
import threading
import time

from .messages import log

STALE_AFTER = 60.0  # seconds: a page taken sooner shows what the kernel read while it waited


def refresh_when_taken(app, stale_after: float = STALE_AFTER) -> threading.Thread | None:
    """In a pre-heated Voila kernel, reload `app`'s figures (a ProgressApp: its `state`) once a page takes the
    kernel, if they are stale."""
    if os.environ.get("VOILA_PREHEAT", "False") == "False" or app.state.fixed_now is not None:
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    read_at = time.monotonic()

    def wait() -> None:
        try:
            from voila.utils import wait_for_request

            wait_for_request()
        except Exception:  # the page still works; its "Tải lại" reads the gradebook again
            log.exception("progress dashboard: waiting for the page that takes this kernel failed")
            return
        if time.monotonic() - read_at > stale_after:
            loop.call_soon_threadsafe(app.state.reload)

    thread = threading.Thread(target=wait, name="hoctap-dashboard-preheat", daemon=True)
    thread.start()
    return thread
