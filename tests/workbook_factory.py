"""Build realistic submitted workbooks from specs, the way departments type them.

Plain module (no pytest imports) so tests and examples can reuse it::

    from workbook_factory import Layout, build, XIANGMU_SEED
    refs = build(path, [("自评表", "xiangmu", {})])
    refs["自评表"]["indicator", "不超过年度预算", "score"]  # → "H15"

Every builder writes a form at an offset (extra title rows, leading blank columns), with
optional label variants (line breaks, spaces), merged cells, numbers typed as text with units,
and returns where each value went, so tests can assert the exact cell of a finding.
"""

from __future__ import annotations

import copy
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from jixiao.xlsxcache import exact_numbers

# ---------------------------------------------------------------- seed data
# 附表1 (seed 000): (一级, 二级, 三级, 分值, 指标解释, 自评得分)
FUBIAO1_SEED: list[tuple[str, str, str, Any, str, Any]] = [
    ("通用指标（54分）", "项目决策（18分）", "决策程序", 6, "项目决策程序是否严密", 6),
    ("", "", "规划论证", 6, "项目规划论证是否符合中省要求", 5),
    ("", "", "资金投向", 6, "项目资金是否与项目总体规划相匹配", 6),
    ("", "项目管理（18分）", "制度办法", 2, "项目制度办法是否体系健全", 2),
    ("", "", "分配管理", 10, "项目资金分配因素选取", 10),
    ("", "", "绩效监管", 6, "项目绩效监管是否按要求开展", 4),
    ("", "项目实施（9分）", "预算执行", 6, "项目资金财政拨付到位情况", 6),
    ("", "", "资金使用", 3, "资金使用拨付是否符合规定", 3),
    ("", "项目结果（9分）", "目标完成", 6, "项目是否完成预期目标", 6),
    ("", "", "完成时效", 3, "项目实际完成时间与计划完成时间的比较", 3),
    ("专用指标（30分）", "产业发展\n\n（30分）", "符合性", 10, "项目实施是否与支持重点符合", 8),
    ("", "", "成长性", 10, "对相关企业成长性的促进作用", 8),
    ("", "", "经济性", 10, "对相关企业主营业务收入增长情况", 10),
    ("个性指标\n（16分）", "特种设备安全隐患排查率", None, 8, "反映特种设备安全隐患排查率是否达到预期目标", 7),
    ("", "审查整改完成率", None, 8, "反映审查整改完成率是否达到预期目标", 7),
    ("扣分项\n（10分）", "被评价\n部门配合度", None, "—", "被评价对象工作配合情况", None),
]

# 附表2 (seed 000): (一级, 二级, 三级, 性质, 指标值, 单位, 权重, 实际完成指标值)
FUBIAO2_SEED: list[tuple[str, str, str, str, Any, str, Any, Any]] = [
    ("产出指标", "数量指标", "检测机构检查数量", "≥", 10, "家", "5%", 10),
    ("", "", "重点用能企业审查数量", "≥", 4, "家", "5%", 4),
    ("", "", "认证及小微企业检查数量", "≥", 4, "家", "5%", 4),
    ("", "", "民生、能源、法制计量监督检查数量", "≥", 300, "台/套", "5%", 300),
    ("", "质量指标", "民生、能源、法制计量检查问题处置率", "＝", 100, "%", "5%", 100),
    ("", "", "特种设备安全隐患排查率", "＝", 100, "%", "5%", 100),
    ("", "", "审查整改完成率", "＝", 100, "%", "5%", 100),
    ("", "时效指标", "项目完成时间", "＝", 2025, "年", "5%", 2025),
    ("效益指标", "社会效益指标", "社会市场计量秩序", "定性", "逐步提高", "", "10%", "逐步提高"),
    ("", "", "重点用能企业能源计量管理水平", "定性", "逐步提高", "", "10%", "逐步提高"),
    ("满意度指标", "服务对象满意度指标", "特种设备使用单位安全满意度", "≥", 95, "%", "10%", 95),
    ("成本指标", "经济成本指标", "专家劳务费", "≤", 4000, "元/个", "10%", 4000),
    ("", "", "重点用能企业审查单位成本", "≤", 10000, "元", "10%", 10000),
]

# 项目支出绩效自评表 (seed 001): (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)
XIANGMU_SEED: list[tuple[str, str, str, Any, Any, Any, Any, str]] = [
    ("产出指标", "数量指标", "", "", "", "", "", ""),
    ("", "质量指标", "", "", "", "", "", ""),
    ("", "时效指标", "及时完成质量监督检查任务", "100%", "100%", 25, 25, ""),
    ("", "成本指标", "不超过年度预算", "87.65万元", "86.54万元", 25, 25, ""),
    ("效益指标", "经济效益\n指标", "", "", "", "", "", ""),
    ("", "社会效益\n指标", "促进质量提升，保障社会经济发展\n", "100%", "100%", 15, 15, ""),
    ("", "生态效益\n指标", "", "", "", "", "", ""),
    ("", "可持续影响指标", "质量技术监督专项经费的可持续影响情况\n", "100%", "100%", 15, 15, ""),
    ("满意度\n指标", "服务对象满意度指标", "社会公众或服务对象对项目实施效果的满意程度\n", "80%", "85%", 10, 10, ""),
]
XIANGMU_FUNDS = {  # 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分
    "年度资金总额": ("", "87.65万元", "86.54万元", 10, "98.73%", 9.87),
    "其中：当年财政拨款": ("", "87.65万元", "86.54万元", "—", "98.73%", "—"),
    "      上年结转资金": ("", "", "", "—", "", "—"),
    "  其他资金": ("", "", "", "—", "", "—"),
}


@dataclass
class Layout:
    """How a department laid the form out."""

    top: int = 0  # extra rows above (titles, notes)
    left: int = 0  # leading blank columns
    merge: bool = True  # merge group cells like real forms
    labels: dict[str, str] = field(default_factory=dict)  # header label overrides ("分值" → "分 值")
    title: bool = True
    total: bool = True  # write 总分 (and 等级) rows
    grade: str | None = None


def _put(ws, r: int, c: int, value: Any) -> str:
    cell = ws.cell(row=r + 1, column=c + 1)
    cell.value = value
    return cell.coordinate


def _merge(ws, lay: Layout, r1: int, c1: int, r2: int, c2: int) -> None:
    if lay.merge and (r2 > r1 or c2 > c1):
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)


def write_fubiao1(ws, lay: Layout, rows: list[tuple] | None = None, total: Any = 91,
                  grade: Any = "优", deduction: Any = None) -> dict[tuple, str]:
    rows = copy.deepcopy(rows if rows is not None else FUBIAO1_SEED)
    refs: dict[tuple, str] = {}
    r, c0 = lay.top, lay.left
    if lay.title:
        _put(ws, r, c0, "附表1")
        _put(ws, r + 1, c0, "专项预算绩效自评打分表")
        r += 2
    lab = {"points": "指标\n分值", **lay.labels}
    _put(ws, r, c0, "绩效评价指标")
    _merge(ws, lay, r, c0, r, c0 + 3)
    _put(ws, r, c0 + 4, lab.get("explanation", "指标解释"))
    _put(ws, r, c0 + 5, lab.get("score", "自评得分"))
    _put(ws, r, c0 + 6, "备注")
    for i in (4, 5, 6):
        _merge(ws, lay, r, c0 + i, r + 1, c0 + i)
    for i, text in enumerate(["一级指标", "二级指标", "三级指标", lab["points"]]):
        _put(ws, r + 1, c0 + i, lay.labels.get(("h", i), text))
    r += 2
    for l1, l2, l3, pts, expl, score in rows:
        name = l3 if l3 is not None else l2
        if l1:
            _put(ws, r, c0, l1)
        if l3 is None:
            _put(ws, r, c0 + 1, l2)
            _merge(ws, lay, r, c0 + 1, r, c0 + 2)
        else:
            if l2:
                _put(ws, r, c0 + 1, l2)
            _put(ws, r, c0 + 2, l3)
        refs["points", name] = _put(ws, r, c0 + 3, pts)
        _put(ws, r, c0 + 4, expl)
        if l1.startswith("扣分") and deduction is not None:
            score = deduction
        refs["score", name] = _put(ws, r, c0 + 5, score)
        if l1:
            refs["group", l1.split("（")[0].strip()] = ws.cell(row=r + 1, column=c0 + 1).coordinate
        if l2 and "分）" in l2:
            refs["group", l2.split("（")[0].strip()] = ws.cell(row=r + 1, column=c0 + 2).coordinate
        r += 1
    if lay.total:
        _put(ws, r, c0, "合计")
        _merge(ws, lay, r, c0, r, c0 + 2)
        _put(ws, r, c0 + 3, 100)
        refs["total"] = _put(ws, r, c0 + 5, total)
        _put(ws, r + 1, c0, "等级")
        _merge(ws, lay, r + 1, c0, r + 1, c0 + 2)
        refs["grade"] = _put(ws, r + 1, c0 + 3, grade)
    return refs


def write_fubiao2(ws, lay: Layout, rows: list[tuple] | None = None, weights: str = "text",
                  funds: tuple[Any, Any, Any] = (15.0, 15.0, None)) -> dict[tuple, str]:
    """weights: "text" ("5%"), "fraction" (0.05 with a % format), "points" (5 under 权重（%）)."""
    rows = copy.deepcopy(rows if rows is not None else FUBIAO2_SEED)
    refs: dict[tuple, str] = {}
    r, c0 = lay.top, lay.left
    if lay.title:
        _put(ws, r, c0, "附表2")
        _put(ws, r, c0 + 1, "专项预算项目绩效目标完成情况自评表")
        r += 1
    for label, value in (("项目名称", "质量与安全监管"), ("预算单位", "阿坝藏族羌族自治州市场监督管理局"),
                         ("项目类型", "常年项目")):
        _put(ws, r, c0, label)
        _put(ws, r, c0 + 1, value)
        r += 1
    _put(ws, r, c0, "项目 概况")
    _put(ws, r, c0 + 1, "绩效分配方式")
    for i, t in enumerate(["£因素法", "£项目法", "√据实据效", "£因素法与项目法相结合"]):
        _put(ws, r, c0 + 2 + i, t)
    r += 1
    _put(ws, r, c0, "项目资金\n\n（万元）")
    for i, label in enumerate(["  年度资金总额：", "      其中：财政拨款", "            其他资金"]):
        _put(ws, r + i, c0 + 1, label)
        refs["funds", ("total_funds", "fiscal", "other")[i]] = _put(ws, r + i, c0 + 2, funds[i])
    _merge(ws, lay, r, c0, r + 2, c0)
    r += 3
    _put(ws, r, c0, "总体目标")
    _put(ws, r, c0 + 1, "年度目标")
    _put(ws, r + 1, c0 + 1, "保障民生安全、规范市场秩序、服务地方经济")
    r += 2
    heads = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
             "权重（%）" if weights == "points" else "权重", "实际完成指标值"]
    _put(ws, r, c0, "绩效 指标")
    for i, text in enumerate(heads):
        _put(ws, r, c0 + 1 + i, lay.labels.get(text, text))
    r += 1
    start = r
    for l1, l2, l3, nature, target, unit, w, actual in rows:
        if l1:
            _put(ws, r, c0 + 1, l1)
        if l2:
            _put(ws, r, c0 + 2, l2)
        _put(ws, r, c0 + 3, l3)
        refs["nature", l3] = _put(ws, r, c0 + 4, nature)
        refs["target", l3] = _put(ws, r, c0 + 5, target)
        _put(ws, r, c0 + 6, unit)
        if isinstance(w, str) and w.endswith("%") and weights != "text":
            num = float(w[:-1])
            w = num / 100 if weights == "fraction" else num
        refs["points", l3] = _put(ws, r, c0 + 7, w)
        if weights == "fraction":
            ws.cell(row=r + 1, column=c0 + 8).number_format = "0%"
        refs["actual", l3] = _put(ws, r, c0 + 8, actual)
        r += 1
    _merge(ws, lay, start - 1, c0, r - 1, c0)
    return refs


def write_xiangmu(ws, lay: Layout, rows: list[tuple] | None = None,
                  funds: dict[str, tuple] | None = None, total: Any = 99.87,
                  nature: dict[str, str] | None = None) -> dict[tuple, str]:
    """nature: optional 指标性质 column values by indicator name (jixiao's template adds one)."""
    rows = copy.deepcopy(rows if rows is not None else XIANGMU_SEED)
    funds = copy.deepcopy(funds if funds is not None else XIANGMU_FUNDS)
    refs: dict[tuple, str] = {}
    r, c0 = lay.top, lay.left
    if lay.title:
        _put(ws, r, c0, "项目支出绩效自评表")
        _put(ws, r + 1, c0, "（2019年度）")
        r += 2
    _put(ws, r, c0, "项目名称")
    _put(ws, r, c0 + 2, "质量技术监督专项经费")
    _put(ws, r + 1, c0, "主管部门")
    _put(ws, r + 1, c0 + 4, "实施单位")
    _put(ws, r + 1, c0 + 5, "武汉市蔡甸区应急管理局")
    r += 2
    _put(ws, r, c0, "项目资金\n（万元）")
    fl = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    keys = ["initial_budget", "budget", "spent", "points", "rate", "score"]
    for i, text in enumerate(fl):
        _put(ws, r, c0 + 2 + i, lay.labels.get(text, text))
    for j, (label, values) in enumerate(funds.items()):
        _put(ws, r + 1 + j, c0 + 1, label)
        for i, v in enumerate(values):
            refs["funds", label.strip(), keys[i]] = _put(ws, r + 1 + j, c0 + 2 + i, v)
    _merge(ws, lay, r, c0, r + len(funds), c0)
    r += 1 + len(funds)
    _put(ws, r, c0, "年度总体目标")
    _put(ws, r, c0 + 1, "预期目标")
    _put(ws, r, c0 + 5, "实际完成情况")
    r += 2
    heads = ["一级指标", "二级指标", "三级指标"] + (["指标性质"] if nature else []) + [
        "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因分析及改进措施"]
    _put(ws, r, c0, "绩\n效\n指\n标")
    for i, text in enumerate(heads):
        _put(ws, r, c0 + 1 + i, lay.labels.get(text, text))
    start = r
    r += 1
    shift = 1 if nature else 0
    for l1, l2, l3, target, actual, pts, score, reason in rows:
        if l1:
            _put(ws, r, c0 + 1, l1)
        _put(ws, r, c0 + 2, l2)
        _put(ws, r, c0 + 3, l3 or None)
        name = l3.strip() if l3 else l2
        if nature:
            refs["nature", name] = _put(ws, r, c0 + 4, nature.get(name))
        base = c0 + 4 + shift
        refs["target", name] = _put(ws, r, base, target or None)
        refs["actual", name] = _put(ws, r, base + 1, actual or None)
        refs["points", name] = _put(ws, r, base + 2, pts if pts != "" else None)
        refs["score", name] = _put(ws, r, base + 3, score if score != "" else None)
        refs["reason", name] = _put(ws, r, base + 4, reason or None)
        r += 1
    _merge(ws, lay, start, c0, r - 1, c0)
    if lay.total:
        _put(ws, r, c0, "总分")
        _merge(ws, lay, r, c0, r, c0 + 5 + shift)
        _put(ws, r, c0 + 6 + shift, 100)
        refs["total"] = _put(ws, r, c0 + 7 + shift, total)
        if lay.grade is not None:
            _put(ws, r + 1, c0, "等级")
            refs["grade"] = _put(ws, r + 1, c0 + 6 + shift, lay.grade)
    return refs


WRITERS = {"fubiao1": write_fubiao1, "fubiao2": write_fubiao2, "xiangmu": write_xiangmu}


def build(path: Path, sheets: list[tuple[str, str, dict[str, Any]]], instructions_first: bool = False,
          layout: Layout | None = None, defined_names: dict[str, str] | None = None) -> dict[str, dict]:
    """Write a workbook: sheets = [(sheet name, form id or "notes", writer kwargs)].

    Several forms can share one sheet: give the same sheet name twice with ``top`` offsets in
    ``layout``-style kwargs (``{"layout": Layout(top=40)}``).
    """
    wb = Workbook()
    wb.remove(wb.active)
    if instructions_first:
        notes = wb.create_sheet("填表说明")
        notes["A1"] = "填表说明：请按附表1、附表2格式填写，权重合计90%，项目支出绩效自评表总分100分。"
        notes["A2"] = "一级指标、二级指标、三级指标不得修改。"
    refs: dict[str, dict] = {}
    for name, form_id, kwargs in sheets:
        ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name)
        kwargs = dict(kwargs)
        lay = kwargs.pop("layout", None) or layout or Layout()
        got = WRITERS[form_id](ws, lay, **kwargs)
        refs.setdefault(name, {}).update(got)
        for col in range(1, 14):
            ws.column_dimensions[get_column_letter(col)].width = 14
    for key, value in (defined_names or {}).items():
        from openpyxl.workbook.defined_name import DefinedName

        dn = DefinedName(key, attr_text=f'"{value}"')
        try:
            wb.defined_names[key] = dn
        except TypeError:  # openpyxl < 3.1
            wb.defined_names.append(dn)
    path.parent.mkdir(parents=True, exist_ok=True)
    with exact_numbers():  # numbers as Excel writes them (0.815, not openpyxl's 0.8149999999999999)
        wb.save(path)
    return refs


def convert_to_xls(paths: list[Path]) -> list[Path]:
    """Convert .xlsx files to .xls with one LibreOffice call (batched: start-up is the cost)."""
    if not paths:
        return []
    outdir = paths[0].parent
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
             "--outdir", str(outdir), *map(str, paths)],
            check=True, capture_output=True, timeout=180)
    return [p.with_suffix(".xls") for p in paths]


def replace_row(rows: list[tuple], name: str, **changes: Any) -> list[tuple]:
    """A copy of seed rows with one indicator's fields changed (by field name)."""
    fields = {
        8: ["level1", "level2", "level3", "target", "actual", "points", "score", "reason"],
        6: ["level1", "level2", "level3", "points", "explanation", "score"],
    }
    out = []
    for row in rows:
        names = fields[len(row)] if len(row) in fields else [
            "level1", "level2", "level3", "nature", "target", "unit", "points", "actual"]
        if len(row) == 8 and isinstance(row[3], str) and row[3] in ("≥", "≤", "＝", "定性", ">="):
            names = ["level1", "level2", "level3", "nature", "target", "unit", "points", "actual"]
        label = (row[2] or row[1] or "").strip()
        if label == name:
            row = list(row)
            for k, v in changes.items():
                row[names.index(k)] = v
            row = tuple(row)
        out.append(row)
    return out


def same_value(a: object, b: object) -> bool:
    """A spreadsheet's value against the core's: numbers to the cent, blank as blank, else as text."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 0.005
    if a in (None, "") and b in (None, ""):
        return True
    return str(a) == str(b)


def cell_content(value: object) -> object:
    """A cell's value as openpyxl loads it, comparable: an array formula becomes a tuple."""
    from openpyxl.worksheet.formula import ArrayFormula

    return ("array formula", value.ref, value.text) if isinstance(value, ArrayFormula) else value


# ---------------------------------------------------------------- typing styles and office re-saves
def body_rows(refs: dict[tuple, str]) -> tuple[int, int]:
    """First and last 1-based row of a built form's indicator body (from its points/score cells)."""
    from openpyxl.utils.cell import coordinate_from_string

    rows = [coordinate_from_string(v)[1] for k, v in refs.items()
            if isinstance(k, tuple) and k[0] in ("points", "score") and len(k) == 2]
    return min(rows), max(rows)


def retype(src: Path, dst: Path, sheet: str, refs: dict[tuple, str], *, labels: str = "once",
           group_cols: tuple[str, ...] = (), insert_after: dict[int, dict[str, Any]] | None = None,
           merge_ranges: tuple[str, ...] = ()) -> dict[tuple, str]:
    """Re-type a built form the way another department would, and return the refs moved with it.

    ``labels``: the group labels in ``group_cols`` typed once with blanks below ("once", as built),
    repeated on every row of their group ("repeat"), or merged over their group ("merge").
    ``insert_after``: rows typed in (a 小计 row: {column letter: value}) after the given 1-based rows.
    ``merge_ranges``: ranges (in the built form's coordinates, "I7:I8") merged, their value kept
    in the first cell (a 偏差原因 written once for two rows). Values, merges and number formats
    are copied.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    insert_after = insert_after or {}
    wb = load_workbook(src)
    ws = wb[sheet]
    first, last = body_rows(refs)
    shift = {r: sum(1 for a in insert_after if a < r) for r in range(1, ws.max_row + 2)}
    new = Workbook()
    out = new.active
    out.title = sheet
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None or cell.number_format != "General":
                target = out.cell(row=cell.row + shift[cell.row], column=cell.column, value=cell.value)
                target.number_format = cell.number_format
    for rng in ws.merged_cells.ranges:
        out.merge_cells(start_row=rng.min_row + shift[rng.min_row], start_column=rng.min_col,
                        end_row=rng.max_row + shift[rng.max_row], end_column=rng.max_col)
    for after, values in insert_after.items():
        for letter, v in values.items():
            out.cell(row=after + shift[after] + 1, column=column_index_from_string(letter), value=v)
    body_end = last + shift[last] + sum(1 for a in insert_after if a == last)
    for letter in group_cols:
        col = column_index_from_string(letter)
        starts = [r for r in range(first + shift[first], body_end + 1) if out.cell(row=r, column=col).value]
        for i, r in enumerate(starts):
            end = (starts[i + 1] - 1) if i + 1 < len(starts) else body_end
            if end <= r:
                continue
            if labels == "merge":
                out.merge_cells(start_row=r, start_column=col, end_row=end, end_column=col)
            elif labels == "repeat":
                for rr in range(r + 1, end + 1):
                    out.cell(row=rr, column=col, value=out.cell(row=r, column=col).value)
    for rng in merge_ranges:
        top, bottom = rng.split(":")
        (c1, r1), (c2, r2) = coordinate_from_string(top), coordinate_from_string(bottom)
        for rr in range(r1 + shift[r1] + 1, r2 + shift[r2] + 1):
            out.cell(row=rr, column=column_index_from_string(c1), value=None)
        out.merge_cells(f"{c1}{r1 + shift[r1]}:{c2}{r2 + shift[r2]}")
    new.save(dst)

    def moved(ref: str) -> str:
        letter, r = coordinate_from_string(ref)
        return f"{letter}{r + shift[r]}"

    return {k: moved(v) if isinstance(v, str) else v for k, v in refs.items()}


def resave(paths: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Open and save files in LibreOffice (fmt: xlsx | xls | ods): real office-suite output, with
    its shared strings, styles and cached values. One call for all (start-up is the cost)."""
    filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", filters[fmt],
             "--outdir", str(outdir), *map(str, paths)],
            check=True, capture_output=True, timeout=300)
    return [outdir / p.with_suffix(f".{fmt}").name for p in paths]


def strip_cached_values(src: Path, dst: Path) -> Path:
    """A copy of ``src`` whose formula cells carry no cached value, as a script (openpyxl, a
    reporting system) writes them: the formula stays, the ``<v>`` and the value type go."""
    import re
    import zipfile

    cell = re.compile(rb"<c\b([^>]*?)>(<f\b.*?)</c>", re.S)

    def bare(m: re.Match[bytes]) -> bytes:
        attrs = re.sub(rb'\st="[^"]*"', b"", m.group(1))
        return b"<c" + attrs + b">" + re.sub(rb"<v>.*?</v>|<v/>", b"", m.group(2), flags=re.S) + b"</c>"

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = cell.sub(bare, data)
            zout.writestr(info, data)
    return dst
