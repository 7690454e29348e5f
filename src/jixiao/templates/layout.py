"""One layout for every form: its spec (and optional data) → a :class:`~jixiao.templates.model.Sheet`.

The sheet is laid out in one pass down the page: title, header fields, funds, goal, indicator
table (an open tree of categories or a fixed tree with points), the subtotals of a fixed tree,
the spec's computed cells, and the 填报状态 / 计分规则包 rows. Formulas name the cells they use
(``pack``, ``grand_total``, ``col.score`` …); names are looked up when the formula is written,
so a formula may name a cell placed further down.
"""

from __future__ import annotations

import re
from typing import Any

from ..forms import formula as fx
from ..forms.check import FUNDS_INPUTS
from ..forms.spec import Column, FieldBlock, FormSpec
from ..rulepacks import load_pack
from .model import (
    JX,
    CondFormat,
    Expr,
    Guard,
    Lit,
    Name,
    Ref,
    Sheet,
    Validation,
    addr,
)
from .status import status_line
from .tree import FixedTree
from .values import (
    expected_points,
    indicator_groups,
    merge_runs,
    nature_of,
    text_rows,
    to_expr,
    typed,
)

BOX_OFF, BOX_ON = "□", "☑"
_BARE_NUMBER = re.compile(r"^\s*[-+]?\d+(?:\.\d+)?\s*%?\s*$")


def is_bare_number(text: str) -> bool:
    """"95", "95%", " 0.9 " — a number native formulas can read once typed (not "95%以上")."""
    return bool(_BARE_NUMBER.match(text))
TIER_LIST = '"达成,部分达成,未达成"'


class Layout(FixedTree):
    def __init__(self, spec: FormSpec, data: dict[str, Any], pack: str) -> None:
        self.spec, self.data, self.pack = spec, data, pack
        self.table = table = spec.indicators
        left = 2 if table.group_width else 1
        self.col = {c.key: left + i for i, c in enumerate(table.columns)}
        self.sh = Sheet(title=spec.sheet_name, ncols=left - 1 + len(table.columns))
        if table.group_width:
            self.sh.widths[1] = table.group_width
        for c in table.columns:
            self.sh.widths[self.col[c.key]] = c.width
        self.computed_names = {c.name for c in spec.computed} | {
            f"col.{c.key}" for c in table.columns if not c.input} | {"funds.rate", "funds.score"}
        self.scored_funds = next((r.key for r in spec.funds.rows if r.scored), "") if spec.funds else ""
        self.r = 1

    # ------------------------------------------------------------ names
    def name(self, name: str) -> Expr:
        """A named cell of the spec's formula language as a late-resolved reference."""
        if name == "expected_points":
            return Lit(expected_points(self.spec))
        if name == "pack":
            return Name("pack", self.sh.fields, absolute=True)
        head, dot, tail = name.partition(".")
        if dot:
            name = f"{self.scored_funds if head == 'funds' else head}:{tail}"
        return Name(name, self.sh.fields)

    def expr(self, text: str, row: dict[str, str] | None = None) -> Expr:
        def resolve(n: str) -> Expr:
            return Ref(row[n]) if row is not None and n in row else self.name(n)

        return to_expr(fx.parse(text), resolve)

    def build(self) -> Sheet:
        self.title()
        for block in (self.spec.header, self.spec.overview):
            self.fields(block)
        self.funds()
        self.goal()
        if self.table.sections:
            self.fixed_tree()
        else:
            self.open_tree()
        self.computed()
        self.status_rows()
        self.sh.row = self.r  # the next free row (the print area ends above it)
        return self.sh

    # ------------------------------------------------------------ top
    def title(self) -> None:
        sh, spec = self.sh, self.spec
        if spec.caption:
            sh.put(self.r, 1, spec.caption, role="caption", align="left", span=spec.caption_span)
            self.r += 1
        sh.put(self.r, 1, spec.title, role="title", span=sh.ncols)
        sh.heights[self.r] = 32
        self.r += 1
        if spec.subtitle:
            year = self.data.get("year")
            sh.fields["year"] = sh.put(self.r, 1, spec.subtitle.format(year=year if year else "    "),
                                       role="subtitle", span=sh.ncols)
            self.r += 1
        if spec.header.fields or spec.funds or spec.goal:
            sh.freeze = f"A{self.r}"

    def fields(self, block: FieldBlock) -> None:
        if not block.fields:
            return
        sh, header = self.sh, self.data.get("header") or {}
        left = 2 if block.group else 1
        start, r, c = self.r, self.r - 1, left
        for f in block.fields:
            if not f.same_row:
                r, c = r + 1, left
            sh.put(r, c, f.label, role="header", span=f.label_span)
            c += f.label_span
            if f.tick:
                chosen = header.get(f.key) or []
                chosen = [chosen] if isinstance(chosen, str) else list(chosen)
                unknown = [x for x in chosen if x not in f.choices]
                if unknown:
                    raise ValueError(f"header.{f.key}: “{unknown[0]}”不是可选项（{'、'.join(f.choices)}）")
                for choice, span in zip(f.choices, f.tick_spans or (1,) * len(f.choices), strict=True):
                    box = BOX_ON if choice in chosen else BOX_OFF
                    cell = sh.put(r, c, f"{box}{choice}", role="input", span=span)
                    sh.fields[f"{f.key}:{choice}"] = cell
                    sh.validations.append(Validation("list", f'"{BOX_OFF}{choice},{BOX_ON}{choice}"', [cell]))
                    c += span
                continue
            sh.fields[f.key] = sh.put(r, c, header.get(f.key), role="input", span=f.span, align="left")
            if f.choices:
                sh.validations.append(Validation("list", '"' + ",".join(f.choices) + '"', [sh.fields[f.key]],
                                                 strict=False))
            c += f.span
        self.r = r + 1
        if block.group:
            sh.put(start, 1, block.group, role="header", rows=self.r - start)

    def funds(self) -> None:
        spec, sh = self.spec.funds, self.sh
        if spec is None:
            return
        start = r = self.r
        sh.put(r, 2, None, role="header", span=2)
        at, c = {}, 4
        for col in spec.columns:
            sh.put(r, c, col.label, role="header", span=col.span)
            at[col.key] = (c, col.span)
            c += col.span
        r += 1
        given = self.data.get("funds") or {}
        pack = self.name("pack")
        for row in spec.rows:
            values, key = given.get(row.key) or {}, row.key
            sh.put(r, 2, ("　　" if row.indent else "") + row.label, span=2, align="left")
            inputs = []
            for k in (k for k in FUNDS_INPUTS if k in at):
                inputs.append(sh.put(r, at[k][0], typed(values.get(k))[0], role="input", span=at[k][1], fmt="0.00"))
                sh.fields[f"{key}:{k}"] = inputs[-1]
            b, s = Ref(sh.fields[f"{key}:budget"]), Ref(sh.fields[f"{key}:spent"])
            if "rate" in at:
                sh.fields[f"{key}:rate"] = sh.put(r, at["rate"][0], role="calc", fmt="0.00%",
                                                  expr=Guard([b.cell, s.cell], JX("JX_RATE", [b, s])))
            if row.scored:
                w = sh.fields[f"{key}:points"] = sh.put(r, at["points"][0], self.rules.rate_weight, role="const",
                                                        fmt="0")
                sh.fields[f"{key}:score"] = sh.put(r, at["score"][0], role="calc", fmt="0.00", expr=Guard(
                    [b.cell, s.cell], JX("JX_RATE_SCORE", [b, s, Ref(w), pack])))
            else:
                for k in ("points", "score"):
                    if k in at:
                        sh.put(r, at[k][0], "—", role="const")
            sh.validations.append(Validation("decimal", "0", [f"{inputs[0]}:{inputs[-1]}"], formula2="1E+12",
                                             prompt="金额（万元），填数字"))
            r += 1
        sh.put(start, 1, spec.group, role="header", rows=r - start)
        self.r = r

    @property
    def rules(self) -> Any:
        return load_pack(self.pack)

    def goal(self) -> None:
        spec, sh, r = self.spec.goal, self.sh, self.r
        if spec is None:
            return
        given = self.data.get("goal") or {}
        sh.put(r, 1, spec.group, role="header", rows=2)
        c, lines = 2, [1]
        for part in spec.parts:
            sh.put(r, c, part.label, role="header", span=part.span)
            text = given.get(part.key)
            sh.fields[part.cell] = sh.put(r + 1, c, text, role="input", span=part.span, align="left")
            lines.append(text_rows(text or "", part.width))
            c += part.span
        sh.heights[r + 1] = max(45, 15 * max(lines))
        self.r = r + 2

    # ------------------------------------------------------------ the indicator table
    def header_row(self) -> int:
        """The column labels (under a group label when the table has one above); the first data row."""
        sh, table, r = self.sh, self.table, self.r
        if table.group_span:
            sh.put(r, 1, table.group, role="header", span=table.group_span)
            for i, c in enumerate(table.columns):
                text = c.header or c.label
                if i < table.group_span:
                    sh.put(r + 1, self.col[c.key], text, role="header")
                else:
                    sh.put(r, self.col[c.key], text, role="header", rows=2)
            sh.header_rows = (r, r + 1)
            sh.freeze = sh.freeze or f"A{r + 2}"
            return r + 2
        for c in table.columns:
            sh.put(r, self.col[c.key], c.header or c.label, role="header")
        sh.header_rows = (r, r)
        sh.freeze = sh.freeze or f"A{r + 1}"
        return r + 1

    def cell_value(self, c: Column, item: dict[str, Any], row_fmt: list[str | None]) -> tuple[Any, str | None]:
        if c.kind == "nature":
            return (nature_of(item) if item else None), None
        if c.kind == "quantity":
            value, fmt = typed(item.get(c.key))
            row_fmt.append(fmt)
            return value, c.format or fmt or row_fmt[0]
        value = item.get(c.key)
        if c.kind == "number" and isinstance(value, str) and is_bare_number(value):
            return typed(value)[0], c.format or typed(value)[1]  # "95%" → 0.95; "80%≤M<90%" stays text
        return value, c.format or None

    def open_tree(self) -> None:
        sh, table = self.sh, self.table
        head = self.r
        first = r = self.header_row()
        l1_values: list[str] = []
        merged2 = table.column("level2") is not None and table.column("level2").merge  # type: ignore[union-attr]
        for l1, l2, items in indicator_groups(self.spec, self.data.get("indicators")):
            g_start = r
            for item in items:
                cells: dict[str, str] = {}
                row_fmt: list[str | None] = []
                for c in table.columns:
                    at = self.col[c.key]
                    if c.key == "level1":
                        cells[c.key] = addr(r, at)
                    elif c.key == "level2":
                        cells[c.key] = addr(g_start, at) if merged2 else sh.put(r, at, l2, role="input")
                    elif c.input:
                        value, fmt = self.cell_value(c, item, row_fmt)
                        cells[c.key] = sh.put(r, at, value, role="input", fmt=fmt, align=c.align or None)
                self.computed_columns(r, cells)
                sh.indicator_rows.append(cells)
                l1_values.append(l1)
                r += 1
            if merged2:
                sh.put(g_start, self.col["level2"], l2, role="input", rows=r - g_start)
        if "level1" in self.col:
            for start_i, n in merge_runs(l1_values):
                sh.put(first + start_i, self.col["level1"], l1_values[start_i], role="input", rows=n)
                for k in range(start_i, start_i + n):
                    sh.indicator_rows[k]["level1"] = addr(first + start_i, self.col["level1"])
        if table.group_width:
            sh.put(head, 1, table.group, role="header", rows=r - head)
        self.r = r
        self.finish_table(first, r - 1)

    def finish_table(self, first: int, last: int) -> None:
        """Column ranges as named cells (col.score …), input checks and highlights."""
        sh, table = self.sh, self.table
        rng = {}
        for c in table.columns:
            rng[c.key] = sh.fields[f"col:{c.key}"] = f"{addr(first, self.col[c.key])}:{addr(last, self.col[c.key])}"
        if "nature" in rng:
            sh.validations.append(Validation("list", '"' + ",".join(table.natures) + '"', [rng["nature"]],
                                             prompt="指标性质：≥ 正向，≤ 反向，＝ 等于，定性"))
        if "actual" in rng and "nature" in rng:  # 定性 indicators type their tier
            sh.validations.append(Validation("list", TIER_LIST, [rng["actual"]], strict=False,
                                             prompt="定量指标填数字；定性指标选 达成 / 部分达成 / 未达成"))
        percent = table.points_unit == "percent"
        if "points" in rng and not table.sections:
            sh.validations.append(Validation("decimal", "0", [rng["points"]], formula2="1" if percent else "100",
                                             prompt="权重：百分比，如 5%" if percent else "分值：数字"))
        if "points" in rng and "score" in rng:
            s, p = rng["score"].split(":")[0], rng["points"].split(":")[0]
            sh.cond_formats.append(CondFormat(rng["score"], f"AND(ISNUMBER({s}),{s}>{p}{'*100' if percent else ''}+0.005)"))

    def computed_columns(self, r: int, cells: dict[str, str]) -> None:
        for c in self.table.columns:
            if not c.input:
                guard = Guard([cells[n] for n in c.needs], self.expr(c.formula, cells))
                cells[c.key] = self.sh.put(r, self.col[c.key], role="calc", fmt=c.format or None,
                                           expr=guard if c.needs else guard.inner)

    # ------------------------------------------------------------ under the table
    def computed(self) -> None:
        sh, rows = self.sh, []
        for comp in self.spec.computed:
            if comp.same_row:
                rows[-1].append(comp)
            else:
                rows.append([comp])
        for row in rows:
            r, head = self.r, row[0]
            used: dict[int, int] = {}  # column → span
            for comp in row:
                if comp.at:
                    used[self.col[comp.at]] = 1
                for key, value in comp.notes.items():
                    c = self.col[key]
                    used[c] = 1
                    if isinstance(value, str):
                        sh.put(r, c, value, role="text", align="left")
                    else:
                        sh.put(r, c, value, role="const", fmt="0" if value is not None else None)
            first = min(used) if used else head.label_span + 1
            sh.put(r, 1, head.label, role="header" if head.header else "label", span=first - 1,
                   align=None if head.header else "left")
            for comp in row:
                c, span = (self.col[comp.at], 1) if comp.at else (first, sh.ncols - first + 1)
                used[c] = span
                needs = [self.expr(n) for n in comp.needs]
                inner = self.expr(comp.formula)
                expr = Guard(needs, inner, numbers=all(n in self.computed_names for n in self._names(comp.needs))) \
                    if needs else inner
                sh.fields[comp.name] = sh.put(r, c, role="calc", span=span, fmt=comp.format or None, expr=expr,
                                              bold=comp.bold, align=None if comp.at else "left")
                if comp.at == "points" and "col.points" in self._names((comp.formula,)):
                    self.highlight_points_total(sh.fields[comp.name])
            for c in range(first, sh.ncols + 1):
                if c not in used and not any(u < c < u + s for u, s in used.items()):
                    sh.put(r, c, None, role="const")
            self.r += 1

    def highlight_points_total(self, cell: str) -> None:
        """Red when the indicators' 分值/权重 do not total what the form expects."""
        pts, percent = self.sh.fields["col:points"], self.table.points_unit == "percent"
        tolerance = "0.00005" if percent else "0.005"
        self.sh.cond_formats.append(CondFormat(
            cell, f"AND(COUNT({pts})>0,ABS(SUM({pts})-{expected_points(self.spec):g})>{tolerance})"))

    @staticmethod
    def _names(texts: tuple[str, ...]) -> list[str]:
        return [n for t in texts for n in fx.names(fx.parse(t))]

    def status_rows(self) -> None:
        sh, r = self.sh, self.r
        # The label takes up to three columns, leaving at least two for the status text.
        label = max(1, min(3, sh.ncols - 2))
        span = sh.ncols - label
        sh.put(r, 1, "填报状态", role="header", span=label)
        status = status_line(self.spec, sh.fields, self.name)
        sh.fields["status"] = sh.put(r, label + 1, role="calc", span=span, expr=status, align="left")
        sh.heights[r] = 30
        sh.put(r + 1, 1, "计分规则包", role="header", span=label)
        sh.fields["pack"] = sh.put(r + 1, label + 1, self.pack, role="pack", span=span, align="left")
        self.r = r + 2

def layout(spec: FormSpec, data: dict[str, Any], pack: str) -> Sheet:
    """The form laid out as a sheet model, filled with ``data`` (checked by the caller)."""
    return Layout(spec, data, pack).build()
