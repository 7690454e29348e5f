"""Differential check: `jixiao validate` of this checkout against an earlier commit, on a corpus
built here from the test factories, so that a speed-up that changes a finding shows.

    python benchmarks/differential.py [--base main] [--n 240] [--mutations 400] [--office] [--copies]

The base commit is checked out as a detached worktree in a temporary folder and run with
``PYTHONPATH=<it>/src`` on the same interpreter. The corpus: hand-typed layouts from
tests/workbook_factory.py with random labels, offsets, merges and injected errors; the typing
styles of tests/test_typing_styles.py; every form's templates (filled from its sample, blank and
random, with and without cached values); tests/hostile_factory.py inputs; the examples; random
cell edits of all of these; packages repacked as zip variants (zip64, comments, data descriptors,
stored, extra fields, prepended/trailing data, unicode/cp437/duplicate names, a bad CRC, a lying
size or offset); archives of them. ``--office`` adds LibreOffice re-saves (.xlsx/.xls/.ods).

Each folder is validated with ``--format json`` by both, from the corpus folder (relative paths:
the JSON then holds nothing that legitimately differs), and every file record and summary that
differs is printed. ``--copies`` also runs ``--format xlsx --out`` with both and compares every
annotated copy and summary cell by cell (values, comments, fills, formats, merges) with openpyxl.

Not a test: it needs the git history and minutes, and a difference is for a person to judge (a
deliberate change of a finding shows here too).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

from _common import ROOT  # puts tests/ on the path

# isort: split
import workbook_factory as wf

JUNK = [None, "", "—", "abc", "十分", "10分", "5%", "0.05", -3, 0, 1e9, " 7.5", "1,000", "１０", 12.5, "#N/A",
        True, "=1+1", "无", "100%", "87.65万元", "3.2e1"]
LABELS = ["分值", "得分", "合计", "总分", "等级", "自评得分", "权重", "一级指标", "三级指标", "实际完成值", "小计",
          "附表1", "项目支出绩效自评表", "扣分项", "个性指标", "不适用", "/", "—", "", None, 0, 5, 25, 99.87,
          "10%", 0.05, "87.65万元", "=1+2", "#N/A", "（10分）", "产出指标", "填表说明", "备注", "年度资金总额",
          "总分：91", " ", "合  计", "综合得分"]
ZIP_VARIANTS = ["zip64", "comment", "descriptor", "stored", "mixed", "prepend", "unicode", "duplicate",
                "extra", "trailing", "version", "cp437", "crc", "size", "offset", "gap"]


def factory(out: Path, n: int, rng: random.Random) -> None:
    for i in range(n):
        forms = rng.choice([["fubiao1"], ["fubiao2"], ["xiangmu"], ["fubiao1", "fubiao2"],
                            ["fubiao1", "fubiao2", "xiangmu"], ["xiangmu", "xiangmu"]])
        same_sheet = len(forms) > 1 and rng.random() < 0.25
        sheets, top = [], 0
        for k, form in enumerate(forms):
            labels = rng.choice([{}, {}, {"points": "分 值"}, {"score": "得 分"}, {"分值": "分值\n"}, {"权重": "权 重"}])
            lay = wf.Layout(top=top + rng.randint(0, 4), left=rng.randint(0, 3), merge=rng.random() < 0.7,
                            labels=labels, title=rng.random() < 0.85, total=rng.random() < 0.85,
                            grade=rng.choice([None, None, "优", "良", "A"]))
            p = rng.choice([0, 0, 0.05, 0.15, 0.4])

            def mutate(rows: list[tuple], fields: list[int], p: float = p) -> list[tuple]:
                return [tuple(rng.choice(JUNK + [rng.randint(0, 30)]) if i in fields and rng.random() < p else v
                              for i, v in enumerate(row)) for row in rows]

            kw: dict = {"layout": lay}
            if form == "fubiao1":
                kw.update(rows=mutate(wf.FUBIAO1_SEED, [3, 5]), total=rng.choice([91, 91, 90, "91分", None]),
                          grade=rng.choice(["优", "良", None]), deduction=rng.choice([None, 0, 2, -2, 15, "2分"]))
            elif form == "fubiao2":
                kw.update(rows=mutate(wf.FUBIAO2_SEED, [4, 6, 7]), weights=rng.choice(["text", "fraction", "points"]),
                          funds=rng.choice([(15.0, 15.0, None), (15.0, 16.0, "120%"), ("15万元", "15万元", None)]))
            else:
                kw.update(rows=mutate(wf.XIANGMU_SEED, [3, 4, 5, 6]), total=rng.choice([99.87, 98.87, "99.87分", None]))
            if same_sheet:
                top = lay.top + 40
            sheets.append(("自评表" if same_sheet else f"{form}{k}", form, kw))
        wf.build(out / f"f{i:03d}.xlsx", sheets, instructions_first=rng.random() < 0.3)


def typing_styles(out: Path) -> None:
    import test_typing_styles as ts

    for name, write in ts.VARIANTS.items():
        for inject in (False, True):
            write(out / f"{name}-{int(inject)}.xlsx", inject)


def templates(out: Path, rng: random.Random) -> None:
    from jixiao import templates as t
    from jixiao.forms import builtin_form_ids
    from jixiao.templates.samples import SEEDS, random_data

    for form in builtin_form_ids():
        for mode in t.MODES:
            for k in range(5):
                data = SEEDS.get(form) if k == 0 else None if k == 1 else random_data(form, rng)
                path = t.write_workbook(out / f"t-{form}-{mode}-{k}.xlsx", form, mode, data)
                if k % 2 == 0:
                    wf.strip_cached_values(path, out / f"u-{form}-{mode}-{k}.xlsx")


def hostile(out: Path) -> None:
    import hostile_factory as hf

    member = next((ROOT / "examples" / "workbooks").glob("*.xlsx")).read_bytes()
    hf.corner(out / "corner.xlsx")
    hf.positional_bomb(out / "positional.xlsx")
    hf.uncached_long(out / "uncached.xlsx", 3000)
    hf.many_sheets(out / "many.xlsx", 300)
    hf.xls_dimensions(out / "dims.xls")
    hf.xls_directory_loop(out / "loop.xls")
    hf.overlapping_zip(out / "overlap.zip", member, 5)
    hf.gbk_zip(out / "gbk.zip", {"附表1.xlsx": member})
    (out / "truncated.xlsx").write_bytes(member[: len(member) // 2])


def mutations(out: Path, pool: list[Path], n: int, rng: random.Random) -> None:
    """Random cells of random workbooks typed over with labels, numbers and text; rows moved."""
    from openpyxl import load_workbook

    for i in range(n):
        src = rng.choice(pool)
        wb = load_workbook(src)
        ws = rng.choice(wb.worksheets)
        rows, cols = max(ws.max_row, 2), max(ws.max_column, 2)
        for _ in range(rng.randint(1, 8)):
            cell = ws.cell(row=rng.randint(1, rows + 2), column=rng.randint(1, cols + 1))
            if type(cell).__name__ != "MergedCell":
                cell.value = rng.choice(LABELS)
        if rng.random() < 0.2:
            ws.insert_rows(rng.randint(1, rows), rng.randint(1, 3))
        if rng.random() < 0.15:
            ws.delete_rows(rng.randint(1, rows), 1)
        wb.save(out / f"m{i:03d}-{src.stem}.xlsx")


def _entries(data: bytes) -> list[int]:
    end = data.rfind(b"PK\x05\x06")
    at, out = struct.unpack_from("<L", data, end + 16)[0], []
    while at < end:
        out.append(at)
        at += 46 + sum(struct.unpack_from("<3H", data, at + 28))
    return out


def repack(src: Path, dst: Path, how: str, rng: random.Random) -> None:
    """``src``'s members written again as the zip variant ``how``."""
    with zipfile.ZipFile(src) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    buf = io.BytesIO()

    class Unseekable(io.RawIOBase):  # zipfile then writes data descriptors
        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:  # type: ignore[override]
            return buf.write(b)

    method = zipfile.ZIP_STORED if how == "stored" else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(Unseekable() if how == "descriptor" else buf, "w", method) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        if how == "comment":
            z.comment = "报送单位".encode()
        for name, data in members:
            zi = zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED if how == "mixed" and rng.random() < 0.5 else method
            if how == "extra":
                zi.extra = b"\x55\x54\x05\x00\x01\x00\x00\x00\x00"  # extended timestamp
            with z.open(zi, "w", force_zip64=how == "zip64") as fh:
                fh.write(data)
        if how in ("unicode", "cp437"):
            z.writestr("xl/QQQQQQQQ.xml" if how == "cp437" else "xl/媒体说明.xml", "<?xml version='1.0'?><a/>")
        if how == "duplicate":
            z.writestr(*next(m for m in members if m[0].startswith("xl/worksheets/sheet")))
    data = bytearray(buf.getvalue())
    if how == "cp437":  # a non-ASCII name without the UTF-8 flag, as Chinese Windows writes it
        data = bytearray(data.replace(b"QQQQQQQQ", "媒体说明".encode("gbk")))
    sheet = next(e for e in _entries(bytes(data)) if data[e + 46:e + 60] == b"xl/worksheets/")
    if how == "version":
        data[sheet + 6] = 70  # needs a newer zip than zipfile reads
    elif how == "crc":
        off = struct.unpack_from("<L", data, sheet + 42)[0]
        data[off + 30 + sum(struct.unpack_from("<2H", data, off + 26)) + 5] ^= 0x55
    elif how == "size":
        struct.pack_into("<L", data, sheet + 24, max(struct.unpack_from("<L", data, sheet + 24)[0] // 2, 1))
    elif how == "offset":
        struct.pack_into("<L", data, sheet + 42, 0)
    elif how == "gap":  # bytes between the members and the central directory, the end record updated
        end = data.rfind(b"PK\x05\x06")
        cd_at = struct.unpack_from("<L", data, end + 16)[0]
        data[cd_at:cd_at] = b"\x00" * 33
        struct.pack_into("<L", data, end + 33 + 16, cd_at + 33)
    prefix, suffix = (b"MZ junk" * 20 if how == "prepend" else b""), (b"\x00" * 7 if how == "trailing" else b"")
    dst.write_bytes(prefix + bytes(data) + suffix)


def archives(out: Path, pool: list[Path], rng: random.Random) -> None:
    for how in ("plain", "stored", "comment", "duplicate", "nested"):
        picks = rng.sample(pool, 4)
        with zipfile.ZipFile(out / f"a-{how}.zip", "w", zipfile.ZIP_STORED if how == "stored" else zipfile.ZIP_DEFLATED) as z, \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z.comment = b"batch" if how == "comment" else b""
            for j, p in enumerate(picks):
                z.writestr(f"单位{j}/{p.name}", p.read_bytes())
            if how == "duplicate":
                z.writestr(f"单位0/{picks[0].name}", picks[1].read_bytes())
            if how == "nested":
                inner = io.BytesIO()
                with zipfile.ZipFile(inner, "w") as zi:
                    zi.writestr(picks[0].name, picks[0].read_bytes())
                z.writestr("inner.zip", inner.getvalue())


def build(root: Path, args: argparse.Namespace) -> list[str]:
    rng = random.Random(args.seed)
    dirs = ["factory", "typing", "templates", "hostile", "examples", "mutated", "zipvar", "archives"]
    for d in dirs:
        (root / d).mkdir(parents=True)
    factory(root / "factory", args.n, rng)
    typing_styles(root / "typing")
    templates(root / "templates", rng)
    hostile(root / "hostile")
    for sub in ("submissions", "workbooks", "reports"):
        for f in (ROOT / "examples" / sub).iterdir():
            shutil.copy(f, root / "examples" / f.name)
    pool = sorted(p for d in ("factory", "typing", "templates") for p in (root / d).glob("*.xlsx"))
    if args.office:
        dirs.append("office")
        (root / "office").mkdir()
        picks = rng.sample(pool, min(60, len(pool)))
        for fmt in ("xlsx", "xls", "ods"):
            for f in wf.resave(picks, fmt, root / "lo" / fmt):
                f.rename(root / "office" / f"{fmt}-{f.name}")  # same stems in three formats
        shutil.rmtree(root / "lo")
        pool += sorted((root / "office").glob("*.xlsx"))
    mutations(root / "mutated", pool, args.mutations, rng)
    for how in ZIP_VARIANTS:
        for src in rng.sample(pool, 6):
            repack(src, root / "zipvar" / f"{how}-{src.name}", how, rng)
    archives(root / "archives", pool + sorted((root / "office").glob("*.x*")), rng)
    return dirs


def run(python_path: str | None, root: Path, folder: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | ({"PYTHONPATH": python_path} if python_path else {})
    return subprocess.run([sys.executable, "-c", "from jixiao.cli import main; main()", "validate", folder, *extra],
                          cwd=root, env=env, capture_output=True, text=True, check=False)


def compare_json(old: dict, new: dict) -> list[str]:
    out = []
    a, b = ({r["path"]: r for r in doc["files"]} for doc in (old, new))
    out += [f"only in one run: {p}" for p in sorted(set(a) ^ set(b))]
    out += [f"{p}\n  base: {json.dumps(a[p], ensure_ascii=False)}\n  this: {json.dumps(b[p], ensure_ascii=False)}"
            for p in sorted(set(a) & set(b)) if a[p] != b[p]]
    if old["summary"] != new["summary"]:
        out.append(f"summary\n  base: {old['summary']}\n  this: {new['summary']}")
    return out


def describe(path: Path) -> dict:
    """What a reader sees of a workbook; values compared as values (the number 91 written as "91"
    or "91.0" is the same cell)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = [c for row in ws.iter_rows() for c in row]
        out[ws.title] = {
            "values": {c.coordinate: wf.cell_content(c.value) for c in cells if c.value is not None},
            "comments": {c.coordinate: c.comment.text for c in cells if c.comment},
            "fills": {c.coordinate: c.fill.fgColor.rgb for c in cells if c.fill.fill_type == "solid"},
            "formats": {c.coordinate: c.number_format for c in cells if c.value is not None},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges)}
    return out


def compare_copies(old: Path, new: Path) -> list[str]:
    out = []
    for p in sorted(set(old.rglob("*.xlsx")) | {old / q.relative_to(new) for q in new.rglob("*.xlsx")}):
        q = new / p.relative_to(old)
        if not (p.exists() and q.exists()):
            out.append(f"only in one run: {p.relative_to(old)}")
            continue
        a, b = describe(p), describe(q)
        for sheet in dict.fromkeys([*a, *b]):
            if a.get(sheet) != b.get(sheet):
                x, y = a.get(sheet) or {}, b.get(sheet) or {}
                diff = {k: ({c: x[k].get(c) for c in set(x[k]) ^ set(y[k]) | {c for c in x[k] if x[k][c] != y[k].get(c)}},
                            {c: y[k].get(c) for c in set(x[k]) ^ set(y[k]) | {c for c in y[k] if y[k][c] != x[k].get(c)}})
                        for k in x.keys() & y.keys() if isinstance(x[k], dict) and x[k] != y[k]} if x and y else "sheet"
                out.append(f"{p.relative_to(old)} [{sheet}]: {str(diff)[:600]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="main")
    ap.add_argument("--n", type=int, default=240, help="hand-typed factory workbooks")
    ap.add_argument("--mutations", type=int, default=400)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--office", action="store_true", help="LibreOffice re-saves as .xlsx/.xls/.ods too")
    ap.add_argument("--copies", action="store_true", help="compare annotated copies and summaries too")
    ap.add_argument("--keep", type=Path, help="build the corpus and outputs here and keep them")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-diff-"))
    root = args.keep or tmp / "corpus"
    base = tmp / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
                   check=True, capture_output=True)
    differences = 0
    try:
        dirs = build(root, args)
        for d in dirs:
            old, new = (json.loads(run(pp, root, d, "--format", "json").stdout) for pp in (str(base / "src"), None))
            found = compare_json(old, new)
            print(f"{d}: {len(new['files'])} files, {sum(len(r['findings']) for r in new['files'])} findings, "
                  f"{len(found)} differences", flush=True)
            if found:
                print(*found, sep="\n")
            differences += len(found)
            if args.copies:
                for name, pp in (("base", str(base / "src")), ("this", None)):
                    run(pp, root, d, "--format", "xlsx", "--out", str(root / "out" / name / d))
                found = compare_copies(root / "out" / "base" / d, root / "out" / "this" / d)
                print(f"{d} copies: {len(list((root / 'out' / 'this' / d).rglob('*.xlsx')))} workbooks, "
                      f"{len(found)} differences", flush=True)
                if found:
                    print(*found, sep="\n")
                differences += len(found)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
