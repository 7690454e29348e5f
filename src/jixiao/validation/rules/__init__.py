"""The validation rules: one small class per rule, one module per family, one registry.

======  =========================  ==========================================
module  rules                      what they check
======  =========================  ==========================================
file    JX001–JX004                the file as a whole (raised while reading)
values  JX101–JX103                single values: filled, numbers, scorable
weights JX201–JX202                分值 totals and parents = Σ children
scores  JX301–JX302                indicator scores
totals  JX305–JX306                总分 and 等级
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

from . import file, funds, internal, reasons, report, scores, template, totals, values, weights  # noqa: F401  (register)
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
