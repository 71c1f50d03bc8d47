"""The one-machine hub stack as a child process: JupyterHub with `deploy/hub/jupyterhub_config.py`, which starts the
proxy, the quiz and dashboard services and the graders itself (`hoctap.hub.config`).

    server = start_hub(home, db_url, HubPorts(8000, 8081, 8001, (8870,), 8871))  # returns at once
    wait_hub(server, ports)                                 # the hub, the proxy and both services answer
    stop(server)                                            # the hub, its proxy, services and their kernels

`make hub` runs the same configuration in the foreground. The settings travel as environment variables (the
config file's header lists them), so that a deployer's own `jupyterhub -f` reads the same ones.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from hoctap.errors import ServeError

from .environments import _with_venv_path
from .servers import Server
from .supervise import spawn

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "hub" / "jupyterhub_config.py"
HUB_READY_TIMEOUT = 180.0  # the hub starts its services one after the other, each a Voila


@dataclass(frozen=True)
class HubPorts:
    port: int  # the proxy: what learners open
    hub_api: int
    proxy_api: int
    quiz: tuple[int, ...]  # one quiz service per port
    dashboard: int


def hub_env(home: Path, db_url: str, ports: HubPorts, graders: int = 1, state_dir: Path | None = None) -> dict:
    env = _with_venv_path(dict(os.environ))
    env.update(
        HOCTAP_HOME=str(home),
        HOCTAP_DB_URL=db_url,
        HOCTAP_HUB_PORT=str(ports.port),
        HOCTAP_HUB_API_PORT=str(ports.hub_api),
        HOCTAP_PROXY_API_PORT=str(ports.proxy_api),
        HOCTAP_QUIZ_PORTS=",".join(str(p) for p in ports.quiz),
        HOCTAP_DASHBOARD_PORT=str(ports.dashboard),
        HOCTAP_GRADERS=str(graders),
    )
    if state_dir is not None:
        env["HOCTAP_HUB_STATE"] = str(state_dir)
    return env


def start_hub(
    home: Path,
    db_url: str,
    ports: HubPorts,
    *,
    graders: int = 1,
    state_dir: Path | None = None,
    output: IO | None = None,
) -> Server:
    if shutil.which("configurable-http-proxy") is None:
        raise ServeError(
            "thiếu configurable-http-proxy: `npm install -g configurable-http-proxy` / configurable-http-proxy "
            "is missing (JupyterHub's proxy, from npm)"
        )
    command = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]
    env = hub_env(Path(home).resolve(), db_url, ports, graders, state_dir)
    process = spawn(command, env, Path(home), output)
    return Server("JupyterHub", "127.0.0.1", ports.port, "HOCTAP_HUB_PORT", process, probe_path="/hub/api")


def wait_hub(server: Server, ports: HubPorts, timeout: float = HUB_READY_TIMEOUT) -> None:
    """Return once the hub answers through its proxy (its route is set after the services started) and both services
    answer; ServeError if the hub exits first."""
    deadline = time.monotonic() + timeout
    from hoctap.hub import DASHBOARD_SERVICE, quiz_services

    quiz = zip(quiz_services(len(ports.quiz)), ports.quiz, strict=True)
    probes = [f"http://127.0.0.1:{port}/services/{name}/voila/static/voila.js" for name, port in quiz]
    probes += [
        f"http://127.0.0.1:{ports.dashboard}/services/{DASHBOARD_SERVICE}/voila/static/voila.js",
        f"http://127.0.0.1:{ports.port}/hub/api",
    ]
    while probes:
        if (code := server.process.poll()) is not None:
            raise ServeError(f"JupyterHub đã dừng (mã {code}) / exited with code {code}; xem nhật ký / see its log")
        if _answers(probes[0]):
            probes.pop(0)
            continue
        if time.monotonic() > deadline:
            raise ServeError(f"JupyterHub: {probes[0]} không trả lời sau {timeout:.0f} s / no answer")
        time.sleep(0.2)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 400
    except (urllib.error.URLError, OSError):  # HTTPError too: the proxy answers 404 until the hub's route is set
        return False
