"""Words as people write them come from the rule pack (grades, 定性 tiers, 指标性质, units), and a
pack that extends another adds words without repeating them; the loader refuses malformed lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core import scoring
from jixiao.core.parsing import Nature
from jixiao.errors import JXError, RulePackError
from jixiao.rulepacks import load_pack
from jixiao.validation.rules.context import nature_word


def _pack(tmp_path: Path, body: str, name: str = "words-test") -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(f"id: {name}\nextends: cz2020-10\nname: 测试\n{body}", encoding="utf-8")
    return p


@pytest.mark.parametrize("typed, grade", [("优秀", "优"), ("良好", "良"), ("中等", "中"), ("合格", "中"),
                                          ("较差", "差"), ("优", "优"), ("很好", None)])
def test_grade_words(typed, grade):
    assert load_pack().grade_of_word(typed) == grade


@pytest.mark.parametrize("typed, tier", [("达成预期", "达成"), ("达到预期", "达成"), ("基本达到预期", "部分达成"),
                                         ("未达到预期", "未达成")])
def test_tier_everyday_words(typed, tier):
    assert scoring.qualitative_tier(typed, "逐步提高", load_pack())[0].name == tier


def test_unknown_tier_word_is_a_finding_not_a_guess():
    with pytest.raises(JXError, match="应为 达成、部分达成、未达成 之一"):
        scoring.qualitative_tier("差不多吧", "逐步提高", load_pack())


def test_extending_pack_adds_words_and_keeps_the_base_ones(tmp_path):
    pack = load_pack(_pack(tmp_path, "words:\n  tiers:\n    达成: [圆满达成]\n  natures:\n    反向: [少即是好]\n"
                                     "  units:\n    公里: [千米, km]\n"))
    assert scoring.qualitative_tier("圆满达成", "有效提升", pack)[0].name == "达成"
    assert scoring.qualitative_tier("达成预期", "有效提升", pack)[0].name == "达成"  # from cz2020-10
    assert nature_word("少即是好", pack) is Nature.REVERSE and nature_word("越小越好", pack) is Nature.REVERSE
    assert scoring.indicator_score("≥", "100千米", "80公里", 10, pack) == 8.0
    with pytest.raises(JXError):
        nature_word("少即是好", load_pack())


@pytest.mark.parametrize("body, key", [
    ("words:\n  natures:\n    正常: [x]\n", "words.natures.正常"),
    ("words:\n  units:\n    万元: 万\n", "words.units.万元"),
    ("words:\n  tiers:\n    全部达成: [x]\n", "words.tiers.全部达成"),
    ("words:\n  colours: {}\n", "words"),
    ("grades:\n  - {min: 90, grade: 优, synonyms: [1]}\n  - {min: null, grade: 差}\n", "synonyms"),
])
def test_malformed_word_lists_are_refused(tmp_path, body, key):
    with pytest.raises(RulePackError, match=key):
        load_pack(_pack(tmp_path, body))


@given(st.floats(0.01, 1e4), st.floats(0, 1e4), st.floats(1, 50), st.sampled_from(["≥", "≤", "＝"]))
def test_unit_synonym_scores_as_its_canonical_unit(target, actual, weight, nature):
    pack = load_pack()
    t, a = f"{target:.2f}万元", f"{actual:.2f}"
    assert scoring.indicator_score(nature, t, a + "万", weight, pack) == \
        scoring.indicator_score(nature, t, a + "万元", weight, pack)


@pytest.mark.parametrize("typed, grade", [("优秀", "优"), ("优等", "优"), ("良好（85分）", "良"), ("等级：中等", "中"),
                                          ("评价等级:较差", "差"), ("A级", "优"), ("优良", None)])
def test_grade_cell_words(typed, grade):
    from jixiao.validation.rules.totals import grade_word

    assert grade_word(typed, load_pack()) == grade
