"""The pieces every layout is made of: data values as typed cells, the indicator tree, and spec
formulas turned into sheet expressions whose named cells are resolved when they are written."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..core.parsing import infer_nature, parse_nature, parse_quantity
from ..errors import JXError
from ..forms import formula as f
from ..forms.spec import FormSpec
from .model import JX, Expr, Lit, Name, NameSpan, Plus, Round, Scaled, SumOf


# ---------------------------------------------------------------- typed values
def typed(value: Any) -> tuple[Any, str | None]:
    """A data value as a typed cell: ("87.65万元" → 87.65 shown as 0.00"万元"; "5%" → 0.05 as 0%).

    Native formulas need numbers; the number format keeps what the user typed visible.
    Text that holds no single number (逐步提高) stays text.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value, None
    if isinstance(value, (int, float)):
        return value, None
    try:
        q = parse_quantity(value)
    except JXError:
        return value.strip(), None
    if q.percent:
        pct = q.value * (1000 if q.unit == "‰" else 100)
        return q.value, "0%" if float(pct).is_integer() else "0.00%"
    decimals = "0" if float(q.value).is_integer() else "0.00"
    return q.value, f'{decimals}"{q.unit}"' if q.unit else None


def nature_of(row: dict[str, Any]) -> str | None:
    """指标性质 as a symbol: given, else read from the target's text ("不超过…" → ≤)."""
    given = parse_nature(row.get("nature"))
    if given is not None:
        return given.value
    if row.get("target") in (None, ""):
        return None
    return infer_nature(row.get("target")).value


def _text_rows(text: str, width: float) -> int:
    from .render import text_width

    lines = str(text).split("\n")
    return sum(max(1, math.ceil(text_width(line) / max(width, 1))) for line in lines)


def text_rows(text: str, width: float) -> int:
    """Lines a text needs in a cell ``width`` characters wide."""
    from .render import text_width

    lines = str(text).split("\n")
    return sum(max(1, math.ceil(text_width(line) / max(width, 1))) for line in lines)


def indicator_groups(spec: FormSpec, rows: list[dict[str, Any]] | None) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Indicator rows grouped under the standard tree; each 二级 keeps at least its template rows."""
    cats = [(c.level1, c.level2, c.rows) for c in spec.indicators.categories]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {(l1, l2): [] for l1, l2, _ in cats}
    order = [(l1, l2) for l1, l2, _ in cats]
    for row in rows or []:
        key = (str(row.get("level1") or "").strip(), str(row.get("level2") or "").strip())
        if key not in groups:
            # An unknown 二级 goes after the other rows of its 一级 (or at the end).
            groups[key] = []
            same = [i for i, k in enumerate(order) if k[0] == key[0]]
            order.insert(same[-1] + 1 if same else len(order), key)
        groups[key].append(row)
    minimum = {(l1, l2): n for l1, l2, n in cats}
    out = []
    for key in order:
        items = groups[key]
        n = max(len(items), 1 if rows else minimum.get(key, 1)) if rows is not None else minimum.get(key, 1)
        out.append((key[0], key[1], items + [{}] * (n - len(items))))
    return out


def merge_runs(values: list[str]) -> list[tuple[int, int]]:
    """(start index, length) of runs of equal values."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - start))
            start = i
    return runs


def to_expr(node: f.Node, resolve: Callable[[str], Expr]) -> Expr:
    """A parsed spec formula as a sheet expression; ``resolve`` maps each name to its cell."""
    if isinstance(node, f.Name):
        return resolve(node.name)
    if isinstance(node, f.Span):
        first, last = resolve(node.first), resolve(node.last)
        assert isinstance(first, Name) and isinstance(last, Name)
        return NameSpan(first, last)
    if isinstance(node, f.Literal):
        return Lit(node.value if isinstance(node.value, str) or not node.value.is_integer() else int(node.value))
    if isinstance(node, f.Times):
        return Scaled(to_expr(node.inner, resolve), node.factor if not node.factor.is_integer() else int(node.factor))
    if isinstance(node, f.Plus):
        return Plus([to_expr(p, resolve) for p in node.parts])
    if isinstance(node, f.Call):
        args = [to_expr(a, resolve) for a in node.args]
        if node.name == "ROUND":
            digits = node.args[1]
            if not isinstance(digits, f.Literal) or not isinstance(digits.value, float):
                raise ValueError("ROUND: 小数位数应为数字 (digits must be a number)")
            return Round(args[0], int(digits.value))
        if node.name in f.BUILTINS:
            return SumOf(args[0], blank_if_none=node.name == "SUM_OR_BLANK")
        return JX(node.name, args)
    raise ValueError(f"a formula cannot be placed in one cell here: {node!r}")


def concat_parts(text: str, resolve: Callable[[str], Expr]) -> list[Expr]:
    """The parts of an ``a & b & …`` formula (a status line), each as an expression."""
    node = f.parse(text)
    parts = node.parts if isinstance(node, f.Concat) else (node,)
    return [to_expr(p, resolve) for p in parts]


def expected_points(spec: FormSpec) -> float:
    """What the 分值/权重 column should total: the spec's ``expected_points``, else a fixed tree's own
    points (a 分值 total compared with 0 would always show red)."""
    table = spec.indicators
    if table.expected_points is None and table.sections:
        return float(sum(s.points for s in table.sections))
    return float(table.expected_points or 0)
