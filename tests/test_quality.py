"""JX_QUALITY: an indicator's 完成质量 from its four 绩效标准 (seed 004), held to a plain oracle."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.errors import ExcelError
from jixiao.functions import REGISTRY

JX_QUALITY = REGISTRY["JX_QUALITY"].func
GRADES = ["优", "良", "中", "差"]
SEED_SATISFACTION = ["满意度95%以上", "满意度90%以上", "满意度80%以上", "满意度70%以上"]


def test_seed_004_satisfaction_is_liang() -> None:
    assert JX_QUALITY(92.97, *SEED_SATISFACTION) == "良"  # the seed's 完成质量
    assert JX_QUALITY("92.97%", *SEED_SATISFACTION) == "良"
    assert JX_QUALITY(0.9297, *SEED_SATISFACTION) == "良"


@pytest.mark.parametrize(("actual", "want"), [
    (0.95, "优"), (0.9, "优"), (0.8999, "良"), (0.8, "良"), (0.7999, "中"), (0.6, "中"), (0.5999, "差"), (0, "差"),
])
def test_seed_004_banded_standards_take_the_better_grade_on_a_boundary(actual: float, want: str) -> None:
    standards = ["M≥90%以上", "80%≤M<90%为良", "60%≤M<80%", "M<60%"]
    assert JX_QUALITY(actual, *standards) == want


def test_seed_004_target_style_standards() -> None:
    standards = ["100%", "85%以上", "70%以上", "70%以下"]
    assert [JX_QUALITY(a, *standards) for a in ("100%", "90%", "85%", "72%", "69%")] == ["优", "良", "良", "中", "差"]


def test_text_completion_equal_to_a_standard_takes_its_grade() -> None:
    standards = ["能圆满完成计划", "基本完成计划", "部分完成计划", "未完成计划"]
    assert [JX_QUALITY(s, *standards) for s in standards] == GRADES
    assert JX_QUALITY(" 基本完成 计划", *standards) == "良"  # white space and full width do not matter
    err = JX_QUALITY(1.0, *standards)
    assert isinstance(err, ExcelError) and err.code == "#VALUE!" and "没有数值" in err.message


@pytest.mark.parametrize(("args", "code"), [
    ((None, *SEED_SATISFACTION), "#N/A"),
    (("", *SEED_SATISFACTION), "#N/A"),
    (("很好", *SEED_SATISFACTION), "#VALUE!"),
    ((True, *SEED_SATISFACTION), "#VALUE!"),
    ((0.9, "", "90%以上", "80%以上", ""), "#N/A"),
    ((0.9, "95%以上", "90%以上", "80%至85%至90%", ""), "#VALUE!"),  # three numbers: unreadable
    ((0.87, "M≥90%", "80%≤M<85%", "60%≤M<80%", "M<60%"), "#N/A"),  # a gap between 良 and 优
    ((ExcelError("#DIV/0!"), *SEED_SATISFACTION), "#DIV/0!"),
    ((0.9, "95%以上", ExcelError("#REF!"), "80%以上", ""), "#REF!"),
    ((0.9, *SEED_SATISFACTION, "no-such-pack"), "#VALUE!"),
])
def test_bad_input_is_an_error_value(args: tuple, code: str) -> None:
    result = JX_QUALITY(*args)
    assert isinstance(result, ExcelError) and result.code == code, result
    assert code in ("#DIV/0!", "#REF!") or result.message  # our own errors explain themselves


def test_grade_words_come_from_the_rule_pack(tmp_path: Path) -> None:
    pack = tmp_path / "words.yaml"
    pack.write_text("id: words\nextends: cz2020-10\nname: 等级用词\ngrades:\n"
                    "  - {min: 90, grade: 优秀}\n  - {min: 80, grade: 良好}\n"
                    "  - {min: 60, grade: 中等}\n  - {min: null, grade: 较差}\n", encoding="utf-8")
    assert JX_QUALITY(92.97, *SEED_SATISFACTION, str(pack)) == "良好"
    assert JX_QUALITY(50, *SEED_SATISFACTION, str(pack)) == "较差"
    three = tmp_path / "three.yaml"
    three.write_text("id: three\nextends: cz2020-10\nname: 三档\ngrades:\n"
                     "  - {min: 90, grade: 优}\n  - {min: 60, grade: 合格}\n  - {min: null, grade: 不合格}\n",
                     encoding="utf-8")
    result = JX_QUALITY(92.97, *SEED_SATISFACTION, str(three))
    assert isinstance(result, ExcelError) and result.code == "#VALUE!" and "四档" in result.message


# ---------------------------------------------------------------- properties
def _oracle(value: float, thresholds: list[float], rising: bool) -> str:
    for grade, t in zip(GRADES, thresholds, strict=False):
        if (value <= t) if rising else (value >= t):
            return grade
    return "差"


percent_points = st.integers(1, 999).map(lambda x: x / 10)  # 0.1 … 99.9 (one decimal, as forms print)
LOWER_FORMS = ["{t}%以上", "满意度{t}%以上", "M≥{t}%", "≥{t}%", "不低于{t}%", "{t}%", "M≥{t}%以上", "{t}%及以上"]


@settings(max_examples=400, deadline=None)
@given(st.lists(percent_points, min_size=3, max_size=3, unique=True), st.floats(0, 120).map(lambda x: round(x, 2)),
       st.sampled_from(LOWER_FORMS), st.sampled_from(["fraction", "points", "text"]))
def test_lower_bound_standards_match_the_oracle(thresholds, points, form, actual_as):
    t = sorted(thresholds, reverse=True)
    standards = [form.format(t=x) for x in t] + ["其他"]
    actual = {"fraction": points / 100, "points": points, "text": f"{points}%"}[actual_as]
    if (actual_as == "points" and points <= 1) or (actual_as == "fraction" and points > 100):
        return  # against a %, a bare number ≤ 1 is a fraction, one above 1 percentage points (as JX_SCORE)
    assert JX_QUALITY(actual, *standards) == _oracle(points / 100, [x / 100 for x in t], rising=False)


@settings(max_examples=400, deadline=None)
@given(st.lists(percent_points, min_size=3, max_size=3, unique=True), st.floats(0, 100).map(lambda x: round(x, 2)))
def test_two_sided_bands_match_the_oracle(thresholds, points):
    t1, t2, t3 = sorted(thresholds, reverse=True)
    standards = [f"M≥{t1}%", f"{t2}%≤M<{t1}%为良", f"{t3}%≤M<{t2}%", f"M<{t3}%"]
    assert JX_QUALITY(points / 100, *standards) == _oracle(points / 100, [t1 / 100, t2 / 100, t3 / 100], False)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.floats(0, 10).map(lambda x: round(x, 2)), min_size=3, max_size=3, unique=True),
       st.floats(0, 12).map(lambda x: round(x, 2)), st.booleans())
def test_numbers_falling_are_floors_and_rising_are_ceilings(thresholds, value, rising):
    t = sorted(thresholds, reverse=not rising)
    assert JX_QUALITY(value, *t, None) == _oracle(value, t, rising)
    if rising:  # less is better, written out: "不超过0.36" …
        assert JX_QUALITY(value, *[f"不超过{x}" for x in t], f"高于{t[2]}") == _oracle(value, t, True)


@settings(max_examples=300, deadline=None)
@given(st.lists(percent_points, min_size=3, max_size=3, unique=True),
       st.lists(st.floats(0, 1).map(lambda x: round(x, 4)), min_size=2, max_size=2))
def test_a_better_value_never_gets_a_worse_grade(thresholds, values):
    standards = [f"{x}%以上" for x in sorted(thresholds, reverse=True)] + [""]
    low, high = sorted(values)
    assert GRADES.index(JX_QUALITY(high, *standards)) <= GRADES.index(JX_QUALITY(low, *standards))
