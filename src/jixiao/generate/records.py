"""Project records, data issues and the label → field tables of the input data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..core.parsing import MONEY_UNITS, parse_quantity
from ..errors import JXError
from ..forms import labels, match_label, normalize_label

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
