"""Example template data: each form's own ``sample:`` values, and random fills for cross-engine tests.

A form's sample lives in its spec (the built-in forms carry the seed reports' values: the acceptance
numbers in the tests, the README pictures, the benchmark pools), so a form added as one YAML file
brings its own. :data:`SEEDS` maps each form id that has one to its sample as template data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from ..forms import FormSpecError, form_ids, load_form
from ..forms.spec import FormSpec


def sample_data(form: str | FormSpec) -> dict[str, Any] | None:
    """The form's ``sample:`` as template data, checked against the form; None when it has none.

    A sample that does not fit its form (an unknown column, a name not among the form's items)
    raises :class:`~jixiao.forms.FormSpecError` naming the file.
    """
    from . import check_data

    spec = load_form(form)
    if spec.sample is None:
        return None
    data = {f.name: _plain(getattr(spec.sample, f.name)) for f in dataclasses.fields(spec.sample)
            if not _empty(getattr(spec.sample, f.name))}
    try:
        return check_data(spec.id, data)
    except ValueError as exc:
        raise FormSpecError(f"{spec.source}: sample: {exc}") from None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, tuple, Mapping)) and not value)


def _plain(value: Any) -> Any:
    """Spec values as the template data schema has them: dicts, lists, no unset fields."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not _empty(getattr(value, f.name))}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class _Samples(Mapping[str, dict[str, Any]]):
    """Form id → its sample data, for every form with a ``sample:``. A form's data is the same
    object until its spec changes (callers compare with ``is``); copy it before changing it."""

    def __init__(self) -> None:
        self._made: dict[str, tuple[FormSpec, dict[str, Any]]] = {}

    def __getitem__(self, form_id: str) -> dict[str, Any]:
        if form_id not in form_ids():
            raise KeyError(form_id)
        spec = load_form(form_id)
        made = self._made.get(form_id)
        if made is None or made[0] is not spec:
            data = sample_data(spec)
            if data is None:
                raise KeyError(form_id)
            made = self._made[form_id] = (spec, data)
        return made[1]

    def __iter__(self) -> Iterator[str]:
        return (f for f in form_ids() if load_form(f).sample is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


SEEDS: Mapping[str, dict[str, Any]] = _Samples()


def random_data(form_id: str, rng: Any) -> dict[str, Any]:
    """A randomly filled form (``rng``: a ``random.Random``) — for cross-engine tests.

    Values stay inside what every mode accepts: numbers where native formulas need numbers,
    定性 actuals from the tiers, 附表1 scores within their 分值.
    """
    from ..forms import load_form

    spec = load_form(form_id)
    if spec.indicators.sections:
        scores = {item.name: round(rng.uniform(0, item.points) * 4) / 4 for item in spec.indicators.leaves()}
        n = sum(len(s.items) for s in spec.indicators.sections if s.personal)
        personal = [{"name": f"个性指标{i + 1}", "score": round(rng.uniform(0, 8), 2)} for i in range(n)]
        data: dict[str, Any] = {"scores": scores, "personal": personal}
        if spec.indicators.deduction is not None:
            data["deduction"] = rng.choice([None, 0, round(rng.uniform(0, 10), 2)])
        return data
    percent = spec.indicators.points_unit == "percent"
    columns = spec.indicators.keys()
    rows = []
    for cat in spec.indicators.categories:
        for _ in range(rng.randint(0, 2)):
            nature = rng.choice(["≥", "≥", "≤", "＝", "定性"])
            if nature == "定性":
                target, actual = "逐步提高", rng.choice(["逐步提高", "达成", "部分达成", "未达成"])
            else:
                target = rng.choice([rng.randint(1, 500), round(rng.uniform(0.5, 1), 4)])
                actual = round(target * rng.uniform(0.3, 1.8), rng.choice([0, 2, 4]))
                if nature == "＝" and rng.random() < 0.2:
                    target, actual = 0, rng.choice([0, 1])
            points = f"{rng.randint(2, 15)}%" if percent else rng.choice([5, 10, 12.5, 15, 20])
            row = {"level1": cat.level1, "level2": cat.level2, "level3": f"指标{len(rows) + 1}",
                   "nature": nature, "target": target, "actual": actual, "points": points, "unit": "个"}
            if "std_excellent" in columns:  # 绩效标准 优/良/中/差 and a 完成值 on the same scale
                t1 = rng.randint(85, 98)
                t2, t3 = t1 - rng.randint(3, 10), t1 - rng.randint(14, 25)
                # numbers: native formulas read numeric standards only (text ones need the JX_ function)
                row.update(std_excellent=t1, std_good=t2, std_fair=t3, std_poor=f"{t3}以下",
                           actual=round(rng.uniform(t3 - 10, 100), 2))
            rows.append({k: v for k, v in row.items() if k in columns})
    data: dict[str, Any] = {"indicators": rows}
    budget = round(rng.uniform(1, 500), 2)
    spent = round(budget * rng.uniform(0.4, 1.2), 2)
    if spec.funds is not None:
        data["funds"] = {"total_funds": {"budget": budget, "spent": spent},
                         "fiscal": {"budget": budget, "spent": round(spent * rng.uniform(0.5, 1), 2)}}
    if spec.header.fields:
        data["header"] = {"project": "随机项目"}
    return data
