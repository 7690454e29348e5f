"""Run the registered rules, each in its own guard.

A check that raises, or yields a finding it does not declare, is jixiao's fault: it becomes one
``internal-error`` (JX900) finding naming the rule and the exception type, never a value blamed
on the submitter; what the check found before it failed stands, and every other check runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ...reader.model import Workbook
from .base import BOOK, FORM, ORDERED, Finding, Rule, rule
from .context import Context


class UndeclaredFinding(RuntimeError):
    """A check yielded a finding of a rule it does not list in ``emits``."""


def _guarded(r: Rule, produce: Callable[[], Iterable[Finding]], sheet: str | None, where: str,
             found: list[Finding]) -> None:
    """Append to ``found`` what ``produce()`` yields, or after it, the crash as JX900."""
    try:
        for f in produce():
            if f.rule not in r.findings:
                raise UndeclaredFinding(f"{r.code} yielded {f.code} {f.rule}, which it does not declare")
            found.append(f)
    except Exception as exc:  # noqa: BLE001 - any crash inside a check is reported, never raised
        found.append(internal_error(exc, f"检查 {r.code}（{r.slug}）在{where}", "该项检查未能完成，其他检查的结果不受影响。",
                                    sheet=sheet))


def internal_error(exc: BaseException, what: str, effect: str, sheet: str | None = None) -> Finding:
    """The JX900 finding for a crash inside jixiao: ``what`` failed (Chinese, "检查 JX302 …"),
    ``effect`` says what is missing because of it."""
    text = str(exc).replace("\n", " ")[:200]
    return rule("internal-error").finding(
        sheet=sheet, what=what, effect=effect,
        error=f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def _dedup(findings: Iterable[Finding]) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for f in findings:
        key = (f.code, f.sheet, f.cell)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def run_form(ctx: Context, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Findings of every form-level rule that applies to ``ctx``'s form (one per rule, code and cell)."""
    where = f"工作表“{ctx.form.sheet}”上"
    found: list[Finding] = []
    for r in ORDERED if rules is None else rules:
        if r.scope == FORM and ctx.spec.runs(r.slug):
            _guarded(r, lambda r=r: r.check(ctx) if r.applies(ctx) else (), ctx.form.sheet, where, found)
    return _dedup(found)


def run_book(book: Workbook, contexts: list[Context], findings: list[Finding],
             rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Findings of the workbook-level rules, given the forms' contexts and the findings so far."""
    found: list[Finding] = []
    for r in ORDERED if rules is None else rules:
        if r.scope != BOOK or any(not ctx.spec.runs(r.slug) for ctx in contexts):
            continue
        _guarded(r, lambda r=r: r.check_book(book, contexts, [*findings, *found]), None, "本工作簿上", found)
    return _dedup(found)
