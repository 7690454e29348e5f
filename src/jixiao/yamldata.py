"""YAML data files that may ``extends:`` another (rule packs, form specs): reading and merging.

One implementation for both loaders. PyYAML is imported only when a file is read: the xlwings
Lite bundle embeds this module with the rule-pack loader, its packs already merged at build time,
and must not need PyYAML in Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def merge(base: Mapping[str, Any], override: Mapping[str, Any], additive: tuple[str, ...] = (),
          _path: tuple[str, ...] = ()) -> dict[str, Any]:
    """``override`` on ``base``: mappings merge key by key, everything else replaces — except lists
    inside the top-level sections named in ``additive``, which add their new items to the base ones
    (a rule pack extending another adds its province's spellings under ``words``)."""
    merged = dict(base)
    for key, value in override.items():
        here, old = (*_path, str(key)), merged.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            merged[key] = merge(old, value, additive, here)
        elif here[0] in additive and isinstance(value, list) and isinstance(old, list):
            merged[key] = old + [item for item in value if item not in old]
        else:
            merged[key] = value
    return merged


def load_text(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when PyYAML has it (about 2.5× faster on the form specs
    every process loads; the same safe constructors), the pure-Python loader otherwise."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def read_extending(path: Path, parent_path: Callable[[Path, str], Path], error: type[Exception],
                   what: tuple[str, str], additive: tuple[str, ...] = (),
                   chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The mapping in ``path`` merged onto the file its ``extends:`` names (``parent_path`` finds it).

    Every problem raises ``error`` naming the file; ``what`` is the kind of file in Chinese and
    English ("规则包", "rule pack"); ``additive`` goes to :func:`merge`.
    """
    import yaml  # here, not at the top: see the module docstring

    zh, en = what
    if path in chain:
        raise error(f"{path}: extends: 循环继承 (circular extends)")
    try:
        data = load_text(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: 无法读取{zh} (cannot read {en}): {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: {zh}应为 YAML 映射 (a {en} must be a mapping)")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise error(f"{path}: extends: 应为{zh}名称 (must be a {en} name)")
    base = read_extending(parent_path(path, parent), parent_path, error, what, additive, (*chain, path))
    return merge(base, data, additive)
