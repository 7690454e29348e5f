"""Find the spec'd forms in any sheet by their header labels, whatever the layout around them.

The reader does not know our templates' coordinates: it looks for a row holding 一级指标 and
三级指标 (or 二级指标) next to 分值/得分/指标值/实际值 labels (any synonym in labels.yaml,
tolerant of line breaks, spaces and full-width forms), borrows labels from the rows just above
and below (two-row and merged headers), then reads downwards until 总分/合计 or the next table.
"""

from __future__ import annotations

import functools
import html
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import security
from ..core.parsing import is_blank, normalize_text
from ..forms import (
    DEFAULT_FORM,
    TEMPLATE_MARKER,
    FormSpecError,
    all_forms,
    column_signatures,
    labels,
    load_form,
    match_label,
    normalize_label,
    title_index,
)
from .biff import xls_error_cells, xls_sheet_meta
from .model import Cell, Form, FundsRow, Workbook, a1, parse_a1
from .sheetmeta import Merge, SheetMeta, apply_shown, ods_sheet_meta, xlsx_sheet_meta, xlsx_styles
from .table import read_body

Grid = list[list[Any]]

_VALUE_KEYS = ("target", "actual", "points", "score")


@functools.lru_cache(maxsize=8192)
def _label(text: str, group: str) -> tuple[str, int] | None:
    """(canonical key, priority) for a header text; priority 0 is the key's first label."""
    key = match_label(text, group)
    if key is None:
        return None
    norm = normalize_label(text)
    for prio, syn in enumerate(labels()[group][key]):
        if normalize_label(syn) == norm:
            return key, prio
    return key, 99


_GROUPS = ("columns", "rows", "funds")


@functools.lru_cache(maxsize=16384)
def _text_info(text: str) -> tuple[tuple[tuple[str, str, int], ...], bool]:
    """What one cell's text stands for: its (group, key, priority) label hits, and whether it
    holds one of the forms' titles. In the rows group the text before a bracket counts too
    ("总分（100分）")."""
    hits = []
    if len(text) <= 40:
        for group in _GROUPS:
            hit = _label(text, group)
            if hit is None and group == "rows" and ("（" in text or "(" in text):
                head = re.split(r"[（(]", text, maxsplit=1)[0]
                hit = _label(head, group) if head.strip() else None
            if hit is not None:
                hits.append((group, *hit))
    title = len(text) >= 6 and "表" in text and _title_of(text) is not None
    return tuple(hits), title


# Rows are scanned several times while one sheet is read; memo by row identity, cleared
# around each find_forms call (ids are only stable while the grid is alive).
_MEMO: dict[int, dict[str, dict[str, tuple[int, int]]]] = {}
_NO_LABELS: dict[str, dict[str, tuple[int, int]]] = {g: {} for g in _GROUPS}


def _row_labels(row: list[Any], group: str = "columns") -> dict[str, tuple[int, int]]:
    """key → (column, priority), the best-priority (then leftmost) cell for each key.

    One pass over the row serves every label group and the title test (``_has_title``).
    """
    memo = _MEMO.get(id(row))
    if memo is None:
        memo = _NO_LABELS  # most rows hold no label: share one empty (never mutated) memo
        for c, v in enumerate(row):
            if not v or not isinstance(v, str) or len(v) >= 60:
                continue
            hits, title = _text_info(v)
            if not (hits or title):
                continue
            if memo is _NO_LABELS:
                memo = {g: {} for g in _GROUPS}
            if title:
                memo["title"] = {}
            for hit_group, key, prio in hits:
                found = memo[hit_group]
                if key not in found or prio < found[key][1]:
                    found[key] = (c, prio)
        _MEMO[id(row)] = memo
    return memo[group]


def _has_title(row: list[Any]) -> bool:
    """Does the row hold one of the three forms' titles?"""
    _row_labels(row)
    return "title" in _MEMO[id(row)]


def _is_header(keys: dict[str, Any]) -> bool:
    """一级 and 二级/三级 beside a value column — or every column of some form's spec."""
    if "level1" in keys and ("level3" in keys or "level2" in keys) and any(k in keys for k in _VALUE_KEYS):
        return True
    return len(keys) >= 3 and any(sig <= keys.keys() for sig in column_signatures())


def _cell_text(rows: Grid, r: int, c: int) -> str:
    if 0 <= r < len(rows) and c < len(rows[r]):
        v = rows[r][c]
        return v if isinstance(v, str) else ""
    return ""


def _header_columns(rows: Grid, r: int) -> tuple[dict[str, int], int]:
    """Columns of the header at row r (borrowing from r-1 and r+1); returns (columns, data start)."""
    base = _row_labels(rows[r])
    columns = {k: c for k, (c, _) in base.items()}
    used = set(columns.values())
    data_start = r + 1
    width = max(len(rows[r]), len(rows[r + 1]) if r + 1 < len(rows) else 0)
    # Labels split across two rows ("实际" / "完成值") or standing in the other header row.
    for c in range(width):
        if c in used:
            continue
        for rr, combo in ((r + 1, _cell_text(rows, r, c) + _cell_text(rows, r + 1, c)),
                          (r + 1, _cell_text(rows, r + 1, c)),
                          (r - 1, _cell_text(rows, r - 1, c))):
            if not combo or len(combo) > 40:
                continue
            hit = _label(combo, "columns")
            if hit and hit[0] not in columns:
                columns[hit[0]] = c
                used.add(c)
                if rr == r + 1:
                    data_start = r + 2
                break
    return columns, data_start


def _title_of(text: str) -> tuple[str, str] | None:
    """(form id, title) of the longest form title or alias the text holds."""
    norm = normalize_text(text)
    for title, form_id in title_index():
        if title and title in norm:
            return form_id, title
    return None


def _classify(rows: Grid, start: int, header_row: int, columns: dict[str, int],
              funds_header: int | None) -> tuple[str, str]:
    """The form a table is: by a title above it, else by its column signature."""
    for r in range(start, header_row):
        for v in rows[r]:
            if isinstance(v, str) and len(v) < 60:
                hit = _title_of(v)
                if hit is not None:
                    return hit
    return _by_columns(frozenset(columns), funds_header is not None), ""


def _by_columns(found: frozenset[str], funds: bool) -> str:
    """The spec whose indicator columns match the found ones best (each match +1, each found column
    the spec lacks −1, a funds block +1 where the spec has one); ties go to the default form."""
    def score(spec: Any) -> tuple[float, bool]:
        keys = set(spec.indicators.keys())
        fit = len(found & keys) - len(found - keys) + (1 if funds and spec.funds is not None else 0)
        return fit, spec.id == DEFAULT_FORM

    return max(all_forms(), key=score).id


def _find_funds_header(rows: Grid, start: int, end: int) -> tuple[int, dict[str, int]] | None:
    for r in range(start, end):
        keys = _row_labels(rows[r], "funds")
        if "budget" in keys and "spent" in keys:
            return r, {k: c for k, (c, _) in keys.items()}
    return None


def _read_funds(rows: Grid, sheet: str, start: int, end: int,
                header: tuple[int, dict[str, int]] | None) -> dict[str, FundsRow]:
    funds: dict[str, FundsRow] = {}
    first = header[0] + 1 if header else start
    for r in range(first, end):
        row = rows[r]
        hit = None
        for c, v in enumerate(row):
            if isinstance(v, str) and v and len(v) <= 40:
                hit_label = _label(v, "rows")
                key = hit_label[0] if hit_label else None
                if key in ("total_funds", "fiscal", "carryover", "other"):
                    hit = (key, c)
                    break
        if hit is None or hit[0] in funds:
            continue
        key, lc = hit
        label = Cell(sheet, r, lc, row[lc])
        if header:
            cells = {k: Cell(sheet, r, c, row[c] if c < len(row) else None) for k, c in header[1].items()}
        else:
            # 附表2: the amount is the first filled cell to the right of the label.
            c = next((c for c in range(lc + 1, len(row)) if not is_blank(row[c])), lc + 1)
            cells = {"budget": Cell(sheet, r, c, row[c] if c < len(row) else None)}
        funds[key] = FundsRow(key, label, cells)
    return funds


_TABLE_END_ROWS = ("grand_total", "grade", "total_funds", "fiscal", "carryover", "other")


def _ends_table(row: list[Any], below: frozenset[str] = frozenset()) -> bool:
    """总分 / 合计 / 等级, a 得分汇总 sub-header, the next form's title/funds, or the label of one of
    the cells the form's spec computes under its table (``below``) end a table."""
    if len(_row_labels(row)) >= 2:
        return True
    if below and any(isinstance(v, str) and normalize_label(v) in below for v in row[:3]):
        return True
    memo = _MEMO[id(row)]
    marks = memo["rows"]
    return "title" in memo or any(k in marks for k in _TABLE_END_ROWS)


def _cell_at(sheet: str, r: int, row: list[Any], c: int | None) -> Cell | None:
    if c is None:
        return None
    return Cell(sheet, r, c, row[c] if c < len(row) else None)


def _read_table(rows: Grid, sheet: str, form: Form, data_start: int, end: int,
                merges: list[Merge] | None = None) -> None:
    below = _labels_below(form.form_id)
    r = read_body(rows, sheet, form, data_start, end, merges or [], lambda row: _ends_table(row, below))
    _read_totals(rows, sheet, form, r, end)


_OUR_ROWS = ("填报状态", "计分规则包")  # the rows jixiao's templates put under every form


@functools.lru_cache(maxsize=64)
def _labels_below(form_id: str) -> frozenset[str]:
    """The labels of the cells a form's spec computes under its table ("执行率得分", "总分" …)."""
    try:
        spec = load_form(form_id)
    except FormSpecError:
        return frozenset()
    labels_ = {c.label for c in spec.computed if c.label} | set(spec.indicators.subtotals[:1]) | set(_OUR_ROWS)
    return frozenset(normalize_label(t.strip()) for t in labels_ if t.strip())


GRADE_WORDS = ("优", "良", "中", "差", "优秀", "良好", "中等", "一般", "合格", "不合格", "较差")


def _grade_text(v: Any) -> bool:
    return isinstance(v, str) and normalize_text(v).replace("等级", "").replace("等", "") in GRADE_WORDS


def _numberish(v: Any) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True
    return isinstance(v, str) and bool(re.match(r"^[\d.,]+\s*分?$", normalize_text(v)))


def _read_totals(rows: Grid, sheet: str, form: Form, r0: int, end: int) -> None:
    """总分 / 合计 / 等级 anywhere below the table (a 得分汇总 block may come first).

    A "总分" row wins over a "合计" row (合计 may sum only the indicators).
    """
    cols = form.columns
    pc, sc = cols.get("points"), cols.get("score")
    totals: list[tuple[int, int, int]] = []  # (priority, row, label column)
    for r in range(r0, end):
        row = rows[r]
        if r > r0 and (_has_title(row) or _is_header(_row_labels(row))):
            break
        marks = _row_labels(row, "rows")
        if "grand_total" in marks:
            totals.append((marks["grand_total"][1], r, marks["grand_total"][0]))
        if "grade" in marks and form.grade is None:
            gc = marks["grade"][0]
            cand = [c for c in range(gc + 1, len(row)) if not is_blank(row[c])]
            short = [c for c in cand if len(normalize_text(row[c])) <= 4]
            fallback = sc if sc is not None and sc > gc else (short[0] if short else gc + 1)
            pick = next((c for c in cand if _grade_text(row[c])), fallback)
            form.grade = Cell(sheet, r, pick, row[pick] if pick < len(row) else None)
    if not totals:
        return
    _, r, lc = min(totals)
    row = rows[r]
    nums = [c for c in range(lc + 1, len(row)) if not is_blank(row[c])]
    if form.grade is not None and form.grade.row == r:
        nums = [c for c in nums if c < form.grade.col - 1]
    numeric = [c for c in nums if _numberish(row[c])]
    if sc is not None and sc > lc:
        form.total = Cell(sheet, r, sc, row[sc] if sc < len(row) else None)
    elif numeric:
        form.total = Cell(sheet, r, numeric[-1], row[numeric[-1]])
    elif nums:
        form.total = Cell(sheet, r, nums[-1], row[nums[-1]])
    for _, tr, _ in sorted(totals):
        trow = rows[tr]
        if pc is not None and pc < len(trow) and not is_blank(trow[pc]) and (
                form.total is None or (form.total.row, form.total.col) != (tr, pc)):
            form.total_points = Cell(sheet, tr, pc, trow[pc])
            break


def _fraction_weights(form: Form) -> bool:
    """Weights typed as fractions (0.05 = 5%): all bare numbers ≤ 1 and totalling ≤ 1."""
    values = []
    for ind in form.scored():
        c = ind.get("points")
        if c is None or c.blank:
            continue
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
            values.append(float(c.value))
        elif isinstance(c.value, str) and "%" in normalize_text(c.value):
            return False
    return bool(values) and all(0 <= v <= 1 for v in values) and sum(values) <= 1.0001


_FORMS_ENV: list[str | None] = [None]


def _forget_stale_labels() -> None:
    """Label and title caches hold what the form specs said: drop them when JIXIAO_FORMS changes."""
    env = os.environ.get("JIXIAO_FORMS", "")
    if env != _FORMS_ENV[0]:
        _label.cache_clear()
        _text_info.cache_clear()
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


# ---------------------------------------------------------------- loading grids
def _element_text(data: bytes | None, pattern: re.Pattern[bytes]) -> str | None:
    """The text of the first element ``pattern`` matches in a small package part (None if absent).

    A regular expression, not an XML parser: the parts were checked (no DTD) by the security
    scan, and parsing them costs more than reading the rest of a small workbook.
    """
    m = pattern.search(data) if data else None
    return None if m is None else html.unescape(m.group(1).decode("utf-8", "replace")).strip()


_CREATOR_RE = re.compile(rb"<(?:[\w.-]+:)?creator\b[^<>]*>([^<]*)<")
_MARKER_RE = re.compile(rb"<(?:[\w.-]+:)?definedName\b[^<>]*?\bname\s*=\s*[\"']"
                        + re.escape(TEMPLATE_MARKER.encode()) + rb"[\"'][^<>]*>([^<]*)<")


def _template_of(parts: dict[str, bytes]) -> str | None:
    """Our templates: the JX_TEMPLATE defined name ("<form>:<mode>:<version>"), or the creator
    jixiao.templates writes (Excel and WPS keep the creator when saving)."""
    text = _element_text(parts.get("xl/workbook.xml"), _MARKER_RE)
    if text:
        return text.strip('"')
    return "jixiao" if _element_text(parts.get("docProps/core.xml"), _CREATOR_RE) == "jixiao" else None


# Attribute values may hold ">" (but never "<"): quoted values are skipped whole.
_TAG_ATTRS = {tag: re.compile(rb"<(?:[\w.-]+:)?" + tag + rb"""\b((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>""")
              for tag in (b"sheet", b"Relationship")}
_ATTR_RE = re.compile(rb"""(?:[\w.-]+:)?([\w.-]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")


def _elements(data: bytes | None, tag: bytes) -> list[dict[str, str]]:
    """Attributes (namespace prefixes dropped) of every ``tag`` element in a small, checked part."""
    out = []
    for m in _TAG_ATTRS[tag].finditer(data or b""):
        out.append({a.decode(): html.unescape((v1 or v2).decode("utf-8", "replace"))
                    for a, v1, v2 in _ATTR_RE.findall(m.group(1))})
    return out


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → its worksheet part ("xl/worksheets/sheet1.xml"), through workbook.xml and its rels."""
    targets = {}
    for rel in _elements(parts.get("xl/_rels/workbook.xml.rels"), b"Relationship"):
        target = rel.get("Target", "").lstrip("/")
        targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    out: dict[str, str] = {}
    for sheet in _elements(parts.get("xl/workbook.xml"), b"sheet"):
        part = targets.get(sheet.get("id"))
        if part is not None:
            out[sheet.get("name", "")] = part
    return out


def load_grids(source: str | os.PathLike[str] | bytes, merges: dict[str, list[Merge]] | None = None,
               hidden: dict[str, str] | None = None) -> list[tuple[str, Grid]]:
    """Every worksheet (of a file, or of a file's bytes), hidden ones too, as a grid of values in
    absolute coordinates (row 0 = Excel row 1). ``merges``, when given, receives each sheet's
    merged ranges as calamine reports them (.xlsx and .xls; none for .ods); ``hidden`` the sheets
    that are hidden ("hidden" or "veryhidden")."""
    import python_calamine as pc

    grids: list[tuple[str, Grid]] = []
    try:
        opened = (pc.CalamineWorkbook.from_filelike(io.BytesIO(source)) if isinstance(source, bytes)
                  else pc.CalamineWorkbook.from_path(os.fspath(source)))
        with opened as wb:
            metas = [m for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")]
            for meta in metas[: security.MAX_SHEETS]:
                sheet = wb.get_sheet_by_name(meta.name)
                rows = sheet.to_python(skip_empty_area=False, nrows=security.MAX_ROWS)
                if rows and len(rows[0]) > security.MAX_COLS:  # calamine's rows are all one width
                    rows = [r[: security.MAX_COLS] for r in rows]
                grids.append((meta.name, rows))
                if hidden is not None and not str(meta.visible).endswith("Visible"):
                    hidden[meta.name] = str(meta.visible).rsplit(".", 1)[-1].lower()
                if merges is not None:
                    merges[meta.name] = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []]
    except BaseException as exc:
        # A Rust panic on a malformed file arrives as a BaseException, which every caller's
        # `except Exception` (and so the batch) would let through.
        if isinstance(exc, Exception) or type(exc).__name__ != "PanicException":
            raise
        raise ValueError(f"calamine: {str(exc)[:200]}") from None
    return grids


def _fill_blanks(grids: list[tuple[str, Grid]], values: dict[tuple[str, str], Any]) -> None:
    """Put values ((sheet, "A1") → value) into the cells calamine gave as blank: recalculated
    formulas, and cached error values calamine does not report."""
    by_sheet: dict[str, dict[str, Any]] = {}
    for (sheet, ref), v in values.items():
        by_sheet.setdefault(sheet, {})[ref.replace("$", "")] = v
    for name, rows in grids:
        vals = by_sheet.get(name)  # exact: "a" and "A", "Straße" and "STRASSE" are different sheets
        if not vals:
            continue
        for ref, v in vals.items():
            at = parse_a1(ref)
            if at is None or v is None:
                continue
            r, c = at
            if r >= security.MAX_ROWS or c >= security.MAX_COLS:
                continue
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            if len(row) <= c:
                row.extend([""] * (c + 1 - len(row)))
            if is_blank(row[c]):
                row[c] = v


def fill_xls_errors(grids: list[tuple[str, Grid]], data: bytes) -> None:
    """Put the error values an .xls shows (calamine reads them as blank) into its grids."""
    try:
        errors = xls_error_cells(data)
    except Exception:  # olefile could not follow the file where calamine could: errors stay blank
        return
    _fill_blanks(grids, {(name, ref): code for name, cells in errors.items() for ref, code in cells.items()})


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
