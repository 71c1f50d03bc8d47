"""environment.yml (conda), pyproject.toml (pip) and constraints.txt (the pins) name the same stack."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[_norm(name)] = version.strip()
    return pins


def _pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    return {_norm(re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0]) for d in deps}


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    found = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not dep.startswith(("python=", "pip")):
            name, _, version = dep.partition("==")
            found[_norm(name)] = version
    return found


def test_conda_lists_exactly_the_pyproject_dependencies():
    assert set(_conda()) == _pyproject_names()


def test_conda_versions_are_the_pinned_ones():
    pins = _pins()
    assert {name: pins[name] for name in _conda()} == _conda()


def test_every_direct_dependency_is_pinned():
    assert _pyproject_names() <= set(_pins())


def test_conda_installs_the_kit_itself_editable():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_part == ["-e .[test]"]
    assert "python=3.11" in env["dependencies"]
