"""Rules about single values: required cells filled (JX101), numbers where numbers belong (JX102),
values the scoring rules can work with (JX103)."""

from __future__ import annotations

from collections.abc import Iterator

from ...reader.model import INDICATOR_KEYS
from ..form_checks import Param
from .base import ERROR, Finding, Rule, register
from .context import FIELD_NAMES, Context
from .scores import score_expectation

# Funds cells that must be filled: 全年预算数 and 全年执行数 of the 年度资金总额 row.
_REQUIRED_FUNDS = ("budget", "spent")
_NUMBER_KEYS = ("points", "score")  # indicator cells that hold numbers whatever the form


@register
class MissingValue(Rule):
    code = "JX101"
    slug = "missing-value"
    severity = ERROR
    title = "必填项为空"
    template = "{where}{field}未填写"
    description = "实际完成值、分值、得分、预算数等必填单元格为空。"
    params = {"required": Param(("target", "actual", "points", "score"),
                                "每项指标必须填写的单元格（列的键名）", INDICATOR_KEYS)}

    def check(self, ctx: Context) -> Iterator[Finding]:
        """The indicator cells the form's ``required`` names, 年度资金总额's 预算数 and 执行数,
        and 总分 where the table has a 得分 column."""
        form = ctx.form
        required = self.param(ctx, "required")
        for ind in ctx.scored():  # rows marked 不适用 miss nothing (not-applicable-not-redistributed)
            for key in required:
                if key in ind.covered:
                    continue  # held by the 分值/得分 cell merged over its scoring unit
                c = ind.get(key)
                if c is not None and c.blank:
                    yield self.finding(c, where=ctx.where(ind), field=FIELD_NAMES[key])
        row = form.funds.get("total_funds")
        if row is not None:
            for k in _REQUIRED_FUNDS:
                c = row.cells.get(k)
                if c is not None and c.blank:
                    yield self.finding(c, where=ctx.row_where(row), field=FIELD_NAMES[k])
        if form.total is not None and form.total.blank and "score" in form.columns:
            yield self.finding(form.total, where="", field="总分")


@register
class NotANumber(Rule):
    code = "JX102"
    slug = "not-a-number"
    severity = ERROR
    title = "应为数值"
    template = "{where}{field}应为数值，实为“{found}”"
    description = "分值、得分、金额等单元格应为数字（可带单位，如“6分”“87.65万元”“5%”）。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        """分值 and 得分 (扣分 too), every funds cell (the 其中 rows' “—” under 分值/得分 aside), 总分."""
        form = ctx.form
        for ind in form.indicators:
            if ind.not_applicable:
                continue  # 不适用: its "不适用" or "/" is no number to read
            for key in ("score",) if ind.deduction else _NUMBER_KEYS:
                c = ind.get(key)
                if c is not None and not c.blank and ctx.number(c) is None:
                    field = "扣分" if ind.deduction else FIELD_NAMES[key]
                    yield self.finding(c, where=ctx.where(ind), field=field, found=c.value)
        for key, row in form.funds.items():
            for k, c in row.cells.items():
                if k in _NUMBER_KEYS and key != "total_funds":
                    continue
                if not c.blank and ctx.number(c) is None:
                    yield self.finding(c, where=ctx.row_where(row), field=FIELD_NAMES[k], found=c.value)
        c = form.total
        if c is not None and not c.blank and ctx.number(c) is None:
            yield self.finding(c, where="", field="总分", found=c.value)


@register
class InvalidValue(Rule):
    code = "JX103"
    slug = "invalid-value"
    severity = ERROR
    title = "无法计分的值"
    template = "{where}{reason}"
    description = "指标性质无法识别、定性指标不是三档之一、单位不一致、预算数为 0 等无法按规则计分的情况。"

    def applies(self, ctx: Context) -> bool:
        # Where the table has 得分, score-mismatch reports what cannot be scored (it needs the
        # same numbers); a form without one (附表2 as issued) still needs scorable values,
        # unless its scores are not the rule's to compute (score-mismatch off for the form).
        return ctx.spec.runs("score-mismatch") and "score" not in ctx.form.columns

    def check(self, ctx: Context) -> Iterator[Finding]:
        """Every indicator's 指标性质, 指标值 and 实际完成值 can be scored. Also emitted by
        score-mismatch (indicators), rate-mismatch (a zero budget) and total-mismatch (扣分)."""
        for ind in ctx.scored():
            exp = score_expectation(ctx, ind)
            if isinstance(exp, Finding):
                yield exp
