"""The local servers of `make run`: the learners' Voila (quiz and lessons), the grader, the instructors' Lab.

In: the kit's folders and the ports to use. Out: child processes kept running (a dead one restarted with backoff)
until Ctrl-C or SIGTERM; the learners' Voila with its templates, its cap on kernels and its culler; formgrader's pages
behind a Content-Security-Policy. Open `servers.py` first; it leans on Voila, JupyterLab and Jupyter Server."""

from hoctap import lazy_surface

SURFACE = {
    "serve": "servers",
    "Server": "servers",
    "start_learner": "servers",
    "start_grader": "servers",
    "start_lab": "servers",
    "wait_ready": "servers",
    "LEARNER_PORT": "servers",
    "LAB_PORT": "servers",
    "stop": "supervise",
    "lab_settings": "servers",
    "lab_paths": "environments",
    "TRAINER_ENV": "environments",
    "JOIN_ENV": "environments",
    "JOIN_PATH": "environments",
    "HubPorts": "hub_stack",
    "start_hub": "hub_stack",
    "wait_hub": "hub_stack",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
