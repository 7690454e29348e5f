"""Workbooks without cached values against the same workbooks with them, in the same run.

    python benchmarks/bench_uncached.py [--n 1000] [--jobs 2] [--pool 36]

Builds a pool of filled templates (three forms × three formula modes, random fills, some with
errors), makes a copy of each whose formula cells carry no cached value (as openpyxl or a
reporting system writes them), copies both pools up to N files and validates each batch with
``--jobs``. Prints both times and whether the findings are the same file for file.
Goal: 1,000 uncached workbooks in < 10 s with --jobs 2. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from _common import row
from bench_validate import fill
from workbook_factory import strip_cached_values


def pools(root: Path, size: int) -> tuple[list[Path], list[Path]]:
    from jixiao.templates import write_workbook
    from jixiao.templates.samples import SEEDS, random_data

    rng = random.Random(17)
    cached, bare = [], []
    (root / "pc").mkdir()
    (root / "pu").mkdir()
    for i in range(size):
        form = ("fubiao1", "fubiao2", "xiangmu")[i % 3]
        mode = ("native", "udf", "lambda")[i // 3 % 3]
        data = SEEDS[form] if i < 9 else random_data(form, rng)
        p = write_workbook(root / "pc" / f"t{i:03d}.xlsx", form, mode, data)
        cached.append(p)
        bare.append(strip_cached_values(p, root / "pu" / p.name))
    return cached, bare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pool", type=int, default=36)
    args = ap.parse_args()

    import jixiao

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        root = Path(tmp)
        cached, bare = pools(root, args.pool)
        for name, pool in (("cached", cached), ("bare", bare)):
            (root / name).mkdir()
            fill(root / name, pool, args.n)
        jixiao.validate(cached[:3])  # imports outside the timings

        t0 = time.perf_counter()
        with_cache = jixiao.validate(root / "cached", jobs=args.jobs)
        t_cached = time.perf_counter() - t0
        t0 = time.perf_counter()
        without = jixiao.validate(root / "bare", jobs=args.jobs)
        t_bare = time.perf_counter() - t0

    def key(report):
        return [[(x.code, x.sheet, x.cell, x.message) for x in f.findings] for f in report.files]

    same = key(with_cache) == key(without)
    findings = sum(len(f.findings) for f in without.files)
    print(f"{args.n} workbooks ({args.pool} distinct templates filled at random), jobs {args.jobs}; "
          f"goal: uncached < 10 s")
    row("validate, formulas without cached values", t_bare, t_cached, "same files with cached values")
    print(f"same findings file for file: {'yes' if same else 'NO'} ({findings} findings)")


if __name__ == "__main__":
    main()
