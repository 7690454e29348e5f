"""The three forms laid out as :class:`~jixiao.templates.model.Sheet` models, from their specs.

Each ``layout_<form>(spec, data, pack)`` places labels, input cells and formula cells; the
column keys, labels and the standard indicator tree come from ``jixiao/forms/<form>.yaml``.
"""

from __future__ import annotations

import math
from typing import Any

from ..core.parsing import infer_nature, parse_nature, parse_quantity
from ..errors import JXError
from ..forms import load_form
from ..forms.spec import FormSpec
from ..rulepacks import load_pack
from .model import (
    JX,
    CondFormat,
    Formula,
    Guard,
    Lit,
    Name,
    Ref,
    Rng,
    Scaled,
    Sheet,
    Status,
    Validation,
    addr,
    cells_of,
    count_missing,
    count_required,
    sum_of,
)

NATURE_LIST = '"≥,＝,≤,定性"'
TIER_LIST = '"达成,部分达成,未达成"'
BOX_OFF, BOX_ON = "□", "☑"


# ---------------------------------------------------------------- typed values
def typed(value: Any) -> tuple[Any, str | None]:
    """A data value as a typed cell: ("87.65万元" → 87.65 shown as 0.00"万元"; "5%" → 0.05 as 0%).

    Native formulas need numbers; the number format keeps what the user typed visible.
    Text that holds no single number (逐步提高) stays text.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value, None
    if isinstance(value, (int, float)):
        return value, None
    try:
        q = parse_quantity(value)
    except JXError:
        return value.strip(), None
    if q.percent:
        pct = q.value * (1000 if q.unit == "‰" else 100)
        return q.value, "0%" if float(pct).is_integer() else "0.00%"
    decimals = "0" if float(q.value).is_integer() else "0.00"
    return q.value, f'{decimals}"{q.unit}"' if q.unit else None


def nature_of(row: dict[str, Any]) -> str | None:
    """指标性质 as a symbol: given, else read from the target's text ("不超过…" → ≤)."""
    given = parse_nature(row.get("nature"))
    if given is not None:
        return given.value
    if row.get("target") in (None, ""):
        return None
    return infer_nature(row.get("target")).value


def _text_rows(text: str, width: float) -> int:
    from .render import text_width

    lines = str(text).split("\n")
    return sum(max(1, math.ceil(text_width(line) / max(width, 1))) for line in lines)


# ---------------------------------------------------------------- shared pieces
def _rule_rows(sh: Sheet, label_span: int, value_col: int, value_span: int, pack_name: str,
               status: Status, mode_note: str) -> None:
    """填报状态 and 规则包 rows under a form."""
    r = sh.row
    sh.put(r, 1, "填报状态", role="header", span=label_span)
    sh.fields["status"] = sh.put(r, value_col, role="calc", span=value_span, expr=status, align="left")
    sh.heights[r] = 30
    r += 1
    sh.put(r, 1, "计分规则包", role="header", span=label_span)
    sh.fields["pack"] = sh.put(r, value_col, pack_name, role="pack", span=value_span, align="left")
    sh.row = r + 1
    if mode_note:
        sh.put(sh.row, 1, mode_note, role="note", span=label_span + value_span, align="left")
        sh.row += 1


def _pack(sh: Sheet) -> Name:
    """The 计分规则包 cell, placed under the table after the formulas that name it."""
    return Name("pack", sh.fields, absolute=True)


def _labels(spec: FormSpec) -> dict[str, str]:
    return {c.key: c.label for c in spec.indicators.columns}


def _indicator_groups(spec: FormSpec, rows: list[dict[str, Any]] | None) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Indicator rows grouped under the standard tree; each 二级 keeps at least its template rows."""
    cats = [(c.level1, c.level2, c.rows) for c in spec.indicators.categories]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {(l1, l2): [] for l1, l2, _ in cats}
    order = [(l1, l2) for l1, l2, _ in cats]
    for row in rows or []:
        key = (str(row.get("level1") or "").strip(), str(row.get("level2") or "").strip())
        if key not in groups:
            # An unknown 二级 goes after the other rows of its 一级 (or at the end).
            groups[key] = []
            same = [i for i, k in enumerate(order) if k[0] == key[0]]
            order.insert(same[-1] + 1 if same else len(order), key)
        groups[key].append(row)
    minimum = {(l1, l2): n for l1, l2, n in cats}
    out = []
    for key in order:
        items = groups[key]
        n = max(len(items), 1 if rows else minimum.get(key, 1)) if rows is not None else minimum.get(key, 1)
        out.append((key[0], key[1], items + [{}] * (n - len(items))))
    return out


def _merge_runs(values: list[str]) -> list[tuple[int, int]]:
    """(start index, length) of runs of equal values."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - start))
            start = i
    return runs


# ---------------------------------------------------------------- 附表1
def layout_fubiao1(data: dict[str, Any], pack: str) -> Sheet:
    spec = load_form("fubiao1")
    lab = _labels(spec)
    table = spec.indicators
    assert table.deduction is not None
    sh = Sheet(title="附表1", ncols=7)
    sh.widths = {1: (10, 12), 2: (10, 12), 3: (10, 16), 4: (6, 7), 5: (30, 44), 6: (8, 9), 7: (8, 12)}
    scores = data.get("scores") or {}
    remarks = data.get("remarks") or {}
    sh.put(1, 1, spec.caption, role="caption", align="left")
    sh.put(2, 1, spec.title, role="title", span=7)
    sh.heights[2] = 32
    sh.put(3, 1, table.group, role="header", span=4)
    sh.put(3, 5, lab["explanation"], role="header", rows=2)
    sh.put(3, 6, lab["score"], role="header", rows=2)
    sh.put(3, 7, lab["remark"], role="header", rows=2)
    for col, key in enumerate(["level1", "level2", "level3"], start=1):
        sh.put(4, col, lab[key], role="header")
    sh.put(4, 4, table.column("points").header, role="header")
    sh.header_rows = (3, 4)
    sh.freeze = "A5"
    r = 5
    first_item = r
    section_ranges: list[tuple[str, float, list[int]]] = []
    group_ranges: list[tuple[str, float, list[int]]] = []
    personal = list(data.get("personal") or [])
    for section in table.sections:
        start = r
        section_rows: list[int] = []
        if section.personal:
            for i, item in enumerate(section.items):
                given = personal[i] if i < len(personal) else {}
                name = given.get("name") or item.name
                sh.put(r, 2, name or None, role="input", span=2)
                sh.put(r, 4, given.get("points", item.points), role="const", fmt="0")
                sh.put(r, 5, given.get("explanation") or item.explanation, role="input", align="left")
                sh.put(r, 6, typed(given.get("score"))[0], role="input", fmt="0.00")
                sh.put(r, 7, given.get("remark"), role="input", align="left")
                sh.indicator_rows.append({"level1": addr(r, 1), "level3": addr(r, 2), "points": addr(r, 4),
                                          "explanation": addr(r, 5), "score": addr(r, 6), "remark": addr(r, 7)})
                section_rows.append(r)
                r += 1
        else:
            for group in section.groups:
                g_start = r
                for item in group.items:
                    sh.put(r, 3, item.name)
                    sh.put(r, 4, item.points, role="const", fmt="0")
                    sh.put(r, 5, item.explanation, role="text", align="left")
                    sh.put(r, 6, typed(scores.get(item.name))[0], role="input", fmt="0.00")
                    sh.put(r, 7, remarks.get(item.name), role="input", align="left")
                    sh.indicator_rows.append({"level1": addr(r, 1), "level2": addr(r, 2), "level3": addr(r, 3),
                                              "points": addr(r, 4), "explanation": addr(r, 5),
                                              "score": addr(r, 6), "remark": addr(r, 7)})
                    section_rows.append(r)
                    r += 1
                sh.put(g_start, 2, f"{group.name}\n（{group.points:g}分）", rows=r - g_start)
                group_ranges.append((group.name, group.points, list(range(g_start, r))))
        sh.put(start, 1, f"{section.name}\n（{section.points:g}分）", rows=r - start)
        section_ranges.append((section.name, section.points, section_rows))
    last_item = r - 1
    ded = table.deduction
    sh.put(r, 1, f"{ded.section}\n（{ded.points:g}分）")
    sh.put(r, 2, ded.name, span=2)
    sh.put(r, 4, "—", role="const")
    sh.put(r, 5, ded.explanation, role="text", align="left")
    deduction = sh.put(r, 6, typed(data.get("deduction"))[0], role="input", fmt="0.00")
    sh.put(r, 7, data.get("deduction_remark"), role="input", align="left")
    sh.fields["deduction"] = deduction
    sh.validations.append(Validation("decimal", "0", [deduction], formula2=f"{ded.points:g}",
                                     prompt=f"扣分项：填 0–{ded.points:g} 之间的正数（扣减的分数）"))
    sh.cond_formats.append(CondFormat(deduction, f"AND(ISNUMBER({deduction}),{deduction}>{ded.points:g})"))
    r += 1
    score_rng = f"F{first_item}:F{last_item}"
    points_rng = f"D{first_item}:D{last_item}"
    sh.fields["scores"] = score_rng
    for row in range(first_item, last_item + 1):
        sh.validations.append(Validation("decimal", "0", [f"F{row}"], formula2=f"D{row}", strict=False,
                                         prompt="自评得分：0 至指标分值之间"))
    sh.cond_formats.append(CondFormat(score_rng, f"AND(ISNUMBER(F{first_item}),F{first_item}>D{first_item}+0.005)"))

    # 得分汇总: subtotals by 一级 and 二级, deduction, total, grade.
    r += 0
    sh.put(r, 1, "得分汇总", role="header", span=3)
    sh.put(r, 4, "分值", role="header")
    sh.put(r, 5, "说明", role="header")
    sh.put(r, 6, "得分", role="header")
    sh.put(r, 7, None, role="header")
    r += 1
    for name, points, rows_ in section_ranges:
        sh.put(r, 1, name, span=3, align="left", bold=True)
        sh.put(r, 4, points, role="const", fmt="0")
        sh.put(r, 5, f"第 {rows_[0]}–{rows_[-1]} 行自评得分之和", role="text", align="left")
        sh.fields[f"subtotal:{name}"] = sh.put(r, 6, role="calc", expr=sum_of(f"F{rows_[0]}:F{rows_[-1]}"), fmt="0.00")
        sh.put(r, 7, None, role="const")
        r += 1
        for g_name, g_points, g_rows in group_ranges:
            if g_rows[0] in rows_:
                sh.put(r, 1, f"　其中：{g_name}", span=3, align="left")
                sh.put(r, 4, g_points, role="const", fmt="0")
                sh.put(r, 5, None, role="text")
                sh.fields[f"subtotal:{g_name}"] = sh.put(r, 6, role="calc", expr=sum_of(f"F{g_rows[0]}:F{g_rows[-1]}"),
                                                         fmt="0.00")
                sh.put(r, 7, None, role="const")
                r += 1
    sh.put(r, 1, ded.section, span=3, align="left", bold=True)
    sh.put(r, 4, ded.points, role="const", fmt="0")
    sh.put(r, 5, f"扣减（最多扣 {ded.points:g} 分）", role="text", align="left")
    sh.put(r, 6, role="calc", fmt="0.00;-0.00",
           expr=Formula(f'IF({deduction}="","",-{deduction})',
                        lambda env: "" if env(deduction) in (None, "") else -env(deduction), [deduction]))
    sh.put(r, 7, None, role="const")
    r += 1
    pack_cell = _pack(sh)
    sh.put(r, 1, "总分", role="header", span=3)
    sh.put(r, 4, sum(p for _, p, _ in section_ranges), role="const", fmt="0")
    sh.put(r, 5, "各项得分之和减扣分，不低于 0", role="text", align="left")
    total = sh.put(r, 6, role="calc", fmt="0.00", bold=True,
                   expr=Guard([score_rng], JX("JX_TOTAL", [Rng(score_rng), Ref(deduction), Lit(""), pack_cell])))
    sh.put(r, 7, None, role="const")
    sh.fields["grand_total"] = total
    r += 1
    sh.put(r, 1, "等级", role="header", span=3)
    sh.put(r, 4, None, role="const")
    sh.put(r, 5, "≥90 优，≥80 良，≥60 中，其余差", role="text", align="left")
    grade = sh.put(r, 6, role="calc", bold=True, expr=Guard([total], JX("JX_GRADE", [Ref(total), pack_cell]), numbers=True))
    sh.put(r, 7, None, role="const")
    sh.fields["grade"] = grade
    r += 1
    miss_x = f'SUMPRODUCT(({score_rng}="")*1)'
    over_x = f"SUMPRODUCT(ISNUMBER({score_rng})*({score_rng}>{points_rng}+0.005))"

    def missing(env: Any) -> int:
        return sum(1 for c in cells_of(score_rng) if env(c) in (None, ""))

    def over(env: Any) -> int:
        return sum(1 for s, p in zip(cells_of(score_rng), cells_of(points_rng), strict=True)
                   if isinstance(env(s), (int, float)) and env(s) > env(p) + 0.005)

    ded_x = f"({deduction}>{ded.points:g})*1"
    status = Status(
        [(miss_x, missing, "未完成：尚有 ", " 项自评得分未填写"),
         (over_x, over, "请检查：", " 项自评得分超过指标分值"),
         (ded_x, lambda env: int(isinstance(env(deduction), (int, float)) and env(deduction) > ded.points),
          "请检查：扣分超过上限（", f" 处），最多扣 {ded.points:g} 分")],
        [Lit("已填写完整：总分 "), Ref(total), Lit("，等级 "), Ref(grade)],
        uses=[score_rng, points_rng, deduction],
    )
    sh.row = r
    _rule_rows(sh, 3, 4, 4, pack, status, "")
    return sh


# ---------------------------------------------------------------- 附表2
def layout_fubiao2(data: dict[str, Any], pack: str) -> Sheet:
    spec = load_form("fubiao2")
    rp = load_pack(pack)
    sh = Sheet(title="附表2", ncols=10, landscape=False)
    sh.widths = {1: (6, 7), 2: (9, 10), 3: (10, 12), 4: (16, 26), 5: (6, 7), 6: (8, 10), 7: (7, 8),
                 8: (7, 7), 9: (10, 12), 10: (8, 9)}
    header = data.get("header") or {}
    sh.put(1, 1, spec.caption, role="caption", align="left", span=2)
    sh.put(2, 1, spec.title, role="title", span=10)
    sh.heights[2] = 32
    sh.freeze = "A3"
    r = 3
    for f in spec.header.fields:
        sh.put(r, 1, f.label, role="header", span=3)
        sh.fields[f.key] = sh.put(r, 4, header.get(f.key), role="input", span=7, align="left")
        if f.choices:
            sh.validations.append(Validation("list", '"' + ",".join(f.choices) + '"', [sh.fields[f.key]], strict=False))
        r += 1
    start = r
    for f in spec.overview.fields:
        sh.put(r, 2, f.label, role="header", span=2)
        if f.tick:
            chosen = header.get(f.key) or []
            chosen = [chosen] if isinstance(chosen, str) else list(chosen)
            unknown = [c for c in chosen if c not in f.choices]
            if unknown:
                raise ValueError(f"header.{f.key}: “{unknown[0]}”不是可选项（{'、'.join(f.choices)}）")
            col = 4
            for choice, span in zip(f.choices, f.tick_spans, strict=True):
                box = BOX_ON if choice in chosen else BOX_OFF
                cell = sh.put(r, col, f"{box}{choice}", role="input", span=span)
                sh.fields[f"{f.key}:{choice}"] = cell
                sh.validations.append(Validation("list", f'"{BOX_OFF}{choice},{BOX_ON}{choice}"', [cell]))
                col += span
        else:
            sh.fields[f.key] = sh.put(r, 4, header.get(f.key), role="input", span=7, align="left")
        r += 1
    sh.put(start, 1, "项目\n概况", role="header", rows=r - start)

    # 项目资金: 预算数 and 执行数, with 执行率 and its score (added by jixiao).
    funds = data.get("funds") or {}
    start = r
    sh.put(r, 2, None, role="header", span=2)
    for col, span, text in ((4, 2, "全年预算数"), (6, 2, "全年执行数"), (8, 1, "分值"), (9, 1, "执行率"), (10, 1, "得分")):
        sh.put(r, col, text, role="header", span=span)
    r += 1
    rate_cell = score_cell = None
    for f in spec.funds.rows:
        row = funds.get(f.key) or {}
        sh.put(r, 2, f.label, span=2, align="left")
        b = sh.put(r, 4, typed(row.get("budget"))[0], role="input", span=2, fmt="0.00")
        s = sh.put(r, 6, typed(row.get("spent"))[0], role="input", span=2, fmt="0.00")
        sh.fields[f"{f.key}:budget"], sh.fields[f"{f.key}:spent"] = b, s
        rate = sh.put(r, 9, role="calc", fmt="0.00%", expr=Guard([b, s], JX("JX_RATE", [Ref(b), Ref(s)])))
        sh.fields[f"{f.key}:rate"] = rate
        if f.scored:
            w = sh.put(r, 8, rp.rate_weight, role="const", fmt="0")
            rate_cell = rate
            score_cell = sh.put(r, 10, role="calc", fmt="0.00",
                                expr=Guard([b, s], JX("JX_RATE_SCORE", [Ref(b), Ref(s), Ref(w), _pack(sh)])))
            sh.fields["total_funds:points"], sh.fields["total_funds:score"] = w, score_cell
        else:
            sh.put(r, 8, "—", role="const")
            sh.put(r, 10, "—", role="const")
        sh.validations.append(Validation("decimal", "0", [b, s], formula2="1E+12", prompt="金额（万元），填数字"))
        r += 1
    sh.put(start, 1, "项目资金\n（万元）", role="header", rows=r - start)
    goal = data.get("goal") or {}
    sh.put(r, 1, spec.goal.group, role="header", rows=2)
    sh.put(r, 2, spec.goal.parts[0].label, role="header", span=9)
    sh.fields["goal"] = sh.put(r + 1, 2, goal.get("expected"), role="input", span=9, align="left")
    sh.heights[r + 1] = max(45, 15 * _text_rows(goal.get("expected") or "", 95))
    r += 2

    # 绩效指标 table.
    labels = _labels(spec)
    head = r
    for col, key in enumerate(spec.indicators.keys(), start=2):
        sh.put(r, col, labels[key], role="header")
    sh.header_rows = (head, head)
    r += 1
    first = r
    groups = _indicator_groups(spec, data.get("indicators"))
    l1_values: list[str] = []
    for l1, l2, items in groups:
        g_start = r
        for item in items:
            nature = nature_of(item) if item else None
            cells = {}
            cells["level3"] = sh.put(r, 4, item.get("level3"), role="input", align="left")
            cells["nature"] = sh.put(r, 5, nature, role="input")
            tv, tf = typed(item.get("target"))
            cells["target"] = sh.put(r, 6, tv, role="input", fmt=tf)
            cells["unit"] = sh.put(r, 7, item.get("unit"), role="input")
            cells["points"] = sh.put(r, 8, typed(item.get("points"))[0], role="input", fmt="0%")
            av, af = typed(item.get("actual"))
            cells["actual"] = sh.put(r, 9, av, role="input", fmt=af or tf)
            cells["score"] = sh.put(r, 10, role="calc", fmt="0.00", expr=Guard(
                [cells["target"], cells["actual"], cells["points"]],
                JX("JX_SCORE", [Ref(cells["nature"]), Ref(cells["target"]), Ref(cells["actual"]),
                                Scaled(Ref(cells["points"]), 100), _pack(sh)])))
            cells["level1"], cells["level2"] = addr(r, 2), addr(g_start, 3)
            sh.indicator_rows.append(cells)
            l1_values.append(l1)
            r += 1
        sh.put(g_start, 3, l2, role="input", rows=r - g_start)
    for start_i, n in _merge_runs(l1_values):
        sh.put(first + start_i, 2, l1_values[start_i], role="input", rows=n)
        for k in range(start_i, start_i + n):
            sh.indicator_rows[k]["level1"] = addr(first + start_i, 2)
    last = r - 1
    sh.put(head, 1, "绩效\n指标", role="header", rows=last - head + 1)
    _indicator_validations(sh, first, last, nature_col="E", actual_col="I", points_col="H")
    sh.validations.append(Validation("decimal", "0", [f"H{first}:H{last}"], formula2="1",
                                     prompt="权重：百分比，如 5%"))
    # 合计 row.
    expected = float(spec.indicators.expected_points or 0)
    sh.put(r, 1, "合计", role="header", span=7)
    w_total = sh.put(r, 8, role="calc", fmt="0%", expr=sum_of(f"H{first}:H{last}", blank_if_none=False))
    sh.put(r, 9, None, role="const")
    ind_total = sh.put(r, 10, role="calc", fmt="0.00", expr=sum_of(f"J{first}:J{last}"))
    sh.cond_formats.append(CondFormat(w_total, f"AND(COUNT(H{first}:H{last})>0,ABS({w_total}-{expected:g})>0.00005)"))
    sh.cond_formats.append(CondFormat(f"J{first}:J{last}", f"AND(ISNUMBER(J{first}),J{first}>H{first}*100+0.005)"))
    sh.fields.update(points_total=w_total, indicator_total=ind_total)
    r += 1
    # 总分 and 等级 (执行率得分 + 指标得分).
    pack_cell = _pack(sh)
    sh.put(r, 1, "执行率得分", span=9, align="left")
    rs = sh.put(r, 10, role="calc", fmt="0.00", expr=Formula(score_cell, lambda env: env(score_cell), [score_cell]))
    r += 1
    sh.put(r, 1, "绩效指标得分", span=9, align="left")
    it = sh.put(r, 10, role="calc", fmt="0.00", expr=Formula(ind_total, lambda env: env(ind_total), [ind_total]))
    r += 1
    pair = f"{rs}:{it}"
    sh.put(r, 1, "总分（执行率得分 + 绩效指标得分）", role="header", span=9)
    total = sh.put(r, 10, role="calc", fmt="0.00", bold=True, expr=Guard(
        [pair], JX("JX_TOTAL", [Rng(pair), Lit(0), Ref(rate_cell), pack_cell]), numbers=True))
    sh.fields["grand_total"] = total
    r += 1
    sh.put(r, 1, "等级", role="header", span=9)
    grade = sh.put(r, 10, role="calc", bold=True,
                   expr=Guard([total], JX("JX_GRADE", [Ref(total), pack_cell]), numbers=True))
    sh.fields["grade"] = grade
    r += 1
    weights = f"H{first}:H{last}"
    sh.put(r, 1, "权重检查", role="header", span=3)
    sh.fields["weight_status"] = sh.put(r, 4, role="calc", span=7, align="left",
                                        expr=JX("JX_WEIGHT_STATUS", [Rng(weights), Lit(expected)]))
    r += 1
    status = _indicator_status(sh, first, last, key="D", required=["E", "F", "H", "I"],
                               funds=[sh.fields["total_funds:budget"], sh.fields["total_funds:spent"]],
                               weights=weights, expected=expected, total=total, grade=grade)
    sh.row = r
    _rule_rows(sh, 3, 4, 7, pack, status, "")
    return sh


def _indicator_validations(sh: Sheet, first: int, last: int, *, nature_col: str, actual_col: str,
                           points_col: str) -> None:
    sh.validations.append(Validation("list", NATURE_LIST, [f"{nature_col}{first}:{nature_col}{last}"],
                                     prompt="指标性质：≥ 正向，≤ 反向，＝ 等于，定性"))
    sh.validations.append(Validation("list", TIER_LIST, [f"{actual_col}{first}:{actual_col}{last}"], strict=False,
                                     prompt="定量指标填数字；定性指标选 达成 / 部分达成 / 未达成"))


def _indicator_status(sh: Sheet, first: int, last: int, *, key: str, required: list[str], funds: list[str],
                      weights: str, expected: float, total: str, grade: str,
                      reason: tuple[str, str, str] | None = None) -> Status:
    pairs = [(f"{key}{first}:{key}{last}", f"{c}{first}:{c}{last}") for c in required]
    rows_x, rows_py = count_missing(pairs)
    funds_x, funds_py = count_required(funds)
    checks = [(f"{funds_x}+{rows_x}", lambda env: funds_py(env) + rows_py(env), "未完成：尚有 ",
               " 处必填内容为空（预算数、执行数、指标性质、指标值、分值/权重、实际完成值）")]
    if reason is not None:
        score_c, points_c, reason_c = reason
        s, p, t = (f"{c}{first}:{c}{last}" for c in (score_c, points_c, reason_c))
        excel = f'SUMPRODUCT(ISNUMBER({s})*({s}<{p}-0.005)*({t}=""))'

        def py(env: Any) -> int:
            n = 0
            for sc, pc, tc in zip(cells_of(s), cells_of(p), cells_of(t), strict=True):
                sv, pv = env(sc), env(pc)
                if isinstance(sv, (int, float)) and isinstance(pv, (int, float)) and sv < pv - 0.005 \
                        and env(tc) in (None, ""):
                    n += 1
            return n

        checks.append((excel, py, "请补充：", " 项指标未得满分，须填写偏差原因分析及改进措施"))
    final = [JX("JX_WEIGHT_STATUS", [Rng(weights), Lit(expected)]), Lit("；总分 "), Ref(total), Lit("，等级 "),
             Ref(grade)]
    return Status(checks, final, uses=[p[1] for p in pairs] + funds)


# ---------------------------------------------------------------- 项目支出绩效自评表
def layout_xiangmu(data: dict[str, Any], pack: str) -> Sheet:
    spec = load_form("xiangmu")
    rp = load_pack(pack)
    sh = Sheet(title="项目支出绩效自评表", ncols=10)
    sh.widths = {1: (7, 7), 2: (9, 10), 3: (10, 12), 4: (18, 28), 5: (6, 6), 6: (9, 11), 7: (9, 11),
                 8: (6, 7), 9: (8, 9), 10: (16, 24)}
    header = data.get("header") or {}
    sh.put(1, 1, spec.title, role="title", span=10)
    sh.heights[1] = 32
    year = data.get("year")
    sh.fields["year"] = sh.put(2, 1, spec.subtitle.format(year=year if year else "    "), role="subtitle", span=10)
    sh.freeze = "A3"
    fields = {f.key: f.label for f in spec.header.fields}
    sh.put(3, 1, fields["project"], role="header", span=2)
    sh.fields["project"] = sh.put(3, 3, header.get("project"), role="input", span=8, align="left")
    sh.put(4, 1, fields["department"], role="header", span=2)
    sh.fields["department"] = sh.put(4, 3, header.get("department"), role="input", span=4, align="left")
    sh.put(4, 7, fields["unit_name"], role="header", span=2)
    sh.fields["unit_name"] = sh.put(4, 9, header.get("unit_name"), role="input", span=2, align="left")
    r = 5
    start = r
    fl = {c.key: c.label for c in spec.funds.columns}
    sh.put(r, 2, None, role="header", span=2)
    for col, span, key in ((4, 2, "initial_budget"), (6, 1, "budget"), (7, 1, "spent"), (8, 1, "points"),
                           (9, 1, "rate"), (10, 1, "score")):
        sh.put(r, col, fl[key], role="header", span=span)
    r += 1
    funds = data.get("funds") or {}
    rate_cell = score_cell = None
    for f in spec.funds.rows:
        row = funds.get(f.key) or {}
        sh.put(r, 2, ("　　" if f.indent else "") + f.label, span=2, align="left")
        sh.fields[f"{f.key}:initial_budget"] = sh.put(r, 4, typed(row.get("initial_budget"))[0], role="input",
                                                         span=2, fmt="0.00")
        b = sh.put(r, 6, typed(row.get("budget"))[0], role="input", fmt="0.00")
        s = sh.put(r, 7, typed(row.get("spent"))[0], role="input", fmt="0.00")
        sh.fields[f"{f.key}:budget"], sh.fields[f"{f.key}:spent"] = b, s
        rate = sh.put(r, 9, role="calc", fmt="0.00%", expr=Guard([b, s], JX("JX_RATE", [Ref(b), Ref(s)])))
        sh.fields[f"{f.key}:rate"] = rate
        if f.scored:
            w = sh.put(r, 8, rp.rate_weight, role="const", fmt="0")
            rate_cell = rate
            score_cell = sh.put(r, 10, role="calc", fmt="0.00",
                                expr=Guard([b, s], JX("JX_RATE_SCORE", [Ref(b), Ref(s), Ref(w), _pack(sh)])))
            sh.fields["total_funds:points"], sh.fields["total_funds:score"] = w, score_cell
        else:
            sh.put(r, 8, "—", role="const")
            sh.put(r, 10, "—", role="const")
        sh.validations.append(Validation("decimal", "0", [f"D{r}:G{r}"], formula2="1E+12", prompt="金额（万元），填数字"))
        r += 1
    sh.put(start, 1, "项目资金\n（万元）", role="header", rows=r - start)
    goal = data.get("goal") or {}
    expected_part, achieved_part = spec.goal.parts
    sh.put(r, 1, spec.goal.group, role="header", rows=2)
    sh.put(r, 2, expected_part.label, role="header", span=5)
    sh.put(r, 7, achieved_part.label, role="header", span=4)
    sh.fields["goal_expected"] = sh.put(r + 1, 2, goal.get("expected"), role="input", span=5, align="left")
    sh.fields["goal_achieved"] = sh.put(r + 1, 7, goal.get("achieved"), role="input", span=4, align="left")
    longest = max(_text_rows(goal.get("expected") or "", 55), _text_rows(goal.get("achieved") or "", 50))
    sh.heights[r + 1] = max(45, 15 * longest)
    r += 2

    labels = _labels(spec)
    columns = ["level1", "level2", "level3", "nature", "target", "actual", "points", "score", "reason"]
    head = r
    for col, key in enumerate(columns, start=2):
        text = {"target": "年度\n指标值", "actual": "实际\n完成值", "nature": "指标\n性质"}.get(key, labels[key])
        sh.put(r, col, text, role="header")
    sh.header_rows = (head, head)
    r += 1
    first = r
    l1_values: list[str] = []
    for l1, l2, items in _indicator_groups(spec, data.get("indicators")):
        for item in items:
            cells = {"level1": addr(r, 2)}
            cells["level2"] = sh.put(r, 3, l2, role="input")
            cells["level3"] = sh.put(r, 4, item.get("level3"), role="input", align="left")
            cells["nature"] = sh.put(r, 5, nature_of(item) if item else None, role="input")
            tv, tf = typed(item.get("target"))
            cells["target"] = sh.put(r, 6, tv, role="input", fmt=tf)
            av, af = typed(item.get("actual"))
            cells["actual"] = sh.put(r, 7, av, role="input", fmt=af or tf)
            cells["points"] = sh.put(r, 8, typed(item.get("points"))[0], role="input", fmt="0.##")
            cells["score"] = sh.put(r, 9, role="calc", fmt="0.00", expr=Guard(
                [cells["target"], cells["actual"], cells["points"]],
                JX("JX_SCORE", [Ref(cells["nature"]), Ref(cells["target"]), Ref(cells["actual"]),
                                Ref(cells["points"]), _pack(sh)])))
            cells["reason"] = sh.put(r, 10, item.get("reason"), role="input", align="left")
            sh.indicator_rows.append(cells)
            l1_values.append(l1)
            r += 1
    for start_i, n in _merge_runs(l1_values):
        sh.put(first + start_i, 2, l1_values[start_i], role="input", rows=n)
        for k in range(start_i, start_i + n):
            sh.indicator_rows[k]["level1"] = addr(first + start_i, 2)
    last = r - 1
    sh.put(head, 1, "绩\n效\n指\n标", role="header", rows=last - head + 1)
    _indicator_validations(sh, first, last, nature_col="E", actual_col="G", points_col="H")
    sh.validations.append(Validation("decimal", "0", [f"H{first}:H{last}"], formula2="100", prompt="分值：数字"))
    expected = float(spec.indicators.expected_points or 0)
    points = f"H{first}:H{last}"
    scores = f"I{first}:I{last}"
    sh.cond_formats.append(CondFormat(scores, f"AND(ISNUMBER(I{first}),I{first}>H{first}+0.005)"))
    # 总分 row (as on the paper form), then the summary the total is computed from.
    pack_cell = _pack(sh)
    pair = Name("score_parts", sh.fields)  # the two rows below, placed next
    sh.put(r, 1, "总分", role="header", span=7)
    w = sh.fields["total_funds:points"]
    pts = sh.put(r, 8, role="calc", fmt="0.##", expr=Formula(
        f"{w}+SUM({points})",
        lambda env: env(w) + sum(env(c) for c in cells_of(points) if isinstance(env(c), (int, float))),
        [w, points]))
    sh.cond_formats.append(CondFormat(pts, f"AND(COUNT({points})>0,ABS(SUM({points})-{expected:g})>0.005)"))
    total = sh.put(r, 9, role="calc", fmt="0.00", bold=True, expr=Guard(
        [pair], JX("JX_TOTAL", [pair, Lit(0), Ref(rate_cell), pack_cell]), numbers=True))
    sh.put(r, 10, None, role="const")
    sh.fields.update(points_total=pts, grand_total=total)
    r += 1
    sh.put(r, 1, "其中：执行率得分", span=8, align="left")
    rs = sh.put(r, 9, role="calc", fmt="0.00", expr=Formula(score_cell, lambda env: env(score_cell), [score_cell]))
    sh.put(r, 10, None, role="const")
    r += 1
    sh.put(r, 1, "　　　绩效指标得分", span=8, align="left")
    sh.fields["indicator_total"] = sh.put(r, 9, role="calc", fmt="0.00", expr=sum_of(scores))
    sh.fields["score_parts"] = f"{rs}:{sh.fields['indicator_total']}"
    sh.put(r, 10, None, role="const")
    r += 1
    sh.put(r, 1, "等级", role="header", span=8)
    grade = sh.put(r, 9, role="calc", bold=True,
                   expr=Guard([total], JX("JX_GRADE", [Ref(total), pack_cell]), numbers=True))
    sh.put(r, 10, None, role="const")
    sh.fields["grade"] = grade
    r += 1
    sh.put(r, 1, "分值检查", role="header", span=3)
    sh.fields["weight_status"] = sh.put(r, 4, role="calc", span=7, align="left",
                                        expr=JX("JX_WEIGHT_STATUS", [Rng(points), Lit(expected)]))
    r += 1
    status = _indicator_status(sh, first, last, key="D", required=["F", "G", "H"],
                               funds=[sh.fields["total_funds:budget"], sh.fields["total_funds:spent"]],
                               weights=points, expected=expected, total=total, grade=grade,
                               reason=("I", "H", "J"))
    sh.row = r
    _rule_rows(sh, 3, 4, 7, pack, status, "")
    return sh


LAYOUTS = {"fubiao1": layout_fubiao1, "fubiao2": layout_fubiao2, "xiangmu": layout_xiangmu}
