"""Where `validate_file`'s time goes, stage by stage, beside a bare python-calamine read of the same files.

    python benchmarks/bench_stages.py [--rounds 3] [--copies 20]

Builds bench_validate's pool of distinct workbooks (a quarter of them jixiao's own templates) and
times, in one process, per file: a bare calamine read (every sheet to Python lists: the baseline);
the safety scan with the sheet metadata it hands over (``security.sniff_workbook``, hidden rows and
number formats as ``read_workbook`` asks for them); calamine loading the checked bytes
(``load_grids``); ``read_workbook`` (those two plus locating and reading the forms); and
``validate_file``. Figures are CPU time of this process (the machine is shared: wall time moves
with other people's jobs), the best of ``--rounds``, for the whole pool and for the templates alone.
Compare two checkouts in one sitting with ``PYTHONPATH=<checkout>/src``.
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import bare_read, make_pool  # noqa: E402


def stages() -> dict[str, Callable[[str, bytes], object]]:
    from jixiao import security
    from jixiao.reader.grids import _template_of, load_grids
    from jixiao.reader.layout import read_workbook
    from jixiao.reader.sheetmeta import xlsx_sheet_meta, xlsx_styles
    from jixiao.validation import validate_file

    def scan(path: str, _: bytes) -> object:
        def on_sheet(part: str, xml: bytes, kept: dict[str, bytes]) -> None:
            xlsx_sheet_meta(xml, xlsx_styles(kept.get("xl/styles.xml")))

        return security.sniff_workbook(path, formula_refs_wanted=lambda parts: _template_of(parts) is not None,
                                       on_sheet=on_sheet)

    return {
        "bare calamine read (baseline)": lambda path, _: bare_read([path]),
        "safety scan + sheet metadata": scan,
        "calamine grids from the bytes": lambda _, data: load_grids(data, {}, {}),
        "read_workbook": lambda path, _: read_workbook(path),
        "validate_file": lambda path, _: validate_file(path),
    }


def measure(paths: list[str], rounds: int) -> dict[str, float]:
    """Best CPU time per file (µs) of each stage, the stages interleaved round by round."""
    datas = [Path(p).read_bytes() for p in paths]
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, fn in stages().items():
            gc.collect()
            t0 = time.process_time()
            for path, data in zip(paths, datas, strict=True):
                fn(path, data)
            best[name] = min(best.get(name, float("inf")), (time.process_time() - t0) / len(paths) * 1e6)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=40, help="distinct workbooks to build")
    ap.add_argument("--copies", type=int, default=20, help="times each workbook is read per round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import jixiao
    from jixiao.validation import validate_file

    with tempfile.TemporaryDirectory(prefix="jixiao-stages-") as tmp:
        pool = [str(p) for p in make_pool(Path(tmp), args.pool)]
        for p in pool:
            validate_file(p)  # warm: imports, label caches
        print(f"jixiao from {Path(jixiao.__file__).parent}; {len(pool)} distinct workbooks, "
              f"{args.copies} reads each per round, best of {args.rounds} rounds, CPU µs per file")
        groups = {"whole pool": pool, "templates only": [p for p in pool if Path(p).name.startswith("tpl_")]}
        for label, files in groups.items():
            if not files:
                continue
            paths = files * args.copies
            random.Random(1).shuffle(paths)
            best = measure(paths, args.rounds)
            bare = best["bare calamine read (baseline)"]
            print(f"-- {label} ({len(files)} workbooks)")
            for name, us in best.items():
                print(f"   {name:<32} {us:8.0f} µs   {us / bare:5.2f}× bare")


if __name__ == "__main__":
    main()
