"""Reading the raw sources: CSV/Excel lists (one row per indicator) and YAML/JSON mappings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.parsing import Nature, infer_nature, is_blank, parse_nature, parse_quantity
from ..errors import JXError
from ..forms import load_form, match_label
from .mapping import _fixed_tree
from .records import (
    _DEDUCTION_KEYS,
    _FIELD_NAMES,
    _INDICATOR_KEYS,
    _MONEY_FIELDS,
    _PROJECT_LABELS,
    _SCORING_KEYS,
    _TEXT_FIELDS,
    Indicator,
    Project,
    _blank,
    _Collector,
    _money,
    _norm,
    _quoted,
    _text,
    field_key,
)


class _Reader:
    """Turns raw mappings (one per indicator row, or one per YAML project) into records."""

    def __init__(self, col: _Collector) -> None:
        self.col = col

    def header(self, project: Project, raw: dict[str, Any], where: tuple[str, str],
               labels: dict[str, str]) -> None:
        for key, value in raw.items():
            if _blank(value) or key in ("project",):
                continue
            label = labels.get(key, _FIELD_NAMES.get(key, key))
            if key == "year":
                try:
                    year = int(parse_quantity(value, "年度").value)
                except JXError:
                    year = None
                if year is None or not 1990 <= year <= 2100:
                    self.col.add(project.source, where, label, f"无法读出年度 {_quoted(value)}",
                                 "not a year")
                    continue
                self._set(project, "year", year, where, label)
            elif key in _MONEY_FIELDS or key.partition(":")[0] in _MONEY_FIELDS:
                try:
                    amount = _money(value)
                except JXError as exc:
                    self.col.add(project.source, where, label,
                                 f"无法读出金额 {_quoted(value)}（{exc.message}）", "not an amount")
                    continue
                if amount < 0:
                    self.col.add(project.source, where, label, f"金额不能为负 {_quoted(value)}",
                                 "negative amount")
                    continue
                self._set(project, ("funds", key), round(amount, 6), where, label)
            elif key in _TEXT_FIELDS:
                self._set(project, ("fields", key), _text(value), where, label)

    def _set(self, project: Project, key: Any, value: Any, where: tuple[str, str], label: str) -> None:
        if key == "year":
            old = project.year
        else:
            old = getattr(project, key[0]).get(key[1])
        if old is not None and old != value:
            self.col.add(project.source, where, label,
                         f"同一项目前后不一致：{_quoted(old)} 与 {_quoted(value)}",
                         "conflicts with an earlier row of the same project")
            return
        if key == "year":
            project.year = value
        else:
            getattr(project, key[0])[key[1]] = value

    def indicator(self, source: str, raw: dict[str, Any], where: tuple[str, str],
                  labels: dict[str, str], previous: Indicator | None, form_id: str,
                  scoring: bool = False) -> Indicator | None:
        get = raw.get
        ind = Indicator(where=where)
        for key in ("level1", "level2", "level3", "unit", "reason", "explanation", "remark"):
            setattr(ind, key, _text(get(key)))
        own = set(load_form(form_id).indicators.keys()) - set(_FIELD_NAMES)  # columns a spec adds
        ind.extra = {k: v for k, v in raw.items() if k in own and not _blank(v)}
        if not ind.level3 and all(_blank(get(k)) for k in ("target", "actual", "points", "score")):
            return None  # a project line without an indicator, or an empty 二级 category line
        # Merged cells in exports: 一级/二级 carry over from the line above.
        if previous is not None:
            if not ind.level1:
                ind.level1 = previous.level1
                if not ind.level2:
                    ind.level2 = previous.level2
        lab = lambda k: labels.get(k, _FIELD_NAMES[k])  # noqa: E731
        ind.target = None if _blank(get("target")) else get("target")
        ind.actual = None if _blank(get("actual")) else get("actual")
        if isinstance(ind.target, str):
            ind.target = ind.target.strip()
        if isinstance(ind.actual, str):
            ind.actual = ind.actual.strip()
        ok = True
        # 指标性质: its own column, else inferred from the target text (附表1 rows have none).
        try:
            nature = parse_nature(get("nature"))
        except JXError:
            self.col.add(source, where, lab("nature"),
                         f"无法识别的指标性质 {_quoted(get('nature'))}，应为 ≥、≤、＝ 或 定性",
                         "unknown nature, expected ≥ ≤ ＝ 定性")
            nature, ok = None, False
        table = load_form(form_id).indicators
        scored_by_nature = "nature" in table.keys() or bool(table.sections)  # else 指标值 may be any text
        if nature is None and ind.target is not None and ok and scored_by_nature:
            try:
                nature = infer_nature(ind.target)
            except JXError:
                nature = None
        ind.nature = nature.value if nature is not None else None
        if nature is not None and nature is not Nature.QUALITATIVE:
            for key in ("target", "actual"):
                value = getattr(ind, key)
                if value is None:
                    continue
                try:
                    parse_quantity(value, _FIELD_NAMES[key])
                except JXError:
                    self.col.add(source, where, lab(key), f"无法读出数值 {_quoted(value)}",
                                 "not a number")
                    ok = False
        elif not scoring and not _fixed_tree(form_id) and ind.target is None and (ind.level3 or ind.level2):
            self.col.add(source, where, lab("target"), "指标值为空", "target is empty")
            ok = False
        for key in ("points", "score"):
            value = get(key)
            if _blank(value) or is_blank(value):
                continue
            try:
                q = parse_quantity(value, _FIELD_NAMES[key])
                if q.unit and q.unit != "分" and not q.percent:
                    raise JXError("#VALUE!", "unit")
            except JXError:
                self.col.add(source, where, lab(key), f"无法读出数值 {_quoted(value)}", "not a number")
                ok = False
                continue
            number = q.value * 100 if q.percent else q.value
            if number < 0:
                self.col.add(source, where, lab(key), f"不能为负数 {_quoted(value)}", "negative")
                ok = False
                continue
            setattr(ind, key, round(number, 6))
        return ind if ok else Indicator(where=where, level3="\0invalid")


# ---------------------------------------------------------------- sources


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, as Excel saves)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", data, 0, 1, "neither UTF-8 nor GBK/GB18030")


def _grid_from_file(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".csv":
        text = _decode(path.read_bytes())
        return [list(r) for r in csv.reader(io.StringIO(text))]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _find_header(grid: list[list[Any]]) -> int | None:
    """The header row: the first of the top 15 rows naming 项目名称 and some indicator column."""
    for r, row in enumerate(grid[:15]):
        keys = {field_key(v) for v in row if isinstance(v, str)}
        if "project" in keys and keys & {"level3", "level2", "points", "target"}:
            return r
    return None


@dataclass
class _Row:
    where: tuple[str, str]
    values: dict[str, Any]


def _table_rows(grid: list[list[Any]], source: str, col: _Collector,
                first_line: int = 1) -> tuple[list[_Row], dict[str, str]] | None:
    h = _find_header(grid)
    if h is None:
        col.add(source, ("", ""), "", "找不到表头：需要“项目名称”列和指标列（如 三级指标、分值）",
                "no header row with 项目名称 and indicator columns")
        return None
    columns: dict[int, str] = {}
    labels: dict[str, str] = {}
    for c, v in enumerate(grid[h]):
        key = field_key(v)
        if key is None or key in labels:
            continue
        columns[c] = key
        labels[key] = _text(v).replace("\n", "")
    rows = []
    for r in range(h + 1, len(grid)):
        raw = grid[r]
        values = {key: (raw[c] if c < len(raw) else None) for c, key in columns.items()}
        if all(_blank(v) for v in values.values()):
            continue
        line = r + first_line
        rows.append(_Row((f"第 {line} 行", f"row {line}"), values))
    return rows, labels


def _projects_from_rows(rows: list[_Row], labels: dict[str, str], source: str, form_id: str,
                        col: _Collector) -> list[Project]:
    reader = _Reader(col)
    projects: dict[tuple[str, str], Project] = {}
    last_row: dict[tuple[str, str], int] = {}
    previous: dict[tuple[str, str], Indicator] = {}
    project_label = labels.get("project", "项目名称")
    order: list[tuple[str, str]] = []
    for i, row in enumerate(rows):
        name = _text(row.values.get("project"))
        if not name:
            col.add(source, row.where, project_label, "项目名称为空", "project name is empty")
            continue
        key = (name, _text(row.values.get("unit_name")))
        if key in projects and last_row[key] != i - 1:
            col.add(source, row.where, project_label,
                    f"项目“{name}”重复出现（与 {projects[key].where[0]} 起的项目同名，中间隔有其他项目）",
                    "duplicate project name (rows not together)")
            continue
        if key not in projects:
            projects[key] = Project(name=name, source=source, where=row.where)
            order.append(key)
        last_row[key] = i
        project = projects[key]
        reader.header(project, {k: v for k, v in row.values.items()
                                if k in _PROJECT_LABELS or k in _MONEY_FIELDS}, row.where, labels)
        ind = reader.indicator(source, row.values, row.where, labels, previous.get(key), form_id)
        if ind is not None:
            project.indicators.append(ind)
            previous[key] = ind
    return [projects[k] for k in order]


def _project_from_mapping(data: Any, source: str, form_id: str, col: _Collector) -> Project | None:
    if not isinstance(data, dict):
        col.add(source, ("", ""), "", "应为一个项目的键值表（项目名称: …, 指标: […]）",
                "expected a mapping for one project")
        return None
    header: dict[str, Any] = {}
    labels: dict[str, str] = {}
    lists: dict[str, Any] = {}
    deduction = None
    for label, value in data.items():
        if label in _INDICATOR_KEYS or label in _SCORING_KEYS:
            lists["scoring" if label in _SCORING_KEYS else "indicators"] = value
            continue
        if label in _DEDUCTION_KEYS:
            deduction = value
            continue
        if isinstance(value, dict) and _norm(label) in ("项目资金", "项目资金万元", "资金", "funds"):
            for k2, v2 in value.items():
                row = match_label(k2, "rows") or (k2 if k2 in _MONEY_FIELDS else None)
                if isinstance(v2, dict) and row in ("total_funds", "fiscal", "carryover", "other"):
                    for k3, v3 in v2.items():  # 年度资金总额: {全年预算数: …, 全年执行数: …}
                        col3 = match_label(k3, "funds") or k3
                        if col3 in ("initial_budget", "budget", "spent"):
                            header[f"{row}:{col3}"], labels[f"{row}:{col3}"] = v3, f"{k2} {k3}"
                    continue
                key = field_key(k2)
                if key:
                    header[key], labels[key] = v2, str(k2)
            continue
        key = field_key(label)
        if key is not None:
            header[key], labels[key] = value, str(label)
    name = _text(header.get("project"))
    if not name:
        col.add(source, ("", ""), "项目名称", "缺少项目名称", "project name is missing")
        return None
    project = Project(name=name, source=source)
    reader = _Reader(col)
    reader.header(project, header, ("", ""), labels)
    if deduction is not None and not is_blank(deduction):
        try:
            project.deduction = parse_quantity(deduction, "扣分").value
        except JXError:
            col.add(source, ("", ""), "扣分", f"无法读出数值 {_quoted(deduction)}", "not a number")
    for list_key, target in (("indicators", project.indicators), ("scoring", project.scoring)):
        items = lists.get(list_key)
        if items is None:
            continue
        title = "指标" if list_key == "indicators" else "打分表"
        if not isinstance(items, list):
            col.add(source, ("", ""), title, "应为列表", "expected a list")
            continue
        previous = None
        for n, item in enumerate(items, 1):
            where = (f"{title}第 {n} 项", f"{'indicator' if list_key == 'indicators' else 'scoring row'} {n}")
            if not isinstance(item, dict):
                col.add(source, where, "", "应为键值表", "expected a mapping")
                continue
            values, item_labels = {}, {}
            for k, v in item.items():
                key = field_key(k)
                if key:
                    values[key], item_labels[key] = v, str(k)
            ind = reader.indicator(source, values, where, item_labels, previous,
                                   form_id, scoring=list_key == "scoring")
            if ind is not None:
                target.append(ind)
                previous = ind
    return project


