"""The checks: each yields findings of one catalogue rule for one form.

Every expected number comes from :mod:`jixiao.core.scoring`; nothing is re-implemented here.
A check compares typed values with the rule's value for that one cell, so changing one number
fires one rule on that cell (totals are checked against the typed components).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..core import scoring
from ..core.parsing import (
    Nature,
    Quantity,
    harmonize,
    infer_nature,
    normalize_text,
    parse_nature,
    split_comparison,
)
from ..errors import JXError
from ..reader.model import Cell, Form, Indicator, Workbook
from ..rulepacks import RulePack
from .rules import Finding, rule

FIELD_NAMES = {
    "target": "指标值", "actual": "实际完成值", "points": "分值", "score": "得分",
    "nature": "指标性质", "reason": "偏差原因", "budget": "全年预算数", "spent": "全年执行数",
    "initial_budget": "年初预算数", "rate": "执行率", "total": "总分", "grade": "等级",
}
_POSITIVE_WORDS = re.compile("不低于|不少于|不小于|≥|>=|以上")
_REVERSE_WORDS = re.compile("不超过|不高于|不大于|不多于|控制在|低于|以内|以下|≤|<=")


@dataclass
class Context:
    form: Form
    pack: RulePack
    book: Workbook
    bad: set[tuple[str, int, int]] = field(default_factory=set)  # cells already reported
    # Memo by object identity: the form holds its indicators for the context's life.
    _natures: dict[int, Nature | JXError] = field(default_factory=dict)

    def where(self, ind: Indicator) -> str:
        return f"“{ind.label}”的"

    def quantity(self, cell: Cell | None) -> Quantity | None:
        """A cell's parsed quantity; None when blank or unreadable (reported by check_values)."""
        return None if cell is None else cell.try_quantity()

    def nature(self, ind: Indicator) -> Nature:
        """:func:`effective_nature`, worked out once per indicator (raises JXError likewise)."""
        key = id(ind)
        if key not in self._natures:
            try:
                self._natures[key] = effective_nature(ind, self.pack)
            except JXError as exc:
                self._natures[key] = exc
        found = self._natures[key]
        if isinstance(found, JXError):
            raise found
        return found

    def number(self, cell: Cell | None) -> float | None:
        q = self.quantity(cell)
        return None if q is None else q.value

    def points(self, cell: Cell | None) -> float | None:
        """分值/权重 in points: "5%" → 5, 0.05 in a fraction-weighted table → 5."""
        q = self.quantity(cell)
        if q is None:
            return None
        if q.percent or self.form.fraction_weights:
            return q.value * 100.0
        return q.value


    def rate_points(self, cell: Cell | None) -> float | None:
        """执行率分值 in points: 10, "10%" → 10, and 0.1 where the table keeps weights as fractions."""
        q = self.quantity(cell)
        if q is None:
            return None
        if q.percent or (self.form.fraction_weights and q.value <= 1):
            return q.value * 100.0
        return q.value


Check = Callable[[Context], Iterator[Finding]]
CHECKS: list[tuple[str, Check]] = []


def check(slug: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS.append((slug, fn))
        return fn
    return register


def nature_word(value: object, pack: RulePack | None) -> Nature:
    """A 指标性质 cell: the core's words (≥, 不低于, 正向 …), then the pack's ``words.natures``."""
    try:
        n = parse_nature(value)
    except JXError:
        norm = normalize_text(value)
        for word, kind in pack.natures if pack is not None else ():
            if normalize_text(word) == norm:
                return Nature(kind)
        raise
    assert n is not None
    return n


def effective_nature(ind: Indicator, pack: RulePack | None = None) -> Nature:
    """指标性质 from its column, else the target's text, else the indicator's name
    ("不超过年度预算" is 反向), else 成本指标 → 反向, else the target (bare → 正向)."""
    c = ind.get("nature")
    if c is not None and not c.blank:
        return nature_word(c.value, pack)
    target = ind.get("target")
    tval = None if target is None else target.value
    kind = infer_nature(tval)  # the core decides: "达到预期" is 定性, "≥95%" 正向, "不超过…" 反向
    if kind is not Nature.POSITIVE or not isinstance(tval, (str, int, float)):
        return kind
    nat, rest = split_comparison(normalize_text(tval))
    if nat is not None or rest.endswith("以上"):
        return kind  # an explicit comparison beats any guess from the name
    name = normalize_text(ind.label)
    if _POSITIVE_WORDS.search(name):
        return Nature.POSITIVE
    if _REVERSE_WORDS.search(name) or "成本" in normalize_text(ind.level2):
        return Nature.REVERSE
    return kind


def _required(form: Form) -> tuple[str, ...]:
    if form.form_id == "fubiao1":
        return ("points", "score")
    return ("target", "actual", "points", "score")


# ---------------------------------------------------------------- values
@check("missing-value")
def check_values(ctx: Context) -> Iterator[Finding]:
    """Required cells filled; numbers where numbers belong (also emits not-a-number)."""
    form = ctx.form
    nan = rule("not-a-number")
    missing = rule("missing-value")
    for ind in form.indicators:
        if ind.not_applicable:
            continue  # 不适用: nothing is missing (check_weights says whether its points moved)
        if ind.deduction:
            c = ind.get("score")
            if c is not None and not c.blank and ctx.number(c) is None:
                yield nan.finding(c, where=ctx.where(ind), field="扣分", found=c.value)
            continue
        for key in _required(form):
            c = ind.get(key)
            if c is None:
                continue
            if c.blank:
                yield missing.finding(c, where=ctx.where(ind), field=FIELD_NAMES[key])
                ctx.bad.add((c.sheet, c.row, c.col))
            elif key in ("points", "score") and ctx.number(c) is None:
                yield nan.finding(c, where=ctx.where(ind), field=FIELD_NAMES[key], found=c.value)
                ctx.bad.add((c.sheet, c.row, c.col))
    for key, row in form.funds.items():
        for k, c in row.cells.items():
            if k in ("points", "score") and key != "total_funds":
                continue  # "—" under 分值/得分 for the 其中 rows
            required = key == "total_funds" and k in ("budget", "spent") and (
                k == "budget" or "spent" in row.cells)
            if c.blank:
                if required:
                    yield missing.finding(c, where=f"“{row.label.text.strip('：:')}”的", field=FIELD_NAMES[k])
                    ctx.bad.add((c.sheet, c.row, c.col))
            elif ctx.number(c) is None:
                yield nan.finding(c, where=f"“{row.label.text.strip('：:')}”的", field=FIELD_NAMES[k], found=c.value)
                ctx.bad.add((c.sheet, c.row, c.col))
    c = form.total
    if c is not None and c.blank and "score" in form.columns:
        yield missing.finding(c, where="", field="总分")
    elif c is not None and not c.blank and ctx.number(c) is None:
        yield nan.finding(c, where="", field="总分", found=c.value)


# ---------------------------------------------------------------- weights
@check("weight-sum")
def check_weights(ctx: Context) -> Iterator[Finding]:
    form, pack = ctx.form, ctx.pack
    weights = [ctx.points(i.get("points")) for i in form.scored()]
    if not weights or any(w is None for w in weights) or "points" not in form.columns:
        return
    expected = pack.indicator_weight
    total = scoring.round_half_up(sum(w for w in weights if w is not None), 4)
    na_points = [(i, ctx.points(i.get("points"))) for i in form.not_applicable()]
    na_points = [(i, p) for i, p in na_points if p]
    na_total = sum(p for _, p in na_points if p is not None)
    if na_points and abs(total - expected) > scoring.weight_tolerance(expected) and abs(
            total + na_total - expected) <= scoring.weight_tolerance(expected):
        yield rule("not-applicable-not-redistributed").finding(
            na_points[0][0].get("points"), names="、".join(f"“{i.label}”" for i, _ in na_points),
            na_points=f"{na_total:g}", expected=f"{expected:g}", found=f"{total:g}")
    elif abs(total - expected) > scoring.weight_tolerance(expected):
        percent = form.fraction_weights or any(
            "%" in normalize_text(i.get("points").value) for i in form.scored() if i.get("points") is not None)
        unit = "%" if percent else ""
        anchor = form.total_points or Cell(form.sheet, form.header_row, form.columns["points"], None)
        yield rule("weight-sum").finding(
            anchor, what="绩效指标分值（权重）", pack=pack.id,
            expected=f"{expected:g}{unit}", found=f"{total:g}{unit}")
    funds = form.funds.get("total_funds")
    if funds is not None and "points" in funds.cells and pack.rate_weight:
        c = funds.cells["points"]
        v = ctx.rate_points(c)
        if v is not None and abs(v - pack.rate_weight) > 0.005:
            yield rule("weight-sum").finding(c, what="执行率分值", pack=pack.id,
                                             expected=f"{pack.rate_weight:g}", found=f"{v:g}")


@check("subtotal-mismatch")
def check_subtotals(ctx: Context) -> Iterator[Finding]:
    def children_points(items: list[Indicator]) -> float | None:
        pts = [ctx.points(i.get("points")) for i in items]
        return None if any(p is None for p in pts) else sum(p for p in pts if p is not None)

    def applicable_points(items: list[Indicator]) -> float | None:
        """The children's points: of the applicable ones when that adds up (points redistributed),
        else of all (a 不适用 row keeping its points is reported by check_weights)."""
        return children_points([i for i in items if not i.not_applicable])

    for g in ctx.form.groups:
        for sub in g.subgroups:
            sums = {children_points(sub.children), applicable_points(sub.children)} - {None}
            if sums and sub.children and all(abs(s - sub.points) > 0.005 for s in sums):
                yield rule("subtotal-mismatch").finding(sub.cell, group=_plain(sub.name), expected=sub.points,
                                                        found=min(sums, key=lambda s: abs(s - sub.points)))
        if not (g.children or g.subgroups):
            continue
        sums = {d + sum(sub.points for sub in g.subgroups)
                for d in (children_points(g.children), applicable_points(g.children)) if d is not None}
        if sums and all(abs(s - g.points) > 0.005 for s in sums):
            yield rule("subtotal-mismatch").finding(g.cell, group=_plain(g.name), expected=g.points,
                                                    found=min(sums, key=lambda s: abs(s - g.points)))


def _plain(text: str) -> str:
    return normalize_text(text).split("(")[0]


# ---------------------------------------------------------------- indicator scores
@dataclass
class Scored:
    ind: Indicator
    weight: float
    expected: float | None  # None for 定性 (a band) and when unscorable
    band: tuple[float, float] | None = None


def _score_expectation(ctx: Context, ind: Indicator) -> Scored | Finding | None:
    """The rule's score for one indicator, or an invalid-value finding when it cannot be scored."""
    weight = ctx.points(ind.get("points"))
    if weight is None:
        return None
    target, actual = ind.get("target"), ind.get("actual")
    if target is None or actual is None or target.blank or actual.blank:
        return None
    if any((c.sheet, c.row, c.col) in ctx.bad for c in (target, actual)):
        return None
    try:
        nature = ctx.nature(ind)
    except JXError as exc:
        cell = ind.get("nature") or target
        return rule("invalid-value").finding(cell, where=ctx.where(ind), reason=exc.message, found=cell.value)
    try:
        if nature is Nature.QUALITATIVE:
            band = scoring.qualitative_band(actual.value, target.value, weight, ctx.pack)
            return Scored(ind, weight, None, band)
        return Scored(ind, weight, scoring.indicator_score(nature, target.value, actual.value, weight, ctx.pack))
    except JXError as exc:
        cell = target if "指标值" in exc.message and "实际" not in exc.message else actual
        return rule("invalid-value").finding(cell, where=ctx.where(ind), reason=exc.message, found=cell.value)


@check("score-mismatch")
def check_scores(ctx: Context) -> Iterator[Finding]:
    form, pack = ctx.form, ctx.pack
    tol = pack.tolerance
    for ind in form.scored():
        score_cell = ind.get("score")
        typed = ctx.number(score_cell)
        weight = ctx.points(ind.get("points"))
        if typed is not None and weight is not None and (typed < -tol or typed > weight + tol):
            yield rule("score-out-of-range").finding(score_cell, where=ctx.where(ind), expected=weight, found=typed)
            continue
        if form.form_id == "fubiao1":
            continue  # 附表1 scores are the evaluator's judgement within 0..分值
        exp = _score_expectation(ctx, ind)
        if isinstance(exp, Finding):
            yield exp
            continue
        if exp is None or typed is None:
            continue
        if exp.band is not None:
            low, high = exp.band
            if not (low - tol <= typed <= high + tol):
                yield rule("score-mismatch").finding(
                    score_cell, where=ctx.where(ind), method=f"定性分档（{ind.get('actual').text}）",
                    expected=f"{low:g}～{high:g}", found=typed, tol=f"{tol:g}")
        elif exp.expected is not None and abs(exp.expected - typed) > tol + 1e-9:
            nature = ctx.nature(ind)
            method = {Nature.POSITIVE: "正向指标", Nature.REVERSE: f"反向指标（{pack.reverse_method}）",
                      Nature.EQUAL: "等于指标"}.get(nature, "规则")
            yield rule("score-mismatch").finding(score_cell, where=ctx.where(ind), method=method,
                                                 expected=exp.expected, found=typed, tol=f"{tol:g}")


@check("invalid-value")
def check_unscorable_without_score(ctx: Context) -> Iterator[Finding]:
    """Forms without a 得分 column (附表2 as issued) still need values that can be scored."""
    if "score" in ctx.form.columns or ctx.form.form_id == "fubiao1":
        return
    for ind in ctx.form.scored():
        exp = _score_expectation(ctx, ind)
        if isinstance(exp, Finding):
            yield exp


# ---------------------------------------------------------------- funds, rate, totals
def _rate_fraction(cell: Cell) -> float | None:
    try:
        q = cell.quantity("执行率")
    except JXError:
        return None
    return q.value if q.percent or abs(q.value) <= 1.5 else q.value / 100.0


@check("rate-mismatch")
def check_rate(ctx: Context) -> Iterator[Finding]:
    pack = ctx.pack
    for key, row in ctx.form.funds.items():
        budget, spent, rate_c = (row.cells.get(k) for k in ("budget", "spent", "rate"))
        if budget is None or spent is None or budget.blank or spent.blank:
            continue
        if ctx.number(budget) is None or ctx.number(spent) is None:
            continue
        try:
            rate = scoring.execution_rate(budget.value, spent.value)
        except JXError as exc:
            yield rule("invalid-value").finding(budget, where=f"“{row.label.text.strip('：:')}”的",
                                                reason=exc.message, found=budget.value)
            continue
        if rate_c is not None and not rate_c.blank:
            typed = _rate_fraction(rate_c)
            want = scoring.round_half_up(rate * 100, 2)
            if typed is None:
                yield rule("not-a-number").finding(rate_c, where="", field="执行率", found=rate_c.value)
            elif abs(typed * 100 - want) > 0.01 + 1e-9:
                yield rule("rate-mismatch").finding(rate_c, denominator=pack.rate_denominator,
                                                    expected=f"{want:.2f}%", found=rate_c.text)
        score_c, points_c = row.cells.get("score"), row.cells.get("points")
        if key == "total_funds" and score_c is not None and points_c is not None:
            typed, w = ctx.number(score_c), ctx.rate_points(points_c)
            if typed is not None and w is not None:
                want = scoring.rate_score(budget.value, spent.value, w, pack)
                if abs(typed - want) > pack.tolerance + 1e-9:
                    yield rule("rate-score-mismatch").finding(score_c, expected=want, found=typed)


@check("spent-over-budget")
def check_spent(ctx: Context) -> Iterator[Finding]:
    if not ctx.pack.spent_not_over_budget:
        return
    for row in ctx.form.funds.values():
        b, s = ctx.number(row.cells.get("budget")), ctx.number(row.cells.get("spent"))
        if b is not None and s is not None and s > b + 1e-9:
            yield rule("spent-over-budget").finding(row.cells["spent"], where=f"“{row.label.text.strip('：:')}”的",
                                                    expected=b, found=s)


@check("funds-rows-mismatch")
def check_funds_rows(ctx: Context) -> Iterator[Finding]:
    if not ctx.pack.funds_rows_add_up:
        return
    funds = ctx.form.funds
    total = funds.get("total_funds")
    parts = [funds[k] for k in ("fiscal", "carryover", "other") if k in funds]
    if total is None or not parts:
        return
    for k in ("initial_budget", "budget", "spent"):
        c = total.cells.get(k)
        t = ctx.number(c)
        if t is None:
            continue
        values = [p.cells.get(k) for p in parts]
        if any(v is not None and not v.blank and ctx.number(v) is None for v in values):
            continue
        nums = [ctx.number(v) for v in values]
        if all(n is None for n in nums):
            continue
        s = scoring.round_half_up(sum(n for n in nums if n is not None), 4)
        if abs(s - t) > 0.005:
            yield rule("funds-rows-mismatch").finding(c, column=FIELD_NAMES[k], expected=t, found=s)


@check("total-mismatch")
def check_total(ctx: Context) -> Iterator[Finding]:
    form, pack = ctx.form, ctx.pack
    typed = ctx.number(form.total)
    if typed is None or "score" not in form.columns:
        return
    scores = [ctx.number(i.get("score")) for i in form.scored()]
    if any(s is None for s in scores):
        return
    parts, how = list(scores), "各指标得分之和"
    rate = None
    funds = form.funds.get("total_funds")
    if funds is not None and "score" in funds.cells:
        rs = ctx.number(funds.cells["score"])
        if rs is None:
            return
        parts.append(rs)
        how = "执行率得分 + 各指标得分"
        try:
            rate = scoring.execution_rate(funds.cells["budget"].value, funds.cells["spent"].value)
        except (JXError, KeyError):
            rate = None
    deduction = None
    ded = form.deduction
    if ded is not None and ded.get("score") is not None and not ded.get("score").blank:
        deduction = ctx.number(ded.get("score"))
        if deduction is None:
            return
        deduction = abs(deduction)  # typed as −2 or as 2: the same deduction
        how += " − 扣分"
    try:
        want = scoring.total_score(parts, deduction, rate, pack)
    except JXError as exc:
        yield rule("invalid-value").finding(ded.get("score") if ded else form.total, where="", reason=exc.message)
        return
    if pack.caps and rate is not None:
        how += "，按执行率封顶"
    if abs(want - typed) > pack.tolerance + 1e-9 and not _rescaled_total_matches(ctx, scores, parts[len(scores):],
                                                                                deduction, rate, typed):
        yield rule("total-mismatch").finding(form.total, expected=want, found=typed, how=how)


def _rescaled_total_matches(ctx: Context, scores: list[float | None], others: list[float | None],
                            deduction: float | None, rate: float | None, typed: float) -> bool:
    """不适用 rows that kept their points: the indicator scores rescaled to the full points (the
    other way domain.md allows; check_weights says the points were not redistributed)."""
    na = sum(p for i in ctx.form.not_applicable() if (p := ctx.points(i.get("points"))))
    weights = [ctx.points(i.get("points")) for i in ctx.form.scored()]
    if not na or any(w is None for w in weights) or not sum(w for w in weights if w):
        return False
    applicable = sum(w for w in weights if w)
    rescaled = scoring.round_half_up(sum(s for s in scores if s is not None) * (applicable + na) / applicable)
    want = scoring.total_score([rescaled, *others], deduction, rate, ctx.pack)
    return abs(want - typed) <= ctx.pack.tolerance + 1e-9


@check("grade-mismatch")
def check_grade(ctx: Context) -> Iterator[Finding]:
    form = ctx.form
    if form.grade is None or form.grade.blank:
        return
    total = ctx.number(form.total)
    if total is None:
        return
    want = scoring.grade(total, ctx.pack)
    found = grade_word(form.grade.value, ctx.pack)
    if found != want:
        yield rule("grade-mismatch").finding(form.grade, expected=want, found=form.grade.text, total=f"{total:g}")


@check("deviation-reason-missing")
def check_reasons(ctx: Context) -> Iterator[Finding]:
    form, pack = ctx.form, ctx.pack
    if "reason" not in form.columns:
        return
    for ind in form.scored():
        reason = ind.get("reason")
        if reason is None or not reason.blank:
            continue
        why = None
        typed, weight = ctx.number(ind.get("score")), ctx.points(ind.get("points"))
        if pack.reason_below_full and typed is not None and weight is not None and typed < weight - pack.tolerance:
            why = f"得分 {typed:g} 低于满分 {weight:g}"
        elif pack.reason_over_ratio:
            try:
                if ctx.nature(ind) is Nature.POSITIVE:
                    # same scale first: "95%" against 97, 万元 against 元
                    t, a = harmonize(ind.get("target").quantity(), ind.get("actual").quantity())
                    if t > 0 and a / t >= pack.reason_over_ratio:
                        why = f"实际完成值达到指标值的 {a / t:.0%}（目标可能偏低）"
            except (JXError, AttributeError):
                pass
        if why:
            yield rule("deviation-reason-missing").finding(reason, where=ctx.where(ind), why=why)
    funds = form.funds.get("total_funds")
    if pack.reason_required_below is not None and funds is not None:
        try:
            rate = scoring.execution_rate(funds.cells["budget"].value, funds.cells["spent"].value)
        except (JXError, KeyError):
            return
        reasons = [i.get("reason") for i in form.indicators if i.get("reason") is not None]
        if rate < pack.reason_required_below and all(r.blank for r in reasons):
            anchor = funds.cells.get("rate") or funds.cells["spent"]
            yield rule("deviation-reason-missing").finding(
                anchor, where="", why=f"执行率 {rate:.2%} 低于 {pack.reason_required_below:.0%}")


# Importing it registers the table-structure checks (subtotal rows, hidden cells) after these.
from .table_checks import grade_word  # noqa: E402


def run_checks(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for _slug, fn in CHECKS:
        for f in fn(ctx):
            key = (f.code, f.sheet, f.cell)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    return findings
