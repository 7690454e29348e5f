"""校验汇总.xlsx, written straight as SpreadsheetML, is value for value and format for format what
openpyxl wrote before (the reference below is that code), and LibreOffice opens it."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_annotate_copies import needs_soffice, snapshot

from jixiao import libreoffice
from jixiao.validation import Report
from jixiao.validation.annotate import append_inert, style_table
from jixiao.validation.engine import FileResult
from jixiao.validation.report import GRADES, STATUS_ZH
from jixiao.validation.rules import BY_CODE, ERROR, rule
from jixiao.validation.xlsxwrite import quote_sheet


def openpyxl_summary(report: Report, target: Path) -> Path:
    """The summary as openpyxl wrote it before (cell by cell, then style_table)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = Workbook()
    link_font = Font(color="FF0563C1", underline="single")
    ws = wb.active
    ws.title = "文件"
    ws.append(["文件", "状态", "表单", "工作表", "总分", "等级", "错误数", "提示数", "批注副本"])
    for f in report.files:
        errors = sum(1 for x in f.findings if x.severity == ERROR)
        for form in f.forms or [{}]:
            cells = append_inert(ws, [f.path, STATUS_ZH.get(f.status, f.status), form.get("form"), form.get("sheet"),
                                      form.get("total"), form.get("grade"), errors, len(f.findings) - errors,
                                      f.annotated])
            if f.annotated:
                cells[8].hyperlink = Hyperlink(ref=cells[8].coordinate, target=f.annotated)
                cells[8].font = link_font
            if f.status != "ok":
                cells[1].fill = PatternFill("solid", fgColor="FFFFC7CE")
    style_table(ws, (40, 10, 10, 14, 8, 6, 8, 8, 40))
    fs = wb.create_sheet("问题")
    fs.append(["文件", "位置", "级别", "代码", "规则", "说明", "应为", "实为"])
    for f in report.files:
        for x in f.findings:
            where = f"{x.sheet}!{x.cell}" if x.sheet and x.cell else (x.cell or "")
            cells = append_inert(fs, [f.path, where, "错误" if x.severity == ERROR else "提示", x.code, x.rule,
                                      x.message, x.expected, x.found])
            if f.annotated and f.annotated.endswith(".xlsx") and x.sheet and x.cell:
                cells[1].hyperlink = Hyperlink(ref=cells[1].coordinate, target=f.annotated,
                                               location=f"{quote_sheet(x.sheet)}!{x.cell}")
                cells[1].font = link_font
    style_table(fs, (40, 16, 6, 8, 22, 80, 12, 12))
    st = wb.create_sheet("统计")
    st.append(["等级", "表数"])
    s = report.summary()
    for g in GRADES:
        st.append([g, s["grades"].get(g, 0)])
    st.append([])
    st.append(["问题类型", "处数"])
    start = st.max_row + 1
    counts = Counter(f"{x.code} {BY_CODE[x.code].title}" for f in report.files for x in f.findings)
    for name, n in sorted(counts.items()):
        st.append([name, n])
    end = st.max_row
    chart = BarChart()
    chart.title = "等级分布"
    chart.add_data(Reference(st, min_col=2, min_row=1, max_row=5), titles_from_data=True)
    chart.set_categories(Reference(st, min_col=1, min_row=2, max_row=5))
    st.add_chart(chart, "D2")
    if counts:
        chart2 = BarChart()
        chart2.type = "bar"
        chart2.title = "问题类型"
        chart2.add_data(Reference(st, min_col=2, min_row=start - 1, max_row=end), titles_from_data=True)
        chart2.set_categories(Reference(st, min_col=1, min_row=start, max_row=end))
        chart2.height = max(7.5, 0.6 * len(counts) + 3)
        st.add_chart(chart2, "D20")
    style_table(st, (30, 8))
    wb.save(target)
    return target


def _finding(code: str = "missing-value", **kw: Any):
    return rule(code).finding(sheet="自评表", address="I16", where="", field="实际完成值", **kw)


def mixed_report(n_files: int = 6) -> Report:
    """Every kind of value the summary shows: text, formula-like text, error values, numbers,
    dates, booleans; files with several forms, none, no copy, a report paragraph, quoted sheets."""
    report = Report()
    for i in range(n_files):
        status = ("invalid", "ok", "unreadable")[i % 3]
        res = FileResult(f"单位{i}/自评表.xlsx", status,
                         forms=[{"form": "xiangmu", "sheet": "自评表", "total": 91 + i / 7, "grade": GRADES[i % 4]}])
        res.findings = [replace(_finding(), expected=1.5 * i, found=None), _finding("invalid-value", reason="非数字")]
        res.annotated = f"annotated/{i}.xlsx" if status == "invalid" else None
        report.files.append(res)
    odd = report.files[0]
    odd.path = "=HYPERLINK(\"http://x\")\r\n+1.xlsx"
    odd.forms.append({"form": "@SUM(A1)", "sheet": "", "total": 0.815, "grade": None})
    odd.findings += [
        replace(_finding(), sheet="自评'表 1", cell="G6", expected="#DIV/0!", found="-3"),
        replace(_finding(), expected=dt.date(2023, 12, 31), found=dt.datetime(1900, 2, 27, 8, 30)),
        replace(_finding(), expected=dt.time(9, 15), found=dt.timedelta(hours=30)),
        replace(_finding(), sheet=None, cell="第 3 段", expected=True, found=12345678901234),
        replace(_finding(), expected="  leading and trailing  ", found="a\tb\nc"),
    ]
    report.files[1].forms = []
    report.files[3].annotated = "annotated/3.docx"  # a report's copy: the file link only
    return report


def charts(path: Path) -> list[tuple[Any, ...]]:
    """Each chart as (anchor column, row, width, height, direction, title, series, categories, values)."""
    with zipfile.ZipFile(path) as zf:
        names = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        drawings = [zf.read(n).decode() for n in zf.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        anchors = re.findall(r"<(?:\w+:)?col>(\d+)</(?:\w+:)?col>.*?<(?:\w+:)?row>(\d+)</(?:\w+:)?row>.*?"
                             r'<(?:\w+:)?ext cx="(\d+)" cy="(\d+)"', "".join(drawings))
        out = []
        for name, anchor in zip(names, anchors, strict=True):
            xml = zf.read(name).decode()
            out.append((*anchor, re.search(r'barDir val="(\w+)"', xml).group(1),
                        re.search(r"<a:t>(.*?)</a:t>", xml).group(1), *re.findall(r"<f>(.*?)</f>", xml)))
    return out


def layout(path: Path) -> dict[str, Any]:
    wb = load_workbook(path)
    return {ws.title: (ws.print_title_rows, ws.page_setup.paperSize, ws.page_setup.orientation,
                       ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage,
                       ws.auto_filter.ref)
            for ws in wb.worksheets}


def _passed() -> Report:
    files = mixed_report().files[1:4]
    for f in files:
        f.findings = []
    return Report(files=files)


@pytest.mark.parametrize("make", [mixed_report, Report, _passed], ids=["mixed", "empty", "no-findings"])
def test_summary_matches_what_openpyxl_wrote(make: Any, tmp_path: Path) -> None:
    report = make()
    new = report.write_xlsx(tmp_path / "new.xlsx")
    old = openpyxl_summary(report, tmp_path / "old.xlsx")
    assert snapshot(new) == snapshot(old)
    assert layout(new) == layout(old)
    assert charts(new) == charts(old)


def test_summary_keeps_exact_values_and_typed_text(tmp_path: Path) -> None:
    report = mixed_report()
    ws = load_workbook(report.write_xlsx(tmp_path / "s.xlsx"))["文件"]
    assert ws["E3"].value == 0.815 and ws["E2"].value == 91
    # Formula-like text stays text with the quote prefix: nothing in a submission becomes a formula.
    assert ws["A2"].value == "=HYPERLINK(\"http://x\")\r\n+1.xlsx" and ws["A2"].quotePrefix and ws["A2"].data_type == "s"
    assert ws["C3"].value == "@SUM(A1)" and ws["C3"].quotePrefix
    assert ws["I2"].hyperlink.target == "annotated/0.xlsx"


def test_unsafe_text_never_breaks_the_summary(tmp_path: Path) -> None:
    """Text built by a caller (not the batch, which makes it printable first) may hold characters
    XML cannot carry; they are left out instead of breaking the workbook."""
    res = FileResult("a\x01b\ud800c.xlsx", "invalid", findings=[replace(_finding(), found="x\x0by\ufffe")])
    ws = load_workbook(Report(files=[res]).write_xlsx(tmp_path / "s.xlsx"))["问题"]
    assert ws["A2"].value == "abc.xlsx" and ws["H2"].value == "xy"


def test_long_values_are_cut_before_they_are_escaped(tmp_path: Path) -> None:
    """A value longer than a cell holds is cut to Excel's 32,767 characters before escaping, so
    the cut never lands inside an entity (``&am``) whatever the value's type."""
    long_list = ["a" * 32762 + "&<>"]
    res = FileResult("a.xlsx", "invalid", findings=[replace(_finding(), expected=long_list, found="b" * 32765 + "&&&")])
    ws = load_workbook(Report(files=[res]).write_xlsx(tmp_path / "s.xlsx"))["问题"]
    cells = [c.value for c in ws[2] if isinstance(c.value, str) and len(c.value) > 30000]
    assert sorted(cells) == sorted([str(long_list)[:32767], "b" * 32765 + "&&"])


@needs_soffice
def test_libreoffice_reads_the_summary_as_it_read_openpyxls(tmp_path: Path) -> None:
    report = mixed_report()
    new = report.write_xlsx(tmp_path / "new.xlsx")
    old = openpyxl_summary(report, tmp_path / "old.xlsx")
    (new_lo,) = libreoffice.resave_xlsx([new], tmp_path / "lo-new")
    (old_lo,) = libreoffice.resave_xlsx([old], tmp_path / "lo-old")
    assert snapshot(new_lo) == snapshot(old_lo)
    assert len(charts(new_lo)) == len(charts(old_lo)) == 2
