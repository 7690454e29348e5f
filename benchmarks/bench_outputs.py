"""Human outputs against machine output: `--format xlsx --out` (annotated copies and the summary)
against `--format json` for the same batch, in the same run.

    python benchmarks/bench_outputs.py [--n 1000] [--jobs 2] [--summary-files 3000]

1. validate N files (the bench_validate pool: mixed forms, about a third with errors) and emit
   JSON; 2. the same batch with annotated copies of every invalid file and the summary workbook.
Then the summary alone for a large report (``--summary-files`` files, two findings each) against
its JSON. Goal: xlsx within 2× of json. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import row
from bench_validate import fill, make_pool


def big_report(n_files: int):
    from jixiao.validation import Report
    from jixiao.validation.engine import FileResult
    from jixiao.validation.rules import rule

    report = Report()
    for i in range(n_files):
        res = FileResult(f"单位{i:05d}/自评表.xlsx", "invalid",
                         forms=[{"form": "xiangmu", "sheet": "自评表", "total": 98.5, "grade": "优"}])
        for ref in ("I16", "G6"):
            res.findings.append(rule("missing-value").finding(sheet="自评表", address=ref, where="", field="实际完成值"))
        res.annotated = f"annotated/{i:05d}-自评表.xlsx"
        report.files.append(res)
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--summary-files", type=int, default=3000)
    args = ap.parse_args()

    import jixiao

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        root = Path(tmp)
        pool = make_pool(root, 40)
        (root / "in").mkdir()
        files = fill(root / "in", pool, args.n)
        jixiao.validate(pool[:4])  # warm the imports outside the timings

        t0 = time.perf_counter()
        report = jixiao.validate(root / "in", jobs=args.jobs)
        report.to_json()
        json_time = time.perf_counter() - t0
        invalid = report.summary()["invalid"]

        out = root / "out"
        t0 = time.perf_counter()
        report = jixiao.validate(root / "in", jobs=args.jobs, out_dir=out)
        report.write_xlsx(out / "校验汇总.xlsx")
        xlsx_time = time.perf_counter() - t0
        copies = len(list((out / "annotated").glob("*.xlsx")))
        shutil.rmtree(out)

        big = big_report(args.summary_files)
        t0 = time.perf_counter()
        big.to_json()
        big_json = time.perf_counter() - t0
        t0 = time.perf_counter()
        big.write_xlsx(root / "big.xlsx")
        big_xlsx = time.perf_counter() - t0

    print(f"{len(files)} files, {invalid} invalid → {copies} annotated copies; jobs {args.jobs}  (goal: ≤ 2×)")
    row("validate + annotated copies + summary", xlsx_time, json_time, "validate + JSON")
    findings = sum(len(f.findings) for f in big.files)
    row(f"summary of {len(big.files)} files/{findings} findings", big_xlsx, big_json, "JSON of the same report")


if __name__ == "__main__":
    main()
