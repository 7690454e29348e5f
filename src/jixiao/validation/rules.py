"""The rule catalogue: every check a reviewer makes, as a small named object.

Each :class:`Rule` has a stable code (``JX302``), a slug (``score-mismatch``), a severity, a
Chinese title and a message template with named placeholders. The checks that use them live
in :mod:`jixiao.validation.checks`; this module is data plus the :class:`Finding` record.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from ..reader.model import Cell

ERROR = "error"
WARNING = "warning"


def _fmt(value: Any) -> Any:
    """Numbers as people read them (25.0 → 25, 0.98734 stays), anything else as text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return round(value, 6)
    if isinstance(value, int):
        return value
    return str(value)


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    severity: str
    sheet: str | None
    cell: str | None
    message: str
    expected: Any = None
    found: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: str
    title: str
    template: str  # str.format placeholders: {where}, {expected}, {found}, …
    description: str = ""

    def finding(self, cell: Cell | None = None, *, sheet: str | None = None,
                address: str | None = None, expected: Any = None, found: Any = None,
                **params: Any) -> Finding:
        if cell is not None:
            sheet, address = cell.sheet, cell.address
        values = _Defaults(params)
        values.setdefault("expected", _fmt(expected) if expected is not None else "")
        values.setdefault("found", _fmt(found) if found is not None else "（空）")
        values.setdefault("cell", f"{sheet}!{address}" if sheet and address else "")
        message = self.template.format_map(values)
        if sheet and address:
            message = f"{sheet}!{address}：{message}"
        return Finding(self.code, self.slug, self.severity, sheet, address, message,
                       _fmt(expected), _fmt(found))


_CATALOGUE = [
    Rule("JX001", "unreadable-file", ERROR, "文件无法读取", "{reason}",
         "损坏、不完整、加密、不是工作簿或为空的文件；以及不安全的文件（压缩炸弹、XML 实体）。"),
    Rule("JX002", "form-not-found", ERROR, "未找到自评表",
         "在工作表 {sheets} 中未找到可识别的自评表；已查找：{forms}（按“一级指标、三级指标、分值、得分”等表头识别）",
         "工作簿中没有任何一张可识别的自评表；消息列出查找过的工作表和表样。"),
    Rule("JX003", "formula-uncached", WARNING, "公式没有计算结果", "{reason}",
         "公式单元格没有缓存值且无法重新计算：显示的数可能与公式不符。"),
    Rule("JX004", "annotation-failed", WARNING, "无法生成批注副本", "{reason}",
         "校验结果不受影响，只是没有写出带批注的问题副本。"),
    Rule("JX005", "hidden-cells", WARNING, "表中有隐藏的行或列",
         "本表的{what}被隐藏：已读取并参与校验；所见的合计与校验结果不一致时，请先取消隐藏再核对",
         "隐藏的行、列照常读取和校验；提示审核人员某列看上去加不起来的原因。"),
    Rule("JX101", "missing-value", ERROR, "必填项为空", "{where}{field}未填写",
         "实际完成值、分值、得分、预算数等必填单元格为空。"),
    Rule("JX102", "not-a-number", ERROR, "应为数值", "{where}{field}应为数值，实为“{found}”",
         "分值、得分、金额等单元格应为数字（可带单位，如“6分”“87.65万元”“5%”）。"),
    Rule("JX103", "invalid-value", ERROR, "无法计分的值", "{where}{reason}",
         "指标性质无法识别、定性指标不是三档之一、单位不一致、预算数为 0 等无法按规则计分的情况。"),
    Rule("JX201", "weight-sum", ERROR, "分值合计不符",
         "{what}合计 {found}，按规则包“{pack}”应为 {expected}",
         "绩效指标分值（权重）合计应为 90（或 90%），执行率 10；附表1 合计 100。"),
    Rule("JX202", "subtotal-mismatch", ERROR, "上级分值与下级合计不符",
         "“{group}”标注 {expected} 分，其下各项分值合计 {found} 分",
         "每个上级指标的分值应等于其下级指标分值之和（如 项目决策 18 = 6+6+6）。"),
    Rule("JX203", "subtotal-row-mismatch", ERROR, "小计行与所含各项不符",
         "“{label}”行的{field} {found}，与其汇总的各项{field}之和 {expected} 不符",
         "表内的小计/合计/总计行（以及写有分值的分组标题行）应等于它所汇总的各行之和；这些行不作为指标计分。"),
    Rule("JX204", "not-applicable-not-redistributed", WARNING, "不适用指标的分值未重新分配",
         "{names}标为不适用，其 {na_points} 分未分配给其他指标：适用指标分值合计 {found}，应为 {expected}"
         "（或将适用指标得分按比例折算到满分）",
         "不适用的指标不计分，其分值应按比例分配给其余指标，使适用指标合计仍为满分（90 或 100）；"
         "总分按原分值合计或按比例折算到满分都视为正确。"),
    Rule("JX301", "score-out-of-range", ERROR, "得分超出范围",
         "{where}得分 {found} 超出范围 0～{expected}", "得分应在 0 与分值之间。"),
    Rule("JX302", "score-mismatch", ERROR, "得分与计分规则不符",
         "{where}得分 {found}，按{method}应为 {expected}（允许误差 {tol}）",
         "按指标性质（正向、反向、等于、定性分档）计算的得分与填写的得分不符。"),
    Rule("JX303", "rate-mismatch", ERROR, "执行率计算有误",
         "执行率填写 {found}，按 全年执行数 ÷ {denominator} 应为 {expected}",
         "执行率 = 全年执行数 ÷ 全年预算数，保留两位小数的百分比。"),
    Rule("JX304", "rate-score-mismatch", ERROR, "执行率得分有误",
         "执行率得分 {found}，按 min(执行率, 1) × 分值 应为 {expected}",
         "执行率得分 = min(执行率, 1) × 分值，四舍五入到两位小数。"),
    Rule("JX305", "total-mismatch", ERROR, "总分有误", "总分 {found}，应为 {expected}（{how}）",
         "总分 = 执行率得分 + 各指标得分（附表1：各项得分 − 扣分），按规则包封顶。"),
    Rule("JX306", "grade-mismatch", ERROR, "等级有误",
         "等级“{found}”与总分 {total} 不符，应为“{expected}”", "≥90 优，≥80 良，≥60 中，其余差。"),
    Rule("JX401", "deviation-reason-missing", ERROR, "缺少偏差原因",
         "{where}{why}，须填写偏差原因分析及改进措施",
         "得分低于满分（部分省份：完成值超过目标一定比例、执行率偏低）时须说明原因。"),
    Rule("JX402", "spent-over-budget", ERROR, "执行数超过预算数",
         "{where}全年执行数 {found} 超过预算数 {expected}", "全年执行数不应大于全年预算数。"),
    Rule("JX403", "funds-rows-mismatch", ERROR, "资金来源合计不符",
         "{column}：其中各项合计 {found}，与年度资金总额 {expected} 不符",
         "财政拨款、上年结转、其他资金之和应等于年度资金总额。"),
    Rule("JX501", "formula-overwritten", WARNING, "模板公式被覆盖",
         "{where}应为模板公式，现为手工填写的“{found}”",
         "本工具模板中应保留公式的单元格被填入了常量。"),
    Rule("JX502", "template-mode-unsupported", WARNING, "模板的公式在保存它的软件中无法计算",
         "本表是 {mode} 模式模板，公式单元格都显示错误值（如“{found}”）：{advice}",
         "udf 模式模板需要装有 jixiao 加载项的 Excel，lambda 模式需要 Excel 365 或 Excel 2024；"
         "在其他软件中保存后公式都显示错误值。"),
]

RULES: dict[str, Rule] = {r.slug: r for r in _CATALOGUE}
BY_CODE: dict[str, Rule] = {r.code: r for r in _CATALOGUE}


def rule(slug: str) -> Rule:
    return RULES[slug]


def catalogue() -> list[Rule]:
    return list(_CATALOGUE)
