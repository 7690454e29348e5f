"""The ``checks:`` section of a form spec: which validation rules apply to that form, with what
parameters.

Rules never ask which form they look at; they ask the form's properties. A spec names a rule
(by slug or code) and gives either ``false`` (the rule does not apply to this form) or a mapping
of the parameters that rule declares (``Rule.params``; ``jixiao rules CODE`` lists them). Rules
the section does not name run with their defaults, so a spec without the section is checked like
a 项目支出绩效自评表. Everything is checked strictly: an unknown rule, parameter or value raises
:class:`FormChecksError` naming the spec and the dotted key.

.. code-block:: yaml

    checks:
      missing-value: {required: [points, score]}    # indicator cells that must be filled
      score-mismatch: false                         # 得分 is the evaluator's judgement within 0..分值
      formula-overwritten: {cells: [total, grade]}   # what jixiao's templates compute here

Which pack a form's scores follow is its spec's ``pack:``; a form whose own pack gives 执行率 no
points (a 100-point sheet) keeps that pack when a run's pack weights 执行率.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rules.base import Rule


class FormChecksError(ValueError):
    """A malformed ``checks:`` section; the message names the spec and the dotted key."""


@dataclass(frozen=True)
class Param:
    """One parameter a rule takes from a form's ``checks:``: a list of names (``choices``) or a flag."""

    default: tuple[str, ...] | bool
    doc: str  # Chinese, shown by `jixiao rules CODE`
    choices: tuple[str, ...] = ()

    def parse(self, value: Any, fail: Any) -> tuple[str, ...] | bool:
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise fail(f"应为 true/false，实为 {value!r} (expected a boolean)")
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"应为名称列表，实为 {value!r} (expected a list of names)")
        for v in value:
            if self.choices and v not in self.choices:
                raise fail(f"“{v}” 不是可选值 {list(self.choices)} (not one of the choices)")
        return tuple(value)


@dataclass(frozen=True)
class FormChecks:
    off: frozenset[str] = frozenset()  # slugs of the rules that do not apply to the form
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # slug → parameter → value

    def runs(self, slug: str) -> bool:
        return slug not in self.off

    def param(self, rule: Rule, name: str) -> Any:
        """The form's value of one of ``rule``'s parameters, else the rule's default."""
        return self.params.get(rule.slug, {}).get(name, rule.params[name].default)

    @classmethod
    def from_spec(cls, data: Any, where: str) -> FormChecks:
        """Parse a spec's ``checks:`` mapping (None → defaults); ``where`` names the spec in errors."""
        from .rules import BY_CODE, RULES

        def failing(key: str) -> Any:
            return lambda problem: FormChecksError(f"{where}: {key}: {problem}")

        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise failing("checks")(f"应为映射，实为 {type(data).__name__} (expected a mapping)")
        off: set[str] = set()
        params: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            rule = RULES.get(str(key)) or BY_CODE.get(str(key))
            if rule is None:
                raise failing(f"checks.{key}")("未知规则 (unknown rule code or slug); 见 jixiao rules")
            if rule.scope not in ("form", "book"):
                raise failing(f"checks.{key}")("读取文件时报告的规则，不能按表单设置 (reported while reading: not a form's to set)")
            if value is False:
                off.add(rule.slug)
                continue
            if not isinstance(value, Mapping):
                raise failing(f"checks.{key}")(f"应为参数映射或 false，实为 {value!r} (a mapping of parameters, or false)")
            for name, v in value.items():
                param = rule.params.get(str(name))
                if param is None:
                    known = ", ".join(rule.params) or "无 (none)"
                    raise failing(f"checks.{key}.{name}")(f"未知参数 (unknown parameter); 可用: {known}")
                params.setdefault(rule.slug, {})[str(name)] = param.parse(v, failing(f"checks.{key}.{name}"))
        return cls(frozenset(off), params)


@functools.cache
def form_checks(form_id: str) -> FormChecks:
    """The ``checks:`` of a form, from its spec (the reader's ``Form.form_id`` names the spec)."""
    from ..forms import load_form

    spec = load_form(form_id)
    return FormChecks.from_spec(spec.checks or None, spec.source or f"{form_id}.yaml")
