"""examples/: the committed files equal a fresh build, and the validator finds what each shows."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from workbook_factory import cell_content

os.environ.setdefault("TQDM_DISABLE", "1")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _builder():
    spec = importlib.util.spec_from_file_location("build_examples", EXAMPLES / "build_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _content(path: Path) -> object:
    """What matters in a file: every cell's value or formula, merges, defined names; else bytes."""
    if path.suffix == ".xls":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}
    try:
        wb = openpyxl.load_workbook(path)
    except Exception:
        return path.read_bytes()
    cached = openpyxl.load_workbook(path, data_only=True)
    out = {"names": sorted(wb.defined_names.keys()) if hasattr(wb.defined_names, "keys") else []}
    for ws in wb.worksheets:
        cws = cached[ws.title]
        out[ws.title] = (
            sorted(str(m) for m in ws.merged_cells.ranges),
            {c.coordinate: (cell_content(c.value), cws[c.coordinate].value) for row in ws.iter_rows() for c in row
             if c.value is not None},
        )
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    builder = _builder()
    builder.build_workbooks(out / "workbooks")
    builder.build_submissions(out / "submissions", xls=False)
    return out


@pytest.mark.parametrize("sub", ["workbooks", "submissions"])
def test_committed_examples_equal_a_fresh_build(fresh, sub):
    committed = {p.name: p for p in (EXAMPLES / sub).iterdir()}
    built = {p.name: p for p in (fresh / sub).iterdir()}
    assert sorted(n for n in committed if not n.endswith(".xls")) == sorted(built), \
        "run: python examples/build_examples.py"
    for name, path in built.items():
        diff = _first_difference(_content(committed[name]), _content(path))
        assert diff is None, f"{sub}/{name}: {diff} — run: python examples/build_examples.py"


def _first_difference(old: object, new: object) -> str | None:
    if old == new:
        return None
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return "file content differs"
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, tuple) and isinstance(b, tuple):
            if a[0] != b[0]:
                return f"{key}: merged cells differ"
            for cell in sorted(set(a[1]) | set(b[1])):
                if a[1].get(cell) != b[1].get(cell):
                    return f"{key}!{cell}: committed {a[1].get(cell)!r:.120} ≠ fresh {b[1].get(cell)!r:.120}"
        return f"{key}: committed {a!r:.120} ≠ fresh {b!r:.120}"
    return "differs"


@pytest.mark.libreoffice
def test_committed_xls_equals_a_fresh_conversion(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    _builder().build_submissions(tmp_path, xls=True)
    xls = sorted(tmp_path.glob("*.xls"))
    assert [p.name for p in xls] == sorted(p.name for p in (EXAMPLES / "submissions").glob("*.xls"))
    for p in xls:
        assert _content(p) == _content(EXAMPLES / "submissions" / p.name)


# What `jixiao validate examples/submissions` must find in each file (codes; "ok" = no errors).
EXPECTED = {
    "01-蔡甸区-质量技术监督专项经费（模板）.xlsx": "ok",
    "02-阿坝州-附表1（模板）.xlsx": "ok",
    "03-云南-质量安全监管专项经费（模板）.xlsx": "ok",
    "04-蔡甸区-自评表（手工录入）.xlsx": "ok",
    "05-阿坝州-附表1（手工录入）.xlsx": "ok",
    "31-蔡甸区-自评表（xls格式）.xls": "ok",
    "11-得分算错.xlsx": {"JX302"},
    "12-附表2-权重合计不是90.xlsx": {"JX201"},
    "13-执行率算错.xlsx": {"JX303"},
    "14-总分算错.xlsx": {"JX305"},
    "15-附表1-等级与总分不符.xlsx": {"JX306"},
    "16-缺少偏差原因.xlsx": {"JX401"},
    "17-反向指标按正向计分.xlsx": {"JX302"},
    "21-模板公式被手工覆盖.xlsx": {"JX302", "JX501"},
    "22-云南-未达标未写原因（模板）.xlsx": {"JX401"},
    "91-空文件.xlsx": {"JX001"},
    "92-不是工作簿.xlsx": {"JX001"},
    "93-下载中断.xlsx": {"JX001"},
}


def test_validator_finds_what_each_submission_shows():
    from jixiao.validation import validate

    report = validate([EXAMPLES / "submissions"])
    found = {Path(r.path).name: r for r in report.files}
    missing = set(EXPECTED) - set(found)
    assert not missing
    for name, want in EXPECTED.items():
        errors = {f.code for f in found[name].findings if f.severity == "error"}
        if want == "ok":
            assert not errors, f"{name}: {[f.message for f in found[name].findings]}"
        else:
            codes = {f.code for f in found[name].findings}  # JX501 is a warning
            assert want <= codes, f"{name}: expected {want}, got {codes}"
