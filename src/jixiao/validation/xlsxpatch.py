"""Annotate an .xlsx by editing only the package parts that change.

Loading a whole submission into openpyxl and saving it again costs far more than validating it.
An annotated copy changes little: the style of each flagged cell (a red or yellow fill added to
its own format), a comment on it, and a first sheet 校验结果 listing the findings. This module
copies every other part as it is and edits these few parts as text:

- ``xl/styles.xml``: two fills, a few fonts and cell formats appended (existing indices stay);
- each flagged worksheet: the cell's ``s`` attribute (or a new empty cell), a ``legacyDrawing``;
- new parts: the comments and their VML shapes, the 校验结果 worksheet (inline strings, links
  *inside* the workbook via ``location``, never an external target), relationships, content types;
- ``xl/workbook.xml``: the new sheet first and active, sheet-local names shifted by one.

A package this does not know how to edit safely (macro-enabled, prefixed XML, a sheet that already
has comments or a 校验结果 sheet …) raises :class:`Unpatchable`; the caller then uses openpyxl.
"""

from __future__ import annotations

import bisect
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..reader.model import a1, col_index, parse_a1
from ..xlsxcache import xml_text
from ..zipmembers import member_chunks, read_member
from .xlsxcomments import Note, comments_xml, new_note, read_notes, vml_block, vml_xml
from .xlsxstyles import Styles, Unpatchable
from .xlsxwrite import NS_PKG, NS_R, Link, TableSheet, quote_sheet
from .zipwrite import ZipWriter

WORKBOOK_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
REL_SHEET = NS_R + "/worksheet"
REL_COMMENTS = NS_R + "/comments"
REL_VML = NS_R + "/vmlDrawing"

_ROW_NUM = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_S_ATTR = re.compile(rb'\ss="\d*"')
_REL_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_SHEET_DATA = re.compile(rb"<(?:\w{1,64}:)?sheetData\b")  # some .NET writers prefix every element (x:)
_SELECTED = re.compile(rb"""\stabSelected\s*=\s*["'](?:1|true)["']""")  # Excel writes "1", LibreOffice "true"
# Elements that follow <legacyDrawing> in a worksheet (CT_Worksheet order).
_AFTER_LEGACY = re.compile(rb"<(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems"
                           rb"|tableParts|extLst)\b|</worksheet>")


@dataclass
class Mark:
    """A flagged cell: its fill and the comment text."""

    ref: str
    color: str  # ARGB
    text: str
    lines: int


@dataclass
class ResultRow:
    """One row of the 校验结果 sheet: values, and the in-workbook cell its 位置 links to."""

    values: list[object]
    link: str | None = None  # "'Sheet'!A1"


class Package:
    """The parts of one .xlsx: read lazily, changed parts kept, written out in one pass."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zin = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zin.namelist())
        self.changed: dict[str, bytes] = {}

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name not in self.names:
            raise Unpatchable(f"missing part {name}")
        return read_member(self.zin, self.data, self.zin.getinfo(name))

    def head(self, name: str, until: re.Pattern[bytes]) -> bytes | None:
        """The start of a part, up to the first match of ``until``; None when it has none. A sheet's
        views come before its cells, and inflating every cell of every sheet costs milliseconds."""
        if name in self.changed or name not in self.names:
            data = self.read(name)
            m = until.search(data)
            return None if m is None else data[:m.start()]
        buf = bytearray()  # grows in place: a part without the marker costs one pass, not n² copies
        for chunk in member_chunks(self.zin, self.data, self.zin.getinfo(name), chunk=4096, grow=True):
            start = max(0, len(buf) - 256)  # a match may begin in the previous chunk
            buf += chunk
            m = until.search(buf, start)
            if m is not None:
                return bytes(buf[:m.start()])
        return None

    def write(self, name: str, data: bytes) -> None:
        self.changed[name] = data

    def free_name(self, pattern: str) -> str:
        taken = self.names | set(self.changed)
        return next(pattern % i for i in range(1, 100000) if pattern % i not in taken)

    def add_rel(self, rels_part: str, rel_type: str, target: str) -> str:
        xml = self.read(rels_part) if rels_part in self.names or rels_part in self.changed else \
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG}"></Relationships>'.encode()
        ids = {int(i) for i in re.findall(rb'\bId="rId(\d+)"', xml)}
        rid = f"rId{max(ids, default=0) + 1}"
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{xml_text(target)}"/>'.encode()
        if b"</Relationships>" not in xml:
            raise Unpatchable(f"{rels_part}: unexpected relationships")
        self.write(rels_part, xml.replace(b"</Relationships>", rel + b"</Relationships>", 1))
        return rid

    def add_content_type(self, part: str, content_type: str) -> None:
        xml = self.read("[Content_Types].xml")
        xml = xml.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'.encode(), 1)
        if part.endswith(".vml") and not re.search(rb'<Default\b[^>]*Extension="vml"', xml):
            xml = xml.replace(b"</Types>", f'<Default Extension="vml" ContentType="{VML_CT}"/></Types>'.encode(), 1)
        self.write("[Content_Types].xml", xml)

    def save(self) -> bytes:
        """The package: changed parts deflated, every other part copied as it is stored."""
        out = ZipWriter()
        for info in self.zin.infolist():
            if self.zin.getinfo(info.filename) is not info:
                continue  # a name stored twice: only the member zipfile (and openpyxl) reads, the last, is kept
            data = self.changed.pop(info.filename, None)
            if data is None:
                out.copy(self.data, info)
            else:
                out.write(info.filename, data)
        for name, data in self.changed.items():
            out.write(name, data)
        return out.getvalue()


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return f"{folder}/_rels/{name}.rels"


def _relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part))


def _merged_hidden(xml: bytes) -> Callable[[tuple[int, int]], bool]:
    """Whether a 0-based cell is covered by a merge other than as its top-left one (openpyxl's
    MergedCell): checked against the ranges, never by listing every cell a large merge covers."""
    ranges = [(int(r1) - 1, col_index(c1.decode()), int(r2) - 1, col_index(c2.decode()))
              for c1, r1, c2, r2 in _MERGE.findall(xml)]
    return lambda at: any(r1 <= at[0] <= r2 and c1 <= at[1] <= c2 and at != (r1, c1) for r1, c1, r2, c2 in ranges)


def _set_style(xml: bytes, ref: str, style_of: object, start: int = 0) -> bytes:
    """Give cell ``ref`` the format ``style_of(old_style)``; add the cell (and row) when absent.
    ``start``: where a row before ``ref``'s starts, to look from (the sheet's cells otherwise)."""
    row0, col0 = parse_a1(ref)
    col, row = col0 + 1, row0 + 1
    data_start = xml.find(b"<sheetData")
    if data_start < 0:
        raise Unpatchable("no sheetData")
    if xml.startswith(b"<sheetData/>", data_start):
        xml = xml[:data_start] + b"<sheetData></sheetData>" + xml[data_start + len(b"<sheetData/>"):]
    body_start = xml.index(b">", data_start) + 1
    body_end = xml.index(b"</sheetData>", body_start)
    pos = body_end
    for rm in _ROW_NUM.finditer(xml, max(body_start, start), body_end):
        r = int(rm.group(1))
        if r < row:
            continue
        if r > row:
            pos = rm.start()
            break
        tag_end = xml.index(b">", rm.end())
        if xml[tag_end - 1:tag_end] == b"/":  # <row r="5" .../>: open it
            xml = xml[:tag_end - 1] + b"></row>" + xml[tag_end + 1:]
            tag_end -= 1
        row_end = xml.index(b"</row>", tag_end)
        insert_at = row_end
        for cm in _CELL.finditer(xml, tag_end, row_end):
            c = col_index(cm.group(1).decode()) + 1
            if c < col:
                continue
            if c > col:
                insert_at = cm.start()
                break
            head_end = cm.start() + xml[cm.start():cm.end()].index(b">")
            if xml[head_end - 1:head_end] == b"/":
                head_end -= 1
            head = xml[cm.start():head_end]
            old = re.search(rb'\ss="(\d+)"', head)
            head = _S_ATTR.sub(b"", head) + b' s="%d"' % style_of(int(old.group(1)) if old else 0)
            return xml[:cm.start()] + head + xml[head_end:]
        return xml[:insert_at] + b'<c r="%s" s="%d"/>' % (ref.encode(), style_of(0)) + xml[insert_at:]
    new_row = b'<row r="%d"><c r="%s" s="%d"/></row>' % (row, ref.encode(), style_of(0))
    return xml[:pos] + new_row + xml[pos:]


def _with_r_namespace(xml: bytes) -> bytes:
    root = re.search(rb"<worksheet\b[^>]*>", xml)
    if root is None:
        raise Unpatchable("worksheet root")
    bound = re.search(rb'\sxmlns:r="([^"]*)"', root.group(0))
    if bound:
        if bound.group(1).decode() != NS_R:
            raise Unpatchable("prefix r bound elsewhere")
        return xml
    return xml[:root.end() - 1] + f' xmlns:r="{NS_R}"'.encode() + xml[root.end() - 1:]


def _sheet_rels(pkg: Package, part: str) -> list[dict[bytes, bytes]]:
    rels = _rels_of(part)
    if rels not in pkg.names and rels not in pkg.changed:
        return []
    return [dict(_REL_ATTR.findall(m.group(0))) for m in re.finditer(rb"<Relationship\b[^>]*>", pkg.read(rels))]


def _target(part: str, rel: dict[bytes, bytes]) -> str:
    if rel.get(b"TargetMode") == b"External":
        raise Unpatchable("external comments")
    target = rel.get(b"Target", b"").decode()
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(part), target))


def _existing_notes(pkg: Package, part: str, xml: bytes) -> tuple[str, str, list[Note]] | None:
    """The sheet's comments part, VML part and comments, when it has any."""
    rels = _sheet_rels(pkg, part)
    comments = [r for r in rels if r.get(b"Type") == REL_COMMENTS.encode()]
    vml = [r for r in rels if r.get(b"Type") == REL_VML.encode()]
    if any(b"threadedComment" in r.get(b"Type", b"") for r in rels):
        raise Unpatchable("threaded comments")
    legacy = re.findall(rb"<legacyDrawing\b[^>]*?\br:id=\"([^\"]*)\"", xml)
    if not comments and not vml and b"<legacyDrawing" not in xml:
        return None
    if len(comments) != 1 or len(vml) != 1 or legacy != [vml[0].get(b"Id")]:
        raise Unpatchable("comments laid out in a way jixiao does not edit")
    comments_part, vml_part = _target(part, comments[0]), _target(part, vml[0])
    return comments_part, vml_part, read_notes(pkg.read(comments_part), pkg.read(vml_part))


def _mark_sheet(pkg: Package, part: str, marks: list[Mark], styles: Styles, author: str) -> None:
    xml = pkg.read(part)
    if b"<sheetData" not in xml:
        raise Unpatchable("prefixed XML")
    existing = _existing_notes(pkg, part, xml)
    hidden = _merged_hidden(xml)
    placed = [(at, mark) for mark in marks if (at := parse_a1(mark.ref)) is not None and not hidden(at)]
    # From the last cell to the first, so the rows before each one are where they were found.
    rows = [(int(m.group(1)), m.start()) for m in _ROW_NUM.finditer(xml, xml.find(b"<sheetData"))]
    for at, mark in sorted(placed, key=lambda item: item[0], reverse=True):
        before = bisect.bisect_left(rows, (at[0] + 1, -1)) - 1
        xml = _set_style(xml, a1(*at), lambda s, color=mark.color: styles.filled(s, color),
                         rows[before][1] if before >= 0 else 0)
    shown = [new_note(a1(*at), author, mark.text, mark.lines) for at, mark in placed]  # "$B$3" → "B3"
    if not shown:
        pkg.write(part, xml)
        return
    if existing:  # jixiao's comments join the sheet's own; a flagged cell's own comment gives way
        comments, vml, notes = existing
        flagged = {n.ref for n in shown}
        notes = [n for n in notes if n.ref not in flagged] + shown
        pkg.write(comments, comments_xml(notes))
        pkg.write(vml, vml_xml(notes, vml_block(pkg.read(vml)) or 1))
        pkg.write(part, xml)
        return
    comments = pkg.free_name("xl/comments%d.xml")
    vml = pkg.free_name("xl/drawings/vmlDrawing%d.vml")
    block = int(re.search(r"(\d+)\.vml$", vml).group(1))
    pkg.write(comments, comments_xml(shown))
    pkg.write(vml, vml_xml(shown, block))
    pkg.add_content_type(comments, COMMENTS_CT)
    pkg.add_content_type(vml, VML_CT)
    rels = _rels_of(part)
    pkg.add_rel(rels, REL_COMMENTS, _relative(part, comments))
    rid = pkg.add_rel(rels, REL_VML, _relative(part, vml))
    xml = _with_r_namespace(xml)
    at = _AFTER_LEGACY.search(xml, xml.index(b"</sheetData>"))
    xml = xml[:at.start()] + f'<legacyDrawing r:id="{rid}"/>'.encode() + xml[at.start():]
    pkg.write(part, xml)


def _result_sheet(rows: list[ResultRow], header: list[str], widths: tuple[int, ...], styles: Styles) -> bytes:
    """The 校验结果 worksheet, selected; each 位置 links to its cell in this workbook."""
    table = TableSheet(styles, header, widths)
    for row in rows:
        links = {4: Link(location=row.link, display=str(row.values[4]))} if row.link else None
        table.append(row.values, links=links)
    return table.xml(selected=True)


def _insert_first_sheet(pkg: Package, name: str, part: str) -> None:
    """校验结果 becomes sheet 1 and the active one; sheet-local names move up by one."""
    wb = pkg.read("xl/workbook.xml")
    rid = pkg.add_rel("xl/_rels/workbook.xml.rels", REL_SHEET, _relative("xl/workbook.xml", part))
    ids = [int(i) for i in re.findall(rb'<sheet\b[^>]*?\bsheetId="(\d+)"', wb)]
    sheets = re.search(rb"<sheets\b[^>]*>", wb)
    if sheets is None:
        raise Unpatchable("workbook.xml layout")
    # The r: prefix declared on the element itself: writers declare it on the root or on each sheet.
    entry = (f'<sheet xmlns:r="{NS_R}" name="{xml_text(name)}" sheetId="{max(ids, default=0) + 1}" '
             f'r:id="{rid}"/>').encode()
    wb = wb[:sheets.end()] + entry + wb[sheets.end():]
    wb = re.sub(rb'(<definedName\b[^>]*?\blocalSheetId=")(\d+)"',
                lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + b'"', wb)
    title = f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{xml_text(quote_sheet(name))}!$1:$1</definedName>'
    if b"<definedNames/>" in wb:
        wb = wb.replace(b"<definedNames/>", b"<definedNames>" + title.encode() + b"</definedNames>", 1)
    elif b"</definedNames>" in wb:
        wb = wb.replace(b"<definedNames>", b"<definedNames>" + title.encode(), 1)
    else:
        after = b"</externalReferences>" if b"</externalReferences>" in wb else b"</sheets>"
        wb = wb.replace(after, after + b"<definedNames>" + title.encode() + b"</definedNames>", 1)
    wb = re.sub(rb"<workbookView\b[^>]*?/?>", lambda m: re.sub(rb'\s(?:activeTab|firstSheet)="\d*"', b"",
                                                                 m.group(0)), wb)
    pkg.write("xl/workbook.xml", wb)
    pkg.add_content_type(part, SHEET_CT)


def _deselect(pkg: Package, parts: Iterable[str]) -> None:
    """Unselect every sheet, so the copy opens on the result sheet. Only the head of a sheet (its
    views) is touched; one whose cells cannot be found is left as it is, never edited blind."""
    for part in parts:
        head = pkg.head(part, _SHEET_DATA)
        if head is not None and _SELECTED.search(head):
            xml = pkg.read(part)
            pkg.write(part, _SELECTED.sub(b"", xml[:len(head)]) + xml[len(head):])


def annotate_package(data: bytes, parts: dict[str, str], marks: dict[str, list[Mark]], rows: list[ResultRow], *,
                     sheet_name: str, header: list[str], widths: tuple[int, ...], author: str) -> bytes:
    """The annotated copy of the .xlsx ``data`` (checked bytes; ``parts``: sheet name → worksheet part):
    ``marks`` by sheet name, ``rows`` for the first sheet ``sheet_name``. Raises :class:`Unpatchable`
    when openpyxl should do it instead."""
    try:
        pkg = Package(data)
        types = pkg.read("[Content_Types].xml")
        root_rels = pkg.read("_rels/.rels")
        if not re.search(rb'<Override\b[^>]*PartName="/xl/workbook.xml"[^>]*ContentType="' + re.escape(WORKBOOK_CT),
                         types) or not re.search(rb'Target="/?xl/workbook.xml"', root_rels):
            raise Unpatchable("not a plain .xlsx workbook")
        if not parts or sheet_name in parts:
            raise Unpatchable("already has a result sheet")
        styles = Styles(pkg.read("xl/styles.xml"))
        for name, items in marks.items():
            if name in parts and items:
                _mark_sheet(pkg, parts[name], items, styles, author)
        _deselect(pkg, parts.values())
        part = pkg.free_name("xl/worksheets/sheet%d.xml")
        pkg.write(part, _result_sheet(rows, header, widths, styles))
        _insert_first_sheet(pkg, sheet_name, part)
        pkg.write("xl/styles.xml", styles.render())
        return pkg.save()
    except (zipfile.BadZipFile, KeyError, ValueError, AttributeError) as exc:
        raise Unpatchable(f"{type(exc).__name__}: {exc}") from None
