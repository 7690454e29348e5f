"""Workbooks whose formulas carry no cached values (written by a script, never opened in Excel):
the values the cache would hold come from the core for our templates, from `formulas` otherwise,
and validation finds exactly what it finds in the same workbooks with cached values."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbook_factory import strip_cached_values

from jixiao.reader import read_workbook, uncached
from jixiao.validation import validate_file

templates = pytest.importorskip("jixiao.templates")


def _findings(path: Path) -> list[tuple]:
    return [(f.code, f.sheet, f.cell, f.message, f.expected, f.found) for f in validate_file(path).findings]


def _pairs(tmp: Path, n: int, seed: int) -> list[tuple[Path, Path]]:
    from jixiao.templates.samples import SEEDS, random_data

    rng = random.Random(seed)
    out = []
    for i in range(n):
        form = ("fubiao1", "fubiao2", "xiangmu")[i % 3]
        mode = ("native", "udf", "lambda")[i // 3 % 3]
        data = SEEDS[form] if i < 9 else random_data(form, rng)
        cached = templates.write_workbook(tmp / f"c{i}.xlsx", form, mode, data)
        out.append((cached, strip_cached_values(cached, tmp / f"u{i}.xlsx")))
    return out


def test_templates_without_cache_validate_like_with_cache_from_the_core(tmp_path, monkeypatch) -> None:
    def no_engine(data: bytes) -> dict:
        raise AssertionError("a `formulas` model was built for one of our templates")

    monkeypatch.setattr(uncached, "recalculate_bytes", no_engine)
    pairs = _pairs(tmp_path, 18, seed=11)
    flagged = 0
    for cached, bare in pairs:
        assert read_workbook(bare).recalculated
        assert _findings(bare) == _findings(cached), bare.name
        flagged += bool(_findings(bare))
    assert flagged  # the random fills include forms with errors, so equal findings are not just "none"


def test_core_values_equal_the_cached_values_cell_by_cell(tmp_path) -> None:
    from jixiao.reader.layout import _sheet_parts, find_forms, load_grids
    from jixiao.security import sniff_workbook

    for cached, bare in _pairs(tmp_path, 9, seed=5):
        sniff = sniff_workbook(bare)
        values = uncached.template_values(sniff.data, _sheet_parts(sniff.parts), "x:y", [], find_forms)
        assert values is None  # an unknown form or mode is not guessed at
        marker = load_workbook(cached).defined_names["JX_TEMPLATE"].attr_text.strip('"')
        values = uncached.template_values(sniff.data, _sheet_parts(sniff.parts), marker,
                                          load_grids(sniff.data), find_forms)
        assert values
        wb = load_workbook(cached, data_only=True)
        for (sheet, ref), v in values.items():
            want = wb[sheet][ref].value
            assert (v in ("", None) and want in ("", None)) or v == want or \
                (isinstance(v, float) and abs(v - want) < 1e-9), (cached.name, ref, v, want)


def test_an_edited_template_formula_goes_to_formulas(tmp_path, monkeypatch) -> None:
    from jixiao.templates.samples import SEEDS

    engine = uncached.recalculate_bytes
    calls = []
    monkeypatch.setattr(uncached, "recalculate_bytes", lambda data: calls.append(1) or engine(data))
    cached = templates.write_workbook(tmp_path / "c.xlsx", "xiangmu", "udf", SEEDS["xiangmu"])
    wb = load_workbook(cached)
    ws = wb.worksheets[0]
    total = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "JX_TOTAL" in c.value)
    total.value = "=100-1.5"  # no longer the template's text: the core must not assume its meaning
    wb.save(tmp_path / "edited.xlsx")  # openpyxl keeps no cached values
    book = read_workbook(tmp_path / "edited.xlsx")
    assert book.recalculated
    form = book.forms[0]
    assert calls and form.total is not None and form.total.value == pytest.approx(98.5)
