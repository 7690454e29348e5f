"""What a rule's check sees of one form: the form as read, its pack, its spec's ``checks:``, the
workbook, and the parsing every rule shares (numbers, points, 指标性质), worked out once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...core.parsing import (
    Nature,
    Quantity,
    infer_nature,
    normalize_text,
    parse_nature,
    split_comparison,
)
from ...errors import JXError
from ...reader.model import Cell, Form, FundsRow, Indicator, Workbook
from ...rulepacks import RulePack
from ..form_checks import FormChecks

FIELD_NAMES = {
    "target": "指标值", "actual": "实际完成值", "points": "分值", "score": "得分",
    "nature": "指标性质", "reason": "偏差原因", "budget": "全年预算数", "spent": "全年执行数",
    "initial_budget": "年初预算数", "rate": "执行率", "total": "总分", "grade": "等级",
    "unit": "度量单位", "explanation": "指标解释", "remark": "备注",
}
_POSITIVE_WORDS = re.compile("不低于|不少于|不小于|≥|>=|以上")
_REVERSE_WORDS = re.compile("不超过|不高于|不大于|不多于|控制在|低于|以内|以下|≤|<=")


@dataclass
class Context:
    form: Form
    pack: RulePack
    book: Workbook
    spec: FormChecks = field(default_factory=FormChecks)
    # Memos by object identity: the form holds its indicators for the context's life, and every
    # rule asks for the same columns and scoring units, so each is worked out once per form.
    _natures: dict[int, Nature | JXError] = field(default_factory=dict, repr=False)
    _scored: list[Indicator] | None = field(default=None, repr=False)
    _columns: dict[str, list[float | None]] = field(default_factory=dict, repr=False)
    _units: dict[tuple[int, str], float | None] = field(default_factory=dict, repr=False)

    def where(self, ind: Indicator) -> str:
        return f"“{ind.label}”的"

    def unit_where(self, ind: Indicator) -> str:
        """:meth:`where` for a finding on a scoring unit's merged 分值/得分 (the rows it covers)."""
        return f"“{ind.label}”等 {len(ind.unit) + 1} 项（合并计分）的" if ind.unit else self.where(ind)

    def row_where(self, row: FundsRow) -> str:
        return f"“{row.label.text.strip('：:')}”的"

    def quantity(self, cell: Cell | None) -> Quantity | None:
        """A cell's parsed quantity; None when blank or unreadable (reported by not-a-number)."""
        return None if cell is None else cell.try_quantity()

    def nature(self, ind: Indicator) -> Nature:
        """:func:`effective_nature`, worked out once per indicator (raises JXError likewise)."""
        key = id(ind)
        if key not in self._natures:
            try:
                self._natures[key] = effective_nature(ind, self.pack)
            except JXError as exc:
                self._natures[key] = exc
        found = self._natures[key]
        if isinstance(found, JXError):
            raise found
        return found

    def number(self, cell: Cell | None) -> float | None:
        q = self.quantity(cell)
        return None if q is None else q.value

    def points(self, cell: Cell | None) -> float | None:
        """分值/权重 in points: "5%" → 5, 0.05 in a fraction-weighted table → 5."""
        q = self.quantity(cell)
        if q is None:
            return None
        if q.percent or self.form.fraction_weights:
            return q.value * 100.0
        return q.value

    def scored(self) -> list[Indicator]:
        """The form's scored rows (:meth:`Form.scored`), listed once; treat as read-only."""
        if self._scored is None:
            self._scored = self.form.scored()
        return self._scored

    def column(self, key: str, rows: list[Indicator] | None = None) -> list[float | None]:
        """The 分值 (in points) or 得分 of the scored rows (or ``rows``), a merged cell counted once:
        the rows it covers are left out (their blank is the merged number)."""
        if rows is None:
            found = self._columns.get(key)
            if found is None:
                found = self._columns[key] = self.column(key, self.scored())
            return list(found)
        read = self.points if key == "points" else self.number
        return [read(i.cells.get(key)) for i in rows if key not in i.covered and not i.not_applicable]

    def unit_sum(self, ind: Indicator, key: str) -> float | None:
        """分值 or 得分 of ``ind``'s scoring unit (``ind`` alone when it shares no merged cell);
        None when one is missing or unreadable."""
        memo = (id(ind), key)
        if memo not in self._units:
            values = self.column(key, [ind, *ind.unit])
            self._units[memo] = None if None in values else sum(values)  # type: ignore[arg-type]
        return self._units[memo]

    def rate_points(self, cell: Cell | None) -> float | None:
        """执行率分值 in points: 10, "10%" → 10, and 0.1 where the table keeps weights as fractions."""
        q = self.quantity(cell)
        if q is None:
            return None
        if q.percent or (self.form.fraction_weights and q.value <= 1):
            return q.value * 100.0
        return q.value


def nature_word(value: object, pack: RulePack | None) -> Nature:
    """A 指标性质 cell: the core's words (≥, 不低于, 正向 …), then the pack's ``words.natures``."""
    try:
        n = parse_nature(value)
    except JXError:
        norm = normalize_text(value)
        for word, kind in pack.natures if pack is not None else ():
            if normalize_text(word) == norm:
                return Nature(kind)
        raise
    if n is None:  # parse_nature raises for words it does not know; None only for blanks
        raise JXError("#VALUE!", f"无法识别的指标性质“{value}”")
    return n


def effective_nature(ind: Indicator, pack: RulePack | None = None) -> Nature:
    """指标性质 from its column (the pack's spellings too), else the target's text, else the
    indicator's name ("不超过年度预算" is 反向), else 成本指标 → 反向, else the target (bare → 正向)."""
    c = ind.get("nature")
    if c is not None and not c.blank:
        return nature_word(c.value, pack)
    target = ind.get("target")
    tval = None if target is None else target.value
    kind = infer_nature(tval)  # the core decides: "达到预期" is 定性, "≥95%" 正向, "不超过…" 反向
    if kind is not Nature.POSITIVE or not isinstance(tval, (str, int, float)):
        return kind
    nat, rest = split_comparison(normalize_text(tval))
    if nat is not None or rest.endswith("以上"):
        return kind  # an explicit comparison beats any guess from the name
    name = normalize_text(ind.label)
    if _POSITIVE_WORDS.search(name):
        return Nature.POSITIVE
    if _REVERSE_WORDS.search(name) or "成本" in normalize_text(ind.level2):
        return Nature.REVERSE
    return kind
