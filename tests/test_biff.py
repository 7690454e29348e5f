"""The .xls error-cell reader on BIFF8 streams and OLE files built here record by record.

Where a hostile file could be read two ways, the reader must see what calamine sees: an error is
only ever put into a cell calamine reads as blank in the very sheet it reads.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.reader import biff
from jixiao.reader.biff import stream_error_cells


def record(rtype: int, body: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def boundsheet(offset: int, name: str, kind: int = 0) -> bytes:
    encoded = name.encode("utf-16-le")
    return record(0x0085, struct.pack("<IBB", offset, 0, kind) + bytes([len(name), 1]) + encoded)


def formula_error(row: int, col: int, code: int) -> bytes:
    value = bytes([2, 0, code, 0, 0, 0]) + b"\xff\xff"
    return record(0x0006, struct.pack("<HHH", row, col, 15) + value + b"\x00" * 6 + b"\x03\x00\x1e\x01\x00")


def boolerr(row: int, col: int, value: int, is_error: int) -> bytes:
    return record(0x0205, struct.pack("<HHHBB", row, col, 15, value, is_error))


BOF, EOF = record(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12), record(0x000A, b"")


def workbook(sheets: list[tuple[str, int, list[bytes]]]) -> bytes:
    """Globals (BOF, BOUNDSHEETs, EOF), then each sheet's substream with its cell records."""
    globals_len = len(BOF) + len(EOF) + sum(len(boundsheet(0, n, k)) for n, k, _ in sheets)
    offset, heads, bodies = globals_len, [], []
    for name, kind, cells in sheets:
        heads.append(boundsheet(offset, name, kind))
        body = BOF + b"".join(cells) + EOF
        bodies.append(body)
        offset += len(body)
    return BOF + b"".join(heads) + EOF + b"".join(bodies)


def test_errors_of_formulas_and_typed_error_cells_by_sheet():
    stream = workbook([
        ("说明", 0, [boolerr(0, 0, 1, 0)]),  # a TRUE, not an error
        ("自评表", 0, [formula_error(11, 5, 0x07), boolerr(2, 1, 0x2A, 1), formula_error(3, 3, 0x1D)]),
        ("图表", 2, [formula_error(0, 0, 0x07)]),  # a chart sheet: not read
    ])
    assert stream_error_cells(stream) == {"自评表": {"F12": "#DIV/0!", "B3": "#N/A", "D4": "#NAME?"}}


def test_a_formula_with_a_number_or_text_result_is_not_an_error():
    number = record(0x0006, struct.pack("<HHHd", 0, 0, 15, 2.0) + b"\x00" * 9)
    text = record(0x0006, struct.pack("<HHH", 0, 1, 15) + bytes([0, 0, 0x07, 0, 0, 0]) + b"\xff\xff" + b"\x00" * 9)
    assert stream_error_cells(workbook([("表", 0, [number, text])])) == {}


def test_hostile_offsets_stay_one_linear_pass(monkeypatch):
    # Every sheet pointing at the same place, or past the end, and a stream with no EOF records:
    # each record is still visited at most twice (globals, then one sheet).
    heads = b"".join(boundsheet(0, f"s{i}") for i in range(150)) + boundsheet(10**9, "far")
    stream = BOF + heads + b"".join(formula_error(r, 0, 0x07) for r in range(2_000))
    visited = 0
    real = biff._records

    def counting(*args):
        nonlocal visited
        for item in real(*args):
            visited += 1
            yield item

    monkeypatch.setattr(biff, "_records", counting)
    found = biff.stream_error_cells(stream)
    assert visited <= 2 * (1 + 151 + 2_000)  # the globals, then the one substream all names share
    assert len(found) == 150 and all(len(cells) == 2_000 for cells in found.values())


@given(st.binary(max_size=400))
def test_any_bytes_give_a_dict_and_never_raise(data):
    assert isinstance(stream_error_cells(data), dict)
    assert isinstance(stream_error_cells(workbook([("表", 0, [data])])), dict)


def number(row: int, col: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, col, 15, value))


END_OF_CHAIN, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def dir_entry(name: str, kind: int, child: int = NO_STREAM, right: int = NO_STREAM,
              start: int = END_OF_CHAIN, size: int = 0) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    entry = encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, NO_STREAM, right, child)
    return entry + b"\0" * 36 + struct.pack("<II", start, size) + b"\0" * 4


def ole_file(streams: list[tuple[str, bytes]], in_storage: int | None = None, loop: bool = False,
             declared: int | None = None) -> bytes:
    """A compound file (CFB v3, 512-byte sectors, no mini stream): each stream padded to 4 KiB.
    ``in_storage``: that stream sits inside a storage "MBD0001" listed before the others;
    ``loop``/``declared``: the first stream's FAT chain points back to its start / its size lies."""
    sectors: list[bytes] = []
    fat = [FAT_SECTOR, END_OF_CHAIN]  # sector 0: the FAT, sector 1: the directory
    placed = []
    for _, data in streams:
        data = data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0")
        first, count = 2 + len(sectors), len(data) // 512
        sectors += [data[i * 512:(i + 1) * 512] for i in range(count)]
        fat += [first + i + 1 for i in range(count - 1)] + [first if loop and not placed else END_OF_CHAIN]
        placed.append((first, declared if declared is not None and not placed else len(data)))
    fat += [FREE] * (128 - len(fat))
    entries = [dir_entry("Root Entry", 5, child=1)]
    ids = [i for i in range(len(streams)) if i != in_storage]
    if in_storage is not None:
        entries.append(dir_entry("MBD0001", 1, child=2, right=3 if ids else NO_STREAM))
        entries.append(dir_entry(streams[in_storage][0], 2, start=placed[in_storage][0], size=placed[in_storage][1]))
    for n, i in enumerate(ids):
        sid = len(entries)
        entries.append(dir_entry(streams[i][0], 2, right=sid + 1 if n + 1 < len(ids) else NO_STREAM,
                                 start=placed[i][0], size=placed[i][1]))
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<9I", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    return header + struct.pack("<128I", *fat) + b"".join(entries).ljust(512, b"\0") + b"".join(sectors)


def calamine_and_errors(data: bytes) -> tuple[dict, dict]:
    from jixiao.reader.layout import load_grids

    return {name: rows for name, rows in load_grids(data)}, biff.xls_error_cells(data)


def test_an_ole_file_built_here_reads_like_an_xls():
    grids, errors = calamine_and_errors(ole_file([("Workbook", workbook([("表", 0, [
        formula_error(0, 0, 0x07), number(1, 0, 2.0)])]))]))
    assert grids == {"表": [[""], [2.0]]} and errors == {"表": {"A1": "#DIV/0!"}}


def test_the_stream_calamine_reads_is_the_one_read():
    real = workbook([("S", 0, [number(1, 0, 2.0)])])
    fake = workbook([("S", 0, [formula_error(0, 0, 0x07)])])
    # calamine wants "Workbook" exactly (else BIFF5's "Book"), the first such entry anywhere.
    grids, errors = calamine_and_errors(ole_file([("Book", real), ("WORKBOOK", fake)]))
    assert grids == {"S": [[""], [2.0]]} and errors == {}
    grids, errors = calamine_and_errors(ole_file([("Workbook", fake), ("Workbook", real)], in_storage=1))
    assert grids == {"S": [[""], [2.0]]} and errors == {}


def test_names_as_calamine_has_them():
    # A repeated name keeps its last sheet; NUL characters are dropped.
    grids, errors = calamine_and_errors(ole_file([("Workbook", workbook([
        ("S", 0, [formula_error(0, 0, 0x07)]), ("S", 0, [number(1, 0, 2.0)])]))]))
    assert grids == {"S": [[""], [2.0]]} and errors == {}
    grids, errors = calamine_and_errors(ole_file([("Workbook", workbook([("S\0", 0, [formula_error(0, 0, 0x07)])]))]))
    assert list(grids) == list(errors) == ["S"]


def test_one_byte_sheet_names_are_read_in_the_workbook_code_page():
    def short_name(offset: int, name: bytes) -> bytes:
        return record(0x0085, struct.pack("<IBB", offset, 0, 0) + bytes([len(name), 0]) + name)

    for codepage in (None, 1252, 936):
        head = BOF + (record(0x0042, struct.pack("<H", codepage)) if codepage else b"")
        body = BOF + formula_error(0, 0, 0x07) + number(1, 0, 1.0) + EOF
        stream = head + short_name(len(head) + len(short_name(0, b"Caf\xe9")) + len(EOF), b"Caf\xe9") + EOF + body
        grids, errors = calamine_and_errors(ole_file([("Workbook", stream)]))
        assert list(errors) == list(grids), codepage  # whatever calamine calls the sheet


def test_errors_go_to_their_own_sheet_only():
    from jixiao.reader.layout import _fill_blanks

    grids = [("a", [["", 1.0]]), ("A", [["", 2.0]]), ("Straße", [[""]]), ("STRASSE", [[""]])]
    _fill_blanks(grids, {("a", "A1"): "#DIV/0!", ("Straße", "A1"): "#N/A"})
    assert grids == [("a", [["#DIV/0!", 1.0]]), ("A", [["", 2.0]]), ("Straße", [["#N/A"]]), ("STRASSE", [[""]])]


def test_a_looping_stream_longer_than_its_file_is_not_read():
    data = ole_file([("Workbook", workbook([("S", 0, [formula_error(0, 0, 0x07)])]))],
                    loop=True, declared=64 * 1024 * 1024)
    assert len(data) < 8192 and biff.xls_error_cells(data) == {}


def test_biff5_is_left_alone():
    # Excel 95 names have no flags byte: read as BIFF8, "Tabelle" would come out as "abelle".
    bof5 = record(0x0809, b"\x00\x05\x10\x00" + b"\x00" * 4)

    def sheet5(offset: int) -> bytes:
        return record(0x0085, struct.pack("<IBB", offset, 0, 0) + b"\x07Tabelle")

    globals_len = len(bof5 + sheet5(0) + EOF)
    stream = bof5 + sheet5(globals_len) + EOF + bof5 + formula_error(0, 0, 0x07) + EOF
    assert stream_error_cells(stream) == {}


def test_a_file_that_makes_calamine_panic_is_unreadable_not_a_crash(tmp_path):
    from jixiao.validation import validate_file

    p = tmp_path / "panic.xls"
    p.write_bytes(ole_file([("Workbook", BOF + boundsheet(10**6, "S") + EOF)]))
    res = validate_file(p)
    assert res.status == "unreadable" and [f.rule for f in res.findings] == ["unreadable-file"]
    # Every reader of the file turns the panic into an ordinary exception (here: an annotated copy).
    from jixiao.validation.annotate import annotate_copy

    with pytest.raises(ValueError, match="calamine"):
        annotate_copy(p, [], tmp_path / "copy.xlsx")
