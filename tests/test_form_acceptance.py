"""A form an administrator adds as data only (JIXIAO_FORMS, no Python): generated from data,
read back, validated clean, and one changed number gives the matching finding on its cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms import clear_caches
from jixiao.reader.layout import read_workbook
from jixiao.validation.engine import validate_file

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "examples" / "forms" / "jiedao-2025.yaml"  # the worked example of docs/guide.md

DATA = ROOT / "examples" / "data" / "jiedao-社区服务项目.yaml"


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(FORM, forms / FORM.name)
    monkeypatch.setenv("JIXIAO_FORMS", str(forms))
    clear_caches()
    result = CliRunner().invoke(main, ["generate", str(DATA), "--form", "jiedao-2025",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    yield tmp_path / "out" / "社区服务项目.xlsx"
    clear_caches()


def _values_copy(src: Path, dst: Path) -> None:
    """The form as a department types it by hand: the same values, no formulas, no template marker."""
    cached = openpyxl.load_workbook(src, data_only=True)
    book = openpyxl.Workbook()
    ws, old = book.active, cached.active
    ws.title = old.title
    for row in old.iter_rows():
        for c in row:
            if c.value is not None:
                ws.cell(row=c.row, column=c.column, value=c.value)
    for rng in old.merged_cells.ranges:
        ws.merge_cells(str(rng))
    book.save(dst)


def test_generated_form_reads_back_with_its_numbers(generated: Path) -> None:
    book = read_workbook(generated)
    (form,) = book.forms
    assert form.form_id == "jiedao-2025"
    assert [i.label for i in form.indicators] == ["服务人次", "投诉率", "满意度"]
    scores = [i.get("score").value for i in form.indicators]
    assert scores == [30, 30, pytest.approx(18.89)]
    # 执行率 95% × 20 (the hubei pack's weight) = 19; 19 + 78.89 = 97.89 → 优
    assert form.funds["total_funds"].cells["score"].value == 19
    assert form.total.value == pytest.approx(97.89) and form.grade.value == "优"


def test_generated_form_and_a_hand_typed_copy_validate_clean(generated: Path, tmp_path: Path) -> None:
    result = validate_file(generated)
    assert result.status == "ok" and result.findings == [], [f.message for f in result.findings]
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    result = validate_file(copy)
    assert result.status == "ok" and result.findings == [], [f.message for f in result.findings]


@pytest.mark.parametrize(("what", "new", "code"), [
    ("score", 20, "JX302"),  # 满意度 85% of 90% scores 18.89, not 20
    ("total", 98.89, "JX305"),
    ("rate_score", 20, "JX304"),
])
def test_one_changed_number_gives_the_matching_finding_on_its_cell(
        generated: Path, tmp_path: Path, what: str, new: float, code: str) -> None:
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    form = read_workbook(copy).forms[0]
    cell = {"score": form.indicators[2].get("score"), "total": form.total,
            "rate_score": form.funds["total_funds"].cells["score"]}[what]
    wb = openpyxl.load_workbook(copy)
    wb.active[cell.address] = new
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    findings = [(f.code, f.cell) for f in validate_file(changed).findings]
    assert (code, cell.address) in findings, findings


def test_the_form_is_found_by_an_alias_title_too(generated: Path, tmp_path: Path) -> None:
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb.active
    title = next(c for row in ws.iter_rows() for c in row if c.value == "街道项目绩效自评表")
    title.value = "街道项目支出绩效自评表（2024年度）"
    wb.save(copy)
    assert read_workbook(copy).forms[0].form_id == "jiedao-2025"


def test_a_column_the_spec_adds_is_generated_and_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data → form mapping follows the spec: a new column (佐证材料) goes from data to its cell."""
    import yaml

    spec = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    spec["id"] = "jiedao-zuozheng"
    spec["indicators"]["columns"].append({"key": "evidence", "label": "佐证材料", "synonyms": ["证明材料"]})
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "jiedao-zuozheng.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("JIXIAO_FORMS", str(forms))
    clear_caches()
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    data["指标"][0]["证明材料"] = "服务台账 1200 人次"
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(tmp_path / "p.yaml"), "--form", "jiedao-zuozheng",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    form = read_workbook(tmp_path / "out" / "社区服务项目.xlsx").forms[0]
    assert form.form_id == "jiedao-zuozheng"
    assert [i.get("evidence").text for i in form.indicators] == ["服务台账 1200 人次", "", ""]
    clear_caches()


def test_what_a_title_stands_for_follows_the_forms_folder(generated: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader remembers which form a title names; in one process, a changed JIXIAO_FORMS is heeded."""
    copy = tmp_path / "typed.xlsx"
    _values_copy(generated, copy)
    forms = tmp_path / "forms"
    assert read_workbook(copy).forms[0].form_id == "jiedao-2025"
    monkeypatch.delenv("JIXIAO_FORMS")
    clear_caches()
    assert read_workbook(copy).forms[0].form_id != "jiedao-2025"  # no such form without the folder
    monkeypatch.setenv("JIXIAO_FORMS", str(forms))
    clear_caches()
    assert read_workbook(copy).forms[0].form_id == "jiedao-2025"
