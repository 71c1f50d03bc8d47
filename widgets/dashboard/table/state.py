"""A table's rows and which of them are shown, without a single widget: search, sort, page.

Only the current page (`page_size` rows, 50) is shown, so 200,000 rows cost no more to show than 50.
Sorting and searching run in pandas on the whole frame: string columns sort in Vietnamese dictionary order (names
by given name), missing values last; the search index (each row's displayed text, folded by `hoctap.topic.text.fold`
without diacritics, so `nguyen` finds `Nguyễn`) is built once per frame, at the first search.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

import pandas as pd
import traitlets

from hoctap.progress import labelled
from hoctap.topic import fold

from ...style import number_text
from .cells import order_key, search_texts

PAGE_SIZE = 50
SEPARATOR = "\x1f"  # between cells in the search index: a query never matches across two cells
WHO_COLUMNS = ("name", "learner_id")  # what "Tìm học viên" looks in
_MARKED = re.compile(r"[^\x00-\x7f]")
_PUNCT = re.compile(r"[^\w\x1f]+")


GAP = f" {SEPARATOR} "  # cells apart in an index, each word after a space: the index starts with one too


def word_start(needle: str) -> str:
    """What finds `needle` at the start of a word of an index (a plain substring, which pandas searches several times
    faster than a regex over 200,000 rows): "hung" finds "Hùng" and "Hưng" but not "Những", which holds it in the
    middle of a word."""
    return f" {needle}"


def has_marks(text: str) -> bool:
    """Does `text` carry Vietnamese marks (then a name search respects them: "Hùng" is not "Hưng")?"""
    return bool(_MARKED.search(unicodedata.normalize("NFC", text)))


def who_key(text: str, accented: bool) -> str:
    """A name as a name search compares it: lower case, punctuation as spaces, marks kept only if `accented`."""
    if not accented:
        return fold(text, diacritics=False)
    return _PUNCT.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


class TableState(traitlets.HasTraits):
    """The rows of one table, and which of them are shown: search, sort, page."""

    page = traitlets.Int(1, help="the page shown, from 1 (kept between 1 and page_count)")
    page_size = traitlets.Int(PAGE_SIZE, help="rows on a page")
    sort_by = traitlets.Unicode("", help="the column id rows are sorted by; '' keeps the table's own order")
    ascending = traitlets.Bool(True, help="sort from the smallest (A, 0, oldest) or from the largest")
    query = traitlets.Unicode("", help="show only rows with a word of any cell starting with this (no diacritics)")
    who = traitlets.Unicode("", help="show only rows whose name or learner id has a word starting with this")
    version = traitlets.Int(0, help="bumped each time the rows or the page shown change (views observe it)")

    def __init__(
        self,
        frame: pd.DataFrame | None = None,
        *,
        hidden: Sequence[str] = (),
        shown: Sequence[str] | None = None,
        **kwargs,
    ):
        self._quiet = False
        super().__init__(**kwargs)
        self.hidden = tuple(hidden)  # columns not shown nor searched (still in the downloads)
        # The columns shown, in this order (key columns first, so a 1,366 px screen shows them without scrolling);
        # None: every column but `hidden`, in the frame's order. The downloads keep every column.
        self.shown = tuple(shown) if shown is not None else None
        self._who: dict[bool, pd.Series] = {}  # name + learner id, with (True) or without (False) diacritics
        self._frame = pd.DataFrame()
        self._index: pd.Series | None = None  # the search index of _frame, built at the first search
        self._rows: pd.DataFrame | None = None  # _frame searched and sorted
        if frame is not None:
            self.frame = frame

    # -- the data

    @property
    def frame(self) -> pd.DataFrame:
        """The whole table (every row, the table's own order)."""
        return self._frame

    @frame.setter
    def frame(self, frame: pd.DataFrame) -> None:
        self._frame = frame.reset_index(drop=True)
        self._index = None
        self._who = {}
        self._rows = None
        self._quiet = True  # one change for the views, not one per trait reset here
        try:
            if self.sort_by and self.sort_by not in self._frame.columns:
                self.sort_by = ""
            self.page = 1
        finally:
            self._quiet = False
        self._changed()

    @property
    def columns(self) -> list[str]:
        """The columns shown (`shown` that the frame has, in that order; else the frame's, less `hidden`)."""
        if self.shown is not None:
            present = set(self._frame.columns)
            return [c for c in self.shown if c in present and c not in self.hidden]
        return [str(c) for c in self._frame.columns if c not in self.hidden]

    @property
    def has_people(self) -> bool:
        """Does the table list learners (a name or a learner id to search by)?"""
        return any(c in self._frame.columns for c in WHO_COLUMNS)

    @property
    def rows(self) -> pd.DataFrame:
        """The rows the search keeps, in the chosen order (every page)."""
        if self._rows is None:
            rows = self._frame
            keep = None
            needle = fold(self.query, diacritics=False)
            if needle:
                keep = self.search_index().str.contains(word_start(needle), regex=False).to_numpy()
            if self.who.strip() and self.has_people:
                accented = has_marks(self.who)
                found = self.who_index(accented).str.contains(word_start(who_key(self.who, accented)), regex=False)
                keep = found.to_numpy() if keep is None else keep & found.to_numpy()
            if keep is not None:
                rows = rows[keep]
            if self.sort_by in rows.columns and len(rows) > 1:
                key = order_key(rows[self.sort_by])
                order = key.sort_values(ascending=self.ascending, kind="stable", na_position="last").index
                rows = rows.loc[order]
            self._rows = rows
        return self._rows

    def search_index(self) -> pd.Series:
        """Each row's displayed text, folded, cells apart (what `query` is looked for in)."""
        if self._index is None:
            shown = labelled(self._frame[self.columns])
            if shown.empty or shown.shape[1] == 0:
                self._index = pd.Series([], dtype=object)
            else:
                parts = [search_texts(shown.iloc[:, i]) for i in range(shown.shape[1])]
                joined = parts[0].str.cat(parts[1:], sep=GAP) if len(parts) > 1 else parts[0]
                self._index = (" " + joined).astype(object)
                self._index.index = self._frame.index
        return self._index

    def who_index(self, accented: bool) -> pd.Series:
        """Each row's name and learner id, lower case, with or without diacritics (what `who` is looked for in)."""
        if accented not in self._who:
            parts = [self._frame[c].astype(str).fillna("") for c in WHO_COLUMNS if c in self._frame.columns]
            joined = parts[0].str.cat(parts[1:], sep=GAP) if len(parts) > 1 else parts[0]
            keys = {t: " " + who_key(t, accented) for t in pd.unique(joined)}
            self._who[accented] = joined.map(keys).astype(object)
        return self._who[accented]

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.rows) / max(1, self.page_size)))

    def page_rows(self) -> pd.DataFrame:
        """The rows of the current page only."""
        start = (self.page - 1) * self.page_size
        return self.rows.iloc[start : start + self.page_size]

    def page_text(self) -> str:
        return f"Trang {self.page}/{self.page_count}"

    def count_text(self) -> str:
        shown, total = len(self.rows), len(self._frame)
        if shown == total:
            return f"{number_text(total)} dòng"
        return f"Tìm thấy {number_text(shown)} / {number_text(total)} dòng"

    # -- moving

    def next_page(self) -> None:
        self.page = min(self.page + 1, self.page_count)

    def previous_page(self) -> None:
        self.page = max(self.page - 1, 1)

    @traitlets.validate("page")
    def _validate_page(self, proposal) -> int:
        return min(max(1, int(proposal["value"])), self.page_count)

    @traitlets.validate("page_size")
    def _validate_page_size(self, proposal) -> int:
        return max(1, int(proposal["value"]))

    @traitlets.observe("query", "who", "sort_by", "ascending", "page_size")
    def _on_rows_change(self, _change) -> None:
        self._rows = None
        if self.page != 1:
            self.page = 1  # notifies _on_page_change
        else:
            self._changed()

    @traitlets.observe("page")
    def _on_page_change(self, _change) -> None:
        self._changed()

    def _changed(self) -> None:
        if not self._quiet:
            self.version += 1
