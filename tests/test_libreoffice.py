"""LibreOffice recalculates the native templates, filled at random, to the Python core's cent."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from workbook_factory import same_value

from jixiao import libreoffice
from jixiao.templates import FORM_IDS, build_workbook, computed_values, template_layout
from jixiao.templates.samples import SEEDS, random_data

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(not libreoffice.available(), reason="LibreOffice (soffice) not installed")]

PER_FORM = 15


def test_native_templates_in_libreoffice_match_the_core(tmp_path: Path) -> None:
    rng = random.Random(31337)
    cases = []
    src = tmp_path / "in"
    src.mkdir()
    for form_id in FORM_IDS:
        datasets = [SEEDS[form_id], None] + [random_data(form_id, rng) for _ in range(PER_FORM)]
        for i, data in enumerate(datasets):
            path = src / f"{form_id}_{i:02d}.xlsx"
            build_workbook(form_id, "native", data).save(path)  # no cached values: LO must compute
            cases.append((path, form_id, data))
    outs = libreoffice.recalc_xlsx([c[0] for c in cases], tmp_path / "out")  # one soffice call
    checked = 0
    for out, (_, form_id, data) in zip(outs, cases, strict=True):
        layout = template_layout(form_id, data)
        ws = openpyxl.load_workbook(out, data_only=True)[layout.sheet]
        for (_, cell), want in computed_values(form_id, data).items():
            got = ws[cell].value
            assert same_value(got, want), (out.name, cell, got, want)
            checked += 1
    assert checked > 500
    seed_total = {"fubiao1": 91, "fubiao2": 100, "xiangmu": 99.87, "pingjia": 73.24, "yunnan2017": 97.75}
    for out, (_, form_id, data) in zip(outs, cases, strict=True):
        if data is SEEDS[form_id]:
            layout = template_layout(form_id, data)
            assert openpyxl.load_workbook(out, data_only=True)[layout.sheet][layout.fields["grand_total"]].value \
                == seed_total[form_id]
