"""Vietnamese text: one place that decides when two strings are "the same" and how names sort.

Real input mixes NFC and NFD, the old and new tone-mark placements (`khoá`/`khóa`, `hoà`/`hòa`,
`uỷ`/`ủy`, `thuý`/`thúy`), case, spacing and sometimes no diacritics at all. Comparing through
`fold` makes those differences vanish while keeping the ones that change meaning (`ma` ≠ `má`
unless the caller asks for a comparison without diacritics).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The five tone marks, as combining characters, in the dictionary order of tones
# (ngang, huyền, hỏi, ngã, sắc, nặng): the index + 1 is the tone's rank.
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_RANK = {mark: rank for rank, mark in enumerate(_TONES, start=1)}

# Vietnamese alphabetical order, letters with vowel marks (ă â ê ô ơ ư đ) as letters of their own.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def nfc(text: str) -> str:
    """The NFC form: what the kit stores and shows."""
    return unicodedata.normalize("NFC", text)


def split_tone(word: str) -> tuple[str, int]:
    """A word without its tone mark (NFC) and the tone's rank (0 for none).

    Where the mark sits (`khoá` or `khóa`) is lost on purpose: both spellings are correct.
    """
    tone = 0
    kept = []
    for char in unicodedata.normalize("NFD", word):
        if char in _TONE_RANK:
            tone = _TONE_RANK[char]
        else:
            kept.append(char)
    return nfc("".join(kept)), tone


def strip_diacritics(text: str) -> str:
    """`Đảng viên` → `Dang vien`: every mark removed, đ/Đ become d/D."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return nfc(bare.replace("đ", "d").replace("Đ", "D"))


def fold(text: str, *, diacritics: bool = True, punctuation: bool = False) -> str:
    """A comparison key: NFC, lower case, single spaces, tone placement made irrelevant.

    With `diacritics=False` the key also ignores every mark (`khoa` = `khóa`); with
    `punctuation=False` (the default) punctuation counts as a space, so `trên trước, dưới sau`
    equals `trên trước dưới sau`.
    """
    text = nfc(text).casefold()
    if not punctuation:
        text = _PUNCT.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if not diacritics:
        return strip_diacritics(text)
    # The tone goes to the end of each word as a digit: `khoá` and `khóa` both give `khoa4`.
    return _WORD.sub(lambda m: _tone_last(m.group(0)), text)


def _tone_last(word: str) -> str:
    base, tone = split_tone(word)
    return f"{base}{tone}" if tone else base


def same_text(a: str, b: str, *, diacritics: bool = True) -> bool:
    """True when a learner's `a` and the key's `b` say the same thing (see `fold`)."""
    return fold(a, diacritics=diacritics) == fold(b, diacritics=diacritics)


def contains(haystack: str, needle: str, *, diacritics: bool = True) -> bool:
    """True when `needle` stands in `haystack`, folded (used to check evidence against the source)."""
    return fold(needle, diacritics=diacritics) in fold(haystack, diacritics=diacritics)


def sort_key(text: str) -> tuple:
    """Dictionary order for Vietnamese: letters first (a < ă < â … đ after d), then tones."""
    words = _WORD.findall(nfc(text).casefold())
    letters: list[int] = []
    tones: list[int] = []
    for word in words:
        base, tone = split_tone(word)
        letters.extend(_LETTER_RANK.get(ch, 100 + ord(ch)) for ch in base)
        letters.append(-1)  # word boundary sorts before any letter: "an" < "an bình" < "anh"
        tones.append(tone)
    return (tuple(letters), tuple(tones))


@functools.lru_cache(maxsize=65536)  # a roster is sorted again and again (dashboard, tables): keys are pure
def name_sort_key(full_name: str) -> tuple:
    """Vietnamese rosters sort by given name (the last word), then by the whole name."""
    words = nfc(full_name).split()
    given = words[-1] if words else ""
    return (sort_key(given), sort_key(full_name))


def slug(text: str) -> str:
    """An id in `[a-z0-9-]`: `Nội dung 1` → `noi-dung-1`."""
    bare = strip_diacritics(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
