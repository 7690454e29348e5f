"""Write cached values into the formula cells of an .xlsx, keeping the formulas.

openpyxl can write formulas but not their results, so a freshly generated workbook shows
nothing in viewers that do not calculate (pandas, calamine, chat-app previews). This module
copies the file part by part and, inside each worksheet, gives every formula cell a ``<v>``
with the value computed headlessly. Only formula cells are touched; the rest of each part is
copied byte for byte. The workbook is flagged ``fullCalcOnLoad`` so Excel still recalculates.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

from .errors import EXCEL_ERROR_CODES

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CELL = re.compile(rb"<c(?=[\s>/])([^>]*?)(/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ATTR_T = re.compile(rb'\s+t="[^"]*"')
_FORMULA = re.compile(rb"<f(?=[\s>/])[^>]*?(?:/>|>.*?</f>)", re.S)
_CALC_PR = re.compile(rb"<calcPr\b[^>]*?/>")
# XML 1.0 cannot carry most control characters; text from submissions may hold them.
# Characters XML 1.0 cannot hold (lone surrogates too) are dropped; CR is kept as a reference, since a
# parser would fold a literal one into LF.
_XML_ESCAPES = {**{c: None for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF,
                                     *range(0xD800, 0xE000)]},
                ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("\r"): "&#13;"}


def xml_text(value: object) -> str:
    """Text for an XML element or attribute value: escaped, characters XML cannot hold removed."""
    return str(value).translate(_XML_ESCAPES)


def number_text(x: float) -> str:
    """A number as cell text: the shortest decimal that reads back as the same double, as Excel
    writes it (0.815 → "0.815", 91.0 → "91", 0.1+0.2 → "0.30000000000000004")."""
    return repr(float(x)).removesuffix(".0")


@contextmanager
def exact_numbers() -> Iterator[None]:
    """While openpyxl saves inside this block, each float is written as :func:`number_text`.

    openpyxl writes "%.16g": 0.815 → "0.8149999999999999". Excel and LibreOffice read that back
    as the same double as 0.815, but Gnumeric reads cells as 80-bit long doubles, so its cell
    holds a number 1e-16 below 0.815 and ROUND(…,2) gives 0.81 where the core and Excel give
    0.82 (618 of the 20,000 three-decimal half cents below 200). Some doubles it changes
    outright (0.1+0.2 → "0.3").
    Not thread-safe: the writer's formatter is swapped for the duration of the block.
    """
    from openpyxl.cell import _writer

    original = _writer.safe_string

    def text(value: object) -> str:
        if isinstance(value, float) and math.isfinite(value):
            return number_text(value)
        return original(value)

    _writer.safe_string = text
    try:
        yield
    finally:
        _writer.safe_string = original


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part path inside the package."""
    workbook = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name")] = path
    return parts


def cached_value_xml(value: Any) -> tuple[bytes, bytes] | None:
    """(type attribute, <v> element) for a cached value; None when there is nothing to cache."""
    if value is None:
        return b' t="str"', b"<v></v>"
    if isinstance(value, bool):
        return b' t="b"', b"<v>%d</v>" % int(value)
    if isinstance(value, str) and value in EXCEL_ERROR_CODES:
        return b' t="e"', b"<v>" + value.encode() + b"</v>"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return b' t="e"', b"<v>#NUM!</v>"
        return b"", b"<v>" + number_text(value).encode() + b"</v>"
    if isinstance(value, str):
        return b' t="str"', b"<v>" + xml_text(value).encode("utf-8") + b"</v>"
    return None


def _rewrite_sheet(xml: bytes, values: Mapping[str, Any]) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        attrs, inner = match.group(1), match.group(3)
        if inner is None:
            return match.group(0)
        formula = _FORMULA.search(inner)
        ref = _ATTR_R.search(attrs)
        if not formula or not ref or ref.group(1).decode() not in values:
            return match.group(0)
        cached = cached_value_xml(values[ref.group(1).decode()])
        if cached is None:
            return match.group(0)
        type_attr, v = cached
        return b"<c" + _ATTR_T.sub(b"", attrs) + type_attr + b">" + formula.group(0) + v + b"</c>"

    return _CELL.sub(replace, xml)


def write_cached_values(src: str | Path, dst: str | Path,
                        values: Mapping[tuple[str, str], Any]) -> None:
    """Copy ``src`` to ``dst`` with ``values[(sheet, "A1")]`` cached in those formula cells."""
    by_sheet: dict[str, dict[str, Any]] = {}
    for (sheet, cell), value in values.items():
        by_sheet.setdefault(sheet, {})[cell] = value
    with zipfile.ZipFile(src) as zin:
        parts = {part: name for name, part in sheet_parts(zin).items()}
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                sheet = parts.get(info.filename)
                if sheet is not None and sheet in by_sheet:
                    data = _rewrite_sheet(data, by_sheet[sheet])
                elif info.filename == "xl/workbook.xml":
                    data = _flag_full_calc(data)
                zout.writestr(info, data)


def _flag_full_calc(xml: bytes) -> bytes:
    # Only an existing <calcPr> is touched: inserting one would have to respect schema order.
    return _CALC_PR.sub(lambda m: m.group(0) if b"fullCalcOnLoad" in m.group(0)
                        else m.group(0)[:-2] + b' fullCalcOnLoad="1"/>', xml, count=1)
