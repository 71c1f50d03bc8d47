"""`hoctap topic new`: start next year's spec from the structure (and facts) of an earlier one.

The new file is a draft (`draft: true`, skipped by `hoctap build`) whose blanks say `TODO…`;
`hoctap topic check` lists each blank left, so filling it in is a checklist, not guesswork.
"""

from __future__ import annotations

from pathlib import Path

from hoctap.errors import HoctapError

from . import yamlmap
from .load import load_topic
from .model import SCHEMA_VERSION, LessonKind
from .text import slug

# Facts of a whole-term plan that stay true from year to year (deadlines and questions do not).
REUSABLE_FACTS = ("audiences", "mottos", "documents", "focal_contents", "review_cycles", "commitments")
EMPTY_SHA = "0" * 64

HEADER = """\
# Đặc tả chuyên đề năm {year} — bản nháp do `hoctap topic new` tạo.
# 1. Điền mọi chỗ ghi TODO; `hoctap topic check {name}` liệt kê những chỗ còn thiếu.
# 2. Ghi tên, số dòng và sha256 (`sha256sum TỆP`) của văn bản nguồn mới vào `source`.
# 3. Các dữ kiện chép từ năm trước giữ số dòng cũ: hãy dẫn lại theo văn bản mới.
# 4. Khi xong, đổi `draft: true` thành `draft: false` rồi chạy `hoctap build`.
"""


def todo(what: str) -> str:
    return f"TODO: {what}"


def _lessons(content_ids: list[str]) -> list[dict]:
    lessons = [
        {
            "id": "tong-quan",
            "title": todo("tên bài tổng quan"),
            "kind": LessonKind.overview.value,
            "intro": todo("giới thiệu bài học"),
        }
    ]
    for cid in content_ids:
        lessons.append(
            {
                "id": cid,
                "title": todo(f"tên bài học {cid}"),
                "kind": LessonKind.content.value,
                "content": cid,
                "intro": todo("giới thiệu bài học"),
            }
        )
    lessons.append(
        {
            "id": "trien-khai",
            "title": todo("tên bài triển khai thực hiện"),
            "kind": LessonKind.implementation.value,
            "intro": todo("giới thiệu bài học"),
        }
    )
    return lessons


def new_spec(year: int, title: str, base: Path | None = None) -> dict:
    """The draft spec as data."""
    previous = load_topic(base) if base else None
    content_ids = [c.id for c in previous.contents] if previous else ["noi-dung-1"]
    contents = [
        {
            "id": cid,
            "number": n,
            "title": todo(f"tên nội dung {n}"),
            "short_title": todo("tên ngắn"),
            "cite": "L1",
            "key_terms": [],
            "sections": [{"heading": todo("tiêu đề phần"), "body": todo("lời giải thích của bộ công cụ"), "cites": []}],
            "trainer_material": [],
        }
        for n, cid in enumerate(content_ids, start=1)
    ]
    facts: dict = {"audiences": [{"id": "dang-vien", "name": "Cán bộ, đảng viên"}]}
    if previous:
        dumped = previous.facts.model_dump(mode="json", exclude_defaults=False)
        facts = {name: dumped[name] for name in REUSABLE_FACTS}
    facts.update({"deadlines": [], "statements": []})
    return {
        "schema_version": SCHEMA_VERSION,
        "id": f"{year}-{slug(title)}",
        "year": year,
        "kind": "annual",
        "title": title,
        "short_title": todo("tên ngắn của chuyên đề"),
        "draft": True,
        # Reused facts keep their old line numbers, so the old line count stands until the new
        # source is filled in; `topic check` then shows which facts to cite again.
        "source": {
            "name": todo("tên tệp văn bản nguồn"),
            "title": todo("tiêu đề văn bản nguồn"),
            "sha256": EMPTY_SHA,
            "lines": previous.source.lines if previous else 1,
            "content_lines": list(previous.source.content_lines) if previous else ["1"],
        },
        "contents": contents,
        "facts": facts,
        "lessons": _lessons(content_ids),
        "questions": [],
    }


def write_new_spec(year: int, title: str, folder: Path, base: Path | None = None, force: bool = False) -> Path:
    spec = new_spec(year, title, base)
    path = folder / f"{spec['id']}.yaml"
    if path.exists() and not force:
        raise HoctapError(f"{path}: tệp đã có; chọn tên khác hoặc thêm --force để ghi đè")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(year=year, name=path) + yamlmap.dump(spec), encoding="utf-8")
    return path
