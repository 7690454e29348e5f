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
# Characters XML 1.0 cannot hold are dropped; CR is kept as a reference (a parser would fold it).
_ESCAPES = {**{c: None for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF,
                                 *range(0xD800, 0xE000)]},
            ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("\r"): "&#13;"}


def text(value: object) -> str:
    """``value`` as XML element or attribute text."""
    return str(value).translate(_ESCAPES)


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
    return ' t="inlineStr"', f'<is><t xml:space="preserve">{text(v)[:MAX_TEXT]}</t></is>', False, None


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


def relationships(rels: Iterable[tuple[str, str, bool]]) -> bytes:
    """A .rels part: (type, target, external) for rId1, rId2 …"""
    items = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{text(target)}"'
                    + (' TargetMode="External"' if external else "") + "/>"
                    for i, (kind, target, external) in enumerate(rels, 1))
    return f'{XML_HEAD}<Relationships xmlns="{NS_PKG}">{items}</Relationships>'.encode()


def write_package(target: str | Path, parts: dict[str, bytes]) -> Path:
    """Zip ``parts`` ([Content_Types].xml first) into ``target``, atomically."""
    out = ZipWriter()
    for name, data in parts.items():
        out.write(name, data)
    atomic_write_bytes(target, out.getvalue())
    return Path(target)


# ---------------------------------------------------------------- a whole workbook
CT = "application/vnd.openxmlformats-officedocument"
BASE_STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><name val="Calibri"/><family val="2"/>'
    '<color theme="1"/><sz val="11"/><scheme val="minor"/></font></fonts><fills count="2"><fill><patternFill/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>").encode()
_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
_FILL = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>"
_LINE = '<a:ln w="{}"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>'
# The Office theme (the colours and fonts a new Excel workbook has), written out in its least form.
THEME = (
    f'{XML_HEAD}<a:theme {_A} name="Office Theme"><a:themeElements><a:clrScheme name="Office">'
    '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/>'
    "</a:lt1>" + "".join(f'<a:{n}><a:srgbClr val="{c}"/></a:{n}>' for n, c in (
        ("dk2", "1F497D"), ("lt2", "EEECE1"), ("accent1", "4F81BD"), ("accent2", "C0504D"), ("accent3", "9BBB59"),
        ("accent4", "8064A2"), ("accent5", "4BACC6"), ("accent6", "F79646"), ("hlink", "0000FF"),
        ("folHlink", "800080")))
    + '</a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Cambria"/><a:ea typeface=""/>'
    '<a:cs typeface=""/></a:majorFont><a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/>'
    '<a:cs typeface=""/></a:minorFont></a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst>'
    + _FILL * 3 + "</a:fillStyleLst><a:lnStyleLst>" + "".join(_LINE.format(w) for w in (9525, 25400, 38100))
    + "</a:lnStyleLst><a:effectStyleLst>" + "<a:effectStyle><a:effectLst/></a:effectStyle>" * 3
    + "</a:effectStyleLst><a:bgFillStyleLst>" + _FILL * 3 + "</a:bgFillStyleLst></a:fmtScheme></a:themeElements>"
    "<a:objectDefaults/><a:extraClrSchemeLst/></a:theme>").encode()
EMU_PER_CM = 360000


@dataclass
class BarChart:
    """A bar chart of one series: ``values`` by ``categories``, titled from ``series`` (cell refs)."""

    title: str
    series: str
    categories: str
    values: str
    anchor: tuple[int, int]  # 0-based (row, column) of the cell its top-left corner sits on
    horizontal: bool = False
    height: float = 7.5  # cm
    width: float = 15.0

    def xml(self) -> bytes:
        axes = ('<scaling><orientation val="minMax"/></scaling><axPos val="l"/>{}<majorTickMark val="none"/>'
                '<minorTickMark val="none"/><crossAx val="{}"/>')
        return (f'{XML_HEAD}<chartSpace xmlns="http://schemas.openxmlformats.org/drawingml/2006/chart"><chart>'
                f'<title><tx><rich><a:bodyPr {_A}/><a:p {_A}><a:pPr><a:defRPr/></a:pPr><a:r><a:t>{text(self.title)}'
                f'</a:t></a:r></a:p></rich></tx></title><plotArea><barChart><barDir val="{"bar" if self.horizontal else "col"}"/>'
                f'<grouping val="clustered"/><ser><idx val="0"/><order val="0"/><tx><strRef><f>{text(self.series)}</f>'
                f'</strRef></tx><spPr><a:ln {_A}><a:prstDash val="solid"/></a:ln></spPr><cat><numRef>'
                f'<f>{text(self.categories)}</f></numRef></cat><val><numRef><f>{text(self.values)}</f></numRef></val>'
                '</ser><gapWidth val="150"/><axId val="10"/><axId val="100"/></barChart><catAx><axId val="10"/>'
                + axes.format("", 100) + '<lblOffset val="100"/></catAx><valAx><axId val="100"/>'
                + axes.format("<majorGridlines/>", 10) + '</valAx></plotArea><legend><legendPos val="r"/></legend>'
                '<plotVisOnly val="1"/><dispBlanksAs val="gap"/></chart></chartSpace>').encode()


def _drawing(charts: Sequence[BarChart]) -> bytes:
    anchors = []
    for i, c in enumerate(charts, 1):
        row, col = c.anchor
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>"
            f'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{round(c.width * EMU_PER_CM)}" '
            f'cy="{round(c.height * EMU_PER_CM)}"/><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
            f'<xdr:cNvPr id="{i}" name="Chart {i}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm/>'
            f'<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            f'<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rId{i}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>")
    return (f'{XML_HEAD}<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'{_A} xmlns:r="{NS_R}">{"".join(anchors)}</xdr:wsDr>').encode()


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def write_workbook(target: str | Path, styles: Styles,
                   sheets: Sequence[tuple[str, TableSheet, Sequence[BarChart]]]) -> Path:
    """Write ``sheets`` (name, table, charts) as a workbook, the first one active; each sheet's
    header row is printed on every page."""
    types = [("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
             ("/xl/styles.xml", f"{CT}.spreadsheetml.styles+xml"), ("/xl/theme/theme1.xml", f"{CT}.theme+xml"),
             ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
             ("/docProps/app.xml", f"{CT}.extended-properties+xml")]
    parts: dict[str, bytes] = {}
    entries, names, n_charts = [], [], 0
    for i, (name, table, charts) in enumerate(sheets, 1):
        rels = [(REL_HYPERLINK, t, True) for t in table.hyperlink_targets()]
        drawing_rid = None
        if charts:
            drawing = f"xl/drawings/drawing{i}.xml"
            rels.append((NS_R + "/drawing", f"/{drawing}", False))
            drawing_rid = f"rId{len(rels)}"
            chart_rels = []
            for chart in charts:
                n_charts += 1
                parts[f"xl/charts/chart{n_charts}.xml"] = chart.xml()
                types.append((f"/xl/charts/chart{n_charts}.xml", f"{CT}.drawingml.chart+xml"))
                chart_rels.append((NS_R + "/chart", f"/xl/charts/chart{n_charts}.xml", False))
            parts[drawing] = _drawing(charts)
            parts[f"xl/drawings/_rels/drawing{i}.xml.rels"] = relationships(chart_rels)
            types.append((f"/{drawing}", f"{CT}.drawing+xml"))
        parts[f"xl/worksheets/sheet{i}.xml"] = table.xml(selected=i == 1, drawing_rid=drawing_rid)
        if rels:
            parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = relationships(rels)
        types.append((f"/xl/worksheets/sheet{i}.xml", f"{CT}.spreadsheetml.worksheet+xml"))
        entries.append(f'<sheet name="{text(name)}" sheetId="{i}" r:id="rId{i}"/>')
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i - 1}">'
                     f"{text(quote_sheet(name))}!$1:$1</definedName>")
    n = len(sheets)
    overrides = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in types)
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>').encode(),
        "_rels/.rels": relationships([(NS_R + "/officeDocument", "xl/workbook.xml", False),
                                      (NS_PKG + "/metadata/core-properties", "docProps/core.xml", False),
                                      (NS_R + "/extended-properties", "docProps/app.xml", False)]),
        "docProps/app.xml": (f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                             'extended-properties"><Application>jixiao</Application></Properties>').encode(),
        "docProps/core.xml": (
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>jixiao</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created><dcterms:modified '
            f'xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>').encode(),
        "xl/workbook.xml": (
            f'{XML_HEAD}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><workbookPr/><bookViews>'
            f'<workbookView activeTab="0"/></bookViews><sheets>{"".join(entries)}</sheets>'
            f'<definedNames>{"".join(names)}</definedNames></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": relationships(
            [*((NS_R + "/worksheet", f"worksheets/sheet{i}.xml", False) for i in range(1, n + 1)),
             (NS_R + "/styles", "styles.xml", False), (NS_R + "/theme", "theme/theme1.xml", False)]),
        "xl/styles.xml": styles.render(),
        "xl/theme/theme1.xml": THEME,
    }
    return write_package(target, {**head, **parts})
