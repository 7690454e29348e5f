"""What every rule is made of: the :class:`Rule` base class, the :class:`Finding` record, the registry.

A rule is one small class, registered with :func:`register`, holding in one place its stable
code (``JX302``), slug (``score-mismatch``), severity, Chinese title, message template with named
placeholders, description, the other findings its check may yield (``emits``), the forms it
applies to (:meth:`Rule.applies`, from the form's properties — never its id) and its check.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ...reader.model import Cell
from ..form_checks import Param

if TYPE_CHECKING:
    from ...reader.model import Workbook
    from .context import Context

ERROR = "error"
WARNING = "warning"

# Where a rule's findings come from.
FORM = "form"      # check(ctx) runs once per form found in a workbook
BOOK = "book"      # check_book(book, contexts, findings) runs once per workbook, after the forms
READER = "reader"  # no check of its own: raised while reading or batching a file (JX001…JX004)


def _fmt(value: Any) -> Any:
    """Numbers as people read them (25.0 → 25, 0.98734 stays), anything else as text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return round(value, 6)
    if isinstance(value, int):
        return value
    return str(value)


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    severity: str
    sheet: str | None
    cell: str | None
    message: str
    expected: Any = None
    found: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


class Rule:
    """Base class of every validation rule; subclasses set the class attributes and ``check``."""

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[str]
    title: ClassVar[str]
    template: ClassVar[str]  # str.format placeholders: {where}, {expected}, {found}, …
    description: ClassVar[str] = ""
    # Slugs of the shared value rules (not-a-number, invalid-value) this rule's check may also
    # yield; the runner reports any other finding from it as jixiao's own error.
    emits: ClassVar[tuple[str, ...]] = ()
    scope: ClassVar[str] = FORM
    # What a form spec's ``checks:`` may set for this rule (``checks: {<slug>: {<name>: value}}``).
    params: ClassVar[dict[str, Param]] = {}

    @property
    def findings(self) -> tuple[str, ...]:
        """The slugs of every finding this rule's check can yield."""
        return (self.slug, *self.emits)

    def param(self, ctx: Context, name: str) -> Any:
        """This rule's parameter ``name`` for the form in ``ctx`` (its spec's ``checks:``, else the default)."""
        return ctx.spec.param(self, name)

    def applies(self, ctx: Context) -> bool:
        """Whether the check runs on this form (decided from the form's properties and the pack)."""
        return True

    def check(self, ctx: Context) -> Iterator[Finding]:
        """Findings for one form (scope FORM)."""
        return iter(())

    def check_book(self, book: Workbook, contexts: list[Context], findings: list[Finding]) -> Iterator[Finding]:
        """Findings for a whole workbook, given the forms' contexts and their findings (scope BOOK)."""
        return iter(())

    def finding(self, cell: Cell | None = None, *, sheet: str | None = None,
                address: str | None = None, expected: Any = None, found: Any = None,
                **params: Any) -> Finding:
        if cell is not None:
            sheet, address = cell.sheet, cell.address
        values = _Defaults(params)
        values.setdefault("expected", _fmt(expected) if expected is not None else "")
        values.setdefault("found", _fmt(found) if found is not None else "（空）")
        values.setdefault("cell", f"{sheet}!{address}" if sheet and address else "")
        message = self.template.format_map(values)
        if sheet and address:
            message = f"{sheet}!{address}：{message}"
        return Finding(self.code, self.slug, self.severity, sheet, address, message,
                       _fmt(expected), _fmt(found))

    def __repr__(self) -> str:
        return f"<Rule {self.code} {self.slug}>"


_REGISTRY: dict[str, Rule] = {}  # slug → rule, in registration order
BY_CODE: dict[str, Rule] = {}
ORDERED: list[Rule] = []  # catalogue(), kept sorted as rules come and go (it is read per form)


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add one rule to the catalogue (codes and slugs are unique)."""
    rule_ = cls()
    for key, table in ((rule_.slug, _REGISTRY), (rule_.code, BY_CODE)):
        if key in table:
            raise ValueError(f"rule {key} registered twice ({table[key]!r}, {rule_!r})")
    if rule_.severity not in (ERROR, WARNING):
        raise ValueError(f"{rule_!r}: severity must be {ERROR!r} or {WARNING!r}")
    _REGISTRY[rule_.slug] = rule_
    BY_CODE[rule_.code] = rule_
    _reorder()
    return cls


def unregister(key: str) -> None:
    """Remove a rule by slug or code (for tests and plug-ins that replace a rule)."""
    rule_ = _REGISTRY.get(key) or BY_CODE.get(key)
    if rule_ is not None:
        del _REGISTRY[rule_.slug], BY_CODE[rule_.code]
        _reorder()


def _reorder() -> None:
    ORDERED[:] = sorted(_REGISTRY.values(), key=lambda r: r.code)


def rule(key: str) -> Rule:
    """A rule by slug (``score-mismatch``) or code (``JX302``)."""
    return _REGISTRY.get(key) or BY_CODE[key]


def catalogue() -> list[Rule]:
    """Every rule, ordered by code (the order checks run and the docs list them)."""
    return list(ORDERED)


RULES = _REGISTRY  # slug → rule (the public name since the first release)


SEVERITY_NAMES = {ERROR: "错误", WARNING: "提示"}


def catalogue_markdown() -> str:
    """The rule table of docs/guide.md (``jixiao rules --markdown``), from the registry."""
    lines = ["| 代码 | 级别 | slug | 问题 | 说明 |", "| --- | --- | --- | --- | --- |"]
    for r in catalogue():
        cells = (r.code, SEVERITY_NAMES[r.severity], f"`{r.slug}`", r.title, r.description)
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
