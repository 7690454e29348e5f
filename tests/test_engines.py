"""Real spreadsheet engines — LibreOffice and Gnumeric — recalculate the native workbooks jixiao
writes, and every formula cell agrees with the Python core to the cent.

Three classes of workbook: the form templates filled at random (and with the seed numbers), the
committed templates and examples as shipped, and one workbook per engine run holding many
random calls of every native JX_ formula (a hypothesis property: native text ≡ core).
"""

from __future__ import annotations

import math
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from workbook_factory import same_value

from jixiao import gnumeric, libreoffice
from jixiao.core.scoring import round_half_up
from jixiao.errors import ExcelError
from jixiao.functions import REGISTRY
from jixiao.native import needs_array
from jixiao.templates import FORM_IDS, build_workbook, computed_values, template_layout
from jixiao.templates.samples import SEEDS, random_data
from jixiao.xlsxcache import exact_numbers

ROOT = Path(__file__).resolve().parents[1]
ENGINES: dict[str, Callable[[list[Path], Path], list[Path]]] = {
    "libreoffice": libreoffice.recalc_xlsx, "gnumeric": gnumeric.recalc_xlsx}
ENGINE_PARAMS = [
    pytest.param("libreoffice", marks=[pytest.mark.libreoffice, pytest.mark.skipif(
        not libreoffice.available(), reason="LibreOffice (soffice) not installed: scripts/install-test-deps")]),
    pytest.param("gnumeric", marks=[pytest.mark.gnumeric, pytest.mark.skipif(
        not gnumeric.available(), reason="Gnumeric (ssconvert) not installed: scripts/install-test-deps")]),
]
PER_FORM = 15


def _recalc(engine: str, paths: list[Path], out: Path) -> list[Path]:
    return ENGINES[engine](paths, out)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_native_templates_filled_at_random_match_the_core(engine: str, tmp_path: Path) -> None:
    rng = random.Random(31337)
    cases = []
    src = tmp_path / "in"
    src.mkdir()
    for form_id in FORM_IDS:
        datasets = [SEEDS[form_id], None] + [random_data(form_id, rng) for _ in range(PER_FORM)]
        for i, data in enumerate(datasets):
            path = src / f"{form_id}_{i:02d}.xlsx"
            with exact_numbers():  # no cached values: the engine computes
                build_workbook(form_id, "native", data).save(path)
            cases.append((path, form_id, data))
    outs = _recalc(engine, [c[0] for c in cases], tmp_path / "out")
    checked = 0
    for out, (_, form_id, data) in zip(outs, cases, strict=True):
        layout = template_layout(form_id, data)
        ws = openpyxl.load_workbook(out, data_only=True)[layout.sheet]
        for (_, cell), want in computed_values(form_id, data).items():
            got = ws[cell].value
            assert same_value(got, want), (engine, out.name, cell, got, want)
            checked += 1
    assert checked > 500
    # The seeds' published numbers, as each engine computes them
    seed = {"fubiao1": (91, "优"), "fubiao2": (100, "优"), "xiangmu": (99.87, "优"), "pingjia": (73.24, "中"),
            "yunnan2017": (97.75, "优")}
    for out, (_, form_id, data) in zip(outs, cases, strict=True):
        if data is SEEDS[form_id]:
            layout = template_layout(form_id, data)
            book = openpyxl.load_workbook(out, data_only=True)[layout.sheet]
            if form_id in seed:
                assert (book[layout.fields["grand_total"]].value, book[layout.fields["grade"]].value) == seed[form_id]
            else:  # seed 004's indicator table: 满意度 92.97 against 95/90/80/70 → 良
                assert [book[r["quality"]].value for r in layout.rows if "quality" in r][-1] == "良"


def _native_workbooks() -> list[Path]:
    """Every committed workbook whose formulas are all native (no JX_ call, no LAMBDA name)."""
    found = []
    for path in sorted([*ROOT.glob("workbook_templates/*.xlsx"), *ROOT.glob("examples/**/*.xlsx")]):
        try:
            wb = openpyxl.load_workbook(path)
        except Exception:
            continue  # the broken-file examples
        formulas = [_formula_text(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                    if _formula_text(c.value)]
        if formulas and not any("JX_" in f for f in formulas):
            found.append(path)
    return found


def _formula_text(value: object) -> str:
    if isinstance(value, ArrayFormula):
        return value.text
    return value if isinstance(value, str) and value.startswith("=") else ""


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_committed_native_workbooks_recalculate_to_their_cached_values(engine: str, tmp_path: Path) -> None:
    """The cached values jixiao wrote are the core's; the engine must compute the same."""
    books = _native_workbooks()
    names = {p.name for p in books}
    assert {"xiangmu-native.xlsx", "fubiao1-native.xlsx", "000-阿坝州-附表1-质量与安全监管.xlsx"} <= names
    src = tmp_path / "in"
    src.mkdir()
    copies = []
    for i, path in enumerate(books):
        copies.append(src / f"b{i:02d}.xlsx")
        copies[-1].write_bytes(path.read_bytes())
    outs = _recalc(engine, copies, tmp_path / "out")
    checked = 0
    for path, out in zip(books, outs, strict=True):
        formulas, cached = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
        got = openpyxl.load_workbook(out, data_only=True)
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if _formula_text(c.value):
                        want, value = cached[ws.title][c.coordinate].value, got[ws.title][c.coordinate].value
                        assert same_value(value, want), (engine, path.name, c.coordinate, value, want)
                        checked += 1
    assert checked > 100


# ---------------------------------------------------------------- property: native text ≡ core
PACKS = ["cz2020-10", "reverse-linear", "qual-80-60", "hubei", "rate-caps", "sichuan-dafen"]
RANGE_WIDTH = 12
money = st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2))
small = st.floats(0, 200, allow_nan=False).map(lambda x: round(x, 3))
points = st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2))
quantity = st.one_of(money, small, st.just(0.0), st.floats(-50, 0).map(lambda x: round(x, 2)))
maybe = st.one_of  # readability: maybe(st.none(), …)
natures = st.sampled_from(["", "≥", ">=", "≧", "不低于", "≤", "<=", "≦", "不超过", "＝", "=", "等于", "?"])
tiers = st.sampled_from(["达成", "部分达成", "未达成", "基本完成", "未完成", "逐步提高", "好"])
scores = st.lists(maybe(st.none(), st.floats(0, 30).map(lambda x: round(x, 3))), min_size=RANGE_WIDTH,
                  max_size=RANGE_WIDTH)
thresholds = st.lists(st.floats(0, 1.2).map(lambda x: round(x, 3)), min_size=3, max_size=3, unique=True)

CALLS = st.one_of(
    st.tuples(st.just("JX_SCORE"), st.tuples(natures, maybe(st.none(), small), maybe(st.none(), quantity),
                                             maybe(st.none(), points, st.just(-1.0)))),
    st.tuples(st.just("JX_SCORE"), st.tuples(st.just("定性"), st.just("逐步提高"),
                                             maybe(tiers, st.floats(0, 1.1).map(lambda x: round(x, 4))), points)),
    st.tuples(st.just("JX_RATE"), st.tuples(maybe(money, st.just(0.0), st.none()), maybe(money, st.none()))),
    st.tuples(st.just("JX_RATE_SCORE"), st.tuples(maybe(money, st.just(0.0)), money, st.sampled_from([10.0, 20.0]))),
    st.tuples(st.just("JX_GRADE"), st.tuples(st.floats(0, 100).map(lambda x: round(x, 3)))),
    st.tuples(st.just("JX_TOTAL"), st.tuples(scores, maybe(st.none(), st.floats(0, 10).map(lambda x: round(x, 1))),
                                             maybe(st.none(), st.floats(0, 1.2).map(lambda x: round(x, 4))))),
    st.tuples(st.just("JX_QUAL_CHECK"), st.tuples(tiers, points, points, st.just("逐步提高"))),
    st.tuples(st.just("JX_WEIGHT_STATUS"), st.tuples(
        st.lists(maybe(st.none(), st.sampled_from([5.0, 10.0, 2.5, 8.0, 0.05, 0.1])), min_size=RANGE_WIDTH,
                 max_size=RANGE_WIDTH), st.sampled_from([90.0, 80.0, 0.9]))),
    st.tuples(st.just("JX_QUALITY"), st.builds(
        lambda t, rising, actual, poor: (actual, *sorted(t, reverse=not rising), poor),
        thresholds, st.booleans(), maybe(st.none(), st.floats(-0.1, 1.3).map(lambda x: round(x, 3))),
        maybe(st.none(), st.floats(0, 1).map(lambda x: round(x, 3))))),
)


def _core(name: str, values: tuple, pack: str) -> object:
    spec = REGISTRY[name]
    return spec.func(*values, pack) if any(a.name == "pack" for a in spec.args) else spec.func(*values)


def _write_calls(path: Path, calls: list[tuple[str, tuple, str]]) -> list[str]:
    """One row per call: scalar inputs in A…F, a range argument in J…U, the native formula in H."""
    wb = openpyxl.Workbook()
    ws = wb.active
    cells = []
    for row, (name, values, pack) in enumerate(calls, start=1):
        refs = []
        for i, value in enumerate(values):
            if isinstance(value, list):
                for j, v in enumerate(value):
                    ws.cell(row, 10 + j, v)
                refs.append(f"J{row}:{get_column_letter(9 + len(value))}{row}")
            else:
                ws.cell(row, 1 + i, value)
                refs.append(f"{get_column_letter(1 + i)}{row}")
        text = "=" + REGISTRY[name].native_formula(refs, pack)
        ws[f"H{row}"] = ArrayFormula(f"H{row}", text) if needs_array(text) else text
        cells.append(f"H{row}")
    with exact_numbers():
        wb.save(path)
    return cells


def _engine_agrees(got: object, want: object) -> bool:
    if isinstance(want, ExcelError):
        return got == want.code  # the same error value, not just some error
    if isinstance(want, bool):
        return got is want
    if isinstance(want, float):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(got, want, abs_tol=1e-9)
    return got == want


# Cases random runs found, pinned: each is on a half cent, where Gnumeric gave one cent less
# while numbers were written as openpyxl's "%.16g" text (0.815 → "0.8149999999999999", which
# Gnumeric reads as a long double 1e-16 below 0.815; see jixiao.xlsxcache.exact_numbers).
HALF_CENT_REGRESSIONS = [
    (("JX_TOTAL", ([None, 14.0, 16.054, 3.944, 22.6, 0.0, 21.929, 0.109, None, 0.5, 23.883, 0.815], 6.0, None)),
     "rate-caps"),  # 97.83 (Gnumeric: 97.82)
    (("JX_TOTAL", ([None, 8.405, 8.205, None, None, 10.855, 4.465, None, 9.145, None, None, None], None, None)),
     "cz2020-10"),  # 41.1 (41.09)
    (("JX_SCORE", ("定性", "逐步提高", 0.5, 67.35)), "qual-80-60"),  # 33.68 (33.67)
    (("JX_SCORE", ("≤", 96.1, 100.0, 5.0)), "cz2020-10"),  # 4.81 (4.8)
    (("JX_SCORE", ("", 20.0, 0.94, 15.0)), "cz2020-10"),  # 0.71 (0.7)
    (("JX_RATE_SCORE", (831200.0, 91016.4, 10.0)), "cz2020-10"),  # 1.1 (1.09)
]


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
# Under CI (the CI variable set; .ci/run sets it) Hypothesis loads its "ci" profile: derandomized,
# no example database, so a run is reproducible. Elsewhere each run draws new inputs and replays
# the failures it saved. A failure found once is pinned below as an @example. Not covered, and
# documented in the README: Gnumeric's own long-double arithmetic can land a product exactly on a
# half cent just below it (=ROUND(0.65*6.7,2) is 4.35 there); these strategies met no such case in
# 48,000 calls.
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking:
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(CALLS, st.sampled_from(PACKS)), min_size=150, max_size=150))
@example(calls=HALF_CENT_REGRESSIONS)
def test_native_text_equals_the_core_over_random_inputs(engine: str, calls: list, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp(engine)
    flat = [(name, values, pack) for (name, values), pack in calls]
    (tmp / "in").mkdir()
    cells = _write_calls(tmp / "in" / "calls.xlsx", flat)
    (out,) = _recalc(engine, [tmp / "in" / "calls.xlsx"], tmp / "out")
    ws = openpyxl.load_workbook(out, data_only=True).active
    wrong = [(name, values, pack, ws[cell].value, _core(name, values, pack))
             for cell, (name, values, pack) in zip(cells, flat, strict=True)
             if not _engine_agrees(ws[cell].value, _core(name, values, pack))]
    assert not wrong, (engine, len(wrong), wrong[:8])  # each case: (function, inputs, pack, engine, core)


def test_numbers_are_written_as_the_shortest_text_of_their_double(tmp_path: Path) -> None:
    rng = random.Random(7)
    values = [0.815, 67.35, 9.87, 0.1 + 0.2, 1e-7, 123456.789, *(round(rng.uniform(0, 1e4), rng.randrange(1, 6))
                                                               for _ in range(200))]
    wb = openpyxl.Workbook()
    for i, v in enumerate(values, start=1):
        wb.active.cell(i, 1, v)
    with exact_numbers():
        wb.save(tmp_path / "n.xlsx")
    sheet = zipfile.ZipFile(tmp_path / "n.xlsx").read("xl/worksheets/sheet1.xml").decode()
    texts = re.findall(r"<v>([^<]*)</v>", sheet)
    assert texts[:4] == ["0.815", "67.35", "9.87", "0.30000000000000004"]  # openpyxl: 0.8149999999999999 … 0.3
    assert [float(t) for t in texts] == values  # each reads back as the same double
    from openpyxl.cell import _writer  # the block leaves openpyxl's own formatter in place

    assert _writer.safe_string(0.5) == "0.5" and _writer.safe_string.__module__ == "openpyxl.compat.strings"


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_half_cent_numbers_jixiao_writes_round_as_the_core_rounds_them(engine: str, tmp_path: Path) -> None:
    """Every three-decimal number on a half cent below 60 (0.005, 0.015, … 59.995), written as
    jixiao writes numbers, rounds to the core's cent in the engine (with openpyxl's own "%.16g"
    text 42 of them came out a cent low in Gnumeric: 0.565 → 0.56)."""
    values = [k / 1000 for k in range(5, 60_000, 10)]
    wb = openpyxl.Workbook()
    for row, v in enumerate(values, start=1):
        wb.active.cell(row, 1, v)
        wb.active.cell(row, 2, f"=ROUND(A{row},2)")
    (tmp_path / "in").mkdir()
    with exact_numbers():
        wb.save(tmp_path / "in" / "half_cents.xlsx")
    (out,) = _recalc(engine, [tmp_path / "in" / "half_cents.xlsx"], tmp_path / "out")
    got = openpyxl.load_workbook(out, data_only=True).active
    wrong = [(v, got.cell(row, 2).value, round_half_up(v)) for row, v in enumerate(values, start=1)
             if got.cell(row, 2).value != round_half_up(v)]
    assert not wrong, (engine, len(wrong), wrong[:10])


# ---------------------------------------------------------------- one error value per failure mode
FAILURES = [  # (failure mode, function, inputs): the core's error value must come out everywhere
    ("预算数为空", "JX_RATE", (None, 5)), ("预算数为 0", "JX_RATE", (0, 5)), ("执行数为空", "JX_RATE", (10, None)),
    ("预算数为负", "JX_RATE", (-10, 5)), ("执行数为负", "JX_RATE", (10, -5)), ("预算数是文字", "JX_RATE", ("abc", 5)),
    ("执行数是文字", "JX_RATE", (10, "abc")), ("执行率分值为负", "JX_RATE_SCORE", (10, 5, -1)),
    ("执行率分值是文字", "JX_RATE_SCORE", (10, 5, "abc")), ("执行率得分预算为 0", "JX_RATE_SCORE", (0, 5, 10)),
    ("分值为空", "JX_SCORE", ("≥", 10, 5, None)), ("分值是文字", "JX_SCORE", ("≥", 10, 5, "abc")),
    ("分值为负", "JX_SCORE", ("≥", 10, 5, -1)), ("指标值为空", "JX_SCORE", ("≥", None, 5, 10)),
    ("实际值为空", "JX_SCORE", ("≥", 10, None, 10)), ("指标值为负", "JX_SCORE", ("≥", -10, 5, 10)),
    ("指标性质无法识别", "JX_SCORE", ("?", 10, 5, 10)), ("实际值是文字", "JX_SCORE", ("≥", 10, "abc", 10)),
    ("定性档次无法识别", "JX_SCORE", ("定性", "逐步提高", "很好", 10)),
    ("定性完成程度为负", "JX_SCORE", ("定性", "逐步提高", -0.5, 10)),
    ("定性完成程度超过 1", "JX_SCORE", ("定性", "逐步提高", 1.5, 10)),
    ("定性实际值为空", "JX_SCORE", ("定性", "逐步提高", None, 10)),
    ("总分是文字", "JX_GRADE", ("abc",)), ("总分为空", "JX_GRADE", (None,)),
    ("得分是文字", "JX_TOTAL", ([5, "abc"], None, None)), ("扣分为负", "JX_TOTAL", ([5, 6], -2, None)),
    ("扣分是文字", "JX_TOTAL", ([5, 6], "abc", None)),
    ("定性得分档次无法识别", "JX_QUAL_CHECK", ("很好", 5, 10)), ("定性得分是文字", "JX_QUAL_CHECK", ("达成", "abc", 10)),
    ("定性得分为空", "JX_QUAL_CHECK", ("达成", None, 10)), ("定性实际值为空（检查）", "JX_QUAL_CHECK", (None, 5, 10)),
    ("定性分值是文字", "JX_QUAL_CHECK", ("达成", 5, "abc")), ("完成程度超过 1（检查）", "JX_QUAL_CHECK", (1.5, 5, 10)),
    ("权重是文字", "JX_WEIGHT_STATUS", ([5, "abc"], 90)), ("应合计为空", "JX_WEIGHT_STATUS", ([5, 6], None)),
    ("完成值为空", "JX_QUALITY", (None, 0.9, 0.8, 0.6, None)), ("绩效标准为空", "JX_QUALITY", (0.5, None, 0.8, 0.6, None)),
    ("完成值是无法对应的文字", "JX_QUALITY", ("很好", 0.9, 0.8, 0.6, None)),
]
FAILURE_PACKS = ["cz2020-10", "sichuan-dafen", "rate-caps"]  # sichuan-dafen caps 扣分 at 10


def _failure_calls() -> list[tuple[str, tuple, str]]:
    calls = [(name, values, pack) for _, name, values in FAILURES for pack in FAILURE_PACKS]
    calls += [("JX_TOTAL", ([5, 6], 11, None), "sichuan-dafen"),  # 扣分 above the pack's 10
              ("JX_TOTAL", ([5, 6], None, "abc"), "rate-caps")]  # 执行率 as text where the pack caps by it
    div0 = ExcelError("#DIV/0!")  # an error in an input cell comes out unchanged
    calls += [("JX_RATE", (div0, 5), "cz2020-10"), ("JX_SCORE", ("≥", div0, 5, 10), "cz2020-10"),
              ("JX_TOTAL", ([5, div0], None, None), "cz2020-10"), ("JX_QUALITY", (0.5, 0.9, div0, 0.6, None), "cz2020-10"),
              ("JX_GRADE", (div0,), "cz2020-10")]
    return calls


def test_every_failure_mode_is_an_error_value_of_the_core() -> None:
    for name, values, pack in _failure_calls():
        assert isinstance(_core(name, values, pack), ExcelError), (name, values, pack)


def test_every_failure_mode_gives_the_cores_error_value_in_formulas() -> None:
    from test_equivalence import _three_ways

    for name, values, pack in _failure_calls():
        padded = [list(v) + [None] * (RANGE_WIDTH - len(v)) if isinstance(v, list) else v for v in values]
        range_arg = next((i for i, v in enumerate(values) if isinstance(v, list)), None)
        python, via_udf, via_native = _three_ways(name, padded, pack, range_arg=range_arg)
        assert via_udf == python.code and via_native == python.code, (name, values, pack, via_udf, via_native, python)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_every_failure_mode_gives_the_cores_error_value_in_the_engine(engine: str, tmp_path: Path) -> None:
    calls = _failure_calls()
    (tmp_path / "in").mkdir()
    cells = _write_calls(tmp_path / "in" / "failures.xlsx", calls)
    (out,) = _recalc(engine, [tmp_path / "in" / "failures.xlsx"], tmp_path / "out")
    ws = openpyxl.load_workbook(out, data_only=True).active
    wrong = [(name, values, pack, ws[cell].value, _core(name, values, pack).code)
             for cell, (name, values, pack) in zip(cells, calls, strict=True)
             if ws[cell].value != _core(name, values, pack).code]
    assert not wrong, (engine, wrong)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_range_formulas_standing_on_the_first_row_of_their_range(engine: str, tmp_path: Path) -> None:
    """The place where implicit intersection silently picks one cell (97.06 → 0 in Gnumeric before
    the array-formula fix): a vertical range whose first row is the formula's own row."""
    rng = random.Random(2024)
    wb = openpyxl.Workbook()
    ws = wb.active
    cases = []
    for i in range(30):
        col = 1 + 2 * i
        values = [rng.choice([None, round(rng.uniform(0, 30), 3)]) for _ in range(RANGE_WIDTH)]
        values[0] = round(rng.uniform(1, 30), 3)
        for r, v in enumerate(values, start=1):
            ws.cell(r, col, v)
        ref = f"{get_column_letter(col)}1:{get_column_letter(col)}{RANGE_WIDTH}"
        name, args = ("JX_TOTAL", [ref]) if i % 2 else ("JX_WEIGHT_STATUS", [ref, "90"])
        text = "=" + REGISTRY[name].native_formula(args, "cz2020-10")
        cell = f"{get_column_letter(col + 1)}1"
        ws[cell] = ArrayFormula(cell, text) if needs_array(text) else text
        cases.append((cell, REGISTRY[name].func(values, 90) if i % 2 == 0 else REGISTRY[name].func(values)))
    (tmp_path / "in").mkdir()
    with exact_numbers():
        wb.save(tmp_path / "in" / "first_row.xlsx")
    (out,) = _recalc(engine, [tmp_path / "in" / "first_row.xlsx"], tmp_path / "out")
    got = openpyxl.load_workbook(out, data_only=True).active
    wrong = [(cell, got[cell].value, want) for cell, want in cases if not _engine_agrees(got[cell].value, want)]
    assert not wrong, (engine, wrong)
