"""Typed results of reading a submitted workbook: every value keeps its sheet and cell address."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.parsing import Quantity, is_blank, memo_short, normalize_text, parse_quantity
from ..errors import JXError
from .sheetmeta import SheetMeta

if TYPE_CHECKING:
    import pandas as pd


# The value columns an indicator row may have, in form order.
INDICATOR_KEYS = ("nature", "target", "unit", "points", "actual", "score", "reason", "explanation", "remark")


def col_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=65536)  # findings and facts ask every cell's address, often twice
def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def col_index(letters: str) -> int:
    """Excel letters → 0-based column index (A → 0, AB → 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


@memo_short(maxsize=65536, limit=12)  # refs come from submitted XML too
def parse_a1(ref: str) -> tuple[int, int] | None:
    """"B3" (or "$B$3") → 0-based (row, col) = (2, 1); None when it is not one cell address."""
    m = _A1.fullmatch(ref)
    return None if m is None else (int(m.group(2)) - 1, col_index(m.group(1)))


@dataclass(slots=True, eq=True)
class Cell:
    """One cell of a submitted form: raw value as read (number, text, date or None).

    Treat as read-only (not frozen only because frozen dataclasses are slow to build, and a
    workbook has thousands of cells).
    """

    sheet: str
    row: int  # 0-based
    col: int  # 0-based
    value: Any
    _blank: bool | None = field(default=None, repr=False, compare=False)
    _parsed: Any = field(default=..., repr=False, compare=False)  # ... = not parsed yet (pickles as itself)

    @property
    def address(self) -> str:
        return a1(self.row, self.col)

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{self.address}"

    @property
    def blank(self) -> bool:
        known = self._blank
        if known is not None:  # asked hundreds of times a file: the memo first
            return known
        v = self.value
        if v is None or v == "":
            known = True
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            known = v != v  # NaN
        else:
            known = is_blank(v)
        self._blank = known
        return known

    @property
    def text(self) -> str:
        if self.blank:
            return ""
        v = self.value
        if v.__class__ is str:  # the usual case first
            return v.strip()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    def quantity(self, what: str = "数值") -> Quantity:
        """Parse as a number (raises JXError when it is not one)."""
        parsed = self._parsed
        if parsed is not None and parsed is not ...:
            return parsed  # parsed before: the same number (``what`` only words an error)
        return parse_quantity(self.value, what)

    def try_quantity(self) -> Quantity | None:
        """The parsed number, or None when blank or not a number; parsed once (checks ask often)."""
        if self._parsed is ...:
            try:
                self._parsed = None if self.blank else parse_quantity(self.value)
            except JXError:
                self._parsed = None
        return self._parsed


@dataclass
class Indicator:
    """One indicator row (三级指标, or 附表1's 个性指标 typed across 二级+三级)."""

    row: int
    level1: str
    level2: str
    name: Cell | None
    cells: dict[str, Cell]  # nature, target, unit, points, actual, score, reason, explanation, remark
    deduction: bool = False  # 附表1 扣分项
    not_applicable: bool = False  # marked 不适用 (or "/", "—", "无" where values belong): not scored
    # A 分值/得分 cell merged over several rows makes them one scoring unit: its first row holds
    # the number and lists the others in ``unit``; each other row names the keys it shares.
    unit: list[Indicator] = field(default_factory=list)
    covered: frozenset[str] = frozenset()  # "points"/"score": held by the unit's first row

    def get(self, key: str) -> Cell | None:
        return self.cells.get(key)

    @property
    def label(self) -> str:
        if self.name is not None and not self.name.blank:
            return self.name.text
        return normalize_text(self.level2) or normalize_text(self.level1) or f"第{self.row + 1}行"


@dataclass
class Group:
    """A parent with declared points in its label ("项目决策（18分）")."""

    cell: Cell
    level: int  # 1 or 2
    points: float
    children: list[Indicator] = field(default_factory=list)
    subgroups: list[Group] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.cell.text


@dataclass
class Subtotal:
    """A 小计/合计 row inside a table: checked against the rows it closes, never scored."""

    label: Cell
    cells: dict[str, Cell]  # the row's value cells (points, score …)
    spans: list[list[Indicator]]  # the rows it may sum: since the previous subtotal, its 一级 group


@dataclass
class FundsRow:
    key: str  # total_funds | fiscal | carryover | other
    label: Cell
    cells: dict[str, Cell]  # initial_budget, budget, spent, points, rate, score


@dataclass
class Form:
    """One form found in a workbook."""

    form_id: str  # the id of the form spec it matched (jixiao forms)
    sheet: str
    header_row: int
    columns: dict[str, int]
    indicators: list[Indicator] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)  # top level only; subgroups inside
    subtotals: list[Subtotal] = field(default_factory=list)
    funds: dict[str, FundsRow] = field(default_factory=dict)
    total: Cell | None = None
    total_points: Cell | None = None
    grade: Cell | None = None
    fraction_weights: bool = False  # weights typed as fractions (0.05 for 5%)
    title: str = ""

    @property
    def header_cell(self) -> str:
        return a1(self.header_row, min(self.columns.values()))

    @property
    def deduction(self) -> Indicator | None:
        return next((i for i in self.indicators if i.deduction), None)

    def scored(self) -> list[Indicator]:
        """The indicators that are scored: neither the 扣分项 nor rows marked 不适用."""
        return [i for i in self.indicators if not i.deduction and not i.not_applicable]

    def not_applicable(self) -> list[Indicator]:
        return [i for i in self.indicators if i.not_applicable]

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: values and, beside each, the cell address (``points_cell``)."""
        import pandas as pd

        keys = [k for k in INDICATOR_KEYS if k in self.columns]
        records = []
        for ind in self.indicators:
            rec: dict[str, Any] = {"sheet": self.sheet, "row": ind.row + 1, "level1": ind.level1,
                                   "level2": ind.level2, "name": ind.label,
                                   "name_cell": ind.name.address if ind.name else None,
                                   "deduction": ind.deduction, "not_applicable": ind.not_applicable}
            for k in keys:
                c = ind.cells.get(k)
                rec[k] = None if c is None or c.blank else c.value
                rec[f"{k}_cell"] = c.address if c is not None else None
            records.append(rec)
        return pd.DataFrame.from_records(records)

    def summary(self) -> dict[str, Any]:
        return {
            "form": self.form_id,
            "sheet": self.sheet,
            "cell": self.header_cell,
            "indicators": len(self.indicators),
            "total": None if self.total is None or self.total.blank else self.total.value,
            "grade": None if self.grade is None or self.grade.blank else self.grade.text,
        }


@dataclass
class Workbook:
    """Everything read from one file."""

    path: str
    kind: str  # xlsx | xls
    sheets: list[str]
    forms: list[Form]
    template: str | None = None  # the JX_TEMPLATE marker, when the file came from our templates
    recalculated: bool = False  # formula cells had no cached values and were recomputed
    formula_cells: dict[str, frozenset[str]] | None = None  # sheet → refs holding formulas (.xlsx)
    notes: list[str] = field(default_factory=list)  # problems met while reading (Chinese)
    sheet_meta: dict[str, SheetMeta] = field(default_factory=dict)  # hidden rows/cols, merges per sheet
    project: str | None = None  # the 项目名称 a form states (pairs a report with its workbook)
