"""The formula language of form specs: calls of JX_ functions over named cells.

``JX_TOTAL(col.score, deduction, "", pack)`` — names are named cells (``pack``, ``grand_total``,
``total_funds.rate``, ``funds.score`` for the scored funds row, ``col.score`` for a whole
indicator column) or, in an indicator column's formula, the columns of the same row
(``target``); ``a:b`` is the range between two named cells; ``points*100`` scales a number;
``a + b`` adds; ``a & "text"`` joins text (status lines); numbers and "text" are literals.
Besides the JX_ registry (every argument given), ``SUM(range)`` adds numbers up and
``SUM_OR_BLANK(range)`` does too but stays blank until one of them is a number;
``ROUND(x, digits)`` rounds half away from zero, as Excel does.
Parsing is strict: an unknown function, a wrong argument count or a stray character is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"]|"")*")|(?P<name>[A-Za-z_][\w.]*)'
                    r'|(?P<op>[(),:*+&]))')
BUILTINS = {"SUM": (1, 1), "SUM_OR_BLANK": (1, 1), "ROUND": (2, 2)}


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Span:
    first: str
    last: str


@dataclass(frozen=True)
class Literal:
    value: float | str


@dataclass(frozen=True)
class Times:
    inner: Node
    factor: float


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Plus:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Concat:
    parts: tuple[Node, ...]


Node = Name | Span | Literal | Times | Call | Plus | Concat


class FormulaError(ValueError):
    pass


def parse(text: str) -> Node:
    """The syntax tree of a spec formula; raises FormulaError saying what is wrong."""
    tokens, pos = [], 0
    text = text.strip().removeprefix("=")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FormulaError(f"无法识别“{text[pos:pos + 10]}” (unexpected text)")
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    node, rest = _expr(tokens, 0)
    if rest != len(tokens):
        raise FormulaError(f"多余的“{tokens[rest][1]}” (unexpected token)")
    return node


def _expr(tokens: list[tuple[str, str]], i: int) -> tuple[Node, int]:
    return _chain(tokens, i, "&", Concat, lambda t, j: _chain(t, j, "+", Plus, _term))


def _chain(tokens: list[tuple[str, str]], i: int, op: str, node_type: type, inner: object) -> tuple[Node, int]:
    node, i = inner(tokens, i)  # type: ignore[operator]
    parts = [node]
    while i < len(tokens) and tokens[i] == ("op", op):
        node, i = inner(tokens, i + 1)  # type: ignore[operator]
        parts.append(node)
    return (parts[0] if len(parts) == 1 else node_type(tuple(parts))), i


def _term(tokens: list[tuple[str, str]], i: int) -> tuple[Node, int]:
    node, i = _atom(tokens, i)
    while i < len(tokens) and tokens[i] == ("op", "*"):
        if i + 1 >= len(tokens) or tokens[i + 1][0] != "num":
            raise FormulaError("“*” 后应为数字 (a factor must be a number)")
        node, i = Times(node, float(tokens[i + 1][1])), i + 2
    return node, i


def _atom(tokens: list[tuple[str, str]], i: int) -> tuple[Node, int]:
    if i >= len(tokens):
        raise FormulaError("公式不完整 (formula ends too early)")
    kind, text = tokens[i]
    if kind == "num":
        return Literal(float(text)), i + 1
    if kind == "str":
        return Literal(text[1:-1].replace('""', '"')), i + 1
    if kind != "name":
        raise FormulaError(f"意外的“{text}” (unexpected token)")
    if i + 1 < len(tokens) and tokens[i + 1] == ("op", "("):
        args: list[Node] = []
        i += 2
        while i < len(tokens) and tokens[i] != ("op", ")"):
            arg, i = _expr(tokens, i)
            args.append(arg)
            if i < len(tokens) and tokens[i] == ("op", ","):
                i += 1
        if i >= len(tokens):
            raise FormulaError(f"{text}( 缺少右括号 (missing “)”)")
        return Call(text.upper(), tuple(args)), i + 1
    if i + 2 < len(tokens) and tokens[i + 1] == ("op", ":") and tokens[i + 2][0] == "name":
        return Span(text, tokens[i + 2][1]), i + 3
    return Name(text), i + 1


def names(node: Node) -> list[str]:
    """Every named cell or column a formula refers to."""
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Span):
        return [node.first, node.last]
    if isinstance(node, Times):
        return names(node.inner)
    if isinstance(node, Call):
        return [n for a in node.args for n in names(a)]
    if isinstance(node, (Plus, Concat)):
        return [n for a in node.parts for n in names(a)]
    return []


def check_calls(node: Node) -> None:
    """Every call names a JX_ function (or SUM) with an argument count it takes."""
    from ..functions import REGISTRY

    if isinstance(node, Times):
        check_calls(node.inner)
    if isinstance(node, (Plus, Concat)):
        for part in node.parts:
            check_calls(part)
    if not isinstance(node, Call):
        return
    if node.name in BUILTINS:
        lo, hi = BUILTINS[node.name]
    elif node.name in REGISTRY:
        lo = hi = len(REGISTRY[node.name].args)  # templates pass every argument, the pack included
    else:
        raise FormulaError(f"未知函数 {node.name} (unknown function)")
    if not lo <= len(node.args) <= hi:
        raise FormulaError(f"{node.name} 需要 {lo}–{hi} 个参数，给了 {len(node.args)} 个 (wrong argument count)")
    for a in node.args:
        check_calls(a)
