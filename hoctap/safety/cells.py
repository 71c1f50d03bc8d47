"""Text as it goes into a cell of a file people open in a spreadsheet (CSV, XLSX) or read at a terminal.

Learners' answers are stored as typed: a short answer may hold Word's line break (U+000B), a NUL, or text that a
spreadsheet would run as a formula. Every export passes its text cells through these functions, so no stored text
can break a file nor run in the instructor's spreadsheet:

    cell("a\\x0bb")            # 'a␋b'       XLSX (XML 1.0) cannot hold C0 controls: shown, not dropped
    cell("a;=1+1")            # "a;'=1+1"   Excel splitting on ';' would get a cell starting with '='
    cell(-2)                  # -2          numbers stay numbers
    text_cells(df, cell)      # the same for every text cell and header of a table

The defusing rule (`defused`): a text is cut into pieces at `,` `;` tab `|` and line breaks (the separators some
regional setting or importer splits on); where the text, or any piece, starts — after spaces and double quotes —
with `=` `+` `-` `@` (or the whole text with tab or CR), an apostrophe goes before that character, as OWASP advises
for CSV injection. Only text is defused: a number (a negative score) stays a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the learner's kernel escapes text with `visible` and must not load pandas
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = ",;\t|\n\r"
CONTROL_PICTURES = 0x2400  # U+2400 + code: the "Control Pictures" block has a visible symbol for each C0 code
REPLACEMENT = "\ufffd"

# openpyxl's ILLEGAL_CHARACTERS_RE: C0 controls but tab, LF and CR, which XML 1.0 cannot hold.
_XML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Also outside XML 1.0: surrogates (a lone one fails UTF-8 encoding; openpyxl writes it as a character reference that
# no reader accepts) and the non-characters U+FFFE/U+FFFF (openpyxl writes them and the workbook no longer opens).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NON_CHARACTER = re.compile(r"[\ufffe\uffff]")
# At a terminal tabs and line breaks break the table's columns, and C1 controls (U+009B is CSI) can drive it.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
# Where an apostrophe goes: after the spaces (and double quotes: a piece cut out of a quoted CSV field may start with
# one, which Excel then reads as quoting) that open the text or a piece, before a formula character. After a
# separator, tab and CR are themselves separators (an empty piece), so only = + - @ count there.
_OPENERS = re.escape("".join(FORMULA_STARTS))
_OPENERS_AFTER_SEPARATOR = re.escape("".join(c for c in FORMULA_STARTS if c not in SEPARATORS))
_DEFUSE = re.compile(rf'^[ "]*(?=[{_OPENERS}])|(?<=[{re.escape(SEPARATORS)}])[ "]*(?=[{_OPENERS_AFTER_SEPARATOR}])')
# Any text `cell` would change: one search, so the common clean text (a name, an id) costs a microsecond.
_RISKY = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|{_DEFUSE.pattern}")


def _picture(match: re.Match) -> str:
    return chr(CONTROL_PICTURES + ord(match.group()))


def encodable(text: str) -> str:
    """`text` that encodes as UTF-8: surrogate pairs (two code units, from older stored JSON) joined into their
    character, lone surrogates replaced by U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def visible(text: str) -> str:
    """`text` that XLSX (XML 1.0) can hold, losing nothing a reader needs: each control character openpyxl refuses
    becomes its Control Pictures symbol (U+000B → '␋', U+0000 → '␀'), surrogates and U+FFFE/U+FFFF become valid
    text (`encodable`, U+FFFD). Tab, LF and CR stay."""
    text = _XML_CONTROL.sub(_picture, encodable(text))
    return _NON_CHARACTER.sub(REPLACEMENT, text)


def printable(text: str) -> str:
    """`text` safe at a terminal: every C0 control (tab and line breaks too) and DEL as its Control Pictures symbol,
    C1 controls as U+FFFD, surrogates as `encodable`."""
    text = _TERMINAL_CONTROL.sub(lambda m: "\u2421" if m.group() == "\x7f" else _picture(m), encodable(text))
    return _C1.sub(REPLACEMENT, text)


def defused(text: str) -> str:
    """`text` with an apostrophe before every formula character that opens it or opens a piece of it (see the module
    docstring): `a;=1+1` → `a;'=1+1`, `=HYPERLINK(…)` → `'=HYPERLINK(…)`, ` -2` → ` '-2`."""
    return _DEFUSE.sub("\\g<0>'", text)


def cell(value: object) -> object:
    """A value for a spreadsheet cell: text `visible` then `defused`; anything else (numbers, times, missing) as is."""
    if isinstance(value, str) and _RISKY.search(value):
        return defused(visible(value))
    return value


def text_cells(df: pd.DataFrame, text: Callable[[str], object] = cell) -> pd.DataFrame:
    """A copy of `df` with `text` applied to every text cell (text columns, and text among other values in a column
    of Python objects) and every text header; numeric, boolean and time columns are left as they are."""
    import pandas as pd

    out = df.copy()
    for i in range(out.shape[1]):  # by position: a table may repeat a header
        values = out.iloc[:, i]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out.isetitem(i, _mapped(values, text))
    out.columns = [text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _mapped(values: pd.Series, text: Callable[[str], object]) -> pd.Series:
    """`text` over the column's distinct strings only (200,000 rows of a learner table hold a few thousand names),
    rewriting only the cells that change."""
    import pandas as pd

    try:
        distinct = pd.unique(values)
    except TypeError:  # unhashable objects (lists) in the column: cell by cell
        return values.map(lambda v: text(v) if isinstance(v, str) else v)
    changed = {v: new for v in distinct if isinstance(v, str) and (new := text(v)) != v}
    if not changed:
        return values
    out = values.copy()
    rewrite = values.isin(list(changed)).to_numpy()
    out.loc[rewrite] = values[rewrite].map(changed)
    return out


__all__ = [
    "CONTROL_PICTURES",
    "FORMULA_STARTS",
    "SEPARATORS",
    "cell",
    "defused",
    "encodable",
    "printable",
    "text_cells",
    "visible",
]
