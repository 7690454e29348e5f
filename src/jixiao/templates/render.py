"""Render a :class:`~jixiao.templates.model.Sheet` into an openpyxl worksheet, paper-form style."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from ..functions import REGISTRY
from ..native import needs_array
from .model import Sheet, addr, lambda_name_text, range_boundaries

BODY_FONT = "宋体"
TITLE_FONT = "宋体"
NOTE_FONT = "仿宋"
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")  # pale yellow: type here
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NO_BORDER_ROLES = {"title", "subtitle", "caption", "note"}


def text_width(text: str) -> int:
    """Display width in Excel column units: CJK and full-width characters count as 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render_sheet(ws: Worksheet, sh: Sheet, mode: str, pack: str) -> None:
    ws.title = sh.title
    spans = _spans(sh)
    for (r, c), cell in sorted(sh.cells.items()):
        xc = ws.cell(row=r, column=c)
        if cell.role == "filler":
            if (r, c) in spans.get("inside", set()):
                xc.border = BORDER if spans["inside"][(r, c)] else Border()
            continue
        if cell.expr is not None:
            text = "=" + cell.expr.text(mode, pack)
            # native text over a range is an array formula, or Gnumeric reads it differently
            xc.value = ArrayFormula(xc.coordinate, text) if mode == "native" and needs_array(text) else text
        elif cell.value is not None:
            xc.value = cell.value
            if isinstance(cell.value, str) and cell.value.startswith("="):
                xc.data_type = "s"  # user text, never a live formula (formula injection)
        _style(xc, cell, mode)
    _widths(ws, sh, spans)
    _heights(ws, sh)
    for ref in sh.merges:
        ws.merge_cells(ref)
    for v in sh.validations:
        dv = DataValidation(type=v.kind, formula1=v.formula1, formula2=v.formula2, allow_blank=True,
                            operator="between" if v.kind == "decimal" else None)
        dv.showErrorMessage = True
        dv.errorStyle = "stop" if v.strict else "warning"
        if v.kind == "list" and not v.strict:
            dv.errorStyle = "information"
        if v.prompt:
            dv.promptTitle, dv.prompt, dv.showInputMessage = "填写说明", v.prompt, True
        for ref in v.ranges:
            dv.add(ref)
        ws.add_data_validation(dv)
    red = Font(color="C00000", bold=True)
    for cf in sh.cond_formats:
        ws.conditional_formatting.add(cf.ref, FormulaRule(formula=[cf.formula], font=red, fill=RED_FILL))
    _page(ws, sh)


def _spans(sh: Sheet) -> dict[str, Any]:
    inside: dict[tuple[int, int], bool] = {}
    for ref in sh.merges:
        c1, r1, c2, r2 = range_boundaries(ref)
        top = sh.cells[(r1, c1)]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                inside[(r, c)] = top.role not in NO_BORDER_ROLES
    return {"inside": inside}


def _style(xc: Any, cell: Any, mode: str) -> None:
    role = cell.role
    size = {"title": 16, "subtitle": 12, "caption": 12}.get(role, 10.5)
    bold = cell.bold or role in ("title", "header", "caption")
    xc.font = Font(name=NOTE_FONT if role == "note" else (TITLE_FONT if role == "title" else BODY_FONT),
                   size=size, bold=bold)
    horizontal = cell.align or ("left" if role == "caption" else "center")
    xc.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=role not in ("caption",))
    if role not in NO_BORDER_ROLES:
        xc.border = BORDER
    editable = role == "input" or (role == "pack" and mode == "udf")
    if editable:
        xc.fill = INPUT_FILL
        xc.protection = Protection(locked=False)
    if cell.fmt:
        xc.number_format = cell.fmt


def column_widths(sh: Sheet) -> dict[int, float]:
    """Column → width: wide enough for the longest line of its cells, within the layout's bounds."""
    merged_wide = set()
    for ref in sh.merges:
        c1, r1, c2, r2 = range_boundaries(ref)
        if c2 > c1:
            merged_wide.add((r1, c1))
    need = {col: sh.widths.get(col, (8, 30))[0] for col in range(1, sh.ncols + 1)}
    for (r, c), cell in sh.cells.items():
        if c not in need or (r, c) in merged_wide or cell.role in ("title", "subtitle", "caption", "filler"):
            continue
        for line in _display(cell.value).split("\n"):
            need[c] = max(need[c], text_width(line) + 2)
    return {col: min(n, sh.widths.get(col, (8, 30))[1]) for col, n in need.items()}


def row_heights(sh: Sheet, widths: dict[int, float]) -> dict[int, float]:
    """Row → height: enough lines for the wrapped text of its cells (merged cells share theirs)."""
    span_of: dict[tuple[int, int], tuple[int, int]] = {}
    for ref in sh.merges:
        c1, r1, c2, r2 = range_boundaries(ref)
        span_of[(r1, c1)] = (c2 - c1 + 1, r2 - r1 + 1)
    lines: dict[int, float] = {}
    for (r, c), cell in sh.cells.items():
        if cell.value is None or cell.role == "filler":
            continue
        ncols, nrows = span_of.get((r, c), (1, 1))
        width = sum(widths[cc] for cc in range(c, c + ncols)) - 1
        n = sum(max(1, math.ceil(text_width(line) / max(width, 1))) for line in _display(cell.value).split("\n"))
        lines[r] = max(lines.get(r, 1), n / nrows)
    return {r: sh.heights.get(r, max(20.0, 14.0 * math.ceil(lines.get(r, 1)) + 4)) for r in range(1, sh.row)}


def _widths(ws: Worksheet, sh: Sheet, spans: dict[str, Any]) -> None:
    for col, width in column_widths(sh).items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _heights(ws: Worksheet, sh: Sheet) -> None:
    widths = {c: ws.column_dimensions[get_column_letter(c)].width for c in range(1, sh.ncols + 1)}
    for r, height in row_heights(sh, widths).items():
        ws.row_dimensions[r].height = height


def _page(ws: Worksheet, sh: Sheet) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sh.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{addr(sh.row - 1, sh.ncols)}"
    if sh.header_rows:
        ws.print_title_rows = f"{sh.header_rows[0]}:{sh.header_rows[1]}"
    if sh.freeze:
        ws.freeze_panes = sh.freeze
    ws.sheet_view.zoomScale = 100
    # Formula cells locked, inputs open; no password, so a user can still unprotect.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False


def add_lambda_names(wb: Workbook, pack: str) -> None:
    """Workbook-level names JX_SCORE … holding the LAMBDA text (lambda mode)."""
    for name in REGISTRY:
        wb.defined_names[name] = DefinedName(name, attr_text=lambda_name_text(name, pack))
