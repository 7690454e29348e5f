"""Workbooks whose formulas carry no cached values (written by a script, never opened in Excel):
the values the cache would hold come from the core for our templates, from `formulas` otherwise,
and validation finds exactly what it finds in the same workbooks with cached values."""

from __future__ import annotations

import random
import shutil
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
    def no_engine(*args: object) -> dict:
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
        texts = uncached.formula_texts(sniff.data, _sheet_parts(sniff.parts))
        grids = load_grids(sniff.data)
        assert uncached.template_values(texts, "x:y", grids, find_forms) is None  # unknown: not guessed
        marker = load_workbook(cached).defined_names["JX_TEMPLATE"].attr_text.strip('"')
        values = uncached.template_values(texts, marker, grids, find_forms)
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
    monkeypatch.setattr(uncached, "recalculate_bytes", lambda *a: calls.append(1) or engine(*a))
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


def test_workbooks_sharing_formulas_share_one_compiled_model(tmp_path, monkeypatch) -> None:
    """Formulas jixiao does not know go to `formulas`; the second workbook with the same formulas
    (a department's own layout, filled by a system) reuses the first one's model, and its values
    are those a model of its own gives."""
    import formulas
    from openpyxl import Workbook

    from jixiao.hosts import formulas_host

    def book(path: Path, budget: float, spent: float, note: str) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = "资金"
        ws.append(["全年预算数", "全年执行数", "执行率", "得分", "备注", "合计"])
        ws.append([budget, spent, "=ROUND(B2/A2,4)", "=ROUND(MIN(C2,1)*10,2)", note, "=SUM(A2:B2)"])
        ws.append([None, None, '=IF(E2="","无",E2)', None, None, None])
        wb.save(path)
        return path

    first = book(tmp_path / "a.xlsx", 87.65, 86.54, "按期完成")
    second = book(tmp_path / "b.xlsx", 120, 80, "资金拨付滞后")
    builds = []
    real = formulas.ExcelModel.loads
    monkeypatch.setattr(formulas.ExcelModel, "loads", lambda self, *a: builds.append(1) or real(self, *a))
    monkeypatch.setattr(formulas_host, "_MODELS", type(formulas_host._MODELS)())
    values = {p.name: _grid_values(p) for p in (first, second)}
    assert len(builds) == 1  # the second workbook reused the first one's model
    assert values["b.xlsx"] == {"C2": 0.6667, "D2": 6.67, "F2": 200, "C3": "资金拨付滞后"}
    assert values["a.xlsx"] == {"C2": 0.9873, "D2": 9.87, "F2": pytest.approx(174.19), "C3": "按期完成"}
    third = book(tmp_path / "c.xlsx", 50, 60, "")  # E2 now empty: another set of filled cells
    assert _grid_values(third)["C3"] == "无" and len(builds) == 2


def _grid_values(path: Path) -> dict:
    from jixiao.reader.layout import _sheet_parts, load_grids
    from jixiao.security import sniff_workbook

    sniff = sniff_workbook(path)
    values = uncached.missing_cache_values(sniff.data, _sheet_parts(sniff.parts), None,
                                           load_grids(sniff.data), lambda grid, sheet: [])
    return {ref: v for (_, ref), v in values.items() if ref in ("C2", "D2", "F2", "C3")}


def _retyped_points(tmp: Path, name: str, value: object) -> Path:
    """jixiao's pingjia template, filled, with its first 分值 cell typed over (saved by openpyxl,
    so no formula keeps a cached value)."""
    from jixiao.templates.samples import SEEDS

    path = templates.write_workbook(tmp / f"{name}.xlsx", "pingjia", "native", SEEDS["pingjia"])
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "分值")
    ws.cell(row=header.row + 1, column=header.column).value = value
    wb.save(path)
    return path


@pytest.mark.parametrize("value", ["十分", None], ids=["text", "blank"])
def test_a_points_cell_typed_over_is_recalculated_as_excel_would(tmp_path, value) -> None:
    """Text typed over a 分值 makes the 填报状态 count #VALUE! (as SUMPRODUCT does) and a blank one
    counts as 0; the core raised TypeError, so the workbook was reported as not recalculable and
    its 总分 as not filled."""
    path = _retyped_points(tmp_path, "p", value)
    assert read_workbook(path).recalculated
    rules = {f.rule for f in validate_file(path).findings}
    assert "formula-uncached" not in rules and rules == {"not-a-number" if value else "missing-value"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_points_typed_over_core_values_equal_libreoffice(tmp_path) -> None:
    from jixiao import libreoffice
    from jixiao.reader.layout import _sheet_parts, find_forms, load_grids
    from jixiao.security import sniff_workbook

    bare = [_retyped_points(tmp_path, "text", "十分"), _retyped_points(tmp_path, "blank", None)]
    for path, lo in zip(bare, libreoffice.recalc_xlsx(bare, tmp_path / "lo"), strict=True):
        sniff = sniff_workbook(path)
        texts = uncached.formula_texts(sniff.data, _sheet_parts(sniff.parts))
        marker = load_workbook(path).defined_names["JX_TEMPLATE"].attr_text.strip('"')
        values = uncached.template_values(texts, marker, load_grids(sniff.data), find_forms)
        assert values
        wb = load_workbook(lo, data_only=True)
        for (sheet, ref), v in values.items():
            want = wb[sheet][ref].value
            assert (v in ("", None) and want in ("", None)) or str(v) == str(want) or \
                (isinstance(v, float) and abs(v - want) < 1e-9), (path.name, ref, v, want)


# (form, the named cell typed over, what is typed): text or TRUE where a number belongs, in the
# cells the 填报状态 checks compare (扣分 against its cap; 分值 in the 偏差原因 count).
# (TRUE is left out: Excel ranks it above numbers, LibreOffice stores it as 1.)
_TYPED_OVER = [("fubiao1", "deduction", "两分"), ("fubiao1", "deduction", 12),
               ("xiangmu", "col:points", "十分"), ("xiangmu", "col:points", None)]


def _typed_over(tmp: Path, i: int, form: str, field: str, value: object) -> tuple[Path, str]:
    """The form's template filled with its sample, one named cell typed over; and where its 填报状态 is."""
    from jixiao.forms import load_form
    from jixiao.templates.layout import layout
    from jixiao.templates.samples import SEEDS

    spec = load_form(form)
    fields = layout(spec, SEEDS[form], spec.pack).fields
    ref = fields[field].split(":")[0]
    path = templates.write_workbook(tmp / f"{form}-{i}.xlsx", form, "native", SEEDS[form])
    wb = load_workbook(path)
    wb.worksheets[0][ref] = value
    wb.save(path)  # saved by openpyxl: no formula keeps a cached value
    return path, fields["status"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_status_checks_over_typed_over_cells_equal_libreoffice(tmp_path) -> None:
    """The 填报状态 the core computes for a workbook without cached values is what LibreOffice
    computes: text typed in 扣分 counts as over its cap (Excel ranks text above numbers), text in a
    分值 makes the 偏差原因 count #VALUE!, as the formulas do."""
    from jixiao import libreoffice
    from jixiao.reader.layout import _sheet_parts, find_forms, load_grids
    from jixiao.security import sniff_workbook

    cases = [_typed_over(tmp_path, i, *case) for i, case in enumerate(_TYPED_OVER)]
    bare = [path for path, _ in cases]
    for (path, status), lo in zip(cases, libreoffice.recalc_xlsx(bare, tmp_path / "lo"), strict=True):
        sniff = sniff_workbook(path)
        texts = uncached.formula_texts(sniff.data, _sheet_parts(sniff.parts))
        marker = load_workbook(path).defined_names["JX_TEMPLATE"].attr_text.strip('"')
        values = uncached.template_values(texts, marker, load_grids(sniff.data), find_forms)
        wb = load_workbook(lo, data_only=True)
        assert status in {ref for _, ref in values}, path.name  # the core computed the status line
        for (sheet, ref), v in values.items():
            want = wb[sheet][ref].value
            assert (v in ("", None) and want in ("", None)) or str(v) == str(want) or \
                (isinstance(v, float) and abs(v - want) < 1e-9), (path.name, ref, v, want)
