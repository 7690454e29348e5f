"""Find the spec'd forms in any sheet by their header labels, whatever the layout around them.

The reader does not know our templates' coordinates: it looks for a row holding 一级指标 and
三级指标 (or 二级指标) next to 分值/得分/指标值/实际值 labels (any synonym in labels.yaml,
tolerant of line breaks, spaces and full-width forms), borrows labels from the rows just above
and below (two-row and merged headers), then reads downwards until 总分/合计 or the next table.

Headers and titles are found in ``headers.py``, a found form's parts read in ``sections.py``,
and the sheets loaded as grids in ``grids.py``; :func:`read_workbook` ties them together.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .. import security
from ..core.parsing import normalize_text
from ..forms import normalize_label
from .biff import xls_sheet_meta
from .grids import Grid, _fill_blanks, _sheet_parts, _template_of, fill_xls_errors, load_grids
from .headers import _MEMO, _classify, _clear_text_caches, _header_columns, _is_header, _row_labels
from .model import Form, Workbook, a1
from .sections import _find_funds_header, _fraction_weights, _labels_below, _read_funds, _read_table
from .sheetmeta import Merge, SheetMeta, apply_shown, ods_sheet_meta, xlsx_sheet_meta, xlsx_styles

_FORMS_ENV: list[str | None] = [None]


def _forget_stale_labels() -> None:
    """Label and title caches hold what the form specs said: drop them when JIXIAO_FORMS changes."""
    env = os.environ.get("JIXIAO_FORMS", "")
    if env != _FORMS_ENV[0]:
        _clear_text_caches()
        _labels_below.cache_clear()
        _FORMS_ENV[0] = env


def find_forms(rows: Grid, sheet: str, merges: list[Merge] | None = None) -> list[Form]:
    """Every form table in one sheet's grid (``merges``: the sheet's merged ranges, if known)."""
    _forget_stale_labels()
    _MEMO.clear()
    try:
        return _find_forms(rows, sheet, merges)
    finally:
        _MEMO.clear()


def _find_forms(rows: Grid, sheet: str, merges: list[Merge] | None = None) -> list[Form]:
    headers: list[int] = []
    for r, row in enumerate(rows):
        if _is_header(_row_labels(row)) and not (headers and r - headers[-1] <= 1):
            headers.append(r)
    forms: list[Form] = []
    prev_end = 0
    for i, hr in enumerate(headers):
        columns, data_start = _header_columns(rows, hr)
        end = headers[i + 1] - 1 if i + 1 < len(headers) else len(rows)
        # The funds block and title of this form sit between the previous table and the header.
        funds_header = _find_funds_header(rows, prev_end, hr)
        form_id, title = _classify(rows, prev_end, hr, columns, funds_header[0] if funds_header else None)
        form = Form(form_id, sheet, hr, columns, title=title)
        form.funds = _read_funds(rows, sheet, prev_end, hr, funds_header)
        _read_table(rows, sheet, form, data_start, end, merges)
        # The end of this table: the last row read (totals included).
        last = max([hr] + [ind.row for ind in form.indicators]
                   + [c.row for c in (form.total, form.grade) if c is not None])
        if i + 1 < len(headers):
            # Titles/funds of the next form lie between; find the next form's funds from here.
            prev_end = last + 1
        form.fraction_weights = _fraction_weights(form)
        forms.append(form)
    return forms


def read_workbook(path: str | Path) -> Workbook:
    """Read one submitted workbook. Raises security.UnsafeFile when it cannot be read safely."""
    path = Path(path)
    part_meta: dict[str, SheetMeta] = {}
    styles: list[dict[int, str]] = []

    def on_sheet(part: str, data: bytes, kept: dict[str, bytes]) -> None:
        if not styles:
            styles.append(xlsx_styles(kept.get("xl/styles.xml")))
        part_meta[part] = xlsx_sheet_meta(data, styles[0])

    sniff = security.sniff_workbook(path, formula_refs_wanted=lambda parts: _template_of(parts) is not None,
                                    on_sheet=on_sheet)
    merges: dict[str, list[Merge]] = {}
    hidden: dict[str, str] = {}
    try:
        grids = load_grids(sniff.data, merges, hidden)
    except Exception as exc:  # calamine: corrupt, password, unsupported
        name = type(exc).__name__
        if "Password" in name:
            raise security.UnsafeFile("文件已加密（设置了打开密码），请去除密码后重新报送") from None
        raise security.UnsafeFile(f"文件已损坏，无法读取（{name}: {str(exc)[:120]}）") from None
    book = Workbook(str(path), sniff.kind, [n for n, _ in grids], [])
    metas: dict[str, SheetMeta] = {}
    if sniff.kind == "xlsx":
        parts = sniff.parts or {}
        book.template = _template_of(parts)
        shown = any(m.hidden_rows or m.hidden_cols or m.shown for m in part_meta.values())
        sheet_parts = _sheet_parts(parts) if book.template or sniff.error_cells or shown else {}
        metas = {name: part_meta[part] for name, part in sheet_parts.items() if part in part_meta}
        if book.template:
            book.formula_cells = {name: (sniff.formula_cells or {}).get(part, frozenset())
                                  for name, part in sheet_parts.items()}
        if sniff.error_cells:
            # calamine reads a cached error (#NAME?, #DIV/0!) as blank (.xls too): put the error text
            # back, so the cell is reported as showing an error, never as left empty.
            _fill_blanks(grids, {(name, ref): code for name, part in sheet_parts.items()
                                       for ref, code in sniff.error_cells.get(part, {}).items()})
    elif sniff.kind == "xls":
        fill_xls_errors(grids, sniff.data)
        try:
            metas = xls_sheet_meta(sniff.data)
        except Exception:  # olefile cannot follow what calamine read (fill_xls_errors gives up likewise):
            pass  # the values stay as calamine gives them
    elif sniff.kind == "ods":
        metas = ods_sheet_meta(sniff.parts or {})
    if sniff.uncached_formulas:
        from .uncached import missing_cache_values

        try:
            _fill_blanks(grids, missing_cache_values(sniff.data, _sheet_parts(sniff.parts or {}), book.template,
                                                     grids, find_forms))
            book.recalculated = True
        except Exception as exc:  # an unsupported formula must not stop the batch
            why = exc.reason if isinstance(exc, security.UnsafeFile) else type(exc).__name__
            book.notes.append(f"公式没有缓存值，且无法重新计算（{why}）")
    for name, rows in grids:
        meta = metas.setdefault(name, SheetMeta())
        meta.merges = merges.get(name) or meta.merges
        meta.hidden = hidden.get(name, "")
        apply_shown(rows, meta)
        book.forms.extend(find_forms(rows, name, meta.merges))
    book.sheet_meta = metas
    if book.forms:
        book.project = project_name(rows for _, rows in grids)
    return book


def project_name(grids: Iterable[Grid]) -> str | None:
    """The value beside the first “项目名称” label (“项目名称：X” in one cell too)."""
    for rows in grids:
        for row in rows[:60]:
            for c, v in enumerate(row):
                if not isinstance(v, str) or "项目名称" not in v or len(v) > 40:
                    continue
                label, _, rest = normalize_text(v).partition("项目名称")
                rest = rest.strip(" :：")
                if rest and not label.strip():
                    return rest
                if normalize_label(v) == normalize_label("项目名称"):
                    value = next((x for x in row[c + 1:] if isinstance(x, str) and x.strip()), None)
                    if value:
                        return value.strip()
    return None


__all__ = ["read_workbook", "find_forms", "load_grids", "a1"]
