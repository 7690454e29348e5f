"""Formula expressions of the sheet model: each prints itself as formula text (per mode) and
evaluates itself with the Python core — the second gives the cached values, so the two can
never drift apart in how a cell is wired. Named cells (:class:`Name`) are looked up when the
formula is written, so a formula may name a cell placed further down the sheet.
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
from ..reader.model import col_letter, parse_a1


@functools.lru_cache(maxsize=8192)
def range_boundaries(ref: str) -> tuple[int, int, int, int]:
    """"B3:D9" (or one cell) → 1-based (min_col, min_row, max_col, max_row), as openpyxl gives it."""
    ends = [parse_a1(part) for part in ref.split(":")]
    if not ends or len(ends) > 2 or None in ends:
        raise ValueError(f"not a cell range: {ref}")
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    return min(c1, c2) + 1, min(r1, r2) + 1, max(c1, c2) + 1, max(r1, r2) + 1

Env = Callable[[str], Any]  # cell address → its value (inputs as typed, formulas computed)


def addr(row: int, col: int, absolute: bool = False) -> str:
    letter = col_letter(col - 1)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def cells_of(ref: str) -> list[str]:
    """Every cell address in "A1" or "A1:B3" (row by row)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [addr(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _number(v: Any) -> float | ExcelError | None:
    """A computed value as a number: None when blank, the error value as is, #VALUE! for text."""
    if isinstance(v, ExcelError) or v is None or v == "":
        return v or None
    return v if _is_number(v) else ExcelError("#VALUE!", f"“{v}”不是数值")


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
class Name(Expr):
    """A named cell ("pack", "grand_total"), looked up when the formula is written or evaluated.

    Layouts refer to cells placed later (the 规则包 cell under the table) by name, so no row is
    counted ahead and no placeholder is patched afterwards. ``names`` is the sheet's own
    name → cell mapping, filled while it is laid out; "a:b" names a range between two cells.
    """

    name: str
    names: dict[str, str] = field(repr=False, compare=False)
    absolute: bool = False

    def cell(self) -> str:
        if self.name not in self.names:
            raise KeyError(f"named cell {self.name!r} was never placed")
        ref = self.names[self.name]
        return _absolute(ref) if self.absolute else ref

    def text(self, mode: str, pack: str) -> str:
        return self.cell()

    def eval(self, env: Env) -> Any:
        ref = self.cell().replace("$", "")
        return [env(c) for c in cells_of(ref)] if ":" in ref else env(ref)

    def refs(self) -> list[str]:
        return cells_of(self.cell().replace("$", ""))


@dataclass
class NameSpan(Expr):
    """The range from one named cell to another ("rate_score:indicator_total")."""

    first: Name
    last: Name

    def cell(self) -> str:
        a, b = self.first.cell().split(":")[0], self.last.cell().split(":")[-1]
        return f"{a}:{b}"

    def text(self, mode: str, pack: str) -> str:
        return self.cell()

    def eval(self, env: Env) -> Any:
        return [env(c) for c in cells_of(self.cell().replace("$", ""))]

    def refs(self) -> list[str]:
        return cells_of(self.cell().replace("$", ""))


def _absolute(ref: str) -> str:
    return ":".join(re.sub(r"^([A-Z]+)(\d+)$", r"$\1$\2", part) for part in ref.replace("$", "").split(":"))


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
        v = _number(self.inner.eval(env))
        return 0.0 if v is None else v if isinstance(v, ExcelError) else v * self.factor

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
    whose "" would count with COUNTA. ``needed`` holds cell refs or expressions naming cells.
    """

    needed: list[str | Expr]
    inner: Expr
    numbers: bool = False

    def _refs(self) -> list[str]:
        return [n if isinstance(n, str) else n.text("", "").replace("$", "") for n in self.needed]

    def text(self, mode: str, pack: str) -> str:
        fn = "COUNT" if self.numbers else "COUNTA"
        refs = self._refs()
        n = sum(len(cells_of(r)) for r in refs)
        return f'IF({fn}({",".join(refs)})<{n},"",{self.inner.text(mode, pack)})'

    def eval(self, env: Env) -> Any:
        for ref in self._refs():
            for c in cells_of(ref):
                v = env(c)
                if (self.numbers and not _is_number(v)) or (not self.numbers and (v is None or v == "")):
                    return ""
        return self.inner.eval(env)

    def refs(self) -> list[str]:
        return [c for r in self._refs() for c in cells_of(r)] + self.inner.refs()


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


@dataclass
class SumOf(Expr):
    """SUM over a range of computed or typed numbers; with ``blank_if_none`` "" until one is a number."""

    inner: Expr
    blank_if_none: bool = True

    def text(self, mode: str, pack: str) -> str:
        ref = self.inner.text(mode, pack)
        return f'IF(COUNT({ref})=0,"",SUM({ref}))' if self.blank_if_none else f"SUM({ref})"

    def eval(self, env: Env) -> Any:
        vals = [env(c) for c in self.inner.refs()]
        for v in vals:
            if isinstance(v, ExcelError):
                return v
        nums = [float(v) for v in vals if _is_number(v)]
        if self.blank_if_none and not nums:
            return ""
        return sum(nums)

    def refs(self) -> list[str]:
        return self.inner.refs()


def sum_of(ref: str, *, blank_if_none: bool = True) -> SumOf:
    return SumOf(Rng(ref), blank_if_none)


@dataclass
class Round(Expr):
    """``ROUND(x,digits)`` with Excel's rounding (blank stays blank, an error passes through)."""

    inner: Expr
    digits: int

    def text(self, mode: str, pack: str) -> str:
        return f"ROUND({self.inner.text(mode, pack)},{self.digits})"

    def eval(self, env: Env) -> Any:
        from ..core.scoring import round_half_up

        v = _number(self.inner.eval(env))
        return "" if v is None else v if isinstance(v, ExcelError) else round_half_up(v, self.digits)

    def refs(self) -> list[str]:
        return self.inner.refs()


@dataclass
class Plus(Expr):
    """``a+b+…`` (blanks count as 0, an error value passes through)."""

    parts: list[Expr]

    def text(self, mode: str, pack: str) -> str:
        return "+".join(p.text(mode, pack) for p in self.parts)

    def eval(self, env: Env) -> Any:
        total = 0.0
        for p in self.parts:
            v = _number(p.eval(env))
            if isinstance(v, ExcelError):
                return v
            total += v or 0.0
        return total

    def refs(self) -> list[str]:
        return [c for p in self.parts for c in p.refs()]


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

    # (excel count, python count, before, after); after None: the message is ``before`` alone, no count
    checks: list[tuple[str, Callable[[Env], int | ExcelError], str, str | None]]
    final: list[Expr]
    uses: list[str] = field(default_factory=list)

    def text(self, mode: str, pack: str) -> str:
        # a cell joined into the text goes through as_text: Gnumeric's & shows 57.13 as 57.130000000000000001
        tail = "&".join(as_text(e.text(mode, pack)) if isinstance(e, (Ref, Name)) else e.text(mode, pack)
                        for e in self.final)
        for excel, _, before, after in reversed(self.checks):
            message = f'"{before}"' if after is None else f'"{before}"&({excel})&"{after}"'
            tail = f'IF(({excel})>0,{message},{tail})'
        return tail

    def eval(self, env: Env) -> Any:
        for _, py, before, after in self.checks:
            n = py(env)
            if isinstance(n, ExcelError):
                return n  # IF(error>0, …) is the error
            if n > 0:
                return before if after is None else f"{before}{n}{after}"
        parts = [e.eval(env) for e in self.final]
        for p in parts:
            if isinstance(p, ExcelError):
                return p
        return "".join(_excel_text(p) for p in parts)

    def refs(self) -> list[str]:
        return [c for r in self.uses for c in cells_of(r)] + [c for e in self.final for c in e.refs()]


