"""Annotated copies for the people who filled the forms: red cells, comments, a 校验结果 sheet.

The original is never touched; copies are written atomically. An .xls input gets an .xlsx
copy rebuilt from its values.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..fileio import atomic_path, atomic_write_bytes
from .rules import ERROR, Finding
from .xlsxwrite import DANGEROUS, quote_sheet

RESULT_SHEET = "校验结果"
RED = "FFFF8080"
YELLOW = "FFFFE699"
AUTHOR = "jixiao 校验"
RESULT_HEADER = ["序号", "级别", "代码", "规则", "位置", "说明", "应为", "实为"]
RESULT_WIDTHS = (6, 6, 8, 22, 16, 80, 14, 14)
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")  # characters a sheet name cannot hold


def neutralize(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading '.

    For CSV and for values typed into a live Excel (where ' is the quote prefix); .xlsx files we
    write keep the exact text instead (:func:`append_inert`).
    """
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def make_inert(cell: Any) -> None:
    """Keep formula-like text (= + - @ …) a text cell, shown exactly as typed: a string cell with
    Excel's quote prefix, as if the user had typed the hidden ' before it."""
    if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS):
        cell.data_type = "s"  # openpyxl would otherwise write "=…" as a formula
        cell.quotePrefix = True


def append_inert(ws: Any, values: list[Any]) -> list[Any]:
    """``ws.append`` for text from submissions: nothing in it can become a formula. Returns the
    row's cells (None where a value is None), so callers need not look the row up again."""
    from openpyxl.cell import Cell

    cells = [None if v is None else Cell(ws, value=v) for v in values]
    for cell in cells:
        if cell is not None:
            make_inert(cell)
    ws.append(cells)
    return cells


def _load_copy(sniff: Any):
    """The checked submission as an openpyxl workbook (an .xls or .ods copied value by value)."""
    import io

    from openpyxl import Workbook, load_workbook

    if sniff.kind == "xlsx":
        return load_workbook(io.BytesIO(sniff.data), keep_vba=False, keep_links=False)
    from ..reader.grids import fill_xls_errors, load_grids

    wb = Workbook()
    wb.remove(wb.active)
    grids = load_grids(sniff.data)
    fill_xls_errors(grids, sniff.data)
    for name, rows in grids:
        ws = wb.create_sheet(name[:31])
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None or v == "":
                    continue
                make_inert(ws.cell(row=r, column=c, value=v))
    return wb


def _marks(findings: list[Finding], sheets: Any) -> dict[tuple[str, str], list[Finding]]:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.cell and f.sheet in sheets:
            by_cell[f.sheet, f.cell].append(f)
    return by_cell


def _comment(items: list[Finding]) -> tuple[str, str]:
    """(fill colour, comment text) of a flagged cell."""
    error = any(f.severity == ERROR for f in items)
    text = "\n".join(f"[{f.code}] {f.message.split('：', 1)[-1]}" for f in items)
    return (RED if error else YELLOW), text[:30000]


def _result_rows(findings: list[Finding], sheets: Any) -> list[tuple[list[Any], str | None]]:
    """校验结果 rows and the in-workbook cell each one's 位置 links to."""
    rows = []
    for i, f in enumerate(findings, start=1):
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else ""
        link = f"{quote_sheet(f.sheet)}!{f.cell}" if f.sheet and f.cell and f.sheet in sheets else None
        rows.append(([i, "错误" if f.severity == ERROR else "提示", f.code, f.rule, where,
                      f.message, f.expected, f.found], link))
    return rows


def annotate_copy(source: str | Path, findings: list[Finding], target: str | Path) -> Path:
    """Write ``target`` (.xlsx): a copy of ``source`` with each finding marked on its cell.

    The parts that change are edited in place (:mod:`.xlsxpatch`); an .xls or .ods is first
    written as a plain .xlsx of its values. A package that cannot be edited that way (a
    macro-enabled book, existing comments …) goes through openpyxl.
    """
    from ..security import sniff_workbook
    from . import xlsxpatch

    source, target = Path(source), Path(target)
    sniff = sniff_workbook(source)  # the bytes again, checked again: the file may have changed
    try:
        data = _patched(*_package(sniff), findings)
    except xlsxpatch.Unpatchable:
        pass
    else:
        atomic_write_bytes(target, data)
        return target
    wb = _load_copy(sniff)
    annotate_workbook(wb, findings)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _package(sniff: Any) -> tuple[bytes, dict[str, str]]:
    """The .xlsx to patch and its worksheet parts by sheet name: the checked file itself, or an
    .xls/.ods written as a plain .xlsx of its values (as :func:`_load_copy` would copy them)."""
    from ..reader.grids import _sheet_parts, fill_xls_errors, load_grids
    from .xlsxbook import BASE_STYLES, workbook_parts
    from .xlsxpatch import Unpatchable
    from .xlsxstyles import Styles
    from .xlsxwrite import GridSheet, package

    if sniff.kind == "xlsx":
        return sniff.data, _sheet_parts(sniff.parts or {})  # from the small parts the safety scan kept
    grids = load_grids(sniff.data)
    fill_xls_errors(grids, sniff.data)
    names = [name[:31] for name, _ in grids]
    if len({n.casefold() for n in names}) < len(names) or any(_BAD_TITLE.search(n) for n in names):
        raise Unpatchable("sheet names openpyxl would change")
    styles = Styles(BASE_STYLES)
    sheets = [(name, GridSheet(styles, rows), ()) for name, (_, rows) in zip(names, grids, strict=True)]
    parts = {name: f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(names, 1)}
    return package(workbook_parts(styles, sheets)), parts


def _patched(data: bytes, parts: dict[str, str], findings: list[Finding]) -> bytes:
    from . import xlsxpatch

    marks: dict[str, list[xlsxpatch.Mark]] = defaultdict(list)
    for (sheet, ref), items in _marks(findings, parts).items():
        color, text = _comment(items)
        marks[sheet].append(xlsxpatch.Mark(ref, color, text, len(items)))
    rows = [xlsxpatch.ResultRow(values, link) for values, link in _result_rows(findings, parts)]
    return xlsxpatch.annotate_package(data, parts, marks, rows, sheet_name=RESULT_SHEET, header=RESULT_HEADER,
                                      widths=RESULT_WIDTHS, author=AUTHOR)


def annotate_workbook(wb: Any, findings: list[Finding]) -> None:
    """The openpyxl way: fill and comment each flagged cell, add the 校验结果 sheet first."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    for (sheet, ref), items in _marks(findings, wb.sheetnames).items():
        cell = wb[sheet][ref]
        if type(cell).__name__ == "MergedCell":
            continue
        color, text = _comment(items)
        cell.fill = PatternFill("solid", fgColor=color)
        cell.comment = Comment(text, AUTHOR)
        cell.comment.width, cell.comment.height = 320, 40 + 18 * len(items)
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET, 0)
    ws.append(RESULT_HEADER)
    for values, link in _result_rows(findings, wb.sheetnames):
        cells = append_inert(ws, values)
        if link:  # a location inside this workbook, not an external target ("#…" is one)
            cell = cells[4]
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link, display=str(cell.value))
            cell.font = Font(color="FF0563C1", underline="single")
    style_table(ws, RESULT_WIDTHS)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = 0


def style_table(ws: Any, widths: tuple[int, ...]) -> None:
    """Bold frozen header, column widths, long text wrapped, printed A4 landscape one page wide."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
        if w >= 40:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
