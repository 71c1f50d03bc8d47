"""Load tests of the learner app: simulated learners over HTTP and the kernel's websocket, driven by Locust.

In: the shipped topic, a number of learners and an arrival rate. Out: a room (the quiz released, a synthetic roster
with codes), the learner Voila and the grader started on it, Locust run as a subprocess with the kit's user class
(`locustfile.py`: `LearnerUser`, and `BareUser` for a baseline), and a report: each step's p50/p95/max, errors,
submissions stored and graded (from the database), kernels left after culling, the learner server's peak memory.
Open `run.py` first. Locust (gevent) patches the standard library when imported: only `locustfile.py` imports it,
and only Locust's own process loads that module; `channel.py` (the Jupyter and ipywidgets protocols) and
`learner.py` (one learner's visit) work in any process, and so does `phone.py` (a phone in a live study session, the
trainer's projected chart watched)."""

from hoctap import lazy_surface

SURFACE = {
    "WidgetChannel": "channel",
    "ChannelError": "channel",
    "kernel_id_in": "channel",
    "Visit": "learner",
    "bare_visit": "learner",
    "STEPS": "learner",
    "PAGE": "learner",
    "ARRIVAL": "learner",
    "SCORE": "learner",
    "HUB_LOGIN": "learner",
    "HubVisit": "hub_visit",
    "StepFailed": "learner",
    "Phone": "phone",
    "Projector": "phone",
    "ChartUpdate": "phone",
    "read_chart": "phone",
    "chart_delays": "phone",
    "STEP_LABELS": "learner",
    "prepare_room": "room",
    "Room": "room",
    "run_load": "run",
    "LoadSettings": "run",
    "report_lines": "report",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
