"""Rules about 分值 (weights): the pack's totals (JX201) and parents equal to their children (JX202)."""

from __future__ import annotations

from collections.abc import Iterator

from ...core import scoring
from ...core.parsing import normalize_text
from ...reader.model import Cell, Indicator
from .base import ERROR, Finding, Rule, register
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
        weights = [ctx.points(i.get("points")) for i in form.scored()]
        if weights and all(w is not None for w in weights):
            expected = pack.indicator_weight
            total = scoring.round_half_up(sum(w for w in weights if w is not None), 4)
            if abs(total - expected) > scoring.weight_tolerance(expected):
                percent = form.fraction_weights or any(
                    "%" in normalize_text(c.value) for c in (i.get("points") for i in form.scored()) if c is not None)
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
            pts = [ctx.points(i.get("points")) for i in items]
            return None if any(p is None for p in pts) else sum(p for p in pts if p is not None)

        for g in ctx.form.groups:
            for sub in g.subgroups:
                s = children_points(sub.children)
                if s is not None and sub.children and abs(s - sub.points) > 0.005:
                    yield self.finding(sub.cell, group=_plain(sub.name), expected=sub.points, found=s)
            direct = children_points(g.children)
            if direct is None or not (g.children or g.subgroups):
                continue
            s = direct + sum(sub.points for sub in g.subgroups)
            if abs(s - g.points) > 0.005:
                yield self.finding(g.cell, group=_plain(g.name), expected=g.points, found=s)
