"""完成质量: which of an indicator's four 绩效标准 (优/良/中/差) its 完成值 reaches.

Some forms (seed 004, 云南 2017) give every indicator four standards instead of one target:
"95%以上" / "90%以上" / "80%以上" / "70%以上", or "M≥90%" / "80%≤M<90%为良" / "60%≤M<80%" /
"M<60%". A standard is read as a band of values:

- a comparison: "M≥90%", "≥90%", "不低于90%", "M<60%", "90%≤M" (either side of the letter);
- two comparisons around a letter: "80%≤M<90%", "90%>M≥80%";
- a number with 以上/以下/以内 (inclusive, as in Chinese usage): "95%以上", "70%以下";
- a range: "80%-90%", "80%至90%" (both ends inclusive);
- a bare number ("100%", 0.95): at least it when the standards fall from 优 to 中, at most it
  when they rise (less is better, e.g. an accident rate).
Words around the number ("满意度", "为良") are ignored; units other than % and ‰ are not
converted. A 完成值 typed exactly as one standard's text gets that grade (qualitative standards).

The grades are tried from 优 down; the first band holding the value wins, so a value on a shared
boundary takes the better grade. A value that reaches none of 优/良/中 and lies beyond 中 (or
inside the 差 band) is 差; a value that falls in a gap between the bands is an error, never a
guess. Grade words come from the rule pack's grade bands (优/良/中/差 by default).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import JXError
from ..rulepacks import RulePack
from .parsing import Quantity, harmonize, is_blank, normalize_text, parse_quantity

GE, GT, LE, LT = ">=", ">", "<=", "<"

# Comparison words before a number (after NFKC normalisation; longest first in the regex).
_PREFIX_OPS = {
    "≥": GE, ">=": GE, "≧": GE, "=>": GE, ">": GT, "≤": LE, "<=": LE, "≦": LE, "=<": LE, "<": LT,
    "不低于": GE, "不少于": GE, "不小于": GE, "大于等于": GE, "大于或等于": GE, "达到": GE,
    "大于": GT, "高于": GT, "多于": GT, "超过": GT,
    "不超过": LE, "不高于": LE, "不大于": LE, "不多于": LE, "小于等于": LE, "小于或等于": LE, "控制在": LE,
    "小于": LT, "低于": LT, "少于": LT, "不足": LT,
}
# Words after a number: 以上/以下 include the number itself (Chinese usage).
_SUFFIX_OPS = {"(含)以上": GE, "及以上": GE, "以上": GE, "(含)以下": LE, "及以下": LE, "以下": LE, "以内": LE}
_FLIP = {GE: LE, GT: LT, LE: GE, LT: GT}  # "90%≤M" is "M≥90%"
_RANGE_SEPARATORS = frozenset(("-", "~", "～", "至", "到", "—", "–"))

_TOKEN = re.compile(
    "(?P<suffix>" + "|".join(re.escape(w) for w in sorted(_SUFFIX_OPS, key=len, reverse=True)) + ")"
    "|(?P<op>" + "|".join(re.escape(w) for w in sorted(_PREFIX_OPS, key=len, reverse=True)) + ")"
    r"|(?P<num>(?:\d+(?:\.\d+)?|\.\d+)(?P<pct>[%‰])?)"
)


class Band(NamedTuple):
    """The values one standard admits: ``(op, bound)`` pairs, all of which must hold.

    A bare number has ``bare`` set and no constraints: its comparison follows the direction
    of the standards.
    """

    constraints: tuple[tuple[str, Quantity], ...]
    bare: Quantity | None = None


def _quantity(match: re.Match[str]) -> Quantity:
    number = float(match.group("num").removesuffix(match.group("pct") or ""))
    pct = match.group("pct")
    if pct == "%":
        return Quantity(number / 100.0, unit="%", percent=True)
    if pct == "‰":
        return Quantity(number / 1000.0, unit="‰", percent=True)
    return Quantity(number, bare=True)


def parse_standard(text: object, label: str = "绩效标准") -> Band | None:
    """Read one 绩效标准 as a band; None when it holds no number (a qualitative standard)."""
    if isinstance(text, bool):
        raise JXError("#VALUE!", f"{label}不能是逻辑值")
    if isinstance(text, (int, float)):
        return Band((), parse_quantity(text, label))
    norm = normalize_text(text)
    tokens: list[tuple[str, object, int, int]] = []  # (kind, value, start, end)
    for m in _TOKEN.finditer(norm):
        if m.group("suffix"):
            tokens.append(("suffix", _SUFFIX_OPS[m.group("suffix")], m.start(), m.end()))
        elif m.group("op"):
            tokens.append(("op", _PREFIX_OPS[m.group("op")], m.start(), m.end()))
        else:
            tokens.append(("num", _quantity(m), m.start(), m.end()))
    nums = [i for i, t in enumerate(tokens) if t[0] == "num"]
    if not nums:
        return None
    unreadable = JXError("#VALUE!", f"无法读懂{label}“{text}”（应如 95%以上、M≥90%、80%≤M<90%、M<60%）")
    if len(nums) > 2:
        raise unreadable
    if len(nums) == 2:
        return _two_sided(norm, tokens, nums, unreadable)
    i = nums[0]
    q = tokens[i][1]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if before is not None and before[0] == "op":
        return Band(((before[1], q),))  # "M≥90%", "≥90%以上", "不低于90%"
    if after is not None and after[0] == "op":
        return Band(((_FLIP[after[1]], q),))  # "90%≤M"
    if after is not None and after[0] == "suffix":
        return Band(((after[1], q),))  # "95%以上", "70%以下"
    return Band((), q)  # "100%"


def _two_sided(norm: str, tokens: list, nums: list[int], unreadable: JXError) -> Band:
    i, j = nums
    low_q, high_q = tokens[i][1], tokens[j][1]
    between = tokens[i + 1:j]
    if [t[0] for t in between] == ["op", "op"]:  # "80%≤M<90%", "90%>M≥80%"
        return Band(((_FLIP[between[0][1]], low_q), (between[1][1], high_q)))
    if not between and norm[tokens[i][3]:tokens[j][2]] in _RANGE_SEPARATORS:  # "80%-90%"
        if low_q.percent != high_q.percent:  # "80-90%": the % belongs to both ends
            low_q, high_q = (_as_percent(q, high_q if q is low_q else low_q) for q in (low_q, high_q))
        a, b = sorted((low_q, high_q), key=lambda q: q.value)
        return Band(((GE, a), (LE, b)))
    raise unreadable


def _as_percent(q: Quantity, other: Quantity) -> Quantity:
    if q.percent:
        return q
    scale = 100.0 if other.unit == "%" else 1000.0
    return Quantity(q.value / scale, unit=other.unit, percent=True)


def _holds(op: str, value: float, bound: float) -> bool:
    return {GE: value >= bound, GT: value > bound, LE: value <= bound, LT: value < bound}[op]


def _scaled(bound: Quantity, actual: Quantity) -> tuple[float, float]:
    return harmonize(bound, actual)  # (bound, actual) on one scale: "95%" against 92.97


def _reference(band: Band, actual: Quantity) -> float:
    """One number that places a band on the scale (its lower end, else its upper end)."""
    if band.bare is not None:
        return _scaled(band.bare, actual)[0]
    lows = [q for op, q in band.constraints if op in (GE, GT)]
    return _scaled((lows or [q for _, q in band.constraints])[0], actual)[0]


def _contains(band: Band, actual: Quantity, rising: bool) -> bool:
    if band.bare is not None:
        bound, value = _scaled(band.bare, actual)
        return value <= bound if rising else value >= bound
    return all(_holds(op, *reversed(_scaled(q, actual))) for op, q in band.constraints)


def _beyond(band: Band, actual: Quantity, rising: bool) -> bool:
    """Is the value on the worse side of the band (below it, or above it when less is better)?"""
    if band.bare is not None:
        bound, value = _scaled(band.bare, actual)
        return value > bound if rising else value < bound
    worse_side = (LE, LT) if rising else (GE, GT)  # the bounds that face the worse side
    facing = [(op, q) for op, q in band.constraints if op in worse_side]
    return bool(facing) and not all(_holds(op, *reversed(_scaled(q, actual))) for op, q in facing)


def completion_quality(actual: object, standards: list[object], pack: RulePack) -> str:
    """完成质量 of ``actual`` against the standards [优, 良, 中, 差] → the pack's grade word."""
    words = [band.grade for band in pack.grades]
    if len(words) != 4 or len(standards) != 4:
        raise JXError("#VALUE!", f"完成质量需要四档等级，规则包“{pack.id}”有 {len(words)} 档")
    labels = [f"绩效标准（{w}）" for w in words]
    if is_blank(actual):
        raise JXError("#N/A", "完成值为空")
    if isinstance(actual, str):
        text = normalize_text(actual)
        for word, standard in zip(words, standards, strict=True):
            if not is_blank(standard) and text == normalize_text(standard):
                return word  # typed as the standard itself (qualitative standards)
    for label, standard in zip(labels[:3], standards[:3], strict=True):
        if is_blank(standard):
            raise JXError("#N/A", f"{label}为空")
    try:
        value = parse_quantity(actual, "完成值")
    except JXError:
        raise JXError("#VALUE!", f"完成值“{actual}”读不出数值，也不与任何一档绩效标准相同") from None
    bands: list[Band] = []
    for label, standard in zip(labels[:3], standards[:3], strict=True):
        band = parse_standard(standard, label)
        if band is None:
            raise JXError("#VALUE!", f"{label}“{standard}”没有数值：完成值应写成与某一档相同的文字")
        bands.append(band)
    # Standards that fall from 优 to 中 mean more is better; rising ones mean less is better.
    rising = _reference(bands[0], value) < _reference(bands[2], value)
    for word, band in zip(words[:3], bands, strict=True):
        if _contains(band, value, rising):
            return word
    poor = _optional_band(standards[3], labels[3])
    if (poor is not None and _contains(poor, value, rising)) or all(_beyond(b, value, rising) for b in bands):
        return words[3]
    raise JXError("#N/A", f"完成值 {actual} 不在任何一档绩效标准之内（标准之间有空档）")


def _optional_band(standard: object, label: str) -> Band | None:
    """The 差 standard only confirms: blank, wordy or unreadable, it is left out."""
    if is_blank(standard):
        return None
    try:
        return parse_standard(standard, label)
    except JXError:
        return None
