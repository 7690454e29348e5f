"""Size limits a workbook meets before any engine allocates for it.

calamine builds a dense grid over a sheet's used range (32 bytes a cell, whatever lies between):
two valued cells, A1 and XFD1048576, ask for 512 GB. `formulas` loads every cell of the whole
workbook. These checks read only the XML (or BIFF records) and return a Chinese reason when a
file goes past a limit; :mod:`jixiao.security` turns it into a refusal.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile

EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384
XLS_ROWS, XLS_COLS = 65_536, 256
MAX_GRID_CELLS = 10_000_000  # one sheet's used range (rows × columns) the reader lets calamine allocate
MAX_RECALC_CELLS = 200_000  # cells of the whole workbook `formulas` may load to recalculate
MAX_COPY_BYTES = 32 * 1024 * 1024  # uncompressed parts an annotated copy may load
MAX_COPY_FILE = 16 * 1024 * 1024

# A reference with a column of two letters or more, or a row of five digits or more: only such a
# sheet can span more than 9,999 × 26 cells, so only then are its cells scanned one by one.
# No \b before r=: a literal start searches ten times faster, and a false hit only costs the scan.
_BIG_REF = re.compile(rb'r="(?:[A-Z]{2,}[0-9]+|[A-Z][0-9]{5,})"')
_CELL_REF = re.compile(rb'<c\b[^<>]*?\br="([A-Z]+)([0-9]+)"[^<>]*?(/?)>')
_DIMENSION = re.compile(rb'<dimension\b[^<>]*?\bref="([^"<>]{0,40})"')
_REF = re.compile(r"\$?([A-Z]+)\$?([0-9]+)")


def column_number(letters: bytes | str) -> int:
    """"A" → 1, "XFD" → 16384."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def _span(rows: int, cols: int) -> str:
    return f"{rows:,} 行 × {cols:,} 列"


def sheet_extent(xml: bytes) -> tuple[int, int, int, int] | None:
    """(first row, last row, first column, last column), 1-based, of a worksheet's valued cells
    (calamine skips empty styled ones); None when it holds none."""
    r0 = c0 = 1 << 62
    r1 = c1 = 0
    for m in _CELL_REF.finditer(xml):
        if m.group(3):
            continue  # <c r="…" s="1"/>: no value
        r, c = int(m.group(2)), column_number(m.group(1))
        r0, r1, c0, c1 = min(r0, r), max(r1, r), min(c0, c), max(c1, c)
    return None if r1 == 0 else (r0, r1, c0, c1)


def sheet_refusal(part: str, xml: bytes) -> str | None:
    """Why a worksheet part must not reach calamine: references past Excel's sheet (1,048,576
    rows × 16,384 columns), or a used range larger than MAX_GRID_CELLS."""
    dim = _DIMENSION.search(xml)
    if dim:
        for ref in _REF.findall(dim.group(1).decode("ascii", "replace").upper()):
            if int(ref[1]) > EXCEL_ROWS or column_number(ref[0]) > EXCEL_COLS:
                return f"工作表范围超出 Excel 的上限（{part}：dimension {dim.group(1).decode('ascii', 'replace')}），已拒绝"
    if not _BIG_REF.search(xml):
        return None
    extent = sheet_extent(xml)
    if extent is None:
        return None
    r0, r1, c0, c1 = extent
    if r1 > EXCEL_ROWS or c1 > EXCEL_COLS:
        return f"单元格地址超出 Excel 的上限（{part}：第 {r1:,} 行、第 {c1:,} 列），已拒绝"
    rows, cols = r1 - r0 + 1, c1 - c0 + 1
    if rows * cols > MAX_GRID_CELLS:
        return (f"工作表数据范围过大（{part}：{_span(rows, cols)}），超过读取上限 {MAX_GRID_CELLS:,} 个单元格，"
                "已拒绝")
    return None


def recalc_refusal(raw: bytes) -> str | None:
    """Why `formulas` must not recalculate an .xlsx: more cells than MAX_RECALC_CELLS, or cells
    beyond the rows and columns the reader reads (``security.MAX_ROWS`` × ``MAX_COLS``)."""
    from . import security

    cells = 0
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        for info in security.check_zip_limits(zf):
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            xml = security.read_member(zf, raw, info)
            cells += xml.count(b"<c ") + xml.count(b"<c>")
            if cells > MAX_RECALC_CELLS:
                return f"单元格超过 {MAX_RECALC_CELLS:,} 个"
            extent = sheet_extent(xml)
            if extent and (extent[1] > security.MAX_ROWS or extent[3] > security.MAX_COLS):
                return (f"{info.filename} 的数据延伸到第 {extent[1]:,} 行、第 {extent[3]:,} 列，"
                        f"超过 {_span(security.MAX_ROWS, security.MAX_COLS)}")
    return None


def xls_refusal(data: bytes) -> str | None:
    """Why an .xls must not reach calamine: a compound file whose sector chains loop (calamine
    follows them until memory runs out), or a DIMENSIONS record claiming more than a BIFF8 sheet
    holds (calamine allocates what it claims)."""
    import olefile

    if _fat_loops(data):
        return "文件结构异常（复合文档的扇区链表循环），已拒绝"
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entry = next((e for e in ole.direntries if e is not None and e.entry_type == olefile.STGTY_STREAM
                          and e.name == "Workbook"), None)
            if entry is None or entry.size > len(data):
                return None
            stream = ole._open(entry.isectStart, entry.size).read()
    except Exception:
        return None  # other damage: calamine decides, inside its guarded worker
    pos = 0
    while pos + 4 <= len(stream):  # every record of every substream (EOF ends only a substream)
        rtype, size = struct.unpack_from("<HH", stream, pos)
        if rtype == 0x0200 and size >= 12:  # DIMENSIONS: rwMic, rwMac (u32), colMic, colMac (u16)
            rw0, rw1, col0, col1 = struct.unpack_from("<IIHH", stream, pos + 4)
            if rw1 > XLS_ROWS or col1 > XLS_COLS or rw0 > rw1 or col0 > col1:
                return f"工作表范围声明异常（DIMENSIONS：{rw1:,} 行、{col1:,} 列，超出 .xls 的上限），已拒绝"
        pos += 4 + size
    return None


_FREE_SECTORS = 0xFFFFFFFA  # from here up: special values (free, end of chain, FAT/DIFAT sector)


def _fat_loops(data: bytes) -> bool:
    """Does any chain of the compound file's FAT (directory and streams alike) come back on itself?"""
    if len(data) < 512:
        return False
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if not 7 <= shift <= 16:
        return False
    size = 1 << shift
    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _FREE_SECTORS]
    nxt, seen_difat = struct.unpack_from("<I", data, 0x44)[0], set()
    while nxt < _FREE_SECTORS and nxt not in seen_difat:  # more FAT sectors listed in DIFAT sectors
        seen_difat.add(nxt)
        at = 512 + nxt * size
        if at + size > len(data):
            break
        entries = struct.unpack_from(f"<{size // 4}I", data, at)
        difat += [s for s in entries[:-1] if s < _FREE_SECTORS]
        nxt = entries[-1]
    if nxt < _FREE_SECTORS:
        return True  # the DIFAT chain itself loops
    fat: list[int] = []
    for sector in difat:
        at = 512 + sector * size
        if at + size <= len(data):
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, at))
    mark = [0] * len(fat)  # 0: not seen; else the number of the walk that first reached it
    for start in range(len(fat)):
        walk, s = start + 1, start
        while s < len(fat) and mark[s] == 0:
            mark[s] = walk
            s = fat[s]
        if s < len(fat) and mark[s] == walk:
            return True
    return False


def copy_refusal(path: str | os.PathLike[str]) -> str | None:
    """Why an annotated copy of a file should not be made: too large to load safely."""
    from . import security

    try:
        size = os.path.getsize(path)
        if size > MAX_COPY_FILE:
            return f"{size / 1024 / 1024:.1f} MB，上限 {MAX_COPY_FILE // 1024 // 1024} MB"
        with open(path, "rb") as fh:
            if fh.read(4) != security.ZIP_MAGIC:
                return None
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_COPY_BYTES:
                return f"解压后 {total / 1024 / 1024:.0f} MB，上限 {MAX_COPY_BYTES // 1024 // 1024} MB"
            info = next((i for i in infos if i.filename == "xl/workbook.xml"), None)
            if info is not None and info.file_size < 4 * 1024 * 1024:
                sheets = len(re.findall(rb"<(?:[\w.-]+:)?sheet\b", zf.read(info)))
                if sheets > security.MAX_SHEETS:
                    return f"{sheets:,} 个工作表，上限 {security.MAX_SHEETS}"
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # the copy itself reports what is wrong
    return None
