"""Benchmark `jixiao validate` against a bare python-calamine read of the same files.

    python benchmarks/bench_validate.py --n 10000 --jobs 2

Builds a pool of distinct filled workbooks (mixed forms and layouts, some with errors) with the
test factory, copies it up to N files, then times, in one run:
  1. a bare read: every sheet of every file through python-calamine (same process pool);
  2. full validation (`jixiao.validate`, same pool size).
Prints the figures, the ratio and the peak RSS of the parent and of the worker processes.
``--office`` first re-saves the pool with LibreOffice, so the files look like those an office suite
writes (full styles, shared strings, cached values), as most real submissions do.
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from workbook_factory import (  # noqa: E402
    FUBIAO1_SEED,
    XIANGMU_SEED,
    Layout,
    build,
    replace_row,
)


def template_pool(directory: Path, size: int, rng: random.Random) -> list[Path]:
    """Filled workbooks from jixiao's own templates (styles, validations, cached formulas)."""
    try:
        from jixiao.templates import write_workbook
        from jixiao.templates.samples import SEEDS, random_data
    except ImportError:
        return []
    out = []
    for i in range(size):
        form = ("fubiao1", "fubiao2", "xiangmu")[i % 3]
        mode = ("native", "udf", "lambda")[i // 3 % 3]
        data = SEEDS[form] if i < 9 else random_data(form, rng)
        out.append(write_workbook(directory / f"tpl_{i:03d}.xlsx", form, mode, data))
    return out


def make_pool(directory: Path, size: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    pool = template_pool(directory, size // 4, rng)
    for i in range(size - len(pool)):
        lay = Layout(top=rng.randint(0, 4), left=rng.randint(0, 2), merge=rng.random() < 0.7)
        kind = i % 4
        broken = rng.random() < 0.3
        if kind == 0:
            rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24) if broken else None
            sheets = [("自评表", "xiangmu", {"layout": lay, "rows": rows})]
        elif kind == 1:
            rows = replace_row(FUBIAO1_SEED, "符合性", score=11) if broken else None
            sheets = [("附表1", "fubiao1", {"layout": lay, "rows": rows})]
        elif kind == 2:
            sheets = [("附表2", "fubiao2", {"layout": lay, "weights": rng.choice(["text", "fraction", "points"])})]
        else:
            sheets = [("附表1", "fubiao1", {"layout": lay}), ("附表2", "fubiao2", {"layout": lay}),
                      ("自评表", "xiangmu", {"layout": lay, "total": 98 if broken else 99.87})]
        p = directory / f"pool_{i:03d}.xlsx"
        build(p, sheets, instructions_first=rng.random() < 0.3)
        pool.append(p)
    return pool


def office_saved(pool: list[Path], directory: Path) -> list[Path]:
    """The pool loaded and saved again by LibreOffice (one soffice run, cached values kept)."""
    from jixiao.libreoffice import resave_xlsx

    return resave_xlsx(pool, directory)


def fill(directory: Path, pool: list[Path], n: int) -> list[Path]:
    files = []
    for i in range(n):
        sub = directory / f"d{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        p = sub / f"单位{i:05d}.xlsx"
        shutil.copyfile(pool[i % len(pool)], p)
        files.append(p)
    return files


def bare_read(paths: list[str]) -> int:
    import python_calamine as pc

    cells = 0
    for p in paths:
        with pc.CalamineWorkbook.from_path(p) as wb:
            for name in wb.sheet_names:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                cells += sum(len(r) for r in rows)
    return cells


def run_bare(files: list[Path], jobs: int, chunk: int = 32) -> float:
    paths = [str(p) for p in files]
    chunks = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
    t0 = time.perf_counter()
    if jobs <= 1:
        for c in chunks:
            bare_read(c)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(bare_read, chunks))
    return time.perf_counter() - t0


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pool", type=int, default=40, help="distinct workbooks to build")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--office", action="store_true", help="re-save the pool with LibreOffice first")
    ap.add_argument("--in-process", action="store_true",
                    help="also time validate_file in a plain loop in this process (no batch, no workers)")
    args = ap.parse_args()

    import jixiao

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-", dir=args.dir) as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        pool = make_pool(root, args.pool)
        if args.office:
            pool = office_saved(pool, root / "office")
        files = fill(root / "in", pool, args.n) if (root / "in").mkdir() is None else []
        print(f"built {len(pool)} distinct workbooks{' (saved by LibreOffice)' if args.office else ''}, "
              f"{len(files)} files in {time.perf_counter() - t0:.1f} s "
              f"({sum(p.stat().st_size for p in pool) / len(pool) / 1024:.1f} KB each)")
        print(f"cores: {os.cpu_count()}, jobs: {args.jobs}")

        bare = run_bare(files, args.jobs)
        print(f"bare calamine read : {bare:7.2f} s  ({len(files) / bare:7.0f} files/s)")
        t0 = time.perf_counter()
        report = jixiao.validate(root / "in", jobs=args.jobs)
        full = time.perf_counter() - t0
        s = report.summary()
        print(f"jixiao validate    : {full:7.2f} s  ({len(files) / full:7.0f} files/s)")
        print(f"ratio validate/bare: {full / bare:.2f}x   (target ≤ 3x)")
        print(f"files ok/invalid/unreadable: {s['ok']}/{s['invalid']}/{s['unreadable']}; "
              f"errors {s['errors']}; forms {s['forms']}")
        if args.in_process:
            from jixiao.validation import validate_file

            paths = [str(f) for f in files]
            t0 = time.perf_counter()
            bare_read(paths)
            bare_one = time.perf_counter() - t0
            t0 = time.perf_counter()
            for f in paths:
                validate_file(f)
            one = time.perf_counter() - t0
            print(f"in one process: bare {bare_one / len(paths) * 1000:.3f} ms/file, validate_file "
                  f"{one / len(paths) * 1000:.3f} ms/file, ratio {one / bare_one:.2f}x")
        workers = "n/a (LibreOffice ran as a child)" if args.office else f"{rss_mb(resource.RUSAGE_CHILDREN):.0f} MB"
        print(f"peak RSS parent: {rss_mb(resource.RUSAGE_SELF):.0f} MB, largest worker: {workers}")
        if args.n >= 10000:
            print(f"10,000-file target < 60 s: {'met' if full * 10000 / args.n < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
