"""Header rows and titles: which row heads a form table, its columns, and which form it is."""

from __future__ import annotations

import functools
import re
from typing import Any

from ..core.parsing import memo_short, normalize_text
from ..forms import (
    DEFAULT_FORM,
    all_forms,
    column_signatures,
    labels,
    match_label,
    normalize_label,
    title_index,
)
from .grids import Grid

_VALUE_KEYS = ("target", "actual", "points", "score")


@functools.lru_cache(maxsize=8192)
def _label(text: str, group: str) -> tuple[str, int] | None:
    """(canonical key, priority) for a header text; priority 0 is the key's first label."""
    key = match_label(text, group)
    if key is None:
        return None
    norm = normalize_label(text)
    for prio, syn in enumerate(labels()[group][key]):
        if normalize_label(syn) == norm:
            return key, prio
    return key, 99


_GROUPS = ("columns", "rows", "funds")


@memo_short(maxsize=16384)
def _text_info(text: str) -> tuple[tuple[tuple[str, str, int], ...], bool]:
    """What one cell's text stands for: its (group, key, priority) label hits, and whether it
    holds one of the forms' titles. In the rows group the text before a bracket counts too
    ("总分（100分）")."""
    hits = []
    if len(text) <= 40:
        for group in _GROUPS:
            hit = _label(text, group)
            if hit is None and group == "rows" and ("（" in text or "(" in text):
                head = re.split(r"[（(]", text, maxsplit=1)[0]
                hit = _label(head, group) if head.strip() else None
            if hit is not None:
                hits.append((group, *hit))
    title = len(text) >= 6 and "表" in text and _title_of(text) is not None
    return tuple(hits), title


# The row labels that end a table body (总分, 等级, the next form's funds rows).
_TABLE_END_ROWS = ("grand_total", "grade", "total_funds", "fiscal", "carryover", "other")


class _Marks:
    """What one row's cells stand for, from one pass over the row: the best label per key in each
    group, whether a cell holds a form's title, and whether those alone end a table body."""

    __slots__ = ("labels", "title", "ends")

    def __init__(self, labels: dict[str, dict[str, tuple[int, int]]], title: bool) -> None:
        self.labels = labels
        self.title = title
        rows = labels["rows"]
        self.ends = title or len(labels["columns"]) >= 2 or any(k in rows for k in _TABLE_END_ROWS)


# Rows are asked about several times while one sheet is read; memo by row identity, cleared
# around each find_forms call (ids are only stable while the grid is alive).
_MEMO: dict[int, _Marks] = {}
_NO_MARKS = _Marks({g: {} for g in _GROUPS}, False)  # most rows: one shared, never mutated


def _marks(row: list[Any]) -> _Marks:
    """The row's marks, scanned on first asking (see ``_MEMO``)."""
    marks = _MEMO.get(id(row))
    if marks is None:
        marks = _MEMO[id(row)] = _scan(row)
    return marks


def _scan(row: list[Any]) -> _Marks:
    labels: dict[str, dict[str, tuple[int, int]]] | None = None
    title = False
    for c, v in enumerate(row):
        if not v or not isinstance(v, str) or len(v) >= 60:
            continue
        hits, is_title = _text_info(v)
        title = title or is_title
        if hits:
            if labels is None:
                labels = {g: {} for g in _GROUPS}
            for hit_group, key, prio in hits:
                found = labels[hit_group]
                if key not in found or prio < found[key][1]:
                    found[key] = (c, prio)
    if labels is None:
        return _Marks(_NO_MARKS.labels, True) if title else _NO_MARKS
    return _Marks(labels, title)


def _row_labels(row: list[Any], group: str = "columns") -> dict[str, tuple[int, int]]:
    """key → (column, priority), the best-priority (then leftmost) cell for each key.

    One pass over the row serves every label group, the title test and the table-end test (``_marks``).
    """
    return _marks(row).labels[group]


def _is_header(keys: dict[str, Any]) -> bool:
    """一级 and 二级/三级 beside a value column — or every column of some form's spec."""
    if "level1" in keys and ("level3" in keys or "level2" in keys) and any(k in keys for k in _VALUE_KEYS):
        return True
    return len(keys) >= 3 and any(sig <= keys.keys() for sig in column_signatures())


def _cell_text(rows: Grid, r: int, c: int) -> str:
    if 0 <= r < len(rows) and c < len(rows[r]):
        v = rows[r][c]
        return v if isinstance(v, str) else ""
    return ""


def _header_columns(rows: Grid, r: int) -> tuple[dict[str, int], int]:
    """Columns of the header at row r (borrowing from r-1 and r+1); returns (columns, data start)."""
    base = _row_labels(rows[r])
    columns = {k: c for k, (c, _) in base.items()}
    used = set(columns.values())
    data_start = r + 1
    width = max(len(rows[r]), len(rows[r + 1]) if r + 1 < len(rows) else 0)
    # Labels split across two rows ("实际" / "完成值") or standing in the other header row.
    for c in range(width):
        if c in used:
            continue
        for rr, combo in ((r + 1, _cell_text(rows, r, c) + _cell_text(rows, r + 1, c)),
                          (r + 1, _cell_text(rows, r + 1, c)),
                          (r - 1, _cell_text(rows, r - 1, c))):
            if not combo or len(combo) > 40:
                continue
            hit = _label(combo, "columns")
            if hit and hit[0] not in columns:
                columns[hit[0]] = c
                used.add(c)
                if rr == r + 1:
                    data_start = r + 2
                break
    return columns, data_start


@memo_short(maxsize=16384)
def _title_of(text: str) -> tuple[str, str] | None:
    """(form id, title) of the longest form title or alias the text holds (memoised: every cell
    above a table is asked, and forms repeat the same texts)."""
    norm = normalize_text(text)
    for title, form_id in title_index():
        if title and title in norm:
            return form_id, title
    return None


def _classify(rows: Grid, start: int, header_row: int, columns: dict[str, int],
              funds_header: int | None) -> tuple[str, str]:
    """The form a table is: by a title above it, else by its column signature."""
    for r in range(start, header_row):
        for v in rows[r]:
            if isinstance(v, str) and len(v) < 60:
                hit = _title_of(v)
                if hit is not None:
                    return hit
    return _by_columns(frozenset(columns), funds_header is not None), ""


def _by_columns(found: frozenset[str], funds: bool) -> str:
    """The spec whose indicator columns match the found ones best (each match +1, each found column
    the spec lacks −1, a funds block +1 where the spec has one); ties go to the default form."""
    def score(spec: Any) -> tuple[float, bool]:
        keys = set(spec.indicators.keys())
        fit = len(found & keys) - len(found - keys) + (1 if funds and spec.funds is not None else 0)
        return fit, spec.id == DEFAULT_FORM

    return max(all_forms(), key=score).id


def _clear_text_caches() -> None:
    """Forget what texts were found to stand for (the form specs changed)."""
    _label.cache_clear()
    _text_info.cache_clear()
    _title_of.cache_clear()
