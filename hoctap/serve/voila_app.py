"""The learner-side Voila server: `python -m hoctap.serve.voila_app SITE_DIR --port=8866 --Voila.ip=127.0.0.1`.

Standalone Voila (never the Jupyter server extension, which filters nothing), launched from Python so that its
configuration can hold a callable: `page_config_hook` gives the index page each lesson's title from the
notebook's `metadata.title`. Every other setting is plain traitlets configuration, all of it in `config()`;
arguments after SITE_DIR are Voila's own (`--port`, `--Voila.ip`, any `--Class.trait=value`) and win.

Kernels: the quiz is served from a pool of pre-heated kernels (`--LearnerVoila.pool=N`, default one per core); at
most `kernel_cap.MAX_KERNELS` run at once, the pool's included, and a page load beyond gets a busy page, HTTP 503
(`--LearnerKernelManager.max_kernels` changes it); when the cores are already busy starting kernels (4 starts per
core, `--LearnerKernelManager.max_starts`), a page load waits in line on a page showing its place
(waiting_line.py); kernels without a websocket are culled 45 to 60 s after their last activity, open tabs never.
The app is `learner_voila.LearnerVoila`: Voila with the capped page handler, compressed responses and cached static
files (static_cache.py).

Templates: `hoctap` (a lesson as an app) and `hoctap-slides` (the same lesson as reveal.js slides, widgets live)
live in `hoctap/templates/voila/templates/`, and the index page is `hoctap/tree.html`. Voila and nbconvert find
templates by name under every `<root>/voila/templates/` of `jupyter_path()`, which reads `JUPYTER_PATH` at each
call, so `main()` puts `hoctap/templates` first on `JUPYTER_PATH` (this works from an editable install and is
inherited by nothing but this server and its kernels). Slides: `/voila/render/<lesson>?template=hoctap-slides`
(Voila allows template override by query argument by default).
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from traitlets.config import Config

from .pool import default_pool, pool_config

TEMPLATES_ROOT = Path(__file__).resolve().parent / "templates"
APP_TEMPLATE = "hoctap"
SLIDES_TEMPLATE = "hoctap-slides"
LESSONS_KEY = "hoctapLessons"  # page_config key read by templates/voila/templates/hoctap/tree.html

# Kernels of closed tabs keep running (the shutdown beacon gets 403, voila#1458), and a plain GET starts one that
# nothing ever connects to: a kernel without a websocket goes 45 to 60 s after its last activity. Open tabs stay
# (`cull_connected=False`), however long idle; a tab that lost its connection longer than that reloads its page,
# and loses nothing: the answers are in the database.
CULL_INTERVAL = 15
CULL_IDLE_TIMEOUT = 45


# Lab extensions that error inside Voila 0.5.13: nbgrader's, and Notebook 7's ("The getter for the shared module is
# not a function … @jupyterlab/docregistry", RUNTIME-012); neither has anything to show in an app. The instructors'
# JupyterLab, which serves the dashboard through Voila's server extension, is told the same (serve.lab_command).
EXTENSION_DENYLIST = ("@jupyter/nbgrader", "@jupyter-notebook/lab-extension")


def config() -> Config:
    """The learner server's configuration (command-line arguments override it)."""
    c = Config()
    c.Voila.open_browser = False
    c.Voila.port_retries = 0  # a taken port is an error, not a silent move to another port
    c.VoilaConfiguration.template = APP_TEMPLATE
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.classic_tree = True
    c.VoilaConfiguration.allow_template_override = "YES"  # ?template=hoctap-slides
    c.VoilaConfiguration.extension_denylist = list(EXTENSION_DENYLIST)
    c.VoilaConfiguration.page_config_hook = page_config_hook
    # A cell's output may take more than Voila's 4 s to arrive when the cores are busy starting kernels (a room told
    # "scan now"): Voila then renders the cell without it, and the phone gets a page without its app (14 of 60 in the
    # session bench). Waiting longer costs nothing when the machine is idle.
    c.VoilaExecutor.iopub_timeout = 60
    # The quiz opens on a kernel that has already run it (Voila's pre-heated pool): a learner waits for the page,
    # not for a kernel start. Voila never culls a kernel waiting in the pool; one handed to a page gets a full idle
    # timeout from then (kernel_cap.LearnerKernelManager).
    c.VoilaConfiguration.preheat_kernel = True
    c.VoilaConfiguration.default_pool_size = 0
    c.VoilaKernelManager.kernel_pools_config = pool_config(default_pool())  # learner_voila: --LearnerVoila.pool=N
    # Voila waits 1 s before refilling its pool after a kernel is taken; the waiting line (kernel_cap) already keeps
    # the starts to what the cores can do, and during a burst every second idle is a second more for the line.
    c.VoilaKernelManager.fill_delay = 0
    # At most kernel_cap.MAX_KERNELS kernels, the pool's included (`--LearnerKernelManager.max_kernels=N`); a page
    # load beyond gets the busy page, HTTP 503.
    c.VoilaConfiguration.multi_kernel_manager_class = "hoctap.serve.kernel_cap.LearnerKernelManager"
    c.MappingKernelManager.cull_interval = CULL_INTERVAL
    c.MappingKernelManager.cull_idle_timeout = CULL_IDLE_TIMEOUT
    c.MappingKernelManager.cull_connected = False
    c.HTMLExporter.language_code = "vi"
    return c


def page_config_hook(
    page_config: dict[str, Any],
    base_url: str,
    settings: dict[str, Any],
    log: Any,
    voila_configuration: Any,
    notebook_path: str = "",
) -> dict[str, Any]:
    """Add the lessons under a tree page's folder to its page_config (rendered notebooks are left alone).

    Voila's tree handler ignores the return value and its render path uses it: change in place and return it.
    """
    if notebook_path.endswith(".ipynb"):
        return page_config
    manager = settings.get("contents_manager")
    root = getattr(manager, "root_dir", None)
    if root is None:
        return page_config
    try:
        page_config[LESSONS_KEY] = lesson_groups(Path(root), notebook_path, base_url)
    except OSError as error:  # the page still renders, with what the log says
        log.warning("hoctap: cannot list lessons under %r: %s", notebook_path, error)
        page_config[LESSONS_KEY] = []
    return page_config


def lesson_groups(root: Path, subpath: str = "", base_url: str = "/") -> list[dict[str, Any]]:
    """Every notebook under `root/subpath`, grouped by folder, sorted by path, each with its title and links.

    Symlinked folders are followed (the learner site's `lessons` links to the kit's `lessons/`) and paths stay as
    the server sees them, relative to `root` without resolving links; a subpath leading out of `root` lists
    nothing. A notebook at the top of `root` is an app (the quiz): kind "app", listed first; others are lessons.
    """
    from jupyter_server.utils import url_escape, url_path_join

    base = Path(os.path.abspath(root))
    top = Path(os.path.normpath(base / subpath))
    if not top.is_relative_to(base) or not top.is_dir():
        return []
    groups: dict[str, list[dict[str, str]]] = {}
    seen: set[str] = set()  # real folders walked: a link back up must not loop
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(".ipynb"):
                continue
            path = Path(dirpath, name)
            rel = path.relative_to(base).as_posix()
            app_url = url_path_join(base_url, "voila/render", url_escape(rel))
            folder = Path(rel).parent.as_posix()
            groups.setdefault("" if folder == "." else folder, []).append(
                {
                    "path": rel,
                    "title": notebook_title(path),
                    "kind": "app" if folder == "." else "lesson",
                    "app_url": app_url,
                    "slides_url": f"{app_url}?template={SLIDES_TEMPLATE}",
                }
            )
    return [{"folder": folder, "label": group_label(folder), "lessons": groups[folder]} for folder in sorted(groups)]


def group_label(folder: str) -> str:
    """The heading of a group on the index page: the apps, the lessons of a year, or the folder."""
    if not folder:
        return "Kiểm tra, đánh giá"
    last = folder.rsplit("/", 1)[-1]
    return f"Bài học năm {last}" if last.isdigit() and len(last) == 4 else folder


def notebook_title(path: Path) -> str:
    """`metadata.title` of a notebook, or its file name when it has none or cannot be read."""
    try:
        return _title(str(path), path.stat().st_mtime_ns)
    except OSError:
        return path.stem


@lru_cache(maxsize=1024)
def _title(path: str, mtime_ns: int) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            title = json.load(f).get("metadata", {}).get("title")
    except (OSError, ValueError, AttributeError):
        title = None
    return title.strip() if isinstance(title, str) and title.strip() else Path(path).stem


def jupyter_path_with_templates(current: str | None) -> str:
    """`JUPYTER_PATH` with hoctap's template root first."""
    parts = [str(TEMPLATES_ROOT)] + [p for p in (current or "").split(os.pathsep) if p and p != str(TEMPLATES_ROOT)]
    return os.pathsep.join(parts)


def main(argv: list[str] | None = None) -> None:
    os.environ["JUPYTER_PATH"] = jupyter_path_with_templates(os.environ.get("JUPYTER_PATH"))
    from .learner_voila import LearnerVoila

    LearnerVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv, config=config())


if __name__ == "__main__":
    main()
