"""The scoring rules of 预算绩效自评, as pure functions (no Excel anywhere).

Every function raises :class:`~jixiao.errors.JXError` for input it cannot score; the JX_
function layer turns that into an Excel error value. Rule-pack numbers come in as a
:class:`~jixiao.rulepacks.RulePack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..errors import JXError
from ..rulepacks import RulePack, Tier
from .parsing import (
    Nature,
    Quantity,
    harmonize,
    infer_nature,
    is_blank,
    normalize_text,
    parse_nature,
    parse_number,
    parse_quantity,
)


def round_half_up(x: float, digits: int = 2) -> float:
    """Round like Excel's ROUND: snap to 15 significant digits, then half away from zero.

    ``round_half_up(0.285) == 0.29`` and ``round_half_up(2.675) == 2.68``, as in Excel and
    LibreOffice (Python's ``round`` gives 0.28 and 2.67).
    """
    x = float(x)
    if 0 <= digits and x.is_integer() and abs(x) < 1e15:
        return x  # nothing to round (most typed scores and weights; ROUND(15, -1) is 20)
    snapped = Decimal(f"{x:.15g}")
    if snapped.is_finite() and digits >= -snapped.as_tuple().exponent:
        return float(snapped)  # no more decimals than asked for: the snap was all (9.87 stays 9.87)
    quantum = Decimal(1).scaleb(-digits)
    return float(snapped.quantize(quantum, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- 执行率
def execution_rate(budget: object, spent: object) -> float:
    """执行率 = 全年执行数 ÷ 全年预算数, as a fraction (0.98734…)."""
    if is_blank(budget):
        raise JXError("#DIV/0!", "全年预算数为空，无法计算执行率")
    b = parse_number(budget, "全年预算数")
    if b == 0:
        raise JXError("#DIV/0!", "全年预算数为 0，无法计算执行率")
    if b < 0:
        raise JXError("#NUM!", "全年预算数不能为负数")
    s = parse_number(spent, "全年执行数")
    if s < 0:
        raise JXError("#NUM!", "全年执行数不能为负数")
    return s / b


def rate_score(budget: object, spent: object, weight: object, pack: RulePack) -> float:
    """执行率得分 = min(执行率, 1) × 分值, rounded half-up to 2 decimals (98.73% × 10 → 9.87)."""
    w = _weight(weight)
    return round_half_up(min(execution_rate(budget, spent), 1.0) * w)


# ---------------------------------------------------------------- indicators
def _weight(weight: object) -> float:
    q = parse_quantity(weight, "分值")
    # 权重 "5%" on a 100-point form is 5 points.
    w = q.value * 100.0 if q.percent else q.value
    if w < 0:
        raise JXError("#NUM!", "分值不能为负数")
    return w


def resolve_nature(nature: object, target: object) -> Nature:
    parsed = parse_nature(nature)
    return parsed if parsed is not None else infer_nature(target)


def score_positive(target: float, actual: float, weight: float) -> float:
    """正向: actual ≥ target → full; else 分值 × actual ÷ target. Never above 分值."""
    if actual >= target:
        return weight
    return weight * actual / target


def score_reverse(target: float, actual: float, weight: float, method: str) -> float:
    """反向: actual ≤ target → full; else ratio (分值 × target ÷ actual) or linear."""
    if actual <= target:
        return weight
    if target == 0:
        return 0.0
    if method == "linear":
        return weight * max(0.0, 1.0 - (actual - target) / target)
    return weight * target / actual


def score_equal(target: float, actual: float, weight: float) -> float:
    """等于: target ≠ 0 scores as 正向; target = 0 → full when actual ≤ 0, else 0."""
    if target == 0:
        return weight if actual <= 0 else 0.0
    return score_positive(target, actual, weight)


def qualitative_tier(actual: object, target: object, pack: RulePack) -> tuple[Tier, float | None]:
    """Which 定性 tier an actual value reports, with its achievement degree when one was given.

    Accepted: the tier names and their synonyms, the target text itself (→ 达成), or a
    percentage/fraction of achievement ("85%", 0.85).
    """
    if is_blank(actual):
        raise JXError("#N/A", "定性指标的实际完成情况为空")
    text = normalize_text(actual)
    if not isinstance(actual, (int, float)) or isinstance(actual, bool):
        if not is_blank(target) and text == normalize_text(target):
            return pack.tiers[0], None
        for tier in pack.tiers:
            if text == normalize_text(tier.name) or text in {normalize_text(s) for s in tier.synonyms}:
                return tier, None
    try:
        q = parse_quantity(actual, "定性完成程度")
    except JXError:
        names = "、".join(t.name for t in pack.tiers)
        raise JXError("#VALUE!", f"定性指标实际值“{actual}”应为 {names} 之一，或完成程度百分比") from None
    degree = q.value
    if not q.percent and degree > 1:
        raise JXError("#VALUE!", f"定性完成程度 {actual} 应为百分比（如 85% 或 0.85）")
    if degree < 0:
        raise JXError("#NUM!", "定性完成程度不能为负数")
    degree = min(degree, 1.0)
    return tier_of_degree(degree, pack), degree


def tier_of_degree(degree: float, pack: RulePack) -> Tier:
    for tier in pack.tiers:  # 达成 first: a degree on a boundary belongs to the higher tier
        if degree >= tier.low:
            return tier
    return pack.tiers[-1]


def tier_fraction(tier: Tier, pack: RulePack) -> float:
    if pack.tier_score == "upper":
        return tier.high
    if pack.tier_score == "lower":
        return tier.low
    return (tier.low + tier.high) / 2


def score_qualitative(target: object, actual: object, weight: float, pack: RulePack) -> float:
    tier, degree = qualitative_tier(actual, target, pack)
    return weight * (degree if degree is not None else tier_fraction(tier, pack))


def _canonical_unit(q: Quantity, pack: RulePack) -> Quantity:
    """The pack's spelling of a unit ("万" → "万元", ``words.units``), so target and actual compare."""
    for word, canonical in pack.units:
        if q.unit and normalize_text(word) == q.unit:
            return q._replace(unit=canonical)
    return q


def indicator_score(nature: object, target: object, actual: object, weight: object,
                    pack: RulePack) -> float:
    """An indicator's score, rounded half-up to 2 decimals.

    ``nature`` may be blank: it is then inferred from the target's text.
    """
    w = _weight(weight)
    kind = resolve_nature(nature, target)
    if kind is Nature.QUALITATIVE:
        return round_half_up(score_qualitative(target, actual, w, pack))
    t_q = _canonical_unit(parse_quantity(target, "指标值"), pack)
    a_q = _canonical_unit(parse_quantity(actual, "实际完成值"), pack)
    t, a = harmonize(t_q, a_q)
    if t < 0:
        raise JXError("#NUM!", "指标值不能为负数")
    a = max(a, 0.0)  # negative actuals count as 0
    if kind is Nature.POSITIVE:
        raw = score_positive(t, a, w)  # a target of 0 is met by any actual ≥ 0
    elif kind is Nature.REVERSE:
        raw = score_reverse(t, a, w, pack.reverse_method)
    else:
        raw = score_equal(t, a, w)
    return round_half_up(raw)


def qualitative_band(actual: object, target: object, weight: object, pack: RulePack) -> tuple[float, float]:
    """The (low, high) score band that a 定性 actual value allows."""
    tier, _ = qualitative_tier(actual, target, pack)
    w = _weight(weight)
    return round_half_up(tier.low * w), round_half_up(tier.high * w)


def qualitative_ok(actual: object, score: object, weight: object, pack: RulePack,
                   target: object = None) -> bool:
    """Does a typed 定性 score fall within its tier's band (tolerance from the pack)?"""
    low, high = qualitative_band(actual, target, weight, pack)
    s = parse_number(score, "得分")
    return low - pack.tolerance <= s <= high + pack.tolerance


# ---------------------------------------------------------------- totals and grades
def _flatten(values: object) -> list[object]:
    if not isinstance(values, (list, tuple)):
        return [values]
    out: list[object] = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


def total_score(scores: object, deduction: object = None, rate: object = None,
                pack: RulePack | None = None) -> float:
    """总分 = Σ rounded scores − 扣分 (floored at 0), capped by 执行率 when the pack says so."""
    total = 0.0
    for value in _flatten(scores):
        if is_blank(value):
            continue
        total += round_half_up(parse_number(value, "得分"))
    if not is_blank(deduction):
        d = parse_number(deduction, "扣分")
        if d < 0:
            raise JXError("#NUM!", "扣分应填正数")
        if pack is not None and pack.deduction_max and d > pack.deduction_max:
            raise JXError("#NUM!", f"扣分 {d:g} 超过上限 {pack.deduction_max:g}")
        total -= d
    total = round_half_up(max(total, 0.0))
    if pack is not None and pack.caps and not is_blank(rate):
        total = min(total, rate_cap(parse_number(rate, "执行率"), pack))
    return total


def rate_cap(rate: float, pack: RulePack) -> float:
    """The highest total allowed at this 执行率 (the pack's caps; no cap → +inf)."""
    cap = float("inf")
    for c in pack.caps:
        if rate < c.below:
            cap = min(cap, c.max_total)
    return cap


def grade(total: object, pack: RulePack) -> str:
    """优 / 良 / 中 / 差 from the rounded total (≥ 90 优, ≥ 80 良, ≥ 60 中, else 差 by default)."""
    t = round_half_up(parse_number(total, "总分"))
    for band in pack.grades:
        if band.min is None or t >= band.min:
            return band.grade
    return pack.grades[-1].grade


@dataclass(frozen=True)
class WeightCheck:
    total: float
    expected: float
    ok: bool

    @property
    def message(self) -> str:
        # Weights kept as fractions (附表2's 5% cells hold 0.05) are shown as percentages.
        percent = abs(self.expected) <= 1.5
        total = f"{round_half_up(self.total * 100, 2):.15g}%" if percent else f"{self.total:.15g}"
        expected = f"{round_half_up(self.expected * 100, 2):.15g}%" if percent else f"{self.expected:.15g}"
        if self.ok:
            return f"权重合计 {total}，符合要求"
        return f"权重合计 {total}，应为 {expected}"


def weight_check(weights: object, expected: object) -> WeightCheck:
    total = 0.0
    for value in _flatten(weights):
        if is_blank(value):
            continue
        q = parse_quantity(value, "分值")
        total += q.value
    exp = parse_number(expected, "应合计")
    total = round_half_up(total, 4)
    return WeightCheck(total, exp, abs(total - exp) <= weight_tolerance(exp))


def weight_tolerance(expected: float) -> float:
    """Half a cent of a point; weights kept as fractions (0.9 for 90%) get the same in %."""
    return 0.005 if abs(expected) > 1.5 else 0.00005
