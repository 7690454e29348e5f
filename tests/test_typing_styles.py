"""Correct forms typed the ways departments type them validate with no error; one injected error
gives exactly its finding on its cell — as built by openpyxl and as re-saved by LibreOffice
(.xlsx, .xls, .ods: shared strings, styles, cached values as an office suite writes them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_from_string
from workbook_factory import (
    FUBIAO1_SEED,
    FUBIAO2_SEED,
    XIANGMU_SEED,
    Layout,
    body_rows,
    build,
    replace_row,
    resave,
    retype,
)

from jixiao.reader.layout import read_workbook
from jixiao.validation.engine import validate_file

Expected = list[tuple[str, str]]  # (rule, cell) of every finding
Variant = Callable[[Path, bool], Expected]  # writes the file; the bool injects the one error


def _edit(path: Path, sheet: str, cells: dict[str, object], formats: dict[str, str] | None = None,
          hide_rows: tuple[int, ...] = (), hide_cols: tuple[str, ...] = ()) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    for r in hide_rows:
        ws.row_dimensions[r].hidden = True
    for c in hide_cols:
        ws.column_dimensions[c].hidden = True
    wb.save(path)


def _col(ref: str) -> str:
    return coordinate_from_string(ref)[0]


def _row(ref: str) -> int:
    return coordinate_from_string(ref)[1]


# ---------------------------------------------------------------- the typing styles
def fubiao1_labels(how: str) -> Variant:
    def write(path: Path, inject: bool) -> Expected:
        rows = replace_row(FUBIAO1_SEED, "规划论证", score=7) if inject else FUBIAO1_SEED
        refs = build(path, [("附表1", "fubiao1", {"rows": rows, "total": 93 if inject else 91})])["附表1"]
        refs = retype(path, path, "附表1", refs, labels=how, group_cols=("A", "B"))
        return [("score-out-of-range", refs["score", "规划论证"])] if inject else []
    return write


def xiangmu_labels(how: str) -> Variant:
    def write(path: Path, inject: bool) -> Expected:
        rows = replace_row(XIANGMU_SEED, "不超过年度预算", score=20, reason="超支") if inject else XIANGMU_SEED
        refs = build(path, [("自评表", "xiangmu", {"rows": rows, "total": 94.87 if inject else 99.87})])["自评表"]
        refs = retype(path, path, "自评表", refs, labels=how, group_cols=("B",))
        return [("score-mismatch", refs["score", "不超过年度预算"])] if inject else []
    return write


def xiangmu_subtotals(path: Path, inject: bool) -> Expected:
    """小计 rows after each 一级 group (a 合计 in the middle too), their target cells empty."""
    refs = build(path, [("自评表", "xiangmu", {})])["自评表"]
    first, _ = body_rows(refs)
    pc, sc, nc = _col(refs["points", "不超过年度预算"]), _col(refs["score", "不超过年度预算"]), "C"
    after = {first + 3: {nc: "小计", pc: 50, sc: 50},
             first + 7: {nc: "合计", pc: 35 if inject else 30, sc: 30},
             first + 8: {nc: "小计", pc: 10, sc: 10}}
    retype(path, path, "自评表", refs, group_cols=("B",), labels="merge", insert_after=after)
    return [("subtotal-row-mismatch", f"{pc}{first + 7 + 2}")] if inject else []


def fubiao2_subtotals(path: Path, inject: bool) -> Expected:
    refs = build(path, [("附表2", "fubiao2", {})])["附表2"]
    first, last = body_rows(refs)
    pc = _col(refs["points", "专家劳务费"])
    after = {first + 7: {"D": "产出指标小计", pc: "40%"}, first + 9: {"D": "小计", pc: "20%"},
             first + 10: {"D": "小计", pc: "10%"}, last: {"D": "小计", pc: "25%" if inject else "20%"}}
    retype(path, path, "附表2", refs, labels="repeat", group_cols=("B", "C"), insert_after=after)
    return [("subtotal-row-mismatch", f"{pc}{last + 4}")] if inject else []


def xiangmu_group_header_rows(path: Path, inject: bool) -> Expected:
    """Each 一级 group on a row of its own, with the group's 分值 and 得分, above its indicators."""
    refs = build(path, [("自评表", "xiangmu", {})])["自评表"]
    first, _ = body_rows(refs)
    pc, sc = _col(refs["points", "不超过年度预算"]), _col(refs["score", "不超过年度预算"])
    before = {first - 1: {"B": "产出指标", pc: 50, sc: 50}, first + 3: {"B": "效益指标", pc: 30, sc: 31 if inject else 30},
              first + 7: {"B": "满意度\n指标", pc: 10, sc: 10}}
    retype(path, path, "自评表", refs, insert_after=before)
    return [("subtotal-row-mismatch", f"{sc}{first + 3 + 2}")] if inject else []


def xiangmu_merged_reason(path: Path, inject: bool) -> Expected:
    """Two under-achieving rows explained by one 偏差原因 cell merged over both."""
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", actual="90%", score=22.5)
    rows = replace_row(rows, "不超过年度预算", actual="90万元", score=24.35)
    rows = replace_row(rows, "及时完成质量监督检查任务", reason="检查人员不足，已调整下年度计划")
    total = 96.72
    if inject:  # a third under-achieving row with no reason of its own
        rows = replace_row(rows, "促进质量提升，保障社会经济发展", actual="90%", score=13.5)
        total = 95.22
    refs = build(path, [("自评表", "xiangmu", {"rows": rows, "total": total})])["自评表"]
    top, below = refs["reason", "及时完成质量监督检查任务"], refs["reason", "不超过年度预算"]
    retype(path, path, "自评表", refs, merge_ranges=(f"{top}:{below}",))
    return [("deviation-reason-missing", refs["reason", "促进质量提升，保障社会经济发展"])] if inject else []


def fubiao2_percent_formats(path: Path, inject: bool) -> Expected:
    """Weights: "5%" typed as text beside 0.1 stored as a number and formatted as a percentage."""
    refs = build(path, [("附表2", "fubiao2", {})])["附表2"]
    numbers = {refs["points", r[2]]: 0.1 for r in FUBIAO2_SEED if r[6] == "10%"}
    if inject:
        numbers[refs["points", "专家劳务费"]] = 0.15
    _edit(path, "附表2", numbers, {ref: "0%" for ref in numbers})
    first, _ = body_rows(refs)
    return [("weight-sum", f"{_col(refs['points', '专家劳务费'])}{first - 1}")] if inject else []


def xiangmu_wan_formats(path: Path, inject: bool) -> Expected:
    """Amounts stored as numbers under a 万元 number format (target typed as text in 万元)."""
    refs = build(path, [("自评表", "xiangmu", {})])["自评表"]
    fmt = '0.00"万元"'
    cells = {refs["funds", "年度资金总额", "budget"]: 87.65, refs["funds", "年度资金总额", "spent"]: 86.54,
             refs["actual", "不超过年度预算"]: 95 if inject else 86.54}
    _edit(path, "自评表", cells, {ref: fmt for ref in cells})
    return [("score-mismatch", refs["score", "不超过年度预算"])] if inject else []


def xiangmu_hidden(path: Path, inject: bool) -> Expected:
    """A hidden indicator row: read, checked, and named in a warning."""
    rows = (replace_row(XIANGMU_SEED, "促进质量提升，保障社会经济发展", score=14, reason="部分任务延后")
            if inject else XIANGMU_SEED)
    refs = build(path, [("自评表", "xiangmu", {"rows": rows, "total": 98.87 if inject else 99.87})])["自评表"]
    hidden = _row(refs["score", "促进质量提升，保障社会经济发展"])
    _edit(path, "自评表", {}, hide_rows=(hidden,))
    found = [("hidden-cells", f"B{hidden}")]
    return found + ([("score-mismatch", refs["score", "促进质量提升，保障社会经济发展"])] if inject else [])


def xiangmu_not_applicable(path: Path, inject: bool) -> Expected:
    """A row marked 不适用 ("/" where its values belong): not missing; its points moved or not."""
    name = "促进质量提升，保障社会经济发展"
    if inject:  # the 15 points stay with the 不适用 row: the others total 75
        rows = replace_row(XIANGMU_SEED, name, target="/", actual="不适用", points=15, score="/")
        total = 84.87
    else:
        rows = replace_row(XIANGMU_SEED, name, target="/", actual="不适用", points="/", score="/")
        rows = replace_row(rows, "质量技术监督专项经费的可持续影响情况", points=30, score=30)
        total = 99.87
    refs = build(path, [("自评表", "xiangmu", {"rows": rows, "total": total})])["自评表"]
    return [("not-applicable-not-redistributed", refs["points", name])] if inject else []


def xiangmu_words(path: Path, inject: bool) -> Expected:
    """Grade written 优秀, 指标性质 spelled as people spell it, a 定性 result in everyday words."""
    rows = replace_row(XIANGMU_SEED, "促进质量提升，保障社会经济发展", target="有效提升", actual="达成预期")
    nature = {"不超过年度预算": "越小越好", "及时完成质量监督检查任务": "正向",
              "促进质量提升，保障社会经济发展": "定性", "质量技术监督专项经费的可持续影响情况": "≥",
              "社会公众或服务对象对项目实施效果的满意程度": ">="}
    lay = Layout(grade="良好" if inject else "优秀")
    refs = build(path, [("自评表", "xiangmu", {"rows": rows, "nature": nature})], layout=lay)["自评表"]
    return [("grade-mismatch", refs["grade"])] if inject else []


def fubiao1_negative_deduction(path: Path, inject: bool) -> Expected:
    """扣分 typed as −2: the same deduction as 2 (91 − 2 = 89 → 良)."""
    refs = build(path, [("附表1", "fubiao1", {"deduction": -2, "total": 91 if inject else 89,
                                              "grade": "优" if inject else "良"})])["附表1"]
    return [("total-mismatch", refs["total"])] if inject else []


VARIANTS: dict[str, Variant] = {
    "fubiao1-labels-repeated": fubiao1_labels("repeat"),
    "fubiao1-labels-merged": fubiao1_labels("merge"),
    "xiangmu-labels-repeated": xiangmu_labels("repeat"),
    "xiangmu-labels-merged": xiangmu_labels("merge"),
    "xiangmu-subtotal-rows": xiangmu_subtotals,
    "fubiao2-subtotal-rows": fubiao2_subtotals,
    "xiangmu-group-header-rows": xiangmu_group_header_rows,
    "xiangmu-merged-reason": xiangmu_merged_reason,
    "fubiao2-percent-format": fubiao2_percent_formats,
    "xiangmu-wan-format": xiangmu_wan_formats,
    "xiangmu-hidden-row": xiangmu_hidden,
    "xiangmu-not-applicable": xiangmu_not_applicable,
    "xiangmu-words": xiangmu_words,
    "fubiao1-negative-deduction": fubiao1_negative_deduction,
}


def _findings(path: Path) -> tuple[list[tuple[str, str]], str]:
    res = validate_file(path)
    return sorted((f.rule, f.cell) for f in res.findings), res.status


@pytest.mark.parametrize("inject", [False, True], ids=["correct", "one-error"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_typing_style(tmp_path, variant, inject):
    path = tmp_path / f"{variant}.xlsx"
    expected = VARIANTS[variant](path, inject)
    found, status = _findings(path)
    assert found == sorted(expected)
    errors = [e for e in expected if e[0] not in ("hidden-cells", "not-applicable-not-redistributed")]
    assert status == ("invalid" if errors else "ok")


@pytest.fixture(scope="module")
def office_copies(tmp_path_factory) -> dict[str, tuple[dict[str, Path], Expected]]:
    """Every variant (correct and with its error) re-saved by LibreOffice as .xlsx, .xls and .ods."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    src = tmp_path_factory.mktemp("openpyxl")
    built: dict[str, Expected] = {}
    for name, write in VARIANTS.items():
        for inject in (False, True):
            key = f"{name}-{'one-error' if inject else 'correct'}"
            built[key] = write(src / f"{key}.xlsx", inject)
    paths = sorted(src.glob("*.xlsx"))
    copies = {fmt: resave(paths, fmt, tmp_path_factory.mktemp(fmt)) for fmt in ("xlsx", "xls", "ods")}
    return {key: ({fmt: next(p for p in out if p.stem == key) for fmt, out in copies.items()}, exp)
            for key, exp in built.items()}


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_office_resaved_typing_styles(office_copies, fmt):
    wrong = {}
    for key, (paths, expected) in office_copies.items():
        found, _ = _findings(paths[fmt])
        if found != sorted(expected):
            wrong[key] = (found, expected)
    assert wrong == {}


def test_shown_values_are_read_as_shown(tmp_path):
    """0.1 under a % format is 10%; 86.54 under a 万元 format is an amount in 万元."""
    path = tmp_path / "shown.xlsx"
    fubiao2_percent_formats(path, False)
    form = read_workbook(path).forms[0]
    weights = {i.label: i.get("points").value for i in form.scored()}
    assert weights["专家劳务费"] == "10%" and weights["检测机构检查数量"] == "5%"
    path = tmp_path / "wan.xlsx"
    xiangmu_wan_formats(path, False)
    form = read_workbook(path).forms[0]
    assert form.funds["total_funds"].cells["budget"].value == "87.65万元"
    assert {i.label: i.get("actual").value for i in form.scored()}["不超过年度预算"] == "86.54万元"


def test_structure_is_read_from_the_sheet(tmp_path):
    """Repeated labels make one group; 小计 rows are subtotals, not indicators; 不适用 rows are kept
    and flagged; a merged 偏差原因 explains every row it covers."""
    p = tmp_path / "a.xlsx"
    fubiao1_labels("repeat")(p, False)
    form = read_workbook(p).forms[0]
    assert [(g.name.split("（")[0], len(g.subgroups)) for g in form.groups] == [
        ("通用指标", 4), ("专用指标", 1), ("个性指标\n", 0)]
    p = tmp_path / "b.xlsx"
    xiangmu_subtotals(p, False)
    form = read_workbook(p).forms[0]
    assert [s.label.text for s in form.subtotals] == ["小计", "合计", "小计"]
    assert len(form.scored()) == len([r for r in XIANGMU_SEED if r[2]])
    assert [len(s.spans[0]) for s in form.subtotals] == [2, 2, 1]
    p = tmp_path / "h.xlsx"
    xiangmu_group_header_rows(p, False)
    form = read_workbook(p).forms[0]
    assert [(s.label.text, [i.label[:4] for i in s.spans[0]]) for s in form.subtotals] == [
        ("产出指标", ["及时完成", "不超过年"]), ("效益指标", ["促进质量", "质量技术"]), ("满意度\n指标", ["社会公众"])]
    assert len(form.scored()) == 5
    p = tmp_path / "c.xlsx"
    xiangmu_not_applicable(p, False)
    form = read_workbook(p).forms[0]
    assert [i.label for i in form.not_applicable()] == ["促进质量提升，保障社会经济发展"]
    p = tmp_path / "d.xlsx"
    xiangmu_merged_reason(p, False)
    reasons = {i.label: i.get("reason").text for i in read_workbook(p).forms[0].scored()}
    assert reasons["不超过年度预算"] == reasons["及时完成质量监督检查任务"] == "检查人员不足，已调整下年度计划"



@pytest.mark.parametrize("total, mismatch", [(84.87, False), (99.87, False), (97.5, True)])
def test_not_applicable_points_kept_total_plain_or_rescaled(tmp_path, total, mismatch):
    """With a 不适用 row keeping its 15 points, the total may be the plain sum (84.87) or the
    applicable scores rescaled to the full 90 (75 × 90 ÷ 75 + 9.87 = 99.87); anything else is wrong."""
    name = "促进质量提升，保障社会经济发展"
    rows = replace_row(XIANGMU_SEED, name, target="/", actual="不适用", points=15, score="/")
    refs = build(tmp_path / "na.xlsx", [("自评表", "xiangmu", {"rows": rows, "total": total})])["自评表"]
    found, _ = _findings(tmp_path / "na.xlsx")
    assert found == sorted([("not-applicable-not-redistributed", refs["points", name])]
                           + ([("total-mismatch", refs["total"])] if mismatch else []))


def test_group_rows_in_a_points_sheet():
    """附表1 has no target/actual to tell a group's own row from an indicator: a row is the group's
    when it carries the sum of the 分值 below it and no 指标解释; a 个性指标 row stays an indicator."""
    from jixiao.reader.layout import find_forms

    rows = [["专项预算绩效自评打分表", None, None, None, None, None],
            ["一级指标", "二级指标", "三级指标", "指标分值", "指标解释", "自评得分"],
            ["通用指标（36分）", "项目决策", None, 18, None, 17],
            [None, None, "决策程序", 6, "是否严密", 6], [None, None, "规划论证", 6, "是否合理", 5],
            [None, None, "资金投向", 6, "是否匹配", 6],
            [None, "项目管理", None, 18, None, 18],
            [None, None, "制度办法", 8, "是否健全", 8], [None, None, "分配管理", 10, "是否合规", 10],
            ["个性指标（16分）", "特种设备安全隐患排查率", None, 8, "是否达到预期目标", 7],
            [None, None, "审查整改完成率", 8, "是否达到预期目标", 7]]
    [form] = find_forms(rows, "附表1")
    assert [s.label.text for s in form.subtotals] == ["项目决策", "项目管理"]
    assert [len(s.spans[0]) for s in form.subtotals] == [3, 2]
    assert [i.label for i in form.scored()] == ["决策程序", "规划论证", "资金投向", "制度办法", "分配管理",
                                                "特种设备安全隐患排查率", "审查整改完成率"]
    rows[2][3] = 19  # no longer the sum below: an indicator of its own, as the form reads it
    [form] = find_forms(rows, "附表1")
    assert [s.label.text for s in form.subtotals] == ["项目管理"] and form.scored()[0].label == "项目决策"
