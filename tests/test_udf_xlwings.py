"""The xlwings desktop host: wrappers generated from the registry, checked with xlwings' own
Windows decorators (``xlwings.udfs``) loaded on Linux with stand-ins for pywin32."""

from __future__ import annotations

import importlib
import inspect
import io
import re
import sys
import types

import pytest

from jixiao.errors import ExcelError
from jixiao.functions import CATEGORY, REGISTRY
from jixiao.hosts import xlwings_host
from jixiao.hosts.xlwings_host import arg_doc, build_udfs, findings_table, from_excel

# Argument tuples for every registry function (seed numbers from seeds 000/001).
SAMPLES: dict[str, list[tuple]] = {
    "JX_SCORE": [("", "不超过87.65万元", "86.54万元", 25), ("≥", "80%", "85%", 10),
                 ("≥", "100", "50", 10, None), ("定性", "逐步提高", "部分达成", 10, "qual-80-60"),
                 ("?", "abc", "x", 10), ("≥", "80%", "85%", 10, "no-such-pack")],
    "JX_RATE": [(87.65, 86.54), (0, 5), (None, 5), ("abc", 1)],
    "JX_RATE_SCORE": [(87.65, 86.54, 10), (87.65, 86.54), (87.65, 86.54, None, "hubei"), (0, 5),
                      (100, 120, 10)],
    "JX_GRADE": [(91,), (80,), (79.99, "cz2020-10"), (59,), ("x",)],
    "JX_TOTAL": [([[9.87], [25], [25], [15], [15], [10]],), ([[90, None]], 5),
                 ([[55, 40]], None, 0.45, "rate-caps"), ([["abc"]],)],
    "JX_QUAL_CHECK": [("部分达成", 7, 10), ("达成", 5, 10), ("达成", 9, 10, "逐步提高"), ("??", 5, 10)],
    "JX_QUALITY": [(92.97, "满意度95%以上", "满意度90%以上", "满意度80%以上", "满意度70%以上"),
                   ("100%", "100%", "85%以上", "70%以上", "70%以下"), (0.85, 0.9, 0.8, 0.6, None, "hubei"),
                   ("abc", "95%以上", "90%以上", "80%以上", ""), (None, 0.9, 0.8, 0.6, "")],
    "JX_WEIGHT_STATUS": [([[25, 25, 15, 15, 10]], 90), ([[25, 25]], 90), ([["x"]], 90)],
    "JX_VERSION": [()],
}


def expected(name: str, args: tuple, error_form=xlwings_host.error_text):
    result = REGISTRY[name].func(*args)
    return error_form(result) if isinstance(result, ExcelError) else result


@pytest.fixture(scope="module")
def xl_decorators():
    """xlwings' real desktop decorators; ``xlwings.udfs`` imports pywin32 at the top."""
    stubs = {n: types.ModuleType(n) for n in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["pywintypes"].com_error = Exception
    stubs["win32com.client"].Dispatch = lambda *a, **k: None
    saved = {n: sys.modules.get(n) for n in (*stubs, "xlwings.udfs")}
    for n, m in stubs.items():
        sys.modules.setdefault(n, m)
    try:
        udfs = importlib.import_module("xlwings.udfs")
        yield udfs
    finally:
        for n, m in saved.items():
            if m is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = m


@pytest.fixture(scope="module")
def xl_module(xl_decorators):
    mod = types.ModuleType("jixiao_test_udfs")
    for name, fn in build_udfs(xl_decorators.xlfunc, xl_decorators.xlarg).items():
        setattr(mod, name, fn)
    return mod


def test_every_registry_function_is_exposed_with_registry_metadata(xl_module):
    assert set(SAMPLES) == set(REGISTRY)
    for name, spec in REGISTRY.items():
        fn = getattr(xl_module, name)
        info = fn.__xlfunc__
        assert info["name"] == fn.__name__ == fn.__qualname__ == name
        assert fn.__module__ == "jixiao.hosts.xlwings_host"
        assert info["category"] == CATEGORY == "绩效评价 jixiao"
        assert info["ret"]["doc"] == spec.summary
        assert [a["name"] for a in info["args"]] == [a.name for a in spec.args]
        assert list(inspect.signature(fn).parameters) == [a.name for a in spec.args]
        for xa, a in zip(info["args"], spec.args, strict=True):
            assert ("optional" in xa) == a.optional
            if a.optional:
                assert xa["optional"] == a.default
            assert xa["doc"] == arg_doc(a)
            assert a.label in xa["doc"] and a.doc in xa["doc"]
            assert xa["options"]["err_to_str"] is True  # error cells arrive as text, not None
            assert xa["options"].get("ndim") == (2 if a.is_range else None)


def test_vba_declarations_match_registry(xl_decorators, xl_module):
    buf = io.StringIO()
    xl_decorators.generate_vba_wrapper("jixiao.hosts.xlwings_host", xl_module, buf,
                                       types.SimpleNamespace(Name="Book1.xlsm"))
    vba = buf.getvalue()
    assert 'Function JX_SCORE(nature, target, actual, weight, Optional pack)' in vba
    assert 'Function JX_TOTAL(scores, Optional deduction, Optional rate, Optional pack)' in vba
    assert 'Function JX_VERSION()' in vba
    assert 'XLPy.CallUDF("jixiao.hosts.xlwings_host", "JX_RATE_SCORE"' in vba
    assert len(re.findall(r"^Function JX_", vba, re.M)) == len(REGISTRY)


def test_results_equal_registry(xl_module):
    for name, cases in SAMPLES.items():
        fn = getattr(xl_module, name)
        for args in cases:
            assert fn(*args) == expected(name, args), (name, args)


def test_seed_numbers(xl_module):
    assert xl_module.JX_RATE_SCORE(87.65, 86.54, 10) == 9.87
    assert xl_module.JX_RATE_SCORE(87.65, 86.54) == 9.87  # weight from the pack
    assert xl_module.JX_SCORE("", "不超过87.65万元", "86.54万元", 25) == 25.0
    assert xl_module.JX_TOTAL([[9.87], [25], [25], [15], [15], [10]]) == 99.87
    assert xl_module.JX_GRADE(99.87) == "优"
    assert xl_module.JX_QUAL_CHECK("部分达成", 7, 10) is True


def test_error_is_code_plus_chinese_reason(xl_module):
    out = xl_module.JX_RATE_SCORE(0, 5)
    assert type(out) is str and out == "#DIV/0! 全年预算数为 0，无法计算执行率"
    bad = xl_module.JX_SCORE("≥", "80%", "85%", 10, "no-such-pack")
    assert bad.startswith("#VALUE! ") and "no-such-pack" in bad


def test_errors_propagate_through_dependent_udfs(xl_module):
    failed = xl_module.JX_RATE_SCORE(0, 5)
    # a failed score inside JX_TOTAL's range fails the total (SUM would skip the text)
    total = xl_module.JX_TOTAL([[failed], [25], [25]])
    assert total.startswith("#DIV/0! ") and "执行率" in total
    # a real error cell read with err_to_str arrives as its code
    assert xl_module.JX_GRADE("#N/A").startswith("#N/A ")
    assert xl_module.JX_TOTAL([[25, "#SPILL!"]]).startswith("#VALUE! ")


def test_from_excel_only_takes_error_texts():
    assert from_excel("#DIV/0!") == ExcelError("#DIV/0!")
    assert from_excel("#N/A 缺少数据").message == "缺少数据"
    assert from_excel("#1 产品") == "#1 产品"  # ordinary text starting with # stays text
    assert from_excel([[1, "#REF!"]])[0][1] == "#REF!"
    assert isinstance(from_excel([[1, "#REF!"]])[0][1], ExcelError)


def test_module_is_importable_both_ways(monkeypatch):
    # UDF Modules can name the package module or udf/jixiao_udf.py
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "udf"))
    sys.modules.pop("jixiao_udf", None)
    mod = importlib.import_module("jixiao_udf")
    for name in REGISTRY:
        assert getattr(mod, name) is getattr(xlwings_host, name)
        assert getattr(mod, name).__name__ == name
    assert callable(mod.validate_active_workbook)
    assert xlwings_host.JX_RATE_SCORE(87.65, 86.54, 10) == 9.87


def test_validate_macro_is_a_sub(xl_decorators):
    sub = xl_decorators.xlsub(xlwings_host.make_wrapper(REGISTRY["JX_VERSION"]))
    assert sub.__xlfunc__["sub"] is True
    fn = types.FunctionType(xlwings_host.validate_active_workbook.__code__, {}, "validate_active_workbook")
    assert xl_decorators.xlsub(fn).__xlfunc__["args"] == []


def test_findings_table():
    class F:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    rows = findings_table([F(severity="error", code="JX104", rule="score_mismatch", sheet="自评表", cell="H7",
                             message="得分应为 9.87", expected=9.87, found=None)], "a.xlsx")
    assert rows[1] == ["级别", "代码", "规则", "工作表", "单元格", "说明", "应为", "实为"]
    assert rows[2] == ["error", "JX104", "score_mismatch", "自评表", "H7", "得分应为 9.87", "9.87", ""]
    assert "a.xlsx" in rows[0][0]
    assert findings_table([])[-1] == ["未发现问题"]


def test_validate_path_runs_the_batch_validator(tmp_path):
    try:
        xlwings_host._validator()
    except ImportError:
        pytest.skip("batch validator not available yet")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "不是绩效自评表"
    path = tmp_path / "提交.xlsx"
    wb.save(path)
    rows = xlwings_host.validate_path(path)
    assert str(path) in rows[0][0]
    assert rows[1][0] == "级别"
    assert len(rows) >= 3
    assert path.read_bytes()[:2] == b"PK"  # the user's file is left as it was


def test_findings_written_back_into_the_workbook_are_never_formulas():
    from types import SimpleNamespace

    from jixiao.hosts.xlwings_host import findings_table

    finding = SimpleNamespace(code="JX302", rule="score-mismatch", severity="error", sheet="自评表",
                              cell="H7", message="得分有误", expected="25", found='=HYPERLINK("x")')
    rows = findings_table([finding])
    assert any(v == "'=HYPERLINK(\"x\")" for v in rows[-1])
    assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)
