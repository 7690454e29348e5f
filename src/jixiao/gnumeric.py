"""Gnumeric headless (``ssconvert --recalc``): a second real spreadsheet engine for native formulas.

LibreOffice and Gnumeric share no calculation code, so a native formula that both compute to
the core's cent does not lean on one engine's reading of it (implicit intersection, SUMPRODUCT's
array context, which error a failing function gives). One ``ssconvert`` process per workbook
(~0.1–0.3 s each); a timeout kills its process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

SSCONVERT = shutil.which("ssconvert") or "ssconvert"
XLSX_EXPORTER = "Gnumeric_Excel:xlsx2"  # ISO/IEC 29500 (Excel 2010+)


class GnumericError(RuntimeError):
    pass


def available() -> bool:
    """Is Gnumeric's ssconvert on PATH?"""
    return shutil.which("ssconvert") is not None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_AT_BRIDGE="1")  # no accessibility bus on a headless machine
    proc = subprocess.Popen([SSCONVERT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise GnumericError(f"ssconvert timed out after {timeout}s: {args[-2]}") from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def recalc_xlsx(paths: list[Path], outdir: Path, timeout: float = 60) -> list[Path]:
    """Load each xlsx in Gnumeric, recalculate every cell, save to ``outdir/<stem>.xlsx``."""
    paths = [Path(p).resolve() for p in paths]
    outdir = Path(outdir).resolve()
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError("input files must have distinct stems (outputs are named <stem>.xlsx)")
    if any(p.parent == outdir for p in paths):
        raise ValueError("outdir must differ from the input folder (the input would be overwritten)")
    outdir.mkdir(parents=True, exist_ok=True)
    outs = []
    for path in paths:
        out = outdir / f"{path.stem}.xlsx"
        out.unlink(missing_ok=True)  # so existence proves success
        res = _run(["--recalc", "-T", XLSX_EXPORTER, str(path), str(out)], timeout)
        if res.returncode != 0 or not out.exists():
            raise GnumericError(f"ssconvert failed for {path.name}: rc={res.returncode} stderr={res.stderr!r}")
        outs.append(out)
    return outs
