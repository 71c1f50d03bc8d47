# JupyterHub on one machine for the kit: `make hub` (or `jupyterhub -f deploy/hub/jupyterhub_config.py`).
# Everything is in hoctap/hub/config.py; this file only reads the deployment's settings from the environment:
#   HOCTAP_HOME         the kit's folder (default: this checkout)
#   HOCTAP_DB_URL       the gradebook every process shares (PostgreSQL in production; default: the kit's SQLite)
#   HOCTAP_HUB_IP, HOCTAP_HUB_PORT            where learners connect (default 127.0.0.1:8000)
#   HOCTAP_HUB_API_PORT, HOCTAP_PROXY_API_PORT, HOCTAP_DASHBOARD_PORT   internal ports
#   HOCTAP_QUIZ_PORTS   the quiz services' ports, one service each (default 8870; "8870,8872": two services)
#   HOCTAP_GRADERS      graders run as hub services (default 1)
#   HOCTAP_HUB_STATE    the hub's own files (its SQLite, cookie secret; default $HOCTAP_HOME/var/hub)
import os
from pathlib import Path

from hoctap.course import course_at
from hoctap.hub import configure
from hoctap.topic import layout

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

home = Path(os.environ.get("HOCTAP_HOME") or Path(__file__).resolve().parents[2])
os.environ.setdefault("HOCTAP_HOME", str(home))
env = os.environ.get
configure(
    c,
    home=home,
    db_url=env("HOCTAP_DB_URL") or course_at(layout().assessments).db_url,
    ip=env("HOCTAP_HUB_IP", "127.0.0.1"),
    port=int(env("HOCTAP_HUB_PORT", "8000")),
    hub_port=int(env("HOCTAP_HUB_API_PORT", "8081")),
    proxy_api_port=int(env("HOCTAP_PROXY_API_PORT", "8001")),
    quiz_ports=[int(p) for p in env("HOCTAP_QUIZ_PORTS", "8870").split(",")],
    dashboard_port=int(env("HOCTAP_DASHBOARD_PORT", "8871")),
    graders=int(env("HOCTAP_GRADERS", "1")),
    state_dir=Path(env("HOCTAP_HUB_STATE")) if env("HOCTAP_HUB_STATE") else None,
)
