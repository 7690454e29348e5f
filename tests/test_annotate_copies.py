"""Annotated copies edited part by part are, value for value, what openpyxl's load-and-save makes,
stay valid for LibreOffice, and link to their own cells (never to an external file)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from workbook_factory import XIANGMU_SEED, Layout, build, cell_content, convert_to_xls, replace_row

from jixiao import libreoffice
from jixiao.validation.annotate import RESULT_SHEET, annotate_copy, annotate_workbook
from jixiao.validation.engine import validate_file
from jixiao.validation.rules import rule

needs_soffice = pytest.mark.skipif(not libreoffice.available(), reason="LibreOffice (soffice) not installed")


def _reference(source: Path, findings: list, target: Path) -> Path:
    """The openpyxl path (load the whole workbook, mark it, save it): what copies looked like before."""
    wb = load_workbook(io.BytesIO(source.read_bytes()), keep_vba=False, keep_links=False)
    annotate_workbook(wb, findings)
    wb.save(target)
    return target


def _color(c: Any) -> Any:
    return None if c is None else (c.rgb if c.type == "rgb" else (c.type, c.value))


def _link(cell: Any) -> str | None:
    """Where a link goes, as a cell of this workbook when it is one."""
    h = cell.hyperlink
    if h is None:
        return None
    if h.location and not h.target:
        return h.location
    return f"external:{h.target}#{h.location or ''}"


def _halign(value: str | None) -> str | None:
    return None if value == "general" else value  # "general" is what no alignment means


def snapshot(path: Path, styles: bool = True) -> dict[str, Any]:
    wb = load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames, "active": wb.active.title}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if type(c).__name__ == "MergedCell":
                    continue
                item: dict[str, Any] = {"value": cell_content(c.value), "type": c.data_type}
                if c.comment is not None:
                    item["comment"] = (c.comment.text, c.comment.author)
                if c.hyperlink is not None:
                    item["link"] = _link(c)
                if styles:
                    item.update(
                        format=c.number_format, bold=bool(c.font.b), font_color=_color(c.font.color),
                        underline=c.font.u, fill=(c.fill.fill_type, _color(c.fill.fgColor)),
                        border=tuple(getattr(c.border, s).style for s in ("left", "right", "top", "bottom")),
                        wrap=bool(c.alignment.wrap_text), halign=_halign(c.alignment.horizontal),
                        quote=bool(c.quotePrefix))
                if c.value is not None or c.comment is not None or c.has_style:
                    cells[c.coordinate] = item
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "validations": len(ws.data_validations.dataValidation),
            "conditional": sorted(str(r.sqref) for r in ws.conditional_formatting),
        }
    return out


def _submissions(tmp: Path) -> list[tuple[Path, list]]:
    """Submissions with findings, built from specs: hand-typed layouts (merged cells, an
    instructions sheet, a sheet name with a quote and a space), formula-like typed text, and one of
    jixiao's own templates with a typed-over formula."""
    out = []
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    rows = replace_row(rows, "不超过年度预算", actual="+1+1")
    p = tmp / "hand.xlsx"
    build(p, [("自评表", "xiangmu", {"layout": Layout(top=2, left=1, merge=True), "rows": rows, "total": 98})],
          instructions_first=True)
    wb = load_workbook(p)
    for ws in wb.worksheets:  # both sheets selected (grouped), as a reviewer may leave them
        ws.sheet_view.tabSelected = True
    wb.save(p)
    out.append(p)
    p = tmp / "quote.xlsx"
    build(p, [("自评'表 1", "xiangmu", {"rows": rows})])
    out.append(p)
    try:
        from jixiao.templates import write_workbook
        from jixiao.templates.samples import SEEDS
    except ImportError:
        pass
    else:
        p = write_workbook(tmp / "tpl.xlsx", "xiangmu", "native", SEEDS["xiangmu"])
        wb = load_workbook(p)
        ws = wb.worksheets[0]
        formula = next(c for row in ws.iter_rows() for c in row if c.data_type == "f")
        formula.value = 12.5
        wb.save(p)
        out.append(p)
    result = []
    for p in out:
        findings = validate_file(p).findings
        sheet = load_workbook(p, read_only=True).sheetnames[-1]
        # A finding on a cell left empty, one on a sheet the workbook does not have, and dates,
        # times and error values in 应为/实为 (a date typed where a number belongs).
        findings += [rule("missing-value").finding(sheet=sheet, address="Z40", where="", field="备注"),
                     rule("missing-value").finding(sheet="没有这张表", address="A1", where="", field="x"),
                     replace(findings[0], expected=dt.date(2023, 12, 31), found=dt.datetime(2024, 1, 5, 9, 30)),
                     replace(findings[0], expected=dt.time(8, 0), found="#DIV/0!")]
        assert any(f.severity == "error" for f in findings)
        result.append((p, findings))
    return result


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> list[tuple[Path, Path, Path]]:
    tmp = tmp_path_factory.mktemp("annotate")
    (tmp / "ref").mkdir()
    out = []
    for i, (source, findings) in enumerate(_submissions(tmp)):
        patched = annotate_copy(source, findings, tmp / "new" / f"{i}-{source.name}")
        out.append((source, patched, _reference(source, findings, tmp / "ref" / f"{i}-{source.name}")))
    return out


def test_patched_copy_matches_the_openpyxl_copy(copies) -> None:
    for _, patched, reference in copies:
        # Edited part by part, not re-saved: the submission's own parts are still there.
        assert "xl/comments1.xml" in zipfile.ZipFile(patched).namelist()
        assert snapshot(patched) == snapshot(reference), patched.name


def test_copy_marks_cells_and_lists_findings_with_internal_links(copies) -> None:
    selected_before = 0
    for source, patched, _ in copies:
        wb = load_workbook(patched)
        assert wb.sheetnames[0] == RESULT_SHEET and wb.active.title == RESULT_SHEET
        # Only 校验结果 is selected: the sheets the submission had selected no longer are.
        with zipfile.ZipFile(source) as zs, zipfile.ZipFile(patched) as zp:
            sheets = [n for n in zs.namelist() if n.startswith("xl/worksheets/sheet")]
            selected_before += sum(b'tabSelected="1"' in zs.read(n) for n in sheets)
            assert [n for n in zp.namelist() if n.startswith("xl/worksheets/sheet")
                    and b'tabSelected="1"' in zp.read(n)] == [f"xl/worksheets/sheet{len(sheets) + 1}.xml"]
        assert wb.sheetnames[1:] == load_workbook(source).sheetnames
        rows = list(wb[RESULT_SHEET].iter_rows(min_row=2))
        flagged = 0
        for row in rows:
            where = row[4].value
            if where and "没有这张表" not in where:
                sheet, ref = where.rsplit("!", 1)
                assert row[4].hyperlink.target is None
                assert row[4].hyperlink.location == "'" + sheet.replace("'", "''") + "'!" + ref
                cell = wb[sheet][ref]
                if type(cell).__name__ != "MergedCell":
                    assert cell.comment is not None and row[2].value in cell.comment.text
                    assert cell.fill.fgColor.rgb in ("FFFF8080", "FFFFE699")
                    flagged += 1
            else:
                assert row[4].hyperlink is None
        assert flagged
        # Formula-like text from the submission stays text, shown exactly as typed.
        typed = [c for row in rows for c in row if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
        assert all(c.data_type == "s" and c.quotePrefix for c in typed)
        assert not [c for row in rows for c in row if c.data_type == "f"]
    assert any(c.value == "+1+1" for _, p, _ in copies for row in load_workbook(p)[RESULT_SHEET].iter_rows()
               for c in row)
    assert selected_before >= 2


def test_original_formats_survive_the_fill(copies) -> None:
    """A flagged cell keeps its number format, font and borders; only its fill changes."""
    source, patched, _ = copies[-1]
    before, after = snapshot(source), snapshot(patched)
    for sheet in before["sheets"]:
        for ref, was in before[sheet]["cells"].items():
            now = after[sheet]["cells"][ref]
            assert {k: v for k, v in now.items() if k not in ("fill", "comment")} == \
                {k: v for k, v in was.items() if k not in ("fill", "comment")}, (sheet, ref)


def _commented(tmp_path: Path) -> tuple[Path, list, str]:
    """A submission with comments of its own: one on A1, one on a cell jixiao flags."""
    from openpyxl.comments import Comment

    source = tmp_path / "with-comment.xlsx"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    build(source, [("自评表", "xiangmu", {"rows": rows})])
    findings = validate_file(source).findings
    flagged = findings[0].cell
    wb = load_workbook(source)
    wb["自评表"]["A1"].comment = Comment("填表人的批注 <&>", "张三")
    wb["自评表"][flagged].comment = Comment("旧批注", "李四")
    wb.save(source)
    return source, findings, flagged


def test_comments_the_submission_has_are_kept(tmp_path) -> None:
    """Its own comments stay (a flagged cell's gives way to jixiao's, as in openpyxl's copy), also
    as an office suite saves them; the package is still patched, not re-saved."""
    source, findings, flagged = _commented(tmp_path)
    sources = [source]
    if libreoffice.available():
        sources += libreoffice.resave_xlsx([source], tmp_path / "office")
    for i, src in enumerate(sources):
        out = annotate_copy(src, findings, tmp_path / f"copy{i}.xlsx")
        with zipfile.ZipFile(out) as zf:
            vml = [zf.read(n) for n in zf.namelist() if n.endswith(".vml")]
        assert len(vml) == 1 and b'xmlns:v="urn:schemas-microsoft-com:vml"' in vml[0]  # jixiao's notes
        assert snapshot(out) == snapshot(_reference(src, findings, tmp_path / f"ref{i}.xlsx")), src
        ws, was = load_workbook(out)["自评表"], load_workbook(src)["自评表"]["A1"].comment
        assert (ws["A1"].comment.text, ws["A1"].comment.author) == ("填表人的批注 <&>", was.author)
        assert i or was.author == "张三"  # LibreOffice keeps no author of its own
        assert ws[flagged].comment.author == "jixiao 校验" and "JX" in ws[flagged].comment.text
    if libreoffice.available():  # and LibreOffice reads every comment of the copy
        for copy in libreoffice.resave_xlsx([tmp_path / "copy0.xlsx"], tmp_path / "reread"):
            ws = load_workbook(copy)["自评表"]
            assert ws["A1"].comment.text == "填表人的批注 <&>" and "JX" in ws[flagged].comment.text


def test_packages_it_cannot_edit_go_through_openpyxl(tmp_path) -> None:
    """Threaded comments (Excel 365) are left to openpyxl, which keeps their plain-comment form."""
    source, findings, _ = _commented(tmp_path)
    data = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdT" Type="http://schemas.'
                                    b'microsoft.com/office/2017/10/relationships/threadedComment" '
                                    b'Target="../threadedComments/threadedComment1.xml"/></Relationships>')
            zout.writestr(info, body)
    source.write_bytes(data.getvalue())
    out = annotate_copy(source, findings, tmp_path / "copy.xlsx")
    assert snapshot(out) == snapshot(_reference(source, findings, tmp_path / "ref.xlsx"))
    assert "xl/comments1.xml" not in zipfile.ZipFile(out).namelist()  # openpyxl names parts its own way
    assert load_workbook(out)["自评表"]["A1"].comment.text == "填表人的批注 <&>"


def test_control_characters_never_break_the_copy(tmp_path) -> None:
    source = tmp_path / "ctl.xlsx"
    build(source, [("自评表", "xiangmu", {})])
    bad = rule("missing-value").finding(sheet="自评表", address="B3", where="", field="a\x01b\x0bc")
    out = annotate_copy(source, [bad], tmp_path / "copy.xlsx")
    text = load_workbook(out)[RESULT_SHEET]["F2"].value
    assert "abc" in text and "\x01" not in text


@needs_soffice
def test_libreoffice_opens_copies_and_keeps_links_inside(copies, tmp_path) -> None:
    patched = [p for _, p, _ in copies]
    references = [r for _, _, r in copies]
    new = libreoffice.resave_xlsx(patched, tmp_path / "new")
    old = libreoffice.resave_xlsx(references, tmp_path / "old")
    assert len(new) == len(patched)
    for a, b in zip(new, old, strict=True):
        # Same values and comments after LibreOffice read and re-wrote both copies.
        assert snapshot(a, styles=False) == {**snapshot(b, styles=False)}, a.name
        with zipfile.ZipFile(a) as zf:
            rels = [n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/_rels/sheet\d+\.xml\.rels", n)]
            external = [n for n in rels if b"/hyperlink" in zf.read(n)]
        assert not external, f"{a.name}: links became external in {external}"
        wb = load_workbook(a)
        links = [c.hyperlink for row in wb[RESULT_SHEET].iter_rows() for c in row if c.hyperlink]
        assert links and all(h.location and not h.target for h in links)
        fills = [c for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row
                 if c.comment is not None and c.comment.author != "张三"]
        assert fills and all(c.fill.fgColor.rgb in ("FFFF8080", "FFFFE699") for c in fills)


@needs_soffice
def test_summary_links_stay_relative_after_a_libreoffice_resave(tmp_path) -> None:
    from jixiao.validation import validate

    src = tmp_path / "in"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    build(src / "部门.xlsx", [("自评表", "xiangmu", {"rows": rows})])
    out = tmp_path / "out"
    report = validate(src, out_dir=out)
    summary = report.write_xlsx(out / "校验汇总.xlsx")
    (resaved,) = libreoffice.resave_xlsx([summary], out / "resaved")
    for path, prefix in ((summary, "annotated/"), (resaved, "../annotated/")):
        wb = load_workbook(path)
        links = [c.hyperlink for row in wb["问题"].iter_rows(min_row=2) for c in row if c.hyperlink]
        assert links and all(h.target.startswith(prefix) and h.location.startswith("'自评表'!") for h in links), path
        files = [c.hyperlink for row in wb["文件"].iter_rows(min_row=2) for c in row if c.hyperlink]
        assert files and all(h.target.startswith(prefix) and not h.location for h in files)


def test_macro_enabled_submission_gets_a_plain_xlsx_copy(tmp_path) -> None:
    """An .xlsm keeps nothing executable in its copy, and the copy is a plain .xlsx package."""
    plain = tmp_path / "plain.xlsx"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    build(plain, [("自评表", "xiangmu", {"rows": rows})])
    macro = tmp_path / "宏.xlsm"
    main_ct = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(macro, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(main_ct, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            zout.writestr(info, data)
    findings = validate_file(macro).findings
    out = annotate_copy(macro, findings, tmp_path / "copy.xlsx")
    with zipfile.ZipFile(out) as zf:
        assert main_ct in zf.read("[Content_Types].xml")
        assert not [n for n in zf.namelist() if "vba" in n.lower()]
    assert load_workbook(out)[RESULT_SHEET]["C2"].value


def test_parts_that_do_not_change_are_copied_as_stored(copies) -> None:
    for source, patched, _ in copies:
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(patched) as new:
            assert new.testzip() is None
            changed = {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels"}
            kept = [i for i in old.infolist() if i.filename not in changed and not i.filename.startswith("xl/worksheets/")]
            assert kept
            for info in kept:
                copy = new.getinfo(info.filename)
                assert (copy.CRC, copy.compress_size, copy.compress_type) == \
                    (info.CRC, info.compress_size, info.compress_type), info.filename
                assert new.read(info.filename) == old.read(info)


def test_a_damaged_part_is_never_copied_as_stored(tmp_path) -> None:
    """A part the safety scan only glances at (its prolog) may be damaged further on: copying it
    as stored would hand the reviewer a broken copy, so it is checked like a read; the package then
    goes through openpyxl, which leaves out a part it does not read (docProps/app.xml)."""
    source = tmp_path / "damaged.xlsx"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    build(source, [("自评表", "xiangmu", {"rows": rows})])
    findings = validate_file(source).findings
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo("docProps/app.xml")
    data = bytearray(source.read_bytes())
    crc = info.CRC.to_bytes(4, "little")
    for at in (info.header_offset + 14, data.rindex(crc)):  # the local header and the central directory
        data[at:at + 4] = (info.CRC ^ 1).to_bytes(4, "little")
    source.write_bytes(bytes(data))
    assert validate_file(source).findings == findings  # the scan reads only the part's prolog
    out = annotate_copy(source, findings, tmp_path / "copy.xlsx")
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
    assert load_workbook(out)[RESULT_SHEET]["C2"].value


def test_a_part_stored_twice_is_copied_once_as_it_was_read(tmp_path) -> None:
    """Two members of one name (zip tools warn, yet write it): zipfile, and so openpyxl, reads the
    last. The copy marks that one and holds it once; patching one and copying the other as stored
    left a copy whose readers saw the sheet unmarked."""
    source = tmp_path / "twice.xlsx"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    build(source, [("自评表", "xiangmu", {"rows": rows})])
    data = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        with pytest.warns(UserWarning, match="Duplicate name"):
            zout.writestr("xl/worksheets/sheet1.xml", zin.read("xl/worksheets/sheet1.xml"))
    source.write_bytes(data.getvalue())
    findings = validate_file(source).findings
    assert any(f.cell for f in findings)
    out = annotate_copy(source, findings, tmp_path / "copy.xlsx")
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == len(set(names))
    assert snapshot(out) == snapshot(_reference(source, findings, tmp_path / "ref.xlsx"))


@needs_soffice
def test_xls_and_ods_copies_match_the_openpyxl_copy(tmp_path) -> None:
    """An .xls (or .ods) is copied value by value: written as a plain .xlsx and patched, it gives
    what openpyxl's value-by-value copy gave (error values as shown, typed text kept as text)."""
    from openpyxl import Workbook

    from jixiao.security import sniff_workbook
    from jixiao.validation.annotate import _load_copy

    src = tmp_path / "hand.xlsx"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    rows = replace_row(rows, "不超过年度预算", actual="+1+1")
    refs = build(src, [("自评表", "xiangmu", {"layout": Layout(top=2, left=1, merge=True), "rows": rows, "total": 98})],
                 instructions_first=True)["自评表"]
    wb = load_workbook(src)
    ws = wb["自评表"]
    ws[refs["score", "不超过年度预算"]] = "=1/0"
    ws["Z3"], ws["Z4"], ws["Z5"] = dt.datetime(2024, 1, 5, 9, 30), True, "@备注"
    wb.save(src)
    other = Workbook()
    other.active.title = "数据"
    other.active.append(["=B1*2", 1.25, None, "x"])
    other.save(tmp_path / "plain.xlsx")
    (xls,) = convert_to_xls([src])
    ods = tmp_path / "plain.ods"
    libreoffice._convert([tmp_path / "plain.xlsx"], tmp_path, "ods", 120, False)
    for source in (xls, ods):
        findings = validate_file(source).findings or [
            rule("missing-value").finding(sheet="数据", address="B1", where="", field="x")]
        findings += [rule("missing-value").finding(sheet=load_workbook(
            annotate_copy(source, [], tmp_path / "names.xlsx")).sheetnames[-1], address="C7", where="", field="备注")]
        patched = annotate_copy(source, findings, tmp_path / "new" / f"{source.name}.xlsx")
        wb = _load_copy(sniff_workbook(source))
        annotate_workbook(wb, findings)
        wb.save(tmp_path / f"ref-{source.name}.xlsx")
        assert "xl/comments1.xml" in zipfile.ZipFile(patched).namelist()  # patched, not through openpyxl
        assert snapshot(patched) == snapshot(tmp_path / f"ref-{source.name}.xlsx"), source.name
    shown = load_workbook(tmp_path / "new" / "hand.xls.xlsx")["自评表"]
    assert shown[refs["score", "不超过年度预算"]].value == "#DIV/0!"
    (lo,) = libreoffice.resave_xlsx([tmp_path / "new" / "hand.xls.xlsx"], tmp_path / "lo")
    assert load_workbook(lo)[RESULT_SHEET]["C2"].value


@needs_soffice
def test_copies_of_office_saved_submissions_match_the_openpyxl_copy(tmp_path) -> None:
    """Submissions as an office suite saves them (shared strings, its own styles, a selected sheet
    written as tabSelected="true") are patched as openpyxl would copy them."""
    subs = _submissions(tmp_path)
    saved = libreoffice.resave_xlsx([p for p, _ in subs], tmp_path / "office")
    for path, (_, findings) in zip(saved, subs, strict=True):
        with zipfile.ZipFile(path) as zf:
            assert "xl/sharedStrings.xml" in zf.namelist()
        patched = annotate_copy(path, findings, tmp_path / "new" / path.name)
        assert "xl/comments1.xml" in zipfile.ZipFile(patched).namelist()
        assert snapshot(patched) == snapshot(_reference(path, findings, tmp_path / f"ref-{path.name}")), path.name
        with zipfile.ZipFile(patched) as zf:
            heads = [zf.read(n).split(b"<sheetData")[0] for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sum(b'tabSelected="1"' in h or b'tabSelected="true"' in h for h in heads) == 1


def test_a_merge_over_most_of_the_sheet_costs_no_more_than_a_small_one(tmp_path) -> None:
    """Whether a flagged cell lies under a merge is decided from the ranges: listing the cells of
    A200:XFD1048576 (17 billion) would never finish; in a batch the file would lose its copy."""
    from jixiao.validation import validate_paths
    from jixiao.validation.guard import Limits

    plain = tmp_path / "plain.xlsx"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    build(plain, [("自评表", "xiangmu", {"rows": rows})])
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "merged.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb"<mergeCells\b[^>]*>", b'<mergeCells><mergeCell ref="A200:XFD1048576"/>', body)
                assert b"A200:XFD1048576" in body
            zout.writestr(info, body)
    report = validate_paths([tmp_path / "in"], out_dir=tmp_path / "out", limits=Limits(seconds=30))
    (res,) = report.files
    assert res.status == "invalid" and res.annotated, [f.message for f in res.findings]
    assert not [f for f in res.findings if f.rule == "annotation-failed"]
    with zipfile.ZipFile(tmp_path / "out" / res.annotated) as zf:  # (openpyxl would list the merge's cells)
        comments = zf.read("xl/comments1.xml")
    assert all(f'<comment ref="{f.cell}"'.encode() in comments for f in res.findings if f.cell)


def _prefixed(xml: bytes) -> bytes:
    """A worksheet as some .NET writers save it: every element in the x: prefix."""
    xml = re.sub(rb'xmlns="(http://schemas.openxmlformats.org/spreadsheetml/2006/main)"', rb'xmlns:x="\1"', xml)
    return re.sub(rb"<(/?)(?!\?)(\w+)(?=[\s/>])", rb"<\1x:\2", xml)


def test_a_prefixed_sheet_is_deselected_in_its_views_only(tmp_path: Path) -> None:
    """Unselecting the submission's sheets touches a sheet's views, never its cells, also when its
    elements carry a prefix (<x:sheetData>): a cell whose text reads tabSelected="1" keeps it."""
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)
    plain = tmp_path / "plain.xlsx"
    build(plain, [("自评表", "xiangmu", {"rows": rows})], instructions_first=True)
    wb = load_workbook(plain)
    wb.worksheets[0].sheet_view.tabSelected = True
    wb.worksheets[0]["Z1"] = 'note: tabSelected="1" stays'
    wb.save(plain)
    source = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _prefixed(data)
                assert b"<x:sheetData>" in data and b'<x:sheetView tabSelected="1"' in data
            zout.writestr(item, data)
    findings = validate_file(source).findings
    assert any(f.severity == "error" and f.sheet == "自评表" for f in findings)
    copy = annotate_copy(source, findings, tmp_path / "copy.xlsx")
    with zipfile.ZipFile(copy) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    head, _, cells = sheet.partition(b"<x:sheetData>")
    assert b"tabSelected" not in head
    wb = load_workbook(copy)
    assert wb.active.title == RESULT_SHEET
    assert wb[load_workbook(source).sheetnames[0]]["Z1"].value == 'note: tabSelected="1" stays'


def test_an_absolute_comment_ref_is_the_same_cell(tmp_path) -> None:
    """A comment written on "$I$16" is the comment of I16: a flagged cell ends with jixiao's comment
    only, never two. A comment on row 0 is no cell: the part is not patched."""
    from jixiao.validation.xlsxcomments import read_notes
    from jixiao.validation.xlsxstyles import Unpatchable

    source, findings, flagged = _commented(tmp_path)
    variant = tmp_path / "dollar.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(variant, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename.startswith("xl/comments"):
                comments, vml_name = body, next(n for n in zin.namelist() if n.endswith(".vml"))
                body = body.replace(f'ref="{flagged}"'.encode(), re.sub(r"([A-Z]+)(\d+)", r'ref="$\1$\2"', flagged).encode())
                assert b'ref="$' in body
            zout.writestr(info, body)
    out = annotate_copy(variant, findings, tmp_path / "copy.xlsx")
    with zipfile.ZipFile(out) as zf:
        refs = re.findall(rb'<comment ref="([^"]+)"', b"".join(zf.read(n) for n in zf.namelist() if "comments" in n))
    assert refs.count(flagged.encode()) == 1 and b"$" not in b"".join(refs), refs
    ws = load_workbook(out)["自评表"]
    assert ws[flagged].comment.author == "jixiao 校验" and ws["A1"].comment.text == "填表人的批注 <&>"
    with zipfile.ZipFile(source) as z:
        vml = z.read(vml_name)
    with pytest.raises(Unpatchable):
        read_notes(comments.replace(f'ref="{flagged}"'.encode(), b'ref="A0"'), vml)
