"""The instructors' Voila: the progress dashboard (`notebooks/instructor/`) on its own port, with pre-heated kernels,
behind the instructors' authentication.

    python -m hoctap.serve.instructor_voila SITE_DIR --port=P --Voila.ip=H          # `make run`: the Lab's token
    python -m hoctap.serve.instructor_voila --hub SITE_DIR --port=P --Voila.ip=H    # the `hoctap-dashboard` service
    servers.start_instructor(site, host, port, token, output=None) -> Server       # servers.serve starts it

Why not the Lab's Voila extension (`/voila/render/…` inside JupyterLab), which served it before: it starts a kernel
per visit, so the page was ready after about 5 s even for 40 learners (pandas, the gradebook read, the first tables
all happen after the click). Here the dashboard runs in kernels started and executed before anyone asks (Voila's
pre-heated pool, `--InstructorVoila.pool=N`, default 1): the page a visitor gets has already read the gradebook. The
page does not depend on who asks (unlike the quiz, whose kernel must know the learner), so any instructor may take
any pre-heated kernel. A kernel that waited in the pool reads the gradebook again, in a thread, when a page takes it
(widgets/dashboard/preheat.py), and the page says when its figures were read.

Who may open it:
- standalone (`make run`): jupyter_server's token authentication with the Lab's own token (read from
  `JUPYTER_TOKEN`, as the Lab reads it, never from the command line, which `ps` shows), so whoever can open the Lab
  can open the dashboard; a request without it is sent to Voila's login page (302), a wrong one is refused;
- under the hub: the hub's OAuth (hub_voila.py), with the scope `access:services!service=hoctap-dashboard`, which
  only the `instructor` role has (hoctap/hub/config.py); learners get 403.

Every response carries a Content-Security-Policy that lets the page reach this server only: nothing leaves the
machine (MathJax is Voila's own bundle; no font or script CDN). The kernels get the server's environment minus the
token and anything else that looks like a secret; the gradebook URL goes to `<kit>/var/gradebook-url` as the quiz's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets import Int
from voila.app import Voila

from .learner_voila import LearnerVoila
from .voila_app import config as standalone_config
from .voila_app import jupyter_path_with_templates

DASHBOARD_NOTEBOOK = "progress.ipynb"
# Voila refills the pool as soon as a kernel is taken; the new kernel reads the gradebook (about 7 s of CPU at
# 10,000 × 20) while the page just served is still drawing on the same cores: the refill waits until it has drawn.
FILL_DELAY = 20
DEFAULT_POOL = 1  # each dashboard kernel holds the topic's learner table: ~150 MB at 10,000 × 20; one waits ready
TOKEN_ENV = "JUPYTER_TOKEN"
# Only this server: scripts and styles inline (Voila's page and the widgets' own), images from data: URLs (the
# downloads are data: links, which are navigations, not fetches), websockets to this server.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'self'"
)


def pool_config(size: int) -> dict[str, dict[str, int]]:
    """Voila's `kernel_pools_config`: `size` kernels pre-heated for the dashboard, none for any other notebook."""
    return {"default": {"pool_size": 0}, DASHBOARD_NOTEBOOK: {"pool_size": size}}


class InstructorMixin:
    """The pool sized for the dashboard, and the policy header on every response."""

    def init_settings(self):
        size = self.pool if self.pool >= 0 else DEFAULT_POOL
        self.config.VoilaKernelManager.kernel_pools_config = pool_config(size)
        self.config.VoilaKernelManager.fill_delay = FILL_DELAY
        settings = Voila.init_settings(self)  # not LearnerVoila's: it would size the quiz's pool
        settings["compress_response"] = True
        settings["headers"] = {**settings.get("headers", {}), "Content-Security-Policy": CSP}
        return settings


class InstructorVoila(InstructorMixin, LearnerVoila):
    """The learner server's Voila (kernel cap, compression, cached static files) for the dashboard."""

    pool = Int(-1, config=True, help="Pre-heated dashboard kernels (-1: the default, 1; 0: none).")


def config(token: str) -> object:
    c = standalone_config()
    c.Voila.token = token  # jupyter_server's IdentityProvider: ?token=… or the login form, then a cookie
    c.VoilaConfiguration.preheat_kernel = True
    c.VoilaConfiguration.default_pool_size = 0
    c.VoilaConfiguration.allow_template_override = "NO"
    return c


def _hub_app_and_config():
    from .hub_voila import HubLearnerVoila, _take_secrets, hub_config

    class HubInstructorVoila(InstructorMixin, HubLearnerVoila):
        pool = Int(-1, config=True, help="Pre-heated dashboard kernels (-1: the default, 1; 0: none).")

    api_token, prefix = _take_secrets()
    c = hub_config(api_token, prefix)
    c.VoilaConfiguration.preheat_kernel = True  # the hub's quiz has none (its kernels must know the learner)
    c.VoilaConfiguration.http_header_envs = []  # the dashboard never asks who is looking
    c.VoilaConfiguration.allow_template_override = "NO"
    del c.LearnerVoila["pool"]
    return HubInstructorVoila, c


def _take_token() -> str:
    """The Lab's token, out of the environment the kernels inherit; the gradebook URL saved where kernels read it."""
    from hoctap.course import save_gradebook_url
    from hoctap.topic import layout

    from .environments import SECRET_NAME

    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        raise SystemExit(f"instructor_voila: thiếu {TOKEN_ENV} (mã token của JupyterLab) / {TOKEN_ENV} is not set")
    if db_url := os.environ.get("HOCTAP_DB_URL"):
        save_gradebook_url(Path(layout().root), db_url)
    for name in [n for n in os.environ if SECRET_NAME.search(n)]:
        del os.environ[name]
    return token


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ["JUPYTER_PATH"] = jupyter_path_with_templates(os.environ.get("JUPYTER_PATH"))
    if "--hub" in argv:
        argv.remove("--hub")
        app, c = _hub_app_and_config()
    else:
        app, c = InstructorVoila, config(_take_token())
    app.launch_instance(argv=argv, config=c)


if __name__ == "__main__":
    main()
