"""Mapping a project onto its form's template data, and safe file names."""

from __future__ import annotations

import re
from typing import Any

from ..core.parsing import normalize_text
from ..forms import load_form
from ..forms.spec import FormSpec
from .records import Indicator, Project

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, used: set[str] | None = None, suffix: str = ".xlsx") -> str:
    """A file name from a project name: no separators/reserved characters, unique in ``used``."""
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip().rstrip(". ")
    text = re.sub(r"\s+", " ", text)[:80].rstrip(". ") or "项目"
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    candidate, n = text, 2
    taken = {u.lower() for u in (used or set())}
    while (candidate + suffix).lower() in taken:
        candidate, n = f"{text}-{n}", n + 1
    if used is not None:
        used.add(candidate + suffix)
    return candidate + suffix


def _tick_fields(spec: FormSpec) -> list[Any]:
    return [f for block in (spec.header, spec.overview) for f in block.fields if f.tick]


def _fixed_tree(form: str) -> bool:
    return bool(load_form(form).indicators.sections)


def _funds_rows(project: Project, spec: FormSpec) -> dict[str, dict[str, float]]:
    if spec.funds is None:
        return {}
    allowed = {f.key for f in spec.funds.rows}
    columns = {c.key for c in spec.funds.columns}
    rows: dict[str, dict[str, float]] = {}
    for key, amount in project.funds.items():
        row, _, col = key.partition(":")
        if not col:  # flat fields: 年初/全年预算数/执行数 belong to 年度资金总额; 财政拨款 … are amounts
            row, col = (("total_funds", key) if key in ("initial_budget", "budget", "spent")
                        else (key, "budget"))
        if row == "carryover" and "carryover" not in allowed:
            row = "other"  # a form without a 上年结转 line counts it as 其他资金
        if col not in columns:
            continue
        rows.setdefault(row, {}).setdefault(col, amount)
    return {k: v for k, v in rows.items() if k in allowed}


def template_data(project: Project, form: str) -> dict[str, Any]:
    """The plain ``data`` dict :func:`jixiao.templates.build_workbook` fills a form from."""
    spec = load_form(form)
    if spec.indicators.sections:
        return _fixed_tree_data(project, spec)
    percent = spec.indicators.points_unit == "percent"
    header = {"project": project.name, **project.fields}
    keys = [f.key for block in (spec.header, spec.overview) for f in block.fields]
    data: dict[str, Any] = {"header": {k: header[k] for k in keys if header.get(k)}} if keys else {}
    for f in _tick_fields(spec):
        if isinstance(data["header"].get(f.key), str):
            data["header"][f.key] = _choices(data["header"][f.key])
    if "{year}" in spec.subtitle and project.year is not None:
        data["year"] = project.year
    funds = _funds_rows(project, spec)
    if funds:
        data["funds"] = funds
    parts = {p.key for p in spec.goal.parts} if spec.goal else set()
    goal = {k: project.fields[f] for k, f in (("expected", "goal"), ("achieved", "achieved"))
            if project.fields.get(f) and k in parts}
    if goal:
        data["goal"] = goal
    columns = set(spec.indicators.keys())
    indicators = []
    for ind in project.indicators:
        row: dict[str, Any] = {"level1": ind.level1, "level2": ind.level2, "level3": ind.level3,
                               "nature": ind.nature, "target": ind.target, "unit": ind.unit}
        if ind.points is not None:
            row["points"] = round(ind.points / 100, 8) if percent else ind.points
        if ind.actual is not None:
            row["actual"] = ind.actual
        if ind.reason:
            row["reason"] = ind.reason
        if "unit" not in columns:
            row.pop("unit")
        for key in ("remark", "explanation"):
            if key in columns and getattr(ind, key):
                row[key] = getattr(ind, key)
        row.update(ind.extra)
        indicators.append({k: v for k, v in row.items() if v not in (None, "")})
    data["indicators"] = indicators
    return data


def _choices(text: str) -> list[str]:
    return [t for t in re.split(r"[、,，;；/\s]+", text.replace("☑", "").replace("√", "")) if t]


def _fixed_tree_data(project: Project, spec: FormSpec) -> dict[str, Any]:
    scores: dict[str, float] = {}
    remarks: dict[str, str] = {}
    personal: list[dict[str, Any]] = []
    data: dict[str, Any] = {}
    for ind in project.scoring or project.indicators:
        name = ind.level3 or ind.level2 or ind.level1
        if name in _fixed_items(spec):
            if ind.score is not None:
                scores[name] = ind.score
            if ind.remark:
                remarks[name] = ind.remark
        elif _is_deduction(ind, spec):
            if ind.score is not None:
                data["deduction"] = ind.score
            if ind.remark:
                data["deduction_remark"] = ind.remark
        else:
            personal.append({k: v for k, v in (("name", name), ("points", ind.points),
                             ("explanation", ind.explanation), ("score", ind.score),
                             ("remark", ind.remark)) if v not in (None, "")})
    if project.deduction is not None:
        data["deduction"] = project.deduction
    data.update(scores=scores, personal=personal)
    if remarks:
        data["remarks"] = remarks
    return data


def _fixed_items(spec: FormSpec) -> dict[str, float]:
    return {item.name: float(item.points) for item in spec.indicators.leaves()}


def _is_deduction(ind: Indicator, spec: FormSpec) -> bool:
    name = ind.level3 or ind.level2 or ind.level1
    ded = spec.indicators.deduction
    return ind.level1.startswith("扣分") or (ded is not None and normalize_text(name) == normalize_text(ded.name))


