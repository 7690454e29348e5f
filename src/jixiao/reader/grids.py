"""Loading a workbook's sheets as grids, its template marker and sheet parts, and the error values
calamine reads as blank."""

from __future__ import annotations

import html
import io
import os
import re
from typing import Any

from .. import security
from ..core.parsing import is_blank
from ..forms import TEMPLATE_MARKER
from .biff import xls_error_cells
from .model import parse_a1
from .sheetmeta import Merge

Grid = list[list[Any]]


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
