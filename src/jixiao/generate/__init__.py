"""Generate pre-filled self-evaluation workbooks from project data.

Input is what finance systems already hold: one YAML/JSON file per project (or a folder of
them), or one CSV / Excel list with one row per indicator and the project's columns repeated
(项目名称, 预算单位, 年度, 全年预算数, 一级/二级/三级指标, 指标性质, 指标值, 分值 …; any label
synonym from ``forms/labels.yaml``). DataFrames go through :func:`from_frame`.

Everything is read and checked first (:func:`load_projects` collects every problem as a
:class:`DataIssue`, one line each, naming file, row and field); only when nothing is wrong are
the workbooks built — into a temporary folder beside ``out`` — and then moved into place, so a
bad input never leaves half of a batch behind.
"""

from __future__ import annotations

from .loading import MAX_ABS, MAX_DEPTH, load_projects, projects_from_frame
from .mapping import safe_filename, template_data
from .notices import weight_warnings, worded_number_warnings
from .records import DATA_SUFFIXES, DataError, DataIssue, Indicator, Project, field_key
from .writing import from_frame, generate, iter_issue_lines, write_projects

__all__ = [
    "DATA_SUFFIXES",
    "DataError",
    "DataIssue",
    "Indicator",
    "MAX_ABS",
    "MAX_DEPTH",
    "Project",
    "field_key",
    "from_frame",
    "generate",
    "iter_issue_lines",
    "load_projects",
    "projects_from_frame",
    "safe_filename",
    "template_data",
    "weight_warnings",
    "worded_number_warnings",
    "write_projects",
]
