"""The command line imports only what a command uses (start-up time is benchmarks/bench_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from workbook_factory import build

HEAVY = ("pandas", "xlwings", "openpyxl", "formulas", "numpy")


def _loaded_after(code: str) -> set[str]:
    probe = (f"import sys\n{code}\nimport json\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_cli_import_and_help_load_no_heavy_library() -> None:
    assert _loaded_after("import jixiao.cli") == set()
    code = ("from jixiao.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == set()


def test_validating_a_cached_file_loads_no_heavy_library(tmp_path: Path) -> None:
    book = tmp_path / "自评表.xlsx"
    build(book, [("自评表", "xiangmu", {})])
    code = ("from jixiao.cli import main\n"
            f"try:\n    main(['validate', '--format', 'json', {str(book)!r}])\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == set()


def test_each_verb_shows_its_help_without_heavy_libraries() -> None:
    from jixiao.cli import VERBS

    for verb in VERBS:
        code = ("from jixiao.cli import main\n"
                f"try:\n    main([{verb!r}, '--help'])\nexcept SystemExit:\n    pass")
        assert _loaded_after(code) == set(), verb
