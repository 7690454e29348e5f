"""A form an administrator adds as data only (JIXIAO_FORMS, no Python): generated from data,
read back, validated clean, and one changed number gives the matching finding on its cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms import clear_caches
from jixiao.reader.layout import read_workbook
from jixiao.validation.engine import validate_file

FORM = """\
id: demo-jx
caption: 表3
title: 街道项目绩效自评表
aliases: [街道项目支出绩效自评表]
pack: hubei
header:
  fields:
    - {key: project, label: 项目名称, label_span: 3, span: 6}
    - {key: unit_name, label: 预算单位, label_span: 3, span: 6}
funds:
  group: "资金\\n（万元）"
  columns:
    - {key: budget, label: 全年预算数, span: 2}
    - {key: spent, label: 全年执行数}
    - {key: points, label: 分值}
    - {key: rate, label: 执行率}
    - {key: score, label: 得分}
  rows:
    - {key: total_funds, label: 年度资金总额, scored: true}
indicators:
  group: "绩效\\n指标"
  group_width: [6, 7]
  expected_points: 80
  columns:
    - {key: level1, label: 一级指标, merge: true}
    - {key: level2, label: 二级指标}
    - {key: level3, label: 三级指标, align: left, width: [16, 24]}
    - {key: nature, label: 指标性质, kind: nature}
    - {key: target, label: 年度指标值, kind: quantity, required: true}
    - {key: actual, label: 实际完成值, kind: quantity, required: true}
    - {key: points, label: 分值, kind: quantity, format: "0.##", required: true}
    - key: score
      label: 得分
      input: false
      formula: "JX_SCORE(nature, target, actual, points, pack)"
      needs: [target, actual, points]
      format: "0.00"
  categories:
    - {level1: 产出指标, level2: 数量指标}
    - {level1: 效益指标, level2: 社会效益指标}
    - {level1: 满意度指标, level2: 服务对象满意度指标}
computed:
  - {name: rate_score, label: 执行率得分, at: score, formula: funds.score, format: "0.00"}
  - {name: indicator_total, label: 绩效指标得分, at: score, formula: "SUM_OR_BLANK(col.score)", format: "0.00"}
  - name: grand_total
    label: 总分
    header: true
    at: score
    formula: "JX_TOTAL(rate_score:indicator_total, 0, funds.rate, pack)"
    needs: ["rate_score:indicator_total"]
    format: "0.00"
    bold: true
  - {name: grade, label: 等级, header: true, at: score, formula: "JX_GRADE(grand_total, pack)", needs: [grand_total]}
status:
  checks:
    - {kind: missing, before: "未完成：尚有 ", after: " 处必填内容为空"}
  final: '"总分 " & grand_total & "，等级 " & grade'
"""

DATA = """\
项目名称: 社区服务项目
预算单位: 某街道办事处
全年预算数: 100
全年执行数: 95
指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 服务人次, 指标值: "≥1000人次", 实际完成值: "1200人次", 分值: 30}
  - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 投诉率, 指标值: "≤5%", 实际完成值: "4%", 分值: 30}
  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 满意度, 指标值: "≥90%", 实际完成值: "85%", 分值: 20}
"""


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "demo-jx.yaml").write_text(FORM, encoding="utf-8")
    monkeypatch.setenv("JIXIAO_FORMS", str(forms))
    clear_caches()
    (tmp_path / "project.yaml").write_text(DATA, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(tmp_path / "project.yaml"), "--form", "demo-jx",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    yield tmp_path / "out" / "社区服务项目.xlsx"
    clear_caches()


def _values_copy(src: Path, dst: Path) -> None:
    """The form as a department types it by hand: the same values, no formulas, no template marker."""
    cached = openpyxl.load_workbook(src, data_only=True)
    book = openpyxl.Workbook()
    ws, old = book.active, cached.active
    ws.title = old.title
    for row in old.iter_rows():
        for c in row:
            if c.value is not None:
                ws.cell(row=c.row, column=c.column, value=c.value)
    for rng in old.merged_cells.ranges:
        ws.merge_cells(str(rng))
    book.save(dst)


def test_generated_form_reads_back_with_its_numbers(generated: Path) -> None:
    book = read_workbook(generated)
    (form,) = book.forms
    assert form.form_id == "demo-jx"
    assert [i.label for i in form.indicators] == ["服务人次", "投诉率", "满意度"]
    scores = [i.get("score").value for i in form.indicators]
    assert scores == [30, 30, pytest.approx(18.89)]
    # 执行率 95% × 20 (the hubei pack's weight) = 19; 19 + 78.89 = 97.89 → 优
    assert form.funds["total_funds"].cells["score"].value == 19
    assert form.total.value == pytest.approx(97.89) and form.grade.value == "优"


def test_generated_form_and_a_hand_typed_copy_validate_clean(generated: Path, tmp_path: Path) -> None:
    result = validate_file(generated)
    assert result.status == "ok" and result.findings == [], [f.message for f in result.findings]
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    result = validate_file(copy)
    assert result.status == "ok" and result.findings == [], [f.message for f in result.findings]


@pytest.mark.parametrize(("what", "new", "code"), [
    ("score", 20, "JX302"),  # 满意度 85% of 90% scores 18.89, not 20
    ("total", 98.89, "JX305"),
    ("rate_score", 20, "JX304"),
])
def test_one_changed_number_gives_the_matching_finding_on_its_cell(
        generated: Path, tmp_path: Path, what: str, new: float, code: str) -> None:
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    form = read_workbook(copy).forms[0]
    cell = {"score": form.indicators[2].get("score"), "total": form.total,
            "rate_score": form.funds["total_funds"].cells["score"]}[what]
    wb = openpyxl.load_workbook(copy)
    wb.active[cell.address] = new
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    findings = [(f.code, f.cell) for f in validate_file(changed).findings]
    assert (code, cell.address) in findings, findings


def test_the_form_is_found_by_an_alias_title_too(generated: Path, tmp_path: Path) -> None:
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb.active
    title = next(c for row in ws.iter_rows() for c in row if c.value == "街道项目绩效自评表")
    title.value = "街道项目支出绩效自评表（2024年度）"
    wb.save(copy)
    assert read_workbook(copy).forms[0].form_id == "demo-jx"
