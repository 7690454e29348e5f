"""Rules about a 自评报告's prose, raised by :mod:`jixiao.reports` (no per-form check here).

The report's own tables are forms and go through every other rule; these seven say where the
prose disagrees with itself or with the tables (the report's own, or the workbook of the same
project handed in beside it). Each finding's cell is the paragraph ("第 65 段") or the table cell
the sentence sits in, and its message quotes the sentence.
"""

from __future__ import annotations

from .base import ERROR, READER, Rule, register


@register
class ReportArithmetic(Rule):
    code = "JX601"
    slug = "report-arithmetic"
    severity = ERROR
    title = "报告中的算式有误"
    template = "{where}：算式 {expr} 应得 {expected}，文中写 {found}"
    description = "自评报告正文写出的算式（如 5×92.97÷100=4.65）计算结果不对。"
    scope = READER


@register
class ReportSumMismatch(Rule):
    code = "JX602"
    slug = "report-sum-mismatch"
    severity = ERROR
    title = "报告中分项合计与上级或总分不符"
    template = "{where}：{what} {found}，而{parts}合计 {expected}"
    description = "正文各项的得分（分值）之和应等于其上级的得分（分值），全部一级项目的得分之和应等于总分。"
    scope = READER


@register
class ReportDeductionMismatch(Rule):
    code = "JX603"
    slug = "report-deduction-mismatch"
    severity = ERROR
    title = "报告中得分与扣分不符"
    template = "{where}：“{name}”分值 {points} 分、扣 {deduction} 分，应得 {expected} 分，文中写 {found} 分"
    description = "得分 = 分值 − 扣分。"
    scope = READER


@register
class ReportRateMismatch(Rule):
    code = "JX604"
    slug = "report-rate-mismatch"
    severity = ERROR
    title = "报告中的比率计算有误"
    template = "{where}：{what} {found}%，按 {how} 应为 {expected}%"
    description = "得分率 = 得分 ÷ 分值，执行率 = 执行数 ÷ 预算数，完成率 = 完成值 ÷ 目标值，以百分比表示。"
    scope = READER


@register
class ReportGradeMismatch(Rule):
    code = "JX605"
    slug = "report-grade-mismatch"
    severity = ERROR
    title = "报告中的等级与总分不符"
    template = "{where}：等级“{found}”与总分 {total}（{total_where}）不符，应为“{expected}”"
    description = "≥90 优，≥80 良，≥60 中，其余差（按规则包）。"
    scope = READER


@register
class ReportTableMismatch(Rule):
    code = "JX606"
    slug = "report-table-mismatch"
    severity = ERROR
    title = "报告正文与表格不一致"
    template = "{where}：正文{what}为 {found}，{other}为 {expected}"
    description = "正文所写的得分、总分、等级、执行率、金额应与报告所附表格（或同一项目的工作簿）一致。"
    scope = READER


@register
class ReportUnitSlip(Rule):
    code = "JX607"
    slug = "report-unit-slip"
    severity = ERROR
    title = "报告中金额单位疑有误"
    template = "{where}：金额写作“{found}”，而{other}为“{expected}”，按元与万元换算后数字相同，单位疑有误"
    description = "同一金额在一处写“元”、另一处写“万元”。"
    scope = READER
