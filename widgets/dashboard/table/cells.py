"""One cell as people read it (`cell_text`: dd/mm/yyyy dates, decimal comma, có/không), as a search finds it
(`search_texts`: that text without diacritics, so `nguyen` finds `Nguyễn`) and as a sort orders it (`order_key`:
Vietnamese dictionary order, names by given name)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from hoctap.topic import fold, name_sort_key, sort_key

MANY = 20_000  # distinct values in a column beyond which the search index is built vectorised


def cell_text(value: object) -> str:
    """One cell as people read it: '' for missing, dd/mm/yyyy (HH:MM) dates, decimal comma, có/không."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "có" if value else "không"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _is_time(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series)


def search_texts(series: pd.Series) -> pd.Series:
    """What a search compares with: the displayed text (`cell_text`), folded without diacritics.

    Computed once per distinct value (200,000 rows of a learner table hold a few thousand names, units, scores);
    a column of mostly distinct times or numbers is formatted in one vectorised pass instead, its fold being
    "punctuation to space" (dd/mm/yyyy HH:MM → dd mm yyyy HH MM, 85,5 → 85 5)."""
    distinct = pd.unique(series)
    if len(distinct) <= MANY:
        folded = {value: fold(cell_text(value), diacritics=False) for value in distinct}
        return series.map(folded).fillna("").astype(object)
    if _is_time(series):
        return series.dt.strftime("%d %m %Y %H %M").fillna("").astype(object)
    texts = series.map({value: cell_text(value) for value in distinct}).fillna("")
    if is_number(series):
        return texts.str.replace(r"[^\w\s]", " ", regex=True).str.strip().astype(object)
    return texts.map({text: fold(text, diacritics=False) for text in pd.unique(texts)}).astype(object)


def order_key(series: pd.Series) -> pd.Series:
    """A key pandas sorts in Vietnamese order: ranks of the distinct strings (names by given name first)."""
    if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):  # pandas 3: text is `str`
        return series
    values = [v for v in pd.unique(series) if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if all(isinstance(v, str) for v in values):
        key = name_sort_key if series.name == "name" else sort_key
        ordered = sorted(values, key=key)
    else:
        try:
            ordered = sorted(values)
        except TypeError:
            ordered = sorted(values, key=lambda v: sort_key(cell_text(v)))
    rank = {v: i for i, v in enumerate(ordered)}
    return series.map(rank).astype("float64")
