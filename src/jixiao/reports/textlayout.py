"""Plain text of a report (a .txt, a PDF's text layer) → paragraphs and tables, in order.

Text exports of Word reports write tables in two ways, and PDF text breaks sentences at line
ends; this module undoes both:

* one cell per line, each starting with a tab, rows separated by a blank line (a cell's own line
  breaks continue without a tab; a short line after a single blank line still belongs to the cell
  above when the row goes on right after it);
* one row per line, cells separated by tabs (``a\\tb\\t\\t``), ``<p>…</p>`` marking paragraphs
  inside a cell;
* columns of short words and numbers separated by spaces (a score table as a PDF prints it).

Lines that a PDF broke mid-sentence are joined (:func:`reflow`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Block = "str | TextTable"

_SENTENCE_END = tuple("。：；！？:;!?")
_HEADING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+[、.．]\D|附表|附件)")
_NUMERIC = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")
_PARA_TAG = re.compile(r"</?p\b[^>]*>", re.I)


@dataclass
class TextTable:
    rows: list[list[str]]  # a cell's paragraphs joined by "\n"


def cell_paragraphs(text: str) -> list[str]:
    """A cell's paragraphs: ``<p>`` markup (as some exports write) becomes paragraph breaks."""
    parts = _PARA_TAG.split(text) if "<p" in text.lower() else text.split("\n")
    return [p.strip() for p in parts if p.strip()]


def _cell_text(text: str) -> str:
    return "\n".join(cell_paragraphs(text))


def _tab_row(line: str) -> list[str] | None:
    """A tab-separated row (``a\\tb``, ``\\ta\\tb``), or None for a line that is not one."""
    if "\t" not in line:
        return None
    cells = line.split("\t")
    if len(cells) >= 3 or cells[0].strip():
        return [_cell_text(c) for c in cells]
    return None


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and line.count("\t") == 1


def _space_row(line: str) -> list[str] | None:
    tokens = line.split()
    if 2 <= len(tokens) <= 8 and all(len(t) <= 12 for t in tokens) and not line.rstrip().endswith("。"):
        return tokens
    return None


def hard_wrapped(lines: list[str]) -> bool:
    """Does the text break its sentences at line ends (a PDF's text layer, a text copied from one)?
    Judged by the long lines: of five or more, two in five stop mid-sentence."""
    long_lines = [x.strip() for x in lines if len(x.strip()) >= 20 and "\t" not in x]
    open_ended = sum(1 for x in long_lines if not x.endswith(_SENTENCE_END))
    return len(long_lines) >= 5 and open_ended >= 0.4 * len(long_lines)


def parse_text(text: str, wrapped: bool | None = None) -> list[str | TextTable]:
    """Blocks in document order: paragraph strings and tables. Lines broken mid-sentence are
    joined when ``wrapped`` (by default: when :func:`hard_wrapped` says the text looks so)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    blocks: list[str | TextTable] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if _is_cell_line(line):
            table, i = _cell_lines_table(lines, i)
            blocks.append(table)
        elif _tab_row(line) is not None and not re.fullmatch(r"[-\t ]+", line):
            rows = []
            while i < n and (_tab_row(lines[i]) is not None or re.fullmatch(r"[-\t ]+", lines[i] or "x")):
                if not re.fullmatch(r"[-\t ]+", lines[i]):
                    rows.append(_tab_row(lines[i]) or [])
                i += 1
            blocks.append(TextTable(rows))
        else:
            if line.strip():
                blocks.append(line.strip())
            i += 1
    if wrapped is None:
        wrapped = hard_wrapped(lines)
    return _space_tables(reflow(blocks, wrapped))


def _cell_lines_table(lines: list[str], i: int) -> tuple[TextTable, int]:
    """Read a one-cell-per-line table starting at lines[i]; return it and the next line index."""
    rows: list[list[str]] = []
    row: list[str] = []
    n = len(lines)
    while i < n:
        line = lines[i]
        if _is_cell_line(line):
            row.append(line[1:])
            i += 1
            continue
        if line.strip() and row:  # a cell's own line break
            row[-1] += "\n" + line
            i += 1
            continue
        # a blank line: the row ends, unless one short line then more cells follow (a cell's blank line)
        blanks = i
        while blanks < n and not lines[blanks].strip():
            blanks += 1
        if (blanks - i == 1 and blanks + 1 < n and row and len(lines[blanks]) <= 20
                and not lines[blanks].startswith("\t") and _is_cell_line(lines[blanks + 1])):
            row[-1] += "\n" + lines[blanks]
            i = blanks + 1
            continue
        if row:
            rows.append(row)
            row = []
        if blanks < n and _is_cell_line(lines[blanks]):
            i = blanks
            continue
        i = blanks
        break
    if row:
        rows.append(row)
    return TextTable(_merge_split_rows([[_cell_text(c) for c in r] for r in rows])), i


def _merge_split_rows(rows: list[list[str]]) -> list[list[str]]:
    """A row broken by a blank line inside a cell arrives as a short row of labels and a row that
    starts with a number: join them."""
    out: list[list[str]] = []
    k = 0
    while k < len(rows):
        r = rows[k]
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        if out and nxt and len(r) <= 3 and len(r) + len(nxt) <= max(len(x) for x in rows) \
                and _NUMERIC.match(nxt[0].strip() or "x"):
            out.append(r + rows[k + 1])
            k += 2
            continue
        out.append(r)
        k += 1
    return out


_CONTINUES = re.compile(r"^(?:[，。、；：）」”％%]|\d+(?:\.\d+)?\s*(?:%|％|万元|元|分)[，。,;；])")


def reflow(blocks: list[str | TextTable], wrapped: bool = True) -> list[str | TextTable]:
    """Join paragraph lines broken mid-sentence. A line that cannot start a paragraph ("80%，…",
    "，…") always continues the one before; in hard-wrapped text also a line after one of 20+
    characters that does not end a sentence, unless it starts a heading."""
    out: list[str | TextTable] = []
    for b in blocks:
        prev = out[-1] if out else None
        if isinstance(b, str) and isinstance(prev, str) and not prev.endswith(_SENTENCE_END) and (
                _CONTINUES.match(b) or (wrapped and len(prev) >= 20 and not _HEADING.match(b)
                                        and _space_row(b) is None)):
            out[-1] = prev + b
        else:
            out.append(b)
    return out


def _space_tables(blocks: list[str | TextTable]) -> list[str | TextTable]:
    """Runs of three or more short space-separated lines, two of them with numbers after the
    label, become a table (a score summary as a PDF prints it)."""
    out: list[str | TextTable] = []
    k = 0
    while k < len(blocks):
        run: list[list[str]] = []
        j = k
        while j < len(blocks) and isinstance(blocks[j], str):
            row = _space_row(blocks[j])  # type: ignore[arg-type]
            if row is None:
                break
            run.append(row)
            j += 1
        numeric = sum(1 for r in run if sum(bool(_NUMERIC.match(t)) for t in r[1:]) >= 2)
        if len(run) >= 3 and numeric >= 2:
            out.append(TextTable(run))
            k = j
        else:
            out.append(blocks[k])
            k += 1
    return out


VCONT = object()  # a cell covered by the cell above (vertically merged)
_TOTAL_ROW = re.compile(r"^(?:总分|总计|合计|综合得分)")


@dataclass
class Placed:
    """A table laid out on a rectangular grid: ``cells[r][c]`` is the text starting there, None
    where a cell to the left spans over it, or :data:`VCONT` where the cell above continues."""

    cells: list[list[object]]
    spans: list[list[int]]  # horizontal span of each starting cell (1 elsewhere)

    def grid(self) -> list[list[str | None]]:
        """As a spreadsheet reader sees merged cells: text at the top-left, None elsewhere."""
        return [[c if isinstance(c, str) and c else None for c in row] for row in self.cells]


_POINTS_LABEL = re.compile(r"[（(](\d+(?:\.\d+)?)分[)）]")


def _declared(text: object) -> float | None:
    m = _POINTS_LABEL.search(text) if isinstance(text, str) else None
    return float(m.group(1)) if m else None


def _opens_group(first: str, group: list[float], missing: int) -> bool:
    """A row one cell short whose first cell declares points ("个性指标（16分）") that no longer fit
    under the current first-column group starts a new group in the first column."""
    p = _declared(first)
    return missing == 1 and p is not None and bool(group) and group[1] + p > group[0] + 1e-9


def place(table: TextTable) -> Placed:
    """Undo what a text export drops. Cells merged with the row above are left out of a row, so a
    row shorter than the one before is padded on the left with continuations; any other short row
    starts at the left, its last cell spanning the rest (the first row: its first cell spans); a
    总分/合计 row puts its numbers under the 分值 column, its label spanning up to there."""
    width = max((len(r) for r in table.rows), default=0)
    cells: list[list[object]] = []
    spans: list[list[int]] = []
    prev = 0  # the previous row's width as placed (from its first column to its last)
    points_col: int | None = None
    group: list[float] = []  # [points of the current first-column group, points placed under it]
    for r, row in enumerate(table.rows):
        line: list[object] = [""] * width
        span = [1] * width
        n = len(row)
        if n and _TOTAL_ROW.match(row[0]) and points_col is not None and n - 1 <= width - points_col:
            line[0] = row[0]
            span[0] = points_col
            for c in range(1, points_col):
                line[c] = None
            for c, text in enumerate(row[1:], start=points_col):
                line[c] = text
            prev = width
        elif n >= width or not n or r == 0 or n >= prev:
            first_spans = r == 0 and 0 < n < width
            extra = width - n if n < width else 0
            texts = list(row)
            if first_spans:
                line[0], span[0] = texts[0], 1 + extra
                for c in range(1, 1 + extra):
                    line[c] = None
                for c, text in enumerate(texts[1:], start=1 + extra):
                    line[c] = text
            else:
                for c, text in enumerate(texts):
                    line[c] = text
                if n:
                    span[n - 1] = 1 + extra
                    for c in range(n, width):
                        line[c] = None
            prev = n if n < width else width
        elif _opens_group(row[0], group, prev - n):
            # a new first-column group whose next cell spans the columns it leaves out
            line[0], line[1] = row[0], row[1] if n > 1 else ""
            span[1] = 1 + prev - n
            for c in range(2, 1 + prev - n + 1):
                line[c] = None
            for c, text in enumerate(row[2:], start=2 + prev - n):
                line[c] = text
            if prev < width:
                span[prev - 1] = width - prev + 1
        else:
            pad = prev - n
            if pad == 1 and group and (p := _declared(row[0])) is not None:
                group[1] += p
            for c in range(pad):
                line[c] = VCONT
            for c, text in enumerate(row):
                line[pad + c] = text
            span[prev - 1] = width - prev + 1
            for c in range(prev, width):
                line[c] = None
        for c, text in enumerate(line):
            if isinstance(text, str) and re.sub(r"\s", "", text) in ("分值", "指标分值"):
                points_col = c
        head = line[0] if isinstance(line[0], str) else ""
        if _declared(head) is not None:
            sub = _declared(line[1]) if isinstance(line[1], str) else None
            group[:] = [_declared(head) or 0.0, sub if sub is not None else float("inf")]
        cells.append(line)
        spans.append(span)
    return Placed(cells, spans)
