"""Validate many files: expand folders and .zip archives, run each file in a guarded worker
(its own memory and time limit, see :mod:`.guard`), collect a Report.

Nothing is skipped silently: a FIFO, a device, a dangling or looping link, a folder that cannot
be read and a folder or archive holding no workbook each get a row of their own.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .. import archives, security
from ..rulepacks import RulePack
from ..sizes import copy_refusal
from ..textsafe import printable, printable_all
from .engine import FileResult, prepare, validate_file
from .guard import Limits, checkpoint, interruptible, run_guarded
from .outputs import Outputs, annotated_names, remove_stale
from .report import Report
from .rules import rule

TEMP_PREFIX = "jixiao-batch-"  # <prefix><pid>-…: a killed run's folder is removed by the next run


@dataclass(frozen=True)
class Job:
    index: int
    source: str | None  # None: refused before reading (unsafe archive member, FIFO, …)
    display: str
    reason: str | None = None
    annotated: str | None = None  # annotated/<name>.xlsx, should the file need a copy
    facts: bool = True  # work out a workbook's facts (only a 自评报告 in the batch uses them)


def expand(paths: Iterable[str | os.PathLike[str]], workdir: Path) -> Iterator[Job]:
    """Files, folders (recursive, sorted) and .zip archives (extracted safely into workdir)."""
    index = 0
    for raw in paths:
        for display, f, reason in _entries(Path(raw)):
            if f is not None and f.suffix.lower() == ".zip":
                dest = workdir / f"a{index}"
                dest.mkdir(parents=True, exist_ok=True)
                for item in archives.extract_archive(f, dest, display):
                    if isinstance(item, archives.Refused):
                        yield Job(index, None, item.display, item.reason)
                    else:
                        yield Job(index, str(item.path), item.display)
                    index += 1
            else:
                yield Job(index, None if f is None else str(f), display, reason)
                index += 1


def _entries(p: Path) -> Iterator[tuple[str, Path | None, str | None]]:
    """(display, file, None) for each file to validate under ``p``, (display, None, reason) for
    each thing that cannot be."""
    kind, reason = _kind(p)
    if kind == "dir":
        found = False
        for entry in _walk(p, set()):
            found = found or entry[1] is not None
            yield entry
        if not found:
            yield str(p), None, "文件夹中没有 Excel 工作簿（.xlsx、.xlsm、.xls、.ods）、自评报告（.docx、.pdf、.txt）或 .zip 压缩包"
    elif kind == "file":
        yield str(p), p, None
    else:
        yield str(p), None, reason


def _kind(p: Path) -> tuple[str, str | None]:
    """("file" | "dir" | "other", why an "other" is not read)."""
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "other", "链接循环（符号链接指向自身），已跳过"
        if p.is_symlink():
            return "other", "链接指向的文件不存在（失效的符号链接），已跳过"
        return "other", f"无法访问：{exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "dir", None
    if stat.S_ISREG(st.st_mode):
        return "file", None
    what = "命名管道（FIFO）" if stat.S_ISFIFO(st.st_mode) else "套接字" if stat.S_ISSOCK(st.st_mode) else "设备文件"
    return "other", f"不是普通文件（{what}），已跳过"


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[tuple[str, Path | None, str | None]]:
    try:
        st = folder.stat()
        if (st.st_dev, st.st_ino) in seen:
            return  # a link back to a folder already walked
        seen.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield str(folder), None, f"无法读取文件夹：{exc.strerror or exc}"
        return
    for e in entries:
        p = Path(e.path)
        kind, reason = _kind(p)
        if kind == "dir":
            yield from _walk(p, seen)
        elif kind == "file":
            if security.wanted_in_batch(e.name):
                yield str(p), p, None
        else:
            yield str(p), None, reason


def run_job(job: Job, rules: str | RulePack | None, out_dir: str | None) -> FileResult:
    if job.source is None:
        return refused(job, job.reason or "已拒绝")
    if Path(job.display).suffix.lower() in security.REPORT_SUFFIXES:  # a 自评报告: annotated after pairing
        from ..reports.validate import validate_report

        return safe_text(validate_report(job.source, job.display, rules))
    res = safe_text(validate_file(job.source, job.display, rules, facts=job.facts))
    if out_dir and res.status == "invalid" and job.annotated:
        too_big = copy_refusal(job.source)
        if too_big:
            res.findings.append(rule("annotation-failed").finding(reason=f"文件过大，未生成批注副本（{too_big}）"))
            return res
        from .annotate import annotate_copy

        checkpoint(res)  # the findings are safe should the copy crash or run out of time
        try:
            annotate_copy(job.source, res.findings, Path(out_dir) / job.annotated)
            res.annotated = job.annotated
        except Exception as exc:  # an annotation failure must not lose the finding list
            res.findings.append(rule("annotation-failed").finding(
                reason=f"无法生成批注副本（{type(exc).__name__}: {exc}）"))
    return res


def refused(job: Job, reason: str, partial: FileResult | None = None) -> FileResult:
    """The result of a file that could not be validated; with ``partial`` (validated, then its
    annotated copy failed), its findings and a note that the copy is missing."""
    if partial is not None:
        partial.findings.append(rule("annotation-failed").finding(reason=f"未生成批注副本：{reason}"))
        return partial
    res = FileResult(job.display, "unreadable")
    res.findings.append(rule("unreadable-file").finding(reason=reason))
    return safe_text(res)


def safe_text(res: FileResult) -> FileResult:
    """Names, sheet names and cell values as visible text (see :mod:`jixiao.textsafe`), before
    any writer, the annotated copy's included, sees them."""
    res.path = printable(res.path)
    res.forms = printable_all(res.forms)
    res.findings = [replace(f, sheet=printable(f.sheet), message=printable(f.message),
                            expected=printable(f.expected), found=printable(f.found)) for f in res.findings]
    return res


def _guarded_job(job: Job, rules: str | RulePack | None, out_dir: str | None) -> FileResult:
    try:
        return run_job(job, rules, out_dir)  # looked up at call time: tests replace run_job
    except Exception as exc:  # noqa: BLE001 - jixiao's own failure, reported as such (JX900)
        from .rules.runner import internal_error

        return safe_text(FileResult(job.display, "invalid", findings=[
            internal_error(exc, "校验此文件时", "此文件未能校验完成。")]))


def validate_paths(paths: Iterable[str | os.PathLike[str]], rules: str | RulePack | None = None,
                   jobs: int = 1, out_dir: str | os.PathLike[str] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   limits: Limits | None = None) -> Report:
    """Validate every workbook under ``paths``; one broken or hostile file never stops the batch.

    With ``out_dir``, annotated copies and ``校验汇总.xlsx`` replace the previous run's there
    (``outputs.OutputError`` when it cannot be written). SIGINT/SIGTERM raise
    ``guard.Interrupted`` after every worker, temp folder and staged output is gone.
    """
    if isinstance(rules, RulePack):
        rules_arg: str | RulePack | None = rules
    else:
        rules_arg = str(rules) if rules is not None else None
        if rules_arg is not None:
            from ..rulepacks import load_pack

            load_pack(rules_arg)  # fail early on an unknown pack
    limits = limits or Limits()
    report = Report(rules=rules_arg.id if isinstance(rules_arg, RulePack) else rules_arg)
    base = Path(tempfile.gettempdir())
    remove_stale(base, TEMP_PREFIX)
    with interruptible():
        outputs = Outputs(out_dir) if out_dir is not None else None
        try:
            with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=base) as tmp:
                all_jobs = list(expand(paths, Path(tmp) / "in"))
                reports = any(Path(j.display).suffix.lower() in security.REPORT_SUFFIXES for j in all_jobs)
                all_jobs = [replace(j, annotated=name, facts=reports)
                            for j, name in zip(all_jobs, annotated_names(j.display for j in all_jobs), strict=True)]
                total = len(all_jobs)
                if progress:
                    progress(0, total)
                results: dict[int, FileResult] = {}
                root = str(outputs.root) if outputs else None
                for job, res in run_guarded(all_jobs, _guarded_job, (rules_arg, root), jobs, limits,
                                            Path(tmp), refused, lambda: prepare(rules_arg)):
                    results[job.index] = res
                    if progress:
                        progress(len(results), total)
                report.files = [results[j.index] for j in all_jobs]
                if any(f.report is not None for f in report.files):
                    from ..reports import finish_reports

                    finish_reports(report.files, all_jobs, root)  # the sources are still in tmp
            if outputs:
                report.summary_path = outputs.commit(report)
        finally:
            if outputs:
                outputs.discard()
    return report
