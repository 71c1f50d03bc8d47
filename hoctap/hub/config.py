"""The hub's whole configuration for one machine: `configure(c, home=…)` from `deploy/hub/jupyterhub_config.py`.

What runs (all local processes, started and stopped by the hub):
- the hub and its proxy (configurable-http-proxy, from npm) on `ip:port`;
- `hoctap-quiz`: the learners' Voila (quiz app and lessons) as a hub service (`hoctap.serve.hub_voila`);
- `hoctap-dashboard`: the instructors' progress dashboard, the same server on `notebooks/instructor/`;
- `hoctap-grader-N`: `graders` graders (`hoctap grade --watch`), hub services without a URL;
- each instructor's own JupyterLab with formgrader, spawned on demand in the kit's folder.

Who reaches what (JupyterHub roles and scopes): the default `user` role — every learner — is cut down to
`access:services!service=hoctap-quiz`: no server of their own, so `/user/<name>/lab` is refused, and no other
service. The `instructor` role (group `instructors`) has `self` (their JupyterLab) and both services. Learners and
instructors land on their own start page (`default_url`).

Why services and not a server per learner: one Voila serves a whole room with one process (about 68 MB per
learner's kernel), where a single-user server per learner adds a Jupyter server (about 60–90 MB) and a spawn to
every login; docs/deploy.md gives the figures measured here.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from .identity import INSTRUCTORS_GROUP

QUIZ_SERVICE = "hoctap-quiz"
DASHBOARD_SERVICE = "hoctap-dashboard"
GRADER_SERVICE = "hoctap-grader"
QUIZ_PAGE = "voila/render/quiz.ipynb"
DASHBOARD_PAGE = "voila/render/progress.ipynb"
INSTRUCTOR_VOILA = ("hoctap.serve.instructor_voila", "--hub")  # the dashboard's Voila, with pre-heated kernels
TEMPLATES = Path(__file__).resolve().parent / "templates"


def configure(
    c,
    *,
    home: Path,
    db_url: str,
    ip: str = "127.0.0.1",
    port: int = 8000,
    hub_port: int = 8081,
    proxy_api_port: int = 8001,
    quiz_ports: Sequence[int] = (8870,),
    dashboard_port: int = 8871,
    graders: int = 1,
    state_dir: Path | None = None,
    python: str = sys.executable,
) -> None:
    """Fill the hub's configuration `c` for the kit at `home` on one machine (ports: see the arguments)."""
    home = Path(home).resolve()
    state = Path(state_dir) if state_dir is not None else home / "var" / "hub"
    state.mkdir(parents=True, exist_ok=True)

    c.JupyterHub.ip = ip
    c.JupyterHub.port = port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"  # the hub's own state; the kit's is db_url
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True

    c.JupyterHub.authenticator_class = "hoctap.hub.auth.HoctapAuthenticator"
    c.HoctapAuthenticator.db_url = db_url

    quiz = quiz_services(len(quiz_ports))
    c.JupyterHub.load_roles = roles(quiz)
    c.JupyterHub.services = services(
        home, db_url, python, dict(zip(quiz, quiz_ports, strict=True)), dashboard_port, graders
    )
    c.JupyterHub.default_url = start_page_for(quiz)

    # Instructors' JupyterLab: a local process as the hub's own system user, in the kit's folder, with formgrader on
    # the kit's course and the same Content-Security-Policy as `make run`'s Lab.
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.Spawner.notebook_dir = str(home)
    c.Spawner.default_url = "/lab"
    c.Spawner.cmd = [python, "-m", "jupyterhub.singleuser"]
    c.Spawner.args = instructor_lab_args(home)
    from hoctap.serve import lab_paths

    # formgrader on the kit's gradebook (lab_config/nbgrader_config.py), the dashboard with the kit's templates
    c.Spawner.environment = {"HOCTAP_HOME": str(home), "HOCTAP_DB_URL": db_url, **lab_paths({}), **trainer_env(quiz[0])}
    c.SimpleLocalProcessSpawner.home_dir_template = str(home)


def trainer_env(quiz_service: str) -> dict[str, str]:
    """The trainer's side (instructors' Lab and Voila): the lessons' session panel, and the join page on a quiz
    service as a path, which the panel puts on the host the trainer's page came from (hoctap.sessions.join_page)."""
    from hoctap.serve import JOIN_ENV, JOIN_PATH, TRAINER_ENV

    return {TRAINER_ENV: "1", JOIN_ENV: f"/services/{quiz_service}/{JOIN_PATH}"}


def quiz_services(count: int) -> list[str]:
    """The quiz services' names: `hoctap-quiz`, then `hoctap-quiz-2`, … (one per quiz server process)."""
    return [QUIZ_SERVICE] + [f"{QUIZ_SERVICE}-{n}" for n in range(2, count + 1)]


def roles(quiz: Sequence[str] = (QUIZ_SERVICE,)) -> list[dict]:
    access = [f"access:services!service={name}" for name in quiz]
    dashboard = f"access:services!service={DASHBOARD_SERVICE}"
    # A service's OAuth asks the hub who the user is: name and groups, their own only.
    identify = ["read:users:name!user", "read:users:groups!user"]
    return [
        # Every hub user has `user`: cut down to the quiz services (no own server, no other service).
        {"name": "user", "description": "Học viên: chỉ ứng dụng làm bài và bài học", "scopes": [*access, *identify]},
        {
            "name": "instructor",
            "description": "Giảng viên: JupyterLab với formgrader, bảng tiến độ",
            "scopes": ["self", *access, dashboard],
            "groups": [INSTRUCTORS_GROUP],
        },
    ]


def services(
    home: Path, db_url: str, python: str, quiz: dict[str, int], dashboard_port: int, graders: int
) -> list[dict]:
    # The hub gives a service only PATH, LANG and its own JUPYTERHUB_* variables: the kit's are passed here.
    env = {"HOCTAP_HOME": str(home), "HOCTAP_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}

    def voila(name: str, site: Path, port: int, module: tuple[str, ...] = ("hoctap.serve.hub_voila",)) -> dict:
        return {
            "name": name,
            "url": f"http://127.0.0.1:{port}",
            "command": [python, "-m", *module, str(site), f"--port={port}", "--Voila.ip=127.0.0.1"],
            "environment": env,
            "cwd": str(home),
            "oauth_no_confirm": True,
        }

    found = [voila(name, home / "notebooks" / "learner", port) for name, port in quiz.items()]
    # The dashboard from pre-heated kernels (any instructor may take any: the page does not depend on who asks); the
    # lessons there are the trainer's side: their session cell is the trainer's panel, its QR code the join page's.
    env = {**env, **trainer_env(next(iter(quiz)))}
    found.append(voila(DASHBOARD_SERVICE, home / "notebooks" / "instructor", dashboard_port, INSTRUCTOR_VOILA))
    for n in range(1, graders + 1):
        found.append(
            {
                "name": f"{GRADER_SERVICE}-{n}",
                "command": [python, "-m", "hoctap.cli", "grade", "--watch", "--name", f"hub-grader-{n}"],
                "environment": env,
                "cwd": str(home),
            }
        )
    return found


def start_page_for(quiz: Sequence[str]) -> Callable:
    """JupyterHub's `default_url`: where a user lands after logging in — the dashboard for an instructor, the quiz
    app for a learner, on one of the quiz services chosen by their name (a learner always lands on the same one;
    any would do: their attempts are in the database, not in a service)."""

    def start_page(handler) -> str:
        base = handler.hub.base_url.rsplit("hub/", 1)[0]
        user = handler.current_user
        if user is not None and any(g.name == INSTRUCTORS_GROUP for g in user.groups):
            return f"{base}services/{DASHBOARD_SERVICE}/{DASHBOARD_PAGE}"
        name = user.name if user is not None else ""
        return f"{base}services/{quiz[zlib.crc32(name.encode()) % len(quiz)]}/{QUIZ_PAGE}"

    return start_page


start_page = start_page_for((QUIZ_SERVICE,))


def instructor_lab_args(home: Path) -> list[str]:
    """The instructor's JupyterLab under the hub: `make run`'s settings (formgrader on the kit's course, its CSP, the
    dashboard's Voila template), after `jupyterhub.singleuser`."""
    from hoctap.serve import lab_settings

    return lab_settings(home)
