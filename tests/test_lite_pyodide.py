"""The generated xlwings Lite module (addin/lite/main.py) inside real Pyodide, under Node.

scripts/install-test-deps installs the pinned npm package `pyodide` into a cache folder; it runs
offline (its standard library ships in the package). Every JX_ function is called with the seed
numbers and with bad input, and must give the CPython core's answer — an Excel error value, never
an exception, for bad input.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_udf_xlwings import SAMPLES, expected

from jixiao.functions import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PYODIDE_VERSION = "0.28.3"  # keep in step with scripts/install-test-deps
PYODIDE_DIR = Path(os.environ.get(
    "JIXIAO_PYODIDE_DIR",
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jixiao" / f"pyodide-{PYODIDE_VERSION}"
    / "node_modules" / "pyodide"))
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="Node.js not installed (scripts/install-test-deps installs it)"),
    pytest.mark.skipif(not (PYODIDE_DIR / "pyodide.js").exists(),
                       reason=f"Pyodide {PYODIDE_VERSION} not found in {PYODIDE_DIR}: run scripts/install-test-deps"),
]

SEED_QUALITY = (92.97, "满意度95%以上", "满意度90%以上", "满意度80%以上", "满意度70%以上")
SEED_CASES = [
    ("JX_RATE_SCORE", [87.65, 86.54, 10], 9.87),  # seed 001: 98.73% × 10
    ("JX_SCORE", ["", "不超过87.65万元", "86.54万元", 25], 25.0),
    ("JX_TOTAL", [[[9.87], [25], [25], [15], [15], [10]]], 99.87),  # seed 001's 总分
    ("JX_TOTAL", [[[54 - 6], [30], [16 - 3]]], 91.0),  # seed 000: 91 → 优
    ("JX_GRADE", [91], "优"),
    ("JX_GRADE", [99.87], "优"),
    ("JX_QUALITY", list(SEED_QUALITY), "良"),  # seed 004
]
def _bad_cases() -> list[tuple[str, list]]:
    """Each function with an error cell as Lite sends it (err_to_str: "#DIV/0!", "#N/A") and with junk."""
    cases = []
    for name, spec in REGISTRY.items():
        if not spec.required:
            continue
        good = list(SAMPLES[name][0])
        for first in ("#DIV/0!", "#N/A", "不是数字"):
            args = [first if not spec.args[0].is_range else [[5, first]], *good[1:]]
            cases.append((name, args))
    return cases


@pytest.fixture(scope="module")
def pyodide_results(tmp_path_factory) -> tuple[list, list, dict]:
    work = tmp_path_factory.mktemp("lite")
    shutil.copy(ROOT / "addin" / "lite" / "main.py", work / "main.py")
    for name in ("xlwings.py", "driver.py"):
        shutil.copy(ROOT / "tests" / "pyodide" / name, work / name)
    samples = [(name, list(args)) for name, cases in SAMPLES.items() for args in cases]
    seeds = [(name, args) for name, args, _ in SEED_CASES]
    cases = seeds + samples + _bad_cases()
    (work / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([NODE, str(ROOT / "tests" / "pyodide" / "run_lite.js"), str(PYODIDE_DIR), str(work)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    return cases, out["results"], out


def test_runs_in_pyodide_not_cpython(pyodide_results) -> None:
    _, _, out = pyodide_results
    assert out["platform"] == "emscripten"


def test_every_registry_function_is_registered_with_its_arguments(pyodide_results) -> None:
    _, _, out = pyodide_results
    assert set(out["functions"]) == set(REGISTRY)
    for name, spec in REGISTRY.items():
        assert sorted(out["functions"][name]["args"]) == sorted(a.name for a in spec.args)  # one @arg each
        assert out["functions"][name]["doc"] == spec.summary


def test_seed_numbers_in_pyodide(pyodide_results) -> None:
    _, results, _ = pyodide_results
    for (name, args, want), got in zip(SEED_CASES, results, strict=False):
        assert got["kind"] != "exception", (name, args, got)
        assert got["value"] == want, (name, args, got)


def test_every_call_equals_the_cpython_core_and_bad_input_is_an_error_value(pyodide_results) -> None:
    cases, results, _ = pyodide_results
    assert len(results) == len(cases)
    bad = 0
    for (name, args), got in zip(cases, results, strict=True):
        assert got["kind"] != "exception", (name, args, got)
        want = expected(name, tuple(_as_core(a) for a in args), error_form=lambda e: e.code)
        assert got["value"] == want, (name, args, got, want)
        if isinstance(want, str) and want.startswith("#"):
            assert got["kind"] == "error"
            bad += 1
    assert bad >= 3 * len([s for s in REGISTRY.values() if s.required])


def _as_core(value: object) -> object:
    """An argument as the CPython core gets it from a host: error texts become error values."""
    from jixiao.errors import error_from_text

    return error_from_text(value)
