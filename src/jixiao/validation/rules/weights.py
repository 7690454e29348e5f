"""Rules about 分值 (weights): the pack's totals (JX201), parents equal to their children (JX202),
the points of rows marked 不适用 moved to the others (JX204)."""

from __future__ import annotations

from collections.abc import Iterator

from ...core import scoring
from ...core.parsing import normalize_text
from ...reader.model import Cell, Indicator
from .base import ERROR, WARNING, Finding, Rule, register
from .context import Context


@register
class WeightSum(Rule):
    code = "JX201"
    slug = "weight-sum"
    severity = ERROR
    title = "分值合计不符"
    template = "{what}合计 {found}，按规则包“{pack}”应为 {expected}"
    description = "绩效指标分值（权重）合计应为 90（或 90%），执行率 10；附表1 合计 100。"

    def applies(self, ctx: Context) -> bool:
        return "points" in ctx.form.columns

    def check(self, ctx: Context) -> Iterator[Finding]:
        form, pack = ctx.form, ctx.pack
        weights = ctx.column("points")
        if weights and all(w is not None for w in weights) and not_redistributed(ctx) is None:
            expected = pack.indicator_weight
            total = scoring.round_half_up(sum(w for w in weights if w is not None), 4)
            if abs(total - expected) > scoring.weight_tolerance(expected):
                percent = form.fraction_weights or any(
                    "%" in normalize_text(c.value) for c in (i.get("points") for i in ctx.scored()) if c is not None)
                unit = "%" if percent else ""
                anchor = form.total_points or Cell(form.sheet, form.header_row, form.columns["points"], None)
                yield self.finding(anchor, what="绩效指标分值（权重）", pack=pack.id,
                                   expected=f"{expected:g}{unit}", found=f"{total:g}{unit}")
        funds = form.funds.get("total_funds")
        if funds is not None and "points" in funds.cells and pack.rate_weight:
            c = funds.cells["points"]
            v = ctx.rate_points(c)
            if v is not None and abs(v - pack.rate_weight) > 0.005:
                yield self.finding(c, what="执行率分值", pack=pack.id,
                                   expected=f"{pack.rate_weight:g}", found=f"{v:g}")


def not_redistributed(ctx: Context) -> tuple[list[tuple[Indicator, float]], float, float] | None:
    """Rows marked 不适用 that kept their points, when that is why the applicable weights miss the
    pack's total (they add up with them): ([(row, points)], applicable total, expected); else None."""
    kept = [(i, p) for i in ctx.form.not_applicable() if (p := ctx.points(i.get("points")))]
    weights = ctx.column("points")
    if not kept or not weights or any(w is None for w in weights):
        return None
    expected = ctx.pack.indicator_weight
    total = scoring.round_half_up(sum(w for w in weights if w is not None), 4)
    tol = scoring.weight_tolerance(expected)
    if abs(total - expected) <= tol or abs(total + sum(p for _, p in kept) - expected) > tol:
        return None
    return kept, total, expected


@register
class NotApplicableNotRedistributed(Rule):
    code = "JX204"
    slug = "not-applicable-not-redistributed"
    severity = WARNING
    title = "不适用指标的分值未重新分配"
    template = ("{names}标为不适用，其 {na_points} 分未分配给其他指标：适用指标分值合计 {found}，应为 {expected}"
                "（或将适用指标得分按比例折算到满分）")
    description = ("标“不适用”（或在指标值、实际值、得分处填“/”“—”“无”）的指标不计分，其分值应按比例分配给其余指标，"
                   "使适用指标合计仍为满分；总分按原分值合计或按比例折算到满分都视为正确。")

    def applies(self, ctx: Context) -> bool:
        return "points" in ctx.form.columns

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = not_redistributed(ctx)
        if found is not None:
            kept, total, expected = found
            yield self.finding(kept[0][0].get("points"), names="、".join(f"“{i.label}”" for i, _ in kept),
                               na_points=f"{sum(p for _, p in kept):g}", expected=f"{expected:g}", found=f"{total:g}")


def _plain(text: str) -> str:
    return normalize_text(text).split("(")[0]


@register
class SubtotalMismatch(Rule):
    code = "JX202"
    slug = "subtotal-mismatch"
    severity = ERROR
    title = "上级分值与下级合计不符"
    template = "“{group}”标注 {expected} 分，其下各项分值合计 {found} 分"
    description = "每个上级指标的分值应等于其下级指标分值之和（如 项目决策 18 = 6+6+6）。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        def children_points(items: list[Indicator]) -> float | None:
            pts = [ctx.points(i.get("points")) for i in items if "points" not in i.covered]
            return None if any(p is None for p in pts) else sum(p for p in pts if p is not None)

        def sums(items: list[Indicator], extra: float = 0.0) -> set[float]:
            """The children's points, all of them and the applicable ones (a 不适用 row's points
            may have been moved to its siblings); None when one cannot be read."""
            found = {children_points(items), children_points([i for i in items if not i.not_applicable])}
            return {s + extra for s in found if s is not None}

        for g in ctx.form.groups:
            for sub in g.subgroups:
                got = sums(sub.children)
                if got and sub.children and all(abs(s - sub.points) > 0.005 for s in got):
                    yield self.finding(sub.cell, group=_plain(sub.name), expected=sub.points,
                                       found=min(got, key=lambda s: abs(s - sub.points)))
            if not (g.children or g.subgroups):
                continue
            got = sums(g.children, sum(sub.points for sub in g.subgroups))
            if got and all(abs(s - g.points) > 0.005 for s in got):
                yield self.finding(g.cell, group=_plain(g.name), expected=g.points,
                                   found=min(got, key=lambda s: abs(s - g.points)))
