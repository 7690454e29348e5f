"""Generate pre-filled self-evaluation workbooks from project data.

Input is what finance systems already hold: one YAML/JSON file per project (or a folder of
them), or one CSV / Excel list with one row per indicator and the project's columns repeated
(项目名称, 预算单位, 年度, 全年预算数, 一级/二级/三级指标, 指标性质, 指标值, 分值 …; any label
synonym from ``forms/labels.yaml``). DataFrames go through :func:`from_frame`.

Everything is read and checked first (:func:`load_projects` collects every problem as a
:class:`DataIssue`, one line each, naming file, row and field); only when nothing is wrong are
the workbooks built — into a temporary folder beside ``out`` — and then moved into place, so a
bad input never leaves half of a batch behind.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .core.parsing import (
    MONEY_UNITS,
    Nature,
    infer_nature,
    is_blank,
    normalize_text,
    parse_nature,
    parse_quantity,
)
from .errors import JXError
from .forms import DEFAULT_FORM, form_ids, labels, load_form, match_label, normalize_label
from .forms.spec import FormSpec
from .hosts import MODES

DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".xlsm", ".xls")

# Header fields of a project (any of these labels, after normalisation) → record key.
_PROJECT_LABELS: dict[str, list[str]] = {
    "project": ["项目名称", "项目"],
    "unit_name": ["预算单位", "实施单位", "单位名称", "预算单位名称", "项目单位"],
    "department": ["主管部门", "主管单位"],
    "year": ["年度", "评价年度", "预算年度", "年份"],
    "project_type": ["项目类型"],
    "plan": ["中长期规划（名称、文号，仅指常年项目）", "中长期规划"],
    "fund_rules": ["资金管理办法（名称、文号）", "资金管理办法"],
    "allocation": ["绩效分配方式", "分配方式"],
    "basis": ["立项依据"],
    "scope": ["使用范围"],
    "conditions": ["申报（补助）条件", "申报条件"],
    "period": ["项目起止年限", "起止年限"],
    "goal": ["年度目标", "预期目标", "年度总体目标", "总体目标", "绩效目标"],
    "achieved": ["实际完成情况", "总体目标完成情况", "目标完成情况"],
}
_TEXT_FIELDS = ("unit_name", "department", "project_type", "plan", "fund_rules", "allocation",
                "basis", "scope", "conditions", "period", "goal", "achieved")
# Money fields, in 万元 on every form.
_MONEY_FIELDS = ("initial_budget", "budget", "spent", "total_funds", "fiscal", "carryover", "other")
_FIELD_NAMES = {
    "project": "项目名称", "unit_name": "预算单位", "department": "主管部门", "year": "年度",
    "initial_budget": "年初预算数", "budget": "全年预算数", "spent": "全年执行数",
    "total_funds": "年度资金总额", "fiscal": "财政拨款", "carryover": "上年结转资金",
    "other": "其他资金", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
    "nature": "指标性质", "target": "指标值", "unit": "度量单位", "points": "分值",
    "actual": "实际完成值", "score": "自评得分", "reason": "偏差原因", "explanation": "指标解释",
    "remark": "备注",
}
# YAML/JSON list keys: indicators (附表2 / 项目支出表) and the 附表1 scoring rows.
_INDICATOR_KEYS = ("指标", "绩效指标", "indicators")
_SCORING_KEYS = ("打分表", "附表1", "scoring")
_DEDUCTION_KEYS = ("扣分", "扣分项", "deduction")


def _norm(text: object) -> str:
    return normalize_label("" if text is None else str(text))


_PROJECT_INDEX = {_norm(s): key for key, syns in _PROJECT_LABELS.items() for s in syns}
_ENGLISH_KEYS = set(_FIELD_NAMES) | set(_PROJECT_LABELS)


def field_key(label: object) -> str | None:
    """The record key a column or YAML label stands for, or None (unknown labels are ignored)."""
    if label is None:
        return None
    text = str(label).strip()
    if text in _ENGLISH_KEYS or text in labels()["columns"]:  # a key, or a column key a form spec adds
        return text
    norm = _norm(text)
    if norm in _PROJECT_INDEX:
        return _PROJECT_INDEX[norm]
    fund = match_label(text, "funds")
    if fund in ("initial_budget", "budget", "spent"):
        return fund
    row = match_label(text, "rows")
    if row in ("total_funds", "fiscal", "carryover", "other"):
        return row
    return match_label(text, "columns")


# ---------------------------------------------------------------- records and issues


@dataclass(frozen=True)
class DataIssue:
    """One problem in the input: where (file, row, field) and what, in Chinese and English."""

    source: str
    where_zh: str  # "第 7 行" / "指标第 3 项" / ""
    where_en: str  # "row 7" / "indicator 3" / ""
    field: str
    zh: str
    en: str

    def __str__(self) -> str:
        loc = " ".join(p for p in (self.source, self.where_zh, self.field) if p)
        en_loc = ", ".join(p for p in (self.where_en, f"field {self.field}" if self.field else "") if p)
        return f"{loc}: {self.zh} ({en_loc + ': ' if en_loc else ''}{self.en})"


class DataError(Exception):
    """The input has problems; ``issues`` lists every one (nothing has been written)."""

    def __init__(self, issues: list[DataIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class Indicator:
    level1: str = ""
    level2: str = ""
    level3: str = ""
    nature: str | None = None  # "≥" "≤" "＝" "定性"
    target: Any = None
    unit: str = ""
    points: float | None = None  # in points (5% → 5)
    actual: Any = None
    score: float | None = None  # 附表1 自评得分
    reason: str = ""
    explanation: str = ""
    remark: str = ""
    where: tuple[str, str] = ("", "")
    extra: dict[str, Any] = field(default_factory=dict)  # columns a form spec adds (绩效标准 优/良/中/差 …)


@dataclass
class Project:
    name: str
    source: str
    where: tuple[str, str] = ("", "")
    year: int | None = None
    fields: dict[str, str] = field(default_factory=dict)  # text header fields
    funds: dict[str, float] = field(default_factory=dict)  # 万元
    indicators: list[Indicator] = field(default_factory=list)
    scoring: list[Indicator] = field(default_factory=list)  # 附表1 rows (when given apart)
    deduction: float | None = None

    @property
    def unit_name(self) -> str:
        return self.fields.get("unit_name", "")


# ---------------------------------------------------------------- value parsing


class _Collector:
    def __init__(self) -> None:
        self.issues: list[DataIssue] = []

    def add(self, source: str, where: tuple[str, str], fld: str, zh: str, en: str) -> None:
        self.issues.append(DataIssue(source, where[0], where[1], fld, zh, en))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _money(value: Any) -> float:
    """万元 amount from 87.65, "87.65", "87.65万元", "876,500元"; raises JXError."""
    q = parse_quantity(value, "金额")
    if q.percent:
        raise JXError("#VALUE!", "金额不能是百分比")
    if q.unit and q.unit not in MONEY_UNITS:
        raise JXError("#VALUE!", f"无法识别的金额单位“{q.unit}”")
    return q.value * MONEY_UNITS.get(q.unit or "万元", 1e4) / 1e4


def _quoted(value: Any) -> str:
    return f"“{_text(value)}”"


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


# ---------------------------------------------------------------- mapping onto the template data

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


def weight_warnings(projects: Iterable[Project], form: str) -> list[str]:
    """Projects whose indicator weights do not total the form's expectation (90 / 90%)."""
    spec = load_form(form)
    if spec.indicators.sections:
        return []
    expected = float(spec.indicators.expected_points or 90)
    expected = expected * 100 if expected <= 1 else expected
    out = []
    for p in projects:
        pts = [i.points for i in p.indicators if i.points is not None]
        if pts and abs(sum(pts) - expected) > 0.01:
            out.append(f"{p.source} 项目“{p.name}”: 指标分值合计 {sum(pts):g}，应为 {expected:g}"
                       f" (weights total {sum(pts):g}, expected {expected:g})")
    return out


def worded_number_warnings(projects: Iterable[Project], form: str, mode: str) -> list[str]:
    """Text typed where a column of kind ``number`` feeds formulas ("满意度95%以上" as a 绩效标准):
    the JX_ functions (udf mode) read it, native and LAMBDA formulas only read numbers, so the
    cell would show an error once a spreadsheet recalculates."""
    if mode == "udf":
        return []
    from .templates.layout import is_bare_number

    spec = load_form(form)
    numeric = {c.key: c.label for c in spec.indicators.columns if c.kind == "number"}
    out = []
    for p in projects:
        for ind in p.indicators:
            for key, value in ind.extra.items():
                if key in numeric and isinstance(value, str) and not is_bare_number(value):
                    out.append(f"{p.source} 项目“{p.name}”指标“{ind.level3}”的{numeric[key]}“{value}”是文字："
                               f"{mode} 模式的公式只读数值，重算后显示错误值；请填数值（如 95%）或改用 --mode udf"
                               f" (worded value in a numeric column; {mode} formulas read numbers only)")
    return out


# ---------------------------------------------------------------- writing


def write_projects(projects: list[Project], form: str, mode: str, out: str | os.PathLike[str],
                   pack: str | None = None, overwrite: bool = False) -> list[Path]:
    """Build every workbook in a staging folder, then move them all into ``out``."""
    out = Path(out)
    from .templates.refill import FormWriter

    used: set[str] = set()
    counts = Counter(p.name for p in projects)
    names = [safe_filename(p.name if counts[p.name] == 1 else f"{p.name}-{p.unit_name}", used)
             for p in projects]
    targets = [out / n for n in names]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise DataError([DataIssue(str(t), "", "", "", "文件已存在（加 --overwrite 覆盖）",
                                   "file exists (use --overwrite)") for t in existing])
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".jixiao-generate-", dir=out))
    writer = FormWriter()  # each layout rendered once, then refilled
    try:
        staged = []
        for project, name in zip(projects, names, strict=True):
            dst = staging / name
            writer.write(dst, form, mode, data=template_data(project, form), pack=pack)
            staged.append(dst)
        for src, dst in zip(staged, targets, strict=True):
            os.replace(src, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets


def generate(data: str | os.PathLike[str], form: str = DEFAULT_FORM, mode: str = "native",
             out: str | os.PathLike[str] = ".", pack: str | None = None,
             overwrite: bool = False) -> list[Path]:
    """Read ``data``, check it all, then write one workbook per project into ``out``."""
    _check_args(form, mode)
    projects = load_projects(data, form)
    return write_projects(projects, form, mode, Path(out), pack, overwrite)


def from_frame(df: Any, form: str = DEFAULT_FORM, mode: str = "native",
               out: str | os.PathLike[str] = ".", pack: str | None = None,
               overwrite: bool = False, source: str = "DataFrame") -> list[Path]:
    """:func:`generate` from a pandas DataFrame (one row per indicator, labelled columns)."""
    _check_args(form, mode)
    projects = projects_from_frame(df, form, source)
    return write_projects(projects, form, mode, Path(out), pack, overwrite)


def _check_args(form: str, mode: str) -> None:
    _check_form_id(form)
    if mode not in MODES:
        raise ValueError(f"未知模式“{mode}” (unknown mode); 可用: {', '.join(MODES)}")


def _check_form_id(form: str) -> None:
    if form not in form_ids():
        raise ValueError(f"未知表单“{form}” (unknown form); 可用: {', '.join(form_ids())}")


def iter_issue_lines(exc: DataError, limit: int = 50) -> Iterator[str]:
    for issue in exc.issues[:limit]:
        yield str(issue)
    if len(exc.issues) > limit:
        yield f"……另有 {len(exc.issues) - limit} 个问题 (and {len(exc.issues) - limit} more)"
