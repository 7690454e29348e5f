"""Rules about the funds block: 执行率 (JX303), its score (JX304), 执行数 within 预算数 (JX402),
the 其中 rows adding up to 年度资金总额 (JX403)."""

from __future__ import annotations

from collections.abc import Iterator

from ...core import scoring
from ...errors import JXError
from ...reader.model import Cell, FundsRow
from .base import ERROR, Finding, Rule, register, rule
from .context import FIELD_NAMES, Context


def funds_rate(ctx: Context, row: FundsRow) -> float | JXError | None:
    """执行率 of a funds row as a fraction; the core's error when it cannot be computed (a zero
    budget); None when 预算数 or 执行数 is missing or not a number (other rules say so)."""
    budget, spent = row.cells.get("budget"), row.cells.get("spent")
    if ctx.number(budget) is None or ctx.number(spent) is None:
        return None
    assert budget is not None and spent is not None
    try:
        return scoring.execution_rate(budget.value, spent.value)
    except JXError as exc:
        return exc


def _rate_fraction(cell: Cell) -> float | None:
    try:
        q = cell.quantity("执行率")
    except JXError:
        return None
    return q.value if q.percent or abs(q.value) <= 1.5 else q.value / 100.0


@register
class RateMismatch(Rule):
    code = "JX303"
    slug = "rate-mismatch"
    severity = ERROR
    title = "执行率计算有误"
    template = "执行率填写 {found}，按 全年执行数 ÷ {denominator} 应为 {expected}"
    description = "执行率 = 全年执行数 ÷ 全年预算数，保留两位小数的百分比。"
    emits = ("invalid-value",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for row in ctx.form.funds.values():
            rate = funds_rate(ctx, row)
            if isinstance(rate, JXError):
                budget = row.cells["budget"]
                yield rule("invalid-value").finding(budget, where=ctx.row_where(row), reason=rate.message,
                                                    found=budget.value)
                continue
            rate_c = row.cells.get("rate")
            if rate is None or rate_c is None or rate_c.blank:
                continue
            typed = _rate_fraction(rate_c)  # None: not-a-number says so
            want = scoring.round_half_up(rate * 100, 2)
            if typed is not None and abs(typed * 100 - want) > 0.01 + 1e-9:
                yield self.finding(rate_c, denominator=ctx.pack.rate_denominator,
                                   expected=f"{want:.2f}%", found=rate_c.text)


@register
class RateScoreMismatch(Rule):
    code = "JX304"
    slug = "rate-score-mismatch"
    severity = ERROR
    title = "执行率得分有误"
    template = "执行率得分 {found}，按 min(执行率, 1) × 分值 应为 {expected}"
    description = "执行率得分 = min(执行率, 1) × 分值，四舍五入到两位小数。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        row = ctx.form.funds.get("total_funds")
        if row is None or not isinstance(funds_rate(ctx, row), float):
            return
        score_c, points_c = row.cells.get("score"), row.cells.get("points")
        typed, w = ctx.number(score_c), ctx.rate_points(points_c)
        if score_c is None or typed is None or w is None:
            return
        want = scoring.rate_score(row.cells["budget"].value, row.cells["spent"].value, w, ctx.pack)
        if abs(typed - want) > ctx.pack.tolerance + 1e-9:
            yield self.finding(score_c, expected=want, found=typed)


@register
class SpentOverBudget(Rule):
    code = "JX402"
    slug = "spent-over-budget"
    severity = ERROR
    title = "执行数超过预算数"
    template = "{where}全年执行数 {found} 超过预算数 {expected}"
    description = "全年执行数不应大于全年预算数。"

    def applies(self, ctx: Context) -> bool:
        return ctx.pack.spent_not_over_budget

    def check(self, ctx: Context) -> Iterator[Finding]:
        for row in ctx.form.funds.values():
            b, s = ctx.number(row.cells.get("budget")), ctx.number(row.cells.get("spent"))
            if b is not None and s is not None and s > b + 1e-9:
                yield self.finding(row.cells["spent"], where=ctx.row_where(row), expected=b, found=s)


@register
class FundsRowsMismatch(Rule):
    code = "JX403"
    slug = "funds-rows-mismatch"
    severity = ERROR
    title = "资金来源合计不符"
    template = "{column}：其中各项合计 {found}，与年度资金总额 {expected} 不符"
    description = "财政拨款、上年结转、其他资金之和应等于年度资金总额。"

    def applies(self, ctx: Context) -> bool:
        return ctx.pack.funds_rows_add_up

    def check(self, ctx: Context) -> Iterator[Finding]:
        funds = ctx.form.funds
        total = funds.get("total_funds")
        parts = [funds[k] for k in ("fiscal", "carryover", "other") if k in funds]
        if total is None or not parts:
            return
        for k in ("initial_budget", "budget", "spent"):
            c = total.cells.get(k)
            t = ctx.number(c)
            if c is None or t is None:
                continue
            values = [p.cells.get(k) for p in parts]
            if any(v is not None and not v.blank and ctx.number(v) is None for v in values):
                continue
            nums = [ctx.number(v) for v in values]
            if all(n is None for n in nums):
                continue
            s = scoring.round_half_up(sum(n for n in nums if n is not None), 4)
            if abs(s - t) > 0.005:
                yield self.finding(c, column=FIELD_NAMES[k], expected=t, found=s)
