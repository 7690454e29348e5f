"""Rules about the result: 总分 (JX305) and 等级 (JX306)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...core import scoring
from ...core.parsing import normalize_text
from ...errors import JXError
from ...rulepacks import RulePack
from .base import ERROR, Finding, Rule, register, rule
from .context import Context
from .funds import funds_rate


@register
class TotalMismatch(Rule):
    code = "JX305"
    slug = "total-mismatch"
    severity = ERROR
    title = "总分有误"
    template = "总分 {found}，应为 {expected}（{how}）"
    description = "总分 = 执行率得分 + 各指标得分（附表1：各项得分 − 扣分），按规则包封顶。"
    emits = ("invalid-value",)

    def applies(self, ctx: Context) -> bool:
        return "score" in ctx.form.columns

    def check(self, ctx: Context) -> Iterator[Finding]:
        """总分 against the typed components (so one wrong indicator score fires score-mismatch
        alone, not this rule too)."""
        form, pack = ctx.form, ctx.pack
        typed = ctx.number(form.total)
        if typed is None:
            return
        scores = [ctx.number(i.get("score")) for i in form.scored()]
        if any(s is None for s in scores):
            return
        parts, how = list(scores), "各指标得分之和"
        rate = None
        funds = form.funds.get("total_funds")
        if funds is not None and "score" in funds.cells:
            rs = ctx.number(funds.cells["score"])
            if rs is None:
                return
            parts.append(rs)
            how = "执行率得分 + 各指标得分"
            found = funds_rate(ctx, funds)
            rate = found if isinstance(found, float) else None
        deduction = None
        ded = form.deduction
        ded_cell = ded.get("score") if ded is not None else None
        if ded_cell is not None and not ded_cell.blank:
            deduction = ctx.number(ded_cell)
            if deduction is None:
                return
            deduction = abs(deduction)  # typed as −2 or as 2: the same deduction
            how += " − 扣分"
        try:
            want = scoring.total_score(parts, deduction, rate, pack)
        except JXError as exc:
            yield rule("invalid-value").finding(ded_cell or form.total, where="", reason=exc.message)
            return
        if pack.caps and rate is not None:
            how += "，按执行率封顶"
        if abs(want - typed) > pack.tolerance + 1e-9 and not _rescaled_total_matches(
                ctx, scores, parts[len(scores):], deduction, rate, typed):
            yield self.finding(form.total, expected=want, found=typed, how=how)


def _rescaled_total_matches(ctx: Context, scores: list[float | None], others: list[float | None],
                            deduction: float | None, rate: float | None, typed: float) -> bool:
    """不适用 rows that kept their points: the indicator scores rescaled to the full points (the
    other way domain.md allows; not-applicable-not-redistributed says the points were not moved)."""
    na = sum(p for i in ctx.form.not_applicable() if (p := ctx.points(i.get("points"))))
    weights = [ctx.points(i.get("points")) for i in ctx.form.scored()]
    if not na or any(w is None for w in weights) or not sum(w for w in weights if w):
        return False
    applicable = sum(w for w in weights if w)
    rescaled = scoring.round_half_up(sum(s for s in scores if s is not None) * (applicable + na) / applicable)
    want = scoring.total_score([rescaled, *others], deduction, rate, ctx.pack)
    return abs(want - typed) <= ctx.pack.tolerance + 1e-9


def grade_word(value: object, pack: RulePack) -> str | None:
    """The grade a 等级 cell names: "优", "优秀", "优等", "良好（85分）", "等级：A" (the pack's words)."""
    text = re.split(r"[(（]", normalize_text(value), maxsplit=1)[0]
    text = re.sub(r"^(?:评价|自评|绩效)?等级[:：]?", "", text)
    return pack.grade_of_word(text) or pack.grade_of_word(re.sub("等级?$|级$", "", text))


@register
class GradeMismatch(Rule):
    code = "JX306"
    slug = "grade-mismatch"
    severity = ERROR
    title = "等级有误"
    template = "等级“{found}”与总分 {total} 不符，应为“{expected}”"
    description = "≥90 优，≥80 良，≥60 中，其余差。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        form = ctx.form
        if form.grade is None or form.grade.blank:
            return
        total = ctx.number(form.total)
        if total is None:
            return
        want = scoring.grade(total, ctx.pack)
        found = grade_word(form.grade.value, ctx.pack)
        if found != want:
            yield self.finding(form.grade, expected=want, found=form.grade.text, total=f"{total:g}")
