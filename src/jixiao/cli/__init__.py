"""The ``jixiao`` command line. One module per verb; each defines a click command ``command``."""

from __future__ import annotations

import importlib
import importlib.util

import click

from .. import __version__

# Verb modules, in the order `jixiao --help` lists them.
VERBS = ("validate", "generate", "templates", "recalc", "functions", "doctor", "addin", "packs", "rules", "forms")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao")
def main() -> None:
    """jixiao（绩效）：预算绩效自评表的计分函数、模板、批量校验与生成工具。"""


for _verb in VERBS:
    _name = f"{__name__}.{_verb}"
    if importlib.util.find_spec(_name) is not None:  # verbs land one by one
        main.add_command(importlib.import_module(_name).command)
