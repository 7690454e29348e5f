"""Rules about indicator scores: within 0..分值 (JX301) and as the scoring rule gives (JX302)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...core import scoring
from ...core.parsing import Nature
from ...errors import JXError
from ...reader.model import Indicator
from .base import ERROR, Finding, Rule, register, rule
from .context import Context


@dataclass
class Scored:
    ind: Indicator
    weight: float
    expected: float | None  # None for 定性 (a band) and when unscorable
    band: tuple[float, float] | None = None


def score_expectation(ctx: Context, ind: Indicator) -> Scored | Finding | None:
    """The rule's score for one indicator, an invalid-value finding when its values cannot be
    scored, or None when a value is missing (reported by missing-value / not-a-number)."""
    weight = ctx.points(ind.get("points"))
    if weight is None:
        return None
    target, actual = ind.get("target"), ind.get("actual")
    if target is None or actual is None or target.blank or actual.blank:
        return None
    invalid = rule("invalid-value")
    try:
        nature = ctx.nature(ind)
    except JXError as exc:
        cell = ind.get("nature") or target
        return invalid.finding(cell, where=ctx.where(ind), reason=exc.message, found=cell.value)
    try:
        if nature is Nature.QUALITATIVE:
            band = scoring.qualitative_band(actual.value, target.value, weight, ctx.pack)
            return Scored(ind, weight, None, band)
        return Scored(ind, weight, scoring.indicator_score(nature, target.value, actual.value, weight, ctx.pack))
    except JXError as exc:
        cell = target if "指标值" in exc.message and "实际" not in exc.message else actual
        return invalid.finding(cell, where=ctx.where(ind), reason=exc.message, found=cell.value)


def unit_expectation(ctx: Context, ind: Indicator) -> Scored | Finding | None:
    """:func:`score_expectation` of ``ind``'s scoring unit (rows sharing a merged 得分): the sum
    of its rows' scores (a 定性 band summed as a band). None when the rows share one merged 分值
    too: how the department split that weight among them is not on the form, so there is no
    rule score to compare with (score-out-of-range still checks 0..分值)."""
    if not ind.unit:
        return score_expectation(ctx, ind)
    if any("points" in i.covered for i in ind.unit):
        return None
    low = high = weight = 0.0
    for row in (ind, *ind.unit):
        exp = score_expectation(ctx, row)
        if exp is None or isinstance(exp, Finding):
            return exp
        weight += exp.weight
        a, b = exp.band if exp.band is not None else (exp.expected, exp.expected)
        if a is None or b is None:
            return None
        low, high = low + a, high + b
    return Scored(ind, weight, low if low == high else None, None if low == high else (low, high))


def _out_of_range(ctx: Context, ind: Indicator) -> tuple[float, float] | None:
    """(typed 得分, 分值) when the typed score lies outside 0..分值 (beyond the pack's tolerance);
    for a scoring unit, the unit's 得分 against its 分值 (a merged number counted once)."""
    if ind.covered:
        return None  # checked with the first row of its unit
    typed, weight = ctx.unit_sum(ind, "score"), ctx.unit_sum(ind, "points")
    tol = ctx.pack.tolerance
    if typed is not None and weight is not None and (typed < -tol or typed > weight + tol):
        return typed, weight
    return None


@register
class ScoreOutOfRange(Rule):
    code = "JX301"
    slug = "score-out-of-range"
    severity = ERROR
    title = "得分超出范围"
    template = "{where}得分 {found} 超出范围 0～{expected}"
    description = "得分应在 0 与分值之间。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.scored():
            bad = _out_of_range(ctx, ind)
            if bad is not None:
                typed, weight = bad
                yield self.finding(ind.get("score"), where=ctx.unit_where(ind), expected=weight, found=typed)


@register
class ScoreMismatch(Rule):
    code = "JX302"
    slug = "score-mismatch"
    severity = ERROR
    title = "得分与计分规则不符"
    template = "{where}得分 {found}，按{method}应为 {expected}（允许误差 {tol}）"
    description = "按指标性质（正向、反向、等于、定性分档）计算的得分与填写的得分不符。"
    emits = ("invalid-value",)

    def applies(self, ctx: Context) -> bool:
        # A table without 得分: invalid-value checks its values can be scored. A form whose 得分
        # is the evaluator's judgement within 0..分值 (附表1) turns this rule off in its spec.
        return "score" in ctx.form.columns

    def check(self, ctx: Context) -> Iterator[Finding]:
        pack = ctx.pack
        tol = pack.tolerance
        for ind in ctx.scored():
            if ind.covered or _out_of_range(ctx, ind) is not None:
                continue  # checked with the first row of its unit / score-out-of-range says it
            score_cell = ind.get("score")
            typed = ctx.unit_sum(ind, "score")
            exp = unit_expectation(ctx, ind)
            if isinstance(exp, Finding):
                yield exp
                continue
            if exp is None or typed is None:
                continue
            if exp.band is not None:
                low, high = exp.band
                if not (low - tol <= typed <= high + tol):
                    actual = ind.get("actual")
                    yield self.finding(
                        score_cell, where=ctx.unit_where(ind), method="各项计分规则之和" if ind.unit else f"定性分档（{actual.text if actual else ''}）",
                        expected=f"{low:g}～{high:g}", found=typed, tol=f"{tol:g}")
            elif exp.expected is not None and abs(exp.expected - typed) > tol + 1e-9:
                method = "各项计分规则之和" if ind.unit else {
                    Nature.POSITIVE: "正向指标", Nature.REVERSE: f"反向指标（{pack.reverse_method}）",
                    Nature.EQUAL: "等于指标"}.get(ctx.nature(ind), "规则")
                yield self.finding(score_cell, where=ctx.unit_where(ind), method=method,
                                   expected=exp.expected, found=typed, tol=f"{tol:g}")
