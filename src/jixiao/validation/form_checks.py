"""The ``checks:`` section of a form spec: how the validation rules apply to that form.

Rules never ask which form they look at; they ask the form's properties, read here from its
spec (``src/jixiao/forms/<id>.yaml`` or a user form) and checked strictly: an unknown key or a
bad value raises :class:`FormChecksError` naming the spec and the dotted key. Every key is
optional; a spec without the section gets the defaults of a 项目支出绩效自评表 (scores computed
by rule from 指标值 and 实际完成值, 执行率 scored, the template's formulas expected).

.. code-block:: yaml

    checks:
      required: [points, score]   # indicator cells that must be filled (JX101)
      scores: judgement           # rule: 得分 follows from 指标性质 (JX302, JX103); judgement: the
                                  #   evaluator's call within 0..分值 (JX301 only)
      rate_scored: false          # the form gives 执行率 no points: a run's pack that does keeps
                                  #   away from it (the form keeps its own pack)
      formulas: [total, grade]    # cells jixiao's templates compute (JX501 when typed over)
      skip: [JX403]               # rules (code or slug) never run on this form
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..reader.model import INDICATOR_KEYS

# The computed cells a template may hold: every indicator's 得分, 执行率, 执行率得分, 总分, 等级.
FORMULA_CELLS = ("score", "rate", "rate_score", "total", "grade")
SCORE_METHODS = ("rule", "judgement")
_KEYS = ("required", "scores", "rate_scored", "formulas", "skip")


class FormChecksError(ValueError):
    """A malformed ``checks:`` section; the message names the spec and the dotted key."""


@dataclass(frozen=True)
class FormChecks:
    required: tuple[str, ...] = ("target", "actual", "points", "score")
    scores: str = "rule"
    rate_scored: bool = True
    formulas: tuple[str, ...] = FORMULA_CELLS
    skip: tuple[str, ...] = ()  # slugs

    @property
    def scored_by_rule(self) -> bool:
        return self.scores == "rule"

    def runs(self, slug: str) -> bool:
        return slug not in self.skip

    @classmethod
    def from_spec(cls, data: Any, where: str) -> FormChecks:
        """Parse a spec's ``checks:`` mapping (None → defaults); ``where`` names the spec in errors."""
        if data is None:
            return cls()

        def fail(key: str, problem: str) -> FormChecksError:
            return FormChecksError(f"{where}: checks{'.' + key if key else ''}: {problem}")

        if not isinstance(data, Mapping):
            raise fail("", f"应为映射，实为 {type(data).__name__} (expected a mapping)")
        unknown = sorted(set(data) - set(_KEYS), key=str)
        if unknown:
            raise fail(str(unknown[0]), f"未知的键 (unknown key); 可用: {', '.join(_KEYS)}")

        def words(key: str, allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
            if key not in data:
                return None
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, f"应为文字列表，实为 {value!r} (expected a list of names)")
            for v in value:
                if allowed is not None and v not in allowed:
                    raise fail(key, f"“{v}” 不是可选值 {list(allowed)} (not one of the choices)")
            return tuple(value)

        found: dict[str, Any] = {}
        if (required := words("required", INDICATOR_KEYS)) is not None:
            found["required"] = required
        if (formulas := words("formulas", FORMULA_CELLS)) is not None:
            found["formulas"] = formulas
        if (skip := words("skip", None)) is not None:
            found["skip"] = tuple(_rule_slug(v, fail) for v in skip)
        if "scores" in data:
            if data["scores"] not in SCORE_METHODS:
                raise fail("scores", f"{data['scores']!r} 不是可选值 {list(SCORE_METHODS)} (not one of the choices)")
            found["scores"] = data["scores"]
        if "rate_scored" in data:
            if not isinstance(data["rate_scored"], bool):
                raise fail("rate_scored", f"应为 true/false，实为 {data['rate_scored']!r} (expected a boolean)")
            found["rate_scored"] = data["rate_scored"]
        return cls(**found)


def _rule_slug(key: str, fail: Any) -> str:
    from .rules import BY_CODE, RULES

    rule = RULES.get(key) or BY_CODE.get(key)
    if rule is None:
        raise fail("skip", f"未知规则“{key}” (unknown rule code or slug)")
    return rule.slug


@functools.cache
def form_checks(form_id: str) -> FormChecks:
    """The ``checks:`` of a form, from its spec (the reader's ``Form.form_id`` names the spec)."""
    from ..forms import load_form

    return FormChecks.from_spec(load_form(form_id).get("checks"), f"{form_id}.yaml")
