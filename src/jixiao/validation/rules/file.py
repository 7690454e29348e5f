"""Rules about the file as a whole, raised while reading or batching it (no per-form check).

JX001 comes from :func:`jixiao.validation.engine.validate_file` (the reader refused or failed on
the file) and from the batch (an archive member refused, a worker that died); JX002 from the
engine when no sheet holds a form; JX003 from the reader's notes; JX004 from the batch.
"""

from __future__ import annotations

from .base import ERROR, READER, WARNING, Rule, register


@register
class UnreadableFile(Rule):
    code = "JX001"
    slug = "unreadable-file"
    severity = ERROR
    title = "文件无法读取"
    template = "{reason}"
    description = "损坏、不完整、加密、不是工作簿或为空的文件；以及不安全的文件（压缩炸弹、XML 实体）。"
    scope = READER


@register
class FormNotFound(Rule):
    code = "JX002"
    slug = "form-not-found"
    severity = ERROR
    title = "未找到自评表"
    template = "在工作表 {sheets} 中未找到可识别的自评表；已查找：{forms}（按“一级指标、三级指标、分值、得分”等表头识别）"
    description = "工作簿中没有任何一张可识别的自评表；消息列出查找过的工作表和表样。"
    scope = READER


@register
class FormulaUncached(Rule):
    code = "JX003"
    slug = "formula-uncached"
    severity = WARNING
    title = "公式没有计算结果"
    template = "{reason}"
    description = "公式单元格没有缓存值且无法重新计算：显示的数可能与公式不符。"
    scope = READER


@register
class AnnotationFailed(Rule):
    code = "JX004"
    slug = "annotation-failed"
    severity = WARNING
    title = "无法生成批注副本"
    template = "{reason}"
    description = "校验结果不受影响，只是没有写出带批注的问题副本。"
    scope = READER
