"""Validate one file: read it, choose the rule pack per form, run every rule, give it a status.

Never raises for a bad file: anything unreadable becomes an ``unreadable-file`` finding, and a
crash inside jixiao an ``internal-error`` one.
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RulePackError
from ..forms import FormSpec, all_forms, labels, load_form
from ..reader.layout import read_workbook
from ..reader.model import Form, Workbook
from ..rulepacks import RulePack, load_pack
from ..security import UnsafeFile
from .form_checks import FormChecksError, form_checks
from .rules import ERROR, Context, Finding, internal_error, rule, run_book, run_form


@dataclass
class FileResult:
    path: str  # as shown to people ("batch.zip!dept/a.xlsx")
    status: str  # ok | invalid | unreadable
    forms: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    source: str | None = None  # the file on disk that was read (for annotated copies)
    annotated: str | None = None  # relative path of the annotated copy, when one was written
    facts: Any = None  # reports.facts.Facts of a workbook's forms (a report beside it is held against them)
    report: Any = None  # reports.validate.ReportState of a 自评报告 (its claims, for pairing)
    paired: str | None = None  # the workbook a report was held against

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def to_dict(self) -> dict[str, Any]:
        d = {"path": self.path, "status": self.status, "forms": self.forms,
             "findings": [f.to_dict() for f in self.findings]}
        if self.annotated:
            d["annotated"] = self.annotated
        if self.paired:
            d["paired"] = self.paired
        return d


def pack_for(form: Form, rules: str | os.PathLike[str] | RulePack | None) -> RulePack:
    """The pack that applies to a form: the run's (--rules) or, without one, the form's own
    (its spec's ``pack:``).

    A form whose own pack gives 执行率 no points (a points sheet such as 附表1: 100 points in the
    table) keeps that pack when the run's pack gives 执行率 a weight: the run's weights do not fit it.
    """
    return _pack_of(form.form_id, rules)


def _pack_of(form_id: str, rules: str | os.PathLike[str] | RulePack | None) -> RulePack:
    if isinstance(rules, RulePack):
        return _pack_for(form_id, None, rules)
    return _pack_for(form_id, None if rules is None else str(rules), None)


@functools.lru_cache(maxsize=64)
def _pack_for(form_id: str, rules: str | None, given: RulePack | None) -> RulePack:
    own = load_pack(load_form(form_id).pack)
    if rules is None and given is None:
        return own
    chosen = given or load_pack(rules)
    if chosen.rate_weight and not own.rate_weight:
        return own
    return chosen


def prepare(rules: str | os.PathLike[str] | RulePack | None = None) -> None:
    """Load what checking any form needs: every form spec and its label vocabulary, the pack
    each form is checked under, its ``checks:``, the expression code of computed columns. A
    batch calls this before forking its workers, which then start with it instead of each
    parsing the same YAML again (about 0.1 s a worker). Best effort: a spec or pack that fails
    to load fails where it is used, file by file, as it would without this."""
    specs: list[FormSpec] = []
    with contextlib.suppress(Exception):
        import jixiao.templates.exprs  # noqa: F401  (computed-mismatch evaluates with them)
        import jixiao.templates.values  # noqa: F401

        labels()
        specs = all_forms()
    for spec in specs:
        with contextlib.suppress(Exception):
            form_checks(spec.id)
            _pack_of(spec.id, rules)


def _status(findings: list[Finding]) -> str:
    if any(f.rule == "unreadable-file" for f in findings):
        return "unreadable"
    return "invalid" if any(f.severity == ERROR for f in findings) else "ok"


def read_failed(result: FileResult, exc: Exception) -> FileResult:
    """The file could not be read. Refused (UnsafeFile) or gone from disk (OSError): one
    unreadable-file finding; anything else opened the file, so it is jixiao's bug, said per file."""
    if isinstance(exc, UnsafeFile):
        result.findings.append(rule("unreadable-file").finding(reason=exc.reason))
    elif isinstance(exc, OSError):
        result.findings.append(rule("unreadable-file").finding(
            reason=f"读取时出错（{type(exc).__name__}: {str(exc)[:200]}）"))
    else:
        result.findings.append(internal_error(exc, "读取本文件时", "本文件未能校验。"))
    result.status = _status(result.findings)
    return result


def validate_file(path: str | os.PathLike[str], display: str | None = None,
                  rules: str | os.PathLike[str] | RulePack | None = None, facts: bool = False) -> FileResult:
    """Read and check one workbook. ``facts=True`` also works out ``FileResult.facts``, what a
    自评报告 is held against (a batch asks for them only when it holds a report: they cost about
    a tenth of the validation and no finding of the workbook depends on them)."""
    path = Path(path)
    shown = display or str(path)
    result = FileResult(shown, "ok", source=str(path))
    try:
        book = read_workbook(path)
    except Exception as exc:  # refused, gone, or a reader bug: never stop the batch, say so per file
        return read_failed(result, exc)
    for note in book.notes:
        result.findings.append(rule("formula-uncached").finding(reason=note))
    if not book.forms:
        result.findings.append(rule("form-not-found").finding(
            sheets="、".join(f"“{n}”" for n in book.sheets[:10]) + ("等" if len(book.sheets) > 10 else ""),
            forms="、".join(spec.display_name for spec in all_forms())))
    found, result.forms = check_forms(book, rules, result.findings)
    result.findings.extend(found)
    if facts and book.forms:
        from ..reports.facts import workbook_facts

        result.facts = workbook_facts(book, shown)
    result.status = _status(result.findings)
    return result


def check_forms(book: Workbook, rules: str | os.PathLike[str] | RulePack | None,
                prior: list[Finding] | None = None) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Every rule on every form of a workbook (or of a report's tables), then the workbook-wide
    rules: the findings and one summary per form. ``prior``: findings the file already has."""
    findings: list[Finding] = []
    summaries: list[dict[str, Any]] = []
    contexts: list[Context] = []
    for form in book.forms:
        summary = form.summary()
        try:
            ctx = Context(form, pack_for(form, rules), book, form_checks(form.form_id))
        except (RulePackError, FormChecksError):
            raise  # a broken pack or form spec is the configuration's error, said loudly, not per file
        except Exception as exc:  # jixiao's side, not the file's
            found = [internal_error(exc, f"为工作表“{form.sheet}”准备校验时", "该表未能校验。", sheet=form.sheet)]
            summary["pack"] = None
        else:
            contexts.append(ctx)
            found = run_form(ctx)
            summary["pack"] = ctx.pack.id
        findings.extend(found)
        summary["errors"] = sum(1 for f in found if f.severity == ERROR)
        summaries.append(summary)
    findings.extend(run_book(book, contexts, [*(prior or []), *findings]))
    return findings, summaries
