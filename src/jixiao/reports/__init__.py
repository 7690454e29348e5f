"""The 自评报告: read .docx/.pdf/.txt reports, validate the forms in their tables, and hold every
number their prose claims against the prose itself and against the tables (or the workbook of
the same project handed in beside them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .reading import REPORT_SUFFIXES, ReportDoc, is_report, read_report
from .validate import pair_reports, validate_report


def finish_reports(results: list[Any], jobs: list[Any], out_dir: str | None) -> None:
    """After a batch: pair reports with workbooks by project, then write annotated .docx copies."""
    from ..validation.rules import rule

    pair_reports(results)
    if not out_dir:
        return
    for res, job in zip(results, jobs, strict=False):
        state = res.report
        if state is None or state.kind != "docx" or res.status != "invalid" or job.source is None \
                or not job.annotated:
            continue
        from .annotate import annotate_report

        name = str(Path(job.annotated).with_suffix(".docx"))
        anchored = [(f.message, a[0], a[1]) for f, a in zip(res.findings, state.anchors, strict=False) if a is not None]
        try:
            annotate_report(job.source, anchored, Path(out_dir) / name)
            res.annotated = name
        except Exception as exc:  # the findings stand without the copy
            res.findings.append(rule("annotation-failed").finding(
                reason=f"无法生成批注副本（{type(exc).__name__}: {exc}）"))


__all__ = ["REPORT_SUFFIXES", "ReportDoc", "finish_reports", "is_report", "pair_reports", "read_report",
           "validate_report"]
