"""Whole workbooks written as SpreadsheetML: sheets from :mod:`.xlsxwrite`, styles, the Office
theme, bar charts, the package parts that tie them together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .xlsxstyles import Styles
from .xlsxwrite import (
    NS_MAIN,
    NS_PKG,
    NS_R,
    REL_HYPERLINK,
    XML_HEAD,
    quote_sheet,
    relationships,
    text,
    write_package,
)


class Sheet(Protocol):
    def hyperlink_targets(self) -> list[str]: ...

    def xml(self, *, selected: bool = False, drawing_rid: str | None = None) -> bytes: ...


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


def write_workbook(target: str | Path, styles: Styles, sheets: Sequence[tuple[str, Sheet, Sequence[BarChart]]]) -> Path:
    """Write ``sheets`` (name, table, charts) as a workbook, the first one active; each sheet's
    header row is printed on every page."""
    return write_package(target, workbook_parts(styles, sheets, print_titles=True))


def workbook_parts(styles: Styles, sheets: Sequence[tuple[str, Sheet, Sequence[BarChart]]], *,
                   print_titles: bool = False) -> dict[str, bytes]:
    """The parts of a workbook of ``sheets``, [Content_Types].xml first; the first sheet active."""
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
        if print_titles:
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
            + (f'<definedNames>{"".join(names)}</definedNames>' if names else "") + "</workbook>").encode(),
        "xl/_rels/workbook.xml.rels": relationships(
            [*((NS_R + "/worksheet", f"worksheets/sheet{i}.xml", False) for i in range(1, n + 1)),
             (NS_R + "/styles", "styles.xml", False), (NS_R + "/theme", "theme/theme1.xml", False)]),
        "xl/styles.xml": styles.render(),
        "xl/theme/theme1.xml": THEME,
    }
    return {**head, **parts}
