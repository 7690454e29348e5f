"""The tables jixiao writes into .xlsx packages, formatted straight to SpreadsheetML text.

One writer for the 校验结果 sheet of annotated copies and the sheets of 校验汇总.xlsx: a bold frozen
header, column widths, long text wrapped, A4 landscape one page wide, links, and text from
submissions kept as text (formula-like text gets Excel's quote prefix, as if typed with a hidden ').
Values are typed as openpyxl types them (numbers, booleans, dates with their number formats, error
values such as ``#DIV/0!``, inline strings), at a small fraction of openpyxl's cost per row.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_bytes
from ..reader.model import a1, col_letter
from ..xlsxcache import xml_text
from .xlsxstyles import Styles
from .zipwrite import ZipWriter

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_HYPERLINK = NS_R + "/hyperlink"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
MAX_TEXT = 32767  # Excel's limit for one cell (openpyxl cuts text there too)
_EPOCH = dt.datetime(1899, 12, 30)
text = xml_text  # ``value`` as XML element or attribute text


def _serial(value: dt.date | dt.time | dt.timedelta) -> float:
    """A date or time as Excel's serial number (1900 date system, as openpyxl writes it)."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    days = (value.replace(tzinfo=None) - _EPOCH)
    whole = days.days - 1 if 0 < days.days <= 60 else days.days  # Excel's 1900-02-29
    return whole + days.seconds / 86400 + days.microseconds / 86400e6


def _date_format(value: object) -> str:
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd h:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    return "h:mm:ss" if isinstance(value, dt.time) else "[hh]:mm:ss"


def _typed(v: Any) -> tuple[str, str, bool, str | None]:
    """A value's cell type attribute, its XML, whether it needs the quote prefix, its number format."""
    kind = type(v)
    if kind is int:
        return "", f"<v>{v}</v>", False, None
    if kind is float and math.isfinite(v):
        return "", f"<v>{v!r}</v>", False, None
    if isinstance(v, str):
        v = v[:MAX_TEXT]
        if v in ERROR_CODES:
            return ' t="e"', f"<v>{v}</v>", False, None
        return ' t="inlineStr"', f'<is><t xml:space="preserve">{text(v)}</t></is>', v.startswith(DANGEROUS), None
    if isinstance(v, bool):
        return ' t="b"', f"<v>{int(v)}</v>", False, None
    if isinstance(v, numbers.Integral):
        return "", f"<v>{int(v)}</v>", False, None
    if isinstance(v, (numbers.Real, Decimal)) and math.isfinite(v):
        return "", f"<v>{float(v)!r}</v>", False, None
    if isinstance(v, (dt.date, dt.time, dt.timedelta)):
        return "", f"<v>{_serial(v)!r}</v>", False, _date_format(v)
    # NaN and infinity (Excel has none) and objects openpyxl refuses: their text is still worth showing
    return ' t="inlineStr"', f'<is><t xml:space="preserve">{text(str(v)[:MAX_TEXT])}</t></is>', False, None


@dataclass
class Link:
    """Where a cell's link goes: another file (``target``), a cell (``location``), or both."""

    target: str | None = None
    location: str | None = None
    display: str | None = None


class TableSheet:
    """A worksheet built row by row: the header in bold and frozen; below it, text in the columns
    at least 40 wide wraps (empty cells there keep the format, as openpyxl leaves them)."""

    def __init__(self, styles: Styles, header: Sequence[str], widths: Sequence[float]) -> None:
        self.styles = styles
        self.widths = tuple(widths)
        self.wide = [w >= 40 for w in self.widths]
        self.rows: list[str] = []
        self.links: list[tuple[str, Link]] = []
        self.width = 0
        self._letters = [col_letter(i) for i in range(len(self.widths))]
        self._style_ids: dict[tuple[Any, ...], int] = {}
        self._plain: list[int] = []  # each column's format for a plain value
        self.append(header, bold=True)
        self._plain = [self._style(i, False, False, False, None, None) for i in range(len(self.widths))]

    def _style(self, col: int, bold: bool, link: bool, quote: bool, fill: str | None, fmt: str | None) -> int:
        wrap = not bold and col < len(self.wide) and self.wide[col]
        key = (bold, link, quote, fill, fmt, wrap)
        style = self._style_ids.get(key)
        if style is None:
            style = self._style_ids[key] = self.styles.cell(bold=bold, link=link, wrap=wrap, quote=quote,
                                                            fill=fill, number_format=fmt)
        return style

    def skip(self) -> None:
        """An empty row."""
        self.rows.append("")

    def append(self, values: Sequence[Any], *, links: dict[int, Link] | None = None,
               fills: dict[int, str] | None = None, bold: bool = False) -> None:
        """One row; ``links`` and ``fills`` (ARGB) by column index."""
        r = len(self.rows) + 1
        cells = []
        plain, letters, n = self._plain, self._letters, len(self._plain)
        for i, v in enumerate(values):
            ref = f"{letters[i] if i < len(letters) else col_letter(i)}{r}"
            link = links.get(i) if links else None
            fill = fills.get(i) if fills else None
            if link:
                self.links.append((ref, link))
            if v is None or (type(v) is str and not v):
                if link or fill or (i < n and self.wide[i] and not bold):
                    cells.append(f'<c r="{ref}" s="{self._style(i, bold, bool(link), False, fill, None)}"/>')
                    self.width = max(self.width, i + 1)
                continue
            t, body, quote, fmt = _typed(v)
            if bold or link or fill or quote or fmt or i >= n:
                style = self._style(i, bold, bool(link), quote, fill, fmt)
            else:
                style = plain[i]
            s = f' s="{style}"' if style else ""
            cells.append(f'<c r="{ref}"{s}{t}>{body}</c>')
            self.width = max(self.width, i + 1)
        self.rows.append(f'<row r="{r}">{"".join(cells)}</row>' if cells else "")

    def hyperlink_targets(self) -> list[str]:
        """The external targets, in the order of their relationships (rId1, rId2 …)."""
        return [link.target for _, link in self.links if link.target]

    def xml(self, *, selected: bool = False, drawing_rid: str | None = None) -> bytes:
        rows = "".join(self.rows)
        links, n = [], 0
        for ref, link in self.links:
            attrs = f'ref="{ref}"'
            if link.location:
                attrs += f' location="{text(link.location)}"'
            if link.display:
                attrs += f' display="{text(link.display)}"'
            if link.target:
                n += 1
                attrs += f' r:id="rId{n}"'
            links.append(f"<hyperlink {attrs}/>")
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                       for i, w in enumerate(self.widths, 1))
        tab = ' tabSelected="1"' if selected else ""
        end = a1(max(len(self.rows) - 1, 0), max(self.width - 1, 0))
        return (f'{XML_HEAD}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><sheetPr><pageSetUpPr fitToPage="1"/>'
                f'</sheetPr><dimension ref="A1:{end}"/><sheetViews><sheetView{tab} workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{rows}</sheetData>'
                + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
                + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                + (f'<drawing r:id="{drawing_rid}"/>' if drawing_rid else "")
                + "</worksheet>").encode()


class GridSheet:
    """A sheet of plain values (an .xls or .ods copied value by value), typed as openpyxl types
    them: formula-like text stays text, dates keep a date format."""

    def __init__(self, styles: Styles, rows: Iterable[Sequence[Any]]) -> None:
        out = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, v in enumerate(row):
                if v is None or (type(v) is str and not v):
                    continue
                t, body, quote, fmt = _typed(v)
                style = styles.cell(quote=quote, number_format=fmt) if quote or fmt else 0
                cells.append(f'<c r="{col_letter(c)}{r}"' + (f' s="{style}"' if style else "") + f"{t}>{body}</c>")
            if cells:
                out.append(f'<row r="{r}">{"".join(cells)}</row>')
        self.rows = "".join(out)

    def hyperlink_targets(self) -> list[str]:
        return []

    def xml(self, *, selected: bool = False, drawing_rid: str | None = None) -> bytes:
        tab = ' tabSelected="1"' if selected else ""
        return (f'{XML_HEAD}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><sheetViews><sheetView{tab} '
                f'workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                f"<sheetData>{self.rows}</sheetData>"
                '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                "</worksheet>").encode()


def relationships(rels: Iterable[tuple[str, str, bool]]) -> bytes:
    """A .rels part: (type, target, external) for rId1, rId2 …"""
    items = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{text(target)}"'
                    + (' TargetMode="External"' if external else "") + "/>"
                    for i, (kind, target, external) in enumerate(rels, 1))
    return f'{XML_HEAD}<Relationships xmlns="{NS_PKG}">{items}</Relationships>'.encode()


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def package(parts: dict[str, bytes]) -> bytes:
    """``parts`` ([Content_Types].xml first) zipped."""
    out = ZipWriter()
    for name, data in parts.items():
        out.write(name, data)
    return out.getvalue()


def write_package(target: str | Path, parts: dict[str, bytes]) -> Path:
    """``parts`` zipped into ``target``, atomically."""
    atomic_write_bytes(target, package(parts))
    return Path(target)
