"""A zip package's members read straight from its bytes, for the safety scan (:mod:`jixiao.security`).

``zipfile`` builds a ZipInfo for each member and a file object for each read: on a small workbook
(a dozen members of a few KB) that costs as much as inflating them. The central directory of a
plain package (what Excel, WPS, LibreOffice and openpyxl write) is read here in one pass, and a
small member is inflated in one zlib call capped at its declared size. Anything else (zip64, an
archive comment, extra fields, data before the archive, other compression methods) is read by
``zipfile`` exactly as before.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import NamedTuple


class Member(NamedTuple):
    """The fields of a central-directory entry the scan reads, named as ``zipfile.ZipInfo`` names them."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int

    @property
    def orig_filename(self) -> str:
        return self.filename  # names zipfile would change (a NUL, os.sep) are left to zipfile


Info = zipfile.ZipInfo | Member
_new_member = tuple.__new__  # a NamedTuple's own __new__ is Python code, a tenth of the scan of a member

END_RECORD = struct.Struct("<4s4H2LH")  # end of central directory record (zipfile's structEndArchive)
CENTRAL_ENTRY = struct.Struct("<4s4B4HL2L5H2L")  # central directory entry (zipfile's structCentralDir)
_MAX_EXTRACT_VERSION = getattr(zipfile, "MAX_EXTRACT_VERSION", 63)  # above it zipfile refuses the file


def central_directory(raw: bytes) -> list[Member] | None:
    """Every entry of a plain package's central directory, in order, as ``zipfile`` would list them;
    None when the package is anything but plain, so that ``zipfile`` reads it (and reports its damage)."""
    end = len(raw) - END_RECORD.size
    if end < 64:
        return None
    sig, disk, cd_disk, here, count, cd_size, cd_at, comment = END_RECORD.unpack_from(raw, end)
    # zipfile looks for a zip64 locator just before the end record, and shifts every offset by
    # whatever lies between the central directory and the end record: neither may happen here.
    if (sig != b"PK\x05\x06" or comment or disk or cd_disk or here != count or cd_at + cd_size != end
            or raw[end - 20:end - 16] == b"PK\x06\x07"):
        return None
    members = []
    pos = cd_at
    for _ in range(count):
        if pos + CENTRAL_ENTRY.size > end:
            return None
        (sig, _, _, need, _, flags, method, _, _, crc, csize, size, name_len, extra_len, comment_len,
         _, _, _, offset) = CENTRAL_ENTRY.unpack_from(raw, pos)
        name_at = pos + CENTRAL_ENTRY.size
        pos = name_at + name_len + comment_len
        if (sig != b"PK\x01\x02" or extra_len or need > _MAX_EXTRACT_VERSION or pos > end
                or flags & 0x20 or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)):
            return None
        name = raw[name_at:name_at + name_len]
        if b"\x00" in name or (os.sep != "/" and os.sep.encode() in name):
            return None
        try:
            text = name.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        members.append(_new_member(Member, (text, flags, method, crc, csize, size, offset)))  # Member(...)
    return members if pos == end else None


class Package:
    """A zip's members, its central directory read once; ``zipfile`` only for what is not plain."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        members = central_directory(raw)
        # zipfile reads a package that is not plain (its members may need ZipFile.open); None otherwise.
        self.fallback = None if members is not None else zipfile.ZipFile(io.BytesIO(raw))
        self.infos: list[Info] = list(members) if members is not None else self.zf.infolist()

    @property
    def zf(self) -> zipfile.ZipFile:
        """A ``zipfile`` view of the package, opened when first asked for."""
        if self.fallback is None:
            self.fallback = zipfile.ZipFile(io.BytesIO(self.raw))
        return self.fallback

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fallback is not None:
            self.fallback.close()


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra field length
_FEED = 16 * 1024  # compressed bytes handed to zlib at a time: its unconsumed tail stays small


def stored_body(raw: bytes, info: Info) -> bytes | memoryview | None:
    """A stored or deflated member's compressed bytes, once its local header agrees with the
    central directory; None for what only ``zipfile`` reads (patched data, other methods)."""
    if info.flag_bits & 0x1:
        from .security import UnsafeFile

        raise UnsafeFile("文件已加密（设置了打开密码），请去除密码后重新报送")
    if info.flag_bits & 0x20 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    if not 0 <= at <= len(raw) - _LOCAL_HEADER.size:
        raise zipfile.BadZipFile(f"local header of {info.filename} lies outside the file")
    sig, name_len, extra_len = _LOCAL_HEADER.unpack_from(raw, at)
    name = info.orig_filename
    name = name.encode("ascii" if name.isascii() else "utf-8" if info.flag_bits & 0x800 else "cp437")
    if sig != b"PK\x03\x04" or name_len != len(name) or not raw.startswith(name, at + _LOCAL_HEADER.size):
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    start = at + _LOCAL_HEADER.size + name_len + extra_len
    size = info.compress_size
    if start + size > len(raw):
        raise EOFError(f"{info.filename} is truncated")
    # Small members as one bytes slice; big ones through a view, so nothing large is copied.
    return raw[start:start + size] if size <= _FEED else memoryview(raw)[start:start + size]


def member_chunks(zf: zipfile.ZipFile | None, raw: bytes, info: Info,
                  chunk: int = 4096, grow: bool = False) -> Iterator[bytes]:
    """A member's uncompressed bytes, chunk by chunk, never more than its declared size.

    Stored and deflated members (all that Excel and WPS write) are inflated straight from the
    file's bytes: ``ZipFile.open`` costs about 20 µs a member, as much as the rest of the scan.
    Anything else goes through ``zf`` (the ``zipfile`` a :class:`Package` of such a member has).
    With ``grow`` the chunks double up to 64 KiB (a prolog is usually decided in the first
    128 bytes, but padding may go on for megabytes).
    """
    body = stored_body(raw, info)
    if body is None:
        assert zf is not None and isinstance(info, zipfile.ZipInfo)
        with zf.open(info) as fh:  # zipfile refuses what it cannot read (patched data, odd methods)
            yield from iter(lambda: fh.read(chunk), b"")
        return
    left = info.file_size
    if info.compress_type == zipfile.ZIP_STORED:
        pos = 0
        while pos < left:
            yield bytes(body[pos:pos + chunk])
            pos += chunk
            chunk = min(chunk * 2, 65536) if grow else chunk
        return
    inflater = zlib.decompressobj(-15)
    fed, pending = 0, b""
    while left > 0 and not inflater.eof:
        if not pending:
            if fed >= len(body):
                return
            pending, fed = body[fed:fed + _FEED], fed + _FEED
        before = len(pending)
        out = inflater.decompress(pending, min(chunk, left))
        pending = inflater.unconsumed_tail
        if out:
            left -= len(out)
            yield out
            chunk = min(chunk * 2, 65536) if grow else chunk
        elif len(pending) == before:
            return  # no progress: a damaged stream (the size/CRC check of a whole read fails)


def member_head(raw: bytes, info: Info, limit: int) -> bytes:
    """The first bytes :func:`member_chunks` gives with ``chunk=limit`` (b"" when it would take
    more than one step), in one call: a prolog is usually decided there."""
    body = stored_body(raw, info)
    if body is None or info.file_size <= 0:
        return b""
    if info.compress_type == zipfile.ZIP_STORED:
        return bytes(body[:limit])
    return zlib.decompressobj(-15).decompress(body[:_FEED], min(limit, info.file_size))


def read_member(zf: zipfile.ZipFile | None, raw: bytes, info: Info) -> bytes:
    """A whole member, checked against its declared size and CRC like ``ZipFile.read``
    (zipfile too stops inflating at the declared size and then compares the CRC)."""
    size = info.file_size
    if size > 0 and isinstance(body := stored_body(raw, info), bytes):
        # What member_chunks does for a member of one feed, in one call: zlib's max_length caps
        # the output at the declared size, so a header that lies inflates no further.
        if info.compress_type == zipfile.ZIP_STORED:
            data = body[:size]
        else:
            data = zlib.decompressobj(-15).decompress(body, size)
    else:
        data = b"".join(member_chunks(zf, raw, info, chunk=max(size, 1)))
    if len(data) != size or zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"{info.filename} is corrupt (size or CRC)")
    return data
