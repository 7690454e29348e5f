"""`jixiao recalc` of every template, warm (second call in one process), against the `formulas`
engine on the same file in the same run.

    python benchmarks/bench_recalc.py [--repeat 3]

For each form × mode, the seed-filled template (its inputs as a user types them): the time of
``recalc_file`` as the CLI runs it (the core for our templates), and of a `formulas` model built
and calculated for the same file (what recalc did before). Goal: < 0.3 s warm in every mode.
Also the cold command (a fresh process) against bare ``python -c pass``.
Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ENV, row, timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    n = ap.parse_args().repeat
    os.environ["TQDM_DISABLE"] = "1"
    from jixiao.hosts.formulas_host import recalc_file, recalculate
    from jixiao.reader.uncached import workbook_values
    from jixiao.templates import MODES, write_workbook
    from jixiao.templates.samples import SEEDS

    print(f"recalc, warm, median of {n} (goal < 0.3 s)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.xlsx"
        worst = 0.0
        for form in SEEDS:
            for mode in MODES:
                src = write_workbook(Path(tmp) / f"{form}-{mode}.xlsx", form, mode, SEEDS[form])
                recalc_file(src, out, workbook_values)  # warm: imports and the sheet model
                ours = timed(lambda src=src: recalc_file(src, out, workbook_values), n)
                engine = timed(lambda src=src: recalculate(src), 1)
                worst = max(worst, ours)
                row(f"jixiao recalc {form}-{mode}", ours, engine, "formulas model, same file")
        cli = [sys.executable, "-c", "import sys; from jixiao.cli import main; sys.exit(main())"]
        src = Path(tmp) / "xiangmu-native.xlsx"
        def run(args: list[str]) -> None:
            subprocess.run(args, capture_output=True, env=ENV, check=False)

        run([*cli, "recalc", str(src), "-o", str(out)])  # lets Python cache compiled modules
        cold = timed(lambda: run([*cli, "recalc", str(src), "-o", str(out)]), n)
        bare = timed(lambda: run([sys.executable, "-c", "pass"]), n)
        row("jixiao recalc xiangmu-native, cold process", cold, bare, "python -c pass")
    print(f"slowest warm recalc: {worst:.3f} s ({'met' if worst < 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
