"""`jixiao recalc`: a workbook of JX_ formulas written by openpyxl, computed with no Excel."""

from __future__ import annotations

import doctest

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

import jixiao.functions
from jixiao.cli import main

ROWS = [
    # nature, target, actual, weight, formula, expected
    ("≥", "80%", "85%", 10, "=JX_SCORE(A{r},B{r},C{r},D{r})", 10),
    ("", "不超过87.65万元", "86.54万元", 25, "=_xludf.JX_SCORE(A{r},B{r},C{r},D{r})", 25),
    ("≥", 90, 72, 10, "=JX_SCORE(A{r},B{r},C{r},D{r})", 8),
    ("≤", 4000, 5000, 10, '=JX_SCORE(A{r},B{r},C{r},D{r},"reverse-linear")', 7.5),
    (87.65, 86.54, None, 10, "=JX_RATE_SCORE(A{r},B{r},D{r})", 9.87),
    (0, 5, None, 10, "=JX_RATE_SCORE(A{r},B{r},D{r})", "#DIV/0!"),
    (None, None, None, None, "=ROUND(0.285,2)", 0.29),
]


def _workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    ws.append(["指标性质", "指标值", "实际完成值", "分值", "得分"])
    for r, row in enumerate(ROWS, start=2):
        ws.append([*row[:4], row[4].format(r=r)])
    last = len(ROWS) + 1
    ws.append([None, None, None, None, "=JX_TOTAL(E2:E5)"])  # 10 + 25 + 8 + 7.5
    ws.append([None, None, None, None, f"=JX_GRADE(E{last + 1})"])
    wb.save(path)


def test_recalc_writes_values_that_data_only_readers_see(tmp_path):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    _workbook(src)
    before = src.read_bytes()
    result = CliRunner().invoke(main, ["recalc", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before  # the original is untouched

    values = openpyxl.load_workbook(out, data_only=True).active
    for r, row in enumerate(ROWS, start=2):
        assert values[f"E{r}"].value == row[5], (r, values[f"E{r}"].value)
    assert values["E9"].value == 50.5
    assert values["E10"].value == "差"

    formulas_kept = openpyxl.load_workbook(out).active
    assert formulas_kept["E2"].value == "=JX_SCORE(A2,B2,C2,D2)"
    calamine = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert calamine[2][4] == 25.0  # sheet row 3


def test_recalc_refuses_to_overwrite_and_reports_broken_files(tmp_path):
    src = tmp_path / "in.xlsx"
    _workbook(src)
    same = CliRunner().invoke(main, ["recalc", str(src), "-o", str(src)])
    assert same.exit_code == 2 and "覆盖" in same.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = CliRunner().invoke(main, ["recalc", str(broken)])
    assert result.exit_code == 1 and "无法计算" in result.output
    assert not (tmp_path / "broken-recalc.xlsx").exists()


def test_function_reference_lists_every_function():
    result = CliRunner().invoke(main, ["functions", "--markdown"])
    assert result.exit_code == 0
    for name in jixiao.functions.REGISTRY:
        assert f"`{name}(" in result.output
    native = CliRunner().invoke(main, ["functions", "--native", "jx_rate_score"])
    assert native.output.startswith("=") and "ROUND(MIN(" in native.output and "JX_" not in native.output


@pytest.mark.parametrize("module", [jixiao.functions])
def test_docstring_examples_run(module):
    failures, tried = doctest.testmod(module)
    assert tried > 0 and failures == 0


@pytest.mark.parametrize("mode", ["udf", "lambda", "native"])
def test_recalc_of_a_filled_template_computes_with_the_core_what_formulas_computes(tmp_path, mode, monkeypatch):
    """Our templates recalculate from the core (no `formulas` model), to the same values."""
    templates = pytest.importorskip("jixiao.templates")
    from jixiao.hosts.formulas_host import recalculate
    from jixiao.reader import uncached
    from jixiao.templates.samples import SEEDS

    src = templates.write_workbook(tmp_path / "in.xlsx", "xiangmu", mode, SEEDS["xiangmu"])
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    spent = [c for row in ws.iter_rows() for c in row if c.value == 86.54]  # 全年执行数 (seed 001)
    spent[0].value = 80  # change an input: the template's cached values would no longer do
    wb.save(src)  # openpyxl keeps no cached values
    engine = recalculate(src)
    monkeypatch.setattr(uncached, "recalculate_bytes", lambda *a: pytest.fail("formulas model built"))
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["recalc", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    got = openpyxl.load_workbook(out, data_only=True).worksheets[0]
    compared = 0
    for (_, ref), want in engine.items():
        if ws[ref].data_type != "f":
            continue
        have = got[ref].value
        if isinstance(want, float):
            assert have == pytest.approx(want, abs=1e-9), ref
        else:
            assert (have in (None, "") and want in (None, "")) or str(have) == str(want), (ref, have, want)
        compared += 1
    assert compared >= 10
