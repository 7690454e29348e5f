"""One registry, three evaluations that must agree to the cent over random inputs:

1. the Python core (``REGISTRY[name].func``),
2. the `formulas` engine evaluating ``=JX_NAME(A1, …)`` (the add-in / headless path),
3. the `formulas` engine evaluating the native formula text (the no-add-in path),
and the named-LAMBDA body, evaluated through LET.
"""

from __future__ import annotations

import functools
import math
import re

import formulas
import numpy as np
import pytest
import schedula as sh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.errors import ExcelError
from jixiao.functions import REGISTRY
from jixiao.hosts.formulas_host import _to_python, register
from jixiao.rulepacks import load_pack

PACKS = ["cz2020-10", "reverse-linear", "qual-80-60", "hubei", "rate-caps", "sichuan-dafen"]
MANY = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _refs(n: int) -> list[str]:
    return [f"{chr(65 + i)}1" for i in range(n)]


@functools.cache
def _compiled(formula: str):
    register()
    return formulas.Parser().ast(formula)[1].compile()


def _cell(value):
    if value is None:
        return sh.EMPTY
    if isinstance(value, ExcelError):  # an error cell, as `formulas` holds one
        from formulas.tokens.operand import Error

        return Error.errors[value.code]
    if isinstance(value, list):
        return np.asarray([[_cell(v)] for v in value], dtype=object)
    return value


def _evaluate(formula: str, inputs: dict[str, object]):
    func = _compiled(formula)
    return _to_python(func(*[_cell(inputs[name]) for name in func.inputs]))


def _three_ways(name: str, values: list, pack: str, range_arg: int | None = None):
    spec = REGISTRY[name]
    refs = _refs(len(values))
    if range_arg is not None:
        refs[range_arg] = "A1:A12"
    inputs = dict(zip(refs, values, strict=True))
    call_args = list(values)
    has_pack = any(a.name == "pack" for a in spec.args)
    python = spec.func(*call_args, pack) if has_pack else spec.func(*call_args)
    pack_text = f',"{pack}"' if has_pack else ""
    via_udf = _evaluate(f"={name}({','.join(refs)}{pack_text})", inputs)
    via_native = _evaluate("=" + spec.native_formula(refs, pack), inputs)
    return python, via_udf, via_native


def _agree(*results) -> None:
    python = results[0]
    for other in results[1:]:
        if isinstance(python, ExcelError):
            assert isinstance(other, ExcelError) and other.code == python.code, results  # the same error
        elif isinstance(python, float) or isinstance(other, float):
            assert not isinstance(other, ExcelError), results
            assert math.isclose(float(python), float(other), abs_tol=1e-9), results
        else:
            assert python == other, results


money = st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2))
small = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda x: round(x, 3))
points = st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 2))
quantity = st.one_of(money, small, st.just(0.0), st.floats(-50, 0).map(lambda x: round(x, 2)))
natures = st.sampled_from(["", "≥", ">=", "≧", "不低于", "≤", "<=", "≦", "不超过", "＝", "=", "等于"])


@MANY
@given(natures, quantity.filter(lambda x: x >= 0), quantity, points, st.sampled_from(PACKS))
def test_score_quantitative(nature, target, actual, weight, pack):
    _agree(*_three_ways("JX_SCORE", [nature, target, actual, weight], pack))


@SOME
@given(st.sampled_from(["定性", "定性指标"]), st.sampled_from(["逐步提高", "有效提升", "达到预期"]),
       st.one_of(st.sampled_from(["达成", "部分达成", "未达成", "基本完成", "未完成", "逐步提高", "有效提升"]),
                 st.floats(0, 1).map(lambda x: round(x, 4))),
       points, st.sampled_from(PACKS))
def test_score_qualitative(nature, target, actual, weight, pack):
    _agree(*_three_ways("JX_SCORE", [nature, target, actual, weight], pack))


@SOME
@given(st.one_of(natures, st.sampled_from(["正", "?"])),
       st.one_of(st.none(), quantity), st.one_of(st.none(), quantity, st.just("abc")),
       st.one_of(st.none(), points, st.just(-1.0)))
def test_score_bad_inputs_are_errors_in_every_host(nature, target, actual, weight):
    python, via_udf, via_native = _three_ways("JX_SCORE", [nature, target, actual, weight], "cz2020-10")
    assert isinstance(python, ExcelError) == isinstance(via_udf, ExcelError)
    if isinstance(python, ExcelError):
        # native formulas may be stricter (text → error), never looser
        assert isinstance(via_native, ExcelError)
    else:
        _agree(python, via_udf, via_native)


@MANY
@given(st.one_of(money, st.just(0.0), st.none()), st.one_of(money, st.none()), st.sampled_from([10.0, 20.0, 5.5]))
def test_rate_and_rate_score(budget, spent, weight):
    _agree(*_three_ways("JX_RATE", [budget, spent], "cz2020-10"))
    _agree(*_three_ways("JX_RATE_SCORE", [budget, spent, weight], "cz2020-10"))


@MANY
@given(st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 3)), st.sampled_from(PACKS))
def test_grade(total, pack):
    _agree(*_three_ways("JX_GRADE", [total], pack))


@SOME
@given(st.lists(st.one_of(st.none(), st.floats(0, 30).map(lambda x: round(x, 3))), min_size=12, max_size=12),
       st.one_of(st.none(), st.floats(0, 10).map(lambda x: round(x, 1))),
       st.one_of(st.none(), st.floats(0, 1.2).map(lambda x: round(x, 4))),
       st.sampled_from(PACKS))
def test_total(scores, deduction, rate, pack):
    _agree(*_three_ways("JX_TOTAL", [scores, deduction, rate], pack, range_arg=0))


@SOME
@given(st.lists(st.one_of(st.none(), st.sampled_from([5.0, 10.0, 2.5, 8.0, 0.05, 0.1, 0.025, 0.075])),
                min_size=12, max_size=12),
       st.sampled_from([90.0, 80.0, 100.0, 0.9, 0.8, 1.0]))
def test_weight_status(weights, expected):
    _agree(*_three_ways("JX_WEIGHT_STATUS", [weights, expected], "cz2020-10", range_arg=0))


@SOME
@given(st.sampled_from(["达成", "部分达成", "未达成", "逐步提高"]), points, points, st.sampled_from(PACKS))
def test_qual_check(actual, score, weight, pack):
    _agree(*_three_ways("JX_QUAL_CHECK", [actual, min(score, weight), weight, "逐步提高"], pack))


standards = st.lists(st.floats(0, 1.2).map(lambda x: round(x, 3)), min_size=3, max_size=3, unique=True)


@SOME
@given(standards, st.booleans(), st.one_of(st.floats(-0.1, 1.3).map(lambda x: round(x, 3)), st.none()),
       st.one_of(st.none(), st.floats(0, 1).map(lambda x: round(x, 3))), st.sampled_from(PACKS))
def test_quality_over_numbers(thresholds, rising, actual, poor, pack):
    t = sorted(thresholds, reverse=not rising)
    _agree(*_three_ways("JX_QUALITY", [actual, *t, poor], pack))


@SOME
@given(st.lists(st.sampled_from(["能圆满完成", "基本完成", "部分完成", "未完成", "95%以上"]), min_size=4, max_size=4),
       st.integers(0, 3), st.sampled_from(PACKS))
def test_quality_over_text_standards(words, pick, pack):
    _agree(*_three_ways("JX_QUALITY", [words[pick], *words], pack))


def test_version():
    _agree(*_three_ways("JX_VERSION", [], "cz2020-10"))


# ---------------------------------------------------------------- LAMBDA definitions
def _lambda_as_let(name: str, pack: str, refs: list[str]) -> str:
    definition = REGISTRY[name].lambda_definition(pack)
    match = re.fullmatch(r"=LAMBDA\((.*)\)", definition, re.S)
    assert match, definition
    params = [a.name for a in REGISTRY[name].args]
    body = match.group(1)[len(",".join(params)) + 1:] if params else match.group(1)
    bindings = ",".join(f"{p},{r}" for p, r in zip(params, refs, strict=True))
    # LET names must not look like cell references or functions; prefix them.
    for p in sorted(params, key=len, reverse=True):
        body = re.sub(rf"(?<![A-Za-z_\"]){p}(?![A-Za-z_(\"])", f"p_{p}", body)
        bindings = re.sub(rf"(?<![A-Za-z_]){p},", f"p_{p},", bindings)
    return f"=LET({bindings},{body})"


@pytest.mark.parametrize("pack", ["cz2020-10", "reverse-linear"])
@pytest.mark.parametrize(("name", "values"), [
    ("JX_SCORE", ["≥", 90, 72, 10, ""]),
    ("JX_SCORE", ["≤", 4000, 5000, 10, ""]),
    ("JX_SCORE", ["定性", "逐步提高", "部分达成", 10, ""]),
    ("JX_RATE", [87.65, 86.54]),
    ("JX_RATE_SCORE", [87.65, 86.54, 10, ""]),
    ("JX_GRADE", [89.99, ""]),
    ("JX_QUALITY", [92.97, 95, 90, 80, 70, ""]),
    ("JX_QUALITY", [0.4, 0.3, 0.36, 0.5, "", ""]),
])
def test_lambda_body_computes_like_the_core(name, values, pack):
    refs = _refs(len(values))
    formula = _lambda_as_let(name, pack, refs)
    via_lambda = _evaluate(formula, dict(zip(refs, values, strict=True)))
    spec = REGISTRY[name]
    args = values[:-1] if any(a.name == "pack" for a in spec.args) else values
    python = spec.func(*args, pack) if len(args) < len(values) else spec.func(*args)
    _agree(python, via_lambda)


def test_lambda_definitions_declare_every_argument():
    for spec in REGISTRY.values():
        definition = spec.lambda_definition()
        assert definition.startswith("=LAMBDA(")
        for a in spec.args:
            assert f"{a.name}," in definition or f"({a.name}," in definition


def test_native_text_has_no_jx_calls_and_bakes_the_pack():
    for spec in REGISTRY.values():
        text = spec.native_formula(_refs(len(spec.args)), "hubei")
        assert "JX_" not in text
    assert "*20" in REGISTRY["JX_RATE_SCORE"].native_formula(["A1", "B1"], "hubei")
    assert load_pack("hubei").rate_weight == 20
