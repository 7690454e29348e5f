"""The pure scoring core: the seeds' own numbers, each rule of domain.md, and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from jixiao.core import parsing, scoring
from jixiao.core.parsing import Nature
from jixiao.errors import JXError
from jixiao.rulepacks import load_pack

PACK = load_pack()
LINEAR = load_pack("reverse-linear")
Q8060 = load_pack("qual-80-60")


# ---------------------------------------------------------------- seed acceptance
def test_seed_001_rate_score_and_total():
    assert scoring.execution_rate(87.65, 86.54) == pytest.approx(0.98733599, abs=1e-8)
    assert scoring.rate_score(87.65, 86.54, 10, PACK) == 9.87
    scores = [9.87, 25, 25, 15, 15, 10]
    assert scoring.total_score(scores, pack=PACK) == 99.87
    assert scoring.grade(99.87, PACK) == "优"


def test_seed_001_reverse_target_is_met():
    # The public checker's bug: this 反向 target, met, must score full marks.
    assert scoring.indicator_score("", "不超过87.65万元", "86.54万元", 25, PACK) == 25


def test_seed_000_fubiao1_total_and_grade():
    scores = [6, 5, 6, 2, 10, 4, 6, 3, 6, 3, 8, 8, 10, 7, 7]
    total = scoring.total_score(scores, deduction=None, pack=load_pack("sichuan-dafen"))
    assert total == 91
    assert scoring.grade(total, PACK) == "优"


def test_seed_000_fubiao2_weights_total_90_percent():
    weights = ["5%"] * 8 + ["10%"] * 5
    check = scoring.weight_check(weights, 0.9)
    assert check.ok and check.total == 0.9


@pytest.mark.parametrize(("args", "expected"), [
    (("≥", "80%", "85%", 10), 10),
    (("≥", 90, 72, 10), 8),
    (("≤", 4000, 5000, 10), 8),
    (("＝", 100, 100, 5), 5),
    (("定性", "逐步提高", "逐步提高", 10), 10),
    (("", "≥95%", "97", 10), 10),  # 97 beside a percentage reads as 97%
    (("", "≥95%", 0.9, 10), 9.47),
    (("", "≥50个", "40个", 10), 8),
    (("≧", "１００％", "８０％", 10), 8),  # full-width digits and symbols
    ((">=", "5%", 0.04, "6分"), 4.8),
    (("", "不超过90万元", "900000元", 10), 10),  # money units convert
])
def test_examples(args, expected):
    assert scoring.indicator_score(*args, PACK) == expected


def test_grades_from_issue():
    assert [scoring.grade(x, PACK) for x in (91, 89.99, 73.24, 59.99, 90, 80, 60)] == [
        "优", "良", "中", "差", "优", "良", "中"]
    assert scoring.grade(89.995, PACK) == "优"  # graded on the rounded total


# ---------------------------------------------------------------- parsing
@pytest.mark.parametrize(("text", "value", "unit"), [
    ("87.65万元", 87.65, "万元"), ("6分", 6, "分"), ("5%", 0.05, "%"), ("≥95%", 0.95, "%"),
    ("不低于 1,234 个", 1234, "个"), ("91分", 91, "分"), ("２０２５年", 2025, "年"), ("-3", -3, ""),
    ("约10家", 10, "家"), ("90万元以内", 90, "万元"),
])
def test_parse_quantity(text, value, unit):
    q = parsing.parse_quantity(text)
    assert q.value == pytest.approx(value) and q.unit == unit


@pytest.mark.parametrize("text", ["逐步提高", "abc", "10-20家", "—"])
def test_unparseable_is_an_error_not_zero(text):
    with pytest.raises(JXError) as info:
        parsing.parse_quantity(text)
    assert info.value.code in ("#VALUE!", "#N/A")


@pytest.mark.parametrize(("target", "nature"), [
    ("≥50个", Nature.POSITIVE), ("≤90万元", Nature.REVERSE), ("100%", Nature.POSITIVE),
    ("不低于95%", Nature.POSITIVE), ("不超过年度预算87.65万元", Nature.REVERSE),
    ("逐步提高", Nature.QUALITATIVE), ("有效提升", Nature.QUALITATIVE), ("达到预期", Nature.QUALITATIVE),
    ("=100%", Nature.EQUAL), ("＝0起", Nature.EQUAL), ("控制在90万元以内", Nature.REVERSE),
    ("90万元以内", Nature.REVERSE), ("5次以上", Nature.POSITIVE), (">=3次", Nature.POSITIVE),
    ("≦3次", Nature.REVERSE), (95, Nature.POSITIVE),
])
def test_infer_nature(target, nature):
    assert parsing.infer_nature(target) is nature


@pytest.mark.parametrize("nature", ["正", "?", "大概"])
def test_unknown_nature_is_an_error(nature):
    with pytest.raises(JXError):
        scoring.indicator_score(nature, 10, 10, 10, PACK)


def test_mismatched_units_are_an_error():
    with pytest.raises(JXError, match="单位不一致"):
        scoring.indicator_score("≥", "10家", "10次", 5, PACK)


# ---------------------------------------------------------------- 执行率
def test_zero_or_empty_budget_is_not_computable():
    for budget in (0, "", None, "0万元"):
        with pytest.raises(JXError) as info:
            scoring.execution_rate(budget, 5)
        assert info.value.code == "#DIV/0!"


def test_over_execution_is_capped_at_full_marks():
    assert scoring.rate_score(100, 120, 10, PACK) == 10


# ---------------------------------------------------------------- 反向 methods, 等于, 定性
def test_reverse_methods():
    assert scoring.indicator_score("≤", 100, 125, 10, PACK) == 8  # ratio 100/125
    assert scoring.indicator_score("≤", 100, 125, 10, LINEAR) == 7.5  # 1 - 25/100
    assert scoring.indicator_score("≤", 100, 200, 10, LINEAR) == 0
    assert scoring.indicator_score("≤", 100, 0, 10, PACK) == 10  # 0 always meets ≤


def test_equal_with_zero_target():
    assert scoring.indicator_score("＝", 0, 0, 5, PACK) == 5
    assert scoring.indicator_score("＝", 0, 1, 5, PACK) == 0
    assert scoring.indicator_score("＝", 0, -3, 5, PACK) == 5  # negative actual counts as 0


def test_qualitative_tiers_and_bands():
    assert scoring.indicator_score("定性", "逐步提高", "部分达成", 10, PACK) == 8
    assert scoring.indicator_score("定性", "逐步提高", "未达成", 10, PACK) == 5
    assert scoring.indicator_score("定性", "逐步提高", "85%", 10, PACK) == 8.5
    assert scoring.qualitative_band("部分达成", "逐步提高", 10, PACK) == (5, 8)
    assert scoring.qualitative_band("部分达成", "逐步提高", 10, Q8060) == (6, 8)
    assert scoring.qualitative_ok("达成", 8, 10, PACK)
    assert not scoring.qualitative_ok("达成", 7.5, 10, PACK)
    assert not scoring.qualitative_ok("部分达成", 5.5, 10, Q8060)
    with pytest.raises(JXError):
        scoring.indicator_score("定性", "逐步提高", "还行吧", 10, PACK)


def test_total_with_deduction_cap_and_floor():
    fb1 = load_pack("sichuan-dafen")
    assert scoring.total_score([50, 30], deduction=5, pack=fb1) == 75
    assert scoring.total_score([3], deduction=5, pack=fb1) == 0  # floored at 0
    with pytest.raises(JXError):
        scoring.total_score([50], deduction=11, pack=fb1)  # 扣分项 at most 10
    caps = load_pack("rate-caps")
    assert scoring.total_score([9, 85], rate=0.75, pack=caps) == 89
    assert scoring.total_score([9, 85], rate=0.45, pack=caps) == 59
    assert scoring.total_score([9, 85], rate=0.95, pack=caps) == 94
    assert scoring.total_score([9, 85], rate=0.45, pack=PACK) == 94  # no caps by default


def test_round_half_up_matches_excel():
    assert [scoring.round_half_up(x) for x in (0.285, 2.675, 1.005, 8.125, -2.675)] == [
        0.29, 2.68, 1.01, 8.13, -2.68]


# ---------------------------------------------------------------- properties
amount = st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2))
weight = st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 2))
any_pack = st.sampled_from([PACK, LINEAR, Q8060, load_pack("hubei")])


@given(st.sampled_from(["≥", "≤", "＝"]), amount, amount, weight, any_pack)
def test_score_between_zero_and_weight(nature, target, actual, w, pack):
    s = scoring.indicator_score(nature, target, actual, w, pack)
    assert 0 <= s <= w


@given(amount.filter(lambda t: t > 0), amount, amount, weight)
def test_positive_is_monotone_in_actual(target, a1, a2, w):
    lo, hi = sorted((a1, a2))
    assert scoring.indicator_score("≥", target, lo, w, PACK) <= scoring.indicator_score("≥", target, hi, w, PACK)


@given(amount, amount, amount, weight, st.sampled_from([PACK, LINEAR]))
def test_reverse_is_antitone_in_actual(target, a1, a2, w, pack):
    lo, hi = sorted((a1, a2))
    assert scoring.indicator_score("≤", target, lo, w, pack) >= scoring.indicator_score("≤", target, hi, w, pack)


@given(amount.filter(lambda t: t > 0), amount, weight)
def test_meeting_the_target_scores_full(target, extra, w):
    assert scoring.indicator_score("≥", target, target + extra, w, PACK) == scoring.round_half_up(w)
    assert scoring.indicator_score("≤", target + extra, target, w, PACK) == scoring.round_half_up(w)


@given(amount.filter(lambda t: t > 0), amount, weight)
def test_positive_is_proportional(target, actual, w):
    expected = w if actual >= target else w * actual / target
    assert math.isclose(scoring.indicator_score("≥", target, actual, w, PACK), expected, abs_tol=0.005 + 1e-9)


@given(st.floats(min_value=0.01, max_value=1e6).map(lambda x: round(x, 2)), amount, weight)
def test_rate_score_is_min_rate_times_weight(budget, spent, w):
    expected = min(spent / budget, 1) * w
    assert math.isclose(scoring.rate_score(budget, spent, w, PACK), expected, abs_tol=0.005 + 1e-9)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_grade_bands(total):
    t = scoring.round_half_up(total)
    expected = "优" if t >= 90 else "良" if t >= 80 else "中" if t >= 60 else "差"
    assert scoring.grade(total, PACK) == expected


@given(st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False), st.integers(0, 4))
def test_round_half_up_is_within_half_a_unit(x, digits):
    r = scoring.round_half_up(x, digits)
    assert abs(r - x) <= 0.5 * 10 ** -digits + 1e-9 * max(1, x)


@given(st.sampled_from(["≥", "≤", "＝"]), amount, amount, weight)
def test_text_with_units_scores_like_numbers(nature, target, actual, w):
    as_text = scoring.indicator_score(nature, f"{target}万元", f"{actual}万元", f"{w}分", PACK)
    assert as_text == scoring.indicator_score(nature, target, actual, w, PACK)


# ---------------------------------------------------------------- fast paths agree with the plain rule
_BLANKISH = st.text(alphabet=st.sampled_from(list(" \t\n\u3000\u00a0-—/／－_0a表")), max_size=8)


@given(st.one_of(_BLANKISH, st.text(max_size=12)))
@example("— —")
@example(" \u3000／ ")
@example("－ －")
def test_is_blank_is_the_normalised_placeholder_rule(text):
    # is_blank skips normalising long text; it must agree with normalising everything.
    assert parsing.is_blank(text) == (parsing.normalize_text(text) in ("", "-", "—", "/", "／", "——"))


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
       st.integers(min_value=-3, max_value=20))
@example(15.0, -1)
@example(1234.0, -2)
@example(0.1 + 0.2, 20)
def test_round_half_up_fast_path_agrees_with_decimal(x, digits):
    from decimal import ROUND_HALF_UP, Context, Decimal

    for value in (x, float(round(x)), round(x, 2), round(x, digits), round(x, 1) + 0.005):  # fast paths and the general one
        want = float(Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP,
                                                       context=Context(prec=100)))
        assert scoring.round_half_up(value, digits) == want


@given(st.text(alphabet=st.sampled_from(list("≥≤<>=＝≧不低于超过高大少多小等控制在达到定性正反向指标95%万元 ")), max_size=10))
def test_split_comparison_takes_the_longest_word(text):
    nature, rest = parsing.split_comparison(text)
    words = [w for w in parsing._NATURE_WORDS if text.startswith(w)]
    if not words:
        assert (nature, rest) == (None, text)
    else:
        longest = max(words, key=len)
        assert (nature, rest) == (parsing._NATURE_WORDS[longest], text[len(longest):])
