"""`jixiao generate`: from data to filled workbooks that reproduce the seeds; bad data writes nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.core.parsing import parse_quantity
from jixiao.generate import (
    DataError,
    from_frame,
    load_projects,
    projects_from_frame,
    safe_filename,
    template_data,
)
from jixiao.templates import template_layout

os.environ.setdefault("TQDM_DISABLE", "1")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED_000 = EXAMPLES / "data" / "000-阿坝州-质量与安全监管.yaml"
SEED_001 = EXAMPLES / "data" / "001-蔡甸区-质量技术监督专项经费.yaml"
SEED_004 = EXAMPLES / "data" / "004-云南-质量安全监管专项经费.yaml"

HEAD = ("项目名称,预算单位,年度,全年预算数,全年执行数,一级指标,二级指标,三级指标,指标性质,"
        "年度指标值,分值,实际完成值")
ROW_A = "质量技术监督专项经费,蔡甸区应急管理局,2019,87.65,86.54,产出指标,时效指标,及时完成检查任务,≥,100%,25,"


def _run(*args: str) -> object:
    return CliRunner().invoke(main, ["generate", *args])


def _fields(path: Path, form: str, data_file: Path) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    lay = template_layout(form, template_data(load_projects(data_file, form)[0], form))
    return lay.sheet, lay.fields, lay.rows


def _recalc(path: Path) -> dict:
    from jixiao.hosts.formulas_host import recalculate

    return recalculate(path)


# ---------------------------------------------------------------- seeds reproduce


@pytest.mark.parametrize("mode", ["native", "udf", "lambda"])
def test_seed_001_total_and_grade(tmp_path, mode):
    res = _run(str(SEED_001), "--form", "xiangmu", "--mode", mode, "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    path = tmp_path / "质量技术监督专项经费.xlsx"
    sheet, fields, _ = _fields(path, "xiangmu", SEED_001)
    values = _recalc(path)
    assert values[sheet, fields["total_funds:rate"]] == pytest.approx(86.54 / 87.65)
    assert values[sheet, fields["total_funds:score"]] == pytest.approx(9.87)
    assert values[sheet, fields["grand_total"]] == pytest.approx(99.87)
    assert values[sheet, fields["grade"]] == "优"
    if mode == "native":  # cached values: what a preview (or a data_only reader) shows
        ws = openpyxl.load_workbook(path, data_only=True)[sheet]
        assert ws[fields["grand_total"]].value == pytest.approx(99.87)


@pytest.mark.parametrize("mode", ["native", "udf"])
def test_seed_000_fubiao1_91_you(tmp_path, mode):
    res = _run(str(SEED_000), "--form", "fubiao1", "--mode", mode, "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    path = tmp_path / "质量与安全监管.xlsx"
    sheet, fields, _ = _fields(path, "fubiao1", SEED_000)
    values = _recalc(path)
    assert values[sheet, fields["grand_total"]] == pytest.approx(91)
    assert values[sheet, fields["grade"]] == "优"


def test_seed_000_fubiao2_weights_total_90_percent(tmp_path):
    res = _run(str(SEED_000), "--form", "fubiao2", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    path = tmp_path / "质量与安全监管.xlsx"
    sheet, fields, rows = _fields(path, "fubiao2", SEED_000)
    ws = openpyxl.load_workbook(path)[sheet]
    weights = [ws[r["points"]].value for r in rows if ws[r["level3"]].value]
    assert len(weights) == 13 and sum(weights) == pytest.approx(0.9)
    values = _recalc(path)
    assert values[sheet, fields["points_total"]] == pytest.approx(0.9)
    assert values[sheet, fields["grand_total"]] == pytest.approx(100)


def test_actuals_left_open_then_filled_reproduce_seed(tmp_path):
    """The usual path: targets and weights pre-filled, the unit types the actual values later."""
    doc = yaml.safe_load(SEED_001.read_text(encoding="utf-8"))
    actuals = {i["三级指标"]: i.pop("实际完成值") for i in doc["指标"]}
    src = tmp_path / "open.yaml"
    src.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert _run(str(src), "--out", str(tmp_path / "out")).exit_code == 0
    path = tmp_path / "out" / "质量技术监督专项经费.xlsx"
    sheet, fields, rows = _fields(path, "xiangmu", src)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    filled = 0
    for r in rows:
        name = ws[r["level3"]].value
        if name:
            assert ws[r["actual"]].value is None  # left open
            assert ws[r["target"]].value is not None and ws[r["points"]].value is not None
            # What Excel stores when one types "100%" or 86.54 into a number cell.
            ws[r["actual"]] = parse_quantity(actuals[name]).value
            filled += 1
    assert filled == 5
    wb.save(path)
    values = _recalc(path)
    assert values[sheet, fields["grand_total"]] == pytest.approx(99.87)
    assert values[sheet, fields["grade"]] == "优"


def test_seed_004_satisfaction_and_rate(tmp_path):
    assert _run(str(SEED_004), "--out", str(tmp_path)).exit_code == 0
    path = tmp_path / "质量安全监管专项经费.xlsx"
    sheet, fields, rows = _fields(path, "xiangmu", SEED_004)
    values = _recalc(path)
    ws = openpyxl.load_workbook(path)[sheet]
    by_name = {ws[r["level3"]].value: values[sheet, r["score"]] for r in rows if ws[r["level3"]].value}
    assert by_name["服务对象满意度（问卷综合得分）"] == pytest.approx(4.65)  # 5 × 92.97 ÷ 100
    assert values[sheet, fields["total_funds:score"]] == pytest.approx(9.45)  # 1377.67 ÷ 1457.50


# ---------------------------------------------------------------- list inputs


def test_csv_in_gbk_and_utf8_bom_and_xlsx_with_title_row(tmp_path):
    text = HEAD + "\n" + ROW_A.replace(",2019,", ",2019,") + "\n"
    text += "质量技术监督专项经费,蔡甸区应急管理局,2019,87.65,86.54,,成本指标,不超过年度预算,,≤87.65万元,65,86.54万元\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2019 年项目绩效目标清单（财政一体化系统导出）"])
    for line in text.strip().split("\n"):
        ws.append(line.split(","))
    wb.save(tmp_path / "list.xlsx")
    for name in ("gbk.csv", "bom.csv", "list.xlsx"):
        (p,) = load_projects(tmp_path / name, "xiangmu")
        assert p.name == "质量技术监督专项经费" and p.year == 2019
        assert p.funds == {"budget": 87.65, "spent": 86.54}
        assert [i.nature for i in p.indicators] == ["≥", "≤"]
        assert p.indicators[1].level1 == "产出指标"  # merged-cell style blank carries over
        assert p.indicators[1].points == 65
    res = _run(str(tmp_path / "gbk.csv"), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["质量技术监督专项经费.xlsx"]


def test_example_export_list_two_projects(tmp_path):
    res = _run(str(EXAMPLES / "export" / "项目绩效指标清单.csv"), "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["特种设备安全监察经费.xlsx", "食品安全监督抽检经费.xlsx"]


def test_json_and_folder_input(tmp_path):
    doc = yaml.safe_load(SEED_001.read_text(encoding="utf-8"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    shutil.copy(SEED_004, tmp_path / "data")
    res = _run(str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_from_frame(tmp_path):
    df = pd.DataFrame([
        {"项目名称": "甲/乙项目", "实施单位": "某局", "年度": 2024, "全年预算数": 100, "全年执行数": 95,
         "一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "检查企业数", "指标性质": "≥",
         "年度指标值": 50, "分值": 90, "实际完成值": 50},
    ])
    (path,) = from_frame(df, form="xiangmu", mode="native", out=tmp_path)
    assert path.name == "甲_乙项目.xlsx"
    lay = template_layout("xiangmu", template_data(projects_from_frame(df)[0], "xiangmu"))
    values = _recalc(path)
    assert values[lay.sheet, lay.fields["grand_total"]] == pytest.approx(99.5)  # 9.5 + 90
    bad = df.assign(分值="十分")
    with pytest.raises(DataError) as info:
        from_frame(bad, out=tmp_path / "bad")
    assert "分值" in str(info.value) and "十分" in str(info.value)
    assert not (tmp_path / "bad").exists()


# ---------------------------------------------------------------- bad data: one line, nothing written


def _csv(tmp_path: Path, *rows: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "data.csv"
    path.write_bytes(("\n".join([HEAD, *rows]) + "\n").encode(encoding))
    return path


GOOD_B = "特种设备安全监察经费,某局,2024,48.5,48.5,产出指标,数量指标,检查台次,≥,600,90,"


@pytest.mark.parametrize(("rows", "expect"), [
    ([GOOD_B, ROW_A.replace(",25,", ",十分,")], ["data.csv 第 3 行 分值", "“十分”", "row 3, field 分值: not a number"]),
    ([GOOD_B, "," + ROW_A.split(",", 1)[1]], ["data.csv 第 3 行 项目名称", "项目名称为空", "row 3"]),
    ([ROW_A.replace(",≥,", ",大概,"), GOOD_B], ["data.csv 第 2 行 指标性质", "“大概”", "unknown nature"]),
    ([ROW_A, GOOD_B, ROW_A.replace("及时完成检查任务", "另一项")], ["data.csv 第 4 行 项目名称", "重复", "duplicate"]),
    ([ROW_A.replace(",87.65,", ",八十七,"), GOOD_B], ["data.csv 第 2 行 全年预算数", "“八十七”", "not an amount"]),
    ([ROW_A.replace(",100%,", ",很多,"), GOOD_B], ["data.csv 第 2 行 年度指标值", "“很多”", "not a number"]),
])
def test_bad_csv_one_line_error_and_nothing_written(tmp_path, rows, expect):
    data = _csv(tmp_path, *rows)
    out = tmp_path / "out"
    res = _run(str(data), "--out", str(out))
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    for piece in expect:
        assert piece in lines[0]
    assert not out.exists() or not any(out.iterdir())


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(HEAD.encode("utf-8") + b"\n\xff\xfe\xfa\xff,\x81\n")
    res = _run(str(path), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "编码" in res.output and "encoding" in res.output and "data.csv" in res.output
    assert not (tmp_path / "out").exists()


def test_duplicate_projects_across_files_and_missing_name(tmp_path):
    (tmp_path / "d").mkdir()
    shutil.copy(SEED_001, tmp_path / "d" / "a.yaml")
    shutil.copy(SEED_001, tmp_path / "d" / "b.yaml")
    doc = yaml.safe_load(SEED_004.read_text(encoding="utf-8"))
    del doc["项目名称"]
    (tmp_path / "d" / "c.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_projects(tmp_path / "d")
    text = str(info.value)
    assert "d/b.yaml 项目名称: 项目“质量技术监督专项经费”重复（已见于 d/a.yaml）" in text
    assert "d/c.yaml 项目名称: 缺少项目名称" in text
    res = _run(str(tmp_path / "d"), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2 and not (tmp_path / "out").exists()


def test_existing_files_are_kept_without_overwrite(tmp_path):
    assert _run(str(SEED_001), "--out", str(tmp_path)).exit_code == 0
    res = _run(str(SEED_001), "--out", str(tmp_path))
    assert res.exit_code == 2 and "--overwrite" in res.output
    assert _run(str(SEED_001), "--out", str(tmp_path), "--overwrite").exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["质量技术监督专项经费.xlsx"]  # no staging left


def test_fubiao1_rejects_unknown_item_and_over_score(tmp_path):
    doc = yaml.safe_load(SEED_000.read_text(encoding="utf-8"))
    doc["打分表"][0]["自评得分"] = 7  # 决策程序 is worth 6
    doc["打分表"].append({"一级指标": "通用指标", "三级指标": "不存在的指标", "自评得分": 1})
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_projects(path, "fubiao1")
    msgs = [str(i) for i in info.value.issues]
    assert any("打分表第 1 项 自评得分" in m and "超过分值 6" in m for m in msgs)
    assert any("“不存在的指标”不是附表1的指标" in m for m in msgs)


def test_safe_filename():
    used: set[str] = set()
    assert safe_filename('a/b\\c:d*e?"f<g>h|', used) == "a_b_c_d_e__f_g_h_.xlsx"
    assert safe_filename("CON", used) == "_CON.xlsx"
    assert safe_filename("项目. ", used) == "项目.xlsx"
    assert safe_filename("项目", used) == "项目-2.xlsx"
    assert safe_filename("", used) == "项目-3.xlsx"
    assert len(safe_filename("长" * 300)) <= 85


SEED_001 = Path(__file__).resolve().parents[1] / "examples" / "data" / "001-蔡甸区-质量技术监督专项经费.yaml"


@pytest.mark.parametrize(("change", "words"), [
    (lambda t: t.replace("全年预算数: 87.65", "全年预算数: 1e309", 1), "超出数值范围"),
    (lambda t: t.replace("全年预算数: 87.65", "全年预算数: .inf", 1), "不是有限数值"),
    (lambda t: t.replace("全年预算数: 87.65", "全年预算数: 1.0e+30", 1), "数值过大"),
    (lambda t: t.replace("项目名称: 质量技术监督专项经费", '项目名称: "质量\\x07经费"'), "含有控制字符"),
    (lambda t: "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 8)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)), "别名"),
    (lambda t: "项目名称: " + "[" * 3000 + "]" * 3000 + "\n", "嵌套层数过深"),
])
def test_data_no_form_can_hold_is_one_line_naming_the_field(tmp_path, change, words):
    data = tmp_path / "项目.yaml"
    data.write_text(change(SEED_001.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
