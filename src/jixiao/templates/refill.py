"""Write many filled forms quickly: render each layout once, then refill its worksheet part.

openpyxl spends most of a workbook's write on styles and merged cells, which are the same for
every project laid out alike (same form, mode, pack and rows). :class:`FormWriter` writes the
first workbook of each layout through :func:`~jixiao.templates.write_workbook` (today's file,
byte for byte) and keeps its package; the next workbook with the same layout gets that package
with a new ``<cols>`` and ``<sheetData>`` — its own values, formulas, cached values, widths and
row heights, each cell keeping the style the first rendering gave it.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_bytes
from ..native import needs_array
from ..reader.model import a1
from ..xlsxcache import cached_value_xml, sheet_parts, xml_text
from .model import Sheet
from .render import column_widths, row_heights

_STYLE = re.compile(rb'<c r="([A-Z]+\d+)" s="(\d+)"')
@dataclass
class _Rendered:
    """The package of a workbook rendered by openpyxl, cut around its worksheet's cells."""

    parts: list[tuple[zipfile.ZipInfo, bytes]]
    sheet_part: str
    head: bytes  # the worksheet up to <cols>
    tail: bytes  # from </sheetData> on
    styles: dict[str, int]  # cell → style index

    @classmethod
    def load(cls, data: bytes) -> _Rendered:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            (part,) = sheet_parts(zf).values()
            parts = [(info, zf.read(info)) for info in zf.infolist()]
        xml = dict((i.filename, d) for i, d in parts)[part]
        head = xml[:xml.index(b"<cols>")] if b"<cols>" in xml else xml[:xml.index(b"<sheetData")]
        tail = xml[xml.index(b"</sheetData>") + len(b"</sheetData>"):]
        styles = {ref.decode(): int(s) for ref, s in _STYLE.findall(xml)}
        return cls(parts, part, head, tail, styles)

    def fill(self, sh: Sheet, mode: str, pack: str, values: dict[str, Any], texts: dict[str, bool]) -> bytes:
        widths = column_widths(sh)
        heights = row_heights(sh, widths)
        cols = "".join(f'<col width="{_num(w)}" customWidth="1" min="{c}" max="{c}" />'
                       for c, w in sorted(widths.items()))
        by_row: dict[int, list[str]] = {}
        for (r, c), cell in sorted(sh.cells.items()):
            ref = a1(r - 1, c - 1)
            xml = _cell(ref, self.styles.get(ref), cell, _formula(cell.expr, mode, pack, texts), values)
            if xml:
                by_row.setdefault(r, []).append(xml)
        rows = []
        for r in sorted(set(heights) | set(by_row)):
            height = f' ht="{_num(heights[r])}" customHeight="1"' if r in heights else ""
            rows.append(f'<row r="{r}"{height}>{"".join(by_row.get(r, []))}</row>')
        sheet = self.head + f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>".encode() + self.tail
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info, data in self.parts:
                zout.writestr(info, sheet if info.filename == self.sheet_part else data)
        return out.getvalue()


def _num(x: float) -> str:
    return repr(float(x)).removesuffix(".0")


def _formula(expr: Any, mode: str, pack: str, arrays: dict[str, bool]) -> tuple[str, bool] | None:
    """An expression's formula text and whether it is an array formula (as render.py decides: native
    text over a range); the second is remembered per text across workbooks (it scans long texts)."""
    if expr is None:
        return None
    text = expr.text(mode, pack)
    if text not in arrays:
        arrays[text] = mode == "native" and needs_array("=" + text)
    return text, arrays[text]


def _cell(ref: str, style: int | None, cell: Any, formula: tuple[str, bool] | None, values: dict[str, Any]) -> str:
    s = "" if style is None else f' s="{style}"'
    if cell.role == "filler":
        return f'<c r="{ref}"{s} />' if s else ""
    if cell.expr is not None:
        cached = cached_value_xml(values.get(ref))
        if cached is None:
            raise _NotRefillable(f"{ref}: cached value {values.get(ref)!r}")
        text, is_array = formula
        array = f' t="array" ref="{ref}"' if is_array else ""
        return f'<c r="{ref}"{s}{cached[0].decode()}><f{array}>{xml_text(text)}</f>{cached[1].decode()}</c>'
    v = cell.value
    if v is None:
        return f'<c r="{ref}"{s} t="n" />' if s else ""
    if isinstance(v, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"{s} t="n"><v>{_num(v) if isinstance(v, float) else v}</v></c>'
    if not isinstance(v, str):
        raise _NotRefillable(f"{ref}: {type(v).__name__}")  # dates and the like: openpyxl decides
    text = v
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


class _NotRefillable(Exception):
    """A value this module does not serialise the way openpyxl does; render the workbook instead."""


class FormWriter:
    """Writes filled forms; layouts seen before are refilled instead of rendered again."""

    def __init__(self) -> None:
        self._rendered: dict[tuple[Any, ...], _Rendered] = {}
        self.refilled = 0  # workbooks written without rendering
        self._texts: dict[str, bool] = {}  # formula text → array formula?

    def write(self, path: str | os.PathLike[str], form_id: str, mode: str = "native",
              data: dict[str, Any] | None = None, pack: str | None = None) -> Path:
        from . import sheet_model, write_workbook

        path = Path(path)
        sh, pack_name = sheet_model(form_id, data, pack)
        key = (form_id, mode, pack_name, _layout_key(sh))
        rendered = self._rendered.get(key)
        if rendered is not None:
            try:
                atomic_write_bytes(path, rendered.fill(sh, mode, pack_name, sh.evaluate(), self._texts))
                self.refilled += 1
                return path
            except _NotRefillable:
                pass
        write_workbook(path, form_id, mode, data, pack)
        self._rendered.setdefault(key, _Rendered.load(path.read_bytes()))
        return path


def _layout_key(sh: Sheet) -> tuple[Any, ...]:
    """Everything rendering takes from a sheet model except values, widths and heights."""
    cells = tuple((pos, c.role, c.fmt, c.align, c.bold, c.expr is not None) for pos, c in sorted(sh.cells.items()))
    return (sh.title, sh.ncols, sh.row, cells, tuple(sh.merges), repr(sh.validations), repr(sh.cond_formats),
            sh.header_rows, sh.freeze, sh.landscape, tuple(sorted(sh.heights.items())),
            tuple(sorted(sh.widths.items())))
