"""Template workbooks for every form spec (附表1, 附表2, the 项目支出绩效自评表, … and forms from
``JIXIAO_FORMS``), in three formula modes; the layout comes from the spec alone (``layout.py``).

Modes (chosen at generation):

- ``udf``: cells call ``=JX_SCORE(...)`` etc. — needs the jixiao add-in (xlwings) or a host.
- ``lambda``: the same cell text; ``JX_SCORE`` … are workbook names holding LAMBDA formulas
  (Excel 365/2024) with the rule pack's numbers baked in.
- ``native``: plain Excel formulas (IF/ROUND/SUMPRODUCT …) — Excel 2010+, WPS, LibreOffice.

Every JX_ call passes all its arguments, the last being the labelled 计分规则包 cell, so udf
and lambda cells read the same (only ``udf`` honours an edited pack name; the other two modes
bake the pack in). Formula cells carry cached values computed by the Python core.

Data schema (``data``; every key optional, unknown keys are errors). Which keys a form takes
follows from its spec: an open tree (``categories``) takes the first block, a fixed tree
(``sections``) the second::

    {
      "year": 2019,                              # when the spec's subtitle says {year}
      "header": {"project": "…", …},             # the keys of the spec's header/overview fields;
                                                 # a tick field takes a choice or a list of them
      "funds": {"total_funds": {"initial_budget": 87.65, "budget": 87.65, "spent": 86.54}, …},
                                                 # the spec's funds rows and typed columns (万元)
      "goal": {"expected": "…", "achieved": "…"},  # the keys of the spec's goal parts
      "indicators": [                            # one row per indicator, keyed by the spec's columns
        {"level1": "产出指标", "level2": "数量指标", "level3": "…", "nature": "≥",
         "target": "≥95%" | 0.95 | "逐步提高", "unit": "家", "points": 10 | "5%",
         "actual": "98%" | "达成", "reason": "…", "score": None},
      ],
    }
    {
      "scores": {"决策程序": 6, …},             # 自评得分 by the name of each fixed scored row
      "remarks": {"决策程序": "…"},              # 备注
      "personal": [{"name": "…", "score": 7, "points": 8, "explanation": "…", "remark": "…"}],
      "deduction": 0,                            # 扣分项 (0–its maximum, subtracted)
      "deduction_remark": "…",
    }

Quantities may be numbers or text with units ("87.65万元", "5%"): they are written as numbers
with a number format that shows the unit, because native formulas need numbers. ``nature``
left out is read from the target's text ("不超过…" → ≤). An indicator's ``score`` is computed by
the sheet (a given value is ignored). Rows are placed under their 一级/二级 in the standard tree;
an unknown 二级 is appended after its 一级.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..forms import TEMPLATE_MARKER, builtin_form_ids, form_ids, load_form
from ..forms.spec import FormSpec
from ..rulepacks import load_pack
from .layout import layout
from .model import MODES, Sheet

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["MODES", "FORM_IDS", "TemplateLayout", "build_workbook", "write_workbook", "template_layout",
           "computed_values", "check_data", "sheet_model"]

FORM_IDS = builtin_form_ids()  # the forms whose templates are committed
_FIXED_TREE_KEYS = {"scores", "remarks", "personal", "deduction", "deduction_remark"}
_ROW_KEYS = {"level1", "level2", "level3", "nature", "target", "unit", "points", "actual", "reason", "score",
             "explanation", "remark"}
_FUND_KEYS = {"initial_budget", "budget", "spent"}


@dataclass(frozen=True)
class TemplateLayout:
    """Where a form's logical fields landed.

    ``fields`` maps keys such as ``grand_total``, ``grade``, ``status``, ``pack``,
    ``total_funds:budget``, ``total_funds:score`` to a cell (or a range for ``scores``);
    ``rows`` lists each indicator row as {column key → cell}; ``formulas`` is every cell that
    must hold a formula; ``inputs`` every cell meant for typing.
    """

    form_id: str
    sheet: str
    fields: dict[str, str]
    rows: list[dict[str, str]]
    formulas: tuple[str, ...]
    inputs: tuple[str, ...]
    header_row: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def cell(self, key: str) -> tuple[str, str]:
        return self.sheet, self.fields[key]


def check_data(form_id: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Validate ``data`` against the schema; raises ValueError naming the field."""
    if form_id not in form_ids():
        raise ValueError(f"未知表单“{form_id}” (unknown form); 可用: {', '.join(form_ids())}")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("data 应为字典 (data must be a dict)")
    spec = load_form(form_id)
    allowed = _top_keys(spec)
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"{form_id} 不支持字段 {sorted(unknown)} (unknown field); 可用: {sorted(allowed)}")
    for i, row in enumerate(data.get("indicators") or []):
        if not isinstance(row, dict):
            raise ValueError(f"indicators[{i}] 应为字典 (must be a dict)")
        bad = set(row) - _ROW_KEYS - set(spec.indicators.keys())
        if bad:
            raise ValueError(f"indicators[{i}] 不支持字段 {sorted(bad)} (unknown field)")
        for key in ("level1", "level2"):
            if not str(row.get(key) or "").strip():
                raise ValueError(f"indicators[{i}].{key} 不能为空 (required)")
    for key, row in (data.get("funds") or {}).items():
        spec_rows = {f.key for f in spec.funds.rows} if spec.funds else set()
        if key not in spec_rows:
            raise ValueError(f"funds.{key}: 未知资金行 (unknown funds row); 可用: {sorted(spec_rows)}")
        bad = set(row or {}) - _FUND_KEYS
        if bad:
            raise ValueError(f"funds.{key} 不支持字段 {sorted(bad)} (unknown field)")
    header_keys = {f.key for block in (spec.header, spec.overview) for f in block.fields}
    bad = set(data.get("header") or {}) - header_keys
    if bad:
        raise ValueError(f"header 不支持字段 {sorted(bad)} (unknown field); 可用: {sorted(header_keys)}")
    sections = spec.indicators.sections
    names = {i.name for i in spec.indicators.leaves()}
    bad = set(data.get("scores") or {}) - names
    if bad:
        raise ValueError(f"scores 中的“{sorted(bad)[0]}”不是{spec.short_name}的三级指标 (unknown indicator)")
    n = sum(len(s.items) for s in sections if s.personal)
    if len(data.get("personal") or []) > n:
        raise ValueError(f"personal 最多 {n} 项 (at most {n} rows)")
    return data


def sheet_model(form_id: str, data: dict[str, Any] | None = None, pack: str | None = None) -> tuple[Sheet, str]:
    """The form's sheet model (cells, formula expressions) laid out for ``data``, and its pack name."""
    return _sheet(form_id, data, pack)


def _top_keys(spec: FormSpec) -> set[str]:
    """The data keys a form takes: its fixed tree's scores, or header, funds, goal, indicators."""
    if spec.indicators.sections:
        return set(_FIXED_TREE_KEYS)
    keys = {"indicators"}
    if spec.header.fields or spec.overview.fields:
        keys.add("header")
    if spec.funds is not None:
        keys.add("funds")
    if spec.goal is not None:
        keys.add("goal")
    if "{year}" in spec.subtitle:
        keys.add("year")
    return keys


def _sheet(form_id: str, data: dict[str, Any] | None, pack: str | None) -> tuple[Sheet, str]:
    data = check_data(form_id, data)
    pack_name = pack or load_form(form_id).pack
    load_pack(pack_name)  # fail early on an unknown pack
    return layout(load_form(form_id), data, pack_name), pack_name


def build_workbook(form_id: str, mode: str = "native", data: dict[str, Any] | None = None,
                   pack: str | None = None) -> Workbook:
    """The form as an openpyxl Workbook (no cached values: use :func:`write_workbook` for files)."""
    from openpyxl import Workbook  # only when writing: reading a template's model needs no openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    from .render import add_lambda_names, render_sheet

    if mode not in MODES:
        raise ValueError(f"未知公式模式“{mode}” (unknown mode); 可用: {', '.join(MODES)}")
    sh, pack_name = _sheet(form_id, data, pack)
    wb = Workbook()
    render_sheet(wb.active, sh, mode, pack_name)
    if mode == "lambda":
        add_lambda_names(wb, pack_name)
    # How the validator recognises our templates (for formula-overwritten); the creator
    # property is a fallback that Excel keeps but users can edit.
    wb.defined_names[TEMPLATE_MARKER] = DefinedName(
        TEMPLATE_MARKER, attr_text=f'"{form_id}:{mode}:{__version__}"')
    wb.properties.creator = "jixiao"
    wb.properties.title = load_form(form_id).title
    return wb


def computed_values(form_id: str, data: dict[str, Any] | None = None,
                    pack: str | None = None) -> dict[tuple[str, str], Any]:
    """{(sheet, cell): value} of every formula cell, computed by the Python core."""
    sh, _ = _sheet(form_id, data, pack)
    return {(sh.title, a): v for a, v in sh.evaluate().items()}


def write_workbook(path: str | os.PathLike[str], form_id: str, mode: str = "native",
                   data: dict[str, Any] | None = None, pack: str | None = None) -> Path:
    """Write the form to ``path`` atomically, formula cells carrying cached values."""
    import datetime
    import tempfile

    from ..fileio import atomic_path
    from ..xlsxcache import exact_numbers, write_cached_values

    wb = build_workbook(form_id, mode, data, pack)
    # Fixed timestamps: regenerating an unchanged template gives the same content.
    stamp = datetime.datetime(2025, 1, 1)
    wb.properties.created = wb.properties.modified = stamp
    values = computed_values(form_id, data, pack)
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="jixiao_tpl_") as tmp:
        raw, cached = Path(tmp) / "raw.xlsx", Path(tmp) / "cached.xlsx"
        with exact_numbers():  # 0.815 stays "0.815" (Gnumeric reads "%.16g" text as another number)
            wb.save(raw)
        write_cached_values(raw, cached, values)
        with atomic_path(path) as out:
            _rezip_fixed_times(cached, out)
    return path


def _rezip_fixed_times(src: Path, dst: Path) -> None:
    """Copy a zip with fixed entry times, so an unchanged template is byte-identical."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            zout.writestr(fixed, data)


def template_layout(form_id: str, data: dict[str, Any] | None = None, pack: str | None = None) -> TemplateLayout:
    """Where each logical field and indicator cell of the form lands (same for all modes)."""
    sh, pack_name = _sheet(form_id, data, pack)
    return TemplateLayout(
        form_id=form_id, sheet=sh.title, fields=dict(sh.fields), rows=[dict(r) for r in sh.indicator_rows],
        formulas=tuple(sorted(sh.formula_cells(), key=_order)), inputs=tuple(sh.input_cells()),
        header_row=sh.header_rows[0] if sh.header_rows else None, extra={"pack": pack_name},
    )


def _order(cell: str) -> tuple[int, str]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    return int(cell[len(letters):]), letters
