"""The 自评报告 checks, on the seed reports built as .docx in a temporary folder, and on reports
built from small specs (a number changed, a broken file, a paired workbook)."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.reports import read_report, validate_report
from jixiao.reports.claims import Num, Place, extract
from jixiao.reports.reading import decode_text, walk_paragraphs
from jixiao.validation.batch import validate_paths
from jixiao.validation.engine import validate_file

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
if not SEEDS.is_dir():  # the main checkout keeps shared/ one level higher than worktrees do
    SEEDS = Path("/work/shared/seeds")
_spec = importlib.util.spec_from_file_location("build_reports", ROOT / "examples" / "build_reports.py")
build_reports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_reports)  # type: ignore[union-attr]

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds beside the clone")


def seed_text(number: str) -> str:
    return build_reports.seed_files(SEEDS)[number].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not SEEDS.is_dir():
        pytest.skip("needs ../shared/seeds beside the clone")
    return build_reports.build_all(SEEDS, tmp_path_factory.mktemp("reports"))


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


@needs_seeds
def test_seed_000_text_against_its_table(built: dict[str, Path]) -> None:
    res = validate_report(built["000"])
    msgs = {f.code: [] for f in res.findings}
    for f in res.findings:
        msgs[f.code].append(f.message)
    table = msgs["JX606"]
    assert len(table) == 2
    assert any("绩效监管" in m and "为 6" in m and "为 4" in m and "“综上，根据评分标准，该项指标不扣分，得6分。”" in m
               for m in table)
    assert any("目标完成" in m and "为 3" in m and "为 6" in m and "表 1（专项预算绩效自评打分表）第 11 行第 6 列" in m
               for m in table)
    (total,) = msgs["JX602"]
    assert "总分 91" in total and "合计 90" in total and "本项目绩效自评得91分" in total
    assert set(msgs) == {"JX602", "JX606"}, res.findings  # 附表1/附表2 in the Word tables hold
    assert [(f["form"], f["sheet"]) for f in res.forms] == [
        ("fubiao1", "表 1（专项预算绩效自评打分表）"), ("fubiao2", "表 2（附表2）")]


@needs_seeds
def test_seed_001_unit_slip_and_true_slips(built: dict[str, Path]) -> None:
    res = validate_report(built["001"])
    slips = [f.message for f in res.findings if f.code == "JX607"]
    assert slips and all("87.65元" in m and "87.65万元" in m for m in slips)
    # two more true slips in the seed, named in examples/README.md
    assert any(f.code == "JX602" and "89.87" in f.message for f in res.findings)
    assert any(f.code == "JX604" and "106.25" in f.message for f in res.findings)
    assert len(res.findings) == 4


@needs_seeds
@pytest.mark.parametrize("number", ["002", "003"])
def test_seeds_002_003_no_false_alarm(built: dict[str, Path], number: str) -> None:
    res = validate_report(built[number])
    assert res.findings == [] and res.status == "ok"


@needs_seeds
def test_seed_004_only_its_unit_slips(built: dict[str, Path]) -> None:
    res = validate_report(built["004"])
    assert sorted(re.search(r"写作“(.+?)”", f.message).group(1) for f in res.findings) == ["57.67元", "58.88元"]
    assert {f.code for f in res.findings} == {"JX607"}


def claim_numbers(path: Path) -> list[tuple[int, str, str]]:
    """(paragraph order, the words holding it, number as written) of every number a check reads
    in the report (rates only where a table gives the 执行率 they are held against)."""
    res = validate_report(path)
    claims = extract(read_report(path).segments)
    found: list[tuple[Place, str, Num | None]] = []
    for it in claims.items:
        found += [(it.place, "", n) for n in (it.score, it.points, it.deduction, it.rate)]
    rates = claims.rates if res.report.own.funds.get("rate") else []
    found += [(p, "", n) for n, p in claims.totals + claims.rate_scores + rates]
    for expr, nums, _, result, place in claims.arithmetic:
        found += [(place, expr, n) for n in [*nums, result]]
    for parts, total, place in claims.sums:
        found += [(place, "", n) for n in [total, *(n for _, n in parts)]]
    for rate, budget, spent, place in claims.rate_checks:
        found += [(place, "", rate), (place, "", budget.value), (place, "", spent.value)]
    for t in claims.targets:
        found += [(t.place, "", n) for n in (t.target, t.actual, t.done_rate, t.saved)]
    return sorted({(p.segment.order, anchor or p.sentence, n.text) for p, anchor, n in found
                   if n is not None and re.search(rf"(?<![\d.]){re.escape(n.text)}(?!\d)", p.segment.text)})


def change_number(src: Path, dest: Path, order: int, anchor: str, old: str, new: str) -> str:
    """Copy a built report with ``old`` replaced where ``anchor`` holds it in paragraph ``order``;
    return the paragraph's new text."""
    doc = Document(str(src))
    p = [p for p, *_ in walk_paragraphs(doc.element.body)][order]
    para = Paragraph(p, doc)
    text = para.text
    start = max(text.find(anchor.strip()), 0)
    m = re.compile(rf"(?<![\d.]){re.escape(old)}(?![\d])").search(text, start)
    assert m, (old, text)
    changed = text[: m.start()] + new + text[m.end():]
    for run in para.runs[1:]:
        run.text = ""
    para.runs[0].text = changed
    doc.save(str(dest))
    return changed


SWEEP_SEEDS = ("000", "001", "002", "003", "004")


@pytest.fixture(scope="module")
def sweep_base(built: dict[str, Path]) -> dict[str, tuple[set[tuple[str, str]], list[tuple[int, str]]]]:
    return {n: ({(f.code, f.message) for f in validate_report(built[n]).findings}, claim_numbers(built[n]))
            for n in SWEEP_SEEDS}


@needs_seeds
@pytest.mark.parametrize("number", SWEEP_SEEDS)
def test_changing_any_claimed_number_is_found(built: dict[str, Path], sweep_base, tmp_path: Path,
                                              number: str) -> None:
    """Every number a check reads, changed by 1.5 in the built report, gives a new finding that
    quotes the changed sentence (or names the changed number)."""
    base, numbers = sweep_base[number]
    assert numbers
    missed = []
    for order, anchor, old in numbers:
        value = float(old.replace(",", ""))
        new = f"{value - 1.5 if value >= 10 else value + 1.5:g}"
        changed = change_number(built[number], tmp_path / "c.docx", order, anchor, old, new)
        now = validate_report(tmp_path / "c.docx").findings
        extra = [f for f in now if (f.code, f.message) not in base]
        if not extra and len(now) < len(base):
            continue  # the change mended a slip of the seed (107.5% → 106%, right to the digits written)
        if not any(new in f.message and f.cell for f in extra):
            missed.append((old, new, changed[:60], [f.message[:80] for f in extra]))
    assert not missed, missed


def _docx(paragraphs: list[str]) -> bytes:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_internal_checks_on_a_spec_report(tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    path.write_bytes(_docx(SPEC_REPORT))
    res = validate_report(path)
    got = {f.code: f.message for f in res.findings}
    assert set(got) == {"JX602", "JX601", "JX605", "JX604"}, res.findings
    assert "13.7" in got["JX602"] and "14.2" in got["JX602"] and "第 1 段" in got["JX602"]
    assert "4.6485" in got["JX601"] and "4.56" in got["JX601"]
    assert "应为“良”" in got["JX605"]
    assert "应为 90%" in got["JX604"]


def test_sentences_that_hold_give_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("\n".join([
        "（1）决策程序", "综上，根据评分标准，该项指标扣1分，得5分。",
        "项目决策指标涉及3个二级指标。指标分值15 分，得 12.23分，得分率为 81.53%。",
        "问卷调查综合得分92.97分，此项评价分值=5×92.97÷100=4.65分。",
        "本项目绩效评价得分为 73.24 分，综合评定等级为“中”。",
        "目标100%，完成100%，完成率100%。",
    ]), encoding="gbk")
    res = validate_report(path)
    assert res.findings == [] and res.status == "ok"


def test_text_encodings() -> None:
    text = "本项目绩效自评得91分"
    for enc in ("utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-le"):
        assert decode_text(text.encode(enc)) == text


def test_broken_files_are_one_finding_each(tmp_path: Path) -> None:
    good = tmp_path / "ok.docx"
    good.write_bytes(_docx(["本项目绩效自评得85分，等级为“良”。"]))
    (tmp_path / "cut.docx").write_bytes(good.read_bytes()[:300])
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.4\n garbage without objects")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
        zf.writestr("[Content_Types].xml", "<Types/>")
    (tmp_path / "entity.docx").write_bytes(bomb.getvalue())
    ratio = io.BytesIO()
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (40 * 1024 * 1024) + b"</w:document>")
    (tmp_path / "bomb.docx").write_bytes(ratio.getvalue())
    report = validate_paths([tmp_path])
    by = {Path(f.path).name: f for f in report.files}
    assert by["ok.docx"].status == "ok"
    for name in ("cut.docx", "fake.pdf", "old.docx", "entity.docx", "bomb.docx"):
        assert by[name].status == "unreadable" and codes(by[name]) == ["JX001"], by[name].findings
    assert "DOCTYPE" in by["entity.docx"].findings[0].message
    assert "压缩" in by["bomb.docx"].findings[0].message


@needs_seeds
def test_batch_outputs_and_annotated_copy(built: dict[str, Path], tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    original = built["000"].read_bytes()
    with zipfile.ZipFile(src / "batch.zip", "w") as zf:
        zf.writestr("dept/000.docx", original)
    out = tmp_path / "out"
    report = validate_paths([src], out_dir=out, jobs=2)
    (res,) = report.files
    assert res.status == "invalid" and res.annotated and res.path.endswith("!dept/000.docx")
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert {f["code"] for f in data["files"][0]["findings"]} == {"JX602", "JX606"}
    csv_text = report.to_csv() if hasattr(report, "to_csv") else ""
    assert not csv_text or "JX606" in csv_text
    copy = out / res.annotated
    with zipfile.ZipFile(copy) as zf:
        comments = zf.read("word/comments.xml").decode()
        body = zf.read("word/document.xml").decode()
    assert comments.count("<w:comment ") == 3 and "绩效监管" in comments
    assert body.count('w:highlight w:val="yellow"') >= 3
    assert read_report(copy).segments  # the copy opens
    assert (src / "batch.zip").exists()  # the user's files are untouched


CJK_FONT = next((p for p in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc") if Path(p).exists()), None)


SPEC_REPORT = [
    "一、项目投入(标准分15分, 自评分13.7分)",
    "1、项目立项: 该指标基准分为9分, 经评价, 该指标自评得分8.7分。",
    "2、资金落实: 该指标基准分为6分, 经评价, 该指标自评得分5.5分。",  # 8.7 + 5.5 ≠ 13.7
    "此项评价分值=5×92.97÷100=4.56分。",  # 4.65
    "本项目绩效自评得85分，等级为“优”。",  # 85 → 良
    "预算总额20.00万元，全年预算执行数为18.00万元，预算执行率为95%。",  # 90%
]


@pytest.mark.skipif(CJK_FONT is None, reason="needs a Noto CJK font (fonts-noto-cjk)")
def test_pdf_report_gives_what_the_docx_gives(tmp_path: Path) -> None:
    """A PDF's text layer (written by fpdf2 with a CJK font) is read and checked like the .docx.
    (fpdf2 writes a wrong text layer once a page uses a few hundred distinct glyphs, so the spec
    report stays short.)"""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("cjk", fname=CJK_FONT, collection_font_number=2)
    pdf.set_font("cjk", size=10)
    for line in SPEC_REPORT:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "r.pdf"))
    (tmp_path / "r.docx").write_bytes(_docx(SPEC_REPORT))
    from_pdf = validate_report(tmp_path / "r.pdf")
    from_docx = validate_report(tmp_path / "r.docx")
    assert sorted(codes(from_pdf)) == sorted(codes(from_docx)) == ["JX601", "JX602", "JX604", "JX605"]


def test_unspace_glyph_spacing() -> None:
    from jixiao.reports.reading import unspace

    assert unspace("本 项 目 绩 效 自 评 得 9 1 分  等 级 为 优") == "本项目绩效自评得91分 等级为优"
    assert unspace("Total 91 points in this report") == "Total 91 points in this report"


def test_report_paired_with_its_workbook_by_project(tmp_path: Path) -> None:
    from workbook_factory import build

    build(tmp_path / "a1.xlsx", [("自评表", "xiangmu", {})])  # 质量技术监督专项经费, 9.87, 99.87
    build(tmp_path / "other.xlsx", [("附表1", "fubiao1", {})])  # 质量与安全监管
    (tmp_path / "绩效自评报告.txt").write_text("\n".join([
        "2019年质量技术监督专项经费项目绩效自评报告",
        "预算执行率98.73%，预算执行率得分为9.50分。",  # the workbook says 9.87
        "总计评分为99.87分，评价结论为：优。",
    ]), encoding="utf-8")
    report = validate_paths([tmp_path], jobs=2)  # results cross process boundaries
    by = {Path(f.path).name: f for f in report.files}
    res = by["绩效自评报告.txt"]
    assert res.paired is not None and res.paired.endswith("a1.xlsx")
    (finding,) = res.findings
    assert finding.code == "JX606" and "9.50" in finding.message and "9.87" in finding.message
    assert "a1.xlsx 自评表!" in finding.message and "第 2 段" in finding.message
    assert res.to_dict()["paired"].endswith("a1.xlsx")
    alone = validate_report(tmp_path / "绩效自评报告.txt")  # without its workbook: nothing to hold it against
    assert alone.findings == []


def test_workbook_facts_only_when_the_batch_holds_a_report(tmp_path: Path) -> None:
    """A batch without a 自评报告 skips the workbooks' facts; their findings are the same either way."""
    from workbook_factory import XIANGMU_SEED, build, replace_row

    books = tmp_path / "books"
    books.mkdir()
    build(books / "a1.xlsx", [("自评表", "xiangmu", {"rows": replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=24)})])
    build(books / "ok.xlsx", [("附表1", "fubiao1", {})])
    plain = validate_paths([books], jobs=1)
    (tmp_path / "绩效自评报告.txt").write_text("总计评分为99.87分，评价结论为：优。", encoding="utf-8")
    mixed = validate_paths([books, tmp_path / "绩效自评报告.txt"], jobs=1)
    assert [f.facts for f in plain.files] == [None, None]
    with_report = {Path(f.path).name: f for f in mixed.files}
    assert all(with_report[n].facts is not None for n in ("a1.xlsx", "ok.xlsx"))
    assert any(f.findings for f in plain.files)
    for f in plain.files:
        assert f.findings == with_report[Path(f.path).name].findings
        assert f.status == with_report[Path(f.path).name].status
    # validate_file works the facts out only when asked (a 自评报告 is held against them)
    alone, asked = validate_file(books / "a1.xlsx"), validate_file(books / "a1.xlsx", facts=True)
    assert alone.facts is None and asked.facts.total is not None and asked.facts.items
    assert alone.findings == asked.findings and alone.status == asked.status


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 30)), min_size=2, max_size=6),
       st.integers(0, 5), st.sampled_from([0, 1]))
def test_scores_hold_or_are_found(tmp_path: Path, rows: list[tuple[int, int]], wrong: int, where: int) -> None:
    """Generated reports: 标准分 P, 扣 D, 得 P−D per item and the total; correct ones give no finding,
    one wrong 得分 (or a wrong total) gives findings quoting it."""
    items = [(p, min(d, p * 10) / 10) for p, d in rows]  # deductions in tenths, never above 分值
    if sum(p for p, _ in items) < 100:  # 分值 add up to 100, so the stated total is checked too
        items.append((100 - sum(p for p, _ in items), 0.0))
    total_points = sum(p for p, _ in items)
    lines = [f"{i + 1}、指标{i + 1}: 该指标标准分为{p}分, 扣{d:g}分, 自评得分{p - d:g}分。" for i, (p, d) in enumerate(items)]
    total = sum(p - d for p, d in items)
    lines.append(f"本项目绩效自评得{total:g}分。")
    path = tmp_path / "ok.docx"
    path.write_bytes(_docx(lines))
    res = validate_report(path)
    assert res.findings == [], res.findings
    k = wrong % len(items) if where == 0 else len(lines) - 1
    bad = list(lines)
    bad[k] = re.sub(r"得(分)?(\d+(?:\.\d+)?)分。$", lambda m: f"得{m.group(1) or ''}{float(m.group(2)) + 0.5:g}分。", bad[k])
    path.write_bytes(_docx(bad))
    res = validate_report(path)
    changed = re.search(r"得分?(\d+(?:\.\d+)?)分。$", bad[k]).group(1)
    if where == 0:
        assert any(f.code == "JX603" and changed in f.message for f in res.findings), (bad, res.findings)
    elif total_points == 100:
        assert any(f.code == "JX602" and changed in f.message for f in res.findings), (bad, res.findings)


@needs_seeds
def test_cli_every_output_format(built: dict[str, Path], tmp_path: Path) -> None:
    import csv

    import openpyxl
    from click.testing import CliRunner

    from jixiao.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.docx").write_bytes(built["001"].read_bytes())

    def run(*args: str) -> str:
        res = CliRunner().invoke(main, ["validate", str(folder), *args], catch_exceptions=False)
        assert res.exit_code == 1, res.output
        return res.output

    data = json.loads(run("--format", "json"))
    assert "JX607" in {f["code"] for f in data["files"][0]["findings"]}
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv").lstrip("\ufeff"))))
    assert {r["code"] for r in rows} == {"JX602", "JX604", "JX607"} and all(r["cell"] for r in rows)
    assert "87.65元" in run("--format", "text")
    out = tmp_path / "out"
    run("--format", "xlsx", "--out", str(out))
    ws = openpyxl.load_workbook(out / "校验汇总.xlsx")["问题"]
    places = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert places and all(p and "段" in p for p in places)
    assert list((out / "annotated").glob("*.docx"))


@needs_seeds
def test_shipped_reports_are_current(built: dict[str, Path]) -> None:
    """examples/reports/ holds what build_reports.py makes from the seeds (checked by what they give)."""
    shipped = {p.name[:3]: p for p in (ROOT / "examples" / "reports").glob("*.docx")}
    assert set(shipped) == set(built), "run: python examples/build_reports.py"
    for number, path in built.items():
        fresh = [(f.code, f.message) for f in validate_report(path).findings]
        assert [(f.code, f.message) for f in validate_report(shipped[number]).findings] == fresh, number
        assert [s.text for s in read_report(shipped[number]).segments] == [s.text for s in read_report(path).segments]


@needs_seeds
def test_subproject_figures_are_not_held_against_the_project_table(tmp_path: Path) -> None:
    """A 子项目's 执行率 or spending, or a part after 其中, is not the table's project figure."""
    text = seed_text("001").replace(
        "在财务管理上，", "2019年特种设备子项目预算执行率为50.39%，全年累计支出8.00万元。\n"
        "全年执行数86.54万元，其中当年财政拨款支出80.00万元。\n在财务管理上，", 1)
    def found(path: Path) -> set[tuple[str, str]]:  # paragraph numbers shift by the two added
        return {(f.code, re.sub(r"第 \d+ 段", "", f.message)) for f in validate_report(path).findings}

    assert found(build_reports.build_report(text, tmp_path / "b.docx")) == found(
        build_reports.build_report(seed_text("001"), tmp_path / "a.docx"))
    wrong = text.replace("全年执行数86.54万元", "全年执行数96.54万元", 1)
    found = validate_report(build_reports.build_report(wrong, tmp_path / "c.docx")).findings
    assert any(f.code == "JX606" and "96.54万元" in f.message and "86.54万元" in f.message for f in found)


def test_txt_in_a_folder_is_a_report_only_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("说明：本项目绩效自评得85分，等级为“优”。", encoding="utf-8")
    (tmp_path / "自评报告.txt").write_text("本项目绩效自评得85分，等级为“优”。", encoding="utf-8")
    report = validate_paths([tmp_path])
    assert [Path(f.path).name for f in report.files] == ["自评报告.txt"]
    assert codes(report.files[0]) == ["JX605"]
    assert codes(validate_paths([tmp_path / "notes.txt"]).files[0]) == ["JX605"]  # named on the command line


def test_other_phrasings(tmp_path: Path) -> None:
    """Phrasings the seeds do not use: 分值 in the heading, 扣减, 满分, 综合评分, 等级评定为."""
    holding = [
        "（1）决策程序（6分）", "项目设立符合规定，扣减1分，得5分。",
        "（2）规划论证（4分）", "该项指标满分4分，得分4分。",
        "经自评，本项目得分9分，等级评定为“差”。",
    ]
    path = tmp_path / "ok.docx"
    path.write_bytes(_docx(holding))
    assert validate_report(path).findings == []
    wrong = [holding[0], "项目设立符合规定，扣减1分，得4分。", *holding[2:4], "综合评分为10分，等级评定为“良”。"]
    path.write_bytes(_docx(wrong))
    got = {f.code: f.message for f in validate_report(path).findings}
    assert set(got) == {"JX603", "JX605"}, got  # 6 − 1 ≠ 4; 10 → 差 (items 4 + 4 ≠ 10 only if 分值 made 100)
    assert "扣减1分，得4分" in got["JX603"] and "应为“差”" in got["JX605"]


@needs_seeds
@pytest.mark.parametrize("number", SWEEP_SEEDS)
def test_seed_text_reads_like_its_word_version(built: dict[str, Path], tmp_path: Path, number: str) -> None:
    """The seed as a plain-text report (tables rebuilt from tabs) gives the findings its .docx gives."""
    path = tmp_path / "自评报告.txt"
    path.write_bytes(seed_text(number).encode("gb18030"))

    def found(p: Path) -> list[tuple[str, str]]:
        return sorted((f.code, re.sub(r"第 \\d+ 段", "", f.message)) for f in validate_report(p).findings)

    assert found(path) == found(built[number])


def test_a_crash_in_the_claim_checks_is_jixiaos_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.reports.validate as rv

    def boom(*args: object) -> None:
        raise ZeroDivisionError("bug")

    path = tmp_path / "r.docx"
    path.write_bytes(_docx(SPEC_REPORT))
    monkeypatch.setattr(rv, "check_claims", boom)
    res = validate_report(path)
    assert codes(res) == ["JX900"] and "bug" in res.findings[0].message
    monkeypatch.setattr(rv, "extract", boom)
    assert codes(validate_report(path)) == ["JX900"]
