"""Notes on data that loads but deserves a look (weights, worded numbers)."""

from __future__ import annotations

from collections.abc import Iterable

from ..forms import load_form
from .records import Project


def weight_warnings(projects: Iterable[Project], form: str) -> list[str]:
    """Projects whose indicator weights do not total the form's expectation (90 / 90%)."""
    spec = load_form(form)
    if spec.indicators.sections:
        return []
    expected = float(spec.indicators.expected_points or 90)
    expected = expected * 100 if expected <= 1 else expected
    out = []
    for p in projects:
        pts = [i.points for i in p.indicators if i.points is not None]
        if pts and abs(sum(pts) - expected) > 0.01:
            out.append(f"{p.source} 项目“{p.name}”: 指标分值合计 {sum(pts):g}，应为 {expected:g}"
                       f" (weights total {sum(pts):g}, expected {expected:g})")
    return out


def worded_number_warnings(projects: Iterable[Project], form: str, mode: str) -> list[str]:
    """Text typed where a column of kind ``number`` feeds formulas ("满意度95%以上" as a 绩效标准):
    the JX_ functions (udf mode) read it, native and LAMBDA formulas only read numbers, so the
    cell would show an error once a spreadsheet recalculates."""
    if mode == "udf":
        return []
    from ..templates.layout import is_bare_number

    spec = load_form(form)
    numeric = {c.key: c.label for c in spec.indicators.columns if c.kind == "number"}
    out = []
    for p in projects:
        for ind in p.indicators:
            for key, value in ind.extra.items():
                if key in numeric and isinstance(value, str) and not is_bare_number(value):
                    out.append(f"{p.source} 项目“{p.name}”指标“{ind.level3}”的{numeric[key]}“{value}”是文字："
                               f"{mode} 模式的公式只读数值，重算后显示错误值；请填数值（如 95%）或改用 --mode udf"
                               f" (worded value in a numeric column; {mode} formulas read numbers only)")
    return out


