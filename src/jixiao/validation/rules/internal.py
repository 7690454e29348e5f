"""JX900: jixiao itself failed. The runner (:mod:`.runner`) turns any exception escaping a rule's
check into this finding, and the engine does so for a crash while reading a file it could open,
so the fault is put on jixiao, never on the submitter, and the other checks' findings stand."""

from __future__ import annotations

from .base import ERROR, READER, Rule, register


@register
class InternalError(Rule):
    code = "JX900"
    slug = "internal-error"
    severity = ERROR
    title = "jixiao 内部错误"
    template = ("jixiao 内部错误：{what}出错（{error}）。这是 jixiao 程序的问题，不是填报内容的问题；"
                "{effect}请把此文件和这条信息反馈给 jixiao 维护者。")
    description = ("某项检查在 jixiao 内部出错（程序缺陷），不是报送文件的问题；该项检查的结论缺失，"
                   "其余检查照常进行。请向维护者反馈。")
    scope = READER
