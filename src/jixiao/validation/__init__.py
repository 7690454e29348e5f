"""Batch validation of submitted 绩效自评 workbooks.

>>> report = validate(["收到的自评表/"], jobs=2)      # doctest: +SKIP
>>> report.to_frame()                                  # doctest: +SKIP   one row per finding
>>> print(report.to_json())                            # doctest: +SKIP

Each rule is one small object (:mod:`.rules`, a module per family): code, slug, severity,
Chinese message template, where it applies and its check, which computes every expected number
with :mod:`jixiao.core.scoring`. How the rules apply to a form is read from the ``checks:``
section of its spec (:mod:`.form_checks`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..rulepacks import RulePack
from .batch import validate_paths
from .engine import FileResult, validate_file
from .form_checks import FormChecks
from .report import Report
from .rules import RULES, Finding, Rule, catalogue, rule


def validate(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
             rules: str | os.PathLike[str] | RulePack | None = None, jobs: int = 1,
             out_dir: str | os.PathLike[str] | None = None) -> Report:
    """Validate files, folders (recursive) and .zip archives; returns a :class:`Report`.

    ``rules``: a rule-pack name or path (default: each form's own pack); ``jobs``: processes;
    ``out_dir``: also write annotated copies of invalid files and ``校验汇总.xlsx`` there (replacing
    the previous run's outputs as a whole).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return validate_paths(paths, rules=rules, jobs=jobs, out_dir=out_dir)


__all__ = ["validate", "validate_file", "validate_paths", "Report", "FileResult", "Finding",
           "Rule", "RULES", "catalogue", "rule", "FormChecks"]
