"""The environments the kit's servers start with (their kernels inherit them): what each side may see.

- the learners' Voila: nothing whose name looks like a secret (`SECRET_NAME`: the gradebook's URL reaches its kernels
  through a file, course.save_gradebook_url), and never `HOCTAP_TRAINER_SIDE`, so a lesson opened there shows a
  learner how to join a session, never the trainer's panel;
- the instructors' JupyterLab and Voila: the Jupyter token, the kit's templates and nbgrader settings
  (`lab_paths`), and `HOCTAP_TRAINER_SIDE=1` (the lessons' session cell is the trainer's panel there);
- both: `HOCTAP_JOIN_URL`, the learners' join page as phones in the room reach it (`join_page_env`), which the
  trainer's panel draws as a QR code.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from .ports import WILDCARD_HOSTS, lan_address, url_host
from .voila_app import jupyter_path_with_templates

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|DB_URL|DATABASE_URL", re.I)
TRAINER_ENV = "HOCTAP_TRAINER_SIDE"  # read by widgets.session.lesson_panel
JOIN_ENV = "HOCTAP_JOIN_URL"  # read by hoctap.sessions.join_page
JOIN_PATH = "voila/render/session.ipynb"  # notebooks/learner/session.ipynb on the learners' server
LAB_CONFIG = Path(__file__).resolve().parent / "lab_config"  # nbgrader_config.py: formgrader on the kit's gradebook


def learner_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The learner server's environment: no variable whose name looks like a secret, no trainer's side."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not SECRET_NAME.search(k) and k != TRAINER_ENV}
    return _with_venv_path(env)


def lab_env(token: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["JUPYTER_TOKEN"] = token
    env[TRAINER_ENV] = "1"
    env.update(lab_paths(env))
    return _with_venv_path(env)


def join_page_env(host: str, learner_port: int) -> dict[str, str]:
    """`HOCTAP_JOIN_URL` for a learners' server on `host:learner_port` (a wildcard host: this machine's address on
    the room's network, which the phones reach)."""
    shown = lan_address() if host in WILDCARD_HOSTS else host
    return {JOIN_ENV: f"http://{url_host(shown)}:{learner_port}/{JOIN_PATH}"}


def lab_paths(env: Mapping[str, str]) -> dict[str, str]:
    """JUPYTER_PATH with the kit's Voila templates first, JUPYTER_CONFIG_PATH with the kit's nbgrader settings first."""
    config = [str(LAB_CONFIG)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    return {
        "JUPYTER_PATH": jupyter_path_with_templates(env.get("JUPYTER_PATH")),
        "JUPYTER_CONFIG_PATH": os.pathsep.join(config),
    }


def _with_venv_path(env: dict[str, str]) -> dict[str, str]:
    """The kit's executables first on PATH (nbgrader's Gradebook runs `alembic` from PATH)."""
    bin_dir = str(Path(sys.executable).parent)
    parts = env.get("PATH", os.defpath).split(os.pathsep)
    env["PATH"] = os.pathsep.join([bin_dir] + [p for p in parts if p != bin_dir])
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
