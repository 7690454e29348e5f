"""Validation rules: the seeds validate clean; one changed number fires one rule on its cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from workbook_factory import (
    FUBIAO1_SEED,
    FUBIAO2_SEED,
    XIANGMU_FUNDS,
    XIANGMU_SEED,
    Layout,
    build,
    replace_row,
)

import jixiao
from jixiao.validation import RULES, catalogue, validate_file

XM = "自评表"
F1 = "附表1"
F2 = "附表2"


def check(tmp_path: Path, form: str, sheet: str, rules: str | None = None, **kwargs):
    path = tmp_path / f"{form}.xlsx"
    refs = build(path, [(sheet, form, kwargs)])[sheet]
    return validate_file(path, rules=rules), refs


def codes_at(result) -> set[tuple[str, str | None]]:
    return {(f.rule, f.cell) for f in result.findings}


def errors(result) -> list:
    return [f for f in result.findings if f.severity == "error"]


# ---------------------------------------------------------------- seeds are clean
def test_seed_000_fubiao1_clean(tmp_path):
    res, _ = check(tmp_path, "fubiao1", F1)
    assert res.status == "ok", res.findings
    assert res.findings == []
    assert res.forms[0]["form"] == "fubiao1" and res.forms[0]["total"] == 91 and res.forms[0]["grade"] == "优"


def test_seed_000_fubiao2_clean(tmp_path):
    res, _ = check(tmp_path, "fubiao2", F2)
    assert res.findings == []
    assert res.forms[0]["form"] == "fubiao2" and res.forms[0]["pack"] == "sichuan"


def test_seed_001_xiangmu_clean(tmp_path):
    res, _ = check(tmp_path, "xiangmu", XM)
    assert res.findings == []
    assert res.forms[0]["total"] == 99.87


@pytest.mark.parametrize("weights", ["text", "fraction", "points"])
def test_fubiao2_weight_forms_all_total_90(tmp_path, weights):
    res, _ = check(tmp_path, "fubiao2", F2, weights=weights)
    assert res.findings == [], weights


# ---------------------------------------------------------------- 项目支出绩效自评表 rules
def _xm_funds(changes: dict) -> dict:
    funds = {k: list(v) for k, v in XIANGMU_FUNDS.items()}
    for (label, i), v in changes.items():
        funds[label][i] = v
    return {k: tuple(v) for k, v in funds.items()}


def test_reverse_target_met_is_not_flagged(tmp_path):
    # "不超过年度预算 87.65万元 / 86.54万元": 反向, met → full 25, no finding.
    res, refs = check(tmp_path, "xiangmu", XM)
    assert ("score-mismatch", refs["score", "不超过年度预算"]) not in codes_at(res)


def test_reverse_target_missed_scores_ratio(tmp_path):
    rows = replace_row(XIANGMU_SEED, "不超过年度预算", actual="90万元")
    res, refs = check(tmp_path, "xiangmu", XM, rows=rows)
    found = [f for f in res.findings if f.rule == "score-mismatch"]
    assert [(f.cell, f.expected, f.found) for f in found] == [(refs["score", "不超过年度预算"], 24.35, 25)]
    assert "反向" in found[0].message


@pytest.mark.parametrize("change, slug, ref", [
    (("及时完成质量监督检查任务", {"score": 24}), "score-mismatch", ("score", "及时完成质量监督检查任务")),
    (("及时完成质量监督检查任务", {"score": 26}), "score-out-of-range", ("score", "及时完成质量监督检查任务")),
    (("及时完成质量监督检查任务", {"actual": ""}), "missing-value", ("actual", "及时完成质量监督检查任务")),
    (("及时完成质量监督检查任务", {"score": "二十五"}), "not-a-number", ("score", "及时完成质量监督检查任务")),
    (("及时完成质量监督检查任务", {"actual": "100件"}), "invalid-value", ("actual", "及时完成质量监督检查任务")),
])
def test_xiangmu_indicator_rules(tmp_path, change, slug, ref):
    name, fields = change
    rows = replace_row(XIANGMU_SEED, name, **fields)
    res, refs = check(tmp_path, "xiangmu", XM, rows=rows)
    assert (slug, refs[ref]) in codes_at(res), res.findings
    assert res.status == "invalid"


def test_changed_points_fire_weight_sum(tmp_path):
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", points=20, score=20)
    res, refs = check(tmp_path, "xiangmu", XM, rows=rows, total=94.87)
    ws = [f for f in res.findings if f.rule == "weight-sum"]
    assert len(ws) == 1 and ws[0].found == "85" and ws[0].expected == "90"
    assert {f.rule for f in res.findings} == {"weight-sum"}


def test_rate_and_rate_score_and_total(tmp_path):
    res, refs = check(tmp_path, "xiangmu", XM, funds=_xm_funds({("年度资金总额", 4): "97%"}))
    assert codes_at(res) == {("rate-mismatch", refs["funds", "年度资金总额", "rate"])}
    f = res.findings[0]
    assert f.expected == "98.73%" and f.code == RULES["rate-mismatch"].code

    res, refs = check(tmp_path, "xiangmu", XM, funds=_xm_funds({("年度资金总额", 5): 9.5}), total=99.5)
    assert codes_at(res) == {("rate-score-mismatch", refs["funds", "年度资金总额", "score"])}

    res, refs = check(tmp_path, "xiangmu", XM, total=98)
    assert codes_at(res) == {("total-mismatch", refs["total"])}
    assert res.findings[0].expected == 99.87


def test_grade_mismatch(tmp_path):
    res, refs = check(tmp_path, "xiangmu", XM, layout=Layout(grade="良"))
    assert codes_at(res) == {("grade-mismatch", refs["grade"])}
    res, _ = check(tmp_path, "xiangmu", XM, layout=Layout(grade="优"))
    assert res.findings == []


def test_deviation_reason_needed_below_full(tmp_path):
    # 满意度 85% of a target 90% → 10 × 0.85 / 0.9 = 9.44: correct score, but no reason given.
    rows = replace_row(XIANGMU_SEED, "社会公众或服务对象对项目实施效果的满意程度", target="90%", score=9.44)
    res, refs = check(tmp_path, "xiangmu", XM, rows=rows, total=99.31)
    assert codes_at(res) == {("deviation-reason-missing", refs["reason", "社会公众或服务对象对项目实施效果的满意程度"])}
    rows = replace_row(rows, "社会公众或服务对象对项目实施效果的满意程度", reason="调查样本偏少，明年扩大覆盖")
    res, _ = check(tmp_path, "xiangmu", XM, rows=rows, total=99.31)
    assert res.findings == []


def test_spent_over_budget_and_funds_rows(tmp_path):
    funds = _xm_funds({("其中：当年财政拨款", 2): "88万元", ("其中：当年财政拨款", 4): "100.40%"})
    res, refs = check(tmp_path, "xiangmu", XM, funds=funds)
    assert ("spent-over-budget", refs["funds", "其中：当年财政拨款", "spent"]) in codes_at(res)
    assert ("funds-rows-mismatch", refs["funds", "年度资金总额", "spent"]) in codes_at(res)

    funds = _xm_funds({("其中：当年财政拨款", 1): "80万元", ("其中：当年财政拨款", 4): "108.18%",
                       ("其中：当年财政拨款", 2): "86.54万元"})
    res, refs = check(tmp_path, "xiangmu", XM, funds=funds)
    assert ("funds-rows-mismatch", refs["funds", "年度资金总额", "budget"]) in codes_at(res)


def test_zero_budget_is_a_finding_not_a_crash(tmp_path):
    res, refs = check(tmp_path, "xiangmu", XM, funds=_xm_funds({("年度资金总额", 1): 0}))
    assert ("invalid-value", refs["funds", "年度资金总额", "budget"]) in codes_at(res)


def test_qualitative_tier_band(tmp_path):
    rows = replace_row(XIANGMU_SEED, "促进质量提升，保障社会经济发展", target="逐步提高", actual="部分达成", score=13)
    nature = {"促进质量提升，保障社会经济发展": "定性"}
    res, refs = check(tmp_path, "xiangmu", XM, rows=rows, nature=nature, total=97.87)
    hits = [f for f in res.findings if f.rule == "score-mismatch"]
    assert [(f.cell, f.expected) for f in hits] == [(refs["score", "促进质量提升，保障社会经济发展"], "7.5～12")]
    rows = replace_row(rows, "促进质量提升，保障社会经济发展", score=10, reason="部分达成")
    res, _ = check(tmp_path, "xiangmu", XM, rows=rows, nature=nature, total=94.87)
    assert [f for f in res.findings if f.rule == "score-mismatch"] == []


def test_unknown_nature_is_invalid_value(tmp_path):
    nature = {"及时完成质量监督检查任务": "大约"}
    res, refs = check(tmp_path, "xiangmu", XM, nature=nature)
    assert ("invalid-value", refs["nature", "及时完成质量监督检查任务"]) in codes_at(res)


def test_sichuan_low_rate_needs_reason(tmp_path):
    funds = _xm_funds({("年度资金总额", 2): "70万元", ("年度资金总额", 4): "79.86%", ("年度资金总额", 5): 7.99,
                       ("其中：当年财政拨款", 2): "70万元", ("其中：当年财政拨款", 4): "79.86%"})
    res, refs = check(tmp_path, "xiangmu", XM, rules="sichuan", funds=funds, total=97.99)
    assert codes_at(res) == {("deviation-reason-missing", refs["funds", "年度资金总额", "rate"])}
    res, _ = check(tmp_path, "xiangmu", XM, funds=funds, total=97.99)  # national pack: no such rule
    assert res.findings == []


def test_hubei_pack_wants_20_plus_80(tmp_path):
    res, refs = check(tmp_path, "xiangmu", XM, rules="hubei")
    got = {(f.rule, f.expected) for f in res.findings}
    assert ("weight-sum", "80") in got and ("weight-sum", "20") in got


# ---------------------------------------------------------------- 附表1 / 附表2
def test_fubiao1_rules(tmp_path):
    rows = replace_row(FUBIAO1_SEED, "决策程序", points=7)
    res, refs = check(tmp_path, "fubiao1", F1, rows=rows)
    assert ("subtotal-mismatch", refs["group", "项目决策"]) in codes_at(res)
    assert any(f.rule == "weight-sum" and f.found == "101" for f in res.findings)

    rows = replace_row(FUBIAO1_SEED, "符合性", score=11)
    res, refs = check(tmp_path, "fubiao1", F1, rows=rows, total=94)
    assert codes_at(res) == {("score-out-of-range", refs["score", "符合性"])}

    res, refs = check(tmp_path, "fubiao1", F1, total=92)
    assert codes_at(res) == {("total-mismatch", refs["total"])}

    res, refs = check(tmp_path, "fubiao1", F1, deduction=2)  # 91 − 2 = 89 → 良
    assert codes_at(res) == {("total-mismatch", refs["total"])} and res.findings[0].expected == 89
    res, refs = check(tmp_path, "fubiao1", F1, deduction=2, total=89)
    assert codes_at(res) == {("grade-mismatch", refs["grade"])} and res.findings[0].expected == "良"


def test_fubiao2_rules(tmp_path):
    rows = replace_row(FUBIAO2_SEED, "专家劳务费", points="11%")
    res, refs = check(tmp_path, "fubiao2", F2, rows=rows)
    assert [(f.rule, f.found, f.expected) for f in res.findings] == [("weight-sum", "91%", "90%")]

    res, refs = check(tmp_path, "fubiao2", F2, funds=(15.0, 14.0, None))
    assert codes_at(res) == {("funds-rows-mismatch", refs["funds", "total_funds"])}

    rows = replace_row(FUBIAO2_SEED, "社会市场计量秩序", actual="马马虎虎")
    res, refs = check(tmp_path, "fubiao2", F2, rows=rows)
    assert codes_at(res) == {("invalid-value", refs["actual", "社会市场计量秩序"])}


def test_form_not_found_and_instructions_only(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "填表说明：本表无指标"
    wb.save(tmp_path / "notes.xlsx")
    res = validate_file(tmp_path / "notes.xlsx")
    assert res.status == "invalid" and [f.rule for f in res.findings] == ["form-not-found"]


# ---------------------------------------------------------------- catalogue and API
def test_catalogue_is_stable_and_complete():
    slugs = {r.slug for r in catalogue()}
    for need in ("unreadable-file", "form-not-found", "missing-value", "not-a-number", "weight-sum",
                 "subtotal-mismatch", "score-out-of-range", "score-mismatch", "rate-mismatch",
                 "rate-score-mismatch", "total-mismatch", "grade-mismatch", "deviation-reason-missing",
                 "formula-overwritten"):
        assert need in slugs
    codes = [r.code for r in catalogue()]
    assert len(codes) == len(set(codes)) and all(c.startswith("JX") for c in codes)
    assert all(r.severity in ("error", "warning") for r in catalogue())


def test_python_api(tmp_path):
    build(tmp_path / "ok.xlsx", [(XM, "xiangmu", {})])
    refs = build(tmp_path / "bad.xlsx", [(XM, "xiangmu", {"total": 98})])[XM]
    report = jixiao.validate(tmp_path)
    assert [f.status for f in report.files] == ["invalid", "ok"]
    frame = report.to_frame()
    assert list(frame["rule"]) == ["total-mismatch"] and list(frame["cell"]) == [refs["total"]]
    assert list(frame["sheet"]) == [XM] and frame["path"][0].endswith("bad.xlsx")
    doc = json.loads(report.to_json())
    assert doc["summary"]["invalid"] == 1 and doc["summary"]["ok"] == 1
    assert set(doc["files"][0]["findings"][0]) == {"code", "rule", "severity", "sheet", "cell", "message",
                                                   "expected", "found"}
    assert report.exit_code == 1


@pytest.mark.parametrize("target", ["达到预期", "有效提升", "逐步提高"])
def test_qualitative_targets_starting_with_a_comparison_word(tmp_path, target):
    # "达到预期" begins like a 正向 phrase ("达到…") but has no number: it is 定性, as in the core.
    name = "促进质量提升，保障社会经济发展"
    rows = replace_row(XIANGMU_SEED, name, target=target, actual="达成", score=15)
    res, _ = check(tmp_path, "xiangmu", XM, rows=rows)
    assert errors(res) == []
    rows = replace_row(rows, name, actual="未达成")
    res, refs = check(tmp_path, "xiangmu", XM, rows=rows)
    assert [(f.rule, f.cell) for f in errors(res)] == [("score-mismatch", refs["score", name])]


def test_reason_over_ratio_compares_on_one_scale(tmp_path):
    # rate-caps asks for a reason at ≥ 130% of target; 97 beside "95%" means 97%, not 97 times.
    name = "及时完成质量监督检查任务"
    rows = replace_row(XIANGMU_SEED, name, target="95%", actual=97)
    res, _ = check(tmp_path, "xiangmu", XM, rules="rate-caps", rows=rows)
    assert [f for f in res.findings if f.rule == "deviation-reason-missing"] == []
    rows = replace_row(XIANGMU_SEED, name, target="50%", actual="70%")
    res, refs = check(tmp_path, "xiangmu", XM, rules="rate-caps", rows=rows)
    hits = [f for f in res.findings if f.rule == "deviation-reason-missing"]
    assert [f.cell for f in hits] == [refs["reason", name]] and "140%" in hits[0].message


@pytest.mark.parametrize("points", [10, "10%", "10分"])
def test_rate_points_typed_any_way_are_ten(tmp_path, points):
    res, _ = check(tmp_path, "xiangmu", XM, funds=_xm_funds({("年度资金总额", 3): points}))
    assert res.findings == []
    res, refs = check(tmp_path, "xiangmu", XM, funds=_xm_funds({("年度资金总额", 3): points, ("年度资金总额", 5): 9.5}),
                      total=99.5)
    assert ("rate-score-mismatch", refs["funds", "年度资金总额", "score"]) in codes_at(res)
