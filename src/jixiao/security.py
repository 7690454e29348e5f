"""Defences for reading files strangers send: zip bombs, XML entity expansion, path traversal.

Every check raises :class:`UnsafeFile` (a ``ValueError``) with a Chinese reason; the
validator turns it into an ``unreadable-file`` finding. Nothing here opens a workbook.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from . import sizes
from .zipmembers import Info, Package, member_chunks, member_head, read_member

# Limits generous for real 绩效 forms (a few hundred KB) and tight for hostile input.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_MEMBER_UNCOMPRESSED = 128 * 1024 * 1024
MAX_RATIO = 200  # uncompressed ÷ compressed, for members bigger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_SHEETS = 200
MAX_ROWS = 5_000  # rows read per sheet: forms are a few dozen rows
MAX_COLS = 200

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Attribute spans are [^<>]*: "<" cannot stand in XML attributes, so every scan stops at the next
# tag and the patterns stay linear on hostile input (a long run of "<c" never rescans the rest).
# The end of a formula, then the end of its cell or an empty cached value: a formula cell
# without a cached value, unless it caches an empty string (t="str" with <v></v>).
_UNCACHED_TAIL_RE = re.compile(rb"(?:</f>|<f\b[^<>]*/>)\s*(</c>|<v\s*/>|<v>\s*</v>)")


def has_uncached_formula(sheet_xml: bytes) -> bool:
    """Does a worksheet part hold a formula cell with no cached value?"""
    cell, searched = -1, 0  # the <c> the next match belongs to; text before `searched` is done
    for m in _UNCACHED_TAIL_RE.finditer(sheet_xml):
        if m.group(1) == b"</c>":
            return True
        # The cell's start tag: the last "<c" before the match, each byte searched once.
        cell = max(cell, sheet_xml.rfind(b"<c ", searched, m.start()), sheet_xml.rfind(b"<c>", searched, m.start()))
        searched = m.start()
        if cell < 0 or b't="str"' not in sheet_xml[cell:sheet_xml.find(b">", cell, m.start())]:
            return True
    return False


class UnsafeFile(ValueError):
    """A file that must not be opened; ``reason`` is the Chinese explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sniff:
    kind: str  # "xlsx" | "xls" | "ods"
    data: bytes = b""  # the file's bytes as checked; calamine parses these, not the path again
    uncached_formulas: bool = False  # some formula cells carry no cached value
    parts: dict[str, bytes] | None = None  # xl/workbook.xml and docProps/core.xml, already checked
    formula_cells: dict[str, frozenset[str]] | None = None  # worksheet part → refs holding a formula
    error_cells: dict[str, dict[str, str]] | None = None  # worksheet part → {ref: "#DIV/0!"} (cached errors)


SheetHook = Callable[[str, bytes, dict[str, bytes]], None]


def sniff_workbook(path: str | os.PathLike[str],
                   formula_refs_wanted: Callable[[dict[str, bytes]], bool] | None = None,
                   on_sheet: SheetHook | None = None) -> Sniff:
    """Check a workbook before any parser sees it; raise UnsafeFile when it is not safe or not one.

    ``formula_refs_wanted`` decides from the small parts (``KEEP_PARTS``) whether the cells
    holding formulas are worth listing (``Sniff.formula_cells``); by default they are.
    ``on_sheet(part name, bytes, kept parts)`` sees each worksheet part of an .xlsx as the scan
    inflates it (the reader takes hidden rows and number formats from it without inflating again).
    """
    from .reader import filetype

    try:
        # O_NONBLOCK: a FIFO named like a workbook must not hang the read; only regular files are read.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise UnsafeFile("不是普通文件（命名管道、设备等），已拒绝")
            size = st.st_size
            raw = fh.read() if 0 < size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        raise UnsafeFile(f"无法打开文件：{exc.strerror or exc}") from None
    if size == 0:
        raise UnsafeFile("文件为空（0 字节）")
    if size > MAX_FILE_BYTES:
        raise UnsafeFile(f"文件过大（{size // 1024 // 1024} MB），超过 {MAX_FILE_BYTES // 1024 // 1024} MB 上限")
    if raw.startswith(OLE_MAGIC):
        # An encrypted .xlsx is an OLE container holding "EncryptionInfo"/"EncryptedPackage".
        head = raw[:1024 * 1024]
        if "EncryptedPackage".encode("utf-16-le") in head or "EncryptionInfo".encode("utf-16-le") in head:
            raise UnsafeFile("文件已加密（设置了打开密码），请去除密码后重新报送")
        reason = filetype.describe_ole(raw)
        if reason:
            raise UnsafeFile(reason)
        refusal = sizes.xls_refusal(raw)
        if refusal:
            raise UnsafeFile(refusal)
        return Sniff("xls", raw)
    if raw.startswith(ZIP_MAGIC):
        ods_parts: dict[str, bytes] = {}
        if check_ods(raw, ods_parts):
            return Sniff("ods", raw, parts=ods_parts)
        parts: dict[str, bytes] = {}
        formulas: dict[str, frozenset[str]] = {}
        errors: dict[str, dict[str, str]] = {}
        uncached = check_ooxml(raw, keep=KEEP_PARTS, kept=parts, formulas=formulas,
                               formula_refs_wanted=formula_refs_wanted, errors=errors, on_sheet=on_sheet)
        return Sniff("xlsx", raw, uncached_formulas=uncached, parts=parts, formula_cells=formulas,
                     error_cells=errors)
    raise UnsafeFile(filetype.describe_other(raw))


def check_zip_limits(zf: zipfile.ZipFile, what: str = "工作簿") -> list[zipfile.ZipInfo]:
    """Member count, sizes and compression ratio, from the central directory (nothing inflated)."""
    return check_members(zf.infolist(), what)


def check_members(infos: list[Info], what: str = "工作簿") -> list[Info]:
    """:func:`check_zip_limits` of members already listed (a :class:`~jixiao.zipmembers.Package`'s)."""
    if len(infos) > MAX_MEMBERS:
        raise UnsafeFile(f"{what}内部文件过多（{len(infos)} 个），疑似压缩炸弹")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_UNCOMPRESSED or total > MAX_UNCOMPRESSED:
            raise UnsafeFile(f"{what}解压后过大，疑似压缩炸弹")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeFile(f"{what}压缩比异常（{info.filename}），疑似压缩炸弹")
    return infos


KEEP_PARTS = ("xl/workbook.xml", "docProps/core.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml")
ODS_KEEP = ("content.xml", "styles.xml")


def check_ods(raw: bytes, kept: dict[str, bytes]) -> bool:
    """An OpenDocument spreadsheet's package checked like an .xlsx one (limits, no DTD in any XML
    part); its content.xml and styles.xml are returned in ``kept``. False when the zip is not an
    OpenDocument spreadsheet (then the .xlsx checks decide)."""
    from .reader.filetype import ODS_MIMETYPE, zip_mimetype

    if raw[30:38] != b"mimetype":
        return False  # OpenDocument puts its stored "mimetype" member first (ODF 1.2 part 3, 3.3)
    try:
        with Package(raw) as package:
            infos = check_members(package.infos)
            if zip_mimetype(package.zf, {i.filename for i in infos}) != ODS_MIMETYPE:
                return False
            for info in infos:
                if info.filename in ODS_KEEP:
                    data = read_member(package.zf, raw, info)
                    kept[info.filename] = data
                    has_dtd = _prolog_has_dtd(iter((data,)))
                else:
                    has_dtd = part_has_dtd(package.zf, raw, info)
                if has_dtd:
                    raise UnsafeFile(f"表格 XML 含有 DOCTYPE/ENTITY 声明（{info.filename}），已拒绝（防 XML 实体攻击）")
            if "content.xml" not in kept:
                raise UnsafeFile("OpenDocument 表格缺少 content.xml，文件不完整")
            return True
    except UnsafeFile:
        raise
    except Exception:  # zipfile/zlib errors: the .xlsx checks that follow report the damage
        return False


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")  # \w of bytes
_SPACE_BYTES = frozenset(b" \t\n\r\x0b\x0c")  # \s of bytes
_REF_VALUE_RE = re.compile(rb'([A-Z]{1,3}[0-9]{1,7})"')


def formula_refs(sheet_xml: bytes) -> list[bytes]:
    """The r="A1" of every <c> holding a <f>, in order: what the regular expression
    ``<c\\b(?:[^<>r]|\\Br|\\br(?!="))*\\br="([A-Z]{1,3}[0-9]{1,7})"[^<>]*>\\s*<f\\b`` finds, but
    found from the formulas back to their cells (a form has a few dozen formulas among hundreds
    of cells, and that expression tries every cell). Each byte is looked at a bounded number of
    times: from one <f the walk back never passes the previous "<"."""
    out = []
    find, rfind, n = sheet_xml.find, sheet_xml.rfind, len(sheet_xml)
    q = find(b"<f")
    while q >= 0:
        if q + 2 >= n or sheet_xml[q + 2] not in _WORD_BYTES:  # <f\b, not <foo
            g = q - 1
            while g >= 0 and sheet_xml[g] in _SPACE_BYTES:
                g -= 1
            start = rfind(b"<", 0, g) if g >= 0 and sheet_xml[g] == 0x3E else -1  # the tag closed by ">"
            # <c\b, no ">" inside, then its first r=" not preceded by a word character.
            if (start >= 0 and sheet_xml.startswith(b"<c", start) and sheet_xml[start + 2] not in _WORD_BYTES
                    and find(b">", start, g) < 0):
                k = find(b'r="', start + 3, g)
                while k >= 0 and sheet_xml[k - 1] in _WORD_BYTES:
                    k = find(b'r="', k + 1, g)
                ref = _REF_VALUE_RE.match(sheet_xml, k + 3, g) if k >= 0 else None
                if ref:
                    out.append(ref.group(1))
        q = find(b"<f", q + 2)
    return out


def check_ooxml(raw: bytes, keep: tuple[str, ...] = (), kept: dict[str, bytes] | None = None,
                formulas: dict[str, frozenset[str]] | None = None,
                formula_refs_wanted: Callable[[dict[str, bytes]], bool] | None = None,
                errors: dict[str, dict[str, str]] | None = None,
                on_sheet: SheetHook | None = None) -> bool:
    """Validate an .xlsx/.xlsm package (its bytes); return True when some formula lacks a cached value.

    Rejects DOCTYPE/ENTITY declarations (entity expansion, external entities) in any XML part.
    Parts named in ``keep`` (small ones) are returned in ``kept``, so nobody reopens the zip;
    they are read first, so ``formula_refs_wanted(kept)`` can decide whether ``formulas`` is filled.
    ``errors`` receives the cells whose cached value is an error (calamine reads them as blank).
    """
    try:
        with Package(raw) as package:
            zf = package.fallback  # None for a plain package: its members are read from raw
            infos = check_members(package.infos)
            names = {i.filename for i in infos}
            if "EncryptedPackage" in names:
                raise UnsafeFile("文件已加密（设置了打开密码），请去除密码后重新报送")
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                from .reader.filetype import describe_zip, zip_mimetype

                raise UnsafeFile(describe_zip(names, zip_mimetype(package.zf, names))
                                 or "不是 Excel 工作簿（压缩包中没有工作簿内容）")
            uncached = False
            want_refs: bool | None = None  # decided at the first formula, once kept parts are in
            for info in sorted(infos, key=lambda i: i.filename not in keep):
                name = info.filename
                sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
                if sheet or (name in keep and kept is not None and info.file_size < 4 * 1024 * 1024):
                    data = read_member(zf, raw, info)
                    if name in keep and kept is not None:
                        kept[name] = data
                    has_dtd = _prolog_has_dtd(iter((data,)))
                else:
                    # Any part that starts like XML is XML, whatever its name (rels can
                    # point anywhere); only its prolog is read.
                    data = b""
                    has_dtd = part_has_dtd(zf, raw, info)
                if has_dtd:
                    raise UnsafeFile(f"工作簿 XML 含有 DOCTYPE/ENTITY 声明（{name}），已拒绝（防 XML 实体攻击）")
                refusal = sizes.sheet_refusal(name, data) if sheet else None
                if refusal:
                    raise UnsafeFile(refusal)
                if sheet and on_sheet is not None:
                    on_sheet(name, data, kept if kept is not None else {})
                if sheet and errors is not None and b't="e"' in data:
                    errors[name] = sheet_error_cells(data)
                if sheet and b"<f" in data:
                    uncached = uncached or has_uncached_formula(data)
                    if want_refs is None:
                        want_refs = formulas is not None and (
                            formula_refs_wanted is None or formula_refs_wanted(kept or {}))
                    if want_refs and formulas is not None:
                        formulas[name] = frozenset(m.decode() for m in formula_refs(data))
            return uncached
    except UnsafeFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise UnsafeFile(f"文件已损坏或不完整（{type(exc).__name__}: {exc}）") from None
    except Exception as exc:  # zlib.error, NotImplementedError (unsupported compression)
        raise UnsafeFile(f"文件已损坏或不完整（{type(exc).__name__}）") from None


_CELL_TAG_RE = re.compile(rb"<c\b([^<>]*)>")
_REF_RE = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_CACHED_VALUE_RE = re.compile(rb"\s*(?:<f\b[^<>]*(?:/>|>[^<]*</f>)\s*)?<v>([^<]{1,16})</v>")


def sheet_error_cells(sheet_xml: bytes) -> dict[str, str]:
    """{"F12": "#NAME?"}: cells whose cached value is an error (t="e"), e.g. a formula whose
    function the saving program did not know."""
    found = {}
    for m in _CELL_TAG_RE.finditer(sheet_xml):
        attrs = m.group(1)
        if b't="e"' not in attrs or attrs.endswith(b"/"):
            continue  # not an error cell, or an empty one (<c .../>)
        ref, value = _REF_RE.search(attrs), _CACHED_VALUE_RE.match(sheet_xml, m.end())
        if ref and value:
            found[ref.group(1).decode()] = value.group(1).decode("ascii", "replace")
    return found


# White space and whole comments/PIs in one C-level step (a run of "<?a?>" is no slower than text).
_PROLOG_SKIP = re.compile(rb"(?:[ \t\r\n\x0b\x0c]+|<\?.*?\?>|<!--.*?-->)*", re.S)


def _as_utf8(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A part's bytes as UTF-8: UTF-16 (with a BOM, or a zero byte among the first four) is
    decoded, so "<!DOCTYPE" cannot hide between zero bytes, and NUL characters (never legal in
    XML; UTF-32 read as UTF-16 leaves them) are dropped."""
    head = b""
    for chunk in chunks:  # the first four bytes decide, however the part is cut
        head += chunk
        if len(head) >= 4:
            break
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        decoder = codecs.getincrementaldecoder("utf-16")("replace")  # the BOM tells the byte order
    elif b"\x00" in head[:4]:
        decoder = codecs.getincrementaldecoder("utf-16-be" if head[:1] == b"\x00" else "utf-16-le")("replace")
    else:
        yield from itertools.chain((head,), chunks)
        return
    for chunk in itertools.chain((head,), chunks):
        yield decoder.decode(chunk).replace("\x00", "").encode("utf-8")


def _prolog_verdict(head: bytes) -> bool | None:
    """The answer of :func:`_prolog_has_dtd` when a part's first bytes settle it: plain UTF-8
    whose prolog ends inside them, as every office suite writes. None sends it the long way."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in head[:4] or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    pos = _PROLOG_SKIP.match(head).end()
    if len(head) - pos < 4 or head.startswith((b"<!--", b"<?"), pos):
        return None  # the prolog goes on past these bytes
    return head.startswith(b"<!", pos)


def _prolog_has_dtd(chunks: Iterator[bytes]) -> bool:
    """Does an XML part declare a DOCTYPE/ENTITY before its root element?

    A DTD can only stand in the prolog, so the walk skips white space, processing instructions
    and comments (however long: padding is no hiding place) and stops at the first other markup.
    Parts that do not start like XML (images, vbaProject.bin) end the walk at once. The walk is
    linear: it moves an index, and inside a long comment only the last bytes are kept.
    """
    first = next(chunks, b"")
    verdict = _prolog_verdict(first)
    return _prolog_walk(itertools.chain((first,), chunks)) if verdict is None else verdict


def part_has_dtd(zf: zipfile.ZipFile | None, raw: bytes, info: Info) -> bool:
    """:func:`_prolog_has_dtd` of a member inflated only as far as its prolog goes: its first
    256 bytes in one call, which settle almost every part, then chunk by chunk if need be."""
    verdict = _prolog_verdict(member_head(raw, info, 256))
    return _prolog_has_dtd(member_chunks(zf, raw, info, chunk=256, grow=True)) if verdict is None else verdict


def _prolog_walk(chunks: Iterator[bytes]) -> bool:
    """:func:`_prolog_has_dtd` the long way, chunk by chunk."""
    buf, pos, closing = b"", 0, b""  # closing: the "-->" or "?>" awaited, if inside one
    for chunk in _as_utf8(chunks):
        buf, pos = buf[pos:] + chunk, 0
        while True:
            if closing:
                end = buf.find(closing, pos)
                if end < 0:
                    buf, pos = buf[-len(closing) + 1:], 0  # the close may straddle two chunks
                    break
                pos, closing = end + len(closing), b""
            pos = _PROLOG_SKIP.match(buf, pos).end()
            if len(buf) - pos < 4:
                break  # too little to tell "<!--" from "<!DOCTYPE"
            if buf.startswith(b"<!--", pos):
                pos, closing = pos + 4, b"-->"
            elif buf.startswith(b"<?", pos):
                pos, closing = pos + 2, b"?>"
            else:
                return buf.startswith(b"<!", pos)  # in a prolog, any other <! is a DOCTYPE
    return not closing and buf.startswith(b"<!", _PROLOG_SKIP.match(buf, pos).end())


# ---------------------------------------------------------------- archives of submissions
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")  # what a folder or archive is searched for (see archives.py)
REPORT_SUFFIXES = (".docx", ".pdf", ".txt")  # 自评报告 handed in beside the workbooks (jixiao.reports)
_REPORT_WORDS = re.compile("报告|自评|评价|绩效")


def wanted_in_batch(name: str) -> bool:
    """Is a file met in a folder or an archive one to validate? Workbooks, .zip archives, .docx and
    .pdf reports, and a .txt whose name says it is a report (a readme or notes.txt beside the files
    is not). Office lock files (~$…) and hidden files are not."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.name.startswith(("~$", ".")):
        return False
    suffix = p.suffix.lower()
    if suffix == ".txt":
        return bool(_REPORT_WORDS.search(p.stem))
    return suffix in (*WORKBOOK_SUFFIXES, *REPORT_SUFFIXES, ".zip")
