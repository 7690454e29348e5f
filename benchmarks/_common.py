"""Helpers shared by the benchmarks: timing, the median of repeats, a figure beside its baseline."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # workbook_factory
# Fresh processes as users run them: Python may cache compiled modules (some CI shells forbid it,
# which adds the compile of every module to each start).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def row(what: str, figure: float, baseline: float, baseline_name: str, unit: str = "s") -> str:
    ratio = figure / baseline if baseline else float("inf")
    line = f"{what:<44} {figure:8.3f} {unit}   {baseline_name:<34} {baseline:8.3f} {unit}   {ratio:6.2f}×"
    print(line, flush=True)
    return line
