"""Checks across a form spec's parts that its types alone cannot express."""

from __future__ import annotations

from pathlib import Path

from .formula import FormulaError, check_calls, names, parse
from .spec import FormSpec, FormSpecError

ROW_KEYS = ("level1", "level2", "level3")
FUNDS_INPUTS = ("initial_budget", "budget", "spent")
FUNDS_COMPUTED = ("points", "rate", "score")
STATUS_KINDS = ("empty", "blank", "over", "missing", "reason", "deduction")
COLUMN_KINDS = ("text", "quantity", "number", "nature")


def named_cells(spec: FormSpec) -> set[str]:
    """The names a spec formula may use: fields, funds cells, goal parts, computed cells, ranges."""
    out = {"pack", "expected_points"}
    if spec.indicators.deduction is not None:
        out.add("deduction")
    out |= {f.key for block in (spec.header, spec.overview) for f in block.fields}
    if spec.funds is not None:
        out |= {f"{r.key}.{c.key}" for r in spec.funds.rows for c in spec.funds.columns}
        out |= {f"funds.{c.key}" for c in spec.funds.columns}  # the scored row
    if spec.goal is not None:
        out |= {p.cell for p in spec.goal.parts}
    out |= {c.name for c in spec.computed}
    if spec.indicators.sections:
        out.add("scores")
    out |= {f"col.{c.key}" for c in spec.indicators.columns}  # every indicator row's cell of a column
    for section in spec.indicators.sections:
        out.add(f"subtotal.{section.name}")
        out |= {f"subtotal.{g.name}" for g in section.groups}
    return out


def check_spec(spec: FormSpec, path: Path | str) -> None:
    def fail(key: str, problem: str) -> FormSpecError:
        return FormSpecError(f"{path}: {key}: {problem}")

    table = spec.indicators
    keys = [c.key for c in table.columns]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise fail(f"indicators.columns[{i}].key", f"“{key}” 重复 (duplicate column)")
    if table.points_unit not in ("points", "percent"):
        raise fail("indicators.points_unit", f"“{table.points_unit}” 应为 points 或 percent")
    if table.categories and table.sections:
        raise fail("indicators", "categories 与 sections 只能选一种 (an open or a fixed tree, not both)")
    for i, section in enumerate(table.sections):
        parts = [g.points for g in section.groups] + [it.points for it in section.items]
        if parts and abs(sum(parts) - section.points) > 1e-9:
            raise fail(f"indicators.sections[{i}].points", f"{section.points:g} ≠ 下级合计 {sum(parts):g}")
        for j, group in enumerate(section.groups):
            total = sum(it.points for it in group.items)
            if group.items and abs(total - group.points) > 1e-9:
                raise fail(f"indicators.sections[{i}].groups[{j}].points", f"{group.points:g} ≠ 下级合计 {total:g}")
    if spec.funds is not None:
        scored = [r.key for r in spec.funds.rows if r.scored]
        if len(scored) > 1:
            raise fail("funds.rows", "至多一行 scored: true (one scored row at most)")
        for i, col in enumerate(spec.funds.columns):
            if col.key not in FUNDS_INPUTS + FUNDS_COMPUTED:
                raise fail(f"funds.columns[{i}].key", f"“{col.key}” 应为 {'/'.join(FUNDS_INPUTS + FUNDS_COMPUTED)}")
    known = named_cells(spec)
    for i, col in enumerate(table.columns):
        where = f"indicators.columns[{i}]"
        if col.input and col.formula:
            raise fail(f"{where}.formula", "输入列不能有公式 (an input column has no formula)")
        if not col.input and not col.formula:
            raise fail(f"{where}.formula", "计算列需要公式 (a computed column needs a formula)")
        for n in col.needs:
            if n not in keys:
                raise fail(f"{where}.needs", f"“{n}” 不是本表的列 (not a column)")
        if col.formula:
            _check_formula(col.formula, known | set(keys), f"{where}.formula", fail)
    for i, comp in enumerate(spec.computed):
        where = f"computed[{i}]"
        _check_formula(comp.formula, known, f"{where}.formula", fail)
        for j, need in enumerate(comp.needs):
            _check_formula(need, known, f"{where}.needs[{j}]", fail)
        for key in ([comp.at] if comp.at else []) + list(comp.notes):
            if key not in keys:
                raise fail(f"{where}.at" if key == comp.at else f"{where}.notes.{key}",
                           f"“{key}” 不是本表的列 (not a column); 可用: {', '.join(keys)}")
        if comp.same_row and (i == 0 or not comp.at):
            raise fail(f"{where}.same_row", "同行的单元格须跟在另一单元格后并给出 at (needs a cell before it and at)")
    if spec.status.final:
        _check_formula(spec.status.final, known, "status.final", fail)
    for i, check in enumerate(spec.status.checks):
        if check.kind not in STATUS_KINDS:
            raise fail(f"status.checks[{i}].kind", f"“{check.kind}” 应为 {'/'.join(STATUS_KINDS)}")
    for i, col in enumerate(table.columns):
        if col.kind not in COLUMN_KINDS:
            raise fail(f"indicators.columns[{i}].kind", f"“{col.kind}” 应为 {'/'.join(COLUMN_KINDS)}")
    from ..validation.form_checks import FormChecks, FormChecksError

    try:  # which rules apply, with which parameters: checked against the rule catalogue
        FormChecks.from_spec(spec.checks or None, str(path))
    except FormChecksError as exc:
        raise FormSpecError(str(exc)) from None


def _check_formula(text: str, known: set[str], key: str, fail: object) -> None:
    try:
        node = parse(text)
        check_calls(node)
    except FormulaError as exc:
        raise fail(key, str(exc)) from None  # type: ignore[operator]
    for n in names(node):
        if n not in known:
            raise fail(key, f"未知名称“{n}” (unknown name); 可用: {', '.join(sorted(known))}")  # type: ignore[operator]
