"""The README's examples run, and its function reference matches the registry."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from jixiao.functions import reference_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run():
    failures, tried = doctest.testfile(str(README), module_relative=False, encoding="utf-8")
    assert tried >= 8
    assert failures == 0


def test_readme_function_reference_is_current():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- functions:start -->\n(.*?)\n<!-- functions:end -->", text, re.S)
    assert block, "README lost its function reference markers"
    assert block.group(1).strip() == reference_markdown().strip(), "run: jixiao functions --markdown"
