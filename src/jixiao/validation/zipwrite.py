"""A zip package written in one pass: new parts deflated, parts of a checked package copied as
they are stored (no inflating and deflating again of what did not change).

``zipfile`` costs about 0.1 ms a member in Python around zlib and cannot copy a member without
recompressing it; an annotated copy keeps most of its parts, so it copies their bytes instead.
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib

from ..zipmembers import CENTRAL_ENTRY, END_RECORD, stored_body

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_UTF8 = 0x800
_LIMIT = 0xFFFFFFFF  # no zip64: packages we write are far smaller


class ZipError(ValueError):
    """A member that cannot be copied as it is stored (damaged, encrypted, an odd method)."""


class ZipWriter:
    def __init__(self, level: int = 1) -> None:
        self.level = level  # speed over size: these parts are small and written once
        self.chunks: list[bytes] = []
        self.central: list[bytes] = []
        self.offset = 0
        self.now = _dos_time(time.localtime()[:6])

    def _add(self, name: str, method: int, crc: int, size: int, body: bytes, when: tuple[int, int],
             attr: int) -> None:
        raw_name = name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8
        if self.offset + len(body) > _LIMIT or size > _LIMIT or len(self.central) >= 0xFFFF:
            raise ZipError("package too large for a plain zip")
        dos_time, dos_date = when
        self.central.append(CENTRAL_ENTRY.pack(b"PK\x01\x02", 20, 3, 20, 0, flags, method, dos_time, dos_date, crc,
                                          len(body), size, len(raw_name), 0, 0, 0, 0, attr, self.offset) + raw_name)
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0, flags, method, dos_time, dos_date, crc, len(body), size,
                             len(raw_name), 0)
        self.chunks += (header, raw_name, body)
        self.offset += len(header) + len(raw_name) + len(body)

    def write(self, name: str, data: bytes) -> None:
        """A new part, deflated."""
        # A window and hash table no larger than the part: setting up zlib's full 256 KiB state
        # costs more than deflating a small part (any inflater reads a smaller window).
        bits = min(max(len(data).bit_length(), 9), 15)
        deflate = zlib.compressobj(self.level, zlib.DEFLATED, -bits, min(max(bits - 7, 1), 8))
        body = deflate.compress(data) + deflate.flush()
        self._add(name, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), body, self.now, 0o600 << 16)

    def copy(self, source: bytes, info: zipfile.ZipInfo) -> None:
        """A member of the zip ``source`` as it is stored there, after checking that it inflates
        to its recorded size and CRC (a damaged part is refused, as reading it would be)."""
        if info.flag_bits & 0x21 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ZipError(f"{info.filename}: encrypted or compressed in a way not copied")
        try:  # the local header located and checked against the directory as the scan checks it
            body = bytes(stored_body(source, info) or b"")
            data = body if info.compress_type == zipfile.ZIP_STORED else \
                zlib.decompressobj(-15).decompress(body, info.file_size + 1)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise ZipError(f"{info.filename}: {exc}") from None
        if len(body) != info.compress_size or len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise ZipError(f"{info.filename}: damaged")
        self._add(info.filename, info.compress_type, info.CRC, info.file_size, body,
                  _dos_time(info.date_time), info.external_attr)

    def getvalue(self) -> bytes:
        directory = b"".join(self.central)
        n = len(self.central)
        end = END_RECORD.pack(b"PK\x05\x06", 0, 0, n, n, len(directory), self.offset, 0)
        return b"".join(self.chunks) + directory + end


def _dos_time(t: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = t[:6]
    year = min(max(year, 1980), 2107)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day
