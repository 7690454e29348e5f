"""What a submitted file really is, whatever its name says.

Departments rename what their systems export: a web page saved as "自评表.xls", a CSV, a
Word document or a PDF under an Excel name. Each is named in Chinese with what to do, instead
of the parser's "file is corrupt". OpenDocument spreadsheets (.ods, saved by LibreOffice and
WPS) are workbooks and are read like .xlsx.
"""

from __future__ import annotations

import io
import re
import zipfile

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SAVE_AS = "请在 Excel 或 WPS 中打开后另存为 .xlsx 再报送"

_HTML_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|style|div)\b", re.I | re.S)
_SPREADSHEET_ML = b"urn:schemas-microsoft-com:office:spreadsheet"


def _text_head(raw: bytes) -> str | None:
    """The first bytes as text when the file is text (UTF-8/16 or GB18030), else None."""
    head = raw[:64 * 1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if b"\x00" in head:
        return None
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut at the end of the sample
                return head[:exc.start].decode(codec, "replace")
    return None


def describe_text(raw: bytes) -> str | None:
    """The Chinese reason for a text file under a workbook name (HTML, XML spreadsheet, CSV, text)."""
    text = _text_head(raw)
    if text is None:
        return None
    sample = text.lstrip("\ufeff").lstrip()
    encoded = sample[:4096].encode("utf-8", "replace")
    if sample.startswith("MIME-Version") or "Content-Type: multipart/related" in sample[:2048]:
        return f"这是网页存档（.mht）文件，不是 Excel 工作簿；{_SAVE_AS}"
    if _HTML_RE.match(encoded):
        return f"这是网页导出的文件，不是 Excel 工作簿；{_SAVE_AS}"
    if sample.startswith("<?xml") and _SPREADSHEET_ML in encoded:
        return f"这是 Excel 2003 XML 表格，不是 .xlsx/.xls 工作簿；{_SAVE_AS}"
    if sample.startswith("{\\rtf"):
        return "这是 RTF 文档（Word 可打开），不是 Excel 工作簿；请报送自评表的 Excel 文件（.xlsx）"
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    if lines and sum(1 for ln in lines if "," in ln or "\t" in ln or "，" in ln) >= max(1, len(lines) // 2):
        return f"这是 CSV/文本表格，不是 Excel 工作簿（没有合并单元格和格式，无法可靠识别自评表）；{_SAVE_AS}"
    return "这是纯文本文件，不是 Excel 工作簿；请报送自评表的 Excel 文件（.xlsx）"


def describe_zip(names: set[str], mimetype: bytes) -> str | None:
    """The reason for a zip package that is not a workbook (Word, PowerPoint, OpenDocument text)."""
    if any(n.startswith("word/") for n in names):
        return "这是 Word 文档（.docx），不是 Excel 工作簿；请报送自评表的 Excel 文件，自评报告请按报告提交"
    if any(n.startswith("ppt/") for n in names):
        return "这是 PowerPoint 演示文稿，不是 Excel 工作簿"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return "这是 OpenDocument 文本文档（.odt），不是电子表格；请报送自评表的 Excel 文件"
    return None


def describe_ole(raw: bytes) -> str | None:
    """The reason for an OLE file that holds no workbook stream (a Word .doc, PowerPoint .ppt)."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(raw)) as ole:
            names = {e.name for e in ole.direntries if e is not None}
    except Exception:  # unreadable OLE: calamine reports it as damaged
        return None
    if names & {"Workbook", "Book"}:
        return None
    if "WordDocument" in names:
        return "这是 Word 文档（.doc），不是 Excel 工作簿；请报送自评表的 Excel 文件，自评报告请按报告提交"
    if "PowerPoint Document" in names:
        return "这是 PowerPoint 演示文稿，不是 Excel 工作簿"
    return None


def describe_other(raw: bytes) -> str:
    """Why a file that is neither OLE nor zip is not a workbook."""
    if raw.startswith(b"%PDF"):
        return "这是 PDF 文件，不是 Excel 工作簿；请报送自评表的 Excel 文件（PDF 无法校验数字）"
    for magic, what in ((b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"Rar!", "RAR 压缩包"),
                        (b"7z\xbc\xaf", "7z 压缩包")):
        if raw.startswith(magic):
            return f"这是{what}，不是 Excel 工作簿"
    return describe_text(raw) or "不是 Excel 工作簿（应为 .xlsx、.xlsm、.xls 或 .ods）"


def zip_mimetype(zf: zipfile.ZipFile, names: set[str]) -> bytes:
    """The OpenDocument ``mimetype`` member (stored, a few dozen bytes), or b""."""
    if "mimetype" not in names:
        return b""
    info = zf.getinfo("mimetype")
    if info.file_size > 200:
        return b""
    with zf.open(info) as fh:
        return fh.read(200).strip()
