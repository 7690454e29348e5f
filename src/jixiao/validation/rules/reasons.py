"""JX401: a 偏差原因 is written where the pack asks for one."""

from __future__ import annotations

from collections.abc import Iterator

from ...core.parsing import Nature, harmonize
from ...errors import JXError
from ...reader.model import Indicator
from .base import ERROR, Finding, Rule, register
from .context import Context
from .funds import funds_rate


@register
class DeviationReasonMissing(Rule):
    code = "JX401"
    slug = "deviation-reason-missing"
    severity = ERROR
    title = "缺少偏差原因"
    template = "{where}{why}，须填写偏差原因分析及改进措施"
    description = "得分低于满分（部分省份：完成值超过目标一定比例、执行率偏低）时须说明原因。"

    def applies(self, ctx: Context) -> bool:
        return "reason" in ctx.form.columns

    def check(self, ctx: Context) -> Iterator[Finding]:
        form, pack = ctx.form, ctx.pack
        for ind in ctx.scored():
            reason = ind.get("reason")
            if reason is None or not reason.blank:
                continue
            why = self._why(ctx, ind)
            if why:
                yield self.finding(reason, where=ctx.unit_where(ind), why=why)
        funds = form.funds.get("total_funds")
        if pack.reason_required_below is None or funds is None:
            return
        rate = funds_rate(ctx, funds)
        if not isinstance(rate, float):
            return
        reasons = [i.get("reason") for i in form.indicators if i.get("reason") is not None]
        if rate < pack.reason_required_below and all(r.blank for r in reasons):
            anchor = funds.cells.get("rate") or funds.cells["spent"]
            yield self.finding(anchor, where="", why=f"执行率 {rate:.2%} 低于 {pack.reason_required_below:.0%}")

    @staticmethod
    def _why(ctx: Context, ind: Indicator) -> str | None:
        """Why this indicator needs a reason (the pack's conditions), or None."""
        pack = ctx.pack
        typed, weight = ctx.unit_sum(ind, "score"), ctx.unit_sum(ind, "points")
        if not ind.covered and pack.reason_below_full and typed is not None and weight is not None and typed < weight - pack.tolerance:
            return f"得分 {typed:g} 低于满分 {weight:g}"
        target, actual = ind.get("target"), ind.get("actual")
        if not pack.reason_over_ratio or target is None or actual is None:
            return None
        try:
            if ctx.nature(ind) is not Nature.POSITIVE:
                return None
            # same scale first: "95%" against 97, 万元 against 元
            t, a = harmonize(target.quantity(), actual.quantity())
        except JXError:
            return None  # values that cannot be compared: other rules report them
        if t > 0 and a / t >= pack.reason_over_ratio:
            return f"实际完成值达到指标值的 {a / t:.0%}（目标可能偏低）"
        return None
