"""Declarative form specs (YAML data): one per form, used by the generator and the reader.

``fubiao1`` 附表1 专项预算绩效自评打分表, ``fubiao2`` 附表2 专项预算项目绩效目标完成情况自评表,
``xiangmu`` 项目支出绩效自评表 (财预〔2020〕10号). ``labels.yaml`` holds the label synonyms.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from ..core.parsing import normalize_text

SPEC_DIR = Path(__file__).parent
FORM_IDS = ("fubiao1", "fubiao2", "xiangmu")
FORM_TITLES = {
    "fubiao1": "附表1 专项预算绩效自评打分表",
    "fubiao2": "附表2 专项预算项目绩效目标完成情况自评表",
    "xiangmu": "项目支出绩效自评表（财预〔2020〕10号）",
}


@functools.cache
def load_form(form_id: str) -> dict[str, Any]:
    """The raw spec of a form (a mapping, as written in ``<form_id>.yaml``)."""
    if form_id not in FORM_IDS:
        raise KeyError(f"未知表单“{form_id}” (unknown form); 可用: {', '.join(FORM_IDS)}")
    return yaml.safe_load((SPEC_DIR / f"{form_id}.yaml").read_text(encoding="utf-8"))


@functools.cache
def labels() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load((SPEC_DIR / "labels.yaml").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    # "指标\n分值", "分 值", "权重（%）" all compare equal to their plain form.
    return normalize_text(text).replace("(", "").replace(")", "").replace("%", "")


def match_label(text: object, group: str = "columns") -> str | None:
    """The canonical key a header label stands for ("指标\\n分值" → "points"), or None."""
    if text is None:
        return None
    norm = _normalized(str(text))
    if not norm:
        return None
    for key, synonyms in labels()[group].items():
        if norm in {_normalized(s) for s in synonyms}:
            return key
    return None
