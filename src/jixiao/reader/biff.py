"""Cells of an .xls (BIFF8) workbook that show an error value, which calamine reads as blank.

Only the records that carry a cell's error are read: a FORMULA's cached result and a typed
BOOLERR. The walk is one linear pass over the Workbook stream, however the sheet offsets in
a hostile file point: each sheet is read from its BOF only up to the next sheet's.
"""

from __future__ import annotations

import bisect
import codecs
import io
import struct
from collections.abc import Iterator

from .. import security
from .model import a1
from .sheetmeta import SheetMeta, format_unit

# [MS-XLS] 2.5.97 BErr: the error byte of a cached result or a BOOLERR record.
ERROR_BYTES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_EOF, _FORMULA, _BOOLERR, _BOUNDSHEET, _CODEPAGE = 0x000A, 0x0006, 0x0205, 0x0085, 0x0042
_HEADER = struct.Struct("<HH")


def _records(stream: bytes, start: int, stop: int) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each record from ``start`` until EOF or ``stop``."""
    pos = start
    while pos + 4 <= stop:
        rtype, size = _HEADER.unpack_from(stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        pos += 4 + size
        yield rtype, body
        if rtype == _EOF:
            return


def _sheet_name(body: bytes, codec: str) -> str | None:
    """BOUNDSHEET8's name, a ShortXLUnicodeString, decoded as calamine decodes it: UTF-16LE, or one
    byte a character given a zero high byte and read in the workbook's code page."""
    if len(body) < 8:
        return None
    length = body[6]
    if body[7] & 1:
        return body[8:8 + 2 * length].decode("utf-16-le", "replace").replace("\x00", "")
    widened = bytes(b for c in body[8:8 + length] for b in (c, 0))
    return widened.decode(codec, "replace").replace("\x00", "")


def _codec(codepage: int) -> str:
    """The Python codec of a CODEPAGE record's value; 1200 (and anything unknown) is UTF-16LE."""
    try:
        return "utf-16-le" if codepage == 1200 else codecs.lookup(f"cp{codepage}").name
    except LookupError:
        return "utf-16-le"


def xls_error_cells(data: bytes) -> dict[str, dict[str, str]]:
    """Sheet name → {"F12": "#DIV/0!"}. Empty for files that are not BIFF8 (Excel 95 and older)."""
    return stream_error_cells(workbook_stream(data))


def workbook_stream(data: bytes) -> bytes:
    """The Workbook stream of an .xls (b"" when there is none)."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        # The stream calamine reads: the first directory entry named exactly "Workbook" (olefile's
        # own lookup ignores case and looks only where a path points).
        entry = next((e for e in ole.direntries if e is not None and e.entry_type == olefile.STGTY_STREAM
                      and e.name == "Workbook"), None)
        if entry is None or entry.size > len(data):  # a stream longer than its file loops on itself
            return b""
        return ole._open(entry.isectStart, entry.size).read()


def _worksheet_ranges(stream: bytes) -> dict[str, tuple[int, int]]:
    """Worksheet name → (BOF offset, end of its substream), at most MAX_SHEETS; {} unless BIFF8."""
    if stream[:2] != b"\x09\x08" or stream[4:6] != b"\x00\x06":
        return {}  # not a BIFF8 BOF (vers 0x0600): BIFF5 names and records differ
    offsets: list[int] = []  # every sheet's BOF, charts included: where each substream ends
    worksheets: dict[str, int] = {}  # name → BOF offset; a repeated name keeps its last sheet, as calamine does
    codepage = "utf-16-le"  # calamine's default (1200) until a CODEPAGE record says otherwise
    for rtype, body in _records(stream, 0, len(stream)):
        if rtype == _CODEPAGE and len(body) >= 2:
            codepage = _codec(struct.unpack_from("<H", body)[0])
        if rtype != _BOUNDSHEET or len(body) < 6:
            continue
        offset = struct.unpack_from("<I", body)[0]
        offsets.append(offset)
        name = _sheet_name(body, codepage)
        if body[5] == 0 and name is not None and offset < len(stream):
            worksheets.pop(name, None)
            worksheets[name] = offset
    ends = sorted(set(offsets)) + [len(stream)]
    return {name: (offset, min(ends[bisect.bisect_right(ends, offset)], len(stream)))
            for name, offset in list(worksheets.items())[:security.MAX_SHEETS]}


def stream_error_cells(stream: bytes) -> dict[str, dict[str, str]]:
    """:func:`xls_error_cells` of a Workbook stream."""
    by_offset: dict[int, dict[str, str]] = {}  # each substream read once, however many names point at it
    found: dict[str, dict[str, str]] = {}
    for name, (offset, stop) in _worksheet_ranges(stream).items():
        if offset not in by_offset:
            by_offset[offset] = _error_cells(stream, offset, stop)
        if by_offset[offset]:
            found[name] = by_offset[offset]
    return found


def _error_cells(stream: bytes, start: int, stop: int) -> dict[str, str]:
    cells: dict[str, str] = {}
    for rtype, body in _records(stream, start, stop):
        if rtype == _FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
            code = body[8]  # FormulaValue: fExprO = 0xFFFF, type 2 = error, then the error byte
        elif rtype == _BOOLERR and len(body) >= 8 and body[7] == 1:
            code = body[6]
        else:
            continue
        row, col = _HEADER.unpack_from(body)
        if code in ERROR_BYTES and row < security.MAX_ROWS and col < security.MAX_COLS:
            cells[a1(row, col)] = ERROR_BYTES[code]
    return cells


# ---------------------------------------------------------------- hidden rows/columns, number formats
_FORMAT, _XF, _ROW, _COLINFO, _NUMBER, _RK, _MULRK = 0x041E, 0x00E0, 0x0208, 0x007D, 0x0203, 0x027E, 0x00BD


def _format_string(body: bytes) -> str:
    """FORMAT's XLUnicodeString (after the 2-byte ifmt): cch, flags, then 1- or 2-byte characters."""
    if len(body) < 5:
        return ""
    cch, flags = struct.unpack_from("<HB", body, 2)
    if flags & 1:
        return body[5:5 + 2 * cch].decode("utf-16-le", "replace")
    return body[5:5 + cch].decode("latin-1")


def xls_sheet_meta(data: bytes) -> dict[str, SheetMeta]:
    """Sheet name → hidden rows/columns and shown units (merges come from calamine)."""
    stream = workbook_stream(data)
    ranges = _worksheet_ranges(stream)
    if not ranges:
        return {}
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    first_sheet = min(start for start, _ in ranges.values())
    for rtype, body in _records(stream, 0, first_sheet):
        if rtype == _FORMAT and len(body) >= 2:
            formats[struct.unpack_from("<H", body)[0]] = _format_string(body)
        elif rtype == _XF and len(body) >= 4:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
    xf_units: dict[int, str] = {}
    for index, ifmt in enumerate(xf_formats):
        unit = "%" if ifmt in (9, 10) else format_unit(formats[ifmt]) if ifmt in formats else None
        if unit:
            xf_units[index] = unit
    return {name: _sheet_meta(stream, start, stop, xf_units) for name, (start, stop) in ranges.items()}


def _sheet_meta(stream: bytes, start: int, stop: int, xf_units: dict[int, str]) -> SheetMeta:
    meta = SheetMeta()
    for rtype, body in _records(stream, start, stop):
        if rtype == _ROW and len(body) >= 16:
            if body[12] & 0x20 and struct.unpack_from("<H", body)[0] < security.MAX_ROWS:
                meta.hidden_rows.add(struct.unpack_from("<H", body)[0])
        elif rtype == _COLINFO and len(body) >= 10:
            first, last, _, _, flags = struct.unpack_from("<HHHHH", body)
            if flags & 1:
                meta.hidden_cols.update(range(first, min(last, security.MAX_COLS - 1) + 1))
        elif not xf_units:
            continue
        elif rtype in (_NUMBER, _RK, _FORMULA) and len(body) >= 6:
            row, col, ixfe = struct.unpack_from("<HHH", body)
            cached_number = rtype != _FORMULA or (len(body) >= 14 and body[12:14] != b"\xff\xff")
            if ixfe in xf_units and cached_number:
                meta.shown[row, col] = xf_units[ixfe]
        elif rtype == _MULRK and len(body) >= 6:
            row, col = struct.unpack_from("<HH", body)
            for i in range((len(body) - 6) // 6):
                ixfe = struct.unpack_from("<H", body, 4 + 6 * i)[0]
                if ixfe in xf_units:
                    meta.shown[row, col + i] = xf_units[ixfe]
    meta.shown = {k: v for k, v in meta.shown.items() if k[0] < security.MAX_ROWS and k[1] < security.MAX_COLS}
    return meta
