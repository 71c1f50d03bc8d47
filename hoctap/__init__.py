"""hoctap: a Jupyter kit for studying a yearly topic, quizzing learners and reporting progress.

One package per stage of the data's way (docs/architecture.md): `topic` (the spec) → `build` (lessons and nbgrader
sources) → `course` (the nbgrader course, roster, access codes) → `attempts` (what a learner may do and did) →
`grading` → `progress` (tables) → `report`; `serve` runs the servers, `safety` makes learners' words harmless
wherever they are shown. Each stage's `__init__` names its surface; other stages import that, never a stage's
private module. A surface is loaded lazily (`lazy_surface`): importing `hoctap.attempts` for the learner's portal
does not load pandas or nbgrader.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__version__ = "0.1.0"


def lazy_surface(
    package: str, surface: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list], list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for a stage package (PEP 562): `surface` maps each public name to the
    module of the package that defines it, imported on first use and kept on the package."""

    def __getattr__(name: str) -> object:
        module = surface.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list:
        return sorted(surface)

    return __getattr__, __dir__, sorted(surface)
