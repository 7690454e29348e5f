"""A small sheet model: cells, merges, validations and formula expressions.

A form layout (``layouts.py``) fills a :class:`Sheet`; ``render.py`` turns it into an openpyxl
worksheet in one of the formula modes. Formula cells hold an :class:`Expr`, which can both
print itself as formula text (per mode) and evaluate itself with the Python core — the second
gives the cached values, so the two can never drift apart in how a cell is wired.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExcelError
from ..functions import REGISTRY
from ..hosts import MODES  # noqa: F401  (re-exported by templates)
from ..native import as_text
from ..reader.model import col_index, col_letter, parse_a1

Env = Callable[[str], Any]  # cell address → its value (inputs as typed, formulas computed)


@functools.lru_cache(maxsize=8192)
def range_boundaries(ref: str) -> tuple[int, int, int, int]:
    """"B3:D9" (or one cell) → 1-based (min_col, min_row, max_col, max_row), as openpyxl gives it."""
    ends = [parse_a1(part) for part in ref.split(":")]
    if not ends or len(ends) > 2 or None in ends:
        raise ValueError(f"not a cell range: {ref}")
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    return min(c1, c2) + 1, min(r1, r2) + 1, max(c1, c2) + 1, max(r1, r2) + 1


def addr(row: int, col: int, absolute: bool = False) -> str:
    letter = col_letter(col - 1)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def cells_of(ref: str) -> list[str]:
    """Every cell address in "A1" or "A1:B3" (row by row)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [addr(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _excel_text(v: Any) -> str:
    """A value as Excel's & operator shows it (91.0 → "91", 0.9 → "0.9")."""
    if _is_number(v):
        return f"{float(v):.15g}"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return "" if v is None else str(v)


class Expr:
    def text(self, mode: str, pack: str) -> str:
        raise NotImplementedError

    def eval(self, env: Env) -> Any:
        raise NotImplementedError

    def refs(self) -> list[str]:
        return []


@dataclass
class Ref(Expr):
    cell: str  # "F8" or "$F$8"

    def text(self, mode: str, pack: str) -> str:
        return self.cell

    def eval(self, env: Env) -> Any:
        return env(self.cell.replace("$", ""))

    def refs(self) -> list[str]:
        return [self.cell.replace("$", "")]


@dataclass
class Rng(Expr):
    ref: str  # "F8:F20"

    def text(self, mode: str, pack: str) -> str:
        return self.ref

    def eval(self, env: Env) -> list[Any]:
        return [env(c) for c in cells_of(self.ref)]

    def refs(self) -> list[str]:
        return cells_of(self.ref)


@dataclass
class Lit(Expr):
    value: Any

    def text(self, mode: str, pack: str) -> str:
        if isinstance(self.value, str):
            return '"' + self.value.replace('"', '""') + '"'
        return _excel_text(self.value)

    def eval(self, env: Env) -> Any:
        return self.value


@dataclass
class Scaled(Expr):
    """``(ref*factor)``: 附表2 weights are percentages, JX_SCORE wants points (5% → 5)."""

    inner: Expr
    factor: float

    def text(self, mode: str, pack: str) -> str:
        return f"({self.inner.text(mode, pack)}*{_excel_text(self.factor)})"

    def eval(self, env: Env) -> Any:
        v = self.inner.eval(env)
        if isinstance(v, ExcelError):
            return v
        if v is None or v == "":
            return 0.0
        return v * self.factor if _is_number(v) else ExcelError("#VALUE!", f"“{v}”不是数值")

    def refs(self) -> list[str]:
        return self.inner.refs()


@dataclass
class JX(Expr):
    """A JX_ function call with every argument (pack included, as a cell reference)."""

    name: str
    args: list[Expr]

    def text(self, mode: str, pack: str) -> str:
        spec = REGISTRY[self.name]
        if mode == "native":
            refs = {a.name: e.text(mode, pack) for a, e in zip(spec.args, self.args, strict=True)
                    if a.name != "pack"}
            return spec.native_formula(refs, pack)
        return f"{self.name}({','.join(e.text(mode, pack) for e in self.args)})"

    def eval(self, env: Env) -> Any:
        values = []
        for e in self.args:
            v = e.eval(env)
            values.append(None if v == "" and not isinstance(v, ExcelError) else v)
        return REGISTRY[self.name].func(*values)

    def refs(self) -> list[str]:
        return [c for e in self.args for c in e.refs()]


@dataclass
class Guard(Expr):
    """``IF(COUNTA(needed)<n,"",inner)``: a computed cell waits quietly for its inputs.

    ``numbers=True`` counts numbers only (COUNT) — for inputs that are themselves formulas,
    whose "" would count with COUNTA.
    """

    needed: list[str]
    inner: Expr
    numbers: bool = False

    def text(self, mode: str, pack: str) -> str:
        fn = "COUNT" if self.numbers else "COUNTA"
        n = sum(len(cells_of(r)) for r in self.needed)
        return f'IF({fn}({",".join(self.needed)})<{n},"",{self.inner.text(mode, pack)})'

    def eval(self, env: Env) -> Any:
        for ref in self.needed:
            for c in cells_of(ref):
                v = env(c)
                if (self.numbers and not _is_number(v)) or (not self.numbers and (v is None or v == "")):
                    return ""
        return self.inner.eval(env)

    def refs(self) -> list[str]:
        return [c for r in self.needed for c in cells_of(r)] + self.inner.refs()


@dataclass
class Formula(Expr):
    """Plain Excel text (the same in every mode) with its Python twin."""

    excel: str
    python: Callable[[Env], Any]
    uses: list[str] = field(default_factory=list)

    def text(self, mode: str, pack: str) -> str:
        return self.excel

    def eval(self, env: Env) -> Any:
        return self.python(env)

    def refs(self) -> list[str]:
        return [c for r in self.uses for c in cells_of(r)]


def sum_of(ref: str, *, blank_if_none: bool = True) -> Formula:
    """SUM over a range of computed or typed numbers; "" until one of them is a number."""

    def py(env: Env) -> Any:
        vals = [env(c) for c in cells_of(ref)]
        for v in vals:
            if isinstance(v, ExcelError):
                return v
        nums = [float(v) for v in vals if _is_number(v)]
        if blank_if_none and not nums:
            return ""
        return sum(nums)

    text = f'IF(COUNT({ref})=0,"",SUM({ref}))' if blank_if_none else f"SUM({ref})"
    return Formula(text, py, [ref])


def count_missing(pairs: Iterable[tuple[str, str]]) -> tuple[str, Callable[[Env], int]]:
    """Rows whose key cell is filled but whose required cell is empty: (excel, python)."""
    pairs = list(pairs)
    parts = [f'SUMPRODUCT(({k}<>"")*({r}=""))' for k, r in pairs]

    def py(env: Env) -> int:
        n = 0
        for k, r in pairs:
            for kc, rc in zip(cells_of(k), cells_of(r), strict=True):
                kv, rv = env(kc), env(rc)
                if kv not in (None, "") and rv in (None, ""):
                    n += 1
        return n

    return "+".join(parts) or "0", py


def count_required(cells: list[str]) -> tuple[str, Callable[[Env], int]]:
    """Single cells that must be filled."""
    excel = "+".join(f'({c}="")*1' for c in cells) or "0"
    return excel, lambda env: sum(1 for c in cells if env(c) in (None, ""))


@dataclass
class Status(Expr):
    """A Chinese status line: the first failing check's message, else the joined ``final``."""

    checks: list[tuple[str, Callable[[Env], int], str, str]]  # (excel count, python count, before, after)
    final: list[Expr]
    uses: list[str] = field(default_factory=list)

    def text(self, mode: str, pack: str) -> str:
        # a cell joined into the text goes through as_text: Gnumeric's & shows 57.13 as 57.130000000000000001
        tail = "&".join(as_text(e.text(mode, pack)) if isinstance(e, Ref) else e.text(mode, pack)
                        for e in self.final)
        for excel, _, before, after in reversed(self.checks):
            tail = f'IF(({excel})>0,"{before}"&({excel})&"{after}",{tail})'
        return tail

    def eval(self, env: Env) -> Any:
        for _, py, before, after in self.checks:
            n = py(env)
            if n > 0:
                return f"{before}{n}{after}"
        parts = [e.eval(env) for e in self.final]
        for p in parts:
            if isinstance(p, ExcelError):
                return p
        return "".join(_excel_text(p) for p in parts)

    def refs(self) -> list[str]:
        return [c for r in self.uses for c in cells_of(r)] + [c for e in self.final for c in e.refs()]


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
