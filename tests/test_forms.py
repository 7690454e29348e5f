"""Form specs: strict typed loading, extends, JIXIAO_FORMS, `jixiao forms`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms import FormSpecError, form_ids, load_form
from jixiao.forms.formula import Call, FormulaError, Name, Span, Times, parse

BASE = {
    "id": "demo",
    "title": "演示自评表",
    "indicators": {
        "columns": [
            {"key": "level1", "label": "一级指标"},
            {"key": "level2", "label": "二级指标"},
            {"key": "level3", "label": "三级指标"},
            {"key": "points", "label": "分值"},
            {"key": "score", "label": "得分"},
        ],
        "categories": [{"level1": "产出指标", "level2": "数量指标"}],
    },
}


def _write(folder: Path, doc: dict, name: str | None = None) -> Path:
    path = folder / f"{name or doc['id']}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def forms_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIXIAO_FORMS", str(tmp_path))
    return tmp_path


def test_builtin_forms_load_typed() -> None:
    assert {"fubiao1", "fubiao2", "xiangmu"} <= set(form_ids())
    xm = load_form("xiangmu")
    assert xm.funds is not None and [r.key for r in xm.funds.rows if r.scored] == ["total_funds"]
    assert xm.indicators.column("score").input is False
    f1 = load_form("fubiao1")
    assert sum(s.points for s in f1.indicators.sections) == 100
    assert f1.indicators.deduction.points == 10


def test_a_user_form_loads_from_jixiao_forms(forms_dir: Path) -> None:
    _write(forms_dir, BASE)
    assert "demo" in form_ids()
    spec = load_form("demo")
    assert spec.title == "演示自评表" and spec.indicators.keys()[-1] == "score"
    assert spec.source == str((forms_dir / "demo.yaml").resolve())


@pytest.mark.parametrize(("path", "value", "key"), [
    (("indicators", "columns", 3, "fromat"), "0", "indicators.columns[3].fromat"),
    (("titel",), "x", "titel"),
    (("indicators", "categories", 0, "rows"), "two", "indicators.categories[0].rows"),
    (("indicators", "columns", 1, "input"), "yes", "indicators.columns[1].input"),
    (("indicators", "points_unit"), "percentage", "indicators.points_unit"),
    (("funds",), {"group": "资金", "columns": [{"key": "budgets", "label": "预算"}], "rows": []},
     "funds.columns[0].key"),
])
def test_every_mistake_names_file_and_dotted_key(forms_dir: Path, path: tuple, value: object, key: str) -> None:
    import copy

    doc = copy.deepcopy(BASE)
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _write(forms_dir, doc)
    with pytest.raises(FormSpecError) as info:
        load_form("demo")
    assert str(forms_dir / "demo.yaml") in str(info.value)
    assert f": {key}: " in str(info.value)


def test_missing_key_and_id_mismatch(forms_dir: Path) -> None:
    doc = {k: v for k, v in BASE.items() if k != "title"}
    _write(forms_dir, doc)
    with pytest.raises(FormSpecError, match=r"demo.yaml: title: 缺少此项"):
        load_form("demo")
    _write(forms_dir, {**BASE, "id": "other"}, name="demo")
    with pytest.raises(FormSpecError, match="id must match"):
        load_form("demo")


def test_formulas_are_checked_against_the_registry_and_the_names(forms_dir: Path) -> None:
    doc = {**BASE, "computed": [{"name": "total", "label": "总分", "formula": "JX_TOTL(col.score, 0, 0, pack)"}]}
    _write(forms_dir, doc)
    with pytest.raises(FormSpecError, match=r"computed\[0\]\.formula: 未知函数 JX_TOTL"):
        load_form("demo")
    doc["computed"][0]["formula"] = "JX_TOTAL(col.scores, 0, 0, pack)"
    _write(forms_dir, doc)
    with pytest.raises(FormSpecError, match="未知名称“col.scores”"):
        load_form("demo")
    doc["computed"][0]["formula"] = "JX_GRADE(1, 2, 3)"
    _write(forms_dir, doc)
    with pytest.raises(FormSpecError, match="wrong argument count"):
        load_form("demo")


def test_fixed_tree_points_must_add_up(forms_dir: Path) -> None:
    doc = {**BASE, "indicators": {**BASE["indicators"], "categories": [], "sections": [
        {"name": "通用指标", "points": 12, "groups": [{"name": "项目决策", "points": 12, "items": [
            {"name": "决策程序", "points": 6}, {"name": "规划论证", "points": 5}]}]}]}}
    _write(forms_dir, doc)
    with pytest.raises(FormSpecError, match=r"sections\[0\]\.groups\[0\]\.points: 12 ≠ 下级合计 11"):
        load_form("demo")


def test_extends_makes_a_provincial_variant(forms_dir: Path) -> None:
    _write(forms_dir, {"id": "xiangmu-hb", "extends": "xiangmu", "title": "湖北项目支出绩效自评表",
                       "pack": "hubei", "aliases": ["项目支出绩效自评表（湖北）"],
                       "indicators": {"expected_points": 80}})
    spec = load_form("xiangmu-hb")
    base = load_form("xiangmu")
    assert spec.id == "xiangmu-hb" and spec.pack == "hubei" and spec.indicators.expected_points == 80
    assert spec.indicators.columns == base.indicators.columns  # merged key by key
    assert spec.funds == base.funds
    _write(forms_dir, {"id": "loop-a", "extends": "loop-b", "title": "a"})
    _write(forms_dir, {"id": "loop-b", "extends": "loop-a", "title": "b"})
    with pytest.raises(FormSpecError, match="circular"):
        load_form("loop-a")


def test_a_user_form_may_override_a_builtin_by_extending_it(forms_dir: Path) -> None:
    _write(forms_dir, {"id": "xiangmu", "extends": "xiangmu", "aliases": ["项目绩效自评表"]})
    assert load_form("xiangmu").aliases == ("项目绩效自评表",)
    assert load_form("xiangmu").title == "项目支出绩效自评表"


def test_formula_parser() -> None:
    node = parse('JX_TOTAL(funds.score:indicator_total, 0, funds.rate, pack)')
    assert isinstance(node, Call) and node.args[0] == Span("funds.score", "indicator_total")
    assert parse("JX_SCORE(nature, target, actual, points*100, pack)").args[3] == Times(Name("points"), 100.0)
    for bad in ("JX_TOTAL(a", "JX_TOTAL(a) b", "a * b", "§"):
        with pytest.raises(FormulaError):
            parse(bad)


def test_cli_lists_and_shows_forms(forms_dir: Path) -> None:
    runner = CliRunner()
    _write(forms_dir, BASE)
    result = runner.invoke(main, ["forms"])
    assert result.exit_code == 0, result.output
    assert "demo" in result.output and "演示自评表" in result.output and "附表1" in result.output
    shown = runner.invoke(main, ["forms", "demo"])
    assert shown.exit_code == 0 and '"title": "演示自评表"' in shown.output
    _write(forms_dir, {**BASE, "id": "broken", "colour": 1})
    listed = runner.invoke(main, ["forms"])
    assert listed.exit_code == 1 and "broken" in listed.output and "colour" in listed.output
    bad = runner.invoke(main, ["forms", "broken"])
    assert bad.exit_code != 0 and "colour: 未知的键" in bad.output


def test_checks_section_is_checked_against_the_rule_catalogue(forms_dir: Path) -> None:
    _write(forms_dir, {**BASE, "checks": {"score-mismatch": False, "missing-value": {"required": ["points"]}}})
    assert load_form("demo").checks["score-mismatch"] is False
    _write(forms_dir, {**BASE, "checks": {"score-mismatsh": False}})
    with pytest.raises(FormSpecError, match=r"demo.yaml: checks.score-mismatsh: 未知规则"):
        load_form("demo")
