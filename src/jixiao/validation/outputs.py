"""The output folder of a run (``--out``): annotated copies and the summary workbook.

A run writes into a private staging folder inside ``--out`` and, once it has finished, swaps
its ``annotated/`` folder and ``校验汇总.xlsx`` in place of the previous run's: no stale copies
stay beside the new ones, an interrupted run leaves the previous outputs as they were, and a
link planted inside ``--out`` is replaced, never followed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

SUMMARY = "校验汇总.xlsx"
ANNOTATED = "annotated"
STAGING_PREFIX = ".jixiao-staging-"
_UNSAFE = re.compile(r"[^\w\-（）()【】\[\].]+")  # \w keeps CJK, letters and digits
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


class OutputError(Exception):
    """The output folder cannot be written: one line for the reviewer, exit code 2."""


def annotated_names(displays: Iterable[str]) -> list[str]:
    """``annotated/<source name>.xlsx`` for each file (its display path), stable from run to run;
    names that would collide (same file name in two folders or archives) get a short hash of
    the full path, and a path listed again (an archive may hold two members of one name) a number."""
    displays = list(displays)
    stems = [_safe_stem(d) for d in displays]
    counts = Counter(s.casefold() for s in stems)
    names: list[str] = []
    taken: set[str] = set()
    for display, stem in zip(displays, stems, strict=True):
        if counts[stem.casefold()] > 1:
            stem = f"{stem}-{hashlib.sha1(display.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
        unique, n = stem, 1
        while unique.casefold() in taken:
            n += 1
            unique = f"{stem}-{n}"
        taken.add(unique.casefold())
        names.append(f"{ANNOTATED}/{unique}.xlsx")
    return names


def _safe_stem(display: str) -> str:
    name = PurePath(display.split("!")[-1].replace("\\", "/")).name
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE.sub("_", stem).strip("._ ")[:60] or "file"
    return f"{stem}_" if stem.split(".")[0].upper() in _RESERVED else stem


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale(folder: Path, prefix: str) -> None:
    """Remove ``<prefix><pid>-*`` folders left by runs that were killed (their pid is gone)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = re.match(re.escape(prefix) + r"(\d+)-", entry.name)
            if m and entry.is_dir(follow_symlinks=False) and not _alive(int(m.group(1))):
                shutil.rmtree(entry.path, ignore_errors=True)


class Outputs:
    """A run's outputs, staged in ``--out`` and swapped in whole by :meth:`commit`."""

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(out)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            remove_stale(self.out, STAGING_PREFIX)
            self.staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.out))
            (self.staging / ANNOTATED).mkdir()
        except OSError as exc:
            raise OutputError(f"无法写入输出目录 {self.out}：{exc.strerror or exc}") from None

    @property
    def root(self) -> Path:
        """Where workers write ``annotated/<name>`` during the run."""
        return self.staging

    @property
    def summary(self) -> Path:
        return self.out / SUMMARY

    def commit(self, report: Report) -> Path:
        """Write the summary and put this run's outputs in place of the previous run's."""
        try:
            report.write_xlsx(self.staging / SUMMARY)
            final, old = self.out / ANNOTATED, None
            if final.is_symlink() or (final.exists() and not final.is_dir()):
                final.unlink()  # a link (or file) standing where our folder goes: replaced, never followed
            elif final.exists():
                old = self.staging / "previous"
                os.rename(final, old)
            os.rename(self.staging / ANNOTATED, final)
            os.replace(self.staging / SUMMARY, self.summary)  # a link named like the summary is replaced too
        except OSError as exc:
            raise OutputError(f"无法写入输出目录 {self.out}：{exc.strerror or exc}") from None
        finally:
            self.discard()
        return self.summary

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
