"""Template workbooks: acceptance numbers, modes agree in `formulas`, layout, drift, looks."""

from __future__ import annotations

import random
import re
from pathlib import Path

import openpyxl
import pytest
from workbook_factory import cell_content, same_value

from jixiao.errors import ExcelError
from jixiao.forms import load_form
from jixiao.functions import REGISTRY
from jixiao.templates import (
    FORM_IDS,
    MODES,
    build_workbook,
    check_data,
    computed_values,
    template_layout,
    write_workbook,
)
from jixiao.templates.model import lambda_name_text
from jixiao.templates.samples import SEEDS, random_data

ROOT = Path(__file__).resolve().parents[1]


def _recalc(wb: openpyxl.Workbook, path: Path) -> dict[tuple[str, str], object]:
    from jixiao.hosts.formulas_host import recalculate

    wb.save(path)  # no cached values: whatever comes back was computed by `formulas`
    return recalculate(path)


def test_seed_acceptance_numbers() -> None:
    f1 = template_layout("fubiao1", SEEDS["fubiao1"])
    v1 = computed_values("fubiao1", SEEDS["fubiao1"])
    assert v1[f1.cell("grand_total")] == 91
    assert v1[f1.cell("grade")] == "优"
    assert v1[f1.cell("subtotal:通用指标")] == 51
    f2 = template_layout("fubiao2", SEEDS["fubiao2"])
    v2 = computed_values("fubiao2", SEEDS["fubiao2"])
    assert v2[f2.cell("points_total")] == pytest.approx(0.9)
    assert v2[f2.cell("weight_status")] == "权重合计 90%，符合要求"
    xm = template_layout("xiangmu", SEEDS["xiangmu"])
    v3 = computed_values("xiangmu", SEEDS["xiangmu"])
    assert v3[xm.cell("total_funds:score")] == 9.87
    assert v3[xm.cell("grand_total")] == 99.87
    assert v3[xm.cell("grade")] == "优"
    assert v3[xm.cell("status")] == "权重合计 90，符合要求；总分 99.87，等级 优"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_seed_modes_agree_in_formulas(form_id: str, tmp_path: Path) -> None:
    expected = computed_values(form_id, SEEDS[form_id])
    for mode in ("udf", "lambda"):
        got = _recalc(build_workbook(form_id, mode, SEEDS[form_id]), tmp_path / f"{mode}.xlsx")
        for key, value in expected.items():
            assert same_value(got[key], value), (mode, key, got[key], value)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_empty_template_shows_no_errors(form_id: str, tmp_path: Path) -> None:
    values = computed_values(form_id)
    assert not [v for v in values.values() if isinstance(v, ExcelError)]
    got = _recalc(build_workbook(form_id, "udf"), tmp_path / "empty.xlsx")
    errors = {k: v for k, v in got.items() if isinstance(v, ExcelError)}
    assert not errors
    layout = template_layout(form_id)
    if "grand_total" in layout.fields:
        assert got[layout.cell("grand_total")] in (None, "")
    assert str(got[layout.cell("status")]).startswith("未完成")


def test_random_fills_agree_in_formulas(tmp_path: Path) -> None:
    rng = random.Random(20250101)
    for i in range(4):
        for form_id in FORM_IDS:
            data = random_data(form_id, rng)
            expected = computed_values(form_id, data)
            mode = MODES[i % 2]  # udf, lambda
            got = _recalc(build_workbook(form_id, mode, data), tmp_path / f"{form_id}{i}.xlsx")
            for key, value in expected.items():
                assert same_value(got[key], value), (form_id, mode, key, got[key], value)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_udf_and_lambda_cells_are_identical_and_call_every_argument(form_id: str) -> None:
    udf = build_workbook(form_id, "udf").active
    lam = build_workbook(form_id, "lambda").active
    nat = build_workbook(form_id, "native").active
    layout = template_layout(form_id)
    pack_ref = "$" + re.sub(r"(\d+)", r"$\1", layout.fields["pack"])
    calls = 0
    for cell in layout.formulas:
        text = udf[cell].value
        assert isinstance(text, str) and text.startswith("="), cell
        assert lam[cell].value == text
        assert "JX_" not in str(cell_content(nat[cell].value)), cell  # native mode: plain Excel only
        for m in re.finditer(r"(JX_[A-Z_]+)\(", text):
            calls += 1
            spec = REGISTRY[m.group(1)]
            if any(a.name == "pack" for a in spec.args):
                assert pack_ref in text[m.end():], (cell, text)
    assert calls > 0


def test_lambda_names_are_defined_in_file_form() -> None:
    wb = build_workbook("xiangmu", "lambda", pack="hubei")
    for name in REGISTRY:
        text = wb.defined_names[name].attr_text
        assert text.startswith("_xlfn.LAMBDA(")
        params = [a.name for a in REGISTRY[name].args]
        for p in params:
            assert f"_xlpm.{p}" in text
        # no bare parameter left outside strings
        outside = re.sub(r'"(?:[^"]|"")*"', "", text)
        for p in params:
            assert not re.search(rf"(?<![\w.]){p}(?![\w(])", outside), (name, p)
    assert "JX_SCORE" not in build_workbook("xiangmu", "udf").defined_names


def _let_from_lambda(name: str, pack: str, args: list[str]) -> str:
    """The LAMBDA body of a defined name as LET(param, value, …, body) — `formulas` runs LET."""
    text = lambda_name_text(name, pack)
    inner = text.removeprefix("_xlfn.LAMBDA(")[:-1].replace("_xlpm.", "")
    params = [a.name for a in REGISTRY[name].args]
    body = inner[len(",".join(params)) + 1:] if params else inner
    pairs = []
    for a, v in zip(REGISTRY[name].args, args, strict=True):
        if a.is_range:  # `formulas` takes no array constant in LET: put it in place
            body = re.sub(rf"(?<![\w.]){a.name}(?![\w(])", v, body)
        else:
            pairs.append(f"{a.name},{v}")
    return f"=LET({','.join(pairs)},{body})"


def _lit(v: object) -> str:
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, list):
        return "{" + ",".join(_lit(x) for x in v) + "}"
    return repr(v)


def test_lambda_bodies_evaluate_like_the_core() -> None:
    import formulas

    from jixiao.hosts.formulas_host import register

    register()
    rng = random.Random(7)
    cases: list[tuple[str, list[object]]] = []
    for _ in range(25):
        t = rng.choice([10, 0.95, 300, 4000])
        nature = rng.choice(["≥", "≤", "＝"])
        cases.append(("JX_SCORE", [nature, t, round(t * rng.uniform(0.2, 2), 2), rng.choice([5, 10, 25]), ""]))
    cases += [("JX_SCORE", ["定性", "逐步提高", a, 10, ""]) for a in ("逐步提高", "达成", "部分达成", "未达成")]
    cases += [("JX_RATE", [87.65, 86.54]), ("JX_RATE_SCORE", [87.65, 86.54, 10, ""]),
              ("JX_GRADE", [89.995, ""]), ("JX_GRADE", [79.5, ""]), ("JX_TOTAL", [[9.87, 90.0], 0, "", ""]),
              ("JX_WEIGHT_STATUS", [[25, 25, 15, 15, 10], 90]), ("JX_WEIGHT_STATUS", [[25, 25], 90])]
    for pack in ("cz2020-10", "reverse-linear"):
        for name, args in cases:
            formula = _let_from_lambda(name, pack, [_lit(a) for a in args])
            func = formulas.Parser().ast(formula)[1].compile()
            got = func()
            got = got.item() if hasattr(got, "item") else got
            want = REGISTRY[name].func(*[None if a == "" else a for a in args[:-1]], pack) \
                if any(a.name == "pack" for a in REGISTRY[name].args) else REGISTRY[name].func(*args)
            assert same_value(got, want), (pack, name, args, got, want)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_layout_protection_and_inputs(form_id: str) -> None:
    ws = build_workbook(form_id, "native").active
    layout = template_layout(form_id)
    assert ws.protection.sheet and not ws.protection.password
    for cell in layout.formulas:
        assert ws[cell].protection.locked
        assert ws[cell].fill.fgColor.rgb in ("00000000", None)
    for cell in layout.inputs:
        assert not ws[cell].protection.locked
        assert ws[cell].fill.fill_type == "solid"
    assert ws.freeze_panes
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    keys = load_form(form_id).indicators.keys()
    if "nature" in keys:  # the unit types 指标性质, and 定性 tiers as 实际值
        assert '"≥,＝,≤,定性"' in lists and '"达成,部分达成,未达成"' in lists
    assert set(keys) <= set(layout.rows[0])
    if "score" in keys:  # 得分 above 分值 shows red
        assert ws.conditional_formatting
    assert {c.font.name for row in ws.iter_rows() for c in row if c.value is not None} <= {"宋体", "仿宋"}


def test_column_widths_are_cjk_aware() -> None:
    from jixiao.templates.render import text_width

    assert text_width("指标分值") == 8 and text_width("ab") == 2
    ws = build_workbook("fubiao2", "native", SEEDS["fubiao2"]).active
    assert ws.column_dimensions["D"].width >= 20  # 三级指标 names are long Chinese text


def test_check_data_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"indicators\[0\]\.level2"):
        check_data("xiangmu", {"indicators": [{"level1": "产出指标"}]})
    with pytest.raises(ValueError, match="colour"):
        check_data("fubiao2", {"colour": 1})
    with pytest.raises(ValueError, match="决策"):
        check_data("fubiao1", {"scores": {"决策": 1}})
    with pytest.raises(ValueError, match="mode"):
        build_workbook("fubiao1", "vba")


def test_fubiao2_ticks_and_typed_quantities() -> None:
    ws = build_workbook("fubiao2", "native", SEEDS["fubiao2"]).active
    layout = template_layout("fubiao2", SEEDS["fubiao2"])
    assert ws[layout.fields["allocation:据实据效"]].value == "☑据实据效"
    assert ws[layout.fields["allocation:因素法"]].value == "□因素法"
    row = layout.rows[0]
    assert ws[row["points"]].value == pytest.approx(0.05) and ws[row["points"]].number_format == "0%"
    xm = build_workbook("xiangmu", "native", SEEDS["xiangmu"]).active
    lx = template_layout("xiangmu", SEEDS["xiangmu"])
    cost = next(r for r in lx.rows if xm[r["level3"]].value == "不超过年度预算")
    assert xm[cost["target"]].value == 87.65 and "万元" in xm[cost["target"]].number_format
    assert xm[cost["nature"]].value == "≤"


def test_written_file_carries_cached_values(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    path = write_workbook(tmp_path / "xm.xlsx", "xiangmu", "udf", SEEDS["xiangmu"])
    layout = template_layout("xiangmu", SEEDS["xiangmu"])
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.sheet).to_python()
    col = ord(re.match(r"[A-Z]+", layout.fields["grand_total"]).group(0)) - ord("A")
    row = int(re.search(r"\d+", layout.fields["grand_total"]).group(0)) - 1
    assert rows[row][col] == 99.87


def _snapshot(path_or_wb: object) -> dict[str, object]:
    wb = openpyxl.load_workbook(path_or_wb) if isinstance(path_or_wb, Path) else path_or_wb
    ws = wb.active
    return {
        "cells": {c.coordinate: cell_content(c.value) for row in ws.iter_rows() for c in row if c.value is not None},
        "formats": {c.coordinate: c.number_format for row in ws.iter_rows() for c in row if c.value is not None},
        "merges": sorted(str(m) for m in ws.merged_cells.ranges),
        "names": {n: wb.defined_names[n].attr_text for n in wb.defined_names},
        "validations": sorted((dv.type or "", dv.formula1 or "", str(dv.sqref)) for dv in ws.data_validations.dataValidation),
        "widths": {k: round(v.width, 2) for k, v in ws.column_dimensions.items()},
    }


@pytest.mark.parametrize("form_id", FORM_IDS)
@pytest.mark.parametrize("mode", MODES)
def test_committed_templates_match_the_generator(form_id: str, mode: str, tmp_path: Path) -> None:
    committed = ROOT / "workbook_templates" / f"{form_id}-{mode}.xlsx"
    assert committed.exists(), "run: jixiao templates"
    fresh = write_workbook(tmp_path / committed.name, form_id, mode)
    assert _snapshot(committed) == _snapshot(fresh), f"{committed.name} drifted: run `jixiao templates`"


def test_cli_templates(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jixiao.cli import main

    result = CliRunner().invoke(main, ["templates", "--out", str(tmp_path), "--form", "xiangmu", "--mode", "native"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xiangmu-native.xlsx").exists()
    assert not (tmp_path / "fubiao1-native.xlsx").exists()


def test_user_text_never_becomes_a_formula(tmp_path):
    import copy

    from openpyxl import load_workbook

    from jixiao.templates import write_workbook
    from jixiao.templates.samples import SEEDS

    data = copy.deepcopy(SEEDS["xiangmu"])
    data["header"]["project"] = '=HYPERLINK("http://example.invalid","点我")'
    data["indicators"][0]["level3"] = "=1+1"
    path = write_workbook(tmp_path / "x.xlsx", "xiangmu", "native", data)
    ws = load_workbook(path).active
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert texts and all(c.data_type == "s" for c in texts)
    typed = [c for row in ws.iter_rows() for c in row if c.value == "=1+1"]
    assert len(typed) == 1 and typed[0].data_type == "s"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_points_total_highlight_is_off_on_the_form_as_given(form_id: str) -> None:
    """The red 分值/权重-total highlight compares with what the form's own points total (a fixed
    tree without ``expected_points`` too), so a correct form never shows it."""
    ws = build_workbook(form_id, "native", SEEDS[form_id]).active
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            m = re.search(r"ABS\(SUM\((\w+):(\w+)\)-([\d.]+)\)", rule.formula[0])
            if m:
                cells = [c.value for row in ws[f"{m[1]}:{m[2]}"] for c in row]
                numbers = [v if isinstance(v, (int, float)) else float(str(v).rstrip("%")) / 100 for v in cells
                           if v not in (None, "")]
                assert abs(sum(numbers) - float(m[3])) < 1e-6, (form_id, rule.formula[0], cells)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_status_text_has_room(form_id: str) -> None:
    """The 填报状态 text spans at least two columns, whatever the form's width (a 4-column form
    once gave it one column and the sentence was cut off before the grade)."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    ws = build_workbook(form_id, "native", SEEDS[form_id]).active
    label = next(c for row in ws.iter_rows() for c in row if c.value == "填报状态")
    label_range = next(m for m in ws.merged_cells.ranges if label.coordinate in m)
    status = f"{get_column_letter(label_range.max_col + 1)}{label.row}"
    status_range = next(m for m in ws.merged_cells.ranges if status in m)
    value = ws[status].value
    assert str(getattr(value, "text", value)).startswith("=")  # the status formula (an array formula in native)
    assert status_range.max_col - status_range.min_col + 1 >= 2
    assert status_range.max_col == ws.max_column >= column_index_from_string("D")
