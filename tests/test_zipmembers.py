"""The safety scan reads plain packages itself (jixiao.zipmembers): it must see what zipfile sees,
refuse what zipfile's way refused, and leave every other package to zipfile."""

from __future__ import annotations

import struct
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_factory import build

from jixiao import security, zipmembers

FIELDS = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
          "header_offset")
DTD = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x/>'


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    p = tmp_path_factory.mktemp("zip") / "good.xlsx"
    build(p, [("自评表", "xiangmu", {}), ("附表1", "fubiao1", {})])
    return p.read_bytes()


def _members(raw: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(_io(raw)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _io(raw: bytes):
    import io

    return io.BytesIO(raw)


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED, comment: bytes = b"",
         extra: bytes = b"", zip64: bool = False) -> bytes:
    buf = _io(b"")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are written on purpose
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, data in members:
                info = zipfile.ZipInfo(name)
                info.compress_type = method
                info.extra = extra
                if zip64:
                    with zf.open(info, "w", force_zip64=True) as fh:
                        fh.write(data)
                else:
                    zf.writestr(info, data)
            zf.comment = comment
    return buf.getvalue()


def _variants(members: list[tuple[str, bytes]], written: bytes | None = None) -> dict[str, tuple[bytes, bool]]:
    """name → (package, read without zipfile?), each holding ``members``."""
    plain = _zip(members)
    return {
        "as written": (written or plain, True),
        "stored": (_zip(members, zipfile.ZIP_STORED), True),
        "utf-8 names": (_zip([*members, ("xl/media/附件说明.xml", b"<x/>")]), True),
        "duplicate names": (_zip([*members, members[-1]]), True),
        "zip64 local headers": (_zip(members, zip64=True), True),
        "archive comment": (_zip(members, comment=b"saved by a tool"), False),
        "extra fields": (_zip(members, extra=struct.pack("<HH", 0xCAFE, 2) + b"ok"), False),
        "data before the archive": (b"MZ" + b"\x00" * 200 + plain, False),
        "bzip2": (_zip(members, zipfile.ZIP_BZIP2), False),
    }


def _scan(raw: bytes) -> object:
    """Everything check_ooxml tells about a package, or why it refused it."""
    kept: dict[str, bytes] = {}
    formulas: dict[str, frozenset[str]] = {}
    errors: dict[str, dict[str, str]] = {}
    try:
        uncached = security.check_ooxml(raw, keep=security.KEEP_PARTS, kept=kept, formulas=formulas,
                                        errors=errors)
    except security.UnsafeFile as exc:
        return exc.reason
    return uncached, kept, formulas, errors


def test_the_central_directory_is_read_as_zipfile_reads_it(good):
    for name, (raw, plain) in _variants(_members(good), good).items():
        with zipfile.ZipFile(_io(raw)) as zf:
            expected = [tuple(getattr(i, f) for f in FIELDS) for i in zf.infolist()]
        assert (zipmembers.central_directory(raw) is not None) is plain, name
        with zipmembers.Package(raw) as package:
            assert [tuple(getattr(i, f) for f in FIELDS) for i in package.infos] == expected, name
            assert (package.fallback is None) is plain, name


SHEET = "xl/worksheets/sheet1.xml"


def _patch_entry(raw: bytes, field: int, change) -> bytes:
    """Change one 4-byte field of the sheet's central directory entry."""
    out = bytearray(raw)
    at = out.find(b"PK\x01\x02")
    while out[at + 46:at + 46 + len(SHEET)] != SHEET.encode():
        at = out.find(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", out, at + field, change(struct.unpack_from("<I", out, at + field)[0]))
    return bytes(out)


DAMAGE = {
    "none": (None, None),
    "dtd in a part only sniffed": (lambda n, d: DTD if n in ("xl/theme/theme1.xml", "_rels/.rels") else d, None),
    "dtd in a sheet": (lambda n, d: DTD if n == SHEET else d, None),
    "lying size": (None, lambda raw: _patch_entry(raw, 24, lambda size: size // 2)),
    "bad crc": (None, lambda raw: _patch_entry(raw, 16, lambda crc: crc ^ 1)),
    "truncated": (None, lambda raw: raw[: len(raw) * 2 // 3]),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_the_scan_finds_the_same_with_and_without_zipfile(good, monkeypatch, damage):
    in_members, in_bytes = DAMAGE[damage]
    members = [(n, in_members(n, d) if in_members else d) for n, d in _members(good)]
    for name, (raw, _) in _variants(members, None if in_members else good).items():
        raw = in_bytes(raw) if in_bytes else raw
        ours = _scan(raw)
        with monkeypatch.context() as m:
            m.setattr(zipmembers, "central_directory", lambda raw: None)  # every package through zipfile
            assert _scan(raw) == ours, (name, damage)
        assert isinstance(ours, str) is (damage != "none"), (name, damage, ours)


def _bomb(declared: int, method: int = zipfile.ZIP_DEFLATED) -> tuple[bytes, zipmembers.Info]:
    """A one-member package whose member inflates to 10 MB (in one feed of compressed bytes) but
    declares ``declared`` bytes, CRC and all."""
    body = b'<?xml version="1.0"?><worksheet>' + b" " * (10 * 1024 * 1024) + b"</worksheet>"
    raw = bytearray(_zip([("xl/worksheets/sheet1.xml", body)], method))
    entry = raw.find(b"PK\x01\x02")
    crc = zlib.crc32(body[:declared])  # even a CRC that agrees with what the scan would read
    for at, off in ((0, 14), (entry, 16)):  # local header, central directory: CRC, then sizes
        struct.pack_into("<I", raw, at + off, crc)
        struct.pack_into("<I", raw, at + off + 8, declared)
    return bytes(raw), zipmembers.central_directory(bytes(raw))[0]


@pytest.mark.parametrize("declared", [0, 1, 2048])
def test_a_member_is_never_inflated_past_its_declared_size(declared):
    raw, info = _bomb(declared)
    assert info.compress_size <= zipmembers._FEED  # the one-call way
    tracemalloc.start()
    try:
        data = security.read_member(None, raw, info)
        head = zipmembers.member_head(raw, info, 256)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data) == declared and data == (b'<?xml version="1.0"?><worksheet>' + b" " * 4096)[:declared]
    assert len(head) == min(256, declared)
    assert peak < 1024 * 1024  # 10 MB had it been inflated whole


def test_a_lying_member_is_refused_when_its_crc_does_not_agree():
    raw, _ = _bomb(2048)
    lie = bytearray(raw)
    for at, off in ((0, 14), (lie.find(b"PK\x01\x02"), 16)):
        struct.pack_into("<I", lie, at + off, zlib.crc32(b"something else"))
    info = zipmembers.central_directory(bytes(lie))[0]
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        security.read_member(None, bytes(lie), info)


_PIECES = st.sampled_from([b" ", b"\n", b"<?pi x?>", b"<!-- c -->", b"<!--" + b"-" * 300 + b"-->",
                           b"<?pad " + b"p" * 400 + b"?>"])


@settings(max_examples=60, deadline=None)
@given(st.booleans(), st.lists(_PIECES, max_size=6),
       st.sampled_from([DTD.split(b"?>", 1)[1], b"<root/>", b"PNG\x00\x01"]),
       st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
def test_a_part_sniffed_by_its_first_bytes_gets_the_answer_of_the_whole_walk(bom, prolog, rest, method):
    raw = _zip([("xl/custom/part.xml", b"\xef\xbb\xbf" * bom + b"".join(prolog) + rest)], method)
    info = zipmembers.central_directory(raw)[0]
    whole = security._prolog_has_dtd(security.member_chunks(None, raw, info, chunk=256, grow=True))
    assert security.part_has_dtd(None, raw, info) is whole
    assert whole is rest.startswith(b"<!DOCTYPE")


def test_encrypted_member_refused_on_either_path(good):
    raw = bytearray(good)
    entry = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, entry + 8, struct.unpack_from("<H", raw, entry + 8)[0] | 0x1)
    assert zipmembers.central_directory(bytes(raw)) is not None
    assert "加密" in _scan(bytes(raw))


def test_sniff_reads_a_plain_workbook_without_zipfile(tmp_path, good, monkeypatch):
    p = Path(tmp_path / "plain.xlsx")
    p.write_bytes(good)

    def refuse(*args, **kwargs):
        raise AssertionError("zipfile opened a plain package")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    sniff = security.sniff_workbook(p)
    assert sniff.kind == "xlsx" and "xl/workbook.xml" in (sniff.parts or {})
