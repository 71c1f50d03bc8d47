"""A load run behind JupyterHub: the room's kit served by the one-machine hub stack (`deploy/hub/`), on a throwaway
gradebook the caller gives (PostgreSQL: `LoadSettings.db_url`), with N quiz services and M graders.

    server, base = start_hub_room(room, work, db_url, quiz_services=2, graders=2)   # waits until all answer

The hub starts the proxy, the quiz services, the dashboard and the graders itself (`hoctap.hub.config`); they are
its children, so the run's kernel count and memory peak, taken on the hub's process tree, cover all of them, and
`hoctap.serve.stop` on the hub stops them all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hoctap.serve import HubPorts, Server, start_hub, stop, wait_hub

from .room import Room

# The kit's own dashboard notebook (not `layout()`'s: the run points HOCTAP_HOME at the room while servers start).
DASHBOARD = Path(__file__).resolve().parents[2] / "notebooks" / "instructor" / "progress.ipynb"


def start_hub_room(
    room: Room, work: Path, db_url: str, free_port, *, quiz_services: int = 1, graders: int = 1
) -> tuple[Server, str]:
    """Start the hub on the room (its dashboard notebook copied in) on free ports; (server, the hub's base URL)."""
    dashboard = room.home / "notebooks" / "instructor"
    dashboard.mkdir(parents=True, exist_ok=True)
    shutil.copy(DASHBOARD, dashboard / "progress.ipynb")
    ports = HubPorts(
        free_port(), free_port(), free_port(), tuple(free_port() for _ in range(quiz_services)), free_port()
    )
    with open(work / "hub.log", "wb") as log:
        server = start_hub(room.home, db_url, ports, graders=graders, state_dir=work / "hub-state", output=log)
    try:
        wait_hub(server, ports)
    except Exception as error:
        stop(server)
        tail = (work / "hub.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{error}\n{tail}") from None
    return server, f"http://127.0.0.1:{ports.port}/"
