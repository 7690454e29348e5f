"""The xlwings Lite module: generated from the registry, self-contained, same results."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from test_udf_xlwings import SAMPLES, expected

from jixiao.functions import REGISTRY
from jixiao.hosts import lite_module
from jixiao.hosts.xlwings_host import arg_doc

LITE_DIR = Path(__file__).resolve().parents[1] / "addin" / "lite"


def _stand_in_xlwings() -> types.ModuleType:
    """Records what xlwings Lite's func/arg/ret decorators would register."""
    xw = types.ModuleType("xlwings")

    def meta(f):
        if not hasattr(f, "__xlfunc__"):
            f.__xlfunc__ = {"name": f.__name__, "doc": f.__doc__, "args": {}, "ret": {}}
        return f.__xlfunc__

    def func(f=None, **kwargs):
        def inner(fn):
            meta(fn)["func_kwargs"] = kwargs
            return fn
        return inner if f is None else inner(f)

    def arg(name, convert=None, **kwargs):
        def inner(fn):
            if name not in inspect.signature(fn).parameters:  # as xlwings: invalid name raises
                raise Exception(f"Invalid argument name '{name}'.")
            meta(fn)["args"][name] = kwargs
            return fn
        return inner

    def ret(convert=None, **kwargs):
        def inner(fn):
            meta(fn)["ret"] = kwargs
            return fn
        return inner

    xw.func, xw.arg, xw.ret = func, arg, ret
    return xw


@pytest.fixture(scope="module")
def lite():
    saved = sys.modules.get("xlwings")
    sys.modules["xlwings"] = _stand_in_xlwings()
    try:
        spec = importlib.util.spec_from_file_location("jixiao_lite_main", LITE_DIR / "main.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        yield mod
    finally:
        if saved is not None:
            sys.modules["xlwings"] = saved
        for name in [n for n in sys.modules if n == "jixiao_lite" or n.startswith("jixiao_lite.")]:
            del sys.modules[name]


def test_committed_files_match_generation():
    # if this fails: run `jixiao addin lite --out addin/lite` and commit the result
    assert (LITE_DIR / "main.py").read_text(encoding="utf-8") == lite_module.generate()
    assert (LITE_DIR / "requirements.txt").read_text(encoding="utf-8") == lite_module.REQUIREMENTS


def test_functions_match_registry(lite):
    for name, spec in REGISTRY.items():
        fn = getattr(lite, name)
        assert fn.__name__ == name and fn.__doc__ == spec.summary
        params = inspect.signature(fn).parameters
        assert list(params) == [a.name for a in spec.args]
        for a in spec.args:
            p = params[a.name]
            assert (p.default is not inspect.Parameter.empty) == a.optional
            if a.optional:
                assert p.default == a.default
            options = fn.__xlfunc__["args"][a.name]
            assert options["doc"] == arg_doc(a)
            assert options["err_to_str"] is True
            assert options.get("ndim") == (2 if a.is_range else None)
    exported = {n for n, v in vars(lite).items() if hasattr(v, "__xlfunc__")}
    assert exported == set(REGISTRY)


def test_results_equal_registry_with_real_error_codes(lite):
    for name, cases in SAMPLES.items():
        for args in cases:
            out = getattr(lite, name)(*args)
            want = expected(name, args, error_form=lambda e: e.code)
            assert out == want, (name, args)
            assert type(out) in (float, int, bool, str), (name, args, type(out))


def test_seed_numbers_and_errors(lite):
    assert lite.JX_RATE_SCORE(87.65, 86.54, 10) == 9.87
    assert lite.JX_SCORE("", "不超过87.65万元", "86.54万元", 25) == 25.0
    assert lite.JX_TOTAL([[9.87], [25], [25], [15], [15], [10]]) == 99.87
    assert lite.JX_GRADE(99.87) == "优"
    assert lite.JX_RATE_SCORE(0, 5) == "#DIV/0!"  # a plain string: Lite makes it a real error
    assert lite.JX_TOTAL([[25, "#N/A"]]) == "#N/A"  # error cell in the range propagates
    assert lite.JX_GRADE(90, "no-such-pack") == "#VALUE!"
    assert lite.JX_RATE_SCORE(87.65, 86.54, None, "hubei") == expected("JX_RATE_SCORE", (87.65, 86.54, None, "hubei"))


def test_embedded_packs_equal_builtin(lite):
    from jixiao.rulepacks import available_packs, load_pack

    rp = sys.modules["jixiao_lite.rulepacks"]
    assert rp.available_packs() == sorted(lite_module.pack_data())
    for name in lite_module.pack_data():
        assert name in available_packs()
        embedded = rp.load_pack(name).to_dict()
        real = load_pack(name).to_dict()
        embedded.pop("source"), real.pop("source")
        assert embedded == real, name


def test_runs_without_jixiao_yaml_or_site_packages(tmp_path):
    """As in Pyodide with nothing installed: no jixiao, no PyYAML, xlwings only as a stand-in."""
    (tmp_path / "xlwings.py").write_text(textwrap.dedent("""
        def func(f=None, **k):
            return f if f is not None else (lambda g: g)
        def arg(*a, **k):
            return lambda g: g
        ret = arg
    """))
    code = textwrap.dedent(f"""
        import sys, runpy
        sys.path.insert(0, {str(tmp_path)!r})
        for mod in ("jixiao", "yaml"):
            try:
                __import__(mod)
                raise SystemExit(mod + " should not be importable here")
            except ImportError:
                pass
        ns = runpy.run_path({str(LITE_DIR / "main.py")!r})
        print(ns["JX_RATE_SCORE"](87.65, 86.54, 10), ns["JX_RATE_SCORE"](0, 5),
              ns["JX_SCORE"]("≥", "100", "50", 10, "sichuan"), ns["JX_GRADE"](80))
    """)
    run = subprocess.run([sys.executable, "-S", "-E", "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["9.87", "#DIV/0!", "5.0", "良"]
