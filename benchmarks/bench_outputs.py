"""Human outputs against machine output: `--format xlsx --out` (annotated copies and the summary)
against `--format json` for the same batch, in the same run.

    python benchmarks/bench_outputs.py [--n 1000] [--jobs 2] [--summary-files 3000] [--rounds 3]

1. validate N files (the bench_validate pool: mixed forms, about a third with errors) and emit
   JSON; 2. the same batch with annotated copies of every invalid file and the summary workbook
   (written once, by the run, as `jixiao validate --format xlsx --out` does).
Then the summary alone for a large report (``--summary-files`` files, two findings each) against
its JSON, and one annotated copy against validating the same file, in this process. Each figure
is the median of ``--rounds`` runs. Goal: xlsx within 2× of json. Not a test: numbers depend on
the machine and its load.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _common import row, timed
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


def copy_vs_validate(pool: list[Path], root: Path, rounds: int) -> tuple[float, float, int]:
    """Median time of one annotated copy and of validating the same file (the pool's invalid files)."""
    from jixiao.validation.annotate import annotate_copy
    from jixiao.validation.engine import validate_file

    invalid = [(p, r.findings) for p in pool if (r := validate_file(p)).status == "invalid"]
    out = root / "copies"

    def copies() -> None:
        shutil.rmtree(out, ignore_errors=True)
        for i, (p, findings) in enumerate(invalid):
            annotate_copy(p, findings, out / f"{i}.xlsx")

    def validations() -> None:
        for p, _ in invalid:
            validate_file(p)

    n = max(len(invalid), 1)
    return timed(copies, rounds) / n, timed(validations, rounds) / n, len(invalid)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--summary-files", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import jixiao

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        root = Path(tmp)
        pool = make_pool(root, 40)
        (root / "in").mkdir()
        files = fill(root / "in", pool, args.n)
        jixiao.validate(pool[:4], out_dir=root / "warm")  # warm the imports outside the timings
        out = root / "out"
        reports = []

        def as_json() -> None:
            jixiao.validate(root / "in", jobs=args.jobs).to_json()

        def as_xlsx() -> None:
            reports.append(jixiao.validate(root / "in", jobs=args.jobs, out_dir=out))

        json_time = timed(as_json, args.rounds)
        xlsx_time = timed(as_xlsx, args.rounds)
        report = reports[-1]
        assert report.summary_path and report.summary_path.exists()
        invalid = report.summary()["invalid"]
        copies = len(list((out / "annotated").glob("*.xlsx")))

        big = big_report(args.summary_files)
        big_json = timed(big.to_json, args.rounds)
        big_xlsx = timed(lambda: big.write_xlsx(root / "big.xlsx"), args.rounds)
        copy, check, n_invalid = copy_vs_validate(pool, root, args.rounds)

    print(f"{len(files)} files, {invalid} invalid → {copies} annotated copies; jobs {args.jobs}; "
          f"median of {args.rounds}  (goal: ≤ 2×)")
    row("validate + annotated copies + summary", xlsx_time, json_time, "validate + JSON")
    findings = sum(len(f.findings) for f in big.files)
    row(f"summary of {len(big.files)} files/{findings} findings", big_xlsx, big_json, "JSON of the same report")
    row(f"one annotated copy ({n_invalid} files)", copy * 1000, check * 1000, "validate_file, same files", "ms")


if __name__ == "__main__":
    main()
