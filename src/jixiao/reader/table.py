"""The body of an indicator table, read from the sheet's own structure.

Departments type the same form in many ways; each reads the same here:

- group labels (一级/二级指标) merged over their rows, typed once with blanks below, or
  repeated on every row: a label equal to the one above continues its group;
- 小计/合计/总计 rows anywhere in the body are subtotals of the rows they close (checked,
  never scored); a 合计 row with no indicator below it ends the table (it is the total);
- a merged cell gives its value to every row it covers (a 偏差原因 merged over two rows
  explains both), except 分值/得分, whose merged value is one number, not one per row: the
  rows it covers are one scoring unit (:func:`join_units`), the number counted once;
- a row marked 不适用 (or filled with "/", "—", "无" where numbers belong) is not applicable:
  kept in the form, flagged, and left out of scoring and missing-value checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..core.parsing import memo_short, normalize_text
from ..errors import ERROR_VALUES
from .model import INDICATOR_KEYS, Cell, Form, Group, Indicator, Subtotal
from .sheetmeta import Merge

Grid = list[list[Any]]

_POINTS_IN_LABEL = re.compile(r"\((\d+(?:\.\d+)?)分\)")
_VALUE_KEYS = ("target", "actual", "points", "score")
_SUBTOTAL_RE = re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．]?)?.{0,14}?(小计|合计|总计|小計|合計|總計)(?:[(:：].*)?$")
# Said of a whole row: the indicator does not apply this year.
NOT_APPLICABLE_WORDS = frozenset(("不适用", "不涉及", "无此项", "本年不涉及", "本年度不涉及", "未涉及", "n/a", "na"))
# Typed where a value belongs when there is none (is_blank already takes "/", "—", "-").
_PLACEHOLDER_WORDS = frozenset(("无", "无此项"))


@memo_short(maxsize=4096)  # asked of every group label on every row where it changes
def declared_points(text: str) -> float | None:
    """The points a group label declares: "项目决策（18分）" → 18."""
    m = _POINTS_IN_LABEL.search(normalize_text(text))
    return float(m.group(1)) if m else None


def subtotal_word(value: Any) -> str | None:
    """"小计" / "合计" / "总计" when a label cell names a subtotal row ("产出指标小计", "合计（90分）")."""
    if not isinstance(value, str) or len(value) > 30 or ("计" not in value and "計" not in value):
        return None
    m = _SUBTOTAL_RE.match(normalize_text(value))
    return m.group(1).replace("計", "计").replace("總", "总") if m else None


def fill_merged(rows: Grid, merges: list[Merge], first: int, end: int, keep: set[int]) -> None:
    """Give each vertically merged range's value to the rows below its first (body rows only;
    columns in ``keep`` are left as they are)."""
    for r1, c1, r2, _ in merges:
        if r2 <= r1 or not first <= r1 < end or c1 in keep or r1 >= len(rows):
            continue
        top = rows[r1][c1] if c1 < len(rows[r1]) else None
        if top is None or top == "":
            continue
        for r in range(r1 + 1, min(r2, end - 1, len(rows) - 1) + 1):
            row = rows[r]
            if c1 < len(row) and (row[c1] is None or row[c1] == ""):
                row[c1] = top


def join_units(form: Form, merges: list[Merge], first: int, end: int) -> None:
    """Rows sharing one vertically merged 分值 or 得分 cell become one scoring unit: the first
    row keeps the number and lists the others (``unit``); each other row names the keys it
    shares (``covered``), so no check reads their blank cell as missing or counts the number twice."""
    by_row = {i.row: i for i in form.indicators if not i.deduction}
    for key in ("points", "score"):
        col = form.columns.get(key)
        for r1, c1, r2, c2 in merges:
            top = by_row.get(r1)
            if col is None or not c1 <= col <= c2 or r2 <= r1 or top is None or not first <= r1 < end:
                continue
            for r in range(r1 + 1, min(r2, end - 1) + 1):
                ind = by_row.get(r)
                if ind is None:
                    continue
                ind.covered = ind.covered | {key}
                if ind not in top.unit:
                    top.unit.append(ind)
                ind.not_applicable = False  # its blank 得分 is the merged one, not a "no value"


def _typed(c: Cell | None) -> bool:
    return c is not None and c.value is not None and c.value != ""


def _no_value(c: Cell) -> bool:
    return c.blank or (isinstance(c.value, str) and normalize_text(c.value).lower() in _PLACEHOLDER_WORDS)


def not_applicable(values: dict[str, Cell]) -> bool:
    """A row that says it does not apply: 不适用 anywhere in its cells, or "/", "—", "无" typed
    where its target, actual value and score belong. Without a 得分 column (附表2) "无 / 无" may be
    an indicator met ("重大事故：无"), so there the 分值 must be left out too."""
    score = values.get("score") or values.get("actual")
    if score is not None and not _no_value(score):
        return False  # scored: it applies, whatever its remark says
    texts = [normalize_text(c.value).lower() for c in values.values() if isinstance(c.value, str)]
    if any(t in NOT_APPLICABLE_WORDS for t in texts):
        return True
    cells = [values[k] for k in ("target", "actual", "score") if k in values]
    if not (cells and all(_no_value(c) for c in cells) and any(_typed(c) for c in cells)):
        return False
    return "score" in values or "points" not in values or _no_value(values["points"])


def _header_values(values: dict[str, Cell]) -> bool:
    """Points typed, and no target, actual value or 指标解释: what a group's own row holds."""
    points = values.get("points")
    return points is not None and not points.blank and all(
        values[k].blank for k in ("target", "actual", "explanation") if k in values)


def _group_points_below(rows: Grid, r: int, end: int, n1: int | None, n2: int | None, pc: int, level: int,
                        ends_table: Callable[[list[Any]], bool]) -> float | None:
    """The sum of the 分值 typed in the rows below r until the group ends (the next 一级 label, or
    二级 label for a level-2 group, a subtotal or the table's end); None when one is unreadable."""
    total = 0.0
    for rr in range(r, end):
        row = rows[rr]
        width = len(row)
        if ends_table(row) or any(subtotal_word(row[c]) for c in (n1, n2) if c is not None and c < width):
            break
        if any(c is not None and c < width and row[c] not in (None, "") for c in ((n1, n2) if level == 2 else (n1,))):
            break
        if pc < width and row[pc] not in (None, ""):
            q = Cell("", rr, pc, row[pc]).try_quantity()
            if q is None:
                return None
            total += q.value
    return total


def _indicator_follows(rows: Grid, r: int, end: int, label_cols: list[int], name_cols: list[int],
                       input_cols: list[int], ends_table: Callable[[list[Any]], bool]) -> bool:
    """Is the next filled row below r an indicator row — a name (二级/三级 column) and a typed
    分值, 指标值 or 实际值 — so that a 合计 at r is a subtotal, not the table's total?"""
    for rr in range(r, end):
        row = rows[rr]
        if not any(c < len(row) and row[c] not in (None, "") for c in label_cols + input_cols):
            continue
        if ends_table(row) or any(subtotal_word(row[c]) for c in label_cols if c < len(row)):
            return False
        return any(c < len(row) and row[c] not in (None, "") for c in name_cols) and any(
            c < len(row) and row[c] not in (None, "") for c in input_cols)
    return False


def _named_row_below(rows: Grid, r: int, end: int, n2: int | None, n3: int | None, watched: list[int],
                     level: int, ends_table: Callable[[list[Any]], bool]) -> bool:
    """Is the next row holding a 三级 name or a value one of this group's indicators? (Then the row
    above it, a label with points and no name, is the group's header row.) A level-2 header's
    group ends at the next 二级 label."""
    for rr in range(r, end):
        row = rows[rr]
        width = len(row)
        if ends_table(row):
            return False
        if level == 2 and n2 is not None and n2 < width and row[n2] not in (None, ""):
            return False
        if n3 is not None and n3 < width and row[n3] not in (None, ""):
            return True
        if any(c < width and row[c] not in (None, "") for c in watched):
            return False  # a row with values but no 三级 name: an indicator of its own
    return False


def read_body(rows: Grid, sheet: str, form: Form, data_start: int, end: int, merges: list[Merge],
              ends_table: Callable[[list[Any]], bool]) -> int:
    """Read the indicator rows of ``form`` from data_start; return the row where the body ended."""
    cols = form.columns
    level1 = level2 = level1_norm = ""
    g1: Group | None = None
    g2: Group | None = None
    deduction = False
    # the usual value columns, then any other column a form's spec adds (绩效标准, 完成质量 …)
    value_columns = [(k, cols[k]) for k in INDICATOR_KEYS if k in cols] + [
        (k, c) for k, c in cols.items() if k not in INDICATOR_KEYS and k not in ("level1", "level2", "level3")]
    scored_keys = [k for k in _VALUE_KEYS if k in cols]
    n1, n2, n3 = (cols.get(k) for k in ("level1", "level2", "level3"))
    label_cols = sorted({c for c in (n1, n2, n3) if c is not None}
                        | set(range(min(c for _, c in value_columns) if value_columns else 0)))
    name_cols = [c for c in (n2, n3) if c is not None]
    input_cols = [cols[k] for k in ("points", "target", "actual") if k in cols]
    fill_merged(rows, merges, data_start, end, {cols[k] for k in ("points", "score") if k in cols})
    since = 0  # first indicator a subtotal row covers (after the previous subtotal)
    header: tuple[list[Indicator], int] | None = None  # the indicators a group header row sums, its level
    watched = [cols[k] for k in _VALUE_KEYS if k in cols]
    r = data_start
    while r < end:
        row = rows[r]
        width = len(row)
        word, label_col = None, 0
        for c in label_cols:
            if c < width and (v := row[c]) and (word := subtotal_word(v)):  # most label cells are empty
                label_col = c
                break
        if word and (word == "小计" or _indicator_follows(
                rows, r + 1, end, label_cols, name_cols, input_cols, ends_table)):
            group = [i for i in form.indicators if i.level1 == level1 and not i.deduction]
            spans = [form.indicators[since:]] + ([group] if group != form.indicators[since:] else [])
            form.subtotals.append(Subtotal(
                Cell(sheet, r, label_col, row[label_col]),
                {k: Cell(sheet, r, c, row[c] if c < width else None) for k, c in value_columns},
                [s for s in spans if s]))
            since, header = len(form.indicators), None
            r += 1
            continue
        if ends_table(row):
            break
        c1 = None if n1 is None else Cell(sheet, r, n1, row[n1] if n1 < width else None)
        c2 = None if n2 is None else Cell(sheet, r, n2, row[n2] if n2 < width else None)
        c3 = None if n3 is None else Cell(sheet, r, n3, row[n3] if n3 < width else None)
        if c1 is not None and not c1.blank and normalize_text(c1.text) != level1_norm:
            level1, level2, g2, header = c1.text, "", None, None
            level1_norm = normalize_text(level1)
            deduction = "扣分" in normalize_text(c1.value)
            pts = declared_points(c1.text)
            g1 = Group(c1, 1, pts) if pts is not None and not deduction else None
            if g1 is not None:
                form.groups.append(g1)
        name: Cell | None = c3 if c3 is not None and not c3.blank else None
        if c2 is not None and not c2.blank and not (level2 and normalize_text(c2.text) == normalize_text(level2)):
            if header is not None and header[1] == 2:
                header = None
            pts = declared_points(c2.text)
            if pts is not None:
                level2 = c2.text
                g2 = Group(c2, 2, pts)
                if g1 is not None:
                    g1.subgroups.append(g2)
                else:
                    form.groups.append(g2)
            elif name is None and (g1 is not None or deduction) and g2 is None:
                name = c2  # 附表1 个性指标 / 扣分项: the name spans 二级+三级
                level2 = ""
            else:
                level2, g2 = c2.text, None
        values = {k: Cell(sheet, r, c, row[c] if c < width else None) for k, c in value_columns}
        if (name is None or name is c2) and not deduction and _header_values(values):
            level = 2 if c2 is not None and not c2.blank else 1
            points = values["points"].try_quantity()
            if _named_row_below(rows, r + 1, end, n2, n3, watched, level, ends_table) and (
                    # A points sheet (附表1) has no target/actual to tell a group's row from an
                    # indicator's: there the row must also carry the sum of the rows below it.
                    "target" in values or "actual" in values or (points is not None and abs(
                        (_group_points_below(rows, r + 1, end, n1, n2, cols["points"], level, ends_table) or 0)
                        - points.value) < 1e-6)):
                # "产出指标 | | | 50 | 48": the group's own row, summing the indicators below it.
                label = c2 if level == 2 else c1
                if level == 2 and name is c2:
                    level2 = c2.text
                header = ([], level)
                assert label is not None
                form.subtotals.append(Subtotal(label, values, [header[0]]))
                r += 1
                continue
        # A row with no name and nothing typed is a placeholder (数量指标 with no indicator), even
        # when a formula there shows an error value (it had nothing to compute from).
        if name is None and all(values[k].blank or values[k].value in ERROR_VALUES for k in scored_keys):
            r += 1
            continue
        ind = Indicator(r, level1, level2, name, values, deduction=deduction)
        ind.not_applicable = not deduction and not_applicable(values)
        form.indicators.append(ind)
        if header is not None and not deduction:
            header[0].append(ind)
        parent = g2 or g1
        if parent is not None and not deduction:
            parent.children.append(ind)
        r += 1
    join_units(form, merges, data_start, r)
    return r
