"""`jixiao validate` end to end: JSON on stdout, exit codes, Excel summary, annotated copies."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from workbook_factory import XIANGMU_SEED, build, replace_row

from jixiao.cli import main
from jixiao.validation import validate_file


@pytest.fixture()
def batch(tmp_path: Path) -> dict:
    d = tmp_path / "收件"
    good = d / "部门A.xlsx"
    bad = d / "子目录" / "部门B.xlsx"
    build(good, [("附表1", "fubiao1", {}), ("附表2", "fubiao2", {})], instructions_first=True)
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=20, reason="=HYPERLINK(\"http://x\")")
    rows = replace_row(rows, "不超过年度预算", points="+1+1")
    refs = build(bad, [("自评表", "xiangmu", {"rows": rows})])["自评表"]
    (d / "坏.xlsx").write_bytes(b"\x00garbage")
    return {"dir": d, "good": good, "bad": bad, "refs": refs}


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


def test_json_output_and_exit_codes(batch):
    result = run(str(batch["dir"]), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)  # exactly one JSON document
    statuses = {Path(f["path"]).name: f["status"] for f in doc["files"]}
    assert statuses == {"部门A.xlsx": "ok", "部门B.xlsx": "invalid", "坏.xlsx": "unreadable"}
    bad = next(f for f in doc["files"] if f["path"].endswith("部门B.xlsx"))
    cells = {(x["rule"], x["cell"]) for x in bad["findings"]}
    assert ("score-mismatch", batch["refs"]["score", "及时完成质量监督检查任务"]) in cells
    assert ("not-a-number", batch["refs"]["points", "不超过年度预算"]) in cells
    for x in bad["findings"]:
        assert set(x) == {"code", "rule", "severity", "sheet", "cell", "message", "expected", "found"}
    assert doc["summary"]["files"] == 3 and doc["summary"]["invalid"] == 1
    assert run(str(batch["good"]), "--format", "json").exit_code == 0


def test_usage_errors_exit_2(batch, tmp_path):
    assert run(str(tmp_path / "missing.xlsx")).exit_code == 2
    assert run(str(batch["good"]), "--rules", "no-such-pack").exit_code == 2
    assert run(str(batch["good"]), "--format", "pdf").exit_code == 2
    assert run().exit_code == 2


def test_text_grid(batch):
    result = run(str(batch["bad"]))
    assert result.exit_code == 1
    assert "JX302" in result.stdout and "自评表!" in result.stdout
    assert "共 1 个文件" in result.stdout


def test_jobs_same_result(batch):
    one = json.loads(run(str(batch["dir"]), "--format", "json").stdout)
    two = json.loads(run(str(batch["dir"]), "--format", "json", "--jobs", "2").stdout)
    assert one == two


def test_xlsx_reports_and_annotated_copies(batch, tmp_path):
    out = tmp_path / "报告"
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in batch["dir"].rglob("*.xlsx")}
    result = run(str(batch["dir"]), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 1
    # Originals never modified.
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in batch["dir"].rglob("*.xlsx")}
    summary = load_workbook(out / "校验汇总.xlsx")
    assert summary.sheetnames == ["文件", "问题", "统计"]
    files = list(summary["文件"].iter_rows(min_row=2, values_only=True))
    assert {(Path(r[0]).name, r[1]) for r in files} >= {("部门A.xlsx", "通过"), ("部门B.xlsx", "有错误"),
                                                       ("坏.xlsx", "无法读取")}
    assert len(summary["统计"]._charts) == 2
    problems = summary["问题"]
    links = [r[1].hyperlink for r in problems.iter_rows(min_row=2) if r[1].hyperlink]
    assert any(h.target.startswith("annotated/") and h.location.startswith("'自评表'!") for h in links)
    # Formula injection: typed "+1+1" and "=HYPERLINK(..)" come back as text cells, never as
    # formulas, showing exactly what was typed (Excel's hidden quote prefix marks them).
    _assert_no_formulas(summary)
    found = [c for ws in summary.worksheets for row in ws.iter_rows() for c in row if c.value == "+1+1"]
    assert found and all(c.quotePrefix for c in found)
    annotated = sorted((out / "annotated").glob("*.xlsx"))
    assert len(annotated) == 1  # only the invalid, readable file
    wb = load_workbook(annotated[0])
    assert wb.sheetnames[0] == "校验结果"
    cell = wb["自评表"][batch["refs"]["score", "及时完成质量监督检查任务"]]
    assert cell.fill.fgColor.rgb == "FFFF8080"
    assert "JX302" in cell.comment.text and "应为 25" in cell.comment.text
    results = list(wb["校验结果"].iter_rows(min_row=2, values_only=True))
    assert any(r[2] == "JX102" and r[7] == "+1+1" for r in results)
    _assert_no_formulas(wb, but=("自评表",))  # the submission's own sheet keeps its own cells


def _assert_no_formulas(wb, but: tuple[str, ...] = ()) -> None:
    for ws in wb.worksheets:
        if ws.title not in but:
            bad = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
            assert not bad, f"{ws.title}: formula cells {bad}"


def test_formula_overwritten_in_our_template(tmp_path):
    p = tmp_path / "tpl.xlsx"
    refs = build(p, [("自评表", "xiangmu", {})], defined_names={"JX_TEMPLATE": "xiangmu:native:0.1"})["自评表"]
    wb = load_workbook(p)
    ws = wb["自评表"]
    names = ["及时完成质量监督检查任务", "不超过年度预算", "促进质量提升，保障社会经济发展",
             "质量技术监督专项经费的可持续影响情况", "社会公众或服务对象对项目实施效果的满意程度"]
    for n in names[1:]:  # the first score stays a typed constant
        ws[refs["score", n]] = f"={refs['points', n]}"
    ws[refs["funds", "年度资金总额", "rate"]] = "=TEXT(86.54/87.65,\"0.00%\")"
    ws[refs["funds", "年度资金总额", "score"]] = "=ROUND(MIN(86.54/87.65,1)*10,2)"
    ws[refs["total"]] = "=" + "+".join([refs["funds", "年度资金总额", "score"]] + [refs["score", n] for n in names])
    wb.save(p)
    res = validate_file(p)
    assert [(f.rule, f.severity, f.cell) for f in res.findings] == [
        ("formula-overwritten", "warning", refs["score", names[0]])]
    assert res.status == "ok"  # a warning alone does not fail the file


templates = pytest.importorskip("jixiao.templates")


@pytest.mark.parametrize("form", ["fubiao1", "fubiao2", "xiangmu"])
@pytest.mark.parametrize("mode", ["native", "udf", "lambda"])
def test_our_filled_templates_validate_clean(tmp_path, form, mode):
    from jixiao.templates.samples import SEEDS

    p = templates.write_workbook(tmp_path / f"{form}-{mode}.xlsx", form, mode, SEEDS[form])
    res = validate_file(p)
    assert res.findings == [] and res.status == "ok"
    total = {"fubiao1": 91, "fubiao2": 100, "xiangmu": 99.87}[form]
    assert res.forms[0]["total"] == pytest.approx(total) and res.forms[0]["grade"] == "优"


def test_typed_constant_over_our_template_formula(tmp_path):
    from jixiao.templates.samples import SEEDS

    p = templates.write_workbook(tmp_path / "x.xlsx", "xiangmu", "native", SEEDS["xiangmu"])
    form = validate_file(p)
    assert form.findings == []
    from jixiao.reader import read_workbook

    ind = read_workbook(p).forms[0].scored()[0]
    wb = load_workbook(p)
    wb.worksheets[0][ind.get("score").address] = ind.get("score").value  # same number, typed
    wb.save(p)
    res = validate_file(p)
    assert [(f.rule, f.cell) for f in res.findings] == [("formula-overwritten", ind.get("score").address)]


def _template_showing(tmp_path, mode, data, error):
    """A filled template whose formula cells cache ``error`` where the filler saw it (Excel without
    the add-in shows #NAME? in every JX_ cell), the formulas themselves intact."""
    from jixiao.reader import read_workbook
    from jixiao.validation.rules.template import expected_formula_cells
    from jixiao.xlsxcache import write_cached_values

    made = templates.write_workbook(tmp_path / f"{mode}-made.xlsx", "xiangmu", mode, data)
    form = read_workbook(made).forms[0]
    cells = [c for _, c in expected_formula_cells(form)]
    p = tmp_path / f"{mode}.xlsx"
    write_cached_values(made, p, {(c.sheet, c.address): error for c in cells})
    return p, cells


@pytest.mark.parametrize("mode", ["udf", "lambda"])
def test_template_saved_where_its_formulas_cannot_run_gets_one_hint(tmp_path, mode):
    from jixiao.templates.samples import SEEDS

    p, cells = _template_showing(tmp_path, mode, SEEDS["xiangmu"], "#NAME?")
    res = validate_file(p)
    hints = [f for f in res.findings if f.rule == "template-mode-unsupported"]
    assert len(hints) == 1 and hints[0].severity == "warning" and hints[0].cell == cells[0].address
    assert f"本表是 {mode} 模式模板" in hints[0].message and "#NAME?" in hints[0].message
    shown = {f.cell for f in res.findings if f.rule == "not-a-number"}
    assert len(shown) >= 5 and shown <= {c.address for c in cells}  # the cells say where
    assert not any(f.rule == "formula-overwritten" for f in res.findings)


@pytest.mark.parametrize("mode", ["udf", "lambda"])
def test_no_hint_when_the_inputs_explain_the_error_values(tmp_path, mode):
    # A zero budget makes 执行率 #DIV/0! in any program: the formulas ran, the hint would mislead.
    import copy

    from jixiao.templates.samples import SEEDS

    data = copy.deepcopy(SEEDS["xiangmu"])
    data["funds"]["total_funds"]["budget"] = 0
    made = templates.write_workbook(tmp_path / f"{mode}.xlsx", "xiangmu", mode, data)
    findings = validate_file(made).findings
    assert any(f.found == "#DIV/0!" for f in findings)
    assert not any(f.rule == "template-mode-unsupported" for f in findings)
    # Nor when every formula shows an error but a typed input is wrong too.
    p, _ = _template_showing(tmp_path, mode, data, "#DIV/0!")
    assert not any(f.rule == "template-mode-unsupported" for f in validate_file(p).findings)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_templates_resaved_by_libreoffice(tmp_path):
    # native formulas survive LibreOffice; LAMBDA ones do not, and the hint says so.
    from jixiao.libreoffice import resave_xlsx
    from jixiao.templates.samples import SEEDS

    made = [templates.write_workbook(tmp_path / f"{m}.xlsx", "xiangmu", m, SEEDS["xiangmu"])
            for m in ("native", "lambda")]
    native, lam = resave_xlsx(made, tmp_path / "lo")
    assert validate_file(native).findings == []
    assert [f.rule for f in validate_file(lam).findings if f.severity == "warning"] == ["template-mode-unsupported"]


def test_our_template_is_recognised_by_its_marker_even_when_the_author_changes(tmp_path):
    from jixiao.forms import TEMPLATE_MARKER
    from jixiao.reader import read_workbook
    from jixiao.templates.samples import SEEDS

    p = templates.write_workbook(tmp_path / "x.xlsx", "xiangmu", "native", SEEDS["xiangmu"])
    assert read_workbook(p).template == "xiangmu:native:" + __import__("jixiao").__version__
    wb = load_workbook(p)
    assert TEMPLATE_MARKER in wb.defined_names
    wb.properties.creator = "某某单位 张三"  # saved by a user whose Excel rewrote the author
    ind = read_workbook(p).forms[0].scored()[0]
    wb.worksheets[0][ind.get("score").address] = ind.get("score").value
    wb.save(p)
    res = validate_file(p)
    assert [(f.rule, f.cell) for f in res.findings] == [("formula-overwritten", ind.get("score").address)]


def test_a_worker_that_dies_loses_only_its_own_file(tmp_path, monkeypatch):
    import os

    from jixiao.validation import batch

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        build(folder / f"f{i}.xlsx", [("自评表", "xiangmu", {})])
    real = batch.run_job

    def crash_on_f3(job, rules, out):  # a reader crashing hard, e.g. inside native code
        if job.display.endswith("f3.xlsx"):
            os._exit(3)
        return real(job, rules, out)

    monkeypatch.setattr(batch, "run_job", crash_on_f3)  # forked workers inherit it
    report = batch.validate_paths([folder], jobs=2)
    status = {Path(f.path).name: f.status for f in report.files}
    assert status == {"f0.xlsx": "ok", "f1.xlsx": "ok", "f2.xlsx": "ok", "f3.xlsx": "unreadable",
                      "f4.xlsx": "ok", "f5.xlsx": "ok"}


def test_csv_output_lists_every_file_and_neutralises_formulas(batch):
    import csv
    import io

    result = run(str(batch["dir"]), "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    by_file = {}
    for row in rows:
        by_file.setdefault(Path(row["path"]).name, []).append(row)
    assert set(by_file) == {"部门A.xlsx", "部门B.xlsx", "坏.xlsx"}
    assert by_file["部门A.xlsx"] == [{**dict.fromkeys(rows[0], ""), "path": str(batch["good"]), "status": "ok"}]
    assert [r["rule"] for r in by_file["坏.xlsx"]] == ["unreadable-file"]
    bad = by_file["部门B.xlsx"]
    assert {r["status"] for r in bad} == {"invalid"}
    # the same findings as the JSON document, in the same order
    doc = json.loads(run(str(batch["dir"]), "--format", "json").stdout)
    json_b = next(f for f in doc["files"] if f["path"].endswith("部门B.xlsx"))
    assert [(r["code"], r["cell"]) for r in bad] == [(x["code"], x["cell"]) for x in json_b["findings"]]
    # typed text that would run as a formula never reaches a spreadsheet as one
    cells = [v for r in rows for v in r.values()]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells if v)
    assert "'+1+1" in cells  # the 分值 typed as "+1+1", as found


def test_a_file_named_like_a_formula_stays_text_in_every_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=20)
    build(tmp_path / "=HYPERLINK(1).xlsx", [("自评表", "xiangmu", {"rows": rows})])
    result = run("=HYPERLINK(1).xlsx", "--format", "xlsx", "--out", "out")
    assert result.exit_code == 1
    summary = load_workbook(tmp_path / "out" / "校验汇总.xlsx")
    cells = [c for ws in summary.worksheets for row in ws.iter_rows() for c in row
             if c.value == "=HYPERLINK(1).xlsx"]
    assert {c.parent.title for c in cells} == {"文件", "问题"}  # as typed, in both sheets
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    _assert_no_formulas(summary)
    csv_out = run("=HYPERLINK(1).xlsx", "--format", "csv").stdout
    assert "\n'=HYPERLINK(1).xlsx," in csv_out


def test_two_archive_members_of_one_name_get_a_copy_each(tmp_path):
    """An archive may hold two members of one name (zip tools warn, yet write it): both are
    validated, and each invalid one gets its own annotated copy, linked from its own rows."""
    import warnings
    import zipfile

    first, second = tmp_path / "一.xlsx", tmp_path / "二.xlsx"
    build(first, [("自评表", "xiangmu", {"rows": replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=20)})])
    build(second, [("附表1", "fubiao1", {"total": 95})])
    archive = tmp_path / "收件.zip"
    with zipfile.ZipFile(archive, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        z.writestr("单位/表.xlsx", first.read_bytes())
        z.writestr("单位/表.xlsx", second.read_bytes())
    out = tmp_path / "报告"
    assert run(str(archive), "--format", "xlsx", "--out", str(out)).exit_code == 1
    copies = sorted((out / "annotated").glob("*.xlsx"))
    assert len(copies) == 2
    assert sorted(load_workbook(p).sheetnames[1] for p in copies) == ["自评表", "附表1"]
    problems = load_workbook(out / "校验汇总.xlsx")["问题"]
    targets = {r[1].hyperlink.target for r in problems.iter_rows(min_row=2) if r[1].hyperlink}
    assert targets == {f"annotated/{p.name}" for p in copies}
