"""A small, valid topic spec and its tiny source document, for tests that need to break one."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

from hoctap.topic import yamlmap

MINI_SOURCE = "\n".join(
    [
        "Kế hoạch thử nghiệm chuyên đề năm 2030",
        "",
        "Chuyên đề có hai nội dung: (1) Học tập; (2) Làm theo.",
        "",
        "Hoàn thành trong quý III năm 2030 theo Công văn số 12-CV/BTG, ngày 01/02/2030.",
        "",
        "Phương châm “Trên trước, dưới sau”.",
    ]
)
SOURCE_NAME = "mini-source.txt"


def mini_spec() -> dict:
    """A spec that passes every check against MINI_SOURCE; tests copy it and break one thing."""
    sha = hashlib.sha256(MINI_SOURCE.encode("utf-8")).hexdigest()
    return copy.deepcopy(
        {
            "schema_version": 1,
            "id": "2030-mini",
            "year": 2030,
            "kind": "annual",
            "title": "Chuyên đề thử nghiệm năm 2030",
            "short_title": "Chuyên đề 2030",
            "source": {
                "name": SOURCE_NAME,
                "title": "Kế hoạch thử nghiệm",
                "sha256": sha,
                "lines": 7,
                "content_lines": ["1-7"],
            },
            "contents": [
                {
                    "id": "noi-dung-1",
                    "number": 1,
                    "title": "Học tập",
                    "short_title": "Học tập",
                    "cite": "L3",
                    "key_terms": [{"term": "học tập", "meaning": "tìm hiểu", "cite": "L3", "evidence": "Học tập"}],
                    "sections": [{"heading": "Ý chính", "body": "Lời giải thích của bộ công cụ.", "cites": ["L3"]}],
                },
                {
                    "id": "noi-dung-2",
                    "number": 2,
                    "title": "Làm theo",
                    "short_title": "Làm theo",
                    "cite": "L3",
                    "sections": [{"heading": "Ý chính", "body": "Giải thích.", "cites": ["L3"]}],
                },
            ],
            "facts": {
                "audiences": [{"id": "dang-vien", "name": "Cán bộ, đảng viên"}],
                "deadlines": [
                    {
                        "id": "hoc-tap",
                        "what": "Học tập chuyên đề",
                        "audiences": ["dang-vien"],
                        "due": "2030-09-30",
                        "due_label": "quý III năm 2030",
                        "cite": "L5",
                        "evidence": "quý III năm 2030",
                    }
                ],
                "mottos": [
                    {
                        "id": "tren-truoc",
                        "text": "Trên trước, dưới sau",
                        "meaning": "cấp trên làm trước",
                        "cite": "L7",
                        "evidence": "Trên trước, dưới sau",
                    }
                ],
                "documents": [
                    {
                        "id": "cv-12",
                        "kind": "Công văn",
                        "number": "12-CV/BTG",
                        "date": "2030-02-01",
                        "issuer": "Ban Tuyên giáo",
                        "subject": "hướng dẫn",
                        "cite": "L5",
                        "evidence": "12-CV/BTG",
                    }
                ],
            },
            "lessons": [
                {
                    "id": "tong-quan",
                    "title": "Tổng quan",
                    "kind": "overview",
                    "intro": "Giới thiệu.",
                    "practice": ["q1"],
                },
                {
                    "id": "noi-dung-1",
                    "title": "Nội dung 1",
                    "kind": "content",
                    "content": "noi-dung-1",
                    "intro": "Giới thiệu.",
                    "practice": ["q2", "q3"],
                },
            ],
            "questions": [
                {
                    "id": "q1",
                    "lesson": "tong-quan",
                    "type": "single",
                    "prompt": "Hạn học tập?",
                    "options": [{"id": "a", "text": "Quý III"}, {"id": "b", "text": "Quý IV"}],
                    "answer": "a",
                    "explanation": "Dòng 5 ghi quý III.",
                    "cite": "L5",
                    "evidence": "quý III",
                    "difficulty": "easy",
                },
                {
                    "id": "q2",
                    "content": "noi-dung-1",
                    "lesson": "noi-dung-1",
                    "type": "short-text",
                    "prompt": "Nội dung 1 là gì?",
                    "answer": ["Học tập"],
                    "explanation": "Dòng 3.",
                    "cite": "L3",
                    "evidence": "Học tập",
                },
                {
                    "id": "q3",
                    "content": "noi-dung-1",
                    "lesson": "noi-dung-1",
                    "type": "ordering",
                    "prompt": "Sắp xếp các nội dung.",
                    "options": [{"id": "hoc", "text": "Học tập"}, {"id": "lam", "text": "Làm theo"}],
                    "answer": ["hoc", "lam"],
                    "explanation": "Dòng 3.",
                    "cite": "L3",
                    "evidence": "(1) Học tập",
                },
            ],
        }
    )


def without_practice(spec: dict) -> dict:
    """`spec` with no lesson practising a question: a practised question shows its key in the lesson, so the
    topic's rules refuse it in an assessment (fixed) and draws never take it. Specs whose assessments use the
    mini bank start from this."""
    for lesson in spec["lessons"]:
        lesson["practice"] = []
    return spec


def write_spec(folder: Path, spec: dict, name: str | None = None) -> Path:
    path = folder / (name or f"{spec['id']}.yaml")
    path.write_text(yamlmap.dump(spec), encoding="utf-8")
    return path


def write_source(folder: Path) -> Path:
    path = folder / SOURCE_NAME
    path.write_text(MINI_SOURCE, encoding="utf-8")
    return path
