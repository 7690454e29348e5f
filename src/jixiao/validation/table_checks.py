"""Checks of a table's structure as the sheet shows it: 小计/合计 rows and group header rows
against the rows they sum, hidden rows and columns, and grade words (registered with
:func:`jixiao.validation.checks.check`, run in the same pass)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..core import scoring
from ..core.parsing import normalize_text
from ..reader.model import Cell, col_letter
from ..rulepacks import RulePack
from .checks import FIELD_NAMES, Context, _plain, check
from .rules import Finding, rule


@check("subtotal-row-mismatch")
def check_subtotal_rows(ctx: Context) -> Iterator[Finding]:
    """小计/合计 rows inside a table equal the sum of the rows they close (any plausible span)."""
    for sub in ctx.form.subtotals:
        for key, value in (("points", ctx.points), ("score", ctx.number)):
            cell = sub.cells.get(key)
            typed = value(cell)
            if typed is None:
                continue
            sums = []
            for span in sub.spans:
                items = [value(i.get(key)) for i in span if not i.not_applicable]
                if items and all(v is not None for v in items):
                    sums.append(scoring.round_half_up(sum(v for v in items if v is not None), 4))
            if sums and all(abs(s - typed) > ctx.pack.tolerance + 1e-9 for s in sums):
                yield rule("subtotal-row-mismatch").finding(cell, label=_plain(sub.label.text),
                                                            field=FIELD_NAMES[key], expected=sums[0], found=typed)


@check("hidden-cells")
def check_hidden(ctx: Context) -> Iterator[Finding]:
    """Hidden rows or columns inside the form: read like the others, and named for the reviewer."""
    form = ctx.form
    meta = ctx.book.sheet_meta.get(form.sheet)
    if meta is None or not (meta.hidden_rows or meta.hidden_cols):
        return
    last = max([form.header_row] + [i.row for i in form.indicators] + [s.label.row for s in form.subtotals]
               + [c.row for c in (form.total, form.grade) if c is not None])
    first_col, last_col = min(form.columns.values()), max(form.columns.values())
    rows = sorted(r for r in meta.hidden_rows if form.header_row <= r <= last)
    cols = sorted(c for c in meta.hidden_cols if first_col <= c <= last_col)
    if not rows and not cols:
        return
    what = []
    if rows:
        what.append("第 " + "、".join(str(r + 1) for r in rows[:20]) + (" 等" if len(rows) > 20 else "") + " 行")
    if cols:
        what.append("、".join(col_letter(c) for c in cols[:20]) + " 列")
    anchor = Cell(form.sheet, rows[0] if rows else form.header_row, cols[0] if cols and not rows else first_col, None)
    yield rule("hidden-cells").finding(anchor, what="和".join(what))


def grade_word(value: object, pack: RulePack) -> str | None:
    """The grade a 等级 cell names: "优", "优秀", "优等", "良好（85分）", "等级：A" (the pack's words)."""
    text = re.split(r"[(（]", normalize_text(value), maxsplit=1)[0]
    text = re.sub(r"^(?:评价|自评|绩效)?等级[:：]?", "", text)
    return pack.grade_of_word(text) or pack.grade_of_word(re.sub("等级?$|级$", "", text))
