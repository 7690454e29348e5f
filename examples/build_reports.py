"""Build the seed reports as Word documents: prose as paragraphs, their forms as real Word tables.

    python examples/build_reports.py [SEEDS_DIR] [OUT_DIR]

SEEDS_DIR defaults to ../shared/seeds (beside the clone), OUT_DIR to examples/reports/. The text
of each seed is split into paragraphs and tables by jixiao.reports.textlayout (the same code that
reads a .txt report), so a table in the text becomes a Word table with its merged cells merged.
The tests import this module and build the reports in temporary folders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from jixiao.reports.textlayout import VCONT, TextTable, parse_text, place

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "shared" / "seeds"
OUT = HERE / "reports"
NAMES = {
    "000": "000-阿坝州2025质量与安全监管-自评报告.docx",
    "001": "001-蔡甸区2019质量技术监督专项经费-自评报告.docx",
    "002": "002-麦积区质量强市项目-部门评价报告.docx",
    "003": "003-郑州市2021质量技术监督和安全监管经费-评价报告.docx",
    "004": "004-云南省2017质量安全监管专项经费-自评报告.docx",
}


def _font(document: Document) -> None:
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _add_table(document: Document, table: TextTable) -> None:
    placed = place(table)
    height, width = len(placed.cells), len(placed.cells[0]) if placed.cells else 0
    if not height or not width:
        return
    word = document.add_table(rows=height, cols=width)
    word.style = "Table Grid"
    for r, row in enumerate(placed.cells):
        for c, value in enumerate(row):
            if isinstance(value, str) and value:
                cell = word.cell(r, c)
                lines = value.split("\n")
                cell.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    for r, row in enumerate(placed.cells):  # horizontal spans
        for c, span in enumerate(placed.spans[r]):
            if span > 1 and isinstance(row[c], str):
                word.cell(r, c).merge(word.cell(r, min(c + span, width) - 1))
    for c in range(width):  # vertical continuations: merge into the cell above
        r = 0
        while r < height:
            if placed.cells[r][c] is VCONT and r > 0 and placed.spans[r - 1][c] == 1 \
                    and isinstance(placed.cells[r - 1][c], str):
                end = r
                while end + 1 < height and placed.cells[end + 1][c] is VCONT:
                    end += 1
                word.cell(r - 1, c).merge(word.cell(end, c))
                r = end + 1
            else:
                r += 1


def build_report(text: str, out: Path) -> Path:
    """One seed text → one .docx at ``out`` (written whole, then renamed into place)."""
    document = Document()
    _font(document)
    for block in parse_text(text):
        if isinstance(block, TextTable):
            _add_table(document, block)
        else:
            document.add_paragraph(block)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    document.save(str(tmp))
    tmp.replace(out)
    return out


def seed_files(seeds: Path = SEEDS) -> dict[str, Path]:
    """Seed number ("000") → its text file."""
    return {p.name[:3]: p for p in sorted(seeds.glob("[0-9][0-9][0-9]_*.txt"))}


def build_all(seeds: Path = SEEDS, out_dir: Path = OUT) -> dict[str, Path]:
    built = {}
    for number, path in seed_files(seeds).items():
        name = NAMES.get(number, f"{number}-自评报告.docx")
        built[number] = build_report(path.read_text(encoding="utf-8"), out_dir / name)
    return built


if __name__ == "__main__":
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    if not seeds.is_dir():
        sys.exit(f"找不到种子报告目录 {seeds}（应在仓库旁的 shared/seeds）")
    for number, path in build_all(seeds, out).items():
        print(f"{number} → {path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path}")
