"""Workbooks refilled from an earlier rendering of the same layout are, value for value and
format for format, what rendering each one with openpyxl gives."""

from __future__ import annotations

import copy
import random
import zipfile
from pathlib import Path

import pytest
from test_annotate_copies import snapshot

templates = pytest.importorskip("jixiao.templates")
from jixiao.templates.refill import FormWriter  # noqa: E402
from jixiao.templates.samples import SEEDS, random_data  # noqa: E402


@pytest.mark.parametrize("mode", ["native", "udf", "lambda"])
@pytest.mark.parametrize("form", ["fubiao1", "fubiao2", "xiangmu"])
def test_refilled_workbooks_match_rendered_ones(tmp_path: Path, form: str, mode: str) -> None:
    rng = random.Random(hash((form, mode)) & 0xFFFF)
    writer = FormWriter()
    datas = [SEEDS[form]]
    for _ in range(3):
        data = random_data(form, rng)
        datas += [data, _other_values(data, rng)]  # the second has the first one's layout
    for i, data in enumerate(datas):
        fast = writer.write(tmp_path / f"fast{i}.xlsx", form, mode, data)
        slow = templates.write_workbook(tmp_path / f"slow{i}.xlsx", form, mode, data)
        assert snapshot(fast) == snapshot(slow), (form, mode, i)
        cached_fast = snapshot_values(fast)
        assert cached_fast == snapshot_values(slow)
    assert writer.refilled >= 3  # written without rendering: the layout was seen before


def _other_values(data: dict, rng: random.Random) -> dict:
    """The same rows with other numbers and words (the layout stays, the values change)."""
    other = copy.deepcopy(data)
    for row in other.get("indicators") or []:
        if isinstance(row.get("actual"), (int, float)):
            row["actual"] = round(row["actual"] * rng.uniform(0.5, 1.5), 2)
        row["reason"] = rng.choice([None, "进度滞后", "  前后有空格  ", "=1+1"])
    for name in list(other.get("scores") or {}):
        other["scores"][name] = round(other["scores"][name] * rng.uniform(0.5, 1), 2)
    for funds in (other.get("funds") or {}).values():
        if funds and isinstance(funds.get("spent"), (int, float)):
            funds["spent"] = round(funds["spent"] * rng.uniform(0.5, 1.2), 2)
    return other


def snapshot_values(path: Path) -> dict:
    """The cached values a reader without a calculator sees."""
    from openpyxl import load_workbook

    ws = load_workbook(path, data_only=True).worksheets[0]
    rows = {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}
    return {"values": [[c.value for c in row] for row in ws.iter_rows()], "heights": rows}


def test_refilled_workbook_is_a_valid_package(tmp_path: Path) -> None:
    writer = FormWriter()
    for i in range(3):
        p = writer.write(tmp_path / f"w{i}.xlsx", "xiangmu", "native", SEEDS["xiangmu"])
        with zipfile.ZipFile(p) as zf:
            assert zf.testzip() is None
            assert zf.namelist() == zipfile.ZipFile(tmp_path / "w0.xlsx").namelist()
