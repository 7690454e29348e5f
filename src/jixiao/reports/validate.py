"""Validate one 自评报告, and pair reports with the workbooks handed in beside them.

:func:`validate_report` reads the report, runs the form checks on the forms found in its tables
(located as "表 N（题目）第 r 行第 c 列"), extracts the prose's claims and holds them against each
other and against the report's own tables. :func:`pair_reports` then holds each report against
the workbook of the same project in the batch (paired by 项目名称, not by file name).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RulePackError
from ..reader.layout import find_forms, project_name
from ..reader.model import Workbook
from ..rulepacks import RulePack, load_pack
from ..validation.engine import FileResult, _status, check_forms, read_failed
from ..validation.form_checks import FormChecksError
from ..validation.rules import Finding, internal_error
from .checks import check_claims
from .claims import Claims, Place, extract, norm
from .facts import Facts, form_facts, key, table_amounts
from .reading import ReportDoc, ReportTable, read_report

_REF = re.compile(r"表(\d+)!([A-Z]{1,3})(\d+)")
_GENERIC = re.compile(r"\d{4}年?度?|项目|经费|专项|资金|预算|绩效|自评|评价|报告|部门|支出|年度|[（(].*?[)）]")


@dataclass
class ReportState:
    """What pairing needs after the first pass (plain data: crosses process boundaries)."""

    kind: str
    claims: Claims
    own: Facts
    project: str | None
    form_findings: list[Finding]
    pack: RulePack | None = None
    form_anchors: list[tuple[int, str] | None] = field(default_factory=list)
    anchors: list[tuple[int, str] | None] = field(default_factory=list)  # per finding: (segment order, sentence)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _tables_book(doc: ReportDoc) -> tuple[Workbook, dict[int, tuple[ReportTable, int]]]:
    """The forms in the report's tables, read as the workbook reader reads a sheet; the caption
    goes above the grid as its title row."""
    book = Workbook(doc.path, doc.kind, [], [])
    index: dict[int, tuple[ReportTable, int]] = {}
    for t in doc.tables:
        offset = 1 if t.caption else 0
        rows: list[list[Any]] = ([[t.caption]] if t.caption else []) + [list(r) for r in t.grid]
        sheet = f"表{t.number}"
        book.sheets.append(sheet)
        book.forms.extend(find_forms(rows, sheet))
        index[t.number] = (t, offset)
    return book, index


def _relocate(f: Finding, index: dict[int, tuple[ReportTable, int]]) -> Finding:
    def place(m: re.Match[str]) -> str:
        table, offset = index[int(m.group(1))]
        return table.locate(int(m.group(3)) - 1 - offset, _col(m.group(2)))

    if f.sheet is None or not f.sheet.startswith("表") or f.cell is None:
        return Finding(f.code, f.rule, f.severity, f.sheet, f.cell, _REF.sub(place, f.message), f.expected, f.found)
    m = _REF.match(f"{f.sheet}!{f.cell}")
    if m is None or int(m.group(1)) not in index:
        return f
    table, offset = index[int(m.group(1))]
    r, c = int(m.group(3)) - 1 - offset, _col(m.group(2))
    message = _REF.sub(place, f.message)
    return Finding(f.code, f.rule, f.severity, table.name, f"第 {r + 1} 行第 {c + 1} 列", message,
                   f.expected, f.found)


def _report_project(doc: ReportDoc) -> str | None:
    name = project_name(t.grid for t in doc.tables)
    if name:
        return name
    for seg in doc.segments[:40]:
        t = norm(seg.text)
        if t.startswith("项目名称"):
            rest = t[4:].strip(" :：\t")
            if rest:
                return rest
    title = []
    for seg in doc.segments[:3]:  # the title lines: short, before the first sentence
        if seg.table is not None or len(seg.text) > 40 or re.search(r"[，。；：:,]", seg.text):
            break
        title.append(seg.text)
    return "".join(title) or None


def core_name(name: str | None) -> str:
    """A project name without years and the words every project shares."""
    return key(_GENERIC.sub("", norm(name or "")))


def validate_report(path: str | os.PathLike[str], display: str | None = None,
                    rules: str | os.PathLike[str] | RulePack | None = None) -> FileResult:
    """Validate one report file; never raises for a bad file."""
    shown = display or str(path)
    result = FileResult(shown, "ok", source=str(path))
    try:
        doc = read_report(path)
    except Exception as exc:  # refused, gone, or a reader bug: never stop the batch
        return read_failed(result, exc)
    try:
        _first_pass(result, doc, rules)
    except (RulePackError, FormChecksError):
        raise  # the configuration's error, said loudly (as for workbooks)
    except Exception as exc:  # jixiao's bug, not the report's: said per file, the batch goes on
        result.report = None
        result.findings.append(internal_error(exc, "核对本报告时", "本报告的核对未完成。"))
        result.status = _status(result.findings)
    return result


def _first_pass(result: FileResult, doc: ReportDoc, rules: str | os.PathLike[str] | RulePack | None) -> None:
    """The forms in the tables, the claims, and the checks against the report's own tables."""
    book, index = _tables_book(doc)
    found, result.forms = check_forms(book, rules)
    form_findings = [_relocate(f, index) for f in found]
    for summary in result.forms:  # where each form is, as people find it in the report
        m = _REF.match(f"{summary['sheet']}!{summary['cell']}")
        if m is not None:
            table, offset = index[int(m.group(1))]
            summary["sheet"] = table.name
            summary["cell"] = f"第 {int(m.group(3)) - offset} 行第 {_col(m.group(2)) + 1} 列"
    own = form_facts(book.forms, lambda c: _cell_where(c.sheet, c.row, c.col, index), "报告表格")
    for t in doc.tables:
        own.amounts.extend(table_amounts(t))
    pack = load_pack(rules)
    state = ReportState(doc.kind, extract(doc.segments), own, _report_project(doc), form_findings, pack=pack)
    _mark_cells(state, doc)
    result.report = state
    finish(result, None)


def _cell_where(sheet: str, row: int, col: int, index: dict[int, tuple[ReportTable, int]]) -> str:
    table, offset = index[int(sheet[1:])]
    return table.locate(row - offset, col)


def _mark_cells(state: ReportState, doc: ReportDoc) -> None:
    """Anchor each form finding to the first paragraph of its table cell (for the annotated copy)."""
    by_where: dict[tuple[str, str], Any] = {}
    for seg in doc.segments:
        if seg.table is not None:
            by_where.setdefault((doc.tables[seg.table - 1].name, seg.where.split(" ", 2)[-1]), seg)
    for f in state.form_findings:
        seg = by_where.get((f.sheet or "", f.cell or ""))
        state.form_anchors.append((seg.order, seg.text) if seg is not None else None)


def finish(result: FileResult, workbook: Facts | None) -> None:
    """(Re)run the claim checks, against the report's tables and the paired workbook's forms."""
    state: ReportState = result.report
    facts: Facts | None = None
    if state.own.items or state.own.total or state.own.funds or state.own.amounts:
        facts = state.own
    if workbook is not None:
        merged = Facts(state.own.source)
        merged.merge(state.own)
        merged.merge(workbook)
        facts = merged
    try:
        marked = check_claims(state.claims, state.pack or load_pack(None), facts)
    except Exception as exc:  # jixiao's bug: the form findings stand, the claims are not checked
        result.findings = [*state.form_findings, internal_error(exc, "核对报告正文时", "正文的数字未能核对。")]
        state.anchors = [*state.form_anchors, None]
        result.status = _status(result.findings)
        return
    result.findings = list(state.form_findings) + [f for f, _ in marked]
    state.anchors = list(state.form_anchors) + [(p.segment.order, p.sentence) for _, p in marked]
    result.status = _status(result.findings)


def pair_reports(results: list[FileResult]) -> None:
    """Hold each report against the workbook of the same project in the batch."""
    books = [r for r in results if r.facts is not None and core_name(r.facts.project)]
    for res in results:
        state: ReportState | None = res.report
        if state is None or not books:
            continue
        mine = core_name(state.project)
        if len(mine) < 2:
            continue
        best = None
        for b in books:
            theirs = core_name(b.facts.project)
            short, long_ = sorted((theirs, mine), key=len)
            if theirs == mine or (len(short) >= 4 and short in long_ and len(short) >= 0.8 * len(long_)):
                same_dir = Path(b.path).parent == Path(res.path).parent
                score = (theirs == mine, same_dir, len(theirs))
                if best is None or score > best[0]:
                    best = (score, b)
        if best is not None:
            res.paired = best[1].path
            finish(res, best[1].facts)


__all__ = ["validate_report", "pair_reports", "finish", "Place"]
