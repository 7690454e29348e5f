"""The 填报状态 line under a form: the first failing check's count in words, else the spec's ``final``.

Each check kind gives (Excel count, Python count, ranges it reads); the same line is written as a
formula and computed by Python for the cached values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ExcelError
from ..forms.spec import FormSpec
from .exprs import _is_number, _number
from .model import Expr, Status, cells_of, count_missing, count_required
from .values import concat_parts

Count = tuple[str, Callable[[Any], int | ExcelError], list[str]]


def status_line(spec: FormSpec, fields: dict[str, str], resolve: Callable[[str], Expr]) -> Status:
    """The status expression of ``spec`` over a laid-out sheet's named cells (``col:score`` …)."""
    rng = {k[4:]: v for k, v in fields.items() if k.startswith("col:")}
    deduction = spec.indicators.deduction
    checks, uses = [], []
    for check in spec.status.checks:
        excel, py, used = STATUS_CHECKS[check.kind](spec, fields, rng)
        after = check.after.format(points=f"{deduction.points:g}" if deduction else "")
        checks.append((excel, py, check.before, after if check.count else None))
        uses += [u for u in used if u not in uses]
    final = concat_parts(spec.status.final, resolve) if spec.status.final else []
    return Status(checks, final, uses=uses)


def _empty(spec: FormSpec, fields: dict[str, str], rng: dict[str, str]) -> Count:
    """1 while no indicator row has its 三级指标 (name) typed."""
    names = rng["level3"]
    return (f"(COUNTA({names})=0)*1", lambda env: int(all(env(c) in (None, "") for c in cells_of(names))),
            [names])


def _blank(spec: FormSpec, fields: dict[str, str], rng: dict[str, str]) -> Count:
    s = rng["score"]
    return f'SUMPRODUCT(({s}="")*1)', lambda env: sum(1 for c in cells_of(s) if env(c) in (None, "")), [s]


def _over(spec: FormSpec, fields: dict[str, str], rng: dict[str, str]) -> Count:
    s, p = rng["score"], rng["points"]

    def py(env: Any) -> int | ExcelError:
        n = 0
        for a, b in zip(cells_of(s), cells_of(p), strict=True):
            score, points = env(a), _number(env(b))
            # As SUMPRODUCT does: text typed over a 分值 (or an error in either cell) makes the
            # comparison, and so the count, an error value; a blank 分值 counts as 0.
            if isinstance(score, ExcelError) or isinstance(points, ExcelError):
                return score if isinstance(score, ExcelError) else points
            n += _is_number(score) and score > (points or 0) + 0.005
        return n

    return f"SUMPRODUCT(ISNUMBER({s})*({s}>{p}+0.005))", py, [s, p]


def _deduction(spec: FormSpec, fields: dict[str, str], rng: dict[str, str]) -> Count:
    cell, most = fields["deduction"], spec.indicators.deduction.points  # type: ignore[union-attr]

    def py(env: Any) -> int | ExcelError:
        v = env(cell)
        if isinstance(v, ExcelError) or _is_number(v):
            return v if isinstance(v, ExcelError) else int(v > most)
        return int(v not in (None, ""))  # Excel ranks any text (and TRUE/FALSE) above every number

    return f"({cell}>{most:g})*1", py, [cell]


def _missing(spec: FormSpec, fields: dict[str, str], rng: dict[str, str]) -> Count:
    """Rows with a 三级指标 and an empty required cell, and the scored funds row's 预算数/执行数."""
    pairs = [(rng["level3"], rng[c.key]) for c in spec.indicators.columns if c.required]
    rows_x, rows_py = count_missing(pairs)
    scored = next((r.key for r in spec.funds.rows if r.scored), None) if spec.funds else None
    funds = [fields[f"{scored}:{k}"] for k in ("budget", "spent")] if scored else []
    funds_x, funds_py = count_required(funds)
    return f"{funds_x}+{rows_x}", lambda env: funds_py(env) + rows_py(env), [p[1] for p in pairs] + funds


def _reason(spec: FormSpec, fields: dict[str, str], rng: dict[str, str]) -> Count:
    s, p, t = rng["score"], rng["points"], rng["reason"]

    def py(env: Any) -> int | ExcelError:
        n = 0
        for sc, pc, tc in zip(cells_of(s), cells_of(p), cells_of(t), strict=True):
            sv, pv, tv = env(sc), _number(env(pc)), env(tc)
            # As in _over: an error anywhere, or text typed over a 分值 (p-0.005), makes it an error.
            for v in (sv, pv, tv):
                if isinstance(v, ExcelError):
                    return v
            n += _is_number(sv) and sv < (pv or 0) - 0.005 and tv in (None, "")
        return n

    return f'SUMPRODUCT(ISNUMBER({s})*({s}<{p}-0.005)*({t}=""))', py, []


STATUS_CHECKS: dict[str, Callable[[FormSpec, dict[str, str], dict[str, str]], Count]] = {
    "empty": _empty, "blank": _blank, "over": _over, "deduction": _deduction, "missing": _missing, "reason": _reason}
