"""Benchmark report validation against a bare python-docx load of the same files.

    python benchmarks/bench_reports.py --n 100 --jobs 1

Copies the five seed reports of examples/reports/ (built by examples/build_reports.py) up to N
files, then times, in one run:
  1. a bare load: ``docx.Document(path)`` of every file (nothing read out of it);
  2. full validation (`jixiao.validate` on the folder: safety checks, paragraphs and tables read,
     forms found and checked, claims extracted and checked, reports paired with workbooks).
Prints both figures and their ratio. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    seeds = sorted((ROOT / "examples" / "reports").glob("*.docx"))
    if not seeds:
        sys.exit("examples/reports/ is empty: run python examples/build_reports.py first")

    import docx

    from jixiao.validation.batch import validate_paths

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        files = []
        for i in range(args.n):
            src = seeds[i % len(seeds)]
            dest = folder / f"{i:04d}-{src.name}"
            shutil.copyfile(src, dest)
            files.append(dest)

        t0 = time.perf_counter()
        for f in files:
            docx.Document(str(f))
        bare = time.perf_counter() - t0

        t0 = time.perf_counter()
        report = validate_paths([folder], jobs=args.jobs)
        full = time.perf_counter() - t0

    findings = sum(len(f.findings) for f in report.files)
    print(f"{args.n} reports ({sum(f.stat().st_size for f in seeds) // len(seeds) // 1024} KB each on average), "
          f"jobs={args.jobs}")
    print(f"  bare python-docx load : {bare:6.2f} s  ({bare / args.n * 1000:.1f} ms/file)")
    print(f"  jixiao validate       : {full:6.2f} s  ({full / args.n * 1000:.1f} ms/file), {findings} findings")
    print(f"  ratio                 : {full / bare:.2f}x")


if __name__ == "__main__":
    main()
