"""Rebuild everything under examples/ that is generated: workbooks/ and submissions/.

    python examples/build_examples.py            # rewrite examples/workbooks and examples/submissions
    python examples/build_examples.py --out DIR  # build into DIR instead (tests compare the two)
    python examples/build_examples.py --no-xls   # skip the .xls (needs LibreOffice)

workbooks/   the seed cases generated from data/ by `jixiao generate` (our templates).
submissions/ what a reviewer receives: clean files, files with the typical mistakes, hand-typed
             layouts (title rows, renamed sheets, units typed into cells), an .xls, and broken
             files. The hand-typed layouts come from tests/workbook_factory.py (plain Python).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
os.environ.setdefault("TQDM_DISABLE", "1")

import workbook_factory as wf  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from jixiao.generate import load_projects, template_data, write_projects  # noqa: E402
from jixiao.templates import template_layout  # noqa: E402
from jixiao.xlsxcache import exact_numbers  # noqa: E402

SEED_000 = HERE / "data" / "000-阿坝州-质量与安全监管.yaml"
SEED_001 = HERE / "data" / "001-蔡甸区-质量技术监督专项经费.yaml"
SEED_004 = HERE / "data" / "004-云南-质量安全监管专项经费.yaml"

# (file name, data file, form, mode)
WORKBOOKS = [
    ("000-阿坝州-附表1-质量与安全监管.xlsx", SEED_000, "fubiao1", "native"),
    ("000-阿坝州-附表2-质量与安全监管.xlsx", SEED_000, "fubiao2", "native"),
    ("001-蔡甸区-质量技术监督专项经费.xlsx", SEED_001, "xiangmu", "native"),
    ("001-蔡甸区-质量技术监督专项经费-udf.xlsx", SEED_001, "xiangmu", "udf"),
    ("001-蔡甸区-质量技术监督专项经费-lambda.xlsx", SEED_001, "xiangmu", "lambda"),
    ("004-云南-质量安全监管专项经费.xlsx", SEED_004, "xiangmu", "native"),
]


def _generate(dst: Path, data: Path | list, form: str, mode: str) -> Path:
    """One workbook from a data file (or from a list of already-loaded projects)."""
    projects = data if isinstance(data, list) else load_projects(data, form)
    with tempfile.TemporaryDirectory() as tmp:
        (path,) = write_projects(projects, form, mode, tmp)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), dst)
    return dst


def _edit(project: Any, name: str, **changes: Any) -> Any:
    for ind in project.indicators:
        if ind.level3 == name:
            for k, v in changes.items():
                setattr(ind, k, v)
            return project
    raise KeyError(name)


def build_workbooks(out: Path) -> None:
    for name, data, form, mode in WORKBOOKS:
        _generate(out / name, data, form, mode)


def _overwrite_formula(path: Path, data: Path, form: str, indicator: str, value: Any) -> None:
    """A template whose 得分 formula was typed over with a constant (then recalculated)."""
    from jixiao.hosts.formulas_host import recalc_file

    project = load_projects(data, form)[0]
    lay = template_layout(form, template_data(project, form))
    row = next(r for r in lay.rows if _cell_text(path, lay.sheet, r["level3"]) == indicator)
    wb = load_workbook(path)
    wb[lay.sheet][row["score"]] = value
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.xlsx"
        with exact_numbers():
            wb.save(raw)
        recalc_file(raw, path)


def _cell_text(path: Path, sheet: str, cell: str) -> Any:
    return load_workbook(path, read_only=False)[sheet][cell].value


def build_submissions(out: Path, xls: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # --- clean, from our templates
    _generate(out / "01-蔡甸区-质量技术监督专项经费（模板）.xlsx", SEED_001, "xiangmu", "native")
    _generate(out / "02-阿坝州-附表1（模板）.xlsx", SEED_000, "fubiao1", "native")
    _generate(out / "03-云南-质量安全监管专项经费（模板）.xlsx", SEED_004, "xiangmu", "native")
    # --- clean, typed by hand: title rows, offsets, units in text, renamed sheets, notes sheet
    lay = wf.Layout(top=2, left=1)
    wf.build(out / "04-蔡甸区-自评表（手工录入）.xlsx", [("2019年自评表", "xiangmu", {"layout": lay})])
    wf.build(out / "05-阿坝州-附表1（手工录入）.xlsx",
             [("打分表", "fubiao1", {"layout": wf.Layout(top=1)})], instructions_first=True)

    # --- typical mistakes, typed by hand
    seed = wf.XIANGMU_SEED
    wf.build(out / "11-得分算错.xlsx", [("Sheet1", "xiangmu", {
        "rows": wf.replace_row(seed, "质量技术监督专项经费的可持续影响情况", score=13), "total": 97.87})])
    wf.build(out / "12-附表2-权重合计不是90.xlsx", [("附表2", "fubiao2", {
        "rows": wf.replace_row(wf.FUBIAO2_SEED, "专家劳务费", points="5%")})])
    funds = dict(wf.XIANGMU_FUNDS)
    funds["年度资金总额"] = ("", "87.65万元", "86.54万元", 10, "97.73%", 9.87)
    wf.build(out / "13-执行率算错.xlsx", [("自评表", "xiangmu", {"funds": funds})])
    wf.build(out / "14-总分算错.xlsx", [("自评表", "xiangmu", {"total": 98.87})])
    wf.build(out / "15-附表1-等级与总分不符.xlsx", [("附表1", "fubiao1", {"grade": "良"})])
    rows = wf.replace_row(seed, "社会公众或服务对象对项目实施效果的满意程度", actual="72%", score=9)
    wf.build(out / "16-缺少偏差原因.xlsx", [("自评表", "xiangmu", {"rows": rows, "total": 98.87})])
    # 反向 indicator scored as if 正向 (the public checker's mistake, made by hand here).
    rows = wf.replace_row(seed, "不超过年度预算", score=24.68)
    wf.build(out / "17-反向指标按正向计分.xlsx", [("自评表", "xiangmu", {
        "rows": rows, "total": 99.55, "nature": {"不超过年度预算": "≤"}})])

    # --- mistakes inside our templates
    path = _generate(out / "21-模板公式被手工覆盖.xlsx", SEED_001, "xiangmu", "native")
    _overwrite_formula(path, SEED_001, "xiangmu", "不超过年度预算", 20)
    project = load_projects(SEED_004, "xiangmu")[0]
    _edit(project, "年度监督抽查计划完成率", actual="85%")
    _generate(out / "22-云南-未达标未写原因（模板）.xlsx", [project], "xiangmu", "native")

    # --- an old-format .xls (LibreOffice converts a hand-typed workbook)
    if xls:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "31-蔡甸区-自评表（xls格式）.xlsx"
            wf.build(src, [("自评表", "xiangmu", {"layout": wf.Layout(top=1)})])
            (converted,) = wf.convert_to_xls([src])
            shutil.move(str(converted), out / converted.name)

    # --- broken files
    (out / "91-空文件.xlsx").write_bytes(b"")
    (out / "92-不是工作簿.xlsx").write_text("这是一封邮件正文，不是工作簿。\n", encoding="utf-8")
    (out / "93-下载中断.xlsx").write_bytes(_truncated_zip())


def normalize(folder: Path) -> None:
    """Fixed zip timestamps and document dates, so an unchanged build gives identical bytes."""
    import re

    for path in sorted(folder.glob("*.xlsx")):
        try:
            with zipfile.ZipFile(path) as zf:
                parts = [(info, zf.read(info.filename)) for info in zf.infolist()]
        except zipfile.BadZipFile:
            continue  # the deliberately broken files
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in parts:
                if info.filename == "docProps/core.xml":
                    data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
                fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                fixed.external_attr = 0o644 << 16
                out.writestr(fixed, data)
        tmp.replace(path)


def _truncated_zip() -> bytes:
    """The first part of a zip (a download cut short); fixed timestamps keep it reproducible."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
                           ("xl/workbook.xml", "<workbook>" + "<sheet/>" * 400 + "</workbook>")):
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            zf.writestr(info, text)
    data = buf.getvalue()
    return data[: len(data) // 2]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to build into (default: examples/)")
    ap.add_argument("--no-xls", action="store_true", help="skip the .xls (needs LibreOffice)")
    args = ap.parse_args(argv)
    for sub in ("workbooks", "submissions"):
        target = args.out / sub
        if target.exists():
            keep_xls = args.no_xls and sub == "submissions"
            for f in target.iterdir():
                if not (keep_xls and f.suffix == ".xls"):
                    f.unlink()
    build_workbooks(args.out / "workbooks")
    build_submissions(args.out / "submissions", xls=not args.no_xls)
    normalize(args.out / "workbooks")
    normalize(args.out / "submissions")
    print(f"built {args.out / 'workbooks'} and {args.out / 'submissions'}")


if __name__ == "__main__":
    main()
