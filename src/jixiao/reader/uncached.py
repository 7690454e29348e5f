"""The values a missing formula cache would hold, computed by the core where jixiao can.

A workbook written by a script or a reporting system (openpyxl, never opened in Excel or WPS)
carries formulas without cached values. For jixiao's own templates — the JX_TEMPLATE marker names
the form and the formula mode — the template's sheet model holds every formula cell as an
expression that the Python core evaluates. When each formula in the workbook is exactly the text
that model writes, those expressions give the values: a millisecond instead of the seconds a
`formulas` model takes to build. Anything else (other formulas, an edited or re-laid-out
template) is recalculated by `formulas` (:func:`jixiao.hosts.formulas_host.recalculate`).
"""

from __future__ import annotations

import functools
import html
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import ERROR_VALUES
from .model import Form, parse_a1

Values = dict[tuple[str, str], Any]  # (sheet, "A1") → value
Grid = list[list[Any]]

_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)


def missing_cache_values(data: bytes, sheet_parts: dict[str, str], template: str | None,
                         grids: list[tuple[str, Grid]],
                         find_forms: Callable[[Grid, str], list[Form]]) -> Values:
    """{(sheet, cell): value} for the formula cells of the .xlsx ``data`` (checked bytes)."""
    texts = formula_texts(data, sheet_parts)
    if template and texts:
        values = template_values(texts, template, grids, find_forms)
        if values is not None:
            return values
    return recalculate_bytes(data, _model_key(data, texts, grids), grids)


def _model_key(data: bytes, texts: dict[str, dict[str, str]] | None,
               grids: list[tuple[str, Grid]]) -> tuple[Any, ...] | None:
    """What a `formulas` model of the workbook depends on: its formulas, sheets and defined names,
    and which cells hold a value. Workbooks with equal keys share one compiled model (None: the
    workbook's values are not all plain numbers and text, so it gets its own)."""
    if not texts:
        return None
    filled = []
    for name, rows in grids:
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, str) and v in ERROR_VALUES or not isinstance(v, (int, float, str)):
                    if v is not None:
                        return None  # dates, error values: `formulas` reads these its own way
                elif v != "":
                    filled.append((name, r, c))
    names = re.search(rb"<definedNames\b.*?</definedNames>", _workbook_xml(data), re.S)
    return (tuple(n for n, _ in grids), tuple(sorted((s, tuple(sorted(c.items()))) for s, c in texts.items())),
            names.group(0) if names else b"", tuple(filled))


def _workbook_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/workbook.xml")


def workbook_values(path: str | Path) -> Values:
    """Every formula cell of an .xlsx, computed (``jixiao recalc``): by the core for our templates,
    by `formulas` otherwise. The file passes the same safety checks as a submission."""
    from .. import security
    from .grids import _sheet_parts, _template_of, load_grids
    from .layout import find_forms

    sniff = security.sniff_workbook(path)
    if sniff.kind != "xlsx":
        raise ValueError(f"只支持 .xlsx/.xlsm 文件 (only .xlsx/.xlsm): {path}")
    parts = sniff.parts or {}
    return missing_cache_values(sniff.data, _sheet_parts(parts), _template_of(parts),
                                load_grids(sniff.data), find_forms)


def recalculate_bytes(data: bytes, key: tuple[Any, ...] | None = None,
                      grids: list[tuple[str, Grid]] | None = None) -> Values:
    """`formulas` on the checked bytes, under a name openpyxl accepts whatever the file was called;
    with a ``key``, a model compiled for an earlier workbook with the same key is reused."""
    from ..hosts.formulas_host import recalculate

    by_sheet = dict(grids or [])

    def typed(sheet: str, ref: str) -> Any:
        return _typed(by_sheet.get(sheet, []), ref)

    with tempfile.TemporaryDirectory(prefix="jixiao-recalc-") as tmp:
        copy = Path(tmp) / "book.xlsx"  # one name for every workbook: model nodes are named after it
        copy.write_bytes(data)
        return recalculate(copy, key, typed if key is not None else None)


def formula_texts(data: bytes, sheet_parts: dict[str, str]) -> dict[str, dict[str, str]] | None:
    """Sheet → {cell: formula text}; None when a formula's text is not written in its own cell
    (shared formulas, which only Excel-family programs write — and they keep cached values)."""
    out: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name, part in sheet_parts.items():
            try:
                xml = zf.read(part)
            except KeyError:
                continue
            cells: dict[str, str] = {}
            for ref, inner in _CELL.findall(xml):
                f = _FORMULA.search(inner or b"")
                if f is None:
                    continue
                if f.group(2) is None or b'si="' in f.group(1):
                    return None
                cells[ref.decode()] = html.unescape(f.group(2).decode("utf-8"))
            if cells:
                out[name] = cells
    return out


def template_values(texts: dict[str, dict[str, str]], template: str, grids: list[tuple[str, Grid]],
                    find_forms: Callable[[Grid, str], list[Form]]) -> Values | None:
    """The core's values for a workbook whose formulas (``texts``: sheet → cell → formula) are exactly
    those of one of our templates (blank, or laid out for the indicator rows it holds); None when
    they are not."""
    parts = template.split(":")
    if len(parts) < 2 or len(texts) != 1:
        return None
    (sheet, cells), = texts.items()
    grid = dict(grids).get(sheet)
    if grid is None:
        return None
    form_id, mode = parts[0], parts[1]
    seen = hash(tuple(sorted(cells.items())))

    def shapes() -> Iterator[tuple[tuple[str, str, str], ...] | None]:
        if seen in _SEEN:
            yield _SEEN[seen]  # a workbook laid out alike was seen: no search
        yield None  # the blank template
        yield from (_shape(form) for form in find_forms(grid, sheet) if form.form_id == form_id)

    for shape in shapes():
        model = _model(form_id, mode, shape)
        if model is not None and model[1] == cells:  # the formulas, every one, as the template writes them
            if len(_SEEN) < 256:
                _SEEN[seen] = shape
            computed = model[0].evaluate(lambda a: _typed(grid, a))
            return {(sheet, a): v for a, v in computed.items()}
    return None


_SEEN: dict[int, tuple[tuple[str, str, str], ...] | None] = {}  # formulas' hash → the shape they matched


def _shape(form: Form) -> tuple[tuple[str, str, str], ...]:
    """The indicator rows a generated form was laid out for (their names, not their values)."""
    return tuple((ind.level1, ind.level2, ind.label) for ind in form.indicators if not ind.deduction)


@functools.lru_cache(maxsize=32)
def _model(form_id: str, mode: str, shape: tuple[tuple[str, str, str], ...] | None) -> tuple[Any, dict[str, str]] | None:
    """A template's sheet model and the formula text of each of its cells (built once per shape)."""
    try:
        from ..templates import MODES, sheet_model
    except ImportError:
        return None
    if mode not in MODES:
        return None
    data = None if shape is None else {"indicators": [
        {"level1": l1, "level2": l2, "level3": l3} for l1, l2, l3 in shape]}
    try:
        sheet, pack = sheet_model(form_id, data)
    except (ValueError, KeyError):
        return None
    return sheet, {a: e.text(mode, pack) for a, e in sheet.formula_cells().items()}


def _typed(grid: Grid, address: str) -> Any:
    """A cell as typed, in the form the template model's inputs take (blank → None)."""
    at = parse_a1(address)
    if at is None:
        return None
    r, c = at
    v = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
    return None if v is None or (isinstance(v, str) and not v.strip()) else v  # as Sheet.evaluate
