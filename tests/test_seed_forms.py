"""Seeds 003 (评价得分汇总, 73.24 → 中) and 004 (云南 2017 score table, 97.75) as form specs:
generated from data, read back, validated clean as typed by hand, and one changed number is found."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.reader.layout import read_workbook
from jixiao.templates import computed_values, template_layout
from jixiao.templates.samples import SEEDS
from jixiao.validation.engine import validate_file

PINGJIA_DATA = """\
项目名称: 郑州市特种设备监督和安全监管经费
指标:
  - {评价内容: 决策指标, 评价得分: 12.23}
  - {评价内容: 过程指标, 评价得分: 19.30}
  - {评价内容: 成本指标, 评价得分: 2.00}
  - {评价内容: 产出指标, 评价得分: 27.53}
  - {评价内容: 效果指标, 评价得分: 12.18}
"""


def test_seed_003_numbers_from_the_spec() -> None:
    layout = template_layout("pingjia", SEEDS["pingjia"])
    values = computed_values("pingjia", SEEDS["pingjia"])
    assert values[layout.cell("grand_total")] == 73.24
    assert values[layout.cell("grade")] == "中"
    assert values[layout.cell("points_total")] == 100
    rates = [values[(layout.sheet, row["score_rate"])] for row in layout.rows]
    assert rates == [0.8153, 0.6893, 1.0, 0.6883, 0.812]  # 81.53%, 68.93%, 100%, 68.83%, 81.20%
    assert values[layout.cell("total_rate")] == 0.7324


def _generate(tmp_path: Path, form: str, data: str) -> Path:
    (tmp_path / "data.yaml").write_text(data, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(tmp_path / "data.yaml"), "--form", form,
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").iterdir()
    return path


def _typed_copy(src: Path, dst: Path, change: tuple[str, object] | None = None) -> Path:
    """The values a department would type (no formulas, no template marker), one cell changed."""
    cached = openpyxl.load_workbook(src, data_only=True).active
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = cached.title
    for row in cached.iter_rows():
        for c in row:
            if c.value is not None:
                ws.cell(row=c.row, column=c.column, value=c.value)
    if change is not None:
        ws[change[0]] = change[1]
    book.save(dst)
    return dst


def test_seed_003_generated_read_and_validated(tmp_path: Path) -> None:
    path = _generate(tmp_path, "pingjia", PINGJIA_DATA)
    (form,) = read_workbook(path).forms
    assert form.form_id == "pingjia"
    assert [i.label for i in form.indicators] == ["决策指标", "过程指标", "成本指标", "产出指标", "效果指标"]
    assert form.total.value == 73.24 and form.grade.value == "中"
    assert validate_file(path).findings == []
    typed = _typed_copy(path, tmp_path / "typed.xlsx")
    assert validate_file(typed).findings == []
    # 得分率 typed as text, as many departments do, reads the same
    as_text = _typed_copy(path, tmp_path / "text.xlsx", (form.indicators[1].get("score_rate").address, "68.93%"))
    assert validate_file(as_text).findings == []


@pytest.mark.parametrize(("what", "value", "code"), [
    ("total", 74.24, "JX305"),
    ("grade", "良", "JX306"),
    ("score", 16, "JX301"),  # 决策指标 is worth 15
    ("rate", 0.7153, "JX307"),  # 得分率 of 过程指标: 19.30 ÷ 28 = 68.93%
    ("rate", "71.53%", "JX307"),
])
def test_seed_003_one_changed_number_is_found(tmp_path: Path, what: str, value: object, code: str) -> None:
    path = _generate(tmp_path, "pingjia", PINGJIA_DATA)
    form = read_workbook(path).forms[0]
    cell = {"total": form.total, "grade": form.grade, "score": form.indicators[0].get("score"),
            "rate": form.indicators[1].get("score_rate")}[what]
    changed = _typed_copy(path, tmp_path / "changed.xlsx", (cell.address, value))
    assert (code, cell.address) in [(f.code, f.cell) for f in validate_file(changed).findings]


YUNNAN_DATA = """\
项目名称: 质量安全监管专项经费
指标:
  - {一级指标: 项目投入, 二级指标: 项目立项, 自评得分: 8.7, 备注: 个别项目定量指标不够完整}
  - {一级指标: 项目投入, 二级指标: 资金落实, 自评得分: 5}
  - {一级指标: 项目过程, 二级指标: 业务管理, 自评得分: 15}
  - {一级指标: 项目过程, 二级指标: 财务管理, 自评得分: 14.5}
  - {一级指标: 项目产出, 自评得分: 29.9}
  - {一级指标: 项目效果, 自评得分: 24.65, 备注: 5×92.97÷100=4.65}
"""


def test_seed_004_score_table_numbers_from_the_spec() -> None:
    layout = template_layout("yunnan2017", SEEDS["yunnan2017"])
    values = computed_values("yunnan2017", SEEDS["yunnan2017"])
    assert [values[layout.cell(f"subtotal:{s}")] for s in ("项目投入", "项目过程", "项目产出", "项目效果")] \
        == [13.7, 29.5, 29.9, 24.65]
    assert values[layout.cell("grand_total")] == 97.75 and values[layout.cell("grade")] == "优"


def test_seed_004_generated_read_and_validated(tmp_path: Path) -> None:
    path = _generate(tmp_path, "yunnan2017", YUNNAN_DATA)
    (form,) = read_workbook(path).forms
    assert form.form_id == "yunnan2017"
    assert [(i.label, i.get("score").value) for i in form.indicators] == [
        ("项目立项", 8.7), ("资金落实", 5), ("业务管理", 15), ("财务管理", 14.5), ("项目产出", 29.9),
        ("项目效果", 24.65)]
    assert [(g.name.split("\n")[0], g.points, len(g.children)) for g in form.groups] == [
        ("项目投入", 15, 2), ("项目过程", 30, 2)]
    assert form.total.value == 97.75 and form.grade.value == "优"
    assert validate_file(path).findings == []
    assert validate_file(_typed_copy(path, tmp_path / "typed.xlsx")).findings == []


@pytest.mark.parametrize(("what", "value", "code"), [
    ("total", 97.5, "JX305"),
    ("grade", "良", "JX306"),
    ("score", 9.5, "JX301"),  # 项目立项 is worth 9
    ("points", 10, "JX202"),  # 项目投入 (15分) = 9 + 6
])
def test_seed_004_one_changed_number_is_found(tmp_path: Path, what: str, value: object, code: str) -> None:
    path = _generate(tmp_path, "yunnan2017", YUNNAN_DATA)
    form = read_workbook(path).forms[0]
    first = form.indicators[0]
    cell = {"total": form.total, "grade": form.grade, "score": first.get("score"),
            "points": first.get("points")}[what]
    changed = _typed_copy(path, tmp_path / "changed.xlsx", (cell.address, value))
    found = [(f.code, f.cell) for f in validate_file(changed).findings]
    where = form.groups[0].cell.address if code == "JX202" else cell.address
    assert (code, where) in found, found


ZHIBIAO_DATA = """\
项目名称: 质量安全监管专项经费
指标:
  - {一级指标: 满意度指标, 二级指标: 社会公众或服务对象满意度, 三级指标: 服务对象满意度, 优: 满意度95%以上,
     良: 满意度90%以上, 中: 满意度80%以上, 差: 满意度70%以上, 指标值: 服务对象满意度95%以上, 完成值: 92.97,
     完成率: 100%, 情况说明: 发放及回收有效问卷100份，得分92.97分}
  - {一级指标: 产出指标, 二级指标: 质量指标, 三级指标: 省级风险监测项目 年度计划完成率, 优: M≥90%, 良: 80%≤M<90%,
     中: 60%≤M<80%, 差: M<60%, 指标值: 能圆满完成计划, 完成值: 85%, 完成率: 100%}
"""


def test_seed_004_indicator_table_quality_from_the_spec() -> None:
    data = SEEDS["yunnan2017-zhibiao"]
    layout = template_layout("yunnan2017-zhibiao", data)
    values = computed_values("yunnan2017-zhibiao", data)
    filled = [values[(layout.sheet, r["quality"])] for r in layout.rows]
    assert [q for q in filled if q] == ["优", "良"]  # 100% against M≥90%; 92.97 against 95/90/80/70


def test_seed_004_indicator_table_generated_read_and_validated(tmp_path: Path) -> None:
    path = _generate(tmp_path, "yunnan2017-zhibiao", ZHIBIAO_DATA)
    (form,) = read_workbook(path).forms
    assert form.form_id == "yunnan2017-zhibiao"
    got = {i.label: (i.get("std_good").text, i.get("quality").value) for i in form.indicators}
    assert got == {"省级风险监测项目 年度计划完成率": ("80%≤M<90%", "良"), "服务对象满意度": ("满意度90%以上", "良")}
    assert validate_file(path).findings == []
    assert validate_file(_typed_copy(path, tmp_path / "typed.xlsx")).findings == []


@pytest.mark.parametrize(("what", "value"), [("quality", "优"), ("actual", 96)])
def test_seed_004_indicator_table_one_change_is_found(tmp_path: Path, what: str, value: object) -> None:
    """完成质量 typed over, or 完成值 changed without it: JX307 on the 完成质量 cell."""
    path = _generate(tmp_path, "yunnan2017-zhibiao", ZHIBIAO_DATA)
    ind = next(i for i in read_workbook(path).forms[0].indicators if i.label == "服务对象满意度")
    changed = _typed_copy(path, tmp_path / "changed.xlsx", (ind.get(what).address, value))
    found = [(f.code, f.cell) for f in validate_file(changed).findings]
    assert ("JX307", ind.get("quality").address) in found, found


@pytest.mark.parametrize(("mode", "standards", "warned"), [
    ("native", ZHIBIAO_DATA, True),
    ("lambda", ZHIBIAO_DATA, True),
    ("udf", ZHIBIAO_DATA, False),
    ("native", ZHIBIAO_DATA.replace("满意度95%以上", "95%").replace("满意度90%以上", "90%")
     .replace("满意度80%以上", "80%").replace("满意度70%以上", "70%").split("  - {一级指标: 产出指标")[0], False),
])
def test_generate_warns_when_worded_standards_meet_numeric_formulas(tmp_path: Path, mode: str, standards: str,
                                                                    warned: bool) -> None:
    (tmp_path / "data.yaml").write_text(standards, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(tmp_path / "data.yaml"), "--form", "yunnan2017-zhibiao",
                                       "--mode", mode, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert ("只读数值" in result.output) is warned, result.output
    if warned:
        assert "满意度95%以上" in result.output and "--mode udf" in result.output
