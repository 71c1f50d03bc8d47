"""The kit behind JupyterHub: learners and instructors log in through the hub, the quiz app learns who from it.

In: the gradebook (learners' hashed access codes, instructors' accounts), the hub's login form and its OAuth.
Out: `HoctapAuthenticator` (roster id + access code, or an instructor's name + code; failed logins throttled; units
and roles become hub groups, instructors the group `instructors`), `configure(c, …)` (the hub's whole configuration
for one machine: roles and scopes, the quiz and dashboard services, graders, the instructors' JupyterLab), the
instructors' accounts (`add_instructor`), and, in a learner's kernel, `hub_user_of_kernel()`. Open `auth.py`, then
`config.py`. Leans on JupyterHub (only `auth.py` and `config.py`: a kernel imports `identity.py` alone)."""

from hoctap import lazy_surface

SURFACE = {
    "HoctapAuthenticator": "auth",
    "configure": "config",
    "QUIZ_SERVICE": "config",
    "quiz_services": "config",
    "DASHBOARD_SERVICE": "config",
    "INSTRUCTORS_GROUP": "identity",
    "HUB_USER_HEADER": "identity",
    "BEHIND_HUB_ENV": "identity",
    "hub_user_of_kernel": "identity",
    "add_instructor": "staff",
    "verify_instructor": "staff",
    "Throttle": "throttle",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
