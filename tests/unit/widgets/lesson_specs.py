"""The small valid topic spec the widget tests start from; each test file overrides what it is about."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from hoctap.topic.model import Topic

_CONTENT = {
    "id": "noi-dung-1",
    "number": 1,
    "title": "T",
    "short_title": "T",
    "cite": "L7",
    "sections": [{"heading": "A", "body": "B"}],
}

_SPEC = {
    "schema_version": 1,
    "id": "2021-thu",
    "year": 2021,
    "kind": "whole-term",
    "title": "Chuyên đề thử",
    "short_title": "Thử",
    "source": {"name": "a.txt", "title": "A", "sha256": "0" * 64, "lines": 57, "content_lines": ["1", "5-39"]},
    "contents": [_CONTENT],
    "facts": {"audiences": [{"id": "dang-vien", "name": "Đảng viên"}]},
    "lessons": [{"id": "tong-quan", "title": "Tổng quan", "kind": "overview", "intro": "Giới thiệu"}],
}


def base_content(**changes) -> dict:
    """One content (`noi-dung-1`, one section, no key terms); `changes` replace its keys. A fresh copy."""
    return copy.deepcopy({**_CONTENT, **changes})


def base_spec(**overrides) -> dict:
    """Spec `2021-thu`: one `base_content()`, one audience (`dang-vien`), one overview lesson.

    `overrides` replace whole top-level keys (`contents`, `facts`, `questions`, ...). A fresh deep copy each call.
    """
    return copy.deepcopy({**_SPEC, **overrides})


def topic_from(spec: dict) -> Topic:
    return Topic.model_validate(spec)


def install_topic(home: Path, spec: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write `spec` as `home`'s only topic and point HOCTAP_HOME there, for the `widgets.lesson` entry points."""
    (home / "data" / "topics").mkdir(parents=True)
    (home / "data" / "topics" / f"{spec['id']}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
    monkeypatch.setenv("HOCTAP_HOME", str(home))
