"""Archives of submissions given on the command line: workbooks (and nested .zip) extracted
safely into the batch's temp folder.

Member paths never reach the filesystem (members are numbered); bytes written for one archive,
nested ones included, are bounded; an archive whose members overlap is refused whole; names
written without the UTF-8 flag are read as UTF-8 or GBK, as Chinese Windows writes them.
"""

from __future__ import annotations

import itertools
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .security import MAX_FILE_BYTES, MAX_RATIO, RATIO_FLOOR, UnsafeFile, wanted_in_batch

MAX_ARCHIVE_DEPTH = 2
MAX_ARCHIVE_FILES = 50_000
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # written to disk for one archive, nested ones included


def safe_member_name(name: str) -> PurePosixPath:
    """A zip member's path, refused when absolute or climbing out (``../``, ``C:``)."""
    norm = name.replace("\\", "/")
    p = PurePosixPath(norm)
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in p.parts:
        raise UnsafeFile(f"压缩包成员路径不安全（{name}），已拒绝")
    return p


@dataclass(frozen=True)
class Extracted:
    path: Path  # the extracted file on disk
    display: str  # "batch.zip!dept/a.xlsx"


@dataclass(frozen=True)
class Refused:
    display: str
    reason: str


class _Budget:
    """Bytes one archive given on the command line may extract, its nested archives included."""

    def __init__(self, limit: int) -> None:
        self.left = limit


def member_display_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author saw it. Without the UTF-8 flag (bit 11) zipfile decodes
    names as cp437; Chinese Windows writes GBK there, and some tools UTF-8 without the flag."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gbk"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def overlapping_members(infos: list[zipfile.ZipInfo]) -> str | None:
    """The name of a member whose data overlaps the next one's (the trick of non-recursive zip
    bombs: many entries pointing at one compressed block), from the central directory."""
    spans = sorted(infos, key=lambda i: i.header_offset)
    for info, following in itertools.pairwise(spans):
        # The local header holds at least 30 bytes and the name; the data follows it.
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
        if info.header_offset + 30 + len(name) + info.compress_size > following.header_offset:
            return info.filename
    return None


def extract_archive(archive: Path, dest: Path, display: str | None = None, depth: int = 0,
                    budget: _Budget | None = None) -> Iterator[Extracted | Refused]:
    """Extract the workbooks (and nested .zip, up to MAX_ARCHIVE_DEPTH) of an archive into dest.

    Bytes written for one archive, nested ones included, stay under MAX_ARCHIVE_BYTES; an
    archive whose members overlap is refused whole; one holding no workbook is named as such.
    """
    display = display or str(archive)
    budget = budget or _Budget(MAX_ARCHIVE_BYTES)
    found = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ARCHIVE_FILES:
                raise UnsafeFile(f"压缩包文件过多（{len(infos)} 个）")
            overlap = overlapping_members(infos)
            if overlap is not None:
                raise UnsafeFile(f"压缩包成员相互重叠（{overlap}），疑似压缩炸弹，已拒绝")
            for index, info in enumerate(infos):
                if info.is_dir():
                    continue
                shown = member_display_name(info)
                member = f"{display}!{shown}"
                try:
                    rel = safe_member_name(shown)
                except UnsafeFile as exc:
                    yield Refused(member, exc.reason)
                    found += 1
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    yield Refused(member, "压缩包成员是符号链接，已拒绝")
                    found += 1
                    continue
                suffix = rel.suffix.lower()
                if not wanted_in_batch(shown):
                    continue
                found += 1
                if info.file_size > MAX_FILE_BYTES or info.file_size > budget.left or (
                        info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                    yield Refused(member, "压缩包成员过大或压缩比异常，疑似压缩炸弹")
                    continue
                if suffix == ".zip" and depth + 1 > MAX_ARCHIVE_DEPTH:
                    yield Refused(member, f"压缩包嵌套超过 {MAX_ARCHIVE_DEPTH} 层，已拒绝")
                    continue
                # Flat, numbered names on disk: member paths never reach the filesystem.
                target = dest / f"{depth}_{index}{suffix}"
                try:
                    with zf.open(info) as src, open(target, "wb") as out:
                        _copy_bounded(src, out, min(MAX_FILE_BYTES, budget.left), budget)
                except UnsafeFile as exc:
                    target.unlink(missing_ok=True)
                    yield Refused(member, exc.reason)
                    continue
                except Exception as exc:  # corrupt member
                    target.unlink(missing_ok=True)
                    yield Refused(member, f"压缩包成员已损坏（{type(exc).__name__}）")
                    continue
                if suffix == ".zip":
                    sub = dest / f"{depth}_{index}_d"
                    sub.mkdir()
                    yield from extract_archive(target, sub, member, depth + 1, budget)
                    target.unlink(missing_ok=True)  # its members are out: the nested archive is done
                else:
                    yield Extracted(target, member)
        if not found:
            yield Refused(display, "压缩包中没有 Excel 工作簿（.xlsx、.xlsm、.xls、.ods）或自评报告（.docx、.pdf、.txt）")
    except UnsafeFile as exc:
        yield Refused(display, exc.reason)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Refused(display, f"压缩包已损坏（{type(exc).__name__}）")


def _copy_bounded(src, out, limit: int, budget: _Budget) -> None:
    copied = 0
    while True:
        chunk = src.read(1024 * 1024)
        if not chunk:
            return
        copied += len(chunk)
        if copied > limit:
            raise UnsafeFile("压缩包解压后超过大小上限，疑似压缩炸弹")
        budget.left -= len(chunk)
        out.write(chunk)
