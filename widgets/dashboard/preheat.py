"""A dashboard pre-heated in a kernel that waits for its visitor (hoctap/serve/instructor_voila.py) reads the gradebook
again when a page takes it if what it read is older than `STALE_AFTER`: otherwise an instructor arriving an hour
after the kernel started would see that hour-old picture as "now".

Voila tells a pre-heated kernel that a page took it through its request-info websocket (`voila.utils.
wait_for_request`, which blocks): the wait and the new read run in a daemon thread (`ProgressState.read_again`), so
the kernel keeps answering the page, which shows the figures read while it waited until the fresh ones are swapped
in on the kernel's event loop (`ProgressState.adopt`), where every widget change happens. At the sample size the
read takes a fraction of a second, before the page has even asked for its widgets; at 10,000 × 20 about as long as
the first read. Outside a pre-heated kernel (the Lab, the tests) nothing is done."""

from __future__ import annotations

import asyncio
import os
import threading
import time

from .messages import log

# Seconds: a page taken sooner shows what the kernel read while it waited (the page says when). The new read competes
# with the page for the kernel (Python's lock): at 10,000 × 20 it held the first screen ~17 s instead of ~3 s, so a
# kernel only a few minutes old is not read again.
STALE_AFTER = 300.0


def refresh_when_taken(app, stale_after: float = STALE_AFTER) -> threading.Thread | None:
    """In a pre-heated Voila kernel, read `app`'s figures again (a ProgressApp: its `state`) once a page takes the
    kernel, if they are older than `stale_after` seconds, in this thread; show them on the kernel's loop."""
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
        if app.state.message:  # it heated before the gradebook could be read (a course released since): read it now
            loop.call_soon_threadsafe(app.state.reload)
        elif time.monotonic() - read_at > stale_after:
            frames, now = app.state.read_again()
            loop.call_soon_threadsafe(app.state.adopt, frames, now)

    thread = threading.Thread(target=wait, name="hoctap-dashboard-preheat", daemon=True)
    thread.start()
    return thread
