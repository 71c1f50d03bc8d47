"""The organiser's word filter: words a learner types that never reach the projector.

A word question's answers are shown to the whole room as a word cloud. Before an answer is drawn, it is compared
with the filter's words without diacritics, case, spaces or punctuation (`plain`), so `Đ.M`, `d m` and `đm` are one;
an answer that holds a filtered word (as a word of its own, or as the whole answer once spaces and punctuation are
gone) is counted, kept for the trainer, and shown as hidden. The list lives in the database (`hoctap_word_filter`),
so every trainer's screen in the province uses the organiser's one list; a new database starts from the kit's list,
`data/word-filter.txt` (one word a line, `#` comments), which the organiser edits with `hoctap session filter`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from hoctap.errors import SessionError

from .tables import ensure_session_tables, word_filter

DEFAULT_LIST = Path(__file__).resolve().parents[2] / "data" / "word-filter.txt"
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
MAX_FILTER_WORD = 128


def plain(text: str) -> str:
    """Lower case, no diacritics (đ → d), words separated by one space, no punctuation."""
    text = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(_NOT_LETTER.split(text)).strip()


def file_words(path: Path = DEFAULT_LIST) -> list[str]:
    """The words of a filter file: one a line, blank lines and `#` comments skipped."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [word for word in (plain(line) for line in lines) if word]


class WordFilter:
    """The filter's words in one database; read once per `words()` call (the trainer's screen caches a copy)."""

    def __init__(self, engine: Engine, seed: Path = DEFAULT_LIST):
        self.engine = engine
        ensure_session_tables(engine)
        with engine.connect() as db:
            empty = db.execute(select(func.count()).select_from(word_filter)).scalar_one() == 0
        if empty:  # a new database: the kit's list, once (a race of two finds the words there)
            self.add(file_words(seed))

    def words(self) -> list[str]:
        with self.engine.connect() as db:
            return sorted(db.execute(select(word_filter.c.word)).scalars())

    def add(self, words: Iterable[str]) -> list[str]:
        added = []
        for word in {plain(w) for w in words} - {""}:
            if len(word) > MAX_FILTER_WORD:
                raise SessionError(f"từ lọc dài quá {MAX_FILTER_WORD} ký tự")
            try:
                with self.engine.begin() as db:
                    db.execute(insert(word_filter).values(word=word, added_at=dt.datetime.now(dt.UTC)))
                added.append(word)
            except IntegrityError:
                pass
        return sorted(added)

    def remove(self, words: Iterable[str]) -> int:
        gone = {plain(w) for w in words} - {""}
        with self.engine.begin() as db:
            return db.execute(delete(word_filter).where(word_filter.c.word.in_(gone))).rowcount if gone else 0


def blocked(answer: str, words: Iterable[str]) -> bool:
    """True when `answer` holds a filtered word: as one of its words (or word sequence), or once spaces are gone."""
    text = plain(answer)
    padded, squeezed = f" {text} ", text.replace(" ", "")
    return any(f" {w} " in padded or w.replace(" ", "") == squeezed for w in words)
