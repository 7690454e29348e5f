"""Read a 自评报告 (.docx, .pdf with a text layer, .txt) into prose segments and table grids.

A report is untrusted: a .docx is checked as a zip package (sizes, compression ratio, XML
DOCTYPE/ENTITY declarations) with the workbook checks of :mod:`jixiao.security` before
python-docx parses it. Anything that cannot be read raises :class:`~jixiao.security.UnsafeFile`
with a Chinese reason, which the caller turns into one unreadable-file finding.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import security
from .textlayout import TextTable, cell_paragraphs, parse_text, place

REPORT_SUFFIXES = security.REPORT_SUFFIXES
MAX_PDF_PAGES = 500
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Segment:
    """A paragraph someone can point at: body paragraph N, or a paragraph inside table cell."""

    order: int  # position among all paragraphs walked (body and cells), for annotation
    text: str
    where: str  # "第 12 段" or "表 3 第 2 行第 1 列"
    table: int | None = None  # 1-based table number when inside a table


@dataclass
class ReportTable:
    number: int  # 1-based, in document order
    caption: str  # the paragraph just before it (its title), may be ""
    grid: list[list[Any]]  # merged cells hold their text at the top-left only, None elsewhere
    filled: list[list[str]]  # merged cells' text repeated over the area they cover

    def where(self, row: int, col: int) -> str:
        return f"表 {self.number} 第 {row + 1} 行第 {col + 1} 列"

    def locate(self, row: int, col: int) -> str:
        """Where a cell is, for people: "表 1（专项预算绩效自评打分表）第 9 行第 6 列"."""
        return f"{self.name}{'' if self.caption else ' '}第 {row + 1} 行第 {col + 1} 列"

    @property
    def name(self) -> str:
        return f"表 {self.number}" + (f"（{self.caption}）" if self.caption else "")

    def title_row(self) -> str:
        """The table's own title ("项目支出绩效自评表") when its first row holds only that."""
        cells = [v for v in (self.grid[0] if self.grid else []) if isinstance(v, str) and v.strip()]
        if len(cells) == 1 and len(cells[0]) <= 40 and cells[0].rstrip().endswith("表"):
            return cells[0].strip()
        return ""


@dataclass
class ReportDoc:
    path: str
    kind: str  # docx | pdf | txt
    segments: list[Segment] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)


def is_report(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in REPORT_SUFFIXES


def read_report(path: str | os.PathLike[str]) -> ReportDoc:
    """Read one report; raise security.UnsafeFile when it cannot be read safely."""
    path = Path(path)
    raw = _read_bounded(path)
    kind = path.suffix.lower().lstrip(".")
    if raw.startswith(security.ZIP_MAGIC):
        return read_docx_bytes(raw, str(path))
    if raw.startswith(b"%PDF"):
        return read_pdf_bytes(raw, str(path))
    if kind in ("docx", "pdf"):
        if raw.startswith(security.OLE_MAGIC):
            raise security.UnsafeFile("这是旧版 Word（.doc）或加密的文件，请另存为 .docx 后重新报送")
        raise security.UnsafeFile(f"不是 {kind.upper()} 文件（文件头不符），文件可能已损坏")
    return from_text(decode_text(raw), str(path), "txt")


def _read_bounded(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > security.MAX_FILE_BYTES:
                raise security.UnsafeFile(
                    f"文件过大（{size // 1024 // 1024} MB），超过 {security.MAX_FILE_BYTES // 1024 // 1024} MB 上限")
            raw = fh.read()
    except OSError as exc:
        raise security.UnsafeFile(f"无法打开文件：{exc.strerror or exc}") from None
    if not raw:
        raise security.UnsafeFile("文件为空（0 字节）")
    return raw


def decode_text(raw: bytes) -> str:
    """UTF-8 or UTF-16 with a BOM; else strict UTF-8; else whichever of GB18030 and UTF-16 (LE/BE,
    no BOM) reads as the most ordinary Chinese text."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = ["gb18030"] + (["utf-16-le", "utf-16-be"] if len(raw) % 2 == 0 else [])
    return max((raw.decode(enc, errors="replace") for enc in candidates), key=_ordinary)


def _ordinary(text: str) -> float:
    sample = text[:4000]
    good = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff" or " " <= ch <= "~" or ch in "\n\r\t，。：；、（）“”《》％")
    return good / max(len(sample), 1)


# ---------------------------------------------------------------- plain text and PDF


def from_text(text: str, path: str, kind: str) -> ReportDoc:
    """Prose and tables from a text export (see :mod:`textlayout`); a PDF's lines are always
    joined into sentences."""
    doc = ReportDoc(path, kind)
    caption = ""
    order = 0
    for block in parse_text(_clean(text), wrapped=True if kind == "pdf" else None):
        if isinstance(block, TextTable):
            number = len(doc.tables) + 1
            table = _titled(_table_from_text(block, number, caption))
            doc.tables.append(table)
            for r, row in enumerate(table.grid):
                for c, value in enumerate(row):
                    for para in cell_paragraphs(value) if isinstance(value, str) else ():
                        doc.segments.append(Segment(order, para, table.where(r, c), number))
                        order += 1
            caption = ""
        else:
            doc.segments.append(Segment(order, block, f"第 {order + 1} 段"))
            order += 1
            caption = block if len(block) <= 60 else ""
    _number_paragraphs(doc)
    return doc


def _table_from_text(block: TextTable, number: int, caption: str) -> ReportTable:
    placed = place(block)
    grid = placed.grid()
    filled = [["" if v is None else v for v in row] for row in grid]
    for r, row in enumerate(placed.cells):
        for c in range(len(row)):
            if row[c] is None and c > 0:
                filled[r][c] = filled[r][c - 1]
            elif row[c] is not None and not isinstance(row[c], str) and r > 0:
                filled[r][c] = filled[r - 1][c]
    return ReportTable(number, caption, grid, filled)


def _titled(table: ReportTable) -> ReportTable:
    """A table with no caption paragraph before it takes its own title row as caption."""
    if not table.caption:
        table.caption = table.title_row()
    return table


def _number_paragraphs(doc: ReportDoc) -> None:
    """Body paragraphs are numbered 第 1 段, 第 2 段 … in order, table cells keep their place."""
    n = 0
    for seg in doc.segments:
        if seg.table is None:
            n += 1
            seg.where = f"第 {n} 段"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def unspace(text: str) -> str:
    """Undo glyph-by-glyph spacing ("得 8 5 分" → "得85分"), which text layers of CJK PDFs often
    have: in a line where most space-separated pieces are single characters, single spaces go and
    longer runs of spaces become one."""
    out = []
    for line in text.split("\n"):
        pieces = [p for p in line.split(" ") if p]
        if len(pieces) > 4 and sum(len(p) == 1 for p in pieces) > 0.6 * len(pieces):
            line = re.sub(r" {2,}", "\x00", line).replace(" ", "").replace("\x00", " ")
        out.append(line)
    return "\n".join(out)


def read_pdf_bytes(raw: bytes, path: str) -> ReportDoc:
    """The text layer of a PDF (pypdf), page by page; a scanned PDF has none and says so."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a declared dependency
        raise security.UnsafeFile("未安装 pypdf，无法读取 PDF") from None
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise security.UnsafeFile("PDF 已加密，请去除密码后重新报送")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise security.UnsafeFile(f"PDF 页数过多（{len(reader.pages)} 页），超过 {MAX_PDF_PAGES} 页上限")
        pages = [page.extract_text() or "" for page in reader.pages]
    except security.UnsafeFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise security.UnsafeFile(f"PDF 已损坏，无法读取（{type(exc).__name__}）") from None
    text = "\n".join(unspace(page) for page in pages)
    if not text.strip():
        raise security.UnsafeFile("PDF 中没有文字层（可能是扫描件），无法核对文字内容")
    return from_text(text, path, "pdf")


# ---------------------------------------------------------------- Word


def check_docx(raw: bytes) -> None:
    """The workbook checks, applied to a Word package: member count and sizes, compression ratio,
    and no DOCTYPE/ENTITY in any XML part."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = security.check_zip_limits(zf, "文档")
            names = {i.filename for i in infos}
            if "EncryptedPackage" in names:
                raise security.UnsafeFile("文件已加密（设置了打开密码），请去除密码后重新报送")
            if "word/document.xml" not in names:
                raise security.UnsafeFile("不是 Word 文档（压缩包中没有 word/document.xml）")
            for info in infos:
                chunks = security.member_chunks(zf, raw, info, chunk=256, grow=True)
                if security._prolog_has_dtd(chunks):
                    raise security.UnsafeFile(
                        f"文档 XML 含有 DOCTYPE/ENTITY 声明（{info.filename}），已拒绝（防 XML 实体攻击）")
    except security.UnsafeFile:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, truncated members
        raise security.UnsafeFile(f"文件已损坏或不完整（{type(exc).__name__}）") from None


def open_docx(raw: bytes) -> Any:
    """A python-docx Document of checked bytes."""
    check_docx(raw)
    import docx

    try:
        return docx.Document(io.BytesIO(raw))
    except Exception as exc:
        raise security.UnsafeFile(f"Word 文档已损坏，无法读取（{type(exc).__name__}）") from None


def paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _blocks(parent: Any) -> Iterator[Any]:
    """Body-level paragraphs and tables in order, looking inside content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def walk_paragraphs(body: Any) -> Iterator[tuple[Any, int | None, int, int]]:
    """Every paragraph element in reading order, as (element, table number or None, row, col);
    the order is the one :func:`read_docx_bytes` numbers segments by (annotation relies on it)."""
    tables = 0
    for block in _blocks(body):
        if block.tag == f"{_W}p":
            yield block, None, 0, 0
            continue
        tables += 1
        for r, c, tc in _table_cells(block):
            for p in tc.iterchildren(f"{_W}p"):
                yield p, tables, r, c


def _table_cells(tbl: Any) -> Iterator[tuple[int, int, Any]]:
    """(row, grid column, w:tc) of each cell that starts somewhere (vertical continuations too)."""
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        col = 0
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        if before is not None:
            col = _int_attr(before, 0)
        for tc in tr.iterchildren(f"{_W}tc"):
            span = tc.find(f"{_W}tcPr/{_W}gridSpan")
            yield r, col, tc
            col += max(1, min(_int_attr(span, 1) if span is not None else 1, 64))


def _int_attr(el: Any, default: int) -> int:
    try:
        return int(el.get(f"{_W}val", default))
    except (TypeError, ValueError):
        return default


def _table_grid(tbl: Any) -> tuple[list[list[Any]], list[list[str]]]:
    rows: dict[int, dict[int, tuple[str | None, int, bool]]] = {}
    width = 0
    for r, c, tc in _table_cells(tbl):
        span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
        span = max(1, min(_int_attr(span_el, 1) if span_el is not None else 1, 64))
        vm = tc.find(f"{_W}tcPr/{_W}vMerge")
        cont = vm is not None and vm.get(f"{_W}val", "continue") != "restart"
        text = "\n".join(t for t in (paragraph_text(p).strip() for p in tc.iterchildren(f"{_W}p")) if t)
        rows.setdefault(r, {})[c] = (text, span, cont)
        width = max(width, c + span)
    height = max(rows, default=-1) + 1
    grid: list[list[Any]] = [[None] * width for _ in range(height)]
    filled = [[""] * width for _ in range(height)]
    for r in range(height):
        for c, (text, span, cont) in rows.get(r, {}).items():
            for k in range(c, min(c + span, width)):
                filled[r][k] = filled[r - 1][k] if cont and r > 0 else (text or "")
            if not cont and text:
                grid[r][c] = text
    return grid, filled


def read_docx_bytes(raw: bytes, path: str) -> ReportDoc:
    document = open_docx(raw)
    body = document.element.body
    doc = ReportDoc(path, "docx")
    caption = ""
    seen_tables = 0
    n_para = 0
    for order, (p, table, r, c) in enumerate(walk_paragraphs(body)):
        if table is not None and table > seen_tables:
            seen_tables = table
            tbl = p.getparent().getparent().getparent()
            grid, filled = _table_grid(tbl)
            doc.tables.append(_titled(ReportTable(table, caption, grid, filled)))
            caption = ""
        text = paragraph_text(p).strip()
        if not text:
            continue
        if table is None:
            n_para += 1
            doc.segments.append(Segment(order, text, f"第 {n_para} 段"))
            caption = text if len(text) <= 60 else ""
        else:
            doc.segments.append(Segment(order, text, f"表 {table} 第 {r + 1} 行第 {c + 1} 列", table))
    _add_empty_tables(body, doc, seen_tables)
    return doc


def _add_empty_tables(body: Any, doc: ReportDoc, seen: int) -> None:
    """Tables whose cells hold no paragraph at all were not met by the walk: keep numbering whole."""
    tbls = [b for b in _blocks(body) if b.tag == f"{_W}tbl"]
    known = {t.number for t in doc.tables}
    for number, tbl in enumerate(tbls, start=1):
        if number not in known:
            grid, filled = _table_grid(tbl)
            doc.tables.append(ReportTable(number, "", grid, filled))
    doc.tables.sort(key=lambda t: t.number)
