"""The reader finds the forms by their labels, whatever the layout around them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from workbook_factory import (
    FUBIAO2_SEED,
    XIANGMU_SEED,
    Layout,
    build,
    convert_to_xls,
    replace_row,
)

from jixiao.reader import read_workbook
from jixiao.validation import validate_file


def forms_of(path: Path) -> list[tuple[str, str]]:
    return [(f.form_id, f.sheet) for f in read_workbook(path).forms]


def test_three_forms_renamed_sheets_instructions_first(tmp_path):
    p = tmp_path / "all.xlsx"
    build(p, [("打分", "fubiao1", {}), ("目标完成", "fubiao2", {}), ("Sheet3", "xiangmu", {})],
          instructions_first=True)
    book = read_workbook(p)
    assert book.sheets[0] == "填表说明"
    assert [(f.form_id, f.sheet) for f in book.forms] == [
        ("fubiao1", "打分"), ("fubiao2", "目标完成"), ("xiangmu", "Sheet3")]
    assert validate_file(p).findings == []


@pytest.mark.parametrize("layout", [
    Layout(top=5, left=3),
    Layout(merge=False),
    Layout(title=False),
    Layout(top=1, left=1, labels={"分值": "分 值", "得分": "得\n分", "实际\n完成值": "实际完成\n指标值"}),
    Layout(labels={"分值": "指标\n分值", "年度\n指标值": "目标值", "一级指标": "一级 指标"}),
])
def test_xiangmu_layout_variants(tmp_path, layout):
    p = tmp_path / "x.xlsx"
    refs = build(p, [("自评", "xiangmu", {"layout": layout})])["自评"]
    form = read_workbook(p).forms[0]
    assert form.form_id == "xiangmu"
    assert len(form.scored()) == 5  # placeholder rows (数量指标 with nothing) are skipped
    by_name = {i.label: i for i in form.indicators}
    assert by_name["不超过年度预算"].get("score").address == refs["score", "不超过年度预算"]
    assert form.total.address == refs["total"]
    assert form.funds["total_funds"].cells["rate"].address == refs["funds", "年度资金总额", "rate"]
    assert validate_file(p).findings == []


@pytest.mark.parametrize("layout", [Layout(top=4, left=2), Layout(merge=False, title=False),
                                    Layout(labels={("h", 3): "分值", "score": "得 分"})])
def test_fubiao1_layout_variants(tmp_path, layout):
    p = tmp_path / "f1.xlsx"
    refs = build(p, [("附表1", "fubiao1", {"layout": layout})])["附表1"]
    form = read_workbook(p).forms[0]
    assert form.form_id == "fubiao1"
    names = [i.label for i in form.indicators]
    assert "特种设备安全隐患排查率" in names and form.deduction is not None
    assert [g.points for g in form.groups] == [54, 30, 16]
    assert form.total.address == refs["total"]
    assert validate_file(p).findings == []


def test_numbers_as_text_with_units(tmp_path):
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", points="25分", score="25分")
    funds_rows = {"年度资金总额": ("", 87.65, 86.54, "10分", 0.9873, "9.87分"),
                  "其中：当年财政拨款": ("", "87.65万元", "86.54万元", "—", "98.73%", "—"),
                  "上年结转资金": ("", "", "", "—", "", "—"), "其他资金": ("", "", "", "—", "", "—")}
    p = tmp_path / "units.xlsx"
    build(p, [("表", "xiangmu", {"rows": rows, "funds": funds_rows, "total": "99.87分"})])
    assert validate_file(p).findings == []


def test_symbols_full_and_half_width(tmp_path):
    rows = FUBIAO2_SEED
    for name, sym in (("检测机构检查数量", ">="), ("重点用能企业审查数量", "≧"), ("专家劳务费", "<="),
                      ("重点用能企业审查单位成本", "≦"), ("审查整改完成率", "=")):
        rows = replace_row(rows, name, nature=sym)
    p = tmp_path / "sym.xlsx"
    build(p, [("附表2", "fubiao2", {"rows": rows})])
    form = read_workbook(p).forms[0]
    assert form.form_id == "fubiao2" and len(form.indicators) == 13
    assert validate_file(p).findings == []


def test_two_forms_in_one_sheet(tmp_path):
    p = tmp_path / "one.xlsx"
    build(p, [("汇总", "fubiao2", {"layout": Layout(top=0)}), ("汇总", "xiangmu", {"layout": Layout(top=40)})])
    assert forms_of(p) == [("fubiao2", "汇总"), ("xiangmu", "汇总")]
    book = read_workbook(p)
    assert len(book.forms[0].indicators) == 13 and len(book.forms[1].indicators) == 5
    assert validate_file(p).findings == []


def test_to_frame_has_addresses(tmp_path):
    p = tmp_path / "x.xlsx"
    refs = build(p, [("表", "xiangmu", {})])["表"]
    frame = read_workbook(p).forms[0].to_frame()
    row = frame[frame["name"] == "不超过年度预算"].iloc[0]
    assert row["score_cell"] == refs["score", "不超过年度预算"] and row["score"] == 25
    assert row["target"] == "87.65万元" and row["actual_cell"] == refs["actual", "不超过年度预算"]


def test_cells_showing_error_values_are_reported_as_such(tmp_path):
    # A score formula that could not be computed where the file was saved (a JX_ function without
    # the add-in: #NAME?) keeps an error as its cached value; calamine reads that as blank.
    p = tmp_path / "e.xlsx"
    refs = build(p, [("表", "xiangmu", {})])["表"]
    from openpyxl import load_workbook

    wb = load_workbook(p)
    ws = wb["表"]
    ws[refs["score", "不超过年度预算"]] = "#NAME?"  # openpyxl writes these as error cells (t="e")
    ws[refs["total"]] = "#DIV/0!"
    ws[refs["score", "数量指标"]] = "#VALUE!"  # a placeholder row's formula, with nothing to compute from
    wb.save(p)
    assert ws[refs["total"]].data_type == "e"
    res = validate_file(p)
    got = {(f.rule, f.cell, f.found) for f in res.findings}
    assert ("not-a-number", refs["score", "不超过年度预算"], "#NAME?") in got
    assert ("not-a-number", refs["total"], "#DIV/0!") in got
    assert not any(f.rule == "missing-value" for f in res.findings)  # shown, not left empty
    assert not any(f.cell == refs["score", "数量指标"] for f in res.findings)  # still a placeholder
    assert res.forms[0]["total"] == "#DIV/0!"


def test_uncached_formulas_are_recalculated(tmp_path):
    # A workbook written by a program and never opened: formulas without cached values.
    p = tmp_path / "f.xlsx"
    refs = build(p, [("表", "xiangmu", {})])["表"]
    from openpyxl import load_workbook

    wb = load_workbook(p)
    ws = wb["表"]
    scores = [refs["score", n] for n in ("及时完成质量监督检查任务", "不超过年度预算", "促进质量提升，保障社会经济发展",
                                         "质量技术监督专项经费的可持续影响情况", "社会公众或服务对象对项目实施效果的满意程度")]
    rate_score = refs["funds", "年度资金总额", "score"]
    ws[rate_score] = "=ROUND(MIN(86.54/87.65,1)*10,2)"
    ws[refs["total"]] = f"={rate_score}+" + "+".join(scores)
    wb.save(p)
    book = read_workbook(p)
    assert book.recalculated
    assert book.forms[0].total.value == pytest.approx(99.87)
    assert validate_file(p).findings == []
    renamed = p.rename(p.with_suffix(".xls"))  # an .xlsx sent with the old extension
    assert read_workbook(renamed).forms[0].total.value == pytest.approx(99.87)
    p = renamed.rename(p)
    ws[refs["total"]] = f"={rate_score}+" + "+".join(scores[:-1])  # forgot one indicator
    wb.save(p)
    res = validate_file(p)
    assert [(f.rule, f.cell, f.found) for f in res.findings] == [("total-mismatch", refs["total"], 89.87)]


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_xls_files(tmp_path):
    good = tmp_path / "good.xlsx"
    bad = tmp_path / "bad.xlsx"
    build(good, [("附表1", "fubiao1", {}), ("自评表", "xiangmu", {})], instructions_first=True)
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", reason="+见附件2")  # text, not a formula
    refs = build(bad, [("自评表", "xiangmu", {"total": 98, "rows": rows})])["自评表"]
    # Formulas LibreOffice computes to error values, which the .xls keeps as cached results.
    err = tmp_path / "err.xlsx"
    err_refs = build(err, [("自评表", "xiangmu", {})])["自评表"]
    from openpyxl import load_workbook

    wb = load_workbook(err)
    wb["自评表"][err_refs["score", "不超过年度预算"]] = "=1/0"
    wb["自评表"][err_refs["total"]] = "=NOSUCHFUNCTION(1)"
    wb.save(err)
    xls_good, xls_bad, xls_err = convert_to_xls([good, bad, err])  # one LibreOffice start for all
    assert forms_of(xls_good) == [("fubiao1", "附表1"), ("xiangmu", "自评表")]
    assert validate_file(xls_good).findings == []
    # calamine reads an .xls error cell as blank; the BIFF records say what it shows.
    got = {(f.rule, f.cell, f.found) for f in validate_file(xls_err).findings}
    assert {("not-a-number", err_refs["score", "不超过年度预算"], "#DIV/0!"),
            ("not-a-number", err_refs["total"], "#NAME?")} <= got
    assert not any(rule == "missing-value" for rule, _, _ in got)
    res = validate_file(xls_bad)
    assert [(f.rule, f.cell) for f in res.findings] == [("total-mismatch", refs["total"])]
    # An annotated .xlsx copy is made for an .xls input.
    from jixiao.validation.annotate import annotate_copy

    out = annotate_copy(xls_bad, res.findings, tmp_path / "out" / "bad.xlsx")
    shown = load_workbook(annotate_copy(xls_err, [], tmp_path / "out" / "err.xlsx"))["自评表"]
    assert shown[err_refs["score", "不超过年度预算"]].value == "#DIV/0!"  # as the .xls shows it
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "校验结果" and wb["自评表"][refs["total"]].comment is not None
    reason = wb["自评表"][refs["reason", "及时完成质量监督检查任务"]]
    assert (reason.value, reason.data_type, reason.quotePrefix) == ("+见附件2", "s", True)  # as typed, inert


def test_bounded_rows(tmp_path):
    from jixiao import security

    wb = Workbook()
    ws = wb.active
    ws.cell(row=security.MAX_ROWS + 50, column=1, value="x")
    wb.save(tmp_path / "long.xlsx")
    from jixiao.reader import load_grids

    (_, rows), = load_grids(tmp_path / "long.xlsx")
    assert len(rows) <= security.MAX_ROWS


def test_bounded_columns(tmp_path):
    from jixiao import security
    from jixiao.reader import load_grids

    wb = Workbook()
    wb.active.cell(row=1, column=security.MAX_COLS + 50, value="x")
    wb.active.cell(row=2, column=1, value="y")
    wb.save(tmp_path / "wide.xlsx")
    (_, rows), = load_grids(tmp_path / "wide.xlsx")
    assert [len(r) for r in rows] == [security.MAX_COLS] * 2 and rows[1][0] == "y"


def test_header_split_over_two_rows_and_xlsm(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效"
    ws.append(["2024年度项目支出绩效自评表（节选）"])
    ws.append([None, "一级指标", "二级指标", "三级指标", "年度", "实际", "分 值", "得\n分", "偏差原因"])
    ws.append([None, None, None, None, "指标值", "完成值", None, None, None])
    for col in "BCDGHI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.append([None, "产出指标", "数量指标", "培训人次", "≥500人次", "450人次", 45, 40.5, "疫情停办一期"])
    ws.append([None, None, "质量指标", "合格率", "≥95%", "96%", 45, 45, None])
    ws.append([None, "总分", None, None, None, None, 90, 85.5])
    p = tmp_path / "split.xlsm"
    wb.save(p)
    form = read_workbook(p).forms[0]
    assert form.form_id == "xiangmu"
    assert {k: form.columns[k] for k in ("target", "actual", "points", "score", "reason")} == {
        "target": 4, "actual": 5, "points": 6, "score": 7, "reason": 8}
    assert [i.label for i in form.indicators] == ["培训人次", "合格率"]
    assert form.total.address == "H6"
    res = validate_file(p, rules="cz2020-10")
    # No funds block and indicators worth 90: only the typed numbers are checked.
    assert [f.rule for f in res.findings] == []
