"""Native formula text: each JX_ function as plain Excel functions (IF/MIN/ROUND/SUMPRODUCT…).

Each generator takes Excel expressions (cell references such as ``"D7"``, or parameter names
for a LAMBDA body) and a rule pack, whose numbers are baked into the text. The result works in
Excel 2010+, WPS and LibreOffice with no add-in.

Native formulas work on typed cells: 指标值/实际值/分值 must be numbers (a percentage is a
number formatted as %); 指标性质 is a symbol or word such as ≥, ≤, ＝, 定性. Text where a number
belongs gives an Excel error value, never a guessed number (the JX_ functions parse such text;
plain formulas cannot do it reliably in every spreadsheet).
"""

from __future__ import annotations

import re

from .core.parsing import _NATURE_WORDS, Nature
from .rulepacks import RulePack

# Error values written as Excel error constants: the same value in Excel, LibreOffice, Gnumeric
# and `formulas` (a failing function is not: SQRT(-1) and LN(0) give #NUM! in Gnumeric and
# `formulas` but #VALUE! in LibreOffice). tests/test_engines.py holds each failure mode to the
# error the JX_ functions return.
ERR_VALUE = "#VALUE!"
ERR_NUM = "#NUM!"
ERR_NA = "NA()"
ERR_DIV0 = "#DIV/0!"


_RANGE = re.compile(r"(?<![A-Za-z_\"])\$?[A-Z]{1,3}\$?[0-9]+:\$?[A-Z]{1,3}\$?[0-9]+")


def needs_array(formula: str) -> bool:
    """Must this cell text be entered as an array formula to mean the same in every spreadsheet?

    Text over a range (``SUMPRODUCT(ROUND(F5:F19,2))``, ``SUMPRODUCT((F5:F19="")*1)``) is only
    evaluated element by element in an array context: Excel's SUMPRODUCT gives one implicitly,
    Gnumeric's does not (it intersects the range with the formula's row → #VALUE! or a wrong
    number). A one-cell array formula means the same everywhere; COUNT, MAX and IF over scalars
    are unchanged by it. String literals are left out of the search.
    """
    return bool(_RANGE.search(re.sub(r'"(?:[^"]|"")*"', '""', formula)))


def as_text(expr: str) -> str:
    """A number as text the same way in every engine: 57.13 → "57.13", 91 → "91".

    ``x&""`` is not portable: Gnumeric writes 57.13 as "57.130000000000000001". TEXT with
    optional decimals is, once the dot Excel and Gnumeric leave after a whole number is taken
    off. Text passes through unchanged (TEXT of a text is the text).
    """
    return f'SUBSTITUTE(SUBSTITUTE(TEXT({expr},"0.##########")&"|",".|",""),"|","")'


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _any_equal(expr: str, words: list[str]) -> str:
    return "OR(" + ",".join(f"{expr}={_q(w)}" for w in words) + ")"


def _nature_words(nature: Nature) -> list[str]:
    words = {w for w, n in _NATURE_WORDS.items() if n is nature}
    if nature is Nature.EQUAL:
        words |= {"＝"}
    if nature is Nature.POSITIVE:
        words |= {"＞＝"}
    if nature is Nature.REVERSE:
        words |= {"＜＝"}
    return sorted(words, key=lambda w: (len(w), w))


def _tier_words(pack: RulePack, index: int) -> list[str]:
    tier = pack.tiers[index]
    return [tier.name, *tier.synonyms]


def _tier_fraction(pack: RulePack, index: int) -> float:
    tier = pack.tiers[index]
    return {"upper": tier.high, "lower": tier.low, "middle": (tier.low + tier.high) / 2}[pack.tier_score]


def _num(x: float) -> str:
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


def qualitative_fraction(target: str, actual: str, pack: RulePack) -> str:
    """Fraction of 分值 a 定性 actual earns: tier text → the pack's point in the band; number → itself."""
    a = f"TRIM({actual})"
    tiers = (
        f"IF(OR({a}=TRIM({target}),{_any_equal(a, _tier_words(pack, 0))}),{_num(_tier_fraction(pack, 0))},"
        f"IF({_any_equal(a, _tier_words(pack, 1))},{_num(_tier_fraction(pack, 1))},"
        f"IF({_any_equal(a, _tier_words(pack, 2))},{_num(_tier_fraction(pack, 2))},{ERR_VALUE})))"
    )
    degree = f"IF({actual}<0,{ERR_NUM},IF({actual}>1,{ERR_VALUE},{actual}))"
    return f"IF({actual}=\"\",{ERR_NA},IF(ISNUMBER({actual}),{degree},{tiers}))"


def score(nature: str, target: str, actual: str, weight: str, pack: RulePack) -> str:
    n = f"TRIM({nature})"
    t, w = target, weight
    a = f"MAX({actual},0)"
    positive = f"IF({a}>={t},{w},{w}*{a}/{t})"
    if pack.reverse_method == "linear":
        reverse_short = f"{w}*MAX(0,1-({a}-{t})/{t})"
    else:
        reverse_short = f"{w}*{t}/{a}"
    reverse = f"IF({a}<={t},{w},IF({t}=0,0,{reverse_short}))"
    equal = f"IF({t}=0,IF({a}<=0,{w},0),{positive})"
    is_pos = _any_equal(n, ["", *_nature_words(Nature.POSITIVE)])
    is_rev = _any_equal(n, _nature_words(Nature.REVERSE))
    is_eq = _any_equal(n, _nature_words(Nature.EQUAL))
    is_qual = _any_equal(n, _nature_words(Nature.QUALITATIVE))
    quantitative = (
        f"IF(OR({target}=\"\",{actual}=\"\"),{ERR_NA},"
        f"IF(OR(NOT(ISNUMBER({t})),NOT(ISNUMBER({actual}))),{ERR_VALUE},"
        f"IF({t}<0,{ERR_NUM},"
        f"ROUND(IF({is_pos},{positive},IF({is_rev},{reverse},{equal})),2))))"
    )
    return (
        f"IF({weight}=\"\",{ERR_NA},IF(NOT(ISNUMBER({w})),{ERR_VALUE},IF({w}<0,{ERR_NUM},"
        f"IF({is_qual},ROUND({w}*{qualitative_fraction(target, actual, pack)},2),"
        f"IF(OR({is_pos},{is_rev},{is_eq}),{quantitative},{ERR_VALUE})))))"
    )


def _number(expr: str, then: str, *, blank: str = ERR_NA, negative: str | None = ERR_NUM) -> str:
    """Check a typed number as the core's parse does: blank → ``blank``, text → #VALUE!,
    below zero → ``negative`` (None: allowed); else ``then``."""
    checked = then if negative is None else f"IF({expr}<0,{negative},{then})"
    return f"IF({expr}=\"\",{blank},IF(NOT(ISNUMBER({expr})),{ERR_VALUE},{checked}))"


def rate(budget: str, spent: str, pack: RulePack) -> str:
    division = _number(spent, f"{spent}/{budget}")
    return _number(budget, f"IF({budget}=0,{ERR_DIV0},IF({budget}<0,{ERR_NUM},{division}))",
                   blank=ERR_DIV0, negative=None)


def rate_score(budget: str, spent: str, weight: str, pack: RulePack) -> str:
    if re.fullmatch(r"[0-9.]+", weight):  # the pack's own number, baked in
        return f"ROUND(MIN({rate(budget, spent, pack)},1)*{weight},2)"
    # a blank 分值 cell takes the pack's, as JX_RATE_SCORE does; the weight is checked first, as there
    w = f"IF({weight}=\"\",{_num(pack.rate_weight)},{weight})"
    return _number(w, f"ROUND(MIN({rate(budget, spent, pack)},1)*{w},2)")


def grade(total: str, pack: RulePack) -> str:
    t = f"ROUND({total},2)"
    expr = _q(pack.grades[-1].grade)
    for band in reversed(pack.grades[:-1]):
        expr = f"IF({t}>={_num(band.min)},{_q(band.grade)},{expr})"
    return _number(total, expr, negative=None)


def rate_cap(rate_expr: str, pack: RulePack) -> str:
    expr = "9.99E+307"
    for cap in sorted(pack.caps, key=lambda c: c.below, reverse=True):
        expr = f"IF({rate_expr}<{_num(cap.below)},{_num(cap.max_total)},{expr})"
    return expr


def total(scores: str, deduction: str, rate_expr: str, pack: RulePack) -> str:
    base = f"SUMPRODUCT(ROUND({scores},2))"
    if deduction:
        d = deduction
        if pack.deduction_max:
            d = f"IF({deduction}>{_num(pack.deduction_max)},{ERR_NUM},{deduction})"
        base = f"{base}-{_number(deduction, d, blank='0')}"
    expr = f"ROUND(MAX(0,{base}),2)"
    if pack.caps and rate_expr:
        capped = f"MIN({expr},{rate_cap(rate_expr, pack)})"
        expr = f"IF({rate_expr}=\"\",{expr},IF(NOT(ISNUMBER({rate_expr})),{ERR_VALUE},{capped}))"
    return expr


WEIGHT_TOL = "IF(ABS({e})>1.5,0.005,0.00005)"  # twin of core.scoring.weight_tolerance


def weight_status(weights: str, expected: str, pack: RulePack) -> str:
    s = f"ROUND(SUMPRODUCT({weights}*1),4)"
    tol = WEIGHT_TOL.format(e=expected)
    percent = f"ABS({expected})<=1.5"  # weights kept as fractions are shown as percentages
    shown = f'IF({percent},{as_text(f"ROUND({s}*100,2)")}&"%",{as_text(s)})'
    wanted = f'IF({percent},{as_text(f"ROUND({expected}*100,2)")}&"%",{as_text(expected)})'
    status = (
        f"IF(ABS({s}-{expected})<={tol},\"权重合计 \"&{shown}&\"，符合要求\","
        f"\"权重合计 \"&{shown}&\"，应为 \"&{wanted})"
    )
    return f"IF(ISERROR({s}),{s},{_number(expected, status, negative=None)})"


def qual_check(actual: str, score_expr: str, weight: str, target: str, pack: RulePack) -> str:
    """TRUE when a typed 定性 score lies within the band of the tier its actual value names
    (a tier word, the target text, or a degree 0–1); checks in the core's order: the actual
    value's tier, then 分值, then 得分."""
    a = f"TRIM({actual})"
    target = target or '""'
    tol = _num(pack.tolerance)

    def band(i: int) -> str:
        tier = pack.tiers[i]
        inside = (f"AND({score_expr}>=ROUND({_num(tier.low)}*{weight},2)-{tol},"
                  f"{score_expr}<=ROUND({_num(tier.high)}*{weight},2)+{tol})")
        return _number(weight, _number(score_expr, inside, negative=None))

    by_degree = (f"IF({actual}>1,{ERR_VALUE},IF({actual}<0,{ERR_NUM},"
                 f"IF({actual}>={_num(pack.tiers[0].low)},{band(0)},"
                 f"IF({actual}>={_num(pack.tiers[1].low)},{band(1)},{band(2)}))))")
    by_word = (
        f"IF(OR({a}=TRIM({target}),{_any_equal(a, _tier_words(pack, 0))}),{band(0)},"
        f"IF({_any_equal(a, _tier_words(pack, 1))},{band(1)},"
        f"IF({_any_equal(a, _tier_words(pack, 2))},{band(2)},{ERR_VALUE})))"
    )
    return f"IF({actual}=\"\",{ERR_NA},IF(ISNUMBER({actual}),{by_degree},{by_word}))"


def quality(actual: str, excellent: str, good: str, fair: str, poor: str, pack: RulePack) -> str:
    """完成质量 over typed numbers: standards falling from 优 to 中 are lower bounds, rising ones
    upper bounds; a text 完成值 must equal one standard's text. Text standards such as "95%以上"
    need the JX_ function (plain formulas cannot read them in every spreadsheet)."""
    words = [_q(band.grade) for band in pack.grades]
    if len(words) != 4:
        return ERR_VALUE
    standards = [excellent, good, fair, poor]
    a = actual
    text_match = ERR_VALUE
    for s, word in reversed(list(zip(standards, words, strict=True))):
        text_match = f"IF(AND({s}<>\"\",TRIM({a})=TRIM({s})),{word},{text_match})"

    def ladder(op: str) -> str:
        return (f"IF({a}{op}{excellent},{words[0]},IF({a}{op}{good},{words[1]},"
                f"IF({a}{op}{fair},{words[2]},{words[3]})))")

    numeric = (
        f"IF(OR({excellent}=\"\",{good}=\"\",{fair}=\"\"),{ERR_NA},"
        f"IF(NOT(AND(ISNUMBER({a}),ISNUMBER({excellent}),ISNUMBER({good}),ISNUMBER({fair}))),{ERR_VALUE},"
        f"IF({excellent}>={fair},{ladder('>=')},{ladder('<=')})))"
    )
    errors = "".join(f"IF(ISERROR({x}),{x}," for x in [a, *standards])
    return f"{errors}IF({a}=\"\",{ERR_NA},IF(ISTEXT({a}),{text_match},{numeric})){')' * (len(standards) + 1)}"
