"""The time left of a timed attempt, counted down on screen, in view while the learner scrolls (a bar fixed at the
top: `position: sticky` does not hold inside ipywidgets' boxes, which clip their overflow; see COUNTDOWN_CSS).

The server holds the truth (the attempt's end, `Sitting.ends_at`, fixed when it started): the countdown only shows
it, reading the server's clock at each tick, so a reload or another device shows the same time left. At zero the
app asks the server to close the attempt (`AppState.time_up`); the server closes it anyway if no one asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets

from ..style import esc
from .timers import later

TICK = 1.0  # seconds between two updates of the time left
HURRY = 5 * 60  # under five minutes left the line turns red

COUNTDOWN_CSS = """
.hoctap-countdown {
  position: fixed; top: 0; left: 0; right: 0; z-index: 1000; text-align: center; margin: 0;
  background: #fff; border-bottom: 2px solid #0b4f8a; box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15); padding: 6px 0;
}
/* Voila's page scrolls inside Lumino panels with `contain: strict`, which would make "fixed" mean "fixed in the
   panel" (scrolling away with it): the panels holding a countdown give up that containment (set inline by
   Lumino, hence !important). */
.lm-BoxPanel:has(.hoctap-countdown), .lm-BoxPanel-child:has(.hoctap-countdown) { contain: none !important; }
.lm-BoxPanel-child:has(.hoctap-countdown) { padding-top: 52px; box-sizing: border-box; }
.hoctap-countdown p { margin: 0; font-size: 1.2em; font-weight: bold; color: #0d2b45; }
.hoctap-countdown .hoctap-hurry { color: #7d1616; }
"""


def left_text(seconds: float) -> str:
    """'Còn lại 29:59' (or 'Còn lại 1:02:03' past an hour); 'Hết giờ' at zero."""
    whole = max(int(seconds), 0)
    if whole == 0:
        return "Hết giờ làm bài"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    return f"Còn lại {clock}"


class Countdown(ipywidgets.HTML):
    """ "Còn lại mm:ss", updated every TICK s on the kernel's loop while the widget is open."""

    def __init__(
        self,
        ends_at: dt.datetime,
        clock: Callable[[], dt.datetime],
        schedule: Callable[[float, Callable[[], object]], None] = later,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.ends_at, self.clock, self.schedule = ends_at, clock, schedule
        self._ticking = False
        self.add_class("hoctap-countdown")
        self.show()

    def seconds_left(self) -> float:
        return (self.ends_at - self.clock()).total_seconds()

    def show(self) -> None:
        left = self.seconds_left()
        hurry = ' class="hoctap-hurry"' if left < HURRY else ""
        self.value = f'<p role="timer" aria-live="off"{hurry}>{esc(left_text(left))}</p>'

    def start(self) -> None:
        """Tick until closed or at zero (once: a second start while ticking does nothing)."""
        if not self._ticking:
            self._ticking = True
            self._next()

    def _next(self) -> None:
        left = self.seconds_left()
        if self.comm is None or left <= 0:
            self._ticking = False
            return
        self.schedule(min(TICK, left), self._tick)

    def _tick(self) -> None:
        if self.comm is None:  # the screen is gone
            self._ticking = False
            return
        self.show()
        self._next()
