"""A validation run as data: JSON for machines, a DataFrame, a console grid, an Excel summary."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .annotate import neutralize
from .engine import FileResult
from .rules import BY_CODE, ERROR

if TYPE_CHECKING:
    import pandas as pd


def form_name(form_id: str | None) -> str:
    """A form's name as reviewers know it ("附表1 专项预算绩效自评打分表"), not its id."""
    if not form_id:
        return ""
    try:
        from ..forms import load_form

        spec = load_form(form_id)
        return " ".join(t for t in (spec.caption, spec.title) if t) or form_id
    except Exception:  # an unknown id still shows as itself
        return form_id


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _left_out(console: Any, n: int) -> None:
    if n > 0:
        console.print(f"（表格只列出前面的行，另有 {n} 行未列出；完整内容请用 --format csv 或 --format json，"
                      "或 --format xlsx 的汇总工作簿。）", markup=False, highlight=False)

STATUS_ZH = {"ok": "通过", "invalid": "有错误", "unreadable": "无法读取"}
GRADES = ("优", "良", "中", "差")
BAD_FILL = "FFFFC7CE"  # a file that did not pass
CSV_COLUMNS = ("path", "status", "code", "rule", "severity", "sheet", "cell", "message", "expected", "found")


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)
    rules: str | None = None
    summary_path: Path | None = None  # 校验汇总.xlsx, when the run wrote one

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 when every file passed; 1 when one did not, or when there was no workbook at all."""
        return 0 if self.files and self.ok else 1

    def summary(self) -> dict[str, Any]:
        statuses = Counter(f.status for f in self.files)
        findings = [x for f in self.files for x in f.findings]
        grades: Counter[str] = Counter()
        for f in self.files:
            for form in f.forms:
                if form.get("grade"):
                    grades[str(form["grade"])] += 1
        return {
            "files": len(self.files),
            "ok": statuses.get("ok", 0),
            "invalid": statuses.get("invalid", 0),
            "unreadable": statuses.get("unreadable", 0),
            "forms": sum(len(f.forms) for f in self.files),
            "errors": sum(1 for x in findings if x.severity == ERROR),
            "warnings": sum(1 for x in findings if x.severity != ERROR),
            "by_rule": dict(sorted(Counter(f"{x.code} {x.rule}" for x in findings).items())),
            "grades": dict(grades),
            "rules": self.rules,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"files": [f.to_dict() for f in self.files], "summary": self.summary()}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, default=str)

    def to_csv(self) -> str:
        """One row per finding, and one row for each file without any; for spreadsheets and scripts.

        Text that a spreadsheet would run as a formula is neutralised, like in the Excel summary.
        """
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for f in self.files:
            rows = [x.to_dict() for x in f.findings] or [{}]
            for x in rows:
                writer.writerow([neutralize(v) for v in (
                    f.path, f.status, x.get("code"), x.get("rule"), x.get("severity"), x.get("sheet"),
                    x.get("cell"), x.get("message"), x.get("expected"), x.get("found"))])
        return out.getvalue()

    def to_frame(self) -> pd.DataFrame:
        """One row per finding (files without findings get none)."""
        import pandas as pd

        rows = [{"path": f.path, "status": f.status, **x.to_dict()} for f in self.files for x in f.findings]
        return pd.DataFrame.from_records(rows, columns=list(CSV_COLUMNS))

    # ------------------------------------------------------------ console
    def render_text(self, console: Any = None, max_rows: int = 2000) -> None:
        """Every file (status, form, total, grade), then the findings; past ``max_rows`` rows a
        table is cut and says how many rows it left out. Text from files is never markup."""
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        console = console or Console()
        files = Table(header_style="bold", title="文件")
        for title in ("文件", "状态", "表单", "总分", "等级", "错误", "提示"):
            files.add_column(title, overflow="fold")
        rows = [(f, form) for f in self.files for form in (f.forms or [{}])]
        for f, form in rows[:max_rows]:
            errors = sum(1 for x in f.findings if x.severity == ERROR)
            status = Text(STATUS_ZH.get(f.status, f.status), style="green" if f.status == "ok" else "red")
            files.add_row(Text(f.path), status, Text(form_name(form.get("form"))), Text(_shown(form.get("total"))),
                          Text(_shown(form.get("grade"))), str(errors), str(len(f.findings) - errors))
        if rows:
            console.print(files)
            _left_out(console, len(rows) - max_rows)
        findings = Table(header_style="bold", title="问题")
        for title in ("文件", "位置", "代码", "说明"):
            findings.add_column(title, overflow="fold")
        all_findings = [(f, x) for f in self.files for x in f.findings]
        for f, x in all_findings[:max_rows]:
            where = f"{x.sheet}!{x.cell}" if x.sheet and x.cell else ""
            style = "red" if x.severity == ERROR else "yellow"
            message = x.message.split("：", 1)[1] if where and "：" in x.message else x.message
            findings.add_row(Text(f.path), Text(where), Text(x.code, style=style), Text(message))
        if all_findings:
            console.print(findings)
            _left_out(console, len(all_findings) - max_rows)
        s = self.summary()
        if not self.files:
            console.print("没有找到任何工作簿（.xlsx、.xlsm、.xls、.ods）、自评报告（.docx、.pdf、.txt）或其 .zip 压缩包。", markup=False, highlight=False)
        console.print(
            f"共 {s['files']} 个文件：通过 {s['ok']}，有错误 {s['invalid']}，无法读取 {s['unreadable']}；"
            f"错误 {s['errors']} 处，提示 {s['warnings']} 处。", markup=False, highlight=False)

    # ------------------------------------------------------------ Excel summary
    def write_xlsx(self, target: str | Path) -> Path:
        """汇总 workbook: files, findings (linked to the annotated copies), charts."""
        from .xlsxbook import BASE_STYLES, BarChart, write_workbook
        from .xlsxstyles import Styles
        from .xlsxwrite import Link, TableSheet, quote_sheet

        styles = Styles(BASE_STYLES)
        ws = TableSheet(styles, ["文件", "状态", "表单", "工作表", "总分", "等级", "错误数", "提示数", "批注副本"],
                        (40, 10, 10, 14, 8, 6, 8, 8, 40))
        for f in self.files:
            errors = sum(1 for x in f.findings if x.severity == ERROR)
            links = {8: Link(target=f.annotated)} if f.annotated else None
            fills = {1: BAD_FILL} if f.status != "ok" else None
            for form in f.forms or [{}]:
                ws.append([f.path, STATUS_ZH.get(f.status, f.status), form.get("form"), form.get("sheet"),
                           form.get("total"), form.get("grade"), errors, len(f.findings) - errors, f.annotated],
                          links=links, fills=fills)

        fs = TableSheet(styles, ["文件", "位置", "级别", "代码", "规则", "说明", "应为", "实为"],
                        (40, 16, 6, 8, 22, 80, 12, 12))
        for f in self.files:
            copy = f.annotated if f.annotated and f.annotated.endswith(".xlsx") else None
            for x in f.findings:
                where = f"{x.sheet}!{x.cell}" if x.sheet and x.cell else (x.cell or "")  # report: 第 N 段
                # The copy's file (relative, so the folder can move) and the cell inside it.
                links = {1: Link(target=copy, location=f"{quote_sheet(x.sheet)}!{x.cell}")} \
                    if copy and x.sheet and x.cell else None
                fs.append([f.path, where, "错误" if x.severity == ERROR else "提示", x.code, x.rule, x.message,
                           x.expected, x.found], links=links)

        st = TableSheet(styles, ["等级", "表数"], (30, 8))
        s = self.summary()
        for g in GRADES:
            st.append([g, s["grades"].get(g, 0)])
        st.skip()
        st.append(["问题类型", "处数"])
        counts = Counter(f"{x.code} {BY_CODE[x.code].title}" for f in self.files for x in f.findings)
        for name, n in sorted(counts.items()):
            st.append([name, n])
        start, end = 8, 7 + len(counts)
        sheet = quote_sheet("统计")
        charts = [BarChart("等级分布", f"{sheet}!B1", f"{sheet}!$A$2:$A$5", f"{sheet}!$B$2:$B$5", (1, 3))]
        if counts:
            charts.append(BarChart("问题类型", f"{sheet}!B{start - 1}", _rows(sheet, "A", start, end),
                                   _rows(sheet, "B", start, end), (19, 3), horizontal=True,
                                   height=max(7.5, 0.6 * len(counts) + 3)))
        return write_workbook(target, styles, [("文件", ws, ()), ("问题", fs, ()), ("统计", st, charts)])


def _rows(sheet: str, col: str, first: int, last: int) -> str:
    """A column's cells as openpyxl's chart references name them ('统计'!$A$8 or $A$8:$A$9)."""
    return f"{sheet}!${col}${first}" + (f":${col}${last}" if last > first else "")
