"""The learners' Voila behind JupyterHub: `python -m hoctap.serve.hub_voila SITE_DIR --port=P` as a hub service.

The same server as `voila_app` (templates, kernel cap, waiting line, culler, compression), with three changes:

- **Who is asking comes from the hub.** Jupyter Server's identity provider is JupyterHub's own
  (`JupyterHubIdentityProvider`: OAuth with the hub, the service's access scope checked on every request), so a
  request without a hub login is sent to the hub's login page, and a hub user without the scope
  `access:services!service=<this service>` gets 403.
- **The kernel learns it from the server, never from the page.** The page handler writes the hub user's name into
  the request's `X-Hoctap-Hub-User` header, replacing anything the browser sent, and Voila copies that one header
  into the new kernel's environment (`VoilaConfiguration.http_header_envs` → `HTTP_X_HOCTAP_HUB_USER`). The quiz
  app reads it only when the server also says it runs behind the hub (`HOCTAP_BEHIND_HUB=1`, set here for the
  kernels; the standalone server copies no header at all).
- **No pre-heated kernels.** A pre-heated kernel has run the quiz before anyone asked for it, so its environment
  cannot name the learner (Voila's `prelaunch_hook` does not run for it either). Under the hub each page starts its
  own kernel: docs/deploy.md gives the measured cost.

Secrets stay out of the kernels' environment (they inherit the server's): the hub's API token is handed to the OAuth
client in configuration, and the gradebook URL goes to `<kit>/var/gradebook-url` (mode 0600), where
`hoctap.course.course_at` reads it, before both leave `os.environ`.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import tornado.web
from traitlets.config import Config

from hoctap.hub import BEHIND_HUB_ENV, HUB_USER_HEADER

from .kernel_cap import CappedVoilaHandler
from .learner_voila import LearnerVoila
from .voila_app import config as standalone_config
from .voila_app import jupyter_path_with_templates

IDENTITY_PATHS = ("/oauth_callback", "/logout")  # JupyterHubIdentityProvider.get_handlers()


class HubUserVoilaHandler(CappedVoilaHandler):
    """The capped page handler, telling the kernel it starts whose page it is (from the hub's login only)."""

    @tornado.web.authenticated
    async def get(self, path=None):
        # Replaces any value the browser sent: only the identity provider's user reaches the kernel.
        self.request.headers[HUB_USER_HEADER] = self.current_user.username
        return await super().get(path=path)


class HubLearnerVoila(LearnerVoila):
    """LearnerVoila whose page handler passes the hub user on."""

    def initialize(self, argv=None):
        super().initialize(argv)
        # The hub stops a service with SIGINT, then SIGTERM 10 s later: stop at the first, as Voila does at SIGTERM.
        signal.signal(signal.SIGINT, self._handle_signal_stop)

    def init_handlers(self):
        from jupyter_server.utils import url_path_join

        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            if pattern in IDENTITY_PATHS:  # Voila adds the provider's handlers without its base URL
                pattern = url_path_join(self.base_url, pattern)
            handlers.append((pattern, HubUserVoilaHandler if handler is CappedVoilaHandler else handler, *rest))
        return handlers


def hub_config(api_token: str, service_prefix: str) -> Config:
    """The standalone configuration, with the hub's identity provider, no pool and the one header passed on."""
    from jupyterhub.singleuser.extension import JupyterHubAuthorizer, JupyterHubIdentityProvider

    c = standalone_config()
    c.Voila.base_url = service_prefix
    c.Voila.identity_provider_class = JupyterHubIdentityProvider
    c.Voila.authorizer_class = JupyterHubAuthorizer
    c.Voila.auto_token = True  # Voila would otherwise pass token="" to the provider, whose token is the hub's
    c.HubOAuth.api_token = api_token
    c.VoilaConfiguration.http_header_envs = [HUB_USER_HEADER]
    c.VoilaConfiguration.preheat_kernel = False
    c.LearnerVoila.pool = 0
    c.LearnerVoila.session_pool = 0  # the join page too: its kernel must know whose page it is
    return c


def _take_secrets() -> tuple[str, str]:
    """The hub's token and the service prefix; the gradebook URL saved where kernels read it; secrets removed."""
    from hoctap.course import save_gradebook_url
    from hoctap.topic import layout

    from .environments import SECRET_NAME

    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    if not token:
        raise SystemExit("hub_voila: chạy như dịch vụ của JupyterHub (thiếu JUPYTERHUB_API_TOKEN) / not a hub service")
    if db_url := os.environ.get("HOCTAP_DB_URL"):
        save_gradebook_url(Path(layout().root), db_url)
    for name in [n for n in os.environ if SECRET_NAME.search(n)]:
        del os.environ[name]
    return token, prefix


def main(argv: list[str] | None = None) -> None:
    token, prefix = _take_secrets()
    os.environ["JUPYTER_PATH"] = jupyter_path_with_templates(os.environ.get("JUPYTER_PATH"))
    os.environ[BEHIND_HUB_ENV] = "1"
    HubLearnerVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv, config=hub_config(token, prefix))


if __name__ == "__main__":
    main()
