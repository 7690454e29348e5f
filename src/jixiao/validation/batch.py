"""Validate many files: expand folders and .zip archives, fan out over processes, collect a Report."""

from __future__ import annotations

import os
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .. import security
from ..rulepacks import RulePack
from .engine import FileResult, validate_file
from .report import Report
from .rules import rule


@dataclass(frozen=True)
class Job:
    index: int
    source: str | None  # None: refused before reading (unsafe archive member)
    display: str
    reason: str | None = None


def expand(paths: Iterable[str | os.PathLike[str]], workdir: Path) -> Iterator[Job]:
    """Files, folders (recursive, sorted) and .zip archives (extracted safely into workdir)."""
    index = 0
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(q for q in p.rglob("*") if q.is_file() and _wanted(q))
        else:
            files = [p]
        for f in files:
            if f.suffix.lower() == ".zip":
                dest = workdir / f"a{index}"
                dest.mkdir(parents=True, exist_ok=True)
                for item in security.extract_archive(f, dest, str(f)):
                    if isinstance(item, security.Refused):
                        yield Job(index, None, item.display, item.reason)
                    else:
                        yield Job(index, str(item.path), item.display)
                    index += 1
            else:
                yield Job(index, str(f), str(f))
                index += 1


def _wanted(p: Path) -> bool:
    return security.wanted_in_batch(p.name)


def annotated_name(job: Job, suffix: str = ".xlsx") -> str:
    stem = re.sub(r"[\\/:*?\"<>|!\s]+", "_", Path(job.display.split("!")[-1]).stem)[:60] or "file"
    return f"annotated/{job.index:05d}-{stem}{suffix}"


def run_job(job: Job, rules: str | RulePack | None, out_dir: str | None) -> FileResult:
    if job.source is None:
        res = FileResult(job.display, "unreadable")
        res.findings.append(rule("unreadable-file").finding(reason=job.reason or "已拒绝"))
        return res
    if Path(job.display).suffix.lower() in security.REPORT_SUFFIXES:  # a 自评报告: annotated after pairing
        from ..reports.validate import validate_report

        return validate_report(job.source, job.display, rules)
    res = validate_file(job.source, job.display, rules)
    if out_dir and res.status == "invalid":
        from .annotate import annotate_copy

        name = annotated_name(job)
        try:
            annotate_copy(job.source, res.findings, Path(out_dir) / name)
            res.annotated = name
        except Exception as exc:  # an annotation failure must not lose the finding list
            res.findings.append(rule("annotation-failed").finding(
                reason=f"无法生成批注副本（{type(exc).__name__}: {exc}）"))
    return res


def _run_chunk(args: tuple[list[Job], str | RulePack | None, str | None]) -> list[FileResult]:
    jobs, rules, out_dir = args
    return [run_job(j, rules, out_dir) for j in jobs]


def _chunks(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for j in jobs:
        chunk.append(j)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pooled(all_jobs: list[Job], size: int, jobs: int, rules: str | RulePack | None,
            out: str | None) -> Iterator[list[FileResult]]:
    """Results chunk by chunk from a process pool, at most ``jobs * 4`` chunks in flight (memory
    stays flat). A worker that dies (a crash inside a reader) loses nothing: the pool is renewed
    and that chunk re-run one file per process, so only the file that kills its process is lost."""
    pools = [ProcessPoolExecutor(max_workers=jobs)]
    pending: deque[tuple[Future[list[FileResult]], list[Job], ProcessPoolExecutor]] = deque()

    def renew(broken: ProcessPoolExecutor) -> None:
        if broken is pools[-1]:
            pools.append(ProcessPoolExecutor(max_workers=jobs))

    def collect() -> list[FileResult]:
        fut, chunk, pool = pending.popleft()
        try:
            return fut.result()
        except BrokenProcessPool:
            renew(pool)
            return [_isolated(j, rules, out) for j in chunk]

    try:
        for chunk in _chunks(all_jobs, size):
            try:
                fut = pools[-1].submit(_run_chunk, (chunk, rules, out))
            except BrokenProcessPool:  # it broke since the last collect
                renew(pools[-1])
                fut = pools[-1].submit(_run_chunk, (chunk, rules, out))
            pending.append((fut, chunk, pools[-1]))
            if len(pending) >= jobs * 4:
                yield collect()
        while pending:
            yield collect()
    finally:
        for pool in pools:
            pool.shutdown(cancel_futures=True)


def _isolated(job: Job, rules: str | RulePack | None, out: str | None) -> FileResult:
    with ProcessPoolExecutor(max_workers=1) as solo:
        try:
            return solo.submit(_run_chunk, ([job], rules, out)).result()[0]
        except BrokenProcessPool:
            res = FileResult(job.display, "unreadable")
            res.findings.append(rule("unreadable-file").finding(
                reason="读取此文件时处理进程异常退出（文件可能已损坏）"))
            return res


def validate_paths(paths: Iterable[str | os.PathLike[str]], rules: str | RulePack | None = None,
                   jobs: int = 1, out_dir: str | os.PathLike[str] | None = None,
                   progress: Callable[[int, int], None] | None = None, chunk_size: int = 32) -> Report:
    """Validate every workbook under ``paths``; one broken file never stops the batch."""
    if isinstance(rules, RulePack):
        rules_arg: str | RulePack | None = rules
    else:
        rules_arg = str(rules) if rules is not None else None
        if rules_arg is not None:
            from ..rulepacks import load_pack

            load_pack(rules_arg)  # fail early on an unknown pack
    out = str(out_dir) if out_dir is not None else None
    report = Report(rules=rules_arg.id if isinstance(rules_arg, RulePack) else rules_arg)
    with tempfile.TemporaryDirectory(prefix="jixiao-") as tmp:
        all_jobs = list(expand(paths, Path(tmp)))
        total = len(all_jobs)
        if progress:
            progress(0, total)
        if jobs <= 1 or total <= 1:
            for j in all_jobs:
                report.files.append(run_job(j, rules_arg, out))
                if progress:
                    progress(len(report.files), total)
        else:
            size = max(1, min(chunk_size, total // (jobs * 4) or 1))
            for results in _pooled(all_jobs, size, jobs, rules_arg, out):
                report.files.extend(results)
                if progress:
                    progress(len(report.files), total)
        if any(f.report is not None for f in report.files):
            from ..reports import finish_reports

            finish_reports(report.files, all_jobs, out)
    return report
