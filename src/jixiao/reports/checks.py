"""Hold the prose's claims against each other and against the tables.

Every check reads only claims that were read completely; a number that holds gives no finding.
Tolerance: a score is right within 0.01 (the domain's tolerance for typed scores); a rate, an
amount or a written-out result also when it is the computed one rounded (half up) to the decimals
it is written with.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core import scoring
from ..rulepacks import RulePack
from ..validation.rules import Finding, rule
from .claims import Claims, Item, Num, Place
from .facts import Fact, Facts, ItemFacts, key

Marked = tuple[Finding, Place]
_REVERSE = ("不超过", "不高于", "不大于", "控制在", "低于", "以内", "≤", "<=")


def holds(stated: Num, computed: float) -> bool:
    """A rate, an amount or a written-out result: right when it is the computed value rounded
    (half up) to the decimals it is written with, or within 0.01 of it."""
    if abs(stated.value - computed) <= 0.01 + 1e-9:
        return True
    return abs(scoring.round_half_up(computed, stated.decimals) - stated.value) < 1e-9


def score_holds(stated: Num, computed: float) -> bool:
    """A score: within 0.01 (the domain's tolerance for typed scores); "得1分" is not 0.5 rounded."""
    return abs(stated.value - computed) <= 0.01 + 1e-9


def fmt(x: float) -> str:
    return f"{scoring.round_half_up(x, 4):.10g}"


def _finding(slug: str, place: Place, **params: object) -> Marked:
    expected = params.pop("expected", None)
    found = params.pop("found", None)
    f = rule(slug).finding(address=place.segment.where, where=place.where(),
                           expected=expected, found=found, **params)
    return f, place


# ---------------------------------------------------------------- the prose against itself


def check_items(claims: Claims) -> Iterator[Marked]:
    for it in claims.items:
        if it.points is not None and it.deduction is not None:
            want = it.points.value - it.deduction.value
            if not score_holds(it.score, want):
                yield _finding("report-deduction-mismatch", it.place, name=it.name, points=it.points.text,
                               deduction=it.deduction.text, expected=fmt(want), found=it.score.text)
        full = it.full
        if it.rate is not None and full:
            want = it.score.value / full * 100
            if not holds(it.rate, want):
                yield _finding("report-rate-mismatch", it.place, what=f"“{it.name}”得分率",
                               how=f"得分 {it.score.text} ÷ 分值 {fmt(full)}", expected=fmt(want),
                               found=it.rate.text)


def outline(items: list[Item]) -> list[tuple[Item, list[Item]]]:
    """Items as parents and children by the outline of their headings: the items right after one,
    each a level deeper (一、 then 1、), are its children."""
    out: list[tuple[Item, list[Item]]] = []
    i = 0
    while i < len(items):
        parent = items[i]
        j = i + 1
        if parent.level is not None:
            while j < len(items) and items[j].level is not None and items[j].level > parent.level:
                j += 1
        out.append((parent, items[i + 1: j] if j - i - 1 >= 2 else []))
        i = j if j - i - 1 >= 2 else i + 1
    return out


def check_sums(claims: Claims, full_marks: float = 100.0) -> Iterator[Marked]:
    tree = outline(claims.items)
    for parent, children in tree:
        fulls = [c.full for c in children]
        if children and parent.points is not None and all(f is not None for f in fulls):
            got = sum(fulls)  # type: ignore[arg-type]
            if not score_holds(parent.points, got):
                yield _finding("report-sum-mismatch", parent.place, what=f"“{parent.name}”分值",
                               found=parent.points.text, expected=fmt(got),
                               parts="、".join(f"{c.name} {fmt(c.full or 0)}" for c in children))
        if children:
            got = sum(c.score.value for c in children)
            if not score_holds(parent.score, got):
                yield _finding("report-sum-mismatch", parent.place, what=f"“{parent.name}”得分",
                               found=parent.score.text, expected=fmt(got),
                               parts="、".join(f"{c.name} {c.score.text}" for c in children))
    tops = [p for p, _ in tree]
    fulls = [p.full for p in tops]
    if tops and claims.totals and all(f is not None for f in fulls) \
            and abs(sum(fulls) - full_marks) < 1e-6:  # type: ignore[arg-type]
        got = sum(p.score.value for p in tops)
        for total, place in _distinct(claims.totals):
            if not score_holds(total, got):
                yield _finding("report-sum-mismatch", place, what="总分", found=total.text,
                               expected=fmt(got), parts=f"正文 {len(tops)} 项得分（" + " + ".join(
                                   p.score.text for p in tops) + "）")
    for parts, total, place in claims.sums:
        got = sum(n.value for _, n in parts)
        if not score_holds(total, got):
            yield _finding("report-sum-mismatch", place, what="总分", found=total.text, expected=fmt(got),
                           parts="、".join(f"{name} {n.text}" for name, n in parts))


def _distinct(values: list[tuple[Num, Place]]) -> list[tuple[Num, Place]]:
    seen: set[float] = set()
    out = []
    for n, p in values:
        if n.value not in seen:
            seen.add(n.value)
            out.append((n, p))
    return out


def evaluate(nums: list[Num], ops: list[str]) -> float | None:
    """Left to right with × ÷ before + −; None on division by zero."""
    terms: list[float] = [nums[0].value]
    signs: list[float] = [1.0]
    for op, n in zip(ops, nums[1:], strict=False):
        if op in "×xX*":
            terms[-1] *= n.value
        elif op in "÷/":
            if n.value == 0:
                return None
            terms[-1] /= n.value
        else:
            terms.append(n.value)
            signs.append(1.0 if op in "+＋" else -1.0)
    return sum(s * t for s, t in zip(signs, terms, strict=False))


def check_arithmetic(claims: Claims) -> Iterator[Marked]:
    for expr, nums, ops, result, place in claims.arithmetic:
        got = evaluate(nums, ops)
        if got is not None and not holds(result, got):
            yield _finding("report-arithmetic", place, expr=expr, expected=fmt(got), found=result.text)


def check_rates(claims: Claims) -> Iterator[Marked]:
    for rate, budget, spent, place in claims.rate_checks:
        if budget.unit == spent.unit and budget.value.value > 0:
            want = spent.value.value / budget.value.value * 100
            if not holds(rate, want):
                yield _finding("report-rate-mismatch", place, what="执行率",
                               how=f"{spent.value.text}{spent.unit} ÷ {budget.value.text}{budget.unit}",
                               expected=fmt(want), found=rate.text)
    for t in claims.targets:
        if t.actual is None or t.target.value <= 0 or t.actual_unit != t.target_unit:
            continue
        if t.done_rate is not None and not any(w in t.name for w in _REVERSE):
            want = t.actual.value / t.target.value * 100
            if not holds(t.done_rate, want):
                yield _finding("report-rate-mismatch", t.place, what=f"“{t.name}”完成率",
                               how=f"完成值 {t.actual.text} ÷ 目标值 {t.target.text}",
                               expected=fmt(want), found=t.done_rate.text)
        if t.saved is not None:
            want = (1 - t.actual.value / t.target.value) * 100
            if not holds(t.saved, want):
                yield _finding("report-rate-mismatch", t.place, what="节约率",
                               how=f"1 − {t.actual.text} ÷ {t.target.text}", expected=fmt(want),
                               found=t.saved.text)


def check_grades(claims: Claims, pack: RulePack, table_total: Fact | None) -> Iterator[Marked]:
    for grade, written, place in claims.grades:
        total = _nearest_total(claims, place)
        if total is not None:
            value, where = total[0].value, total[1].where()
        elif table_total is not None:
            value, where = table_total.value, table_total.where
        else:
            continue
        want = scoring.grade(value, pack)
        if grade != want:
            yield _finding("report-grade-mismatch", place, found=written, expected=want,
                           total=fmt(value), total_where=where)


def _nearest_total(claims: Claims, place: Place) -> tuple[Num, Place] | None:
    same = [t for t in claims.totals if t[1].segment is place.segment]
    if same:
        return same[0]
    before = [t for t in claims.totals if t[1].segment.order <= place.segment.order]
    return (before or claims.totals or [None])[-1]


# ---------------------------------------------------------------- the prose against the tables


def _lookup(facts: Facts, name: str) -> ItemFacts | None:
    k = key(name)
    if not k:
        return None
    if k in facts.items:
        return facts.items[k]
    near = [v for kk, v in facts.items.items() if len(min(k, kk, key=len)) >= 4 and (k in kk or kk in k)]
    return near[0] if len(near) == 1 else None


def check_against(claims: Claims, facts: Facts) -> Iterator[Marked]:
    for it in claims.items:
        found = _lookup(facts, it.name)
        if found is None:
            continue
        points, score = found.points, found.score
        if score is not None and not score_holds(it.score, score.value):
            yield _finding("report-table-mismatch", it.place, what=f"“{it.name}”得分", found=it.score.text,
                           other=score.where, expected=score.text)
        full = it.full
        if points is not None and full is not None and abs(points.value - full) > 0.01:
            how = "分值" if it.points is not None else f"分值（得分 {it.score.text} + 扣分 {it.deduction.text if it.deduction else ''}）"
            yield _finding("report-table-mismatch", it.place, what=f"“{it.name}”{how}", found=fmt(full),
                           other=points.where, expected=points.text)
    if facts.total is not None:
        for total, place in _distinct(claims.totals):
            if not score_holds(total, facts.total.value):
                yield _finding("report-table-mismatch", place, what="总分", found=total.text,
                               other=facts.total.where, expected=facts.total.text)
    if facts.grade is not None:
        want = facts.grade.text.replace("等", "").replace("级", "")
        for grade, written, place in claims.grades:
            if want in ("优", "良", "中", "差") and grade != want:
                yield _finding("report-table-mismatch", place, what="等级", found=written,
                               other=facts.grade.where, expected=facts.grade.text)
    for slug_key, what, values in (("rate", "执行率（%）", claims.rates), ("score", "执行率得分", claims.rate_scores)):
        fact = facts.funds.get(slug_key)
        if fact is None:
            continue
        same = holds if slug_key == "rate" else score_holds
        for n, place in values:
            if not same(n, fact.value):
                yield _finding("report-table-mismatch", place, what=what, found=n.text, other=fact.where,
                               expected=fact.text)


_FUNDS_ROLE = {"spent": "全年执行数", "budget": "全年预算数", "initial": "年初预算数"}
_FUNDS_KEY = {"spent": "spent", "budget": "budget", "initial": "initial_budget"}


def _yuan(fact: Fact) -> float | None:
    """A table amount in 元, when its cell names its unit."""
    for unit, scale in (("亿元", 1e8), ("万元", 1e4), ("元", 1.0)):
        if fact.text.endswith(unit):
            return fact.value * scale
    return None


def check_amounts_against(claims: Claims, facts: Facts) -> Iterator[Marked]:
    """全年执行数 / 全年预算数 / 年初预算数 in the prose against the funds row, and an indicator's
    target and result against its row, when the table cell names its unit."""
    for a in claims.amounts:
        fact = facts.funds.get(_FUNDS_KEY.get(a.role or "", "")) if not a.part else None
        table = _yuan(fact) if fact is not None else None
        if table is None or a.value.value == 0:
            continue
        if not _same(a.value, table / (a.yuan / a.value.value)):
            yield _finding("report-table-mismatch", a.place, what=_FUNDS_ROLE[a.role or ""],
                           found=f"{a.value.text}{a.unit}", other=fact.where, expected=fact.text)
    for t in claims.targets:
        found = _lookup(facts, t.name)
        if found is None:
            continue
        for what, num, unit, fact in (("目标值", t.target, t.target_unit, found.target),
                                      ("完成值", t.actual, t.actual_unit, found.actual)):
            if num is None or fact is None or not fact.text.endswith(unit or "\0"):
                continue  # a different unit is the unit check's to report
            if not holds(num, fact.value * (100 if unit == "%" else 1)):  # "85%" reads as 0.85
                yield _finding("report-table-mismatch", t.place, what=f"“{t.name}”{what}",
                               found=f"{num.text}{unit}", other=fact.where, expected=fact.text)


def check_units(claims: Claims, facts: Facts) -> Iterator[Marked]:
    """An amount in 元 whose number is, to the digits written, an amount the report gives in 万元
    elsewhere (or the other way round), more often than it gives the same amount in its own unit."""
    # (amount in 元, as written, where, the claim it came from: not compared with itself)
    others: list[tuple[float, str, Fact | Place, object]] = [(y, f.text, f, None) for y, f in facts.amounts]
    others += [(a.yuan, f"{a.value.text}{a.unit}", a.place, a) for a in claims.amounts]
    reported: set[tuple[int, str]] = set()
    for a in claims.amounts:
        digits = sum(ch.isdigit() for ch in a.value.text.lstrip("0."))
        seg = a.place.segment
        if digits < 3 or (seg.table is not None and len(seg.text) < 20):
            continue
        scale = a.yuan / a.value.value if a.value.value else 1.0
        pool = [o for o in others if o[3] is not a and not _same_sentence(o[2], a.place)]
        agree = sum(1 for o in pool if _same(a.value, o[0] / scale))
        for factor in (1e4, 1e-4):
            matches = [o for o in pool if _same(a.value, o[0] / scale / factor)]
            if len(matches) > agree and (seg.order, a.value.text) not in reported:
                reported.add((seg.order, a.value.text))
                best = next((o for o in matches if isinstance(o[2], Fact)), matches[0])
                where = best[2].where if isinstance(best[2], Fact) else best[2].where()
                yield _finding("report-unit-slip", a.place, found=f"{a.value.text}{a.unit}",
                               other=where, expected=best[1])
                break


def _same_sentence(where: Fact | Place, place: Place) -> bool:
    return isinstance(where, Place) and where.segment is place.segment and where.sentence == place.sentence


def _same(n: Num, value: float) -> bool:
    if n.value == 0 or abs(value - n.value) > 10 ** -n.decimals:  # cheap test first: most differ
        return False
    return abs(scoring.round_half_up(value, n.decimals) - n.value) < 1e-9


def check_claims(claims: Claims, pack: RulePack, facts: Facts | None) -> list[Marked]:
    out: list[Marked] = []
    out += check_items(claims)
    out += check_sums(claims)
    out += check_arithmetic(claims)
    out += check_rates(claims)
    out += check_grades(claims, pack, facts.total if facts else None)
    if facts is not None:
        out += check_against(claims, facts)
        out += check_amounts_against(claims, facts)
    out += check_units(claims, facts or Facts(""))
    return out
