"""A small sheet model: cells, merges, validations; formula cells hold expressions (``exprs.py``).

The layout (``layout.py``) fills a :class:`Sheet` from a form's spec; ``render.py`` turns it into
an openpyxl worksheet in one of the formula modes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..functions import REGISTRY
from ..reader.model import col_index
from .exprs import (  # re-exported: layouts build sheets from these
    JX,
    MODES,
    Env,
    Expr,
    Formula,
    Guard,
    Lit,
    Name,
    NameSpan,
    Plus,
    Ref,
    Rng,
    Round,
    Scaled,
    Status,
    SumOf,
    addr,
    cells_of,
    count_missing,
    count_required,
    range_boundaries,
    sum_of,
)

__all__ = ["MODES", "Env", "addr", "cells_of", "Expr", "Ref", "Name", "NameSpan", "Rng", "Lit", "Scaled", "JX", "Guard", "Formula", "SumOf", "sum_of", "Round", "Plus", "count_missing", "count_required", "Status", "Cell", "Validation", "CondFormat", "Sheet", "lambda_name_text"]


def lambda_name_text(name: str, pack: str) -> str:
    """A JX_ LAMBDA as a defined-name formula in file form: ``_xlfn.LAMBDA(_xlpm.x,…)``.

    Excel stores LAMBDA and its parameters with these prefixes; without them a file-defined
    LAMBDA is not recognised.
    """
    text = REGISTRY[name].lambda_definition(pack).removeprefix("=")
    params = {a.name for a in REGISTRY[name].args}

    def fix(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith('"'):
            return token
        if token in params and not m.string[m.end():m.end() + 1] == "(":
            return "_xlpm." + token
        return token

    text = re.sub(r'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_.]*', fix, text)
    return "_xlfn." + text


@dataclass
class Cell:
    value: Any = None
    expr: Expr | None = None
    role: str = "label"  # title, caption, header, label, text, input, calc, const, note
    fmt: str | None = None
    align: str | None = None  # left / center / right
    bold: bool = False


@dataclass
class Validation:
    kind: str  # list / decimal
    formula1: str
    ranges: list[str]
    formula2: str | None = None
    strict: bool = True
    prompt: str | None = None


@dataclass
class CondFormat:
    ref: str
    formula: str  # relative to the top-left cell of ref


@dataclass
class Sheet:
    title: str
    ncols: int
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    widths: dict[int, tuple[float, float]] = field(default_factory=dict)  # col → (min, max)
    validations: list[Validation] = field(default_factory=list)
    cond_formats: list[CondFormat] = field(default_factory=list)
    header_rows: tuple[int, int] | None = None
    freeze: str | None = None
    landscape: bool = False
    row: int = 1  # the next free row while building
    fields: dict[str, str] = field(default_factory=dict)  # logical key → cell
    indicator_rows: list[dict[str, str]] = field(default_factory=list)

    def put(self, row: int, col: int | str, value: Any = None, *, role: str = "label",
            span: int = 1, rows: int = 1, expr: Expr | None = None, fmt: str | None = None,
            align: str | None = None, bold: bool = False) -> str:
        """Write a cell (optionally merged over ``span`` columns and ``rows`` rows); its address."""
        c = col_index(col) + 1 if isinstance(col, str) else col
        self.cells[(row, c)] = Cell(value, expr, role, fmt, align, bold)
        for r in range(row, row + rows):
            for cc in range(c, c + span):
                if (r, cc) != (row, c):
                    self.cells.setdefault((r, cc), Cell(role="filler" if role != "input" else "filler"))
        if span > 1 or rows > 1:
            self.merges.append(f"{addr(row, c)}:{addr(row + rows - 1, c + span - 1)}")
        return addr(row, c)

    def formula_cells(self) -> dict[str, Expr]:
        return {addr(r, c): cell.expr for (r, c), cell in self.cells.items() if cell.expr is not None}

    def input_cells(self) -> list[str]:
        return [addr(r, c) for (r, c), cell in sorted(self.cells.items()) if cell.role == "input"]

    def evaluate(self, typed: Env | None = None) -> dict[str, Any]:
        """Every formula cell's value computed by the Python core; inputs as typed in this sheet, or
        as ``typed(address)`` gives them (a workbook's cells, for values a missing cache would hold)."""
        exprs = self.formula_cells()
        memo: dict[str, Any] = {}
        busy: set[str] = set()

        def env(a: str) -> Any:
            a = a.replace("$", "")
            if a in memo:
                return memo[a]
            if a not in exprs:
                if typed is not None:
                    return typed(a)
                min_col, min_row, _, _ = range_boundaries(a)
                cell = self.cells.get((min_row, min_col))
                v = None if cell is None else cell.value
                return None if isinstance(v, str) and not v.strip() else v
            if a in busy:
                raise ValueError(f"circular reference at {a}")
            busy.add(a)
            memo[a] = exprs[a].eval(env)
            busy.discard(a)
            return memo[a]

        return {a: env(a) for a in exprs}
