"""The fixed indicator tree of a form (附表1, 评价得分汇总 …): rows and points set by the spec, and
the 得分汇总 block under it. A mixin of :class:`~jixiao.templates.layout.Layout`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ExcelError
from .exprs import _number
from .model import CondFormat, Expr, Formula, Validation, addr, sum_of
from .values import typed

if TYPE_CHECKING:
    from ..forms.spec import FormSpec, IndicatorTable
    from .model import Sheet


class FixedTree:
    sh: Sheet
    spec: FormSpec
    table: IndicatorTable
    col: dict[str, int]
    data: dict[str, Any]
    r: int

    def header_row(self) -> int:
        raise NotImplementedError

    def finish_table(self, first: int, last: int) -> None:
        raise NotImplementedError

    def computed_columns(self, r: int, cells: dict[str, str]) -> None:
        raise NotImplementedError

    def fixed_tree(self) -> None:
        """Rows fixed by the spec: 一级 sections, 二级 groups and 三级 items with their points; the
        lowest level present is scored (a section or group without children is itself a row)."""
        sh, table, col = self.sh, self.table, self.col
        scores, remarks = self.data.get("scores") or {}, self.data.get("remarks") or {}
        personal = list(self.data.get("personal") or [])
        first = r = self.header_row()
        self.sections: list[tuple[str, float, list[int]]] = []
        self.groups: list[tuple[str, float, list[int]]] = []
        for section in table.sections:
            start, rows = r, []
            if section.personal:
                for i, item in enumerate(section.items):
                    given = personal[i] if i < len(personal) else {}
                    cells = {"level1": addr(r, col["level1"]), "level3": sh.put(
                        r, col["level2"], given.get("name") or item.name or None, role="input", span=2)}
                    self._leaf(r, cells, given.get("points", item.points), given.get("explanation") or item.explanation,
                               "input", given.get("score"), given.get("remark"))
                    rows.append(r)
                    r += 1
            elif not section.groups:
                cells = {"level1": sh.put(r, col["level1"], section.name, span=col["points"] - col["level1"])}
                self._leaf(r, cells, section.points, "", "text", scores.get(section.name), remarks.get(section.name))
                rows.append(r)
                r += 1
            for group in section.groups:
                g_start = r
                for item in group.items:
                    cells = {"level1": addr(r, col["level1"]), "level2": addr(r, col["level2"]),
                             "level3": sh.put(r, col["level3"], item.name)}
                    self._leaf(r, cells, item.points, item.explanation, "text", scores.get(item.name),
                               remarks.get(item.name))
                    rows.append(r)
                    r += 1
                if group.items:
                    sh.put(g_start, col["level2"], f"{group.name}\n（{group.points:g}分）", rows=r - g_start)
                else:
                    cells = {"level1": addr(r, col["level1"]),
                             "level2": sh.put(r, col["level2"], group.name, span=col["points"] - col["level2"])}
                    self._leaf(r, cells, group.points, "", "text", scores.get(group.name), remarks.get(group.name))
                    rows.append(r)
                    r += 1
                self.groups.append((group.name, group.points, list(range(g_start, r))))
            if section.groups or section.personal:
                sh.put(start, col["level1"], f"{section.name}\n（{section.points:g}分）", rows=r - start)
            self.sections.append((section.name, section.points, rows))
        self.finish_table(first, r - 1)
        sh.fields["scores"] = sh.fields["col:score"]
        ded = table.deduction
        if ded is not None:
            sh.put(r, col["level1"], f"{ded.section}\n（{ded.points:g}分）")
            sh.put(r, col["level2"], ded.name, span=2)
            sh.put(r, col["points"], "—", role="const")
            sh.put(r, col["explanation"], ded.explanation, role="text", align="left")
            cell = sh.fields["deduction"] = sh.put(r, col["score"], typed(self.data.get("deduction"))[0],
                                                   role="input", fmt="0.00")
            sh.put(r, col["remark"], self.data.get("deduction_remark"), role="input", align="left")
            sh.validations.append(Validation("decimal", "0", [cell], formula2=f"{ded.points:g}",
                                             prompt=f"扣分项：填 0–{ded.points:g} 之间的正数（扣减的分数）"))
            sh.cond_formats.append(CondFormat(cell, f"AND(ISNUMBER({cell}),{cell}>{ded.points:g})"))
            r += 1
        self.r = r
        if table.subtotals:
            self.subtotals()

    def _leaf(self, r: int, cells: dict[str, str], points: Any, explanation: str, explanation_role: str,
              score: Any, remark: Any) -> None:
        """A scored row of a fixed tree: its points, explanation, the typed score and remark."""
        sh, col, table = self.sh, self.col, self.table
        cells["points"] = sh.put(r, col["points"], points, role="const", fmt=table.column("points").format or None)  # type: ignore[union-attr]
        if "explanation" in col:
            cells["explanation"] = sh.put(r, col["explanation"], explanation or None, role=explanation_role,
                                          align="left")
        cells["score"] = sh.put(r, col["score"], typed(score)[0], role="input", fmt=table.column("score").format)  # type: ignore[union-attr]
        if "remark" in col:
            cells["remark"] = sh.put(r, col["remark"], remark, role="input", align="left")
        self.computed_columns(r, cells)
        sh.indicator_rows.append(cells)
        sh.validations.append(Validation("decimal", "0", [cells["score"]], formula2=cells["points"], strict=False,
                                         prompt="自评得分：0 至指标分值之间"))

    def subtotals(self) -> None:
        """A fixed tree's 得分汇总: the score of each 一级 and 二级, and the deduction."""
        sh, col, r = self.sh, self.col, self.r
        title, *heads = self.table.subtotals
        sc, pc, ec = col["score"], col["points"], col.get("explanation")
        points_fmt = self.table.column("points").format or None  # type: ignore[union-attr]
        sh.put(r, 1, title, role="header", span=pc - 1)
        for key, text in zip(("points", "explanation", "score"), heads, strict=False):
            if key in col:
                sh.put(r, col[key], text, role="header")
        for c in range(pc + 1, sh.ncols + 1):
            if c not in (sc, ec):
                sh.put(r, c, None, role="header")
        r += 1

        def line(label: str, points: float, note: str | None, expr: Expr, key: str, bold: bool = False) -> None:
            sh.put(r, 1, label, span=pc - 1, align="left", bold=bold)
            sh.put(r, pc, points, role="const", fmt=points_fmt)
            if ec is not None:
                sh.put(r, ec, note, role="text", align="left" if note else None)
            sh.fields[key] = sh.put(r, sc, role="calc", expr=expr, fmt="0.00")
            for c in range(pc + 1, sh.ncols + 1):
                if c not in (sc, ec):
                    sh.put(r, c, None, role="const")

        for name, points, rows in self.sections:
            line(name, points, f"第 {rows[0]}–{rows[-1]} 行自评得分之和" if len(rows) > 1 else f"第 {rows[0]} 行自评得分",
                 sum_of(f"{addr(rows[0], sc)}:{addr(rows[-1], sc)}"), f"subtotal:{name}", bold=True)
            r += 1
            for g_name, g_points, g_rows in self.groups:
                if g_rows[0] in rows:
                    line(f"　其中：{g_name}", g_points, None, sum_of(f"{addr(g_rows[0], sc)}:{addr(g_rows[-1], sc)}"),
                         f"subtotal:{g_name}")
                    r += 1
        ded = self.table.deduction
        if ded is not None:
            cell = sh.fields["deduction"]
            sh.put(r, 1, ded.section, span=pc - 1, align="left", bold=True)
            sh.put(r, pc, ded.points, role="const", fmt="0")
            sh.put(r, ec, f"扣减（最多扣 {ded.points:g} 分）", role="text", align="left")
            sh.put(r, sc, role="calc", fmt="0.00;-0.00", expr=Formula(f'IF({cell}="","",-{cell})', _negated(cell), [cell]))
            sh.put(r, col["remark"], None, role="const")
            r += 1
        self.r = r


def _negated(cell: str) -> Callable[[Any], Any]:
    """``IF(cell="","",-cell)``: blank stays blank, an error passes through, text is #VALUE!."""
    def py(env: Any) -> Any:
        v = _number(env(cell))
        return "" if v is None else v if isinstance(v, ExcelError) else -v
    return py
