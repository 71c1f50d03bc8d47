"""Who a learner's kernel serves, behind the hub (light: a kernel imports this module alone).

The hub's service (`hoctap.serve.hub_voila`) writes the hub user's name into the request's `X-Hoctap-Hub-User`
header, replacing whatever the browser sent, and Voila copies that header into the new kernel's environment as
`HTTP_X_HOCTAP_HUB_USER` (rfc3875's naming). The server also sets `HOCTAP_BEHIND_HUB=1` for its kernels: without it
the variable is ignored, so that nothing a standalone server's page sends can name a learner.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

HUB_USER_HEADER = "X-Hoctap-Hub-User"
HUB_USER_ENV = "HTTP_X_HOCTAP_HUB_USER"
BEHIND_HUB_ENV = "HOCTAP_BEHIND_HUB"
INSTRUCTORS_GROUP = "instructors"


def hub_user_of_kernel(environ: Mapping[str, str] | None = None) -> str | None:
    """In a kernel: the hub user whose page started it, or None when its server is not behind the hub."""
    environ = os.environ if environ is None else environ
    if environ.get(BEHIND_HUB_ENV) != "1":
        return None
    return (environ.get(HUB_USER_ENV) or "").strip() or None
