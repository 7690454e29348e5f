"""What the tables say, in a form the prose can be held against: indicator scores, total, grade,
执行率 and its score, and the money amounts with their units. Built from the forms the reader
finds (in a report's Word tables or in a workbook handed in beside it) and, for amounts, from
every numeric cell of the report's tables. Plain values only, so it crosses process boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from ..reader.model import Cell, Form, Workbook
from .reading import ReportTable

_UNIT_YUAN = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_CELL_AMOUNT = re.compile(r"^\s*([-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?)\s*(亿元|万元|元)?\s*$")
_UNIT_HINT = re.compile(r"亿元|万元|元")


@dataclass(frozen=True)
class Fact:
    value: float
    text: str  # as written in the cell
    where: str  # "表 1（…）第 9 行第 6 列" or "book.xlsx 附表1!F9"


@dataclass(frozen=True)
class ItemFacts:
    label: str
    points: Fact | None
    score: Fact | None
    target: Fact | None = None
    actual: Fact | None = None


@dataclass
class Facts:
    source: str  # "表 1（专项预算绩效自评打分表）" or the workbook's name
    items: dict[str, ItemFacts] = field(default_factory=dict)  # by key(label)
    total: Fact | None = None
    total_computed: bool = False  # the sum of the scores (the table has no total row)
    grade: Fact | None = None
    funds: dict[str, Fact] = field(default_factory=dict)  # initial_budget, budget, spent, rate, score
    amounts: list[tuple[float, Fact]] = field(default_factory=list)  # (in 元, where)
    project: str | None = None  # 项目名称, for pairing a report with a workbook

    def merge(self, other: Facts) -> None:
        for k, v in other.items.items():
            self.items.setdefault(k, v)
        if self.total is None:  # a total of the report's own tables stands (other forms total differently)
            self.total, self.total_computed = other.total, other.total_computed
        self.grade = self.grade or other.grade
        for k, v in other.funds.items():
            self.funds.setdefault(k, v)
        self.amounts.extend(other.amounts)


def key(text: str) -> str:
    """Comparable name: NFKC, no spaces, line breaks or punctuation."""
    t = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\W_]+", "", t)


def _fact(cell: Cell | None, where: Callable[[Cell], str], percent: bool = False) -> Fact | None:
    if cell is None or cell.blank:
        return None
    q = cell.try_quantity()
    if q is None:
        return None
    value = q.value * 100 if (percent and (q.percent or q.value <= 1.5)) else q.value
    return Fact(value, cell.text, where(cell))


def form_facts(forms: list[Form], where: Callable[[Cell], str], source: str) -> Facts:
    """Facts from the forms of one table or one workbook (``where`` names a cell for people)."""
    facts = Facts(source)
    for form in forms:
        scores = []
        complete = True
        for ind in form.scored():
            score = _fact(ind.get("score"), where)
            points = _fact(ind.get("points"), where)
            if score is None:
                complete = False
            else:
                scores.append(score.value)
            target, actual = _fact(ind.get("target"), where), _fact(ind.get("actual"), where)
            if score is not None or points is not None or target is not None:
                facts.items.setdefault(key(ind.label), ItemFacts(ind.label, points, score, target, actual))
        total = _fact(form.total, where)
        if total is not None and (facts.total is None or facts.total_computed):
            facts.total, facts.total_computed = total, False
        elif facts.total is None and complete and scores:
            deduction = form.deduction
            d = _fact(deduction.get("score"), where) if deduction is not None else None
            value = round(sum(scores) - (d.value if d else 0), 6)
            facts.total, facts.total_computed = Fact(value, f"{value:g}", f"{source} 各项得分合计"), True
        grade = form.grade
        if grade is not None and not grade.blank and facts.grade is None:
            facts.grade = Fact(0.0, grade.text, where(grade))
        row = form.funds.get("total_funds")
        if row is not None:
            for k in ("initial_budget", "budget", "spent", "score"):
                f = _fact(row.cells.get(k), where)
                if f is not None:
                    facts.funds.setdefault(k, f)
            rate = _fact(row.cells.get("rate"), where, percent=True)
            if rate is not None:
                facts.funds.setdefault("rate", rate)
    return facts


def workbook_facts(book: Workbook, shown: str) -> Facts:
    """Facts of a workbook's forms, its cells named "file 附表1!F9", and its 项目名称."""
    name = shown.replace("\\", "/").rsplit("/", 1)[-1]
    facts = form_facts(book.forms, lambda c: f"{name} {c.sheet}!{c.address}", name)
    facts.project = book.project
    return facts


def table_amounts(table: ReportTable) -> list[tuple[float, Fact]]:
    """Every money amount in a table: a cell's own unit ("87.65万元"), else the nearest unit named
    to its left in the row or above it in its column ("项目资金（万元）", "收入数(元)")."""
    found = []
    for r, row in enumerate(table.grid):
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            m = _CELL_AMOUNT.match(value)
            if not m:
                continue
            unit = m.group(2) or _unit_near(table, r, c)
            if unit is None:
                continue
            number = float(m.group(1).replace(",", ""))
            found.append((number * _UNIT_YUAN[unit], Fact(number, value.strip(), table.locate(r, c))))
    return found


def _unit_in(text: str) -> str | None:
    if not text or _CELL_AMOUNT.match(text):
        return None
    m = _UNIT_HINT.search(text.replace("元/", "元"))
    return m.group(0) if m else None


def _unit_near(table: ReportTable, r: int, c: int) -> str | None:
    filled = table.filled
    row = filled[r]
    if c + 1 < len(row) and row[c + 1].strip() in ("元", "万元", "亿元", "元/个", "元/人", "元/次"):
        return _unit_in(row[c + 1])
    for k in range(c - 1, -1, -1):
        unit = _unit_in(row[k])
        if unit:
            return unit
    for up in range(r - 1, max(-1, r - 40), -1):
        line = filled[up]
        text = line[c] if c < len(line) else ""
        k = c
        while not text and k > 0:  # a header merged to the right, exported without the merge
            k -= 1
            text = line[k]
        if _CELL_AMOUNT.match(text or ""):
            continue  # the numbers of the rows above: go on up to their header
        unit = _unit_in(text)
        if unit:
            return unit
    return None
