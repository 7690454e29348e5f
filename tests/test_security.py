"""Broken and hostile files: each gets a status, none stops the batch, none is opened unsafely."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from workbook_factory import build

from jixiao import archives, security
from jixiao.validation import validate, validate_file


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good.xlsx"
    build(p, [("自评表", "xiangmu", {})])
    return p


def _rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None,
           add: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = (replace or {}).get(info.filename, zin.read(info))
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _unreadable(path: Path) -> str:
    res = validate_file(path)
    assert res.status == "unreadable", res.findings
    assert [f.rule for f in res.findings] == ["unreadable-file"]
    return res.findings[0].message


def test_empty_file(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert "为空" in _unreadable(tmp_path / "e.xlsx")


def test_not_a_workbook(tmp_path):
    (tmp_path / "t.xlsx").write_text("项目名称,得分\n甲,91\n", encoding="utf-8")
    assert "不是 Excel" in _unreadable(tmp_path / "t.xlsx")
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "不是 Excel" in _unreadable(tmp_path / "z.xlsx")


def test_truncated_file(tmp_path, good):
    data = good.read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert "损坏" in _unreadable(tmp_path / "cut.xlsx")


def test_corrupt_member(tmp_path, good):
    bad = _rezip(good, tmp_path / "bad.xlsx", replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    _unreadable(bad)


def test_encrypted_file(tmp_path):
    # An encrypted .xlsx is an OLE compound file holding EncryptionInfo / EncryptedPackage.
    body = security.OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 \
        + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048
    (tmp_path / "locked.xlsx").write_bytes(body)
    assert "加密" in _unreadable(tmp_path / "locked.xlsx")


def test_fake_xls(tmp_path):
    (tmp_path / "x.xls").write_bytes(security.OLE_MAGIC + b"\x00" * 1000)
    _unreadable(tmp_path / "x.xls")


def test_xml_entity_expansion_rejected(tmp_path, good):
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    bad = _rezip(good, tmp_path / "lol.xlsx", replace={"xl/worksheets/sheet1.xml": laughs + body})
    assert "DOCTYPE" in _unreadable(bad)
    ext = _rezip(good, tmp_path / "xxe.xlsx", replace={
        "xl/styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><styleSheet/>'})
    _unreadable(ext)


def test_zip_bomb_rejected(tmp_path, good):
    bomb = _rezip(good, tmp_path / "bomb.xlsx", add={"xl/media/pad.bin": b"\x00" * (20 * 1024 * 1024)})
    assert "压缩炸弹" in _unreadable(bomb)


def test_too_many_members(tmp_path, good):
    many = _rezip(good, tmp_path / "many.xlsx", add={f"xl/x/{i}.xml": b"<a/>" for i in range(security.MAX_MEMBERS)})
    assert "过多" in _unreadable(many)


def test_archive_traversal_and_nesting(tmp_path, good):
    inner3 = io.BytesIO()
    with zipfile.ZipFile(inner3, "w") as z:
        z.writestr("deep.xlsx", good.read_bytes())
    nested = inner3.getvalue()
    for _ in range(archives.MAX_ARCHIVE_DEPTH):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("inner.zip", nested)
        nested = buf.getvalue()
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("部门A/good.xlsx", good.read_bytes())
        z.writestr("../../evil.xlsx", good.read_bytes())
        z.writestr("/abs/evil2.xlsx", good.read_bytes())
        z.writestr("ok/inner.zip", _zip_of({"b.xlsx": good.read_bytes()}))
        z.writestr("nest.zip", nested)
        z.writestr("notes.txt", "ignored")
    report = validate([archive], out_dir=None)
    by = {f.path: f.status for f in report.files}
    assert by[f"{archive}!部门A/good.xlsx"] == "ok"
    assert by[f"{archive}!ok/inner.zip!b.xlsx"] == "ok"
    assert by[f"{archive}!../../evil.xlsx"] == "unreadable"
    assert by[f"{archive}!/abs/evil2.xlsx"] == "unreadable"
    assert any(s == "unreadable" and "nest.zip" in p for p, s in by.items())
    assert not (tmp_path.parent / "evil.xlsx").exists()
    assert len(report.files) == 5


def _zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_one_broken_file_never_stops_the_batch(tmp_path, good):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "junk.xls").write_bytes(b"not a workbook at all")
    build(tmp_path / "wrong.xlsx", [("表", "xiangmu", {"total": 90})])
    for jobs in (1, 2):
        report = validate(tmp_path, jobs=jobs)
        by = {Path(f.path).name: f.status for f in report.files}
        assert by == {"empty.xlsx": "unreadable", "good.xlsx": "ok", "junk.xls": "unreadable",
                      "wrong.xlsx": "invalid"}


@pytest.mark.parametrize("padding", [
    b"<!--" + b"x" * 5000 + b"-->",  # a comment longer than any fixed head
    b"<!--" + b"<a>" * 3000 + b"-->",  # markup-looking text inside the comment
    b"<?pad " + b"y" * 9000 + b"?>\n" + b" " * 7000,  # a long PI and white space
], ids=["long-comment", "markup-in-comment", "long-pi"])
def test_dtd_after_a_long_prolog_is_still_found(tmp_path, good, padding):
    dtd = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    with zipfile.ZipFile(good) as zf:
        core = zf.read("docProps/core.xml")
    body = core.split(b"?>", 1)[1] if core.startswith(b"<?xml") else core
    bad = _rezip(good, tmp_path / "padded.xlsx", replace={
        "docProps/core.xml": b'<?xml version="1.0"?>' + padding + dtd + body})
    assert "DOCTYPE" in _unreadable(bad)


def test_dtd_in_a_part_with_any_name_or_encoding(tmp_path, good):
    dtd = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]><x/>'
    odd = _rezip(good, tmp_path / "odd.xlsx", add={"xl/custom/part.dat": dtd.encode("utf-8")})
    assert "DOCTYPE" in _unreadable(odd)
    utf16 = _rezip(good, tmp_path / "u16.xlsx", add={"customXml/item9.xml": dtd.encode("utf-16")})
    assert "DOCTYPE" in _unreadable(utf16)


def test_prolog_walk_accepts_ordinary_parts():
    # What office suites write is settled by the first chunk alone (the fast path answers).
    assert security._prolog_verdict(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet>') is False
    assert security._prolog_verdict(b'\xef\xbb\xbf<?xml version="1.0"?><!DOCTYPE x []>') is True
    assert not security._prolog_has_dtd(iter([b'<?xml version="1.0"?>\n<!-- ok --><worksheet/>']))
    assert not security._prolog_has_dtd(iter([b"\x89PNG\r\n\x1a\n" + b"\x00" * 20]))
    chunks = [b'<?xml version="1.0"?><!-- spl', b'it --><!DOC', b'TYPE x []><x/>']
    assert security._prolog_has_dtd(iter(chunks))


_PROLOG_PIECES = st.sampled_from([
    " ", "\t", "\r\n", '<?xml version="1.0"?>', "<?pi ?>", "<!-- c -->", "<!--", "-->", "?>", "<?",
    "<!DOCTYPE x []>", "<!ENTITY e 'e'>", "<root/>", "<r>", "x", "<", "!", "-", "\x00",
])
_ENCODINGS = st.sampled_from([
    lambda t: t.encode(), lambda t: b"\xef\xbb\xbf" + t.encode(), lambda t: t.encode("utf-16"),
    lambda t: t.encode("utf-16-le"), lambda t: t.encode("utf-16-be"), lambda t: t.encode("utf-32-le"),
])


@example("<!-- c --><!DOCTYPE x []><x/>", lambda t: t.encode())  # no answer inside an open comment
@example("<?pi ?><!DOCTYPE x []><x/>", lambda t: t.encode())
@example('<?xml version="1.0"?><!DOCTYPE x []><x/>', lambda t: t.encode("utf-16-le"))
@example("\ufeff<!DOCTYPE x []><x/>", lambda t: t.encode())
@given(st.lists(_PROLOG_PIECES, max_size=12).map("".join), _ENCODINGS)
def test_prolog_fast_path_agrees_with_the_walk_wherever_the_first_chunk_ends(text, encode):
    # _prolog_verdict sees only a part's first chunk: it may pass (None) but never contradict the
    # long walk over the whole part.
    data = encode(text)
    whole = security._prolog_walk(iter([data]))
    for cut in range(len(data) + 1):
        assert security._prolog_verdict(data[:cut]) in (None, whole), cut
    assert security._prolog_has_dtd(iter([data[i:i + 7] for i in range(0, len(data), 7)])) is whole


def test_prolog_walk_is_linear_in_a_huge_comment():
    # 64 MB of comment padding in 512-byte chunks: a walk that kept re-scanning the whole
    # buffer would take hours here; the DTD after it must still be found.
    pad = b"x" * 512
    chunks = [b'<?xml version="1.0"?><!--', *([pad] * (64 * 2048)), b'--><!DOCTYPE x [<!ENTITY e "e">]><x/>']
    assert security._prolog_has_dtd(iter(chunks))
    assert not security._prolog_has_dtd(iter([b"<!--", *([pad] * 1000), b"--><root/>"]))


def _patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite a member's uncompressed size in its local header and central directory entry."""
    out = bytearray(data)
    name = member.encode()
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := out.find(sig, pos)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if out[name_at:name_at + len(name)] == name:
                out[pos + size_at:pos + size_at + 4] = size.to_bytes(4, "little")
            pos += 4
    return bytes(out)


def test_member_inflating_beyond_its_declared_size_is_refused(tmp_path, good):
    # A sheet that declares 2 KB but inflates to 50 MB: never inflated past what it declares.
    huge = b'<?xml version="1.0"?><worksheet>' + b" " * (50 * 1024 * 1024) + b"</worksheet>"
    bomb = _rezip(good, tmp_path / "liar.xlsx", replace={"xl/worksheets/sheet1.xml": huge})
    liar = tmp_path / "liar2.xlsx"
    raw = _patch_declared_size(bomb.read_bytes(), "xl/worksheets/sheet1.xml", 2048)
    liar.write_bytes(raw)
    assert "损坏" in _unreadable(liar)
    with zipfile.ZipFile(liar) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size == 2048
        for chunk in (512, 2048, 1 << 20):
            assert sum(len(c) for c in security.member_chunks(zf, raw, info, chunk)) <= 2048


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_members_stored_or_compressed_otherwise_are_scanned(tmp_path, good, method):
    # Excel writes deflate; stored and bzip2 members go through the same safety scan.
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(other, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    assert security.sniff_workbook(other).kind == "xlsx"
    dtd = _rezip(other, tmp_path / "dtd.xlsx", replace={"xl/styles.xml": b'<!DOCTYPE x [<!ENTITY e "e">]><s/>'})
    with zipfile.ZipFile(dtd) as zin, zipfile.ZipFile(tmp_path / "dtd2.xlsx", "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    with pytest.raises(security.UnsafeFile, match="DOCTYPE"):
        security.sniff_workbook(tmp_path / "dtd2.xlsx")


@pytest.mark.parametrize(("xml", "uncached"), [
    (b'<c r="A1"><f>1+1</f></c>', True),
    (b'<c r="A1"><f>1+1</f><v>2</v></c>', False),
    (b'<c r="A1" t="str"><f>""</f><v></v></c>', False),  # a cached empty string
    (b'<c r="A1"><f>1+1</f><v/></c>', True),
    (b'<c r="A2"><f t="shared" si="0"/></c>', True),
    (b'<c r="A2"><f t="shared" si="0"/><v>3</v></c>', False),
    (b'<c r="A1" t="str"><f>""</f><v></v></c><c r="B1"><f>2</f>\n</c>', True),
    (b'<c r="A1"><v>1</v></c><c r="A2" t="inlineStr"><is><t>f</t></is></c>', False),
], ids=["no-v", "cached", "cached-empty-string", "empty-v", "shared", "shared-cached", "second-cell", "no-formula"])
def test_uncached_formula_detection(xml, uncached):
    assert security.has_uncached_formula(b"<sheetData><row>" + xml + b"</row></sheetData>") is uncached


# ---------------------------------------------------------------- hostile shapes (from review)
_CT = (b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.sheet.main+xml"/></Types>')
_RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
         b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="xl/workbook.xml"/></Relationships>')
_WB = (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
       b'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
       b'</sheets></workbook>')
_WB_RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            b'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>')
_OURS = b'<cp:coreProperties xmlns:dc="dc"><dc:creator>jixiao</dc:creator></cp:coreProperties>'


def _package(path: Path, sheets: list[bytes], extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .xlsx whose parts are given verbatim (the creator marks it as our template)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        zf.writestr("docProps/core.xml", _OURS)
        for i, xml in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


# These inputs took the scans from hours (exponential regex) to minutes (quadratic walks) before
# the fixes; a return at all is the first assertion, the answer the second.

def test_formula_refs_after_an_attribute_full_of_r(tmp_path):
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c x' + b"r" * 40 + b'="1" r="A1"><v>1</v></c>'
             b'<c r="B1"><f>A1+1</f><v>2</v></c></row></sheetData></worksheet>')
    from jixiao.reader import read_workbook

    book = read_workbook(_package(tmp_path / "r.xlsx", [sheet]))
    assert book.template == "jixiao" and book.formula_cells == {"S": frozenset({"B1"})}


# What formula_refs finds, as the expression the scan used before it walked back from each <f.
_FORMULA_REF_SPEC = re.compile(rb'<c\b(?:[^<>r]|\Br|\br(?!="))*\br="([A-Z]{1,3}[0-9]{1,7})"[^<>]*>\s*<f\b')
_XML_TOKENS = st.sampled_from([b"<c", b"<c>", b"<col", b"<c:x", b" ", b"\n", b"\t", b'r="', b' r="A1"', b' r="XFD9"',
                               b' r="a1"', b"xr", b' xr="B2"', b"r", b'="', b'"', b'A12"', b' s="3"', b">", b"/>",
                               b"<f", b"<f>", b"<f/>", b"<foo", b"</f>", b"<v>1</v>", b"</c>", b"<", b"1+1"])


@given(st.lists(_XML_TOKENS, max_size=30))
@example([b"<c", b' r="A1"', b">", b"\n", b"<f>"])
@example([b"<c", b' xr="B2"', b' r="A1"', b">", b"<f"])
@example([b"<c", b' r="a1"', b' r="A1"', b">", b"<f/>"])
def test_formula_refs_agree_with_the_expression_they_replace(tokens):
    xml = b"".join(tokens)
    assert security.formula_refs(xml) == _FORMULA_REF_SPEC.findall(xml)


def test_formula_refs_scan_is_linear_on_long_tags_and_many_formulas():
    long_tag = b'<c r="A1"' + b' x="1"' * 200_000 + b">"
    assert security.formula_refs((long_tag + b"<f>1</f></c>") * 5) == [b"A1"] * 5
    assert security.formula_refs(b"<f" * 300_000 + b" " * 300_000 + b"<f>") == []
    assert security.formula_refs(b'<c r="B2">' + b" " * 300_000 + b"<f" * 300_000) == [b"B2"]


def test_uncached_scan_of_many_formula_ends_in_one_cell(tmp_path):
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1" t="str"><f>1</f>' + b"</f><v/>" * 100_000 + b"</c></row></sheetData></worksheet>"
    assert security.has_uncached_formula(sheet) is False  # the only formula cell caches ""
    sniff = security.sniff_workbook(_package(tmp_path / "u.xlsx", [sheet] * 10))
    assert sniff.uncached_formulas is False
    many_tags = b"<worksheet><sheetData>" + b"<c" * 300_000 + b"><f>1</f></c></sheetData></worksheet>"
    assert security.has_uncached_formula(many_tags) is True


def test_prolog_of_many_processing_instructions_in_a_whole_part(tmp_path):
    padded = b"<?a?>" * 200_000
    sheets = [padded + b"<worksheet/>"] * 19 + [padded + b"<!DOCTYPE x [<!ENTITY e 'e'>]><worksheet/>"]
    assert "DOCTYPE" in _unreadable(_package(tmp_path / "pi.xlsx", sheets))


def test_incompressible_comment_padding_is_inflated_in_linear_time(tmp_path):
    import base64
    import os

    pad = base64.b64encode(os.urandom(12 * 1024 * 1024))  # 16 MB that barely compresses
    styles = b"<!--" + pad + b"--><!DOCTYPE x [<!ENTITY e 'e'>]><styleSheet/>"
    assert "DOCTYPE" in _unreadable(_package(tmp_path / "pad.xlsx", [b"<worksheet/>"], {"xl/styles.xml": styles}))


@pytest.mark.parametrize(("xml", "cells"), [
    (b'<c r="A1" t="e"/><c r="B1"><v>5</v></c>', {}),  # an empty error cell takes nothing from the next
    (b'<c r="A1" t="e"><v>#N/A</v></c>', {"A1": "#N/A"}),
    (b'<c r="A2" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c>', {"A2": "#DIV/0!"}),
    (b'<c t="e" r="C3"><f t="shared" si="0"/><v>#NAME?</v></c>', {"C3": "#NAME?"}),
    (b'<c r="A1" t="e">' + b"x" * 500_000, {}),  # no </c>: nothing read past the cell
    (b'<c t="e"' * 80_000, {}),
], ids=["self-closing", "plain", "formula", "shared", "unclosed", "no-gt"])
def test_sheet_error_cells(xml, cells):
    assert security.sheet_error_cells(b"<sheetData><row>" + xml + b"</row></sheetData>") == cells


@pytest.mark.parametrize("text", [
    "\ufeff<!--\u2d2d><a/>-->{doc}",  # U+2D2D then ">" reads as "-->" once zero bytes are dropped
    "\ufeff<?pi \u3e3f<a/>?>{doc}",
    "  {doc}",  # no BOM, leading spaces
    '<?xml version="1.0" encoding="UTF-16"?>{doc}',
], ids=["fake-comment-end", "fake-pi-end", "no-bom-spaces", "declared"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_dtd_in_utf16_and_utf32_parts(text, codec):
    doc = "<!DOCTYPE r [<!ENTITY x 'EXPANDED'>]><r>&x;</r>"
    data = text.format(doc=doc).encode(codec)
    for size in (1, 3, 128, len(data)):
        assert security._prolog_has_dtd(iter([data[i:i + size] for i in range(0, len(data), size)]))


def test_local_header_must_agree_with_the_central_directory(tmp_path, good):
    raw = good.read_bytes()
    at = raw.find(b"PK\x03\x04" + raw[4:4])  # first local header
    name_len = int.from_bytes(raw[at + 26:at + 28], "little")
    name = raw[at + 30:at + 30 + name_len]
    forged = raw[:at + 30] + name[:-1] + (b"X" if name[-1:] != b"X" else b"Y") + raw[at + 30 + name_len:]
    (tmp_path / "forged.xlsx").write_bytes(forged)
    assert "损坏" in _unreadable(tmp_path / "forged.xlsx")


def test_central_directory_pointing_before_the_file(tmp_path):
    import struct

    raw = bytearray(_package(tmp_path / "ok.xlsx", [b"<worksheet/>"]).read_bytes())
    eocd = raw.rfind(b"PK\x05\x06")
    offset = struct.unpack_from("<I", raw, eocd + 16)[0]
    struct.pack_into("<I", raw, eocd + 16, offset + 40)  # entries now resolve to negative offsets
    (tmp_path / "neg.xlsx").write_bytes(bytes(raw))
    assert "损坏" in _unreadable(tmp_path / "neg.xlsx")


def test_files_are_parsed_as_they_were_checked_even_if_changed_on_disk_since(tmp_path, good, monkeypatch):
    # Recalculation reads the checked bytes, not the path again.
    from openpyxl import load_workbook

    from jixiao.reader import layout

    p = tmp_path / "uncached.xlsx"
    wb = load_workbook(good)
    ws = wb.worksheets[0]
    total = layout.read_workbook(good).forms[0].total
    ws[total.address] = f"={total.value}"  # a formula with no cached value
    wb.save(p)
    real_sniff = security.sniff_workbook

    def sniff_then_swap(path, *args, **kwargs):
        checked = real_sniff(path, *args, **kwargs)
        Path(path).write_bytes(b"swapped after the check")
        return checked

    monkeypatch.setattr(security, "sniff_workbook", sniff_then_swap)
    book = layout.read_workbook(p)
    assert book.recalculated and book.forms[0].total.value == total.value
    # An annotated copy checks the file again before copying it.
    from jixiao.validation.annotate import annotate_copy

    monkeypatch.setattr(security, "sniff_workbook", real_sniff)
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x/>'
    swapped = _rezip(good, tmp_path / "swapped.xlsx", replace={"docProps/app.xml": dtd})
    with pytest.raises(security.UnsafeFile):
        annotate_copy(swapped, [], tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
