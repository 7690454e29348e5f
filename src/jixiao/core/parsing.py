"""Tolerant parsing of the values people type into 绩效 forms.

Numbers arrive as numbers, as text with units ("87.65万元", "6分"), as percentages ("5%")
or with a comparison in front ("≥95%", "不超过87.65万元"). Everything here is pure Python.
"""

from __future__ import annotations

import enum
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from ..errors import JXError

T = TypeVar("T")


class Nature(str, enum.Enum):
    """指标性质: how an indicator's actual value is compared with its target."""

    POSITIVE = "≥"  # 正向: more is better
    REVERSE = "≤"  # 反向: less is better
    EQUAL = "＝"  # 等于
    QUALITATIVE = "定性"

    @property
    def label(self) -> str:
        return {"≥": "正向", "≤": "反向", "＝": "等于", "定性": "定性"}[self.value]


# Comparison words and symbols, after normalisation (NFKC turns ＝ into =, ＞ into >).
_NATURE_WORDS: dict[str, Nature] = {
    "≥": Nature.POSITIVE, ">=": Nature.POSITIVE, "≧": Nature.POSITIVE, "=>": Nature.POSITIVE,
    ">": Nature.POSITIVE, "≥=": Nature.POSITIVE, "大于等于": Nature.POSITIVE,
    "不低于": Nature.POSITIVE, "不少于": Nature.POSITIVE, "不小于": Nature.POSITIVE,
    "大于": Nature.POSITIVE, "高于": Nature.POSITIVE, "多于": Nature.POSITIVE,
    "达到": Nature.POSITIVE, "正向": Nature.POSITIVE, "正向指标": Nature.POSITIVE,
    "≤": Nature.REVERSE, "<=": Nature.REVERSE, "≦": Nature.REVERSE, "=<": Nature.REVERSE,
    "<": Nature.REVERSE, "小于等于": Nature.REVERSE, "不超过": Nature.REVERSE,
    "不高于": Nature.REVERSE, "不大于": Nature.REVERSE, "不多于": Nature.REVERSE,
    "低于": Nature.REVERSE, "小于": Nature.REVERSE, "控制在": Nature.REVERSE,
    "反向": Nature.REVERSE, "反向指标": Nature.REVERSE,
    "=": Nature.EQUAL, "==": Nature.EQUAL, "等于": Nature.EQUAL, "等于指标": Nature.EQUAL,
    "定性": Nature.QUALITATIVE, "定性指标": Nature.QUALITATIVE,
}
# Longest first, so "不低于" wins over "不" (regex alternation tries in order).
_PREFIX_RE = re.compile("|".join(re.escape(w) for w in sorted(_NATURE_WORDS, key=len, reverse=True)))
_SUFFIX_NATURE = {"以内": Nature.REVERSE, "以下": Nature.REVERSE, "以上": Nature.POSITIVE}

_NUMBER_RE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")

_WHITESPACE = re.compile(r"\s+")

# Money units convert into one another; any other pair of different units is an error.
MONEY_UNITS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}


def normalize_text(value: object) -> str:
    """Full-width to half-width (NFKC), no whitespace or line breaks: "指标\\n分 值" → "指标分值"."""
    if value is None:
        return ""
    return _normalize(str(value))


def memo_short(maxsize: int, limit: int = 120) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.lru_cache`` for a function whose first argument is a text, keeping only texts of
    at most ``limit`` characters: forms repeat the same short labels and values endlessly, while a
    hostile file's huge cells must not stay in a reused batch worker's memory."""
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        def call(text: str, *args: Any) -> T:
            return cached(text, *args) if len(text) <= limit else fn(text, *args)

        def call1(text: str) -> T:  # the common one-argument case without packing (on hot paths)
            return cached(text) if len(text) <= limit else fn(text)

        wrapped = functools.wraps(fn)(call1 if fn.__code__.co_argcount == 1 else call)
        wrapped.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        wrapped.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return wrapped
    return wrap


@memo_short(maxsize=65536)
def _normalize(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


_BLANK_TEXTS = frozenset(("", "-", "—", "/", "／", "——"))


def is_blank(value: object) -> bool:
    """Nothing typed: None, NaN, white space or a placeholder dash/slash ("—", "/", "——")."""
    if value is None:
        return True
    if isinstance(value, str):
        # Placeholders have at most 2 characters besides white space: skip normalising the rest.
        if len(value) > 2 and len("".join(value.split())) > 2:
            return False
        return normalize_text(value) in _BLANK_TEXTS
    return isinstance(value, float) and math.isnan(value)


def parse_nature(value: object) -> Nature | None:
    """Read a 指标性质 cell: "≥", ">=", "≧", "＝", "定性", "不低于" … → Nature; blank → None."""
    if isinstance(value, Nature):
        return value
    if is_blank(value):
        return None
    text = normalize_text(value)
    if text in _NATURE_WORDS:
        return _NATURE_WORDS[text]
    raise JXError("#VALUE!", f"无法识别的指标性质“{value}”，应为 ≥、≤、＝ 或 定性")


def split_comparison(text: str) -> tuple[Nature | None, str]:
    """Split a leading comparison off a normalised text: "≥95%" → (POSITIVE, "95%")."""
    m = _PREFIX_RE.match(text)
    if m is None:
        return None, text
    return _NATURE_WORDS[m.group()], text[m.end():]


def infer_nature(target: object) -> Nature:
    """Infer 指标性质 from a target: "≥50个" → ≥, "不超过90万元" → ≤, "逐步提高" → 定性, "100%" → ≥."""
    if isinstance(target, bool):
        raise JXError("#VALUE!", "指标值不能是逻辑值")
    if isinstance(target, (int, float)):
        return Nature.POSITIVE
    if is_blank(target):
        raise JXError("#N/A", "指标值为空，无法判断指标性质")
    text = normalize_text(target)
    nature, rest = split_comparison(text)
    if not _NUMBER_RE.search(rest):
        return Nature.QUALITATIVE  # "逐步提高", "达到预期", "有效提升"
    if nature is not None:
        return nature
    for suffix, suffix_nature in _SUFFIX_NATURE.items():
        if rest.endswith(suffix):
            return suffix_nature
    return Nature.POSITIVE  # a bare target such as "100%" counts as ≥


class Quantity(NamedTuple):
    """A parsed number: ``value`` in base terms (5% → 0.05), with its unit as typed.

    A named tuple, not a dataclass: thousands are made per workbook and tuples are built faster.
    """

    value: float
    unit: str = ""
    percent: bool = False
    bare: bool = False  # a plain number with no unit or % (its scale may be ambiguous)


def parse_quantity(value: object, what: str = "数值") -> Quantity:
    """Parse a number typed as 87.65, "87.65万元", "≥95%", "6分", "1,234" or "５％".

    Raises JXError (#N/A when blank, #VALUE! when no number can be read) — never returns 0
    for something it could not read.
    """
    if isinstance(value, bool):
        raise JXError("#VALUE!", f"{what}不能是逻辑值（TRUE/FALSE）")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise JXError("#NUM!", f"{what}不是有限数值")
        return tuple.__new__(Quantity, (float(value), "", False, True))  # Quantity(…, bare=True), 3× faster
    if is_blank(value):
        raise JXError("#N/A", f"{what}为空")
    result = _parse_text_quantity(str(value), what)
    if isinstance(result, JXError):
        raise JXError(result.code, result.message)
    return result


@memo_short(maxsize=65536)
def _parse_text_quantity(original: str, what: str) -> Quantity | JXError:
    """The text branch of parse_quantity, memoised; an error is returned, not raised, so it caches."""
    try:
        return _parse_text(original, what)
    except JXError as exc:
        return exc


def _parse_text(original: str, what: str) -> Quantity:
    text = normalize_text(original)
    _, rest = split_comparison(text)
    for word in ("约", "大约", "共", "计"):
        if rest.startswith(word):
            rest = rest[len(word):]
    match = _NUMBER_RE.match(rest)
    if not match:
        raise JXError("#VALUE!", f"无法从“{original}”读出{what}")
    number = float(match.group(0).replace(",", ""))
    if not math.isfinite(number):  # "1e309" overflows to infinity
        raise JXError("#NUM!", f"“{original}”超出数值范围")
    unit = rest[match.end():]
    for suffix in _SUFFIX_NATURE:
        if unit.endswith(suffix):
            unit = unit[: -len(suffix)]
    if unit.startswith("%"):
        return Quantity(number / 100.0, unit="%", percent=True)
    if unit.startswith("‰"):
        return Quantity(number / 1000.0, unit="‰", percent=True)
    if _NUMBER_RE.search(unit):
        # "10-20家", "3至5次": a range is not one number.
        raise JXError("#VALUE!", f"“{original}”含有多个数值，无法作为{what}")
    return Quantity(number, unit=unit, bare=unit == "")


def parse_number(value: object, what: str = "数值") -> float:
    return parse_quantity(value, what).value


def harmonize(target: Quantity, actual: Quantity) -> tuple[float, float]:
    """Bring target and actual to one scale.

    - money units convert (万元 ↔ 元);
    - a percentage against a bare number: a bare number above 1 is read as percentage points
      ("95%" vs 97 → 0.97), one at or below 1 as a fraction ("95%" vs 0.97);
    - other differing units are an error: units of target and actual must match.
    """
    t, a = target.value, actual.value
    if target.percent != actual.percent:
        bare, other = (actual, target) if target.percent else (target, actual)
        if not bare.bare:
            raise JXError("#VALUE!", f"指标值与实际值单位不一致（{target.unit or '无'} / {actual.unit or '无'}）")
        scaled = bare.value / 100.0 if abs(bare.value) > 1 else bare.value
        if bare is actual:
            a = scaled
        else:
            t = scaled
        return t, a
    if target.unit and actual.unit and target.unit != actual.unit and not target.percent:
        if target.unit in MONEY_UNITS and actual.unit in MONEY_UNITS:
            a = a * MONEY_UNITS[actual.unit] / MONEY_UNITS[target.unit]
        else:
            raise JXError("#VALUE!", f"指标值与实际值单位不一致（{target.unit} / {actual.unit}）")
    return t, a
