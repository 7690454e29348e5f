"""`jixiao generate` against a bare openpyxl write of the same cells, in the same run.

    python benchmarks/bench_generate.py [--n 500] [--mode native]

Builds a CSV of N projects from the bundled export (examples/export/项目绩效指标清单.csv, each
project renamed and its numbers varied, so projects share layouts as a finance office's list does),
then times on one core: 1. ``generate`` (load, check, write every workbook with its styles and
cached values); 2. a bare openpyxl write of the same cells (values and formula texts, no styles,
no cached values) — the least any openpyxl-based writer could cost. Goal: ≥ 100 workbooks/s.
Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from _common import ROOT, row

EXPORT = ROOT / "examples" / "export" / "项目绩效指标清单.csv"


def make_csv(path: Path, n: int) -> None:
    rows = list(csv.DictReader(EXPORT.open(encoding="utf-8-sig")))
    names = sorted({r["项目名称"] for r in rows})
    rng = random.Random(5)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        for i in range(n):
            base = names[i % len(names)]
            factor = rng.uniform(0.8, 1.0)
            for r in rows:
                if r["项目名称"] == base:
                    r = dict(r, 项目名称=f"{base}{i:05d}")
                    r["全年执行数"] = f"{float(r['全年预算数']) * factor:.2f}"
                    out.writerow(r)


def bare_write(sheets: list, out: Path) -> None:
    from openpyxl import Workbook

    for i, (sh, mode, pack) in enumerate(sheets):
        wb = Workbook()
        ws = wb.active
        for (r, c), cell in sh.cells.items():
            if cell.expr is not None:
                ws.cell(row=r, column=c, value="=" + cell.expr.text(mode, pack))
            elif cell.value is not None:
                ws.cell(row=r, column=c, value=cell.value)
        wb.save(out / f"bare{i:05d}.xlsx")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--mode", default="native")
    ap.add_argument("--form", default="xiangmu")
    args = ap.parse_args()
    from jixiao.generate import load_projects, template_data, write_projects
    from jixiao.templates import sheet_model

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        root = Path(tmp)
        data = root / "projects.csv"
        make_csv(data, args.n)
        write_projects(load_projects(EXPORT, args.form), args.form, args.mode, root / "warm")  # imports

        t0 = time.perf_counter()
        projects = load_projects(data, args.form)
        paths = write_projects(projects, args.form, args.mode, root / "out")
        ours = time.perf_counter() - t0

        sheets = []
        for p in projects:
            sh, pack = sheet_model(args.form, template_data(p, args.form))
            sheets.append((sh, args.mode, pack))
        (root / "bare").mkdir()
        t0 = time.perf_counter()
        bare_write(sheets, root / "bare")
        bare = time.perf_counter() - t0

    print(f"{len(paths)} workbooks ({args.form}, {args.mode}) from a CSV, one core; goal ≥ 100 workbooks/s")
    row("jixiao generate (styles + cached values)", ours, bare, "bare openpyxl write, same cells")
    print(f"jixiao generate: {len(paths) / ours:.0f} workbooks/s; bare openpyxl: {len(paths) / bare:.0f}/s")


if __name__ == "__main__":
    main()
