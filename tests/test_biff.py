"""The .xls error-cell reader on BIFF8 streams built here record by record."""

from __future__ import annotations

import struct

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
    assert visited <= 2 * (1 + 151 + 2_000)
    assert sum(len(c) for c in found.values()) == 2_000


@given(st.binary(max_size=400))
def test_any_bytes_give_a_dict_and_never_raise(data):
    assert isinstance(stream_error_cells(data), dict)
    assert isinstance(stream_error_cells(workbook([("表", 0, [data])])), dict)
