"""Rules about workbooks made from jixiao's templates: a formula typed over (JX501), formulas the
program that saved the file could not run (JX502)."""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import ERROR_VALUES
from ...reader.model import Cell, Form, Workbook
from ..form_checks import Param
from .base import BOOK, ERROR, WARNING, Finding, Rule, register, rule
from .context import Context

NO_FORMULA_MODES = ("plain", "values", "static")
_FUNDS_FORMULAS = (("rate", "rate", "执行率"), ("rate_score", "score", "执行率得分"))
# The computed cells a template may hold: every indicator's 得分, 执行率, 执行率得分, 总分, 等级.
FORMULA_CELLS = ("score", "rate", "rate_score", "total", "grade")


def template_mode(marker: str | None) -> str | None:
    """The formula mode in a JX_TEMPLATE marker ("xiangmu:udf:0.1.0" → "udf")."""
    parts = (marker or "").split(":")
    return parts[1] if len(parts) > 1 else None


def expected_formula_cells(form: Form, kinds: tuple[str, ...] = FORMULA_CELLS) -> list[tuple[str, Cell]]:
    """Cells our templates fill with formulas (``kinds`` of FORMULA_CELLS), found by the reader
    (not by coordinates), each with what it holds."""
    cells: list[tuple[str, Cell]] = []
    if "score" in kinds:
        for ind in form.scored():
            c = ind.get("score")
            if c is not None:
                cells.append((f"“{ind.label}”的得分", c))
    funds = form.funds.get("total_funds")
    if funds is not None:
        for kind, key, what in _FUNDS_FORMULAS:
            if kind in kinds and key in funds.cells:
                cells.append((what, funds.cells[key]))
    for kind, what, c in (("total", "总分", form.total), ("grade", "等级", form.grade)):
        if kind in kinds and c is not None:
            cells.append((what, c))
    return cells


@register
class FormulaOverwritten(Rule):
    code = "JX501"
    slug = "formula-overwritten"
    severity = WARNING
    title = "模板公式被覆盖"
    template = "{where}应为模板公式，现为手工填写的“{found}”"
    description = "本工具模板中应保留公式的单元格被填入了常量。"
    params = {"cells": Param(FORMULA_CELLS, "本工具模板中由公式计算的单元格", FORMULA_CELLS)}

    def applies(self, ctx: Context) -> bool:
        # Our template with formulas, whose formula cells could be mapped to sheets (not .xls),
        # checked under the pack that applies to this form (a --rules pack may turn it off).
        book = ctx.book
        return (bool(book.template) and template_mode(book.template) not in NO_FORMULA_MODES
                and bool(book.formula_cells) and ctx.pack.formula_expected)

    def check(self, ctx: Context) -> Iterator[Finding]:
        formulas = (ctx.book.formula_cells or {}).get(ctx.form.sheet, frozenset())
        for what, c in expected_formula_cells(ctx.form, self.param(ctx, "cells")):
            if not c.blank and c.address not in formulas:
                yield self.finding(c, where=what, found=c.value)


_MODE_ADVICE = {
    "udf": "可能是保存它的 Excel 没有装 jixiao 加载项，或表格在 WPS 中重新计算过。"
           "请在装好加载项的 Excel 中重新计算并保存，或改用 native 模式模板。",
    "lambda": "LAMBDA 公式只能在 Excel 365 或 Excel 2024 中计算，表格可能在 WPS、LibreOffice 或较早的 Excel "
              "中保存过。请在 Excel 365 中重新计算并保存，或改用 native 模式模板。",
}


@register
class TemplateModeUnsupported(Rule):
    code = "JX502"
    slug = "template-mode-unsupported"
    severity = WARNING
    title = "模板的公式在保存它的软件中无法计算"
    template = "本表是 {mode} 模式模板，公式单元格都显示错误值（如“{found}”）：{advice}"
    description = ("udf 模式模板需要装有 jixiao 加载项的 Excel，lambda 模式需要 Excel 365 或 Excel 2024；"
                   "在其他软件中保存后公式都显示错误值。")
    scope = BOOK

    def check_book(self, book: Workbook, contexts: list[Context], findings: list[Finding]) -> Iterator[Finding]:
        """Every formula cell of a udf/lambda template shows an error value and no typed input
        explains it, so the program that saved the file could not run them. One hint says why;
        the not-a-number findings still say where."""
        mode = template_mode(book.template)
        advice = _MODE_ADVICE.get(mode or "")
        overwritten = rule("formula-overwritten")
        cells = [c for ctx in contexts for _, c in expected_formula_cells(ctx.form, overwritten.param(ctx, "cells"))
                 if not c.blank]
        if advice is None or not cells or any(c.value not in ERROR_VALUES for c in cells):
            return
        formula_cells = {(sheet, ref) for sheet, refs in (book.formula_cells or {}).items() for ref in refs}
        formula_cells |= {(c.sheet, c.address) for c in cells}
        if any(f.severity == ERROR and f.cell and (f.sheet, f.cell) not in formula_cells for f in findings):
            return  # an input error (a zero budget, a word in a number cell) explains the error values
        yield self.finding(cells[0], mode=mode, found=cells[0].value, advice=advice)
