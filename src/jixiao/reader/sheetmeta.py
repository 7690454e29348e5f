"""What calamine does not give: hidden rows and columns, and how a number is shown.

calamine reads values only (and merged ranges, for .xlsx and .xls). A reviewer sees a cell
holding 0.1 formatted as a percentage as "10%", and 86.54 formatted ``0.00"万元"`` as an
amount in 万元; the reader must read them so. The facts come from the files themselves:
an .xlsx's styles.xml and worksheet parts (handed over by the security scan, which inflates
them anyway), an .ods's content.xml, and an .xls's BIFF records (:mod:`.biff`).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from typing import Any

from .. import security

Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass
class SheetMeta:
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    shown: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "%" or a unit ("万元")
    merges: list[Merge] = field(default_factory=list)
    hidden: str = ""  # "hidden" / "veryhidden" when the sheet itself is hidden


# ---------------------------------------------------------------- number formats
_BUILTIN_PERCENT = {9, 10}
_QUOTED = re.compile(r'"([^"]*)"|\\(.)')
_CURRENCY = "¥￥$€£"
_DATE_TOKENS = re.compile(r"[yYmMdDhHsSeE]|AM/PM|A/P|上午/下午")


def format_unit(code: str) -> str | None:
    """"%" for a percentage format, the literal unit of a format like ``0.00"万元"`` or ``#,##0"个"``,
    None for anything else (General, plain numbers, dates and times)."""
    first = re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', code, maxsplit=1)[0]
    first = re.sub(r"\[[^\]]*\]", "", first)  # colours, conditions, locales
    bare = _QUOTED.sub("", first)
    if _DATE_TOKENS.search(bare) or not re.search(r"[0#?]", bare):
        return None
    if "%" in bare:
        return "%"
    literal = "".join(a or b for a, b in _QUOTED.findall(first)).strip()
    literal += re.sub(r"[0#?,.\s_*\\()+\-]|[Ee][+-]", "", bare).strip()
    literal = literal.strip().lstrip(_CURRENCY).strip()  # a currency sign says money, not a unit to compare
    return literal if literal and not literal.isdigit() else None


def shown_value(value: Any, unit: str) -> Any:
    """A number as the cell shows it: 0.1 under a % format → "10%", 86.54 under 万元 → "86.54万元"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return value
    if unit == "%":
        return f"{round(value * 100, 10):.15g}%"
    return f"{value:.15g}{unit}"


def apply_shown(rows: list[list[Any]], meta: SheetMeta) -> None:
    """Replace numbers by what their number format shows (only cells whose format adds % or a unit)."""
    for (r, c), unit in meta.shown.items():
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = shown_value(rows[r][c], unit)


# ---------------------------------------------------------------- .xlsx
_NUMFMT_RE = re.compile(rb"<(?:[\w.-]+:)?numFmt\b[^<>]*?numFmtId=\"(\d+)\"[^<>]*?formatCode=\"([^\"]*)\"")
_CELLXFS_RE = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b[^<>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF_RE = re.compile(rb"<(?:[\w.-]+:)?xf\b([^<>]*)>")
_NUMFMT_ID_RE = re.compile(rb'\bnumFmtId="(\d+)"')
_ROW_RE = re.compile(rb"<(?:[\w.-]+:)?row\b([^<>]*)>")
_COL_RE = re.compile(rb"<(?:[\w.-]+:)?col\b([^<>]*)>")
_HIDDEN_RE = re.compile(rb'\bhidden="(?:1|true)"')
_R_RE = re.compile(rb'\br="(\d+)"')
_ORDERED_CELL = rb'<c r="([A-Z]{1,3})(\d{1,7})" s="(%s)"(?: t="(\w+)")?'  # %s: the style indexes sought
_ORDERED_CELL_RE = re.compile(_ORDERED_CELL % rb"\d+")
_CELL_RE = re.compile(rb"<(?:[\w.-]+:)?c\b([^<>]*)>")
_S_RE = re.compile(rb'\bs="(\d+)"')
_CELL_REF_RE = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_MINMAX_RE = re.compile(rb'\bmin="(\d+)"[^<>]*?\bmax="(\d+)"')
_T_RE = re.compile(rb'\bt="(\w+)"')


@functools.lru_cache(maxsize=32)  # a batch's files share a handful of styles parts
def xlsx_styles(styles_xml: bytes | None) -> dict[int, str]:
    """Cell style index (the ``s`` of a cell) → unit shown, for the styles whose format adds one.
    (Cached: treat the mapping as read-only.)"""
    if not styles_xml:
        return {}
    formats = {int(i): html.unescape(code.decode("utf-8", "replace")) for i, code in _NUMFMT_RE.findall(styles_xml)}
    block = _CELLXFS_RE.search(styles_xml)
    out: dict[int, str] = {}
    for index, m in enumerate(_XF_RE.finditer(block.group(1) if block else b"")):
        fid = _NUMFMT_ID_RE.search(m.group(1))
        num = int(fid.group(1)) if fid else 0
        unit = "%" if num in _BUILTIN_PERCENT else format_unit(formats[num]) if num in formats else None
        if unit:
            out[index] = unit
    return out


@functools.lru_cache(maxsize=32)
def _styled_cell_re(styles: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """:data:`_ORDERED_CELL_RE` for the cells of these styles only (the others never become tuples)."""
    return re.compile(_ORDERED_CELL % b"|".join(styles))


def _col_index(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col - 1


def xlsx_sheet_meta(sheet_xml: bytes, styles: dict[int, str]) -> SheetMeta:
    """Hidden rows/columns and shown units of one worksheet part (merges come from calamine)."""
    meta = SheetMeta()
    if b"hidden=" in sheet_xml:
        for m in _ROW_RE.finditer(sheet_xml):
            if _HIDDEN_RE.search(m.group(1)) and (r := _R_RE.search(m.group(1))):
                if int(r.group(1)) <= security.MAX_ROWS:
                    meta.hidden_rows.add(int(r.group(1)) - 1)
        for m in _COL_RE.finditer(sheet_xml):
            span = _MINMAX_RE.search(m.group(1))
            if _HIDDEN_RE.search(m.group(1)) and span:
                lo, hi = int(span.group(1)), min(int(span.group(2)), security.MAX_COLS)
                meta.hidden_cols.update(range(lo - 1, hi))
    if styles:
        wanted = {str(i).encode(): unit for i, unit in styles.items()}
        # Excel, WPS and LibreOffice write r, s, t in this order: one C-level pass finds the cells
        # of the wanted styles (most cells are not); a writer with another order takes the
        # slower way, tag by tag.
        cells: list[tuple[bytes, bytes, bytes, bytes]] = []
        if _ORDERED_CELL_RE.search(sheet_xml):
            cells = _styled_cell_re(tuple(wanted)).findall(sheet_xml)
        elif b' s="' in sheet_xml:
            cells = [(ref.group(1), ref.group(2), s.group(1), t.group(1) if t else b"")
                     for m in _CELL_RE.finditer(sheet_xml)
                     if (s := _S_RE.search(m.group(1))) and (ref := _CELL_REF_RE.search(m.group(1)))
                     for t in (_T_RE.search(m.group(1)),)]
        for letters, row, style, kind in cells:
            unit = wanted.get(style)
            if unit is None or kind not in (b"", b"n"):
                continue  # text, booleans and errors are shown as they are
            r, c = int(row) - 1, _col_index(letters)
            if r < security.MAX_ROWS and c < security.MAX_COLS:
                meta.shown[r, c] = unit
    return meta


# ---------------------------------------------------------------- .ods
_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


def _ods_units(parts: dict[str, bytes]) -> dict[str, str]:
    """Cell style name → unit shown, through each style's data style (number:text after the number)."""
    import xml.etree.ElementTree as ET

    data_units: dict[str, str] = {}
    cell_styles: dict[str, str] = {}
    for part in ("styles.xml", "content.xml"):
        data = parts.get(part)
        if not data:
            continue
        for _, el in ET.iterparse(_io(data), events=("end",)):
            tag = el.tag
            if tag in (_q("number", "percentage-style"),):
                data_units[el.get(_q("style", "name"), "")] = "%"
            elif tag in (_q("number", "number-style"), _q("number", "currency-style")):
                text = "".join((t.text or "") for t in el.iter(_q("number", "text"))).strip()
                if text and not text.isdigit():
                    data_units[el.get(_q("style", "name"), "")] = text
            elif tag == _q("style", "style") and el.get(_q("style", "family")) == "table-cell":
                ds = el.get(_q("style", "data-style-name"))
                if ds:
                    cell_styles[el.get(_q("style", "name"), "")] = ds
            elif tag == _q("table", "table-row"):
                el.clear()  # the cells are read by ods_sheet_meta
    return {name: data_units[ds] for name, ds in cell_styles.items() if ds in data_units}


def _count(el: Any, attr: str) -> int:
    """A repeat or span count; anything but a positive integer counts as 1 (a hostile file's
    "abc" or "-5" changes nothing)."""
    value = el.get(_q("table", attr), "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _io(data: bytes):
    import io

    return io.BytesIO(data)


def ods_sheet_meta(parts: dict[str, bytes]) -> dict[str, SheetMeta]:
    """Sheet name → hidden rows/columns, merged ranges and shown units, from content.xml."""
    import xml.etree.ElementTree as ET

    units = _ods_units(parts)
    out: dict[str, SheetMeta] = {}
    meta = SheetMeta()
    row = col = 0
    cap_r, cap_c = security.MAX_ROWS, security.MAX_COLS
    for event, el in ET.iterparse(_io(parts.get("content.xml", b"")), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _q("table", "table"):
                meta, row = SheetMeta(), 0
                out[el.get(_q("table", "name"), "")] = meta
                col = 0
            elif tag == _q("table", "table-column"):
                n = min(_count(el, "number-columns-repeated"), cap_c)
                if el.get(_q("table", "visibility"), "visible") != "visible":
                    meta.hidden_cols.update(c for c in range(col, col + n) if c < cap_c)
                col += n
            elif tag == _q("table", "table-row"):
                col = 0
            continue
        if tag in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
            n = _count(el, "number-columns-repeated")
            if tag == _q("table", "table-cell") and row < cap_r and col < cap_c:
                rs = _count(el, "number-rows-spanned")
                cs = _count(el, "number-columns-spanned")
                if rs > 1 or cs > 1:
                    meta.merges.append((row, col, min(row + rs, cap_r) - 1, min(col + cs, cap_c) - 1))
                vtype = el.get(_q("office", "value-type"))
                unit = "%" if vtype == "percentage" else units.get(el.get(_q("table", "style-name"), ""))
                if unit and vtype in ("percentage", "float", "currency"):
                    for c in range(col, min(col + n, cap_c)):
                        meta.shown[row, c] = unit
            col += n
            el.clear()
        elif tag == _q("table", "table-row"):
            n = _count(el, "number-rows-repeated")
            if el.get(_q("table", "visibility"), "visible") != "visible" and row < cap_r:
                meta.hidden_rows.update(range(row, min(row + n, cap_r)))
            if n > 1:  # identical rows written once: each shows its numbers the same way
                for (r, c), unit in [item for item in meta.shown.items() if item[0][0] == row]:
                    meta.shown.update({(r + k, c): unit for k in range(1, min(n, cap_r - r))})
            row += n
            el.clear()
    return out
