"""Each form's example values live in its spec (``sample:``): strictly typed, checked against the
form when used, the source of ``SEEDS`` and of the preview pictures — also for a form that is only
a YAML file (examples/forms/jiedao-2025.yaml)."""

from __future__ import annotations

import copy
import re
import shutil
import struct
from pathlib import Path

import pytest
import test_forms
from click.testing import CliRunner
from test_forms import _write

from jixiao.cli import main
from jixiao.forms import FormSpecError, builtin_form_ids, load_form
from jixiao.templates import check_data, computed_values, template_layout, write_workbook
from jixiao.templates.samples import SEEDS, sample_data
from jixiao.validation.engine import validate_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_FORMS = ROOT / "examples" / "forms"
forms_dir = test_forms.forms_dir  # the fixture: JIXIAO_FORMS is a fresh folder

OPEN_TREE = {
    "id": "demo",
    "title": "演示自评表",
    "header": {"fields": [{"key": "project", "label": "项目名称"}]},
    "indicators": {
        "columns": [
            {"key": "level1", "label": "一级指标"},
            {"key": "level2", "label": "二级指标"},
            {"key": "level3", "label": "三级指标"},
            {"key": "points", "label": "分值", "kind": "quantity"},
            {"key": "score", "label": "得分"},
        ],
        "categories": [{"level1": "产出指标", "level2": "数量指标"}],
    },
    "sample": {"header": {"project": "演示项目"},
               "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": "检查次数", "points": 10}]},
}


def test_every_builtin_form_has_a_sample_that_fits_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIXIAO_FORMS", raising=False)
    assert sorted(SEEDS) == sorted(builtin_form_ids()) and len(SEEDS) == len(builtin_form_ids())
    for form_id in builtin_form_ids():
        data = SEEDS[form_id]
        assert data is SEEDS[form_id]  # one object while the spec file is unchanged
        assert check_data(form_id, copy.deepcopy(data)) == data
        assert data == sample_data(form_id)
    assert "no-such-form" not in SEEDS


@pytest.mark.parametrize(("sample", "key"), [
    ({"scroes": {}}, "sample.scroes"),
    ({"scores": {"决策程序": "六"}}, "sample.scores.决策程序"),
    ({"indicators": {"level1": "产出指标"}}, "sample.indicators"),
    ({"indicators": [5]}, "sample.indicators[0]"),
    ({"personal": [{"nmae": "个性指标"}]}, "sample.personal[0].nmae"),
    ({"funds": {"total_funds": 5}}, "sample.funds.total_funds"),
    ({"year": "二〇一九"}, "sample.year"),
    ({"deduction": "无"}, "sample.deduction"),
])
def test_a_malformed_sample_names_file_and_dotted_key(forms_dir: Path, sample: dict, key: str) -> None:
    path = _write(forms_dir, {**OPEN_TREE, "sample": sample})
    with pytest.raises(FormSpecError) as info:
        load_form("demo")
    assert str(path) in str(info.value) and f": {key}: " in str(info.value)


@pytest.mark.parametrize("sample", [
    {"indicators": [{"level1": "产出指标", "level2": "数量指标", "colour": "红"}]},  # no such column
    {"header": {"unit_name": "某单位"}},  # no such header field
    {"scores": {"决策程序": 6}},  # an open tree has no fixed items to score
])
def test_a_sample_that_does_not_fit_its_form_is_refused_naming_the_file(forms_dir: Path, sample: dict) -> None:
    path = _write(forms_dir, {**OPEN_TREE, "sample": sample})
    assert load_form("demo").sample is not None  # well-formed: the form itself still loads
    for get in (lambda: sample_data("demo"), lambda: SEEDS["demo"]):
        with pytest.raises(FormSpecError) as info:
            get()
        assert str(path.resolve()) in str(info.value) and ": sample: " in str(info.value)


def test_a_form_without_a_sample_has_none(forms_dir: Path) -> None:
    _write(forms_dir, {k: v for k, v in OPEN_TREE.items() if k != "sample"})
    assert sample_data("demo") is None and "demo" not in SEEDS
    with pytest.raises(KeyError):
        SEEDS["demo"]


def test_a_variant_inherits_the_sample_and_null_drops_it(forms_dir: Path) -> None:
    _write(forms_dir, {"id": "xiangmu-hb", "extends": "xiangmu", "title": "湖北项目支出绩效自评表"})
    _write(forms_dir, {"id": "xiangmu-bare", "extends": "xiangmu", "title": "无示例自评表", "sample": None})
    assert SEEDS["xiangmu-hb"] == SEEDS["xiangmu"]
    assert sample_data("xiangmu-bare") is None and "xiangmu-bare" not in SEEDS


def test_a_changed_spec_gives_its_new_sample(forms_dir: Path) -> None:
    import os

    path = _write(forms_dir, OPEN_TREE)
    first = SEEDS["demo"]
    doc = copy.deepcopy(OPEN_TREE)
    doc["sample"]["header"]["project"] = "另一个项目"
    _write(forms_dir, doc)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))  # a new mtime on coarse clocks too
    assert SEEDS["demo"]["header"]["project"] == "另一个项目" and first["header"]["project"] == "演示项目"


def _sample_forms() -> list[str]:
    return [*builtin_form_ids(), "jiedao-2025"]


@pytest.mark.parametrize("form_id", _sample_forms())
def test_each_sample_fills_a_form_that_validates_clean(form_id: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The pictures show correct forms: the sample's workbook has no finding and the total the
    sheet computes; the YAML-only example form included."""
    monkeypatch.setenv("JIXIAO_FORMS", str(EXAMPLE_FORMS))
    data = SEEDS[form_id]
    path = write_workbook(tmp_path / f"{form_id}.xlsx", form_id, "native", data)
    result = validate_file(path)
    assert result.status == "ok" and result.findings == [], [f.to_dict() for f in result.findings]
    assert [f["form"] for f in result.forms] == [form_id]
    layout = template_layout(form_id, data)
    if "grand_total" in layout.fields:
        assert result.forms[0]["total"] == computed_values(form_id, data)[(layout.sheet, layout.fields["grand_total"])]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_readme_shows_a_picture_of_every_bundled_form() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\(docs/images/([\w-]+)\.png\)", readme))
    assert set(builtin_form_ids()) <= shown
    for name in shown:
        png = ROOT / "docs" / "images" / f"{name}.png"
        assert png.stat().st_size < 300_000, f"{png.name}: keep the pictures small"
        _png_size(png)


needs_renderer = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")
                                         and shutil.which("pdftotext")),
                                    reason="needs LibreOffice and poppler-utils (scripts/install-test-deps)")


@needs_renderer
def test_preview_pictures_are_cropped_legible_and_deterministic(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_FORMS", str(EXAMPLE_FORMS))
    runs = []
    for run in ("a", "b"):
        args = ["templates", "--form", "jiedao-2025", "--form", "yunnan2017-zhibiao", "--mode", "native",
                "--out", str(tmp_path / run / "tpl"), "--images", str(tmp_path / run / "img")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        runs.append({p.name: p.read_bytes() for p in (tmp_path / run / "img").glob("*.png")})
    assert sorted(runs[0]) == ["jiedao-2025.png", "yunnan2017-zhibiao.png"]
    assert runs[0] == runs[1]
    page = (827, 1170)  # an A4 page at the 100 dpi the pictures start from
    jiedao = _png_size(tmp_path / "a" / "img" / "jiedao-2025.png")
    wide = _png_size(tmp_path / "a" / "img" / "yunnan2017-zhibiao.png")
    assert jiedao[0] < page[0] and jiedao[1] < page[1] / 2  # cropped to the form, not the paper
    assert wide[0] > page[0] and wide[1] < page[1] / 3  # shrunk onto the page, so drawn at a higher dpi
