"""Headers of the item-analysis columns that the shared `labels.LABELS` does not already give (merged into it)."""

from __future__ import annotations

ITEM_LABELS: dict[str, str] = {}  # column id → Vietnamese header
ITEM_LABELS_EN: dict[str, str] = {}  # column id → English header
ITEM_TITLES: dict[str, str] = {}  # table name → Vietnamese title
