"""A column a form's spec computes (得分率 = 得分 ÷ 分值, 完成质量 …): the value typed in each row is
what the spec's formula gives for that row (JX307). 得分 has its own rule (JX302)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

from ...core.parsing import normalize_text
from ...errors import ExcelError
from ...forms import formula as fx
from ...forms import load_form
from ...reader.model import Indicator
from .base import ERROR, Finding, Rule, register
from .context import Context

_LEVELS = ("level1", "level2", "level3")


def _plan(form_id: str) -> list[tuple[Any, Any, list[str]]]:
    """The spec's columns this rule compares per row, each with its parsed formula and the names
    it uses; worked out once per form (and ``JIXIAO_FORMS``), as the form's ``checks:`` are."""
    return _plan_for(form_id, os.environ.get("JIXIAO_FORMS", ""))


@functools.lru_cache(maxsize=64)
def _plan_for(form_id: str, forms_env: str) -> list[tuple[Any, Any, list[str]]]:
    spec = load_form(form_id)
    keys = set(spec.indicators.keys())
    plan = []
    for col in spec.indicators.columns:
        if col.input or col.key == "score":
            continue
        node = fx.parse(col.formula)
        if not set(fx.names(node)) <= keys | {"pack"}:
            continue  # names cells outside the row: the template computes it, nothing to compare per row
        plan.append((col, node, [n for n in fx.names(node) if n != "pack"]))
    return plan


def _row_value(ind: Indicator, key: str) -> Any:
    """A row's value as a formula argument: the number when it reads as one, else its text."""
    if key in _LEVELS:
        return getattr(ind, key) or None
    cell = ind.get(key)
    if cell is None or cell.blank:
        return None
    q = cell.try_quantity()
    return q.value if q is not None else cell.text


@register
class ComputedMismatch(Rule):
    code = "JX307"
    slug = "computed-mismatch"
    severity = ERROR
    title = "计算列有误"
    template = "{where}{column}填写 {found}，按表单公式 {formula} 应为 {expected}"
    description = "表单定义里由公式计算的列（如 得分率 = 得分 ÷ 分值、完成质量），填写的值与公式的结果不符。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        from ...templates.exprs import Lit
        from ...templates.values import to_expr

        for col, node, names in _plan(ctx.form.form_id):
            percent = "%" in col.format
            for ind in ctx.scored():
                cell = ind.get(col.key)
                args = {n: _row_value(ind, n) for n in names}
                if cell is None or cell.blank or any(args.get(n) is None for n in col.needs):
                    continue
                args["pack"] = ctx.pack.source  # JX_ functions take a pack by name or path
                expected = to_expr(node, lambda n, a=args: Lit(a.get(n))).eval(lambda ref: None)
                if isinstance(expected, ExcelError) or expected in (None, ""):
                    continue  # not computable from what was typed: the value rules say why
                found = cell.try_quantity()
                if isinstance(expected, (int, float)):
                    tol = 0.00005 if percent else ctx.pack.tolerance
                    if found is None or abs(found.value - expected) <= tol + 1e-9:
                        continue  # a word where a number belongs is not-a-number's finding
                    shown = f"{expected:.2%}" if percent else f"{expected:g}"
                elif normalize_text(cell.text) == normalize_text(str(expected)):
                    continue
                else:
                    shown = str(expected)
                yield self.finding(cell, where=ctx.where(ind), column=col.label, formula=col.formula,
                                   expected=shown, found=cell.text)
