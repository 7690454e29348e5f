"""Loading data files and DataFrames into checked projects (every problem a :class:`DataIssue`)."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..forms import DEFAULT_FORM, form_ids, load_form
from .mapping import _choices, _fixed_items, _is_deduction, _tick_fields
from .records import _FIELD_NAMES, DATA_SUFFIXES, DataError, Project, _Collector
from .sources import (
    _decode,
    _grid_from_file,
    _project_from_mapping,
    _projects_from_rows,
    _table_rows,
)


def _data_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir()
                      if p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith((".", "~$")))
    return [path]


def _display(path: Path, base: Path) -> str:
    try:
        rel = path.relative_to(base.parent if base.is_dir() else path.parent)
        return str(rel)
    except ValueError:
        return path.name


MAX_DEPTH = 20  # mappings and lists inside each other: project → indicators → one indicator is 3
MAX_ABS = 1e15  # no 绩效 amount, count or score comes near; beyond it is a typo or an attack
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


class _DataLoader(yaml.SafeLoader):
    """safe_load without aliases (an alias bomb expands a few lines into billions of nodes) and
    with a depth limit; both end as one line naming the place."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "不支持 YAML 别名（*）", mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"嵌套层数过深（超过 {MAX_DEPTH} 层）",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _refused_value(doc: Any, where: str = "") -> tuple[str, str, str] | None:
    """(field, Chinese, English) of the first value no form can hold: not a finite number, a
    number beyond MAX_ABS, text with control characters, nesting deeper than MAX_DEPTH."""
    stack = [(doc, where, 0)]
    while stack:
        value, at, depth = stack.pop()
        if depth > MAX_DEPTH:
            return at, f"嵌套层数过深（超过 {MAX_DEPTH} 层）", "nesting too deep"
        if isinstance(value, dict):
            stack += [(v, f"{at}.{k}" if at else str(k), depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, f"{at}[{i}]", depth + 1) for i, v in enumerate(value)]
        elif isinstance(value, float) and not math.isfinite(value):
            return at, f"“{at}”不是有限数值（{value}）", "not a finite number"
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_ABS:
            return at, f"“{at}”的数值过大（{value:.3g}）", "number out of range"
        elif isinstance(value, str) and _CONTROL.search(value):
            return at, f"“{at}”含有控制字符", "control characters in text"
    return None


def load_projects(data: str | os.PathLike[str], form: str = DEFAULT_FORM) -> list[Project]:
    """Read and check every project in a data file or folder; raises :class:`DataError`."""
    _check_form_id(form)
    base = Path(data)
    col = _Collector()
    projects: list[Project] = []
    if not base.exists():
        col.add(str(base), ("", ""), "", "文件不存在", "no such file")
        raise DataError(col.issues)
    files = _data_files(base)
    if not files:
        col.add(str(base), ("", ""), "", "文件夹中没有数据文件（.yaml .json .csv .xlsx）",
                "no data files in the folder")
    for path in files:
        source = _display(path, base)
        suffix = path.suffix.lower()
        if suffix not in DATA_SUFFIXES:
            col.add(source, ("", ""), "", "不支持的数据格式，应为 .yaml .json .csv .xlsx .xls",
                    "unsupported data format")
            continue
        if suffix in (".yaml", ".yml", ".json"):
            try:
                text = _decode(path.read_bytes())
                doc = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=_DataLoader)  # noqa: S506
            except RecursionError:
                col.add(source, ("", ""), "", f"嵌套层数过深（超过 {MAX_DEPTH} 层）", "nesting too deep")
                continue
            except UnicodeDecodeError:
                col.add(source, ("", ""), "", "无法识别文件编码（应为 UTF-8 或 GBK）",
                        "unreadable encoding, expected UTF-8 or GBK")
                continue
            except (yaml.YAMLError, json.JSONDecodeError) as exc:
                line = getattr(getattr(exc, "problem_mark", None), "line", None)
                line = line + 1 if line is not None else getattr(exc, "lineno", None)
                where = (f"第 {line} 行", f"line {line}") if line else ("", "")
                ours = getattr(exc, "problem", None) if isinstance(exc, yaml.composer.ComposerError) else None
                zh = ours if ours and not ours.isascii() else "文件格式错误，无法解析"
                col.add(source, where, "", zh, f"cannot parse: {type(exc).__name__}")
                continue
            bad = _refused_value(doc)
            if bad:
                col.add(source, ("", ""), bad[0], bad[1], bad[2])
                continue
            docs = doc if isinstance(doc, list) else [doc]
            for item in docs:
                p = _project_from_mapping(item, source, form, col)
                if p is not None:
                    projects.append(p)
            continue
        try:
            grid = _grid_from_file(path)
        except UnicodeDecodeError:
            col.add(source, ("", ""), "", "无法识别文件编码（应为 UTF-8 或 GBK/GB18030）",
                    "unreadable encoding, expected UTF-8 or GBK/GB18030")
            continue
        except Exception as exc:  # a damaged spreadsheet: name it, go on checking the rest
            col.add(source, ("", ""), "", f"无法读取表格（{type(exc).__name__}）",
                    "cannot read the spreadsheet")
            continue
        got = _table_rows(grid, source, col)
        if got is not None:
            projects.extend(_projects_from_rows(*got, source, form, col))
    _check_projects(projects, form, col)
    if col.issues:
        raise DataError(col.issues)
    return projects


def _check_projects(projects: list[Project], form: str, col: _Collector) -> None:
    seen: dict[tuple[str, str, int | None], Project] = {}
    for p in projects:
        key = (p.name, p.unit_name, p.year)
        if key in seen:
            first = seen[key]
            col.add(p.source, p.where, "项目名称",
                    f"项目“{p.name}”重复（已见于 {' '.join(x for x in (first.source, first.where[0]) if x)}）",
                    "duplicate project name")
        else:
            seen[key] = p
        _check_form(p, form, col)
    for p in projects:
        p.indicators = [i for i in p.indicators if i.level3 != "\0invalid"]
        p.scoring = [i for i in p.scoring if i.level3 != "\0invalid"]


def _check_form(p: Project, form: str, col: _Collector) -> None:
    """What the chosen form needs from each indicator, beyond readable values."""
    valid = [i for i in p.indicators if i.level3 != "\0invalid"]
    spec = load_form(form)
    if spec.indicators.sections:
        fixed = _fixed_items(spec)
        personal = 0
        for ind in [i for i in (p.scoring or p.indicators) if i.level3 != "\0invalid"]:
            name = ind.level3 or ind.level2 or ind.level1
            limit = fixed.get(name)
            if limit is None and _is_deduction(ind, spec):
                limit = float(spec.indicators.deduction.points)  # type: ignore[union-attr]
            elif limit is None:
                personal += 1
                limit = ind.points if ind.points is not None else 8.0
                if not ind.level1.startswith("个性"):
                    col.add(p.source, ind.where, "三级指标",
                            f"“{name}”不是{spec.short_name}的指标（个性指标请把一级指标写作“个性指标”）",
                            "not an indicator of the form")
                    continue
            if ind.score is not None and ind.score > limit + 1e-9:
                col.add(p.source, ind.where, "自评得分", f"得分 {ind.score:g} 超过分值 {limit:g}",
                        "score above the indicator's points")
        n = sum(len(s.items) for s in spec.indicators.sections if s.personal)
        if personal > n:
            col.add(p.source, p.where, "个性指标", f"个性指标最多 {n} 项，给了 {personal} 项",
                    f"at most {n} personal indicators")
        return
    for f in _tick_fields(spec):
        for choice in _choices(p.fields.get(f.key) or ""):
            if choice not in f.choices:
                col.add(p.source, p.where, f.label, f"“{choice}”不是可选项（{'、'.join(f.choices)}）",
                        "not one of the choices")
    for ind in valid:
        for key in ("level1", "level2"):
            if not getattr(ind, key):
                col.add(p.source, ind.where, _FIELD_NAMES[key], f"{_FIELD_NAMES[key]}为空",
                        f"{key} is empty")
        if ind.points is None and "points" in spec.indicators.keys():
            col.add(p.source, ind.where, _FIELD_NAMES["points"], "分值（权重）为空", "points are empty")


# ---------------------------------------------------------------- DataFrame entry point


def projects_from_frame(df: Any, form: str = DEFAULT_FORM, source: str = "DataFrame") -> list[Project]:
    """Projects from a pandas DataFrame shaped like the CSV list (one row per indicator)."""
    col = _Collector()
    grid = [list(df.columns)] + df.astype(object).where(df.notna(), None).values.tolist()
    got = _table_rows(grid, source, col, first_line=0)
    projects = _projects_from_rows(*got, source, form, col) if got is not None else []
    _check_projects(projects, form, col)
    if col.issues:
        raise DataError(col.issues)
    return projects




def _check_form_id(form: str) -> None:
    if form not in form_ids():
        raise ValueError(f"未知表单“{form}” (unknown form); 可用: {', '.join(form_ids())}")
