"""Typed form specs: what a form is, as data (one YAML file per form).

A spec is loaded as strictly as a rule pack: every key at every depth must be a field of the
dataclass it fills, and every value must have that field's type; a mistake raises
:class:`FormSpecError` naming the file and the dotted key
(``indicators.columns[3].fromat``). ``extends: <form id>`` starts from another form (mappings
merge key by key, lists replace), which is how a provincial variant is written.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class FormSpecError(ValueError):
    """A form spec file is missing, unreadable or malformed (names the file and dotted key)."""


@dataclass(frozen=True)
class FieldSpec:
    """A header field: a label and the cell(s) beside it."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    tick: bool = False  # one ☑/□ box per choice instead of one cell
    tick_spans: tuple[int, ...] = ()  # columns each box spans (default 1)
    label_span: int = 2
    span: int = 1  # columns the value cell spans
    same_row: bool = False  # placed on the previous field's row


@dataclass(frozen=True)
class FieldBlock:
    group: str = ""  # a vertical label in the first column beside the fields ("项目\n概况")
    fields: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True)
class FundsColumn:
    key: str  # initial_budget | budget | spent (typed); points | rate | score (computed)
    label: str
    span: int = 1


@dataclass(frozen=True)
class FundsRow:
    key: str
    label: str
    scored: bool = False  # the row whose 执行率 is scored
    indent: bool = False  # shown indented under the row above


@dataclass(frozen=True)
class FundsSpec:
    group: str
    columns: tuple[FundsColumn, ...]
    rows: tuple[FundsRow, ...]


@dataclass(frozen=True)
class GoalPart:
    key: str  # data key under ``goal``
    label: str
    cell: str  # the named cell the value lands in
    span: int
    width: float = 50  # characters per line, for the row height


@dataclass(frozen=True)
class GoalSpec:
    group: str
    parts: tuple[GoalPart, ...]


@dataclass(frozen=True)
class Column:
    """One column of the indicator table."""

    key: str
    label: str
    header: str = ""  # the header text in templates, when it differs from ``label`` ("年度\n指标值")
    synonyms: tuple[str, ...] = ()
    input: bool = True  # typed by the unit; False: computed by ``formula``
    formula: str = ""  # over the row's column keys and named cells: JX_SCORE(nature,target,…)
    needs: tuple[str, ...] = ()  # a computed cell stays blank until these columns are filled
    # text | quantity (numbers with units, typed as numbers) | number (a bare number or percentage
    # typed as a number, any other text kept: 绩效标准 "95%" or "80%≤M<90%") | nature (≥ ＝ ≤ 定性)
    kind: str = "text"
    format: str = ""  # number format ("" → the typed value's, else the row's first quantity's)
    width: tuple[float, float] = (8.0, 10.0)  # (min, max) characters
    required: bool = False  # must be filled on every indicator row
    merge: bool = False  # one merged cell per group of equal values (一级/二级 labels)
    align: str = ""


@dataclass(frozen=True)
class Category:
    """A place in the indicator tree that a unit fills with its own rows."""

    level1: str
    level2: str
    rows: int = 1  # blank rows in the empty template


@dataclass(frozen=True)
class Item:
    """A fixed indicator with its points (附表1's 三级指标)."""

    name: str
    points: float
    explanation: str = ""


@dataclass(frozen=True)
class Group:
    name: str
    points: float
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Section:
    name: str
    points: float
    groups: tuple[Group, ...] = ()
    items: tuple[Item, ...] = ()  # rows under the section itself (a unit's own 个性指标)
    personal: bool = False  # the items' names are typed by the unit


@dataclass(frozen=True)
class Deduction:
    section: str
    points: float
    name: str
    explanation: str = ""


@dataclass(frozen=True)
class IndicatorTable:
    group: str = ""  # a label over the level columns, or (with group_width) a vertical one beside the table
    group_width: tuple[float, float] | None = None  # the beside-label's column width; None: label above
    group_span: int = 0  # label above: how many leading columns it covers (the others span both header rows)
    subtotals: tuple[str, ...] = ()  # fixed tree: a subtotal block with these headers (title, 分值, 说明, 得分)
    columns: tuple[Column, ...] = ()
    categories: tuple[Category, ...] = ()  # open tree: rows per 一级/二级
    sections: tuple[Section, ...] = ()  # fixed tree with points
    deduction: Deduction | None = None
    points_unit: str = "points"  # points | percent (权重 5% = 5 points)
    expected_points: float | None = None  # what the indicators' 分值/权重 total
    natures: tuple[str, ...] = ("≥", "＝", "≤", "定性")

    def leaves(self) -> list[Item]:
        """The scored rows a fixed tree defines (not a unit's own 个性指标): the lowest level present."""
        out: list[Item] = []
        for s in self.sections:
            if s.personal:
                continue
            if not s.groups:
                out.extend(s.items or (Item(s.name, s.points),))
            for g in s.groups:
                out.extend(g.items or (Item(g.name, g.points),))
        return out

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


@dataclass(frozen=True)
class Computed:
    """A named cell under the table, computed by a formula over the JX_ registry and named cells.

    Each starts a row (its label spans the columns before it) unless ``same_row``; ``at`` is the
    indicator column it sits in (empty: right after a ``label_span``-wide label, to the last column).
    """

    name: str
    formula: str
    label: str = ""
    at: str = ""
    same_row: bool = False
    label_span: int = 3
    header: bool = False  # the label styled as a header (else plain, left-aligned)
    bold: bool = False
    format: str = ""
    needs: tuple[str, ...] = ()  # blank until these named cells are filled
    notes: Mapping[str, Any] = field(default_factory=dict)  # other cells of the row: {column: text or number}


@dataclass(frozen=True)
class StatusCheck:
    """One test of the 填报状态 line: ``before`` + the count + ``after`` when the count is not 0.

    kinds: ``empty`` (no indicator typed yet), ``blank`` (empty 得分 cells), ``over`` (得分 above 分值), ``missing`` (typed rows with a
    required cell empty, and the scored funds row's 预算数/执行数), ``reason`` (得分 below 分值 and no
    偏差原因), ``deduction`` (扣分 above its maximum).
    """

    kind: str
    before: str
    after: str = ""
    count: bool = True  # False: the message is ``before`` alone


@dataclass(frozen=True)
class StatusSpec:
    checks: tuple[StatusCheck, ...] = ()
    final: str = ""  # a formula joined with &: what the line says when every check passes


@dataclass(frozen=True)
class SampleScore:
    """One of a fixed tree's 个性指标 in a sample: the name the unit typed and its scores."""

    name: str
    score: float | None = None
    points: float | None = None
    explanation: str = ""
    remark: str = ""


@dataclass(frozen=True)
class Sample:
    """Example values for the form (preview pictures, benchmark pools, tests), in the template data
    schema of :mod:`jixiao.templates`; which keys a form takes, and the names and columns inside them,
    are checked against the form when the sample is used (``jixiao.templates.check_data``)."""

    year: int | None = None
    header: Mapping[str, Any] = field(default_factory=dict)  # a tick field takes a list of choices
    funds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # amounts: numbers or "87.65万元"
    goal: Mapping[str, str] = field(default_factory=dict)
    indicators: tuple[Mapping[str, Any], ...] = ()  # open tree: one row per indicator, by column key
    scores: Mapping[str, float] = field(default_factory=dict)  # fixed tree: 自评得分 by item name
    remarks: Mapping[str, str] = field(default_factory=dict)
    personal: tuple[SampleScore, ...] = ()
    deduction: float | None = None
    deduction_remark: str = ""


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    name: str = ""  # how lists show it ("附表1 专项预算绩效自评打分表"); default: the title
    caption: str = ""  # the small label above the title ("附表1")
    caption_span: int = 1
    subtitle: str = ""  # under the title; {year} is the data's year
    aliases: tuple[str, ...] = ()  # other titles the form is published under
    sheet: str = ""  # worksheet name (default: the caption, else the title)
    pack: str = "cz2020-10"  # the rule pack its scores follow
    header: FieldBlock = field(default_factory=FieldBlock)
    overview: FieldBlock = field(default_factory=FieldBlock)
    funds: FundsSpec | None = None
    goal: GoalSpec | None = None
    indicators: IndicatorTable = field(default_factory=IndicatorTable)
    computed: tuple[Computed, ...] = ()
    status: StatusSpec = field(default_factory=StatusSpec)
    grades: tuple[str, ...] = ("优", "良", "中", "差")
    # Which validation rules apply, with their parameters: {rule slug: {param: value} | false}.
    # Read by the validation rules; this loader only checks it is a mapping of mappings.
    checks: Mapping[str, Any] = field(default_factory=dict)
    sample: Sample | None = None  # example values: what the README pictures show
    source: str = ""  # the file it was loaded from

    @property
    def display_name(self) -> str:
        return self.name or (f"{self.caption} {self.title}" if self.caption else self.title)

    @property
    def short_name(self) -> str:
        """How messages name the form ("附表1", "项目支出绩效自评表")."""
        return self.caption or self.title

    @property
    def sheet_name(self) -> str:
        return self.sheet or self.caption or self.title

    @property
    def titles(self) -> tuple[str, ...]:
        """Every title the form is recognised by, the spec's own first."""
        return (self.title, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------- strict loading
def build(cls: type, data: Any, path: Path | str, where: str = "") -> Any:
    """An instance of dataclass ``cls`` from a YAML mapping, checking every key and type."""
    def fail(key: str, problem: str) -> FormSpecError:
        return FormSpecError(f"{path}: {key or '(top)'}: {problem}")

    if not isinstance(data, Mapping):
        raise fail(where, f"应为映射 (expected a mapping), 实为 {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields or key == "source":
            raise fail(_join(where, str(key)), "未知的键 (unknown key)")
    kwargs = {}
    for name, f in fields.items():
        key = _join(where, name)
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise fail(key, "缺少此项 (missing)")
            continue
        kwargs[name] = _value(hints[name], data[name], path, key, fail)
    return cls(**kwargs)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _value(hint: Any, value: Any, path: Path | str, key: str, fail: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _value(inner, value, path, key, fail)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path, key)
    if origin is tuple:
        if not isinstance(value, list):
            raise fail(key, f"应为列表 (expected a list), 实为 {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v, path, f"{key}[{i}]", fail) for i, v in enumerate(value))
        if len(value) != len(args):
            raise fail(key, f"应有 {len(args)} 项 (expected {len(args)} items)")
        return tuple(_value(a, v, path, f"{key}[{i}]", fail) for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if origin is Mapping or hint is Any:
        if origin is Mapping and not isinstance(value, Mapping):
            raise fail(key, f"应为映射 (expected a mapping), 实为 {type(value).__name__}")
        if origin is Mapping and args and args[1] is not Any:  # typed values are checked one by one
            return {k: _value(args[1], v, path, f"{key}.{k}", fail) for k, v in value.items()}
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise fail(key, f"应为 true/false，实为 {value!r} (expected a boolean)")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(key, f"应为数值，实为 {value!r} (expected a number)")
        if hint is int and not float(value).is_integer():
            raise fail(key, f"应为整数，实为 {value!r} (expected an integer)")
        return hint(value)
    if hint is str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise fail(key, f"应为文字，实为 {value!r} (expected text)")
        return str(value)
    raise TypeError(f"unsupported spec field type {hint!r} at {key}")  # a bug in this module
