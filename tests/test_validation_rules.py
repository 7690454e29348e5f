"""Validation rules as objects: the registry, each check in its own guard (JX900), rules applied
by the form's ``checks:`` properties (never its id), and a run's pack flags honoured."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from workbook_factory import XIANGMU_SEED, build, replace_row

import jixiao
from jixiao.cli import main
from jixiao.core import scoring
from jixiao.rulepacks import load_pack
from jixiao.validation import validate_file
from jixiao.validation.form_checks import FormChecks, FormChecksError, form_checks
from jixiao.validation.rules import (
    BOOK,
    FORM,
    READER,
    Context,
    Finding,
    Rule,
    catalogue,
    register,
    rule,
    unregister,
)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "jixiao"
XM = "自评表"
OVERWRITTEN = ROOT / "examples" / "submissions" / "21-模板公式被手工覆盖.xlsx"


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


# ---------------------------------------------------------------- the registry
def test_every_rule_is_one_complete_object():
    rules = catalogue()
    assert [r.code for r in rules] == sorted({r.code for r in rules})  # unique, ordered by code
    assert len({r.slug for r in rules}) == len(rules)
    for r in rules:
        assert re.fullmatch(r"JX\d{3}", r.code) and re.fullmatch(r"[a-z]+(-[a-z]+)*", r.slug), r
        assert r.severity in ("error", "warning") and r.title and r.template and r.description, r
        assert re.search(r"[\u4e00-\u9fff]", r.title + r.description), f"{r}: user-facing text is Chinese"
        assert set(r.emits) <= {x.slug for x in rules} and r.slug not in r.emits, r
        own = {FORM: "check", BOOK: "check_book"}.get(r.scope)
        has_check = {name for name in ("check", "check_book") if name in type(r).__dict__}
        assert has_check == ({own} if own else set()), f"{r}: scope {r.scope} but defines {has_check}"
        assert type(r).__module__.startswith("jixiao.validation.rules."), r
    assert rule("JX302") is rule("score-mismatch")


def test_a_rule_lives_in_one_module_with_its_check():
    # A newcomer looking for JX302 finds code, message and logic in one file.
    r = rule("JX302")
    module = Path(__import__(type(r).__module__, fromlist=["_"]).__file__)
    text = module.read_text(encoding="utf-8")
    assert '"JX302"' in text and r.template in text and "def check" in text
    defines = re.compile(r'(code|slug)\s*=\s*"(JX302|score-mismatch)"')
    others = [p for p in (SRC / "validation").rglob("*.py") if p != module and defines.search(p.read_text("utf-8"))]
    assert others == []


def test_internal_error_is_in_the_catalogue():
    r = rule("internal-error")
    assert (r.code, r.severity, r.scope) == ("JX900", "error", READER)
    assert "jixiao" in r.template and "不是填报内容的问题" in r.template


# ---------------------------------------------------------------- guards
@pytest.fixture()
def extra_rule():
    """Register a rule class for one test, and take it away after."""
    added: list[str] = []

    def add(cls: type[Rule]) -> type[Rule]:
        register(cls)
        added.append(cls.slug)
        return cls

    yield add
    for slug in added:
        unregister(slug)


def _bad_total(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "bad.xlsx"
    return path, build(path, [(XM, "xiangmu", {"total": 98})])[XM]


def test_a_rule_that_raises_is_jixiaos_fault_and_the_others_survive(tmp_path, extra_rule):
    @extra_rule
    class Exploding(Rule):
        code, slug, severity = "JX998", "test-exploding", "error"
        title, template, description = "测试", "测试", "测试用规则"

        def check(self, ctx: Context) -> Iterator[Finding]:
            yield self.finding(ctx.form.total, found=1)  # kept: found before the crash
            raise ZeroDivisionError("boom")

    path, refs = _bad_total(tmp_path)
    res = validate_file(path)
    assert ("total-mismatch", refs["total"]) in {(f.rule, f.cell) for f in res.findings}
    assert ("test-exploding", refs["total"]) in {(f.rule, f.cell) for f in res.findings}
    (jx900,) = [f for f in res.findings if f.code == "JX900"]
    assert jx900.rule == "internal-error" and jx900.severity == "error" and jx900.sheet == XM
    assert "JX998" in jx900.message and "ZeroDivisionError" in jx900.message and "boom" in jx900.message
    assert "jixiao" in jx900.message
    assert not any(f.rule == "invalid-value" for f in res.findings)  # never blamed on the submitter
    assert res.status == "invalid"


def test_a_crash_inside_the_scoring_core_is_not_an_unparseable_value(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("unsupported operand")

    monkeypatch.setattr(scoring, "indicator_score", broken)
    path, refs = _bad_total(tmp_path)
    res = validate_file(path)
    assert [f.rule for f in res.findings] == ["internal-error", "total-mismatch"]
    assert "JX302" in res.findings[0].message and "TypeError" in res.findings[0].message


@pytest.mark.parametrize("slug", [r.slug for r in catalogue() if r.scope == FORM])
def test_any_one_check_crashing_leaves_every_other_finding(tmp_path, monkeypatch, slug):
    name = "及时完成质量监督检查任务"
    path = tmp_path / "x.xlsx"
    build(path, [(XM, "xiangmu", {"rows": replace_row(XIANGMU_SEED, name, score=24), "total": 98})])
    before = validate_file(path).findings
    assert {"JX302", "JX305", "JX401"} <= {f.code for f in before}

    def crash(self, ctx):
        raise RuntimeError(f"{self.code} broke")

    cls = type(rule(slug))
    monkeypatch.setattr(cls, "applies", lambda self, ctx: True)
    monkeypatch.setattr(cls, "check", crash)
    after = validate_file(path).findings
    (jx900,) = [f for f in after if f.code == "JX900"]
    assert f"{cls.code} broke" in jx900.message
    assert [f for f in after if f.code != "JX900"] == [f for f in before if f.rule != slug]


def test_a_check_that_yields_a_finding_it_does_not_declare_is_an_internal_error(tmp_path, extra_rule):
    @extra_rule
    class Sloppy(Rule):
        code, slug, severity = "JX997", "test-sloppy", "error"
        title, template, description = "测试", "测试", "测试用规则"

        def check(self, ctx: Context) -> Iterator[Finding]:
            yield rule("missing-value").finding(ctx.form.total, where="", field="总分")

    path, _ = _bad_total(tmp_path)
    res = validate_file(path)
    assert "missing-value" not in [f.rule for f in res.findings]
    (jx900,) = [f for f in res.findings if f.code == "JX900"]
    assert "JX997" in jx900.message and "UndeclaredFinding" in jx900.message


def test_a_crash_in_a_workbook_rule_and_in_applies_are_guarded_too(tmp_path, extra_rule):
    @extra_rule
    class BookCrash(Rule):
        code, slug, severity, scope = "JX996", "test-book-crash", "warning", BOOK
        title, template, description = "测试", "测试", "测试用规则"

        def check_book(self, book, contexts, findings):
            raise KeyError("x")
            yield

    @extra_rule
    class AppliesCrash(Rule):
        code, slug, severity = "JX995", "test-applies-crash", "warning"
        title, template, description = "测试", "测试", "测试用规则"

        def applies(self, ctx: Context) -> bool:
            raise AttributeError("no such property")

    path, refs = _bad_total(tmp_path)
    res = validate_file(path)
    crashed = [f for f in res.findings if f.code == "JX900"]
    assert len(crashed) == 2
    assert {m for f in crashed for m in ("JX996", "JX995") if m in f.message} == {"JX996", "JX995"}
    assert ("total-mismatch", refs["total"]) in {(f.rule, f.cell) for f in res.findings}


def test_a_reader_crash_on_a_file_that_opened_is_jixiaos_fault_not_unreadable(tmp_path, monkeypatch):
    from jixiao.reader import layout

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(layout, "find_forms", broken)
    path, _ = _bad_total(tmp_path)
    res = validate_file(path)
    assert [f.rule for f in res.findings] == ["internal-error"] and res.status != "unreadable"
    assert "读取本文件时" in res.findings[0].message and "IndexError" in res.findings[0].message
    # A file that cannot be opened stays the submitter's: unreadable, as before.
    (tmp_path / "cut.xlsx").write_bytes(path.read_bytes()[:300])
    assert [f.rule for f in validate_file(tmp_path / "cut.xlsx").findings] == ["unreadable-file"]


# ---------------------------------------------------------------- form properties, not form ids
def test_no_form_id_branch_in_validation():
    ids = [p.stem for p in (SRC / "forms").glob("*.yaml") if p.stem != "labels"]
    assert ids
    for path in (SRC / "validation").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "form_id ==" not in text and "form_id !=" not in text and "form_id in" not in text, path
        for form_id in ids:
            assert f'"{form_id}"' not in text and f"'{form_id}'" not in text, (path, form_id)


def test_checks_section_of_each_shipped_form_parses():
    for path in (SRC / "forms").glob("*.yaml"):
        if path.stem != "labels":
            assert isinstance(form_checks(path.stem), FormChecks)
    f1 = form_checks("fubiao1")
    assert not f1.runs("score-mismatch") and f1.runs("score-out-of-range")
    assert f1.param(rule("missing-value"), "required") == ("points", "score")
    assert form_checks("xiangmu").param(rule("missing-value"), "required") == ("target", "actual", "points", "score")


@pytest.mark.parametrize(("data", "key"), [
    ({"score-mismatch": True}, "checks.score-mismatch"),
    ({"missing-valu": False}, "checks.missing-valu"),
    ({"JX999": False}, "checks.JX999"),
    ({"unreadable-file": False}, "checks.unreadable-file"),
    ({"missing-value": {"reqired": ["score"]}}, "checks.missing-value.reqired"),
    ({"missing-value": {"required": ["score", "得分"]}}, "checks.missing-value.required"),
    ({"missing-value": {"required": "score"}}, "checks.missing-value.required"),
    ({"formula-overwritten": {"cells": ["total", "average"]}}, "checks.formula-overwritten.cells"),
    ({"weight-sum": {"total": 90}}, "checks.weight-sum.total"),
    (["missing-value"], "checks"),
])
def test_a_malformed_checks_section_names_file_and_key(data, key):
    with pytest.raises(FormChecksError, match=re.escape(f"my-form.yaml: {key}: ")):
        FormChecks.from_spec(data, "my-form.yaml")


def test_checks_section_defaults_and_rules_by_code_or_slug():
    assert FormChecks.from_spec(None, "x") == FormChecks() and FormChecks().runs("score-mismatch")
    checks = FormChecks.from_spec({"JX401": False, "score-mismatch": False}, "x")
    assert checks.off == {"deviation-reason-missing", "score-mismatch"}
    assert checks.param(rule("formula-overwritten"), "cells") == rule("formula-overwritten").params["cells"].default


def _with_checks(monkeypatch, data: dict) -> None:
    """Validate every form as if its spec said ``checks: data``."""
    from jixiao.validation import engine

    monkeypatch.setattr(engine, "form_checks", lambda form_id: FormChecks.from_spec(data, "test.yaml"))


def test_broken_configuration_is_said_loudly_not_per_file(tmp_path, monkeypatch):
    from jixiao.errors import RulePackError

    path, _ = _bad_total(tmp_path)
    with pytest.raises(RulePackError, match="nope"):
        validate_file(path, rules="nope")
    _with_checks(monkeypatch, {"missing-value": {"required": ["得分"]}})
    with pytest.raises(FormChecksError, match="test.yaml: checks.missing-value.required"):
        validate_file(path)


def test_rules_follow_the_forms_checks_section(tmp_path, monkeypatch):
    name = "及时完成质量监督检查任务"
    path = tmp_path / "x.xlsx"
    refs = build(path, [(XM, "xiangmu", {"rows": replace_row(XIANGMU_SEED, name, score=24, actual="")})])[XM]
    got = {(f.rule, f.cell) for f in validate_file(path).findings}
    assert {("missing-value", refs["actual", name]), ("deviation-reason-missing", refs["reason", name])} <= got

    _with_checks(monkeypatch, {"missing-value": {"required": ["points", "score"]}, "JX401": False})
    got = {(f.rule, f.cell) for f in validate_file(path).findings}
    assert ("missing-value", refs["actual", name]) not in got
    assert not any(r == "deviation-reason-missing" for r, _ in got)

    path = tmp_path / "y.xlsx"
    refs = build(path, [(XM, "xiangmu", {"rows": replace_row(XIANGMU_SEED, name, score=24), "total": 98.87})])[XM]
    _with_checks(monkeypatch, {"score-mismatch": False})  # the evaluator's call: 24 of 25 stands
    assert not any(f.rule == "score-mismatch" for f in validate_file(path).findings)
    _with_checks(monkeypatch, {})
    assert ("score-mismatch", refs["score", name]) in {(f.rule, f.cell) for f in validate_file(path).findings}


def test_formula_cells_come_from_the_checks_section(tmp_path, monkeypatch):
    from jixiao.reader import read_workbook
    from jixiao.templates import write_workbook
    from jixiao.templates.samples import SEEDS

    p = write_workbook(tmp_path / "x.xlsx", "xiangmu", "native", SEEDS["xiangmu"])
    ind = read_workbook(p).forms[0].scored()[0]
    wb = load_workbook(p)
    wb.worksheets[0][ind.get("score").address] = ind.get("score").value
    wb.save(p)
    assert codes(validate_file(p)) == ["JX501"]
    _with_checks(monkeypatch, {"formula-overwritten": {"cells": ["total", "grade"]}})
    assert codes(validate_file(p)) == []


def test_a_form_whose_own_pack_gives_the_rate_no_points_keeps_it(tmp_path, monkeypatch):
    from jixiao.validation import engine

    path = tmp_path / "x.xlsx"
    build(path, [(XM, "xiangmu", {}), ("附表1", "fubiao1", {})])
    packs = lambda rules: [f["pack"] for f in validate_file(path, rules=rules).forms]  # noqa: E731
    assert packs("hubei") == ["hubei", "sichuan-dafen"]  # 附表1's own pack has no 执行率 points
    assert packs("sichuan-dafen") == ["sichuan-dafen", "sichuan-dafen"]
    # The property, not the form: a 项目支出绩效自评表 whose spec names a points pack keeps it too.
    real = engine.load_form
    monkeypatch.setattr(engine, "load_form", lambda form_id: dataclasses.replace(real(form_id), pack="sichuan-dafen"))
    engine._pack_for.cache_clear()
    try:
        assert packs("hubei") == ["sichuan-dafen", "sichuan-dafen"]
    finally:
        engine._pack_for.cache_clear()


# ---------------------------------------------------------------- a run's pack flags apply
@pytest.fixture()
def no_formula_pack(tmp_path) -> Path:
    path = tmp_path / "packs" / "no-formula.yaml"
    path.parent.mkdir()
    path.write_text("id: no-formula\nextends: cz2020-10\nname: 不要求保留公式\n"
                    "checks:\n  formula_expected: false\n", encoding="utf-8")
    return path


def test_formula_expected_false_in_the_run_pack_is_honoured_by_the_cli(tmp_path, no_formula_pack):
    sub = tmp_path / OVERWRITTEN.name
    shutil.copy(OVERWRITTEN, sub)

    def found(*extra: str) -> set[str]:
        res = CliRunner().invoke(main, ["validate", str(sub), "--format", "json", *extra])
        assert res.exit_code == 1, res.output
        return {f["code"] for f in json.loads(res.stdout)["files"][0]["findings"]}

    assert {"JX501", "JX302"} <= found()
    assert "JX501" not in found("--rules", str(no_formula_pack)) and "JX302" in found("--rules", str(no_formula_pack))


def test_formula_expected_false_in_the_run_pack_is_honoured_by_the_api(tmp_path, no_formula_pack):
    from jixiao.reader import read_workbook
    from jixiao.templates import write_workbook
    from jixiao.templates.samples import SEEDS

    p = write_workbook(tmp_path / "x.xlsx", "xiangmu", "native", SEEDS["xiangmu"])
    ind = read_workbook(p).forms[0].scored()[0]
    wb = load_workbook(p)
    wb.worksheets[0][ind.get("score").address] = ind.get("score").value  # the same number, typed over
    wb.save(p)
    assert codes(validate_file(p)) == ["JX501"]
    assert codes(validate_file(p, rules=no_formula_pack)) == []
    assert codes(validate_file(p, rules=load_pack(no_formula_pack))) == []
    assert jixiao.validate(p, rules=str(no_formula_pack)).files[0].findings == []
    assert codes(validate_file(p, rules="cz2020-10")) == ["JX501"]  # the flag, not the --rules option


def test_a_points_sheet_follows_the_run_packs_formula_flag_when_it_takes_that_pack(tmp_path):
    from jixiao.reader import read_workbook
    from jixiao.templates import write_workbook
    from jixiao.templates.samples import SEEDS

    p = write_workbook(tmp_path / "f1.xlsx", "fubiao1", "native", SEEDS["fubiao1"])
    total = read_workbook(p).forms[0].total
    wb = load_workbook(p)
    wb.worksheets[0][total.address] = total.value
    wb.save(p)
    assert codes(validate_file(p)) == ["JX501"]
    pack = tmp_path / "points-no-formula.yaml"
    pack.write_text("id: points-no-formula\nextends: sichuan-dafen\nname: 打分表，不要求公式\n"
                    "checks:\n  formula_expected: false\n", encoding="utf-8")
    assert codes(validate_file(p, rules=pack)) == []


# ---------------------------------------------------------------- the catalogue feeds the docs
def test_guide_rule_table_is_the_registry():
    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- rules:start -->\n(.*?)\n<!-- rules:end -->", text, re.S)
    assert block, "docs/guide.md lost its rule table markers"
    from jixiao.validation.rules import catalogue_markdown

    assert block.group(1).strip() == catalogue_markdown().strip(), "run: jixiao rules --markdown"
    assert [f"| {r.code} |" in block.group(1) for r in catalogue()] == [True] * len(catalogue())


def test_guide_checks_example_is_the_shipped_fubiao1_section():
    import yaml

    from jixiao.forms import load_form

    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if b.startswith("checks:")]
    section = yaml.safe_load(block)["checks"]
    assert section == dict(load_form("fubiao1").checks)
    assert FormChecks.from_spec(section, "guide") == form_checks("fubiao1")


def test_readme_counts_the_rules():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rules = catalogue()
    assert f"{len(rules)} 条规则各有稳定代码（{rules[0].code} … {rules[-1].code}）" in text


def test_rules_command_lists_and_explains(tmp_path):
    res = CliRunner().invoke(main, ["rules"])
    assert res.exit_code == 0
    assert [line.split()[0] for line in res.output.splitlines()] == [r.code for r in catalogue()]
    res = CliRunner().invoke(main, ["rules", "jx302"])
    assert res.exit_code == 0 and rule("JX302").template in res.output and "scores.py" in res.output
    assert "JX103 invalid-value" in res.output  # what it may also emit
    assert CliRunner().invoke(main, ["rules", "missing-value"]).output.startswith("JX101 missing-value")
    res = CliRunner().invoke(main, ["rules", "JX777"])
    assert res.exit_code == 2 and "未知规则" in res.output
