"""Reading a found form's parts: its funds block, its table body (see ``table.py``), totals and grade."""

from __future__ import annotations

import functools
import re
from typing import Any

from ..core.parsing import is_blank, normalize_text
from ..forms import FormSpecError, load_form, normalize_label
from .grids import Grid
from .headers import _is_header, _label, _marks, _row_labels
from .model import Cell, Form, FundsRow
from .sheetmeta import Merge
from .table import read_body


def _find_funds_header(rows: Grid, start: int, end: int) -> tuple[int, dict[str, int]] | None:
    for r in range(start, end):
        keys = _row_labels(rows[r], "funds")
        if "budget" in keys and "spent" in keys:
            return r, {k: c for k, (c, _) in keys.items()}
    return None


def _read_funds(rows: Grid, sheet: str, start: int, end: int,
                header: tuple[int, dict[str, int]] | None) -> dict[str, FundsRow]:
    funds: dict[str, FundsRow] = {}
    first = header[0] + 1 if header else start
    for r in range(first, end):
        row = rows[r]
        hit = None
        for c, v in enumerate(row):
            if isinstance(v, str) and v and len(v) <= 40:
                hit_label = _label(v, "rows")
                key = hit_label[0] if hit_label else None
                if key in ("total_funds", "fiscal", "carryover", "other"):
                    hit = (key, c)
                    break
        if hit is None or hit[0] in funds:
            continue
        key, lc = hit
        label = Cell(sheet, r, lc, row[lc])
        if header:
            cells = {k: Cell(sheet, r, c, row[c] if c < len(row) else None) for k, c in header[1].items()}
        else:
            # 附表2: the amount is the first filled cell to the right of the label.
            c = next((c for c in range(lc + 1, len(row)) if not is_blank(row[c])), lc + 1)
            cells = {"budget": Cell(sheet, r, c, row[c] if c < len(row) else None)}
        funds[key] = FundsRow(key, label, cells)
    return funds


def _ends_table(row: list[Any], below: frozenset[str] = frozenset()) -> bool:
    """总分 / 合计 / 等级, a 得分汇总 sub-header, the next form's title/funds, or the label of one of
    the cells the form's spec computes under its table (``below``) end a table."""
    if _marks(row).ends:
        return True
    if below:
        for v in row[:3]:
            if isinstance(v, str) and normalize_label(v) in below:
                return True
    return False


def _cell_at(sheet: str, r: int, row: list[Any], c: int | None) -> Cell | None:
    if c is None:
        return None
    return Cell(sheet, r, c, row[c] if c < len(row) else None)


def _read_table(rows: Grid, sheet: str, form: Form, data_start: int, end: int,
                merges: list[Merge] | None = None) -> None:
    below = _labels_below(form.form_id)
    r = read_body(rows, sheet, form, data_start, end, merges or [], functools.partial(_ends_table, below=below))
    _read_totals(rows, sheet, form, r, end)


_OUR_ROWS = ("填报状态", "计分规则包")  # the rows jixiao's templates put under every form


@functools.lru_cache(maxsize=64)
def _labels_below(form_id: str) -> frozenset[str]:
    """The labels of the cells a form's spec computes under its table ("执行率得分", "总分" …)."""
    try:
        spec = load_form(form_id)
    except FormSpecError:
        return frozenset()
    labels_ = {c.label for c in spec.computed if c.label} | set(spec.indicators.subtotals[:1]) | set(_OUR_ROWS)
    return frozenset(normalize_label(t.strip()) for t in labels_ if t.strip())


GRADE_WORDS = ("优", "良", "中", "差", "优秀", "良好", "中等", "一般", "合格", "不合格", "较差")


def _grade_text(v: Any) -> bool:
    return isinstance(v, str) and normalize_text(v).replace("等级", "").replace("等", "") in GRADE_WORDS


def _numberish(v: Any) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True
    return isinstance(v, str) and bool(re.match(r"^[\d.,]+\s*分?$", normalize_text(v)))


def _read_totals(rows: Grid, sheet: str, form: Form, r0: int, end: int) -> None:
    """总分 / 合计 / 等级 anywhere below the table (a 得分汇总 block may come first).

    A "总分" row wins over a "合计" row (合计 may sum only the indicators).
    """
    cols = form.columns
    pc, sc = cols.get("points"), cols.get("score")
    totals: list[tuple[int, int, int]] = []  # (priority, row, label column)
    for r in range(r0, end):
        row = rows[r]
        found = _marks(row)
        if r > r0 and (found.title or _is_header(found.labels["columns"])):
            break
        marks = found.labels["rows"]
        if "grand_total" in marks:
            totals.append((marks["grand_total"][1], r, marks["grand_total"][0]))
        if "grade" in marks and form.grade is None:
            gc = marks["grade"][0]
            cand = [c for c in range(gc + 1, len(row)) if not is_blank(row[c])]
            short = [c for c in cand if len(normalize_text(row[c])) <= 4]
            fallback = sc if sc is not None and sc > gc else (short[0] if short else gc + 1)
            pick = next((c for c in cand if _grade_text(row[c])), fallback)
            form.grade = Cell(sheet, r, pick, row[pick] if pick < len(row) else None)
    if not totals:
        return
    _, r, lc = min(totals)
    row = rows[r]
    nums = [c for c in range(lc + 1, len(row)) if not is_blank(row[c])]
    if form.grade is not None and form.grade.row == r:
        nums = [c for c in nums if c < form.grade.col - 1]
    numeric = [c for c in nums if _numberish(row[c])]
    if sc is not None and sc > lc:
        form.total = Cell(sheet, r, sc, row[sc] if sc < len(row) else None)
    elif numeric:
        form.total = Cell(sheet, r, numeric[-1], row[numeric[-1]])
    elif nums:
        form.total = Cell(sheet, r, nums[-1], row[nums[-1]])
    for _, tr, _ in sorted(totals):
        trow = rows[tr]
        if pc is not None and pc < len(trow) and not is_blank(trow[pc]) and (
                form.total is None or (form.total.row, form.total.col) != (tr, pc)):
            form.total_points = Cell(sheet, tr, pc, trow[pc])
            break


def _fraction_weights(form: Form) -> bool:
    """Weights typed as fractions (0.05 = 5%): all bare numbers ≤ 1 and totalling ≤ 1."""
    values = []
    for ind in form.scored():
        c = ind.get("points")
        if c is None or c.blank:
            continue
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
            values.append(float(c.value))
        elif isinstance(c.value, str) and "%" in normalize_text(c.value):
            return False
    return bool(values) and all(0 <= v <= 1 for v in values) and sum(values) <= 1.0001
