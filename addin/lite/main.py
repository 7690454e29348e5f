"""jixiao 绩效评价函数 — xlwings Lite 模块 (jixiao 0.1.0).

由 `jixiao addin lite --out addin/lite` 从 jixiao 的函数注册表生成，请勿手工修改。
把本文件的全部内容粘贴到 xlwings Lite 编辑器的 main.py 中即可使用 JX_ 函数，无需安装任何包。
出错时函数返回真正的 Excel 错误值（#VALUE!、#DIV/0! 等）。

Generated from the jixiao registry (do not edit). Self-contained: it embeds the jixiao scoring
core and the built-in rule packs (cz2020-10, hubei, pingjia-2020, qual-80-60, rate-caps, reverse-linear, sichuan, sichuan-dafen, yunnan-2017).
"""

import sys
import types

from xlwings import arg, func

_PACKAGE = 'jixiao_lite'

# (relative module name, is a package, source) — embedded unchanged from jixiao
_SOURCES = (
    ('', True, r'''"""jixiao core, embedded for xlwings Lite."""

__version__ = '0.1.0'
'''),
    ('errors', False, r'''"""Error values and exceptions shared by the core and every host.

Spreadsheet functions never raise at the user: they evaluate to an Excel error value
(``#VALUE!``, ``#DIV/0!`` ...) that propagates into totals, carrying a Chinese explanation
for the hosts that can show one.
"""

from __future__ import annotations

import re

EXCEL_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
# Newer Excel error values have no code of their own here; as inputs they count as #VALUE!.
OTHER_ERROR_CODES = ("#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!",
                     "#UNKNOWN!", "#DATA!", "#GETTING_DATA")
ERROR_VALUES = frozenset((*EXCEL_ERROR_CODES, *OTHER_ERROR_CODES))  # what a cell may show
_ERROR_TEXT = re.compile(
    r"^(" + "|".join(re.escape(c) for c in (*EXCEL_ERROR_CODES, *OTHER_ERROR_CODES)) + r")(?:\s+(.*))?$",
    re.S,
)


class JXError(Exception):
    """Raised by the pure core when an input cannot be scored.

    ``code`` is the Excel error value the hosts show; ``message`` is the Chinese explanation.
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in EXCEL_ERROR_CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message

    def as_value(self) -> ExcelError:
        return ExcelError(self.code, self.message)


class ExcelError(str):
    """An Excel error value returned by a JX_ function, e.g. ``#DIV/0!``.

    It compares equal to its code (``ExcelError("#N/A", "…") == "#N/A"``) and keeps the
    Chinese explanation in ``.message``.
    """

    message: str

    def __new__(cls, code: str, message: str = "") -> ExcelError:
        if code not in EXCEL_ERROR_CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        obj = super().__new__(cls, code)
        obj.message = message
        return obj

    @property
    def code(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r}, {self.message!r})"


class RulePackError(ValueError):
    """A rule pack file is missing, unreadable or malformed (names the file and key)."""


def error_from_text(value: object) -> object:
    """An argument as a spreadsheet host sends it → what the JX_ functions expect.

    Error cells read as text (``"#N/A"``) and the desktop add-in's own error texts
    (``"#DIV/0! 原因"``) become :class:`ExcelError`, so errors propagate instead of turning
    into blanks; lists are converted element-wise; any other value is returned unchanged.
    """
    if isinstance(value, (list, tuple)):
        return [error_from_text(v) for v in value]
    if isinstance(value, str) and not isinstance(value, ExcelError) and value.startswith("#"):
        m = _ERROR_TEXT.match(value.strip())
        if m:
            code, reason = m.group(1), (m.group(2) or "").strip()
            return ExcelError(code if code in EXCEL_ERROR_CODES else "#VALUE!",
                              reason or f"输入单元格为错误值 {code}")
    return value
'''),
    ('yamldata', False, r'''"""YAML data files that may ``extends:`` another (rule packs, form specs): reading and merging.

One implementation for both loaders. PyYAML is imported only when a file is read: the xlwings
Lite bundle embeds this module with the rule-pack loader, its packs already merged at build time,
and must not need PyYAML in Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def merge(base: Mapping[str, Any], override: Mapping[str, Any], additive: tuple[str, ...] = (),
          _path: tuple[str, ...] = ()) -> dict[str, Any]:
    """``override`` on ``base``: mappings merge key by key, everything else replaces — except lists
    inside the top-level sections named in ``additive``, which add their new items to the base ones
    (a rule pack extending another adds its province's spellings under ``words``)."""
    merged = dict(base)
    for key, value in override.items():
        here, old = (*_path, str(key)), merged.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            merged[key] = merge(old, value, additive, here)
        elif here[0] in additive and isinstance(value, list) and isinstance(old, list):
            merged[key] = old + [item for item in value if item not in old]
        else:
            merged[key] = value
    return merged


def load_text(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when PyYAML has it (about 2.5× faster on the form specs
    every process loads; the same safe constructors), the pure-Python loader otherwise."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def read_extending(path: Path, parent_path: Callable[[Path, str], Path], error: type[Exception],
                   what: tuple[str, str], additive: tuple[str, ...] = (),
                   chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The mapping in ``path`` merged onto the file its ``extends:`` names (``parent_path`` finds it).

    Every problem raises ``error`` naming the file; ``what`` is the kind of file in Chinese and
    English ("规则包", "rule pack"); ``additive`` goes to :func:`merge`.
    """
    import yaml  # here, not at the top: see the module docstring

    zh, en = what
    if path in chain:
        raise error(f"{path}: extends: 循环继承 (circular extends)")
    try:
        data = load_text(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: 无法读取{zh} (cannot read {en}): {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: {zh}应为 YAML 映射 (a {en} must be a mapping)")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise error(f"{path}: extends: 应为{zh}名称 (must be a {en} name)")
    base = read_extending(parent_path(path, parent), parent_path, error, what, additive, (*chain, path))
    return merge(base, data, additive)
'''),
    ('rulepacks', True, r'''"""Rule packs: the province- and year-specific numbers, kept in YAML data files.

A pack is chosen by name (``cz2020-10``, ``sichuan`` …) or by path. ``extends`` inherits
from another pack; mappings merge key by key, lists replace (word lists under ``words`` add up). Every key is checked, and a
malformed pack raises :class:`~jixiao.errors.RulePackError` naming the file and the key.
Extra directories of packs can be listed in the ``JIXIAO_RULEPACKS`` environment variable.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RulePackError
from ..yamldata import read_extending

DEFAULT_PACK = "cz2020-10"
BUILTIN_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Tier:
    name: str
    low: float
    high: float
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateCap:
    below: float
    max_total: float


@dataclass(frozen=True)
class GradeBand:
    min: float | None
    grade: str
    synonyms: tuple[str, ...] = ()  # how people write it: 优秀 for 优


@dataclass(frozen=True)
class RulePack:
    id: str
    name: str
    description: str
    source: str
    total: float
    rate_weight: float
    indicator_weight: float
    split: tuple[tuple[str, float], ...]
    deduction_max: float
    rate_denominator: str
    reason_required_below: float | None
    caps: tuple[RateCap, ...]
    reverse_method: str
    tolerance: float
    tier_score: str
    tiers: tuple[Tier, ...]
    grades: tuple[GradeBand, ...]
    reason_below_full: bool
    reason_over_ratio: float | None
    spent_not_over_budget: bool
    funds_rows_add_up: bool
    formula_expected: bool
    natures: tuple[tuple[str, str], ...] = ()  # extra 指标性质 spellings: (word, ≥ | ≤ | ＝ | 定性)
    units: tuple[tuple[str, str], ...] = ()  # unit spellings: (synonym, canonical unit)

    def grade_of_word(self, text: str) -> str | None:
        """The grade a typed word names ("优秀" → "优"), None when it names none."""
        from ..core.parsing import normalize_text

        norm = normalize_text(text)
        for band in self.grades:
            if norm in {normalize_text(w) for w in (band.grade, *band.synonyms)}:
                return band.grade
        return None

    def tier(self, name: str) -> Tier:
        for tier in self.tiers:
            if tier.name == name:
                return tier
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def pack_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("JIXIAO_RULEPACKS", "").split(os.pathsep) if p]
    return [*extra, BUILTIN_DIR]


def available_packs() -> list[str]:
    names: set[str] = set()
    for directory in pack_dirs():
        if directory.is_dir():
            names.update(p.stem for p in directory.glob("*.yaml"))
    return sorted(names)


def _find(name_or_path: str | os.PathLike[str]) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise RulePackError(f"{candidate}: 规则包文件不存在 (rule pack file not found)")
        return candidate.resolve()
    for directory in pack_dirs():
        path = directory / f"{name_or_path}.yaml"
        if path.is_file():
            return path.resolve()
    raise RulePackError(
        f"未知规则包“{name_or_path}” (unknown rule pack); 可用: {', '.join(available_packs())}"
    )


def _parent(path: Path, parent: str) -> Path:
    """The pack an ``extends:`` names: a sibling first (a pack folder may extend its own packs)."""
    sibling = path.parent / f"{parent}.yaml"
    return sibling.resolve() if sibling.is_file() else _find(parent)


def _read(path: Path) -> dict[str, Any]:
    """The pack in ``path`` merged onto its ``extends:`` chain; the word lists under ``words`` add up."""
    return read_extending(path, _parent, RulePackError, ("规则包", "rule pack"), additive=("words",))


class _Reader:
    """Typed access to the merged mapping; every failure names file and dotted key."""

    def __init__(self, path: Path, data: dict[str, Any], prefix: str = "", seen: set[str] | None = None) -> None:
        self.path = path
        self.data = data
        self.prefix = prefix
        self.seen = set() if seen is None else seen  # dotted keys read, for unknown_keys()

    def fail(self, key: str, problem: str) -> RulePackError:
        return RulePackError(f"{self.path}: {key}: {problem}")

    def sub(self, key: str, data: Mapping[str, Any]) -> _Reader:
        """A reader for one mapping inside a list (``weights.split[0]``), sharing what is read."""
        return _Reader(self.path, dict(data), f"{self.prefix}{key}.", self.seen)

    def get(self, key: str, default: Any = ..., optional: bool = False) -> Any:
        self.seen.add(self.prefix + key)
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                if default is not ...:
                    return default
                raise self.fail(key, "缺少此项 (missing)")
            node = node[part]
        if node is None and not optional:
            raise self.fail(key, "不能为空 (must not be empty)")
        return node

    def number(self, key: str, lo: float | None = None, hi: float | None = None,
               optional: bool = False, default: Any = ...) -> float | None:
        value = self.get(key, default=default, optional=optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"应为数值，实为 {value!r} (expected a number)")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.fail(key, f"{value} 超出范围 [{lo}, {hi}] (out of range)")
        return float(value)

    def text(self, key: str, choices: tuple[str, ...] | None = None, default: Any = ...) -> str:
        value = self.get(key, default=default)
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"应为文字，实为 {value!r} (expected text)")
        if choices and value not in choices:
            raise self.fail(key, f"“{value}” 不是可选值 {list(choices)} (not one of the choices)")
        return value

    def flag(self, key: str, default: Any = ...) -> bool:
        value = self.get(key, default=default)
        if not isinstance(value, bool):
            raise self.fail(key, f"应为 true/false，实为 {value!r} (expected a boolean)")
        return value

    def items(self, key: str, default: Any = ...) -> list[Any]:
        value = self.get(key, default=default, optional=True)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"应为列表 (expected a list), 实为 {type(value).__name__}")
        return value


_KNOWN_KEYS = {
    "id", "name", "description", "weights", "rate", "scoring", "qualitative", "grades",
    "deviation", "checks", "words",
}
NATURE_KINDS = {"正向": "≥", "反向": "≤", "等于": "＝", "定性": "定性"}


def _word_lists(r: _Reader, key: str, choices: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    """A mapping of canonical → [spellings] (``words.tiers``, ``.natures``, ``.units``) as (spelling, canonical)."""
    value = r.get(key, default={}, optional=True) or {}
    if not isinstance(value, Mapping):
        raise r.fail(key, "应为 {规范写法: [同义写法, …]} 映射 (expected a mapping)")
    out = []
    for canonical, words in value.items():
        if not isinstance(canonical, str) or (choices and canonical not in choices):
            raise r.fail(f"{key}.{canonical}", f"不是可选值 {list(choices or ())} (not one of the choices)")
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise r.fail(f"{key}.{canonical}", "应为非空文字的列表 (expected a list of words)")
        out.extend((w, canonical) for w in words)
    return tuple(out)


def _build(path: Path, data: dict[str, Any]) -> RulePack:
    r = _Reader(path, data)
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise r.fail(sorted(unknown)[0], "未知的键 (unknown key)")
    pack_id = r.text("id")
    if pack_id != path.stem:
        raise r.fail("id", f"“{pack_id}” 应与文件名 “{path.stem}” 相同 (id must match the file name)")

    total = r.number("weights.total", 0, 1000)
    rate_weight = r.number("weights.rate", 0, 1000)
    indicator_weight = r.number("weights.indicators", 0, 1000)
    assert total is not None and rate_weight is not None and indicator_weight is not None
    if abs(rate_weight + indicator_weight - total) > 1e-9:
        raise r.fail("weights", f"rate {rate_weight:g} + indicators {indicator_weight:g} ≠ total {total:g}")
    split = []
    for i, part in enumerate(r.items("weights.split", default=[])):
        if not isinstance(part, Mapping):
            raise r.fail(f"weights.split[{i}]", "应为 {name, points} 映射")
        sub = r.sub(f"weights.split[{i}]", part)
        try:
            split.append((sub.text("name"), sub.number("points", 0, 1000)))
        except RulePackError as exc:
            raise r.fail(f"weights.split[{i}]", str(exc).split(": ", 1)[1]) from None
    if split and abs(sum(v for _, v in split) - indicator_weight) > 1e-9:
        raise r.fail("weights.split", f"合计 {sum(v for _, v in split):g} ≠ indicators {indicator_weight:g}")

    caps = []
    for i, cap in enumerate(r.items("rate.caps", default=[])):
        if not isinstance(cap, Mapping):
            raise r.fail(f"rate.caps[{i}]", "应为 {below, max_total} 映射")
        sub = r.sub(f"rate.caps[{i}]", cap)
        try:
            caps.append(RateCap(sub.number("below", 0, 10), sub.number("max_total", 0, 1000)))
        except RulePackError as exc:
            raise r.fail(f"rate.caps[{i}]", str(exc).split(": ", 1)[1]) from None

    tiers = []
    for i, tier in enumerate(r.items("qualitative.tiers")):
        if not isinstance(tier, Mapping):
            raise r.fail(f"qualitative.tiers[{i}]", "应为 {name, low, high} 映射")
        sub = r.sub(f"qualitative.tiers[{i}]", tier)
        try:
            low, high = sub.number("low", 0, 1), sub.number("high", 0, 1)
            name = sub.text("name")
            synonyms = tuple(str(s) for s in sub.items("synonyms", default=[]))
        except RulePackError as exc:
            raise r.fail(f"qualitative.tiers[{i}]", str(exc).split(": ", 1)[1]) from None
        if low > high:
            raise r.fail(f"qualitative.tiers[{i}]", f"low {low} > high {high}")
        tiers.append(Tier(name, low, high, synonyms))
    if [t.name for t in tiers][:1] != ["达成"] or len(tiers) != 3:
        raise r.fail("qualitative.tiers", "应依次为 达成、部分达成、未达成 三档 (three tiers expected)")

    grades = []
    for i, band in enumerate(r.items("grades")):
        if not isinstance(band, Mapping):
            raise r.fail(f"grades[{i}]", "应为 {min, grade} 映射")
        sub = r.sub(f"grades[{i}]", band)
        try:
            synonyms = sub.items("synonyms", default=[])
            if not all(isinstance(w, str) and w.strip() for w in synonyms):
                raise sub.fail("synonyms", "应为非空文字的列表 (expected a list of words)")
            grades.append(GradeBand(sub.number("min", 0, 1000, optional=True), sub.text("grade"), tuple(synonyms)))
        except RulePackError as exc:
            raise r.fail(f"grades[{i}]", str(exc).split(": ", 1)[1]) from None
    mins = [g.min for g in grades]
    if not grades or mins[-1] is not None or any(m is None for m in mins[:-1]):
        raise r.fail("grades", "最后一档的 min 应为 null，其余为数值 (last band catches the rest)")
    if mins[:-1] != sorted(mins[:-1], reverse=True):
        raise r.fail("grades", "min 应从高到低排列 (bands must descend)")
    words = r.get("words", default={}, optional=True) or {}
    if not isinstance(words, Mapping) or set(words) - {"tiers", "natures", "units"}:
        raise r.fail("words", "只能有 tiers、natures、units 三项 (only tiers, natures and units)")
    extra = _word_lists(r, "words.tiers", tuple(t.name for t in tiers))
    tiers = [Tier(t.name, t.low, t.high, t.synonyms + tuple(w for w, name in extra if name == t.name))
             for t in tiers]

    pack = RulePack(
        id=pack_id,
        name=r.text("name"),
        description=str(r.get("description", default="") or ""),
        source=str(path),
        total=total,
        rate_weight=rate_weight,
        indicator_weight=indicator_weight,
        split=tuple(split),
        deduction_max=r.number("weights.deduction_max", 0, 1000, default=0.0) or 0.0,
        rate_denominator=r.text("rate.denominator"),
        reason_required_below=r.number("rate.reason_required_below", 0, 10, optional=True, default=None),
        caps=tuple(sorted(caps, key=lambda c: c.below)),
        reverse_method=r.text("scoring.reverse_method", ("ratio", "linear")),
        tolerance=r.number("scoring.tolerance", 0, 1),
        tier_score=r.text("qualitative.tier_score", ("upper", "middle", "lower")),
        tiers=tuple(tiers),
        grades=tuple(grades),
        reason_below_full=r.flag("deviation.reason_below_full"),
        reason_over_ratio=r.number("deviation.reason_over_ratio", 1, 100, optional=True, default=None),
        spent_not_over_budget=r.flag("checks.spent_not_over_budget", default=True),
        funds_rows_add_up=r.flag("checks.funds_rows_add_up", default=True),
        formula_expected=r.flag("checks.formula_expected", default=True),
        natures=tuple((w, NATURE_KINDS[k]) for w, k in _word_lists(r, "words.natures", tuple(NATURE_KINDS))),
        units=_word_lists(r, "words.units", None),
    )
    unknown = unknown_keys(data, r.seen)
    if unknown:
        key, hint = unknown[0]
        raise r.fail(key, f"未知的键 (unknown key){f'，是否应为 {hint}？' if hint else ''}")
    return pack


def unknown_keys(data: Mapping[str, Any], seen: set[str], prefix: str = "") -> list[tuple[str, str | None]]:
    """(dotted key, the likeliest intended key) of each key inside a section the loader reads
    that it never read: a misspelt ``scoring.reverse_methd`` is reported, not ignored."""
    import difflib

    found: list[tuple[str, str | None]] = []
    for key, value in data.items():
        full = f"{prefix}{key}"
        inside = [k for k in seen if k.startswith((f"{full}.", f"{full}["))]
        if isinstance(value, Mapping) and inside:
            found += unknown_keys(value, seen, f"{full}.")
        elif isinstance(value, list) and inside:
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    found += unknown_keys(item, seen, f"{full}[{i}].")
        elif full not in seen and prefix and any(k.startswith(prefix) for k in seen):
            siblings = {k[len(prefix):].split(".")[0].split("[")[0] for k in seen if k.startswith(prefix)}
            close = difflib.get_close_matches(str(key), sorted(siblings), n=1)
            found.append((full, f"{prefix}{close[0]}" if close else None))
    return found


@functools.lru_cache(maxsize=64)
def _load_cached(path: Path, mtime: float) -> RulePack:
    return _build(path, _read(path))


def load_pack(pack: str | os.PathLike[str] | RulePack | None = None) -> RulePack:
    """Load a rule pack by name (``"sichuan"``), by path, or return the default pack."""
    if isinstance(pack, RulePack):
        return pack
    if pack is None or (isinstance(pack, str) and not pack.strip()):
        pack = DEFAULT_PACK
    path = _find(str(pack).strip() if isinstance(pack, str) else pack)
    return _load_cached(path, path.stat().st_mtime)
'''),
    ('core.parsing', False, r'''"""Tolerant parsing of the values people type into 绩效 forms.

Numbers arrive as numbers, as text with units ("87.65万元", "6分"), as percentages ("5%")
or with a comparison in front ("≥95%", "不超过87.65万元"). Everything here is pure Python.
"""

from __future__ import annotations

import enum
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from ..errors import JXError

T = TypeVar("T")


class Nature(str, enum.Enum):
    """指标性质: how an indicator's actual value is compared with its target."""

    POSITIVE = "≥"  # 正向: more is better
    REVERSE = "≤"  # 反向: less is better
    EQUAL = "＝"  # 等于
    QUALITATIVE = "定性"

    @property
    def label(self) -> str:
        return {"≥": "正向", "≤": "反向", "＝": "等于", "定性": "定性"}[self.value]


# Comparison words and symbols, after normalisation (NFKC turns ＝ into =, ＞ into >).
_NATURE_WORDS: dict[str, Nature] = {
    "≥": Nature.POSITIVE, ">=": Nature.POSITIVE, "≧": Nature.POSITIVE, "=>": Nature.POSITIVE,
    ">": Nature.POSITIVE, "≥=": Nature.POSITIVE, "大于等于": Nature.POSITIVE,
    "不低于": Nature.POSITIVE, "不少于": Nature.POSITIVE, "不小于": Nature.POSITIVE,
    "大于": Nature.POSITIVE, "高于": Nature.POSITIVE, "多于": Nature.POSITIVE,
    "达到": Nature.POSITIVE, "正向": Nature.POSITIVE, "正向指标": Nature.POSITIVE,
    "≤": Nature.REVERSE, "<=": Nature.REVERSE, "≦": Nature.REVERSE, "=<": Nature.REVERSE,
    "<": Nature.REVERSE, "小于等于": Nature.REVERSE, "不超过": Nature.REVERSE,
    "不高于": Nature.REVERSE, "不大于": Nature.REVERSE, "不多于": Nature.REVERSE,
    "低于": Nature.REVERSE, "小于": Nature.REVERSE, "控制在": Nature.REVERSE,
    "反向": Nature.REVERSE, "反向指标": Nature.REVERSE,
    "=": Nature.EQUAL, "==": Nature.EQUAL, "等于": Nature.EQUAL, "等于指标": Nature.EQUAL,
    "定性": Nature.QUALITATIVE, "定性指标": Nature.QUALITATIVE,
}
# Longest first, so "不低于" wins over "不" (regex alternation tries in order).
_PREFIX_RE = re.compile("|".join(re.escape(w) for w in sorted(_NATURE_WORDS, key=len, reverse=True)))
_SUFFIX_NATURE = {"以内": Nature.REVERSE, "以下": Nature.REVERSE, "以上": Nature.POSITIVE}

_NUMBER_RE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")

_WHITESPACE = re.compile(r"\s+")

# Money units convert into one another; any other pair of different units is an error.
MONEY_UNITS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}


def normalize_text(value: object) -> str:
    """Full-width to half-width (NFKC), no whitespace or line breaks: "指标\\n分 值" → "指标分值"."""
    if value is None:
        return ""
    return _normalize(str(value))


def memo_short(maxsize: int, limit: int = 120) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.lru_cache`` for a function whose first argument is a text, keeping only texts of
    at most ``limit`` characters: forms repeat the same short labels and values endlessly, while a
    hostile file's huge cells must not stay in a reused batch worker's memory."""
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        def call(text: str, *args: Any) -> T:
            return cached(text, *args) if len(text) <= limit else fn(text, *args)

        def call1(text: str) -> T:  # the common one-argument case without packing (on hot paths)
            return cached(text) if len(text) <= limit else fn(text)

        wrapped = functools.wraps(fn)(call1 if fn.__code__.co_argcount == 1 else call)
        wrapped.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        wrapped.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return wrapped
    return wrap


@memo_short(maxsize=65536)
def _normalize(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


_BLANK_TEXTS = frozenset(("", "-", "—", "/", "／", "——"))


def is_blank(value: object) -> bool:
    """Nothing typed: None, NaN, white space or a placeholder dash/slash ("—", "/", "——")."""
    if value is None:
        return True
    if isinstance(value, str):
        # Placeholders have at most 2 characters besides white space: skip normalising the rest.
        if len(value) > 2 and len("".join(value.split())) > 2:
            return False
        return normalize_text(value) in _BLANK_TEXTS
    return isinstance(value, float) and math.isnan(value)


def parse_nature(value: object) -> Nature | None:
    """Read a 指标性质 cell: "≥", ">=", "≧", "＝", "定性", "不低于" … → Nature; blank → None."""
    if isinstance(value, Nature):
        return value
    if is_blank(value):
        return None
    text = normalize_text(value)
    if text in _NATURE_WORDS:
        return _NATURE_WORDS[text]
    raise JXError("#VALUE!", f"无法识别的指标性质“{value}”，应为 ≥、≤、＝ 或 定性")


def split_comparison(text: str) -> tuple[Nature | None, str]:
    """Split a leading comparison off a normalised text: "≥95%" → (POSITIVE, "95%")."""
    m = _PREFIX_RE.match(text)
    if m is None:
        return None, text
    return _NATURE_WORDS[m.group()], text[m.end():]


def infer_nature(target: object) -> Nature:
    """Infer 指标性质 from a target: "≥50个" → ≥, "不超过90万元" → ≤, "逐步提高" → 定性, "100%" → ≥."""
    if isinstance(target, bool):
        raise JXError("#VALUE!", "指标值不能是逻辑值")
    if isinstance(target, (int, float)):
        return Nature.POSITIVE
    if is_blank(target):
        raise JXError("#N/A", "指标值为空，无法判断指标性质")
    text = normalize_text(target)
    nature, rest = split_comparison(text)
    if not _NUMBER_RE.search(rest):
        return Nature.QUALITATIVE  # "逐步提高", "达到预期", "有效提升"
    if nature is not None:
        return nature
    for suffix, suffix_nature in _SUFFIX_NATURE.items():
        if rest.endswith(suffix):
            return suffix_nature
    return Nature.POSITIVE  # a bare target such as "100%" counts as ≥


class Quantity(NamedTuple):
    """A parsed number: ``value`` in base terms (5% → 0.05), with its unit as typed.

    A named tuple, not a dataclass: thousands are made per workbook and tuples are built faster.
    """

    value: float
    unit: str = ""
    percent: bool = False
    bare: bool = False  # a plain number with no unit or % (its scale may be ambiguous)


def parse_quantity(value: object, what: str = "数值") -> Quantity:
    """Parse a number typed as 87.65, "87.65万元", "≥95%", "6分", "1,234" or "５％".

    Raises JXError (#N/A when blank, #VALUE! when no number can be read) — never returns 0
    for something it could not read.
    """
    if isinstance(value, bool):
        raise JXError("#VALUE!", f"{what}不能是逻辑值（TRUE/FALSE）")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise JXError("#NUM!", f"{what}不是有限数值")
        return tuple.__new__(Quantity, (float(value), "", False, True))  # Quantity(…, bare=True), 3× faster
    if is_blank(value):
        raise JXError("#N/A", f"{what}为空")
    result = _parse_text_quantity(str(value), what)
    if isinstance(result, JXError):
        raise JXError(result.code, result.message)
    return result


@memo_short(maxsize=65536)
def _parse_text_quantity(original: str, what: str) -> Quantity | JXError:
    """The text branch of parse_quantity, memoised; an error is returned, not raised, so it caches."""
    try:
        return _parse_text(original, what)
    except JXError as exc:
        return exc


def _parse_text(original: str, what: str) -> Quantity:
    text = normalize_text(original)
    _, rest = split_comparison(text)
    for word in ("约", "大约", "共", "计"):
        if rest.startswith(word):
            rest = rest[len(word):]
    match = _NUMBER_RE.match(rest)
    if not match:
        raise JXError("#VALUE!", f"无法从“{original}”读出{what}")
    number = float(match.group(0).replace(",", ""))
    if not math.isfinite(number):  # "1e309" overflows to infinity
        raise JXError("#NUM!", f"“{original}”超出数值范围")
    unit = rest[match.end():]
    for suffix in _SUFFIX_NATURE:
        if unit.endswith(suffix):
            unit = unit[: -len(suffix)]
    if unit.startswith("%"):
        return Quantity(number / 100.0, unit="%", percent=True)
    if unit.startswith("‰"):
        return Quantity(number / 1000.0, unit="‰", percent=True)
    if _NUMBER_RE.search(unit):
        # "10-20家", "3至5次": a range is not one number.
        raise JXError("#VALUE!", f"“{original}”含有多个数值，无法作为{what}")
    return Quantity(number, unit=unit, bare=unit == "")


def parse_number(value: object, what: str = "数值") -> float:
    return parse_quantity(value, what).value


def harmonize(target: Quantity, actual: Quantity) -> tuple[float, float]:
    """Bring target and actual to one scale.

    - money units convert (万元 ↔ 元);
    - a percentage against a bare number: a bare number above 1 is read as percentage points
      ("95%" vs 97 → 0.97), one at or below 1 as a fraction ("95%" vs 0.97);
    - other differing units are an error: units of target and actual must match.
    """
    t, a = target.value, actual.value
    if target.percent != actual.percent:
        bare, other = (actual, target) if target.percent else (target, actual)
        if not bare.bare:
            raise JXError("#VALUE!", f"指标值与实际值单位不一致（{target.unit or '无'} / {actual.unit or '无'}）")
        scaled = bare.value / 100.0 if abs(bare.value) > 1 else bare.value
        if bare is actual:
            a = scaled
        else:
            t = scaled
        return t, a
    if target.unit and actual.unit and target.unit != actual.unit and not target.percent:
        if target.unit in MONEY_UNITS and actual.unit in MONEY_UNITS:
            a = a * MONEY_UNITS[actual.unit] / MONEY_UNITS[target.unit]
        else:
            raise JXError("#VALUE!", f"指标值与实际值单位不一致（{target.unit} / {actual.unit}）")
    return t, a
'''),
    ('core.scoring', False, r'''"""The scoring rules of 预算绩效自评, as pure functions (no Excel anywhere).

Every function raises :class:`~jixiao.errors.JXError` for input it cannot score; the JX_
function layer turns that into an Excel error value. Rule-pack numbers come in as a
:class:`~jixiao.rulepacks.RulePack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..errors import JXError
from ..rulepacks import RulePack, Tier
from .parsing import (
    Nature,
    Quantity,
    harmonize,
    infer_nature,
    is_blank,
    normalize_text,
    parse_nature,
    parse_number,
    parse_quantity,
)


def round_half_up(x: float, digits: int = 2) -> float:
    """Round like Excel's ROUND: snap to 15 significant digits, then half away from zero.

    ``round_half_up(0.285) == 0.29`` and ``round_half_up(2.675) == 2.68``, as in Excel and
    LibreOffice (Python's ``round`` gives 0.28 and 2.67).
    """
    x = float(x)
    if 0 <= digits and x.is_integer() and abs(x) < 1e15:
        return x  # nothing to round (most typed scores and weights; ROUND(15, -1) is 20)
    snapped = Decimal(f"{x:.15g}")
    if snapped.is_finite() and digits >= -snapped.as_tuple().exponent:
        return float(snapped)  # no more decimals than asked for: the snap was all (9.87 stays 9.87)
    quantum = Decimal(1).scaleb(-digits)
    return float(snapped.quantize(quantum, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- 执行率
def execution_rate(budget: object, spent: object) -> float:
    """执行率 = 全年执行数 ÷ 全年预算数, as a fraction (0.98734…)."""
    if is_blank(budget):
        raise JXError("#DIV/0!", "全年预算数为空，无法计算执行率")
    b = parse_number(budget, "全年预算数")
    if b == 0:
        raise JXError("#DIV/0!", "全年预算数为 0，无法计算执行率")
    if b < 0:
        raise JXError("#NUM!", "全年预算数不能为负数")
    s = parse_number(spent, "全年执行数")
    if s < 0:
        raise JXError("#NUM!", "全年执行数不能为负数")
    return s / b


def rate_score(budget: object, spent: object, weight: object, pack: RulePack) -> float:
    """执行率得分 = min(执行率, 1) × 分值, rounded half-up to 2 decimals (98.73% × 10 → 9.87)."""
    w = _weight(weight)
    return round_half_up(min(execution_rate(budget, spent), 1.0) * w)


# ---------------------------------------------------------------- indicators
def _weight(weight: object) -> float:
    q = parse_quantity(weight, "分值")
    # 权重 "5%" on a 100-point form is 5 points.
    w = q.value * 100.0 if q.percent else q.value
    if w < 0:
        raise JXError("#NUM!", "分值不能为负数")
    return w


def resolve_nature(nature: object, target: object) -> Nature:
    parsed = parse_nature(nature)
    return parsed if parsed is not None else infer_nature(target)


def score_positive(target: float, actual: float, weight: float) -> float:
    """正向: actual ≥ target → full; else 分值 × actual ÷ target. Never above 分值."""
    if actual >= target:
        return weight
    return weight * actual / target


def score_reverse(target: float, actual: float, weight: float, method: str) -> float:
    """反向: actual ≤ target → full; else ratio (分值 × target ÷ actual) or linear."""
    if actual <= target:
        return weight
    if target == 0:
        return 0.0
    if method == "linear":
        return weight * max(0.0, 1.0 - (actual - target) / target)
    return weight * target / actual


def score_equal(target: float, actual: float, weight: float) -> float:
    """等于: target ≠ 0 scores as 正向; target = 0 → full when actual ≤ 0, else 0."""
    if target == 0:
        return weight if actual <= 0 else 0.0
    return score_positive(target, actual, weight)


def qualitative_tier(actual: object, target: object, pack: RulePack) -> tuple[Tier, float | None]:
    """Which 定性 tier an actual value reports, with its achievement degree when one was given.

    Accepted: the tier names and their synonyms, the target text itself (→ 达成), or a
    percentage/fraction of achievement ("85%", 0.85).
    """
    if is_blank(actual):
        raise JXError("#N/A", "定性指标的实际完成情况为空")
    text = normalize_text(actual)
    if not isinstance(actual, (int, float)) or isinstance(actual, bool):
        if not is_blank(target) and text == normalize_text(target):
            return pack.tiers[0], None
        for tier in pack.tiers:
            if text == normalize_text(tier.name) or text in {normalize_text(s) for s in tier.synonyms}:
                return tier, None
    try:
        q = parse_quantity(actual, "定性完成程度")
    except JXError:
        names = "、".join(t.name for t in pack.tiers)
        raise JXError("#VALUE!", f"定性指标实际值“{actual}”应为 {names} 之一，或完成程度百分比") from None
    degree = q.value
    if not q.percent and degree > 1:
        raise JXError("#VALUE!", f"定性完成程度 {actual} 应为百分比（如 85% 或 0.85）")
    if degree < 0:
        raise JXError("#NUM!", "定性完成程度不能为负数")
    degree = min(degree, 1.0)
    return tier_of_degree(degree, pack), degree


def tier_of_degree(degree: float, pack: RulePack) -> Tier:
    for tier in pack.tiers:  # 达成 first: a degree on a boundary belongs to the higher tier
        if degree >= tier.low:
            return tier
    return pack.tiers[-1]


def tier_fraction(tier: Tier, pack: RulePack) -> float:
    if pack.tier_score == "upper":
        return tier.high
    if pack.tier_score == "lower":
        return tier.low
    return (tier.low + tier.high) / 2


def score_qualitative(target: object, actual: object, weight: float, pack: RulePack) -> float:
    tier, degree = qualitative_tier(actual, target, pack)
    return weight * (degree if degree is not None else tier_fraction(tier, pack))


def _canonical_unit(q: Quantity, pack: RulePack) -> Quantity:
    """The pack's spelling of a unit ("万" → "万元", ``words.units``), so target and actual compare."""
    for word, canonical in pack.units:
        if q.unit and normalize_text(word) == q.unit:
            return q._replace(unit=canonical)
    return q


def indicator_score(nature: object, target: object, actual: object, weight: object,
                    pack: RulePack) -> float:
    """An indicator's score, rounded half-up to 2 decimals.

    ``nature`` may be blank: it is then inferred from the target's text.
    """
    w = _weight(weight)
    kind = resolve_nature(nature, target)
    if kind is Nature.QUALITATIVE:
        return round_half_up(score_qualitative(target, actual, w, pack))
    t_q = _canonical_unit(parse_quantity(target, "指标值"), pack)
    a_q = _canonical_unit(parse_quantity(actual, "实际完成值"), pack)
    t, a = harmonize(t_q, a_q)
    if t < 0:
        raise JXError("#NUM!", "指标值不能为负数")
    a = max(a, 0.0)  # negative actuals count as 0
    if kind is Nature.POSITIVE:
        raw = score_positive(t, a, w)  # a target of 0 is met by any actual ≥ 0
    elif kind is Nature.REVERSE:
        raw = score_reverse(t, a, w, pack.reverse_method)
    else:
        raw = score_equal(t, a, w)
    return round_half_up(raw)


def qualitative_band(actual: object, target: object, weight: object, pack: RulePack) -> tuple[float, float]:
    """The (low, high) score band that a 定性 actual value allows."""
    tier, _ = qualitative_tier(actual, target, pack)
    w = _weight(weight)
    return round_half_up(tier.low * w), round_half_up(tier.high * w)


def qualitative_ok(actual: object, score: object, weight: object, pack: RulePack,
                   target: object = None) -> bool:
    """Does a typed 定性 score fall within its tier's band (tolerance from the pack)?"""
    low, high = qualitative_band(actual, target, weight, pack)
    s = parse_number(score, "得分")
    return low - pack.tolerance <= s <= high + pack.tolerance


# ---------------------------------------------------------------- totals and grades
def _flatten(values: object) -> list[object]:
    if not isinstance(values, (list, tuple)):
        return [values]
    out: list[object] = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


def total_score(scores: object, deduction: object = None, rate: object = None,
                pack: RulePack | None = None) -> float:
    """总分 = Σ rounded scores − 扣分 (floored at 0), capped by 执行率 when the pack says so."""
    total = 0.0
    for value in _flatten(scores):
        if is_blank(value):
            continue
        total += round_half_up(parse_number(value, "得分"))
    if not is_blank(deduction):
        d = parse_number(deduction, "扣分")
        if d < 0:
            raise JXError("#NUM!", "扣分应填正数")
        if pack is not None and pack.deduction_max and d > pack.deduction_max:
            raise JXError("#NUM!", f"扣分 {d:g} 超过上限 {pack.deduction_max:g}")
        total -= d
    total = round_half_up(max(total, 0.0))
    if pack is not None and pack.caps and not is_blank(rate):
        total = min(total, rate_cap(parse_number(rate, "执行率"), pack))
    return total


def rate_cap(rate: float, pack: RulePack) -> float:
    """The highest total allowed at this 执行率 (the pack's caps; no cap → +inf)."""
    cap = float("inf")
    for c in pack.caps:
        if rate < c.below:
            cap = min(cap, c.max_total)
    return cap


def grade(total: object, pack: RulePack) -> str:
    """优 / 良 / 中 / 差 from the rounded total (≥ 90 优, ≥ 80 良, ≥ 60 中, else 差 by default)."""
    t = round_half_up(parse_number(total, "总分"))
    for band in pack.grades:
        if band.min is None or t >= band.min:
            return band.grade
    return pack.grades[-1].grade


@dataclass(frozen=True)
class WeightCheck:
    total: float
    expected: float
    ok: bool

    @property
    def message(self) -> str:
        # Weights kept as fractions (附表2's 5% cells hold 0.05) are shown as percentages.
        percent = abs(self.expected) <= 1.5
        total = f"{round_half_up(self.total * 100, 2):.15g}%" if percent else f"{self.total:.15g}"
        expected = f"{round_half_up(self.expected * 100, 2):.15g}%" if percent else f"{self.expected:.15g}"
        if self.ok:
            return f"权重合计 {total}，符合要求"
        return f"权重合计 {total}，应为 {expected}"


def weight_check(weights: object, expected: object) -> WeightCheck:
    total = 0.0
    for value in _flatten(weights):
        if is_blank(value):
            continue
        q = parse_quantity(value, "分值")
        total += q.value
    exp = parse_number(expected, "应合计")
    total = round_half_up(total, 4)
    return WeightCheck(total, exp, abs(total - exp) <= weight_tolerance(exp))


def weight_tolerance(expected: float) -> float:
    """Half a cent of a point; weights kept as fractions (0.9 for 90%) get the same in %."""
    return 0.005 if abs(expected) > 1.5 else 0.00005
'''),
    ('core.quality', False, r'''"""完成质量: which of an indicator's four 绩效标准 (优/良/中/差) its 完成值 reaches.

Some forms (seed 004, 云南 2017) give every indicator four standards instead of one target:
"95%以上" / "90%以上" / "80%以上" / "70%以上", or "M≥90%" / "80%≤M<90%为良" / "60%≤M<80%" /
"M<60%". A standard is read as a band of values:

- a comparison: "M≥90%", "≥90%", "不低于90%", "M<60%", "90%≤M" (either side of the letter);
- two comparisons around a letter: "80%≤M<90%", "90%>M≥80%";
- a number with 以上/以下/以内 (inclusive, as in Chinese usage): "95%以上", "70%以下";
- a range: "80%-90%", "80%至90%" (both ends inclusive);
- a bare number ("100%", 0.95): at least it when the standards fall from 优 to 中, at most it
  when they rise (less is better, e.g. an accident rate).
Words around the number ("满意度", "为良") are ignored; units other than % and ‰ are not
converted. A 完成值 typed exactly as one standard's text gets that grade (qualitative standards).

The grades are tried from 优 down; the first band holding the value wins, so a value on a shared
boundary takes the better grade. A value that reaches none of 优/良/中 and lies beyond 中 (or
inside the 差 band) is 差; a value that falls in a gap between the bands is an error, never a
guess. Grade words come from the rule pack's grade bands (优/良/中/差 by default).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import JXError
from ..rulepacks import RulePack
from .parsing import Quantity, harmonize, is_blank, normalize_text, parse_quantity

GE, GT, LE, LT = ">=", ">", "<=", "<"

# Comparison words before a number (after NFKC normalisation; longest first in the regex).
_PREFIX_OPS = {
    "≥": GE, ">=": GE, "≧": GE, "=>": GE, ">": GT, "≤": LE, "<=": LE, "≦": LE, "=<": LE, "<": LT,
    "不低于": GE, "不少于": GE, "不小于": GE, "大于等于": GE, "大于或等于": GE, "达到": GE,
    "大于": GT, "高于": GT, "多于": GT, "超过": GT,
    "不超过": LE, "不高于": LE, "不大于": LE, "不多于": LE, "小于等于": LE, "小于或等于": LE, "控制在": LE,
    "小于": LT, "低于": LT, "少于": LT, "不足": LT,
}
# Words after a number: 以上/以下 include the number itself (Chinese usage).
_SUFFIX_OPS = {"(含)以上": GE, "及以上": GE, "以上": GE, "(含)以下": LE, "及以下": LE, "以下": LE, "以内": LE}
_FLIP = {GE: LE, GT: LT, LE: GE, LT: GT}  # "90%≤M" is "M≥90%"
_RANGE_SEPARATORS = frozenset(("-", "~", "～", "至", "到", "—", "–"))

_TOKEN = re.compile(
    "(?P<suffix>" + "|".join(re.escape(w) for w in sorted(_SUFFIX_OPS, key=len, reverse=True)) + ")"
    "|(?P<op>" + "|".join(re.escape(w) for w in sorted(_PREFIX_OPS, key=len, reverse=True)) + ")"
    r"|(?P<num>(?:\d+(?:\.\d+)?|\.\d+)(?P<pct>[%‰])?)"
)


class Band(NamedTuple):
    """The values one standard admits: ``(op, bound)`` pairs, all of which must hold.

    A bare number has ``bare`` set and no constraints: its comparison follows the direction
    of the standards.
    """

    constraints: tuple[tuple[str, Quantity], ...]
    bare: Quantity | None = None


def _quantity(match: re.Match[str]) -> Quantity:
    number = float(match.group("num").removesuffix(match.group("pct") or ""))
    pct = match.group("pct")
    if pct == "%":
        return Quantity(number / 100.0, unit="%", percent=True)
    if pct == "‰":
        return Quantity(number / 1000.0, unit="‰", percent=True)
    return Quantity(number, bare=True)


def parse_standard(text: object, label: str = "绩效标准") -> Band | None:
    """Read one 绩效标准 as a band; None when it holds no number (a qualitative standard)."""
    if isinstance(text, bool):
        raise JXError("#VALUE!", f"{label}不能是逻辑值")
    if isinstance(text, (int, float)):
        return Band((), parse_quantity(text, label))
    norm = normalize_text(text)
    tokens: list[tuple[str, object, int, int]] = []  # (kind, value, start, end)
    for m in _TOKEN.finditer(norm):
        if m.group("suffix"):
            tokens.append(("suffix", _SUFFIX_OPS[m.group("suffix")], m.start(), m.end()))
        elif m.group("op"):
            tokens.append(("op", _PREFIX_OPS[m.group("op")], m.start(), m.end()))
        else:
            tokens.append(("num", _quantity(m), m.start(), m.end()))
    nums = [i for i, t in enumerate(tokens) if t[0] == "num"]
    if not nums:
        return None
    unreadable = JXError("#VALUE!", f"无法读懂{label}“{text}”（应如 95%以上、M≥90%、80%≤M<90%、M<60%）")
    if len(nums) > 2:
        raise unreadable
    if len(nums) == 2:
        return _two_sided(norm, tokens, nums, unreadable)
    i = nums[0]
    q = tokens[i][1]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if before is not None and before[0] == "op":
        return Band(((before[1], q),))  # "M≥90%", "≥90%以上", "不低于90%"
    if after is not None and after[0] == "op":
        return Band(((_FLIP[after[1]], q),))  # "90%≤M"
    if after is not None and after[0] == "suffix":
        return Band(((after[1], q),))  # "95%以上", "70%以下"
    return Band((), q)  # "100%"


def _two_sided(norm: str, tokens: list, nums: list[int], unreadable: JXError) -> Band:
    i, j = nums
    low_q, high_q = tokens[i][1], tokens[j][1]
    between = tokens[i + 1:j]
    if [t[0] for t in between] == ["op", "op"]:  # "80%≤M<90%", "90%>M≥80%"
        return Band(((_FLIP[between[0][1]], low_q), (between[1][1], high_q)))
    if not between and norm[tokens[i][3]:tokens[j][2]] in _RANGE_SEPARATORS:  # "80%-90%"
        if low_q.percent != high_q.percent:  # "80-90%": the % belongs to both ends
            low_q, high_q = (_as_percent(q, high_q if q is low_q else low_q) for q in (low_q, high_q))
        a, b = sorted((low_q, high_q), key=lambda q: q.value)
        return Band(((GE, a), (LE, b)))
    raise unreadable


def _as_percent(q: Quantity, other: Quantity) -> Quantity:
    if q.percent:
        return q
    scale = 100.0 if other.unit == "%" else 1000.0
    return Quantity(q.value / scale, unit=other.unit, percent=True)


def _holds(op: str, value: float, bound: float) -> bool:
    return {GE: value >= bound, GT: value > bound, LE: value <= bound, LT: value < bound}[op]


def _scaled(bound: Quantity, actual: Quantity) -> tuple[float, float]:
    return harmonize(bound, actual)  # (bound, actual) on one scale: "95%" against 92.97


def _reference(band: Band, actual: Quantity) -> float:
    """One number that places a band on the scale (its lower end, else its upper end)."""
    if band.bare is not None:
        return _scaled(band.bare, actual)[0]
    lows = [q for op, q in band.constraints if op in (GE, GT)]
    return _scaled((lows or [q for _, q in band.constraints])[0], actual)[0]


def _contains(band: Band, actual: Quantity, rising: bool) -> bool:
    if band.bare is not None:
        bound, value = _scaled(band.bare, actual)
        return value <= bound if rising else value >= bound
    return all(_holds(op, *reversed(_scaled(q, actual))) for op, q in band.constraints)


def _beyond(band: Band, actual: Quantity, rising: bool) -> bool:
    """Is the value on the worse side of the band (below it, or above it when less is better)?"""
    if band.bare is not None:
        bound, value = _scaled(band.bare, actual)
        return value > bound if rising else value < bound
    worse_side = (LE, LT) if rising else (GE, GT)  # the bounds that face the worse side
    facing = [(op, q) for op, q in band.constraints if op in worse_side]
    return bool(facing) and not all(_holds(op, *reversed(_scaled(q, actual))) for op, q in facing)


def completion_quality(actual: object, standards: list[object], pack: RulePack) -> str:
    """完成质量 of ``actual`` against the standards [优, 良, 中, 差] → the pack's grade word."""
    words = [band.grade for band in pack.grades]
    if len(words) != 4 or len(standards) != 4:
        raise JXError("#VALUE!", f"完成质量需要四档等级，规则包“{pack.id}”有 {len(words)} 档")
    labels = [f"绩效标准（{w}）" for w in words]
    if is_blank(actual):
        raise JXError("#N/A", "完成值为空")
    if isinstance(actual, str):
        text = normalize_text(actual)
        for word, standard in zip(words, standards, strict=True):
            if not is_blank(standard) and text == normalize_text(standard):
                return word  # typed as the standard itself (qualitative standards)
    for label, standard in zip(labels[:3], standards[:3], strict=True):
        if is_blank(standard):
            raise JXError("#N/A", f"{label}为空")
    try:
        value = parse_quantity(actual, "完成值")
    except JXError:
        raise JXError("#VALUE!", f"完成值“{actual}”读不出数值，也不与任何一档绩效标准相同") from None
    bands: list[Band] = []
    for label, standard in zip(labels[:3], standards[:3], strict=True):
        band = parse_standard(standard, label)
        if band is None:
            raise JXError("#VALUE!", f"{label}“{standard}”没有数值：完成值应写成与某一档相同的文字")
        bands.append(band)
    # Standards that fall from 优 to 中 mean more is better; rising ones mean less is better.
    rising = _reference(bands[0], value) < _reference(bands[2], value)
    for word, band in zip(words[:3], bands, strict=True):
        if _contains(band, value, rising):
            return word
    poor = _optional_band(standards[3], labels[3])
    if (poor is not None and _contains(poor, value, rising)) or all(_beyond(b, value, rising) for b in bands):
        return words[3]
    raise JXError("#N/A", f"完成值 {actual} 不在任何一档绩效标准之内（标准之间有空档）")


def _optional_band(standard: object, label: str) -> Band | None:
    """The 差 standard only confirms: blank, wordy or unreadable, it is left out."""
    if is_blank(standard):
        return None
    try:
        return parse_standard(standard, label)
    except JXError:
        return None
'''),
    ('core', True, r'''"""The pure scoring core: parsing of typed values and the 绩效 scoring rules. No Excel here."""

from .parsing import (
    Nature,
    infer_nature,
    normalize_text,
    parse_nature,
    parse_number,
    parse_quantity,
)
from .quality import completion_quality, parse_standard
from .scoring import (
    execution_rate,
    grade,
    indicator_score,
    qualitative_band,
    qualitative_ok,
    rate_score,
    round_half_up,
    total_score,
    weight_check,
)

__all__ = [
    "Nature", "completion_quality", "execution_rate", "grade", "indicator_score", "infer_nature", "normalize_text",
    "parse_nature", "parse_number", "parse_quantity", "parse_standard", "qualitative_band", "qualitative_ok",
    "rate_score", "round_half_up", "total_score", "weight_check",
]
'''),
    ('native', False, r'''"""Native formula text: each JX_ function as plain Excel functions (IF/MIN/ROUND/SUMPRODUCT…).

Each generator takes Excel expressions (cell references such as ``"D7"``, or parameter names
for a LAMBDA body) and a rule pack, whose numbers are baked into the text. The result works in
Excel 2010+, WPS and LibreOffice with no add-in.

Native formulas work on typed cells: 指标值/实际值/分值 must be numbers (a percentage is a
number formatted as %); 指标性质 is a symbol or word such as ≥, ≤, ＝, 定性. Text where a number
belongs gives an Excel error value, never a guessed number (the JX_ functions parse such text;
plain formulas cannot do it reliably in every spreadsheet).
"""

from __future__ import annotations

import re

from .core.parsing import _NATURE_WORDS, Nature
from .rulepacks import RulePack

# Error values written as Excel error constants: the same value in Excel, LibreOffice, Gnumeric
# and `formulas` (a failing function is not: SQRT(-1) and LN(0) give #NUM! in Gnumeric and
# `formulas` but #VALUE! in LibreOffice). tests/test_engines.py holds each failure mode to the
# error the JX_ functions return.
ERR_VALUE = "#VALUE!"
ERR_NUM = "#NUM!"
ERR_NA = "NA()"
ERR_DIV0 = "#DIV/0!"


_RANGE = re.compile(r"(?<![A-Za-z_\"])\$?[A-Z]{1,3}\$?[0-9]+:\$?[A-Z]{1,3}\$?[0-9]+")


def needs_array(formula: str) -> bool:
    """Must this cell text be entered as an array formula to mean the same in every spreadsheet?

    Text over a range (``SUMPRODUCT(ROUND(F5:F19,2))``, ``SUMPRODUCT((F5:F19="")*1)``) is only
    evaluated element by element in an array context: Excel's SUMPRODUCT gives one implicitly,
    Gnumeric's does not (it intersects the range with the formula's row → #VALUE! or a wrong
    number). A one-cell array formula means the same everywhere; COUNT, MAX and IF over scalars
    are unchanged by it. String literals are left out of the search.
    """
    return bool(_RANGE.search(re.sub(r'"(?:[^"]|"")*"', '""', formula)))


def as_text(expr: str) -> str:
    """A number as text the same way in every engine: 57.13 → "57.13", 91 → "91".

    ``x&""`` is not portable: Gnumeric writes 57.13 as "57.130000000000000001". TEXT with
    optional decimals is, once the dot Excel and Gnumeric leave after a whole number is taken
    off. Text passes through unchanged (TEXT of a text is the text).
    """
    return f'SUBSTITUTE(SUBSTITUTE(TEXT({expr},"0.##########")&"|",".|",""),"|","")'


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _any_equal(expr: str, words: list[str]) -> str:
    return "OR(" + ",".join(f"{expr}={_q(w)}" for w in words) + ")"


def _nature_words(nature: Nature) -> list[str]:
    words = {w for w, n in _NATURE_WORDS.items() if n is nature}
    if nature is Nature.EQUAL:
        words |= {"＝"}
    if nature is Nature.POSITIVE:
        words |= {"＞＝"}
    if nature is Nature.REVERSE:
        words |= {"＜＝"}
    return sorted(words, key=lambda w: (len(w), w))


def _tier_words(pack: RulePack, index: int) -> list[str]:
    tier = pack.tiers[index]
    return [tier.name, *tier.synonyms]


def _tier_fraction(pack: RulePack, index: int) -> float:
    tier = pack.tiers[index]
    return {"upper": tier.high, "lower": tier.low, "middle": (tier.low + tier.high) / 2}[pack.tier_score]


def _num(x: float) -> str:
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


def qualitative_fraction(target: str, actual: str, pack: RulePack) -> str:
    """Fraction of 分值 a 定性 actual earns: tier text → the pack's point in the band; number → itself."""
    a = f"TRIM({actual})"
    tiers = (
        f"IF(OR({a}=TRIM({target}),{_any_equal(a, _tier_words(pack, 0))}),{_num(_tier_fraction(pack, 0))},"
        f"IF({_any_equal(a, _tier_words(pack, 1))},{_num(_tier_fraction(pack, 1))},"
        f"IF({_any_equal(a, _tier_words(pack, 2))},{_num(_tier_fraction(pack, 2))},{ERR_VALUE})))"
    )
    degree = f"IF({actual}<0,{ERR_NUM},IF({actual}>1,{ERR_VALUE},{actual}))"
    return f"IF({actual}=\"\",{ERR_NA},IF(ISNUMBER({actual}),{degree},{tiers}))"


def score(nature: str, target: str, actual: str, weight: str, pack: RulePack) -> str:
    n = f"TRIM({nature})"
    t, w = target, weight
    a = f"MAX({actual},0)"
    positive = f"IF({a}>={t},{w},{w}*{a}/{t})"
    if pack.reverse_method == "linear":
        reverse_short = f"{w}*MAX(0,1-({a}-{t})/{t})"
    else:
        reverse_short = f"{w}*{t}/{a}"
    reverse = f"IF({a}<={t},{w},IF({t}=0,0,{reverse_short}))"
    equal = f"IF({t}=0,IF({a}<=0,{w},0),{positive})"
    is_pos = _any_equal(n, ["", *_nature_words(Nature.POSITIVE)])
    is_rev = _any_equal(n, _nature_words(Nature.REVERSE))
    is_eq = _any_equal(n, _nature_words(Nature.EQUAL))
    is_qual = _any_equal(n, _nature_words(Nature.QUALITATIVE))
    quantitative = (
        f"IF(OR({target}=\"\",{actual}=\"\"),{ERR_NA},"
        f"IF(OR(NOT(ISNUMBER({t})),NOT(ISNUMBER({actual}))),{ERR_VALUE},"
        f"IF({t}<0,{ERR_NUM},"
        f"ROUND(IF({is_pos},{positive},IF({is_rev},{reverse},{equal})),2))))"
    )
    return (
        f"IF({weight}=\"\",{ERR_NA},IF(NOT(ISNUMBER({w})),{ERR_VALUE},IF({w}<0,{ERR_NUM},"
        f"IF({is_qual},ROUND({w}*{qualitative_fraction(target, actual, pack)},2),"
        f"IF(OR({is_pos},{is_rev},{is_eq}),{quantitative},{ERR_VALUE})))))"
    )


def _number(expr: str, then: str, *, blank: str = ERR_NA, negative: str | None = ERR_NUM) -> str:
    """Check a typed number as the core's parse does: blank → ``blank``, text → #VALUE!,
    below zero → ``negative`` (None: allowed); else ``then``."""
    checked = then if negative is None else f"IF({expr}<0,{negative},{then})"
    return f"IF({expr}=\"\",{blank},IF(NOT(ISNUMBER({expr})),{ERR_VALUE},{checked}))"


def rate(budget: str, spent: str, pack: RulePack) -> str:
    division = _number(spent, f"{spent}/{budget}")
    return _number(budget, f"IF({budget}=0,{ERR_DIV0},IF({budget}<0,{ERR_NUM},{division}))",
                   blank=ERR_DIV0, negative=None)


def rate_score(budget: str, spent: str, weight: str, pack: RulePack) -> str:
    if re.fullmatch(r"[0-9.]+", weight):  # the pack's own number, baked in
        return f"ROUND(MIN({rate(budget, spent, pack)},1)*{weight},2)"
    # a blank 分值 cell takes the pack's, as JX_RATE_SCORE does; the weight is checked first, as there
    w = f"IF({weight}=\"\",{_num(pack.rate_weight)},{weight})"
    return _number(w, f"ROUND(MIN({rate(budget, spent, pack)},1)*{w},2)")


def grade(total: str, pack: RulePack) -> str:
    t = f"ROUND({total},2)"
    expr = _q(pack.grades[-1].grade)
    for band in reversed(pack.grades[:-1]):
        expr = f"IF({t}>={_num(band.min)},{_q(band.grade)},{expr})"
    return _number(total, expr, negative=None)


def rate_cap(rate_expr: str, pack: RulePack) -> str:
    expr = "9.99E+307"
    for cap in sorted(pack.caps, key=lambda c: c.below, reverse=True):
        expr = f"IF({rate_expr}<{_num(cap.below)},{_num(cap.max_total)},{expr})"
    return expr


def total(scores: str, deduction: str, rate_expr: str, pack: RulePack) -> str:
    base = f"SUMPRODUCT(ROUND({scores},2))"
    if deduction:
        d = deduction
        if pack.deduction_max:
            d = f"IF({deduction}>{_num(pack.deduction_max)},{ERR_NUM},{deduction})"
        base = f"{base}-{_number(deduction, d, blank='0')}"
    expr = f"ROUND(MAX(0,{base}),2)"
    if pack.caps and rate_expr:
        capped = f"MIN({expr},{rate_cap(rate_expr, pack)})"
        expr = f"IF({rate_expr}=\"\",{expr},IF(NOT(ISNUMBER({rate_expr})),{ERR_VALUE},{capped}))"
    return expr


WEIGHT_TOL = "IF(ABS({e})>1.5,0.005,0.00005)"  # twin of core.scoring.weight_tolerance


def weight_status(weights: str, expected: str, pack: RulePack) -> str:
    s = f"ROUND(SUMPRODUCT({weights}*1),4)"
    tol = WEIGHT_TOL.format(e=expected)
    percent = f"ABS({expected})<=1.5"  # weights kept as fractions are shown as percentages
    shown = f'IF({percent},{as_text(f"ROUND({s}*100,2)")}&"%",{as_text(s)})'
    wanted = f'IF({percent},{as_text(f"ROUND({expected}*100,2)")}&"%",{as_text(expected)})'
    status = (
        f"IF(ABS({s}-{expected})<={tol},\"权重合计 \"&{shown}&\"，符合要求\","
        f"\"权重合计 \"&{shown}&\"，应为 \"&{wanted})"
    )
    return f"IF(ISERROR({s}),{s},{_number(expected, status, negative=None)})"


def qual_check(actual: str, score_expr: str, weight: str, target: str, pack: RulePack) -> str:
    """TRUE when a typed 定性 score lies within the band of the tier its actual value names
    (a tier word, the target text, or a degree 0–1); checks in the core's order: the actual
    value's tier, then 分值, then 得分."""
    a = f"TRIM({actual})"
    target = target or '""'
    tol = _num(pack.tolerance)

    def band(i: int) -> str:
        tier = pack.tiers[i]
        inside = (f"AND({score_expr}>=ROUND({_num(tier.low)}*{weight},2)-{tol},"
                  f"{score_expr}<=ROUND({_num(tier.high)}*{weight},2)+{tol})")
        return _number(weight, _number(score_expr, inside, negative=None))

    by_degree = (f"IF({actual}>1,{ERR_VALUE},IF({actual}<0,{ERR_NUM},"
                 f"IF({actual}>={_num(pack.tiers[0].low)},{band(0)},"
                 f"IF({actual}>={_num(pack.tiers[1].low)},{band(1)},{band(2)}))))")
    by_word = (
        f"IF(OR({a}=TRIM({target}),{_any_equal(a, _tier_words(pack, 0))}),{band(0)},"
        f"IF({_any_equal(a, _tier_words(pack, 1))},{band(1)},"
        f"IF({_any_equal(a, _tier_words(pack, 2))},{band(2)},{ERR_VALUE})))"
    )
    return f"IF({actual}=\"\",{ERR_NA},IF(ISNUMBER({actual}),{by_degree},{by_word}))"


def quality(actual: str, excellent: str, good: str, fair: str, poor: str, pack: RulePack) -> str:
    """完成质量 over typed numbers: standards falling from 优 to 中 are lower bounds, rising ones
    upper bounds; a text 完成值 must equal one standard's text. Text standards such as "95%以上"
    need the JX_ function (plain formulas cannot read them in every spreadsheet)."""
    words = [_q(band.grade) for band in pack.grades]
    if len(words) != 4:
        return ERR_VALUE
    standards = [excellent, good, fair, poor]
    a = actual
    text_match = ERR_VALUE
    for s, word in reversed(list(zip(standards, words, strict=True))):
        text_match = f"IF(AND({s}<>\"\",TRIM({a})=TRIM({s})),{word},{text_match})"

    def ladder(op: str) -> str:
        return (f"IF({a}{op}{excellent},{words[0]},IF({a}{op}{good},{words[1]},"
                f"IF({a}{op}{fair},{words[2]},{words[3]})))")

    numeric = (
        f"IF(OR({excellent}=\"\",{good}=\"\",{fair}=\"\"),{ERR_NA},"
        f"IF(NOT(AND(ISNUMBER({a}),ISNUMBER({excellent}),ISNUMBER({good}),ISNUMBER({fair}))),{ERR_VALUE},"
        f"IF({excellent}>={fair},{ladder('>=')},{ladder('<=')})))"
    )
    errors = "".join(f"IF(ISERROR({x}),{x}," for x in [a, *standards])
    return f"{errors}IF({a}=\"\",{ERR_NA},IF(ISTEXT({a}),{text_match},{numeric})){')' * (len(standards) + 1)}"
'''),
    ('functions', False, r'''"""The JX_ functions: one registry that feeds every host (xlwings, xlwings Lite, `formulas`,
native formula text, LAMBDA definitions) and the function reference in the docs.

Each function is a plain Python callable. Bad input never raises and never becomes a silent
number: the result is an :class:`~jixiao.errors.ExcelError` (``#VALUE!``, ``#DIV/0!`` …) whose
``.message`` explains the problem in Chinese.

>>> JX_RATE_SCORE(87.65, 86.54, 10)
9.87
>>> JX_SCORE("", "不超过87.65万元", "86.54万元", 25)
25.0
>>> JX_GRADE(91)
'优'
>>> JX_RATE_SCORE(0, 5).message
'全年预算数为 0，无法计算执行率'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import __version__, native
from .core import quality, scoring
from .errors import ExcelError, JXError, RulePackError
from .rulepacks import RulePack, load_pack

CATEGORY = "绩效评价 jixiao"


@dataclass(frozen=True)
class Arg:
    name: str  # ASCII identifier: Python keyword, xlwings argument, LAMBDA parameter
    label: str  # Chinese name shown to users
    doc: str
    optional: bool = False
    default: Any = None
    is_range: bool = False


@dataclass(frozen=True)
class JXFunction:
    name: str
    summary: str
    args: tuple[Arg, ...]
    returns: str
    func: Callable[..., Any]
    native: Callable[..., str] | None
    example: str

    @property
    def required(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if not a.optional)

    def signature(self) -> str:
        parts = [f"[{a.label}]" if a.optional else a.label for a in self.args]
        return f"{self.name}({', '.join(parts)})"

    def native_formula(self, refs: dict[str, str] | list[str], pack: RulePack | str | None = None) -> str:
        """Plain-Excel formula text (without "=") over the given cell references.

        ``refs`` maps argument names (or lists them in order); the rule pack's numbers are
        baked in. Optional arguments left out take their defaults.
        """
        if self.native is None:
            raise ValueError(f"{self.name} has no native form")
        if isinstance(refs, list):
            refs = dict(zip([a.name for a in self.args], refs, strict=False))
        rp = load_pack(pack)
        values = []
        for a in self.args:
            if a.name == "pack":
                continue
            ref = refs.get(a.name)
            if ref is None:
                if not a.optional:
                    raise ValueError(f"{self.name}: missing reference for {a.name}")
                ref = _default_ref(a, rp)
            values.append(ref)
        return self.native(*values, rp)

    def lambda_definition(self, pack: RulePack | str | None = None) -> str:
        """Text for a named LAMBDA (Excel 365/2024) with the pack's numbers baked in.

        Every argument is a parameter, the pack argument included (ignored: it is baked in),
        so the same cell text works with the add-in and with the named LAMBDA.
        """
        params = [a.name for a in self.args]
        body = self.native_formula({p: p for p in params}, pack)
        return f"=LAMBDA({','.join(params)},{body})" if params else f"=LAMBDA({body})"


def _default_ref(arg: Arg, pack: RulePack) -> str:
    if arg.name == "weight" and arg.default is None:
        return native._num(pack.rate_weight)
    if arg.default is None:
        return ""  # omitted: the generator leaves that part out
    return native._num(arg.default) if isinstance(arg.default, (int, float)) else native._q(str(arg.default))


REGISTRY: dict[str, JXFunction] = {}


def _pack(value: object) -> RulePack:
    if value is None or (isinstance(value, str) and not value.strip()):
        return load_pack()
    return load_pack(str(value).strip())


def jx_function(summary: str, args: list[Arg], returns: str, example: str,
                native_form: Callable[..., str] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JX_ function; the wrapper turns JXError and error inputs into ExcelError."""

    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(impl)
        def wrapper(*call_args: Any, **kwargs: Any) -> Any:
            for value in (*call_args, *kwargs.values()):
                err = _first_error(value)
                if err is not None:
                    return err  # errors propagate, as in Excel
            try:
                return impl(*call_args, **kwargs)
            except JXError as exc:
                return exc.as_value()
            except RulePackError as exc:
                return ExcelError("#VALUE!", f"规则包错误：{exc}")
            except Exception as exc:  # a host must never see a traceback in a cell
                return ExcelError("#VALUE!", f"内部错误：{type(exc).__name__}: {exc}")

        REGISTRY[impl.__name__] = JXFunction(
            name=impl.__name__, summary=summary, args=tuple(args), returns=returns,
            func=wrapper, native=native_form, example=example,
        )
        return wrapper

    return decorate


def _first_error(value: object) -> ExcelError | None:
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, (list, tuple)):
        for v in value:
            err = _first_error(v)
            if err is not None:
                return err
    return None


_PACK_ARG = Arg("pack", "规则包", "规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10", optional=True)


@jx_function(
    summary="按指标性质计算一项绩效指标的得分（正向、反向、等于、定性），四舍五入到 2 位小数。",
    args=[
        Arg("nature", "指标性质", "≥ / ≤ / ＝ / 定性（也可写“不低于”“不超过”等）；留空则从指标值文字推断"),
        Arg("target", "指标值", "年度指标值，如 95%、≥50个、不超过87.65万元、逐步提高"),
        Arg("actual", "实际值", "实际完成值；定性指标填 达成/部分达成/未达成 或完成程度百分比"),
        Arg("weight", "分值", "该指标的分值（权重）"),
        _PACK_ARG,
    ],
    returns="得分（数值），超额完成不超过分值",
    example='=JX_SCORE("≥", "80%", "85%", 10) → 10',
    native_form=native.score,
)
def JX_SCORE(nature: object, target: object, actual: object, weight: object, pack: object = None) -> float | ExcelError:
    return scoring.indicator_score(nature, target, actual, weight, _pack(pack))


@jx_function(
    summary="预算执行率 = 全年执行数 ÷ 全年预算数（小数，显示为百分比）。",
    args=[
        Arg("budget", "预算数", "全年预算数（四川为调整后预算数）"),
        Arg("spent", "执行数", "全年执行数"),
    ],
    returns="执行率（如 0.9873）；预算数为 0 或空时为 #DIV/0!",
    example="=JX_RATE(87.65, 86.54) → 0.98734…",
    native_form=native.rate,
)
def JX_RATE(budget: object, spent: object) -> float | ExcelError:
    return scoring.execution_rate(budget, spent)


@jx_function(
    summary="预算执行率得分 = min(执行率, 1) × 分值，四舍五入到 2 位小数。",
    args=[
        Arg("budget", "预算数", "全年预算数"),
        Arg("spent", "执行数", "全年执行数"),
        Arg("weight", "分值", "执行率的分值；留空取规则包的值（默认 10）", optional=True),
        _PACK_ARG,
    ],
    returns="执行率得分（数值）",
    example="=JX_RATE_SCORE(87.65, 86.54, 10) → 9.87",
    native_form=native.rate_score,
)
def JX_RATE_SCORE(budget: object, spent: object, weight: object = None, pack: object = None) -> float | ExcelError:
    rp = _pack(pack)
    w = rp.rate_weight if weight is None or weight == "" else weight
    return scoring.rate_score(budget, spent, w, rp)


@jx_function(
    summary="由总分评定等级：≥90 优，≥80 良，≥60 中，其余差（分档取自规则包）。",
    args=[Arg("total", "总分", "自评总分"), _PACK_ARG],
    returns="优 / 良 / 中 / 差",
    example="=JX_GRADE(91) → 优",
    native_form=native.grade,
)
def JX_GRADE(total: object, pack: object = None) -> str | ExcelError:
    return scoring.grade(total, _pack(pack))


@jx_function(
    summary="总分 = 各项得分（各自四舍五入）之和 − 扣分，不低于 0；规则包要求时按执行率封顶。",
    args=[
        Arg("scores", "得分区域", "执行率得分与各指标得分所在的单元格区域", is_range=True),
        Arg("deduction", "扣分", "扣分项合计（正数），可留空", optional=True),
        Arg("rate", "执行率", "预算执行率（用于执行率封顶规则），可留空", optional=True),
        _PACK_ARG,
    ],
    returns="总分（数值）",
    example="=JX_TOTAL(H7:H20) → 99.87",
    native_form=native.total,
)
def JX_TOTAL(scores: object, deduction: object = None, rate: object = None, pack: object = None) -> float | ExcelError:
    return scoring.total_score(scores, deduction, rate, _pack(pack))


@jx_function(
    summary="检查定性指标的得分是否落在其完成档次（达成/部分达成/未达成）的分数区间内。",
    args=[
        Arg("actual", "实际值", "达成 / 部分达成 / 未达成（或其同义词、与指标值相同的文字）"),
        Arg("score", "得分", "自评得分"),
        Arg("weight", "分值", "该指标的分值"),
        Arg("target", "指标值", "年度指标值（实际值与之相同视为达成），可留空", optional=True),
        _PACK_ARG,
    ],
    returns="TRUE（在档次区间内）/ FALSE",
    example='=JX_QUAL_CHECK("部分达成", 7, 10) → TRUE',
    native_form=native.qual_check,
)
def JX_QUAL_CHECK(actual: object, score: object, weight: object, target: object = None,
                  pack: object = None) -> bool | ExcelError:
    return scoring.qualitative_ok(actual, score, weight, _pack(pack), target)


@jx_function(
    summary="完成质量：完成值落在四档绩效标准（优/良/中/差）的哪一档，如满意度 92.97 对 95%以上/90%以上/80%以上/70%以上 → 良。",
    args=[
        Arg("actual", "完成值", "实际完成值（数值或百分比）；定性标准时填与某一档相同的文字"),
        Arg("excellent", "优", "“优”的绩效标准，如 95%以上、M≥90%"),
        Arg("good", "良", "“良”的绩效标准，如 90%以上、80%≤M<90%"),
        Arg("fair", "中", "“中”的绩效标准，如 80%以上、60%≤M<80%"),
        Arg("poor", "差", "“差”的绩效标准，如 M<60%、70%以下，可留空"),
        _PACK_ARG,
    ],
    returns="优 / 良 / 中 / 差（等级用词取自规则包）；完成值落在两档之间的空档时为 #N/A",
    example='=JX_QUALITY(92.97, "95%以上", "90%以上", "80%以上", "70%以上") → 良',
    native_form=native.quality,
)
def JX_QUALITY(actual: object, excellent: object, good: object, fair: object, poor: object,
               pack: object = None) -> str | ExcelError:
    return quality.completion_quality(actual, [excellent, good, fair, poor], _pack(pack))


@jx_function(
    summary="权重（分值）合计是否符合要求，返回可放在状态单元格里的中文说明。",
    args=[
        Arg("weights", "权重区域", "各指标分值或权重所在区域", is_range=True),
        Arg("expected", "应合计", "应有的合计，如 90 或 90%（0.9）"),
    ],
    returns="“权重合计 90，符合要求” 或 “权重合计 85，应为 90”",
    example="=JX_WEIGHT_STATUS(G12:G24, 90)",
    native_form=lambda weights, expected, pack: native.weight_status(weights, expected, pack),
)
def JX_WEIGHT_STATUS(weights: object, expected: object) -> str | ExcelError:
    return scoring.weight_check(weights, expected).message


@jx_function(
    summary="返回 jixiao 的版本，用于确认加载项已生效。",
    args=[],
    returns="如 “jixiao 0.1.0”",
    example="=JX_VERSION()",
    native_form=lambda pack: native._q(f"jixiao {__version__}"),
)
def JX_VERSION() -> str:
    return f"jixiao {__version__}"


__all__ = ["REGISTRY", "JXFunction", "Arg", *REGISTRY]


def reference_markdown() -> str:
    """The function reference, generated from the registry (used in the README and by the CLI)."""
    lines = ["| 函数 | 说明 | 参数 | 返回 | 示例 |", "| --- | --- | --- | --- | --- |"]
    for f in REGISTRY.values():
        params = "<br>".join(f"`{a.label}`{'（可选）' if a.optional else ''}: {a.doc}" for a in f.args) or "—"
        lines.append(f"| `{f.signature()}` | {f.summary} | {params} | {f.returns} | `{f.example}` |")
    return "\n".join(lines)
'''),
)

# Built-in rule packs (YAML already read and merged)
_PACKS = {'cz2020-10': {'id': 'cz2020-10',
               'name': '财预〔2020〕10号 项目支出绩效自评（全国默认）',
               'description': '预算执行率 10 分 + 绩效指标 90 分（产出 50、效益 30、满意度 10 为建议分配）。',
               'weights': {'total': 100,
                           'rate': 10,
                           'indicators': 90,
                           'split': [{'name': '产出指标', 'points': 50},
                                     {'name': '效益指标', 'points': 30},
                                     {'name': '满意度指标', 'points': 10}],
                           'deduction_max': 0},
               'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
               'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
               'qualitative': {'tier_score': 'upper',
                               'tiers': [{'name': '达成',
                                          'low': 0.8,
                                          'high': 1.0,
                                          'synonyms': ['达到',
                                                       '已达成',
                                                       '完成',
                                                       '已完成',
                                                       '全部完成',
                                                       '达到预期',
                                                       '达到年度指标',
                                                       '是',
                                                       '好',
                                                       '优']},
                                         {'name': '部分达成',
                                          'low': 0.5,
                                          'high': 0.8,
                                          'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                         {'name': '未达成',
                                          'low': 0.0,
                                          'high': 0.5,
                                          'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
               'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                          {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                          {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                          {'min': None, 'grade': '差', 'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
               'words': {'tiers': {'达成': ['全面完成',
                                          '圆满完成',
                                          '按期完成',
                                          '达成预期',
                                          '已达到预期',
                                          '达到预期目标',
                                          '达成预期目标',
                                          '实现预期目标',
                                          '达成年度指标',
                                          '达到目标',
                                          '已达到',
                                          '已实现',
                                          '实现',
                                          '效果明显',
                                          '成效显著',
                                          '明显提升',
                                          '显著提升',
                                          '有效提升',
                                          '稳步提升',
                                          '持续提升'],
                                   '部分达成': ['部分达到',
                                            '基本达到',
                                            '基本达到预期',
                                            '基本达成预期',
                                            '部分达到预期',
                                            '部分达成预期',
                                            '有所提升',
                                            '有所提高',
                                            '效果一般',
                                            '部分实现'],
                                   '未达成': ['未达成预期',
                                           '未达到预期',
                                           '未实现',
                                           '未完成预期目标',
                                           '效果较差',
                                           '未提升',
                                           '无明显提升']},
                         'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                     '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                     '等于': ['等于型'],
                                     '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                         'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
               'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
               'checks': {'spent_not_over_budget': True,
                          'funds_rows_add_up': True,
                          'formula_expected': True}},
 'hubei': {'id': 'hubei',
           'name': '湖北式 项目支出绩效自评（20 + 80）',
           'description': '预算执行率 20 分 + 绩效指标 80 分。',
           'weights': {'total': 100,
                       'rate': 20,
                       'indicators': 80,
                       'split': None,
                       'deduction_max': 0},
           'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
           'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
           'qualitative': {'tier_score': 'upper',
                           'tiers': [{'name': '达成',
                                      'low': 0.8,
                                      'high': 1.0,
                                      'synonyms': ['达到',
                                                   '已达成',
                                                   '完成',
                                                   '已完成',
                                                   '全部完成',
                                                   '达到预期',
                                                   '达到年度指标',
                                                   '是',
                                                   '好',
                                                   '优']},
                                     {'name': '部分达成',
                                      'low': 0.5,
                                      'high': 0.8,
                                      'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                     {'name': '未达成',
                                      'low': 0.0,
                                      'high': 0.5,
                                      'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
           'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                      {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                      {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                      {'min': None, 'grade': '差', 'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
           'words': {'tiers': {'达成': ['全面完成',
                                      '圆满完成',
                                      '按期完成',
                                      '达成预期',
                                      '已达到预期',
                                      '达到预期目标',
                                      '达成预期目标',
                                      '实现预期目标',
                                      '达成年度指标',
                                      '达到目标',
                                      '已达到',
                                      '已实现',
                                      '实现',
                                      '效果明显',
                                      '成效显著',
                                      '明显提升',
                                      '显著提升',
                                      '有效提升',
                                      '稳步提升',
                                      '持续提升'],
                               '部分达成': ['部分达到',
                                        '基本达到',
                                        '基本达到预期',
                                        '基本达成预期',
                                        '部分达到预期',
                                        '部分达成预期',
                                        '有所提升',
                                        '有所提高',
                                        '效果一般',
                                        '部分实现'],
                               '未达成': ['未达成预期', '未达到预期', '未实现', '未完成预期目标', '效果较差', '未提升', '无明显提升']},
                     'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                 '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                 '等于': ['等于型'],
                                 '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                     'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
           'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
           'checks': {'spent_not_over_budget': True,
                      'funds_rows_add_up': True,
                      'formula_expected': True}},
 'pingjia-2020': {'id': 'pingjia-2020',
                  'name': '项目支出绩效评价得分汇总（决策 15、过程 28、成本 2、产出 40、效果 15）',
                  'description': '评价得分按一级指标汇总，不单列预算执行率；合计 100 分，≥90 优、≥80 良、≥60 中、其余差。',
                  'weights': {'total': 100,
                              'rate': 0,
                              'indicators': 100,
                              'split': [{'name': '决策指标', 'points': 15},
                                        {'name': '过程指标', 'points': 28},
                                        {'name': '成本指标', 'points': 2},
                                        {'name': '产出指标', 'points': 40},
                                        {'name': '效果指标', 'points': 15}],
                              'deduction_max': 0},
                  'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
                  'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
                  'qualitative': {'tier_score': 'upper',
                                  'tiers': [{'name': '达成',
                                             'low': 0.8,
                                             'high': 1.0,
                                             'synonyms': ['达到',
                                                          '已达成',
                                                          '完成',
                                                          '已完成',
                                                          '全部完成',
                                                          '达到预期',
                                                          '达到年度指标',
                                                          '是',
                                                          '好',
                                                          '优']},
                                            {'name': '部分达成',
                                             'low': 0.5,
                                             'high': 0.8,
                                             'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                            {'name': '未达成',
                                             'low': 0.0,
                                             'high': 0.5,
                                             'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
                  'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                             {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                             {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                             {'min': None,
                              'grade': '差',
                              'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
                  'words': {'tiers': {'达成': ['全面完成',
                                             '圆满完成',
                                             '按期完成',
                                             '达成预期',
                                             '已达到预期',
                                             '达到预期目标',
                                             '达成预期目标',
                                             '实现预期目标',
                                             '达成年度指标',
                                             '达到目标',
                                             '已达到',
                                             '已实现',
                                             '实现',
                                             '效果明显',
                                             '成效显著',
                                             '明显提升',
                                             '显著提升',
                                             '有效提升',
                                             '稳步提升',
                                             '持续提升'],
                                      '部分达成': ['部分达到',
                                               '基本达到',
                                               '基本达到预期',
                                               '基本达成预期',
                                               '部分达到预期',
                                               '部分达成预期',
                                               '有所提升',
                                               '有所提高',
                                               '效果一般',
                                               '部分实现'],
                                      '未达成': ['未达成预期',
                                              '未达到预期',
                                              '未实现',
                                              '未完成预期目标',
                                              '效果较差',
                                              '未提升',
                                              '无明显提升']},
                            'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                        '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                        '等于': ['等于型'],
                                        '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                            'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
                  'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
                  'checks': {'spent_not_over_budget': True,
                             'funds_rows_add_up': True,
                             'formula_expected': True}},
 'qual-80-60': {'id': 'qual-80-60',
                'name': '定性指标 80/60 分档',
                'description': '预算执行率 10 分 + 绩效指标 90 分（产出 50、效益 30、满意度 10 为建议分配）。',
                'weights': {'total': 100,
                            'rate': 10,
                            'indicators': 90,
                            'split': [{'name': '产出指标', 'points': 50},
                                      {'name': '效益指标', 'points': 30},
                                      {'name': '满意度指标', 'points': 10}],
                            'deduction_max': 0},
                'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
                'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
                'qualitative': {'tier_score': 'upper',
                                'tiers': [{'name': '达成',
                                           'low': 0.8,
                                           'high': 1.0,
                                           'synonyms': ['达到',
                                                        '已达成',
                                                        '完成',
                                                        '已完成',
                                                        '全部完成',
                                                        '达到预期',
                                                        '达到年度指标',
                                                        '是',
                                                        '好',
                                                        '优']},
                                          {'name': '部分达成',
                                           'low': 0.6,
                                           'high': 0.8,
                                           'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                          {'name': '未达成',
                                           'low': 0.0,
                                           'high': 0.6,
                                           'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
                'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                           {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                           {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                           {'min': None, 'grade': '差', 'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
                'words': {'tiers': {'达成': ['全面完成',
                                           '圆满完成',
                                           '按期完成',
                                           '达成预期',
                                           '已达到预期',
                                           '达到预期目标',
                                           '达成预期目标',
                                           '实现预期目标',
                                           '达成年度指标',
                                           '达到目标',
                                           '已达到',
                                           '已实现',
                                           '实现',
                                           '效果明显',
                                           '成效显著',
                                           '明显提升',
                                           '显著提升',
                                           '有效提升',
                                           '稳步提升',
                                           '持续提升'],
                                    '部分达成': ['部分达到',
                                             '基本达到',
                                             '基本达到预期',
                                             '基本达成预期',
                                             '部分达到预期',
                                             '部分达成预期',
                                             '有所提升',
                                             '有所提高',
                                             '效果一般',
                                             '部分实现'],
                                    '未达成': ['未达成预期',
                                            '未达到预期',
                                            '未实现',
                                            '未完成预期目标',
                                            '效果较差',
                                            '未提升',
                                            '无明显提升']},
                          'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                      '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                      '等于': ['等于型'],
                                      '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                          'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
                'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
                'checks': {'spent_not_over_budget': True,
                           'funds_rows_add_up': True,
                           'formula_expected': True}},
 'rate-caps': {'id': 'rate-caps',
               'name': '执行率封顶（<80% 总分≤89，<70% ≤79，<60% ≤69，<50% ≤59）',
               'description': '预算执行率 10 分 + 绩效指标 90 分（产出 50、效益 30、满意度 10 为建议分配）。',
               'weights': {'total': 100,
                           'rate': 10,
                           'indicators': 90,
                           'split': [{'name': '产出指标', 'points': 50},
                                     {'name': '效益指标', 'points': 30},
                                     {'name': '满意度指标', 'points': 10}],
                           'deduction_max': 0},
               'rate': {'denominator': '全年预算数',
                        'reason_required_below': None,
                        'caps': [{'below': 0.8, 'max_total': 89},
                                 {'below': 0.7, 'max_total': 79},
                                 {'below': 0.6, 'max_total': 69},
                                 {'below': 0.5, 'max_total': 59}]},
               'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
               'qualitative': {'tier_score': 'upper',
                               'tiers': [{'name': '达成',
                                          'low': 0.8,
                                          'high': 1.0,
                                          'synonyms': ['达到',
                                                       '已达成',
                                                       '完成',
                                                       '已完成',
                                                       '全部完成',
                                                       '达到预期',
                                                       '达到年度指标',
                                                       '是',
                                                       '好',
                                                       '优']},
                                         {'name': '部分达成',
                                          'low': 0.5,
                                          'high': 0.8,
                                          'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                         {'name': '未达成',
                                          'low': 0.0,
                                          'high': 0.5,
                                          'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
               'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                          {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                          {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                          {'min': None, 'grade': '差', 'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
               'words': {'tiers': {'达成': ['全面完成',
                                          '圆满完成',
                                          '按期完成',
                                          '达成预期',
                                          '已达到预期',
                                          '达到预期目标',
                                          '达成预期目标',
                                          '实现预期目标',
                                          '达成年度指标',
                                          '达到目标',
                                          '已达到',
                                          '已实现',
                                          '实现',
                                          '效果明显',
                                          '成效显著',
                                          '明显提升',
                                          '显著提升',
                                          '有效提升',
                                          '稳步提升',
                                          '持续提升'],
                                   '部分达成': ['部分达到',
                                            '基本达到',
                                            '基本达到预期',
                                            '基本达成预期',
                                            '部分达到预期',
                                            '部分达成预期',
                                            '有所提升',
                                            '有所提高',
                                            '效果一般',
                                            '部分实现'],
                                   '未达成': ['未达成预期',
                                           '未达到预期',
                                           '未实现',
                                           '未完成预期目标',
                                           '效果较差',
                                           '未提升',
                                           '无明显提升']},
                         'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                     '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                     '等于': ['等于型'],
                                     '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                         'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
               'deviation': {'reason_below_full': True, 'reason_over_ratio': 1.3},
               'checks': {'spent_not_over_budget': True,
                          'funds_rows_add_up': True,
                          'formula_expected': True}},
 'reverse-linear': {'id': 'reverse-linear',
                    'name': '反向指标线性扣分（超出目标值一倍得 0 分）',
                    'description': '预算执行率 10 分 + 绩效指标 90 分（产出 50、效益 30、满意度 10 为建议分配）。',
                    'weights': {'total': 100,
                                'rate': 10,
                                'indicators': 90,
                                'split': [{'name': '产出指标', 'points': 50},
                                          {'name': '效益指标', 'points': 30},
                                          {'name': '满意度指标', 'points': 10}],
                                'deduction_max': 0},
                    'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
                    'scoring': {'reverse_method': 'linear', 'tolerance': 0.01},
                    'qualitative': {'tier_score': 'upper',
                                    'tiers': [{'name': '达成',
                                               'low': 0.8,
                                               'high': 1.0,
                                               'synonyms': ['达到',
                                                            '已达成',
                                                            '完成',
                                                            '已完成',
                                                            '全部完成',
                                                            '达到预期',
                                                            '达到年度指标',
                                                            '是',
                                                            '好',
                                                            '优']},
                                              {'name': '部分达成',
                                               'low': 0.5,
                                               'high': 0.8,
                                               'synonyms': ['基本达成',
                                                            '基本完成',
                                                            '部分完成',
                                                            '较好',
                                                            '一般',
                                                            '良']},
                                              {'name': '未达成',
                                               'low': 0.0,
                                               'high': 0.5,
                                               'synonyms': ['未完成',
                                                            '未达到',
                                                            '没有达成',
                                                            '否',
                                                            '差',
                                                            '较差']}]},
                    'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                               {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                               {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                               {'min': None,
                                'grade': '差',
                                'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
                    'words': {'tiers': {'达成': ['全面完成',
                                               '圆满完成',
                                               '按期完成',
                                               '达成预期',
                                               '已达到预期',
                                               '达到预期目标',
                                               '达成预期目标',
                                               '实现预期目标',
                                               '达成年度指标',
                                               '达到目标',
                                               '已达到',
                                               '已实现',
                                               '实现',
                                               '效果明显',
                                               '成效显著',
                                               '明显提升',
                                               '显著提升',
                                               '有效提升',
                                               '稳步提升',
                                               '持续提升'],
                                        '部分达成': ['部分达到',
                                                 '基本达到',
                                                 '基本达到预期',
                                                 '基本达成预期',
                                                 '部分达到预期',
                                                 '部分达成预期',
                                                 '有所提升',
                                                 '有所提高',
                                                 '效果一般',
                                                 '部分实现'],
                                        '未达成': ['未达成预期',
                                                '未达到预期',
                                                '未实现',
                                                '未完成预期目标',
                                                '效果较差',
                                                '未提升',
                                                '无明显提升']},
                              'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                          '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                          '等于': ['等于型'],
                                          '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                              'units': {'万元': ['万', '万元人民币'],
                                        '元': ['元人民币', '人民币元'],
                                        '人次': ['人·次']}},
                    'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
                    'checks': {'spent_not_over_budget': True,
                               'funds_rows_add_up': True,
                               'formula_expected': True}},
 'sichuan-dafen': {'id': 'sichuan-dafen',
                   'name': '四川 专项预算绩效自评打分表（附表1：54 + 30 + 16，扣分项 ≤ 10）',
                   'description': '通用指标 54 分、专用指标 30 分、个性指标 16 分，扣分项最多扣 10 分，总分不低于 0。',
                   'weights': {'total': 100,
                               'rate': 0,
                               'indicators': 100,
                               'split': [{'name': '通用指标', 'points': 54},
                                         {'name': '专用指标', 'points': 30},
                                         {'name': '个性指标', 'points': 16}],
                               'deduction_max': 10},
                   'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
                   'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
                   'qualitative': {'tier_score': 'upper',
                                   'tiers': [{'name': '达成',
                                              'low': 0.8,
                                              'high': 1.0,
                                              'synonyms': ['达到',
                                                           '已达成',
                                                           '完成',
                                                           '已完成',
                                                           '全部完成',
                                                           '达到预期',
                                                           '达到年度指标',
                                                           '是',
                                                           '好',
                                                           '优']},
                                             {'name': '部分达成',
                                              'low': 0.5,
                                              'high': 0.8,
                                              'synonyms': ['基本达成',
                                                           '基本完成',
                                                           '部分完成',
                                                           '较好',
                                                           '一般',
                                                           '良']},
                                             {'name': '未达成',
                                              'low': 0.0,
                                              'high': 0.5,
                                              'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
                   'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                              {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                              {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                              {'min': None,
                               'grade': '差',
                               'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
                   'words': {'tiers': {'达成': ['全面完成',
                                              '圆满完成',
                                              '按期完成',
                                              '达成预期',
                                              '已达到预期',
                                              '达到预期目标',
                                              '达成预期目标',
                                              '实现预期目标',
                                              '达成年度指标',
                                              '达到目标',
                                              '已达到',
                                              '已实现',
                                              '实现',
                                              '效果明显',
                                              '成效显著',
                                              '明显提升',
                                              '显著提升',
                                              '有效提升',
                                              '稳步提升',
                                              '持续提升'],
                                       '部分达成': ['部分达到',
                                                '基本达到',
                                                '基本达到预期',
                                                '基本达成预期',
                                                '部分达到预期',
                                                '部分达成预期',
                                                '有所提升',
                                                '有所提高',
                                                '效果一般',
                                                '部分实现'],
                                       '未达成': ['未达成预期',
                                               '未达到预期',
                                               '未实现',
                                               '未完成预期目标',
                                               '效果较差',
                                               '未提升',
                                               '无明显提升']},
                             'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                         '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                         '等于': ['等于型'],
                                         '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                             'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
                   'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
                   'checks': {'spent_not_over_budget': True,
                              'funds_rows_add_up': True,
                              'formula_expected': True}},
 'sichuan': {'id': 'sichuan',
             'name': '四川省 项目支出绩效自评（10 + 90）',
             'description': '执行率按调整后预算数计算；执行率低于 90% 须说明原因。',
             'weights': {'total': 100,
                         'rate': 10,
                         'indicators': 90,
                         'split': [{'name': '产出指标', 'points': 50},
                                   {'name': '效益指标', 'points': 30},
                                   {'name': '满意度指标', 'points': 10}],
                         'deduction_max': 0},
             'rate': {'denominator': '调整后预算数', 'reason_required_below': 0.9, 'caps': []},
             'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
             'qualitative': {'tier_score': 'upper',
                             'tiers': [{'name': '达成',
                                        'low': 0.8,
                                        'high': 1.0,
                                        'synonyms': ['达到',
                                                     '已达成',
                                                     '完成',
                                                     '已完成',
                                                     '全部完成',
                                                     '达到预期',
                                                     '达到年度指标',
                                                     '是',
                                                     '好',
                                                     '优']},
                                       {'name': '部分达成',
                                        'low': 0.5,
                                        'high': 0.8,
                                        'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                       {'name': '未达成',
                                        'low': 0.0,
                                        'high': 0.5,
                                        'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
             'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                        {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                        {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                        {'min': None, 'grade': '差', 'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
             'words': {'tiers': {'达成': ['全面完成',
                                        '圆满完成',
                                        '按期完成',
                                        '达成预期',
                                        '已达到预期',
                                        '达到预期目标',
                                        '达成预期目标',
                                        '实现预期目标',
                                        '达成年度指标',
                                        '达到目标',
                                        '已达到',
                                        '已实现',
                                        '实现',
                                        '效果明显',
                                        '成效显著',
                                        '明显提升',
                                        '显著提升',
                                        '有效提升',
                                        '稳步提升',
                                        '持续提升'],
                                 '部分达成': ['部分达到',
                                          '基本达到',
                                          '基本达到预期',
                                          '基本达成预期',
                                          '部分达到预期',
                                          '部分达成预期',
                                          '有所提升',
                                          '有所提高',
                                          '效果一般',
                                          '部分实现'],
                                 '未达成': ['未达成预期',
                                         '未达到预期',
                                         '未实现',
                                         '未完成预期目标',
                                         '效果较差',
                                         '未提升',
                                         '无明显提升']},
                       'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                   '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                   '等于': ['等于型'],
                                   '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                       'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
             'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
             'checks': {'spent_not_over_budget': True,
                        'funds_rows_add_up': True,
                        'formula_expected': True}},
 'yunnan-2017': {'id': 'yunnan-2017',
                 'name': '云南 省级部门项目支出绩效自评（2017：投入 15、过程 30、产出 30、效果 25）',
                 'description': '按一级指标计分，不单列预算执行率；合计 100 分，≥90 优、≥80 良、≥60 中、其余差。',
                 'weights': {'total': 100,
                             'rate': 0,
                             'indicators': 100,
                             'split': [{'name': '项目投入', 'points': 15},
                                       {'name': '项目过程', 'points': 30},
                                       {'name': '项目产出', 'points': 30},
                                       {'name': '项目效果', 'points': 25}],
                             'deduction_max': 0},
                 'rate': {'denominator': '全年预算数', 'reason_required_below': None, 'caps': []},
                 'scoring': {'reverse_method': 'ratio', 'tolerance': 0.01},
                 'qualitative': {'tier_score': 'upper',
                                 'tiers': [{'name': '达成',
                                            'low': 0.8,
                                            'high': 1.0,
                                            'synonyms': ['达到',
                                                         '已达成',
                                                         '完成',
                                                         '已完成',
                                                         '全部完成',
                                                         '达到预期',
                                                         '达到年度指标',
                                                         '是',
                                                         '好',
                                                         '优']},
                                           {'name': '部分达成',
                                            'low': 0.5,
                                            'high': 0.8,
                                            'synonyms': ['基本达成', '基本完成', '部分完成', '较好', '一般', '良']},
                                           {'name': '未达成',
                                            'low': 0.0,
                                            'high': 0.5,
                                            'synonyms': ['未完成', '未达到', '没有达成', '否', '差', '较差']}]},
                 'grades': [{'min': 90, 'grade': '优', 'synonyms': ['优秀', '优等', 'A', 'A级']},
                            {'min': 80, 'grade': '良', 'synonyms': ['良好', '良等', 'B', 'B级']},
                            {'min': 60, 'grade': '中', 'synonyms': ['中等', '合格', '一般', 'C', 'C级']},
                            {'min': None,
                             'grade': '差',
                             'synonyms': ['较差', '不合格', '差等', 'D', 'D级']}],
                 'words': {'tiers': {'达成': ['全面完成',
                                            '圆满完成',
                                            '按期完成',
                                            '达成预期',
                                            '已达到预期',
                                            '达到预期目标',
                                            '达成预期目标',
                                            '实现预期目标',
                                            '达成年度指标',
                                            '达到目标',
                                            '已达到',
                                            '已实现',
                                            '实现',
                                            '效果明显',
                                            '成效显著',
                                            '明显提升',
                                            '显著提升',
                                            '有效提升',
                                            '稳步提升',
                                            '持续提升'],
                                     '部分达成': ['部分达到',
                                              '基本达到',
                                              '基本达到预期',
                                              '基本达成预期',
                                              '部分达到预期',
                                              '部分达成预期',
                                              '有所提升',
                                              '有所提高',
                                              '效果一般',
                                              '部分实现'],
                                     '未达成': ['未达成预期',
                                             '未达到预期',
                                             '未实现',
                                             '未完成预期目标',
                                             '效果较差',
                                             '未提升',
                                             '无明显提升']},
                           'natures': {'正向': ['正向型', '越大越好', '越高越好'],
                                       '反向': ['反向型', '逆向', '逆向指标', '越小越好', '越低越好'],
                                       '等于': ['等于型'],
                                       '定性': ['定性型', '定性描述', '描述性', '描述性指标']},
                           'units': {'万元': ['万', '万元人民币'], '元': ['元人民币', '人民币元'], '人次': ['人·次']}},
                 'deviation': {'reason_below_full': True, 'reason_over_ratio': None},
                 'checks': {'spent_not_over_budget': True,
                            'funds_rows_add_up': True,
                            'formula_expected': True}}}


def _bootstrap():
    """Register the embedded modules as the package 'jixiao_lite' and return its registry."""
    import copy

    modules = {}  # fresh objects on every run: Lite re-runs main.py after each edit

    def module(name, is_package):
        if name not in modules:
            mod = modules[name] = types.ModuleType(name)
            mod.__file__ = "<xlwings Lite: " + name + ">"
            mod.__package__ = name if is_package else name.rpartition(".")[0]
            if is_package:
                mod.__path__ = []
            sys.modules[name] = mod
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(module(parent, True), child, mod)
        return modules[name]

    for rel, is_package, source in _SOURCES:
        mod = module(_PACKAGE + ("." + rel if rel else ""), is_package)
        exec(compile(source, mod.__file__, "exec"), mod.__dict__)
        if rel == "rulepacks":
            _embed_packs(mod, copy)
    return sys.modules[_PACKAGE + ".functions"].REGISTRY


def _embed_packs(rp, copy):
    """Rule packs come from _PACKS, not from files (Lite has no package directory)."""
    built = {}

    def load_pack(pack=None):
        if isinstance(pack, rp.RulePack):
            return pack
        name = 'cz2020-10' if pack is None or not str(pack).strip() else str(pack).strip()
        if name not in _PACKS:
            raise rp.RulePackError(
                f"未知规则包“{name}” (unknown rule pack); xlwings Lite 版内置: {', '.join(sorted(_PACKS))}"
            )
        if name not in built:
            built[name] = rp._build(rp.Path(name + ".yaml"), copy.deepcopy(_PACKS[name]))
        return built[name]

    rp.load_pack = load_pack
    rp.available_packs = lambda: sorted(_PACKS)


_REGISTRY = _bootstrap()


def _call(name, *args):
    errors = sys.modules[_PACKAGE + ".errors"]
    result = _REGISTRY[name].func(*(errors.error_from_text(a) for a in args))
    if isinstance(result, errors.ExcelError):
        return str(result.code)  # xlwings Lite turns "#DIV/0!" into a real error value
    return result


@func
@arg('nature', doc='指标性质：≥ / ≤ / ＝ / 定性（也可写“不低于”“不超过”等）；留空则从指标值文字推断', err_to_str=True)
@arg('target', doc='指标值：年度指标值，如 95%、≥50个、不超过87.65万元、逐步提高', err_to_str=True)
@arg('actual', doc='实际值：实际完成值；定性指标填 达成/部分达成/未达成 或完成程度百分比', err_to_str=True)
@arg('weight', doc='分值：该指标的分值（权重）', err_to_str=True)
@arg('pack', doc='规则包（可选）：规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10', err_to_str=True)
def JX_SCORE(nature, target, actual, weight, pack=None):
    """按指标性质计算一项绩效指标的得分（正向、反向、等于、定性），四舍五入到 2 位小数。"""
    return _call('JX_SCORE', nature, target, actual, weight, pack)


@func
@arg('budget', doc='预算数：全年预算数（四川为调整后预算数）', err_to_str=True)
@arg('spent', doc='执行数：全年执行数', err_to_str=True)
def JX_RATE(budget, spent):
    """预算执行率 = 全年执行数 ÷ 全年预算数（小数，显示为百分比）。"""
    return _call('JX_RATE', budget, spent)


@func
@arg('budget', doc='预算数：全年预算数', err_to_str=True)
@arg('spent', doc='执行数：全年执行数', err_to_str=True)
@arg('weight', doc='分值（可选）：执行率的分值；留空取规则包的值（默认 10）', err_to_str=True)
@arg('pack', doc='规则包（可选）：规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10', err_to_str=True)
def JX_RATE_SCORE(budget, spent, weight=None, pack=None):
    """预算执行率得分 = min(执行率, 1) × 分值，四舍五入到 2 位小数。"""
    return _call('JX_RATE_SCORE', budget, spent, weight, pack)


@func
@arg('total', doc='总分：自评总分', err_to_str=True)
@arg('pack', doc='规则包（可选）：规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10', err_to_str=True)
def JX_GRADE(total, pack=None):
    """由总分评定等级：≥90 优，≥80 良，≥60 中，其余差（分档取自规则包）。"""
    return _call('JX_GRADE', total, pack)


@func
@arg('scores', doc='得分区域：执行率得分与各指标得分所在的单元格区域', err_to_str=True, ndim=2)
@arg('deduction', doc='扣分（可选）：扣分项合计（正数），可留空', err_to_str=True)
@arg('rate', doc='执行率（可选）：预算执行率（用于执行率封顶规则），可留空', err_to_str=True)
@arg('pack', doc='规则包（可选）：规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10', err_to_str=True)
def JX_TOTAL(scores, deduction=None, rate=None, pack=None):
    """总分 = 各项得分（各自四舍五入）之和 − 扣分，不低于 0；规则包要求时按执行率封顶。"""
    return _call('JX_TOTAL', scores, deduction, rate, pack)


@func
@arg('actual', doc='实际值：达成 / 部分达成 / 未达成（或其同义词、与指标值相同的文字）', err_to_str=True)
@arg('score', doc='得分：自评得分', err_to_str=True)
@arg('weight', doc='分值：该指标的分值', err_to_str=True)
@arg('target', doc='指标值（可选）：年度指标值（实际值与之相同视为达成），可留空', err_to_str=True)
@arg('pack', doc='规则包（可选）：规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10', err_to_str=True)
def JX_QUAL_CHECK(actual, score, weight, target=None, pack=None):
    """检查定性指标的得分是否落在其完成档次（达成/部分达成/未达成）的分数区间内。"""
    return _call('JX_QUAL_CHECK', actual, score, weight, target, pack)


@func
@arg('actual', doc='完成值：实际完成值（数值或百分比）；定性标准时填与某一档相同的文字', err_to_str=True)
@arg('excellent', doc='优：“优”的绩效标准，如 95%以上、M≥90%', err_to_str=True)
@arg('good', doc='良：“良”的绩效标准，如 90%以上、80%≤M<90%', err_to_str=True)
@arg('fair', doc='中：“中”的绩效标准，如 80%以上、60%≤M<80%', err_to_str=True)
@arg('poor', doc='差：“差”的绩效标准，如 M<60%、70%以下，可留空', err_to_str=True)
@arg('pack', doc='规则包（可选）：规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10', err_to_str=True)
def JX_QUALITY(actual, excellent, good, fair, poor, pack=None):
    """完成质量：完成值落在四档绩效标准（优/良/中/差）的哪一档，如满意度 92.97 对 95%以上/90%以上/80%以上/70%以上 → 良。"""
    return _call('JX_QUALITY', actual, excellent, good, fair, poor, pack)


@func
@arg('weights', doc='权重区域：各指标分值或权重所在区域', err_to_str=True, ndim=2)
@arg('expected', doc='应合计：应有的合计，如 90 或 90%（0.9）', err_to_str=True)
def JX_WEIGHT_STATUS(weights, expected):
    """权重（分值）合计是否符合要求，返回可放在状态单元格里的中文说明。"""
    return _call('JX_WEIGHT_STATUS', weights, expected)


@func
def JX_VERSION():
    """返回 jixiao 的版本，用于确认加载项已生效。"""
    return _call('JX_VERSION')
