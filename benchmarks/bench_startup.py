"""Start-up time of the command line against bare Python, in the same run.

    python benchmarks/bench_startup.py [--repeat 7]

Times, each as the median of fresh processes: ``python -c pass``, ``python -c "import
python_calamine"`` (the least a validation must load), ``jixiao --help``, and ``jixiao validate``
of one workbook with cached values (``--format json``). Goals: --help < 0.2 s, validate < 0.4 s.
Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ENV, row, timed
from workbook_factory import build

CLI = [sys.executable, "-c", "import sys; from jixiao.cli import main; sys.exit(main())"]


def run(args: list[str]) -> None:
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    n = ap.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "自评表.xlsx"
        build(book, [("自评表", "xiangmu", {})])
        run([*CLI, "validate", "--format", "json", str(book)])  # lets Python cache compiled modules
        bare = timed(lambda: run([sys.executable, "-c", "pass"]), n)
        calamine = timed(lambda: run([sys.executable, "-c", "import python_calamine"]), n)
        help_ = timed(lambda: run([*CLI, "--help"]), n)
        validate = timed(lambda: run([*CLI, "validate", "--format", "json", str(book)]), n)
    print(f"start-up, median of {n} fresh processes (goal: --help < 0.2 s, validate one file < 0.4 s)")
    row("python -c pass", bare, bare, "python -c pass")
    row("jixiao --help", help_, bare, "python -c pass")
    row("jixiao validate (1 cached file, json)", validate, calamine, "python -c 'import python_calamine'")


if __name__ == "__main__":
    main()
