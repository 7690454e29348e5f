"""Every file says what it is: .ods is read like .xlsx; a web page, CSV, Word document or PDF
under an Excel name is reported as such, in Chinese, with what to do."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from workbook_factory import build, resave

from jixiao.validation.batch import validate_paths
from jixiao.validation.engine import validate_file


def _reason(path: Path) -> str:
    res = validate_file(path)
    assert res.status == "unreadable" and [f.rule for f in res.findings] == ["unreadable-file"]
    return res.findings[0].message


HTML = ("<html><head><meta charset='utf-8'></head><body><table><tr><td>一级指标</td><td>分值</td></tr>"
        "</table></body></html>")


@pytest.mark.parametrize("name, data, words", [
    ("导出.xls", HTML.encode("utf-8"), ["网页导出", "另存为 .xlsx"]),
    ("导出.xlsx", ("<!DOCTYPE html>\n" + HTML).encode("gb18030"), ["网页导出"]),
    ("表.xls", "一级指标,二级指标,分值\n产出指标,数量指标,25\n".encode("gb18030"), ["CSV"]),
    ("表.xls", "一级指标\t分值\n产出指标\t25\n".encode("utf-16"), ["CSV"]),
    ("存档.xls", b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n", [".mht"]),
    ("x.xls", b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
              b"</Workbook>", ["Excel 2003 XML"]),
    ("报告.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", ["PDF"]),
    ("说明.xls", b"just some notes\nnothing more\n", ["纯文本"]),
])
def test_text_and_pdf_under_an_excel_name(tmp_path, name, data, words):
    p = tmp_path / name
    p.write_bytes(data)
    reason = _reason(p)
    assert all(w in reason for w in words), reason


def test_word_docx_under_an_excel_name(tmp_path):
    p = tmp_path / "自评表.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    assert "Word 文档（.docx）" in _reason(p)


def ole_file(stream: str, size: int = 4096) -> bytes:
    """A minimal compound file (CFB v3) holding one stream — what a Word .doc ("WordDocument") or
    an .xls ("Workbook") is built on. LibreOffice here has only Calc, so no real .doc is written."""
    import struct

    end, free, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    n = size // 512
    fat = [0xFFFFFFFD, end] + [3 + i for i in range(n - 1)] + [end]
    fat_sector = struct.pack(f"<{len(fat)}I", *fat) + b"\xff" * (512 - 4 * len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))

    def entry(name: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, nostream, nostream, child)
                + bytes(16) + bytes(4) + bytes(16) + struct.pack("<IQ", start, length))

    empty = bytes(64) + struct.pack("<HBBIII", 0, 0, 0, nostream, nostream, nostream) + bytes(36) + bytes(12)
    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream, 2, nostream, 2, size) + empty * 2
    return header + fat_sector + directory + b"\x01" * size


def test_word_doc_under_an_excel_name(tmp_path):
    doc = tmp_path / "自评表.xls"
    doc.write_bytes(ole_file("WordDocument"))
    assert "Word 文档（.doc）" in _reason(doc)
    broken = tmp_path / "坏表.xls"  # an OLE file with a workbook stream is left to calamine
    broken.write_bytes(ole_file("Workbook"))
    assert "Word" not in _reason(broken)


@pytest.fixture(scope="module")
def office_files(tmp_path_factory) -> dict[str, Path]:
    """A correct form saved by LibreOffice as .ods, and printed by it to PDF."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    d = tmp_path_factory.mktemp("office")
    build(d / "form.xlsx", [("自评表", "xiangmu", {})])
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(d), str(d / "form.xlsx")], check=True, capture_output=True, timeout=180)
    return {"pdf": d / "form.pdf", "ods": resave([d / "form.xlsx"], "ods", d / "ods")[0]}


def test_real_pdf_renamed_xlsx(office_files, tmp_path):
    pdf = tmp_path / "自评表.xlsx"
    shutil.copy(office_files["pdf"], pdf)
    assert "PDF" in _reason(pdf)


def test_ods_is_read_like_xlsx_in_a_batch(office_files, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(office_files["ods"], folder / "自评表.ods")
    [res] = validate_paths([folder]).files
    assert res.status == "ok" and res.findings == []
    assert [f["form"] for f in res.forms] == ["xiangmu"] and res.forms[0]["total"] == pytest.approx(99.87)


def test_no_known_form_names_the_forms_looked_for(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "汇总"
    wb.active.append(["序号", "项目", "金额"])
    wb.save(tmp_path / "other.xlsx")
    res = validate_file(tmp_path / "other.xlsx")
    [f] = res.findings
    assert f.rule == "form-not-found" and "“汇总”" in f.message
    assert all(t in f.message for t in ("附表1", "附表2", "项目支出绩效自评表"))


@pytest.mark.parametrize("name", ["自评表.xlsx", "自评表.xls"])
def test_ods_under_an_excel_name_is_read_by_its_content(office_files, tmp_path, name):
    p = tmp_path / name
    shutil.copy(office_files["ods"], p)
    res = validate_file(p)
    assert res.status == "ok" and [f["form"] for f in res.forms] == ["xiangmu"]
