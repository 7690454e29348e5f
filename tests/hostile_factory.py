"""Hostile and broken inputs, built from specs in the tests (no committed binaries).

Each builder writes a small file that once stopped a batch, ate its memory or broke an output.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from test_biff import number, ole_file, record, workbook

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>')
_SHEET_CT = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')


def xlsx(path: Path, sheets: list[str], sheet_count: int | None = None) -> Path:
    """A raw .xlsx whose worksheets hold the given <sheetData> contents; ``sheet_count`` lists
    that many sheets in workbook.xml, all pointing at the first part."""
    listed = sheet_count or len(sheets)
    wb = (f'<?xml version="1.0"?><workbook {_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
          '2006/relationships"><sheets>'
          + "".join(f'<sheet name="S{i + 1}" sheetId="{i + 1}" r:id="rId{min(i, len(sheets) - 1) + 1}"/>'
                    for i in range(listed))
          + "</sheets></workbook>")
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">'
            + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                      f'2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                      for i in range(len(sheets)))
            + "</Relationships>")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(sheets="".join(_SHEET_CT.format(n=i + 1)
                                                                     for i in range(len(sheets)))))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, data in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml",
                       f'<?xml version="1.0"?><worksheet {_NS}><sheetData>{data}</sheetData></worksheet>')
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def corner(path: Path) -> Path:
    """Two valued cells, A1 and XFD1048576: a dense grid of 17 billion cells."""
    return xlsx(path, ['<row r="1">' + text_cell("A1", "x") + '</row>'
                       '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'])


def positional_bomb(path: Path) -> Path:
    """A wide row given by references, a long column given by position only (cells without r=):
    no reference looks large, yet the used range is 1,048,576 × 16,384 cells."""
    return xlsx(path, ['<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'
                       '<row r="1048576"><c><v>1</v></c></row>'])


def uncached_long(path: Path, rows: int = 20_000) -> Path:
    """One formula without a cached value, and a long column of numbers."""
    body = '<row r="1"><c r="A1"><f>1+1</f></c></row>' + "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, rows + 1))
    return xlsx(path, [body])


def many_sheets(path: Path, count: int = 10_000) -> Path:
    """workbook.xml lists ``count`` sheets (all the same part)."""
    return xlsx(path, [text_cell("A1", "x")], sheet_count=count)


def xls_dimensions(path: Path) -> Path:
    """An .xls whose DIMENSIONS record claims 2^31 - 1 rows."""
    dims = record(0x0200, struct.pack("<IIHHH", 0, 0x7FFFFFFF, 0, 10, 0))
    path.write_bytes(ole_file([("Workbook", workbook([("表", 0, [dims, number(0, 0, 1.0)])]))]))
    return path


def xls_directory_loop(path: Path) -> Path:
    """An .xls whose directory sector chain points back at itself."""
    data = bytearray(ole_file([("Workbook", workbook([("表", 0, [number(0, 0, 1.0)])]))]))
    struct.pack_into("<I", data, 512 + 4, 1)  # FAT[1], the directory's sector, → 1
    path.write_bytes(bytes(data))
    return path


def overlapping_zip(path: Path, member: bytes, copies: int = 50) -> Path:
    """An archive whose ``copies`` entries all point at one compressed member."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(copies):
            z.writestr(f"m{i:03d}.xlsx", member)
    data = bytearray(buf.getvalue())
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # every central directory entry → the first local header
        struct.pack_into("<I", data, at + 42, 0)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def gbk_zip(path: Path, members: dict[str, bytes]) -> Path:
    """An archive as Chinese Windows writes it: names in GBK, the UTF-8 flag unset."""
    buf = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, data) in enumerate(members.items()):
            raw = name.encode("gbk")
            ph = f"{i:0{len(raw)}d}".encode()
            placeholders[ph] = raw
            z.writestr(ph.decode(), data)
    out = buf.getvalue()
    for ph, raw in placeholders.items():
        out = out.replace(ph, raw)
    path.write_bytes(out)
    return path
