"""Validate one file: read it, choose the rule pack per form, run every check, give it a status.

Never raises for a bad file: anything unreadable becomes an ``unreadable-file`` finding.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ERROR_VALUES
from ..forms import FORM_IDS, FORM_TITLES, load_form
from ..reader.layout import read_workbook
from ..reader.model import Form, Workbook
from ..rulepacks import RulePack, load_pack
from ..security import UnsafeFile
from .checks import Context, run_checks
from .rules import ERROR, Finding, rule

NO_FORMULA_MODES = ("plain", "values", "static")


@dataclass
class FileResult:
    path: str  # as shown to people ("batch.zip!dept/a.xlsx")
    status: str  # ok | invalid | unreadable
    forms: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    source: str | None = None  # the file on disk that was read (for annotated copies)
    annotated: str | None = None  # relative path of the annotated copy, when one was written

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def to_dict(self) -> dict[str, Any]:
        d = {"path": self.path, "status": self.status, "forms": self.forms,
             "findings": [f.to_dict() for f in self.findings]}
        if self.annotated:
            d["annotated"] = self.annotated
        return d


def pack_for(form: Form, rules: str | os.PathLike[str] | RulePack | None) -> RulePack:
    """The run's pack (--rules) or the form's own (form spec ``pack:``).

    附表1 is a points sheet (100 points, no 执行率): it keeps its own pack unless the chosen
    pack also has no 执行率 weight.
    """
    if isinstance(rules, RulePack):
        return _pack_for(form.form_id, None, rules)
    return _pack_for(form.form_id, None if rules is None else str(rules), None)


@functools.lru_cache(maxsize=64)
def _pack_for(form_id: str, rules: str | None, given: RulePack | None) -> RulePack:
    own = load_form(form_id).get("pack")
    if rules is None and given is None:
        return load_pack(own)
    chosen = given or load_pack(rules)
    if form_id == "fubiao1" and chosen.rate_weight:
        return load_pack(own)
    return chosen


def _status(findings: list[Finding]) -> str:
    if any(f.rule == "unreadable-file" for f in findings):
        return "unreadable"
    return "invalid" if any(f.severity == ERROR for f in findings) else "ok"


def validate_file(path: str | os.PathLike[str], display: str | None = None,
                  rules: str | os.PathLike[str] | RulePack | None = None) -> FileResult:
    path = Path(path)
    shown = display or str(path)
    result = FileResult(shown, "ok", source=str(path))
    try:
        book = read_workbook(path)
    except UnsafeFile as exc:
        result.findings.append(rule("unreadable-file").finding(reason=exc.reason))
        result.status = "unreadable"
        return result
    except Exception as exc:  # a reader bug must not stop the batch: say so, per file
        result.findings.append(rule("unreadable-file").finding(
            reason=f"读取时出错（{type(exc).__name__}: {str(exc)[:200]}）"))
        result.status = "unreadable"
        return result
    for note in book.notes:
        result.findings.append(rule("formula-uncached").finding(reason=note))
    if not book.forms:
        result.findings.append(rule("form-not-found").finding(
            sheets="、".join(f"“{n}”" for n in book.sheets[:10]) + ("等" if len(book.sheets) > 10 else ""),
            forms="、".join(FORM_TITLES[f] for f in FORM_IDS)))
    for form in book.forms:
        pack = pack_for(form, rules)
        ctx = Context(form, pack, book)
        try:
            found = run_checks(ctx)
        except Exception as exc:  # never lose the other forms over one check's failure
            found = [rule("invalid-value").finding(
                sheet=form.sheet, address=form.header_cell, where="",
                reason=f"校验时出错（{type(exc).__name__}: {str(exc)[:200]}）")]
        result.findings.extend(found)
        summary = form.summary()
        summary["pack"] = pack.id
        summary["errors"] = sum(1 for f in found if f.severity == ERROR)
        result.forms.append(summary)
    if book.template:
        result.findings.extend(check_formulas(book))
        result.findings.extend(check_template_mode(book, result.findings))
    result.status = _status(result.findings)
    return result


def expected_formula_cells(form: Form) -> list[tuple[str, Any]]:
    """Cells our templates fill with formulas, found by the reader (not by coordinates)."""
    cells: list[tuple[str, Any]] = []
    if form.form_id != "fubiao1":
        for ind in form.scored():
            c = ind.get("score")
            if c is not None:
                cells.append((f"“{ind.label}”的得分", c))
    funds = form.funds.get("total_funds")
    if funds is not None:
        for k, what in (("rate", "执行率"), ("score", "执行率得分")):
            if k in funds.cells:
                cells.append((what, funds.cells[k]))
    for what, c in (("总分", form.total), ("等级", form.grade)):
        if c is not None:
            cells.append((what, c))
    return cells


def check_formulas(book: Workbook) -> list[Finding]:
    """formula-overwritten: a typed constant where our template put a formula."""
    if template_mode(book.template) in NO_FORMULA_MODES:
        return []
    if not book.formula_cells:
        return []  # .xls, or the formulas could not be mapped to sheets
    findings: list[Finding] = []
    for form in book.forms:
        if not load_pack_flag(form):
            continue
        formulas = book.formula_cells.get(form.sheet, frozenset())
        for what, c in expected_formula_cells(form):
            if c.blank or c.address in formulas:
                continue
            findings.append(rule("formula-overwritten").finding(c, where=f"{what}", found=c.value))
    return findings


def template_mode(marker: str | None) -> str | None:
    """The formula mode in a JX_TEMPLATE marker ("xiangmu:udf:0.1.0" → "udf")."""
    parts = (marker or "").split(":")
    return parts[1] if len(parts) > 1 else None


_MODE_ADVICE = {
    "udf": "可能是保存它的 Excel 没有装 jixiao 加载项，或表格在 WPS 中重新计算过。"
           "请在装好加载项的 Excel 中重新计算并保存，或改用 native 模式模板。",
    "lambda": "LAMBDA 公式只能在 Excel 365 或 Excel 2024 中计算，表格可能在 WPS、LibreOffice 或较早的 Excel "
              "中保存过。请在 Excel 365 中重新计算并保存，或改用 native 模式模板。",
}


def check_template_mode(book: Workbook, findings: list[Finding]) -> list[Finding]:
    """template-mode-unsupported: every formula cell of a udf/lambda template shows an error value
    and no typed input explains it, so the program that saved the file could not run them. One hint
    says why; the not-a-number findings still say where."""
    mode = template_mode(book.template)
    advice = _MODE_ADVICE.get(mode or "")
    cells = [c for form in book.forms for _, c in expected_formula_cells(form) if not c.blank]
    if advice is None or not cells or any(c.value not in ERROR_VALUES for c in cells):
        return []
    formula_cells = {(sheet, ref) for sheet, refs in (book.formula_cells or {}).items() for ref in refs}
    formula_cells |= {(c.sheet, c.address) for c in cells}
    if any(f.severity == ERROR and f.cell and (f.sheet, f.cell) not in formula_cells for f in findings):
        return []  # an input error (a zero budget, a word in a number cell) explains the error values
    return [rule("template-mode-unsupported").finding(
        cells[0], mode=mode, found=cells[0].value, advice=advice)]


def load_pack_flag(form: Form) -> bool:
    return _pack_for(form.form_id, None, None).formula_expected
