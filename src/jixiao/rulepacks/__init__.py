"""Rule packs: the province- and year-specific numbers, kept in YAML data files.

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
