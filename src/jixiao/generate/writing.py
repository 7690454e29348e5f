"""Writing the workbooks: staged in a temporary folder, then moved into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..forms import DEFAULT_FORM
from ..hosts import MODES
from .loading import _check_form_id, load_projects, projects_from_frame
from .mapping import safe_filename, template_data
from .records import DataError, DataIssue, Project


def write_projects(projects: list[Project], form: str, mode: str, out: str | os.PathLike[str],
                   pack: str | None = None, overwrite: bool = False) -> list[Path]:
    """Build every workbook in a staging folder, then move them all into ``out``."""
    out = Path(out)
    from ..templates.refill import FormWriter

    used: set[str] = set()
    counts = Counter(p.name for p in projects)
    names = [safe_filename(p.name if counts[p.name] == 1 else f"{p.name}-{p.unit_name}", used)
             for p in projects]
    targets = [out / n for n in names]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise DataError([DataIssue(str(t), "", "", "", "文件已存在（加 --overwrite 覆盖）",
                                   "file exists (use --overwrite)") for t in existing])
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".jixiao-generate-", dir=out))
    writer = FormWriter()  # each layout rendered once, then refilled
    try:
        staged = []
        for project, name in zip(projects, names, strict=True):
            dst = staging / name
            writer.write(dst, form, mode, data=template_data(project, form), pack=pack)
            staged.append(dst)
        for src, dst in zip(staged, targets, strict=True):
            os.replace(src, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets


def generate(data: str | os.PathLike[str], form: str = DEFAULT_FORM, mode: str = "native",
             out: str | os.PathLike[str] = ".", pack: str | None = None,
             overwrite: bool = False) -> list[Path]:
    """Read ``data``, check it all, then write one workbook per project into ``out``."""
    _check_args(form, mode)
    projects = load_projects(data, form)
    return write_projects(projects, form, mode, Path(out), pack, overwrite)


def from_frame(df: Any, form: str = DEFAULT_FORM, mode: str = "native",
               out: str | os.PathLike[str] = ".", pack: str | None = None,
               overwrite: bool = False, source: str = "DataFrame") -> list[Path]:
    """:func:`generate` from a pandas DataFrame (one row per indicator, labelled columns)."""
    _check_args(form, mode)
    projects = projects_from_frame(df, form, source)
    return write_projects(projects, form, mode, Path(out), pack, overwrite)


def _check_args(form: str, mode: str) -> None:
    _check_form_id(form)
    if mode not in MODES:
        raise ValueError(f"未知模式“{mode}” (unknown mode); 可用: {', '.join(MODES)}")



def iter_issue_lines(exc: DataError, limit: int = 50) -> Iterator[str]:
    for issue in exc.issues[:limit]:
        yield str(issue)
    if len(exc.issues) > limit:
        yield f"……另有 {len(exc.issues) - limit} 个问题 (and {len(exc.issues) - limit} more)"
