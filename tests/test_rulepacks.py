"""Rule packs: every shipped variant loads and changes what it should; bad packs say where."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from jixiao.core import scoring
from jixiao.errors import RulePackError
from jixiao.functions import JX_GRADE, JX_RATE_SCORE, JX_SCORE, JX_TOTAL
from jixiao.rulepacks import BUILTIN_DIR, available_packs, load_pack

SHIPPED = ["cz2020-10", "hubei", "qual-80-60", "rate-caps", "reverse-linear", "sichuan", "sichuan-dafen"]


def test_every_shipped_pack_loads():
    assert set(SHIPPED) <= set(available_packs())
    for name in SHIPPED:
        pack = load_pack(name)
        assert pack.id == name
        assert pack.rate_weight + pack.indicator_weight == pack.total


def test_default_pack_is_10_plus_90():
    pack = load_pack()
    assert (pack.rate_weight, pack.indicator_weight, pack.reverse_method) == (10, 90, "ratio")
    assert dict(pack.split) == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}


def test_hubei_is_20_plus_80():
    pack = load_pack("hubei")
    assert (pack.rate_weight, pack.indicator_weight) == (20, 80)
    # JX_RATE_SCORE takes its default 分值 from the pack.
    assert JX_RATE_SCORE(100, 90, None, "hubei") == 18
    assert JX_RATE_SCORE(100, 90) == 9


def test_sichuan_reason_rule_and_denominator():
    pack = load_pack("sichuan")
    assert pack.reason_required_below == 0.9
    assert pack.rate_denominator == "调整后预算数"
    assert load_pack().reason_required_below is None


def test_sichuan_dafen_has_54_30_16_and_deduction():
    pack = load_pack("sichuan-dafen")
    assert dict(pack.split) == {"通用指标": 54, "专用指标": 30, "个性指标": 16}
    assert pack.deduction_max == 10
    assert JX_TOTAL([60, 30], 10, None, "sichuan-dafen") == 80
    assert JX_TOTAL([60, 30], 12, None, "sichuan-dafen") == "#NUM!"


def test_reverse_linear_changes_reverse_scores_only():
    assert JX_SCORE("≤", 4000, 5000, 10) == 8
    assert JX_SCORE("≤", 4000, 5000, 10, "reverse-linear") == 7.5
    assert JX_SCORE("≥", 90, 72, 10, "reverse-linear") == 8


def test_qual_80_60_moves_the_band():
    assert scoring.qualitative_band("部分达成", "", 10, load_pack("qual-80-60")) == (6, 8)
    assert scoring.qualitative_band("未达成", "", 10, load_pack("qual-80-60")) == (0, 6)


def test_rate_caps():
    assert JX_TOTAL([9.5, 88], None, 0.79, "rate-caps") == 89
    assert JX_TOTAL([9.5, 88], None, 0.79) == 97.5
    assert load_pack("rate-caps").reason_over_ratio == 1.3


def test_grades_are_data():
    assert JX_GRADE(89.99) == "良"


def test_user_pack_directory(tmp_path, monkeypatch):
    (tmp_path / "my-city.yaml").write_text(textwrap.dedent("""
        id: my-city
        extends: cz2020-10
        name: 某市 2026
        grades:
          - {min: 95, grade: 优}
          - {min: 85, grade: 良}
          - {min: 60, grade: 中}
          - {min: null, grade: 差}
    """), encoding="utf-8")
    monkeypatch.setenv("JIXIAO_RULEPACKS", str(tmp_path))
    assert "my-city" in available_packs()
    assert JX_GRADE(91, "my-city") == "良"
    assert JX_GRADE(91, str(tmp_path / "my-city.yaml")) == "良"


def _write(tmp_path, body: str, name: str = "bad"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _base() -> dict:
    return yaml.safe_load((BUILTIN_DIR / "cz2020-10.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("mutate", "key"), [
    (lambda d: d["weights"].update(rate="十"), "weights.rate"),
    (lambda d: d["weights"].update(rate=20), "weights"),  # 20 + 90 ≠ 100
    (lambda d: d["scoring"].update(reverse_method="ratioo"), "scoring.reverse_method"),
    (lambda d: d["qualitative"]["tiers"][1].update(low=0.9), "qualitative.tiers[1]"),
    (lambda d: d["grades"].reverse(), "grades"),
    (lambda d: d["rate"].update(caps=[{"below": 0.8}]), "rate.caps[0]"),
    (lambda d: d.pop("grades"), "grades"),
    (lambda d: d.update(colour="red"), "colour"),
    (lambda d: d["deviation"].update(reason_below_full="yes"), "deviation.reason_below_full"),
    (lambda d: d["weights"].update(split=[{"name": "产出指标", "points": 80}]), "weights.split"),
])
def test_malformed_pack_names_file_and_key(tmp_path, mutate, key):
    data = _base()
    data["id"] = "bad"
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    message = str(info.value)
    assert str(path) in message
    assert f": {key}:" in message


def test_unreadable_and_unknown_packs(tmp_path):
    with pytest.raises(RulePackError, match="unknown rule pack"):
        load_pack("no-such-pack")
    bad = _write(tmp_path, "id: [unclosed\n")
    with pytest.raises(RulePackError, match="cannot read"):
        load_pack(bad)
    loop = _write(tmp_path, "id: loop\nextends: loop\n", name="loop")
    with pytest.raises(RulePackError, match="circular"):
        load_pack(loop)
    wrong_id = _write(tmp_path, "id: other\nextends: cz2020-10\nname: x\n", name="mine")
    with pytest.raises(RulePackError, match="mine.yaml: id:"):
        load_pack(wrong_id)


def test_a_bad_pack_in_a_cell_is_an_error_value_not_a_crash():
    result = JX_SCORE("≥", 1, 1, 1, "no-such-pack")
    assert result == "#VALUE!" and "规则包" in result.message


@pytest.mark.parametrize(("body", "key", "hint"), [
    ("scoring: {reverse_methd: linear}\n", "scoring.reverse_methd", "scoring.reverse_method"),
    ("deviation: {reason_below_ful: true}\n", "deviation.reason_below_ful", "deviation.reason_below_full"),
    ("rate: {caps: [{below: 0.6, max_total: 80, maxtotal: 1}]}\n", "rate.caps[0].maxtotal", "rate.caps[0].max_total"),
    ("checks: {unheard_of: true}\n", "checks.unheard_of", None),
])
def test_misspelt_keys_at_any_depth_name_file_and_dotted_key(tmp_path, body, key, hint):
    path = _write(tmp_path, f"id: typo\nextends: sichuan\nname: x\n{body}", name="typo")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    message = str(info.value)
    assert f"typo.yaml: {key}: 未知的键" in message
    assert (hint in message) if hint else "是否应为" not in message
