"""The layout holds: one package per stage, modules of one job (under 400 lines), no import circles, the core never
imports the widgets, and stages reach each other only through their surfaces (each stage's `__init__`).

Imports are read with `ast`, inside functions too (a late import is still a dependency), so nothing is run."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hoctap", "widgets")
STAGES = (
    "topic",
    "build",
    "course",
    "attempts",
    "grading",
    "progress",
    "report",
    "serve",
    "safety",
    "load",
    "hub",
    "sessions",
)
MAX_LINES = 400


def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the kit's two packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = modules()


def _surface_owner(package: str, name: str) -> str | None:
    """The module a stage's surface takes `name` from (`hoctap.topic` + `load_topic` → `hoctap.topic.load`)."""
    stage = package.split(".")
    if len(stage) == 2 and stage[0] == "hoctap" and stage[1] in STAGES:
        owner = importlib.import_module(package).SURFACE.get(name)
        return f"{package}.{owner}" if owner else None
    return None


def imports_of(module: str) -> set[str]:
    """The kit's modules `module` imports (resolved to the defining module for a stage's surface)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            target = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if candidate in MODULES:
                    out.add(candidate)
                elif (owner := _surface_owner(target, alias.name)) is not None:
                    out.add(owner)
                elif target in MODULES:
                    out.add(target)
    out.discard(module)
    return out


GRAPH = {module: imports_of(module) for module in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_has_one_job_and_under_400_lines(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)}: {lines} lines; split it by job"


def test_no_module_imports_itself_through_others():
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(GRAPH[module]):
            if state.get(other) == 1:
                cycles.append(path[path.index(other) :] + [other])
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "import circles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_core_never_imports_the_widgets():
    wrong = {m: sorted(i for i in GRAPH[m] if i.startswith("widgets")) for m in GRAPH if m.startswith("hoctap")}
    assert {m: i for m, i in wrong.items() if i} == {}


def test_stages_and_widgets_use_each_others_surface_not_a_private_module():
    found = []
    for module, path in MODULES.items():
        parts = module.split(".")
        here = parts[1] if parts[0] == "hoctap" and len(parts) > 2 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("hoctap."):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name.startswith("hoctap.")]
            else:
                continue
            for name in names:
                target = name.split(".")
                if len(target) > 2 and target[1] in STAGES and target[1] != here:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert found == []


def test_each_stage_names_its_surface_and_every_name_is_there():
    for stage in STAGES:
        package = importlib.import_module(f"hoctap.{stage}")
        assert package.__doc__ and "In:" in package.__doc__ and "Out:" in package.__doc__, stage
        for name in package.SURFACE:
            assert getattr(package, name) is not None, f"hoctap.{stage}.{name}"
        clashes = sorted(set(package.SURFACE) & {p.stem for p in (ROOT / "hoctap" / stage).glob("*.py")})
        assert clashes == [], f"hoctap.{stage}: a name of the surface is also a module's name: {clashes}"
