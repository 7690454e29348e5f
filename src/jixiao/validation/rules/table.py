"""Rules about a table's structure as the sheet shows it: 小计/合计 rows and group header rows
against the rows they sum (JX203), hidden rows and columns inside a form (JX005)."""

from __future__ import annotations

from collections.abc import Iterator

from ...core import scoring
from ...reader.model import Cell, col_letter
from .base import ERROR, WARNING, Finding, Rule, register
from .context import FIELD_NAMES, Context
from .weights import _plain


@register
class SubtotalRowMismatch(Rule):
    code = "JX203"
    slug = "subtotal-row-mismatch"
    severity = ERROR
    title = "小计行与所含各项不符"
    template = "“{label}”行的{field} {found}，与其汇总的各项{field}之和 {expected} 不符"
    description = "表内的小计/合计/总计行（以及写有分值的分组标题行）应等于它所汇总的各行之和；这些行不作为指标计分。"

    def applies(self, ctx: Context) -> bool:
        return bool(ctx.form.subtotals)

    def check(self, ctx: Context) -> Iterator[Finding]:
        """Each typed 分值 and 得分 of a subtotal row against the sum over any span it may close
        (since the previous subtotal, or its whole 一级 group): no false alarm on either habit."""
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
                    yield self.finding(cell, label=_plain(sub.label.text), field=FIELD_NAMES[key],
                                       expected=sums[0], found=typed)


@register
class HiddenCells(Rule):
    code = "JX005"
    slug = "hidden-cells"
    severity = WARNING
    title = "表中有隐藏的行或列"
    template = "本表的{what}被隐藏：已读取并参与校验；所见的合计与校验结果不一致时，请先取消隐藏再核对"
    description = "隐藏的行、列照常读取和校验；提示审核人员某列看上去加不起来的原因。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        """Hidden rows between the form's header and its last row, hidden columns between its
        first and last column (what lies outside the form is no concern of it)."""
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
            what.append("、".join(col_letter(c) for c in cols[:20]) + (" 等" if len(cols) > 20 else "") + " 列")
        anchor = Cell(form.sheet, rows[0] if rows else form.header_row, first_col if rows else cols[0], None)
        yield self.finding(anchor, what="和".join(what))
