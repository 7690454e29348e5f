"""Memoised text helpers keep short texts only: a reused batch worker must not carry one hostile
file's huge cells into every later file."""

from __future__ import annotations

import gc
import tracemalloc

from jixiao.core.parsing import memo_short, normalize_text
from jixiao.reader.layout import find_forms


def test_memo_short_caches_short_texts_and_calls_through_for_long_ones() -> None:
    calls: list[str] = []

    @memo_short(maxsize=16, limit=5)
    def shout(text: str, suffix: str = "") -> str:
        calls.append(text)
        return text.upper() + suffix

    assert shout("abc") == shout("abc") == "ABC"
    assert shout("abcdefgh", "!") == shout("abcdefgh", "!") == "ABCDEFGH!"
    assert calls == ["abc", "abcdefgh", "abcdefgh"]  # the long text is never kept
    assert shout.cache_info().currsize == 1
    shout.cache_clear()
    assert shout.cache_info().currsize == 0


def test_huge_cells_are_not_kept_after_reading() -> None:
    """300 distinct 20,000-character cells (titles, labels, bracketed points, numbers with units):
    after the sheet is read, the memory they took is given back."""
    def cell(i: int, kind: str) -> str:
        return f"{i}项目支出绩效自评表（{kind}）" + "指标说明文字" * 3300 + "（18分）"

    rows = [[cell(i, "甲"), cell(i, "乙"), f"{i}" + "9" * 20000 + "万元"] for i in range(100)]
    rows.insert(50, ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"])
    normalize_text("warm")  # the caches and the form specs exist before measuring
    find_forms([["一级指标", "二级指标", "分值", "得分"]], "warm")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        find_forms(rows, "自评表")
        for row in rows:
            for value in row:
                normalize_text(value)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 2_000_000, f"{kept / 1e6:.1f} MB kept after reading"
