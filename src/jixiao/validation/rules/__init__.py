"""The validation rules: one small class per rule, one module per family, one registry.

======  =========================  ==========================================
module  rules                      what they check
======  =========================  ==========================================
file    JX001–JX004                the file as a whole (raised while reading)
table   JX005, JX203               subtotal rows, hidden rows/columns
values  JX101–JX103                single values: filled, numbers, scorable
weights JX201–JX202, JX204        分值 totals, parents = Σ children, 不适用 points
scores  JX301–JX302                indicator scores
totals  JX305–JX306                总分 and 等级
computed JX307                     columns a form's spec computes (得分率, 完成质量)
funds   JX303–JX304, JX402–JX403   执行率, its score, 执行数, 其中 rows
reasons JX401                      偏差原因
template JX501–JX502               workbooks made from jixiao's templates
report  JX601–JX607                a 自评报告's prose (raised by jixiao.reports)
internal JX900                     a check that crashed (jixiao's fault)
======  =========================  ==========================================

Every rule holds its code, slug, severity, Chinese title and message template, the findings it
may emit, where it applies (from the form's properties: :mod:`..form_checks`, never its id) and
its check. :mod:`.runner` runs each check in its own guard.
"""

from __future__ import annotations

from . import (  # noqa: F401  (register)
    computed,
    file,
    funds,
    internal,
    reasons,
    report,
    scores,
    table,
    template,
    totals,
    values,
    weights,
)
from .base import (
    BOOK,
    BY_CODE,
    ERROR,
    FORM,
    READER,
    RULES,
    SEVERITY_NAMES,
    WARNING,
    Finding,
    Rule,
    catalogue,
    catalogue_markdown,
    register,
    rule,
    unregister,
)
from .context import Context, effective_nature
from .runner import internal_error, run_book, run_form

__all__ = ["BOOK", "BY_CODE", "ERROR", "FORM", "READER", "RULES", "SEVERITY_NAMES", "WARNING", "Context", "Finding",
           "Rule", "catalogue", "catalogue_markdown", "effective_nature", "internal_error", "register", "rule",
           "run_book", "run_form", "unregister"]
