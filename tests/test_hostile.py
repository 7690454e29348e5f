"""Hostile and broken input: every file gets its result, the batch always finishes.

The end-to-end cases run the CLI in a subprocess under a 4 GB address-space cap, as a reviewer's
machine would; the temp folder is the test's own, so leftovers are seen.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_factory import (
    corner,
    gbk_zip,
    many_sheets,
    overlapping_zip,
    positional_bomb,
    uncached_long,
    xls_dimensions,
    xls_directory_loop,
)
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from workbook_factory import XIANGMU_SEED, build, replace_row

from jixiao import archives
from jixiao.validation import validate_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "submissions"
CAP = 4 * 1024**3


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def cli(*args: str, tmp: Path, wrapper: str = "", verb: str = "validate") -> subprocess.CompletedProcess[str]:
    """`jixiao <verb> …` in a subprocess under a 4 GB cap, TMPDIR inside the test's folder."""
    tmpdir = tmp / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    code = wrapper + "\nfrom jixiao.cli import main\nmain()"
    env = {**os.environ, "TMPDIR": str(tmpdir), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", code, verb, *args], capture_output=True, text=True, env=env,
                          preexec_fn=_cap, timeout=600)


def hostile_folder(root: Path) -> dict[str, str]:
    """Every hostile file beside a copy of the example submissions; name → words of its finding."""
    d = root / "收件"
    d.mkdir(parents=True)
    for p in EXAMPLES.iterdir():
        (d / p.name).write_bytes(p.read_bytes())
    member = (EXAMPLES / "11-得分算错.xlsx").read_bytes()
    expect = {
        corner(d / "h-corner.xlsx").name: "数据范围过大",
        positional_bomb(d / "h-positional.xlsx").name: "内存超限",
        xls_dimensions(d / "h-dims.xls").name: "DIMENSIONS",
        xls_directory_loop(d / "h-loop.xls").name: "链表循环",
        uncached_long(d / "h-uncached.xlsx").name: "超出重新计算的大小上限",
        overlapping_zip(d / "h-overlap.zip", member).name: "相互重叠",
    }
    os.mkfifo(d / "h-fifo.xlsx")
    expect["h-fifo.xlsx"] = "命名管道"
    (d / "h-dangling.xlsx").symlink_to(d / "gone.xlsx")
    expect["h-dangling.xlsx"] = "失效的符号链接"
    (d / "h-self.xlsx").symlink_to(d / "h-self.xlsx")
    expect["h-self.xlsx"] = "链接循环"
    expect[many_sheets(d / "h-many-sheets.xlsx").name] = "文件过大，未生成批注副本"
    return expect


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_mixed_hostile_batch_finishes_with_every_result(tmp_path, jobs):
    expect = hostile_folder(tmp_path)
    stale = tmp_path / "tmpdir" / f"jixiao-batch-{_dead_pid()}-left"  # a killed run's folder
    (stale / "in").mkdir(parents=True)
    result = cli(str(tmp_path / "收件"), "--format", "json", "--jobs", jobs, "--timeout", "60",
                 "--out", str(tmp_path / "out"), tmp=tmp_path)
    assert result.returncode == 1, result.stderr
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    for name, words in expect.items():
        messages = [x["message"] for x in files[name]["findings"]]
        assert any(words in m for m in messages), (name, messages)
        # refused files are unreadable; those read with a limit applied (no recalculation, no copy) are not
        read = "h-uncached" in name or "h-many" in name
        assert files[name]["status"] == ("invalid" if read else "unreadable"), name
    for p in EXAMPLES.iterdir():  # every example keeps its usual result
        alone = validate_file(p)
        assert files[p.name]["status"] == alone.status, p.name
        assert [x["code"] for x in files[p.name]["findings"]] == [x.code for x in alone.findings], p.name
    assert not list((tmp_path / "tmpdir").iterdir())  # nothing left behind


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_uncached_formula_file_is_still_read_without_recalculation(tmp_path):
    res = validate_file(uncached_long(tmp_path / "u.xlsx"))
    assert res.status != "unreadable"
    assert any(x.rule == "formula-uncached" and "重新计算的大小上限" in x.message for x in res.findings)


def test_recalc_refuses_what_the_reader_refuses(tmp_path):
    for path, words in ((corner(tmp_path / "c.xlsx"), "数据范围过大"),
                        (uncached_long(tmp_path / "u.xlsx"), "大小上限")):
        result = cli(str(path), tmp=tmp_path, verb="recalc")
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert not list(tmp_path.glob("*-recalc.xlsx"))


def test_recalc_refuses_a_huge_shared_strings_part(tmp_path):
    import zipfile

    book = uncached_long(tmp_path / "s.xlsx", rows=3)
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z, \
            z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
        chunk = b"<si><t>x</t></si>" * 65536
        for _ in range(160 * 1024 * 1024 // len(chunk)):  # 160 MB of strings, a few hundred KB zipped
            part.write(chunk)
    result = cli(str(book), tmp=tmp_path, verb="recalc")
    assert result.returncode == 1 and "压缩炸弹" in result.stderr, result.stderr
    assert not list(tmp_path.glob("*-recalc.xlsx"))


def test_archive_bytes_are_bounded_across_nested_archives(tmp_path, monkeypatch):
    import zipfile

    member = (EXAMPLES / "11-得分算错.xlsx").read_bytes()
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        for i in range(4):
            z.writestr(f"内{i}.xlsx", member)
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("外.xlsx", member)
        z.write(inner, "inner.zip")
    monkeypatch.setattr(archives, "MAX_ARCHIVE_BYTES", 3 * len(member) + len(inner.read_bytes()))
    dest = tmp_path / "x"
    dest.mkdir()
    items = list(archives.extract_archive(outer, dest))
    extracted = [i for i in items if isinstance(i, archives.Extracted)]
    refused = [i for i in items if isinstance(i, archives.Refused)]
    assert len(extracted) == 3 and len(refused) == 2  # the budget runs out inside the nested archive
    assert all("上限" in r.reason or "压缩炸弹" in r.reason for r in refused)
    written = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    assert written <= archives.MAX_ARCHIVE_BYTES


def test_gbk_names_in_archives_read_as_chinese(tmp_path):
    member = (EXAMPLES / "11-得分算错.xlsx").read_bytes()
    archive = gbk_zip(tmp_path / "报送.zip", {"财政局/部门甲.xlsx": member})
    result = cli(str(archive), "--format", "json", tmp=tmp_path)
    paths = [f["path"] for f in json.loads(result.stdout)["files"]]
    assert paths == [f"{archive}!财政局/部门甲.xlsx"]


def _strange_batch(root: Path) -> Path:
    d = root / "in"
    rows = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=20, reason="_x0007_原因_x0001_[/]_x001B_[31m红")
    build(d / "a\x01b[/]\x1b[31m.xlsx", [("自评表", "xiangmu", {"rows": rows})])
    return d


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "xlsx"])
def test_control_characters_markup_and_escapes_never_break_an_output(tmp_path, fmt):
    d = _strange_batch(tmp_path)
    result = cli(str(d), "--format", fmt, "--out", str(tmp_path / "out"), tmp=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "\x1b" not in result.stdout and "\x01" not in result.stdout
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert "a\\x01b[/]\\x1b[31m.xlsx" in doc["files"][0]["path"]
    if fmt == "text":
        assert "[/]" in result.stdout  # shown as typed, never read as markup
    summary = load_workbook(tmp_path / "out" / "校验汇总.xlsx")
    names = [r[0] for r in summary["文件"].iter_rows(min_row=2, values_only=True)]
    assert any("\\x1b[31m" in n for n in names)
    copies = list((tmp_path / "out" / "annotated").iterdir())
    assert len(copies) == 1 and "\x1b" not in copies[0].name and "\x01" not in copies[0].name


def test_nothing_is_skipped_silently(tmp_path):
    empty = tmp_path / "空文件夹"
    (empty / "子").mkdir(parents=True)
    (empty / "说明.txt").write_text("x")
    import zipfile

    with zipfile.ZipFile(tmp_path / "无表.zip", "w") as z:
        z.writestr("readme.txt", "x")
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    result = cli(str(empty), str(tmp_path / "无表.zip"), str(fifo), "/dev/null", "--format", "json", tmp=tmp_path)
    assert result.returncode == 1
    found = {Path(f["path"].split("!")[0]).name: f["findings"][0]["message"]
             for f in json.loads(result.stdout)["files"]}
    assert "没有 Excel 工作簿" in found["空文件夹"]
    assert "没有 Excel 工作簿" in found["无表.zip"]
    assert "命名管道" in found["管道.xlsx"]
    assert "设备文件" in found["null"]


def test_the_console_lists_every_file_then_the_findings_and_says_what_it_cut():
    from io import StringIO

    from rich.console import Console

    from jixiao.validation import Report

    files = [validate_file(EXAMPLES / name) for name in ("02-阿坝州-附表1（模板）.xlsx", "11-得分算错.xlsx",
                                                          "13-执行率算错.xlsx", "91-空文件.xlsx")]
    out = StringIO()
    Report(files=files).render_text(Console(file=out, width=250), max_rows=2)
    text = out.getvalue()
    assert "附表1 专项预算绩效自评打分表" in text and "fubiao1" not in text  # the form's name, not its id
    assert "通过" in text and "91" in text and "优" in text  # a passing file with its total and grade
    n_findings = sum(len(f.findings) for f in files)
    assert "另有 2 行未列出" in text and f"另有 {n_findings - 2} 行未列出" in text
    assert "--format csv" in text


def test_outputs_replace_the_previous_run_and_never_follow_links(tmp_path):
    d = tmp_path / "in"
    bad = replace_row(XIANGMU_SEED, "及时完成质量监督检查任务", score=20)
    build(d / "一" / "部门.xlsx", [("自评表", "xiangmu", {"rows": bad})])
    build(d / "二" / "部门.xlsx", [("自评表", "xiangmu", {"rows": bad})])
    build(d / "乙.xlsx", [("自评表", "xiangmu", {"rows": bad})])
    out, elsewhere = tmp_path / "out", tmp_path / "别处"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (elsewhere / "victim.xlsx").write_text("mine")
    out.mkdir()
    (out / "annotated").symlink_to(elsewhere, target_is_directory=True)
    (out / "校验汇总.xlsx").symlink_to(elsewhere / "victim.xlsx")
    first = cli(str(d), "--format", "xlsx", "--out", str(out), tmp=tmp_path)
    assert first.returncode == 1, first.stderr
    # the links were replaced, never followed
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt", "victim.xlsx"]
    assert (elsewhere / "victim.xlsx").read_text() == "mine"
    assert not (out / "校验汇总.xlsx").is_symlink()
    names = sorted(p.name for p in (out / "annotated").iterdir())
    assert not (out / "annotated").is_symlink() and len(names) == 3
    assert "乙.xlsx" in names and sum(n.startswith("部门-") for n in names) == 2  # same name: told apart
    second = cli(str(d / "乙.xlsx"), "--format", "xlsx", "--out", str(out), tmp=tmp_path)
    assert second.returncode == 1
    assert sorted(p.name for p in (out / "annotated").iterdir()) == ["乙.xlsx"]  # no stale copies
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_an_unwritable_output_folder_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "文件").write_text("x")
    result = cli(str(EXAMPLES / "11-得分算错.xlsx"), "--format", "xlsx", "--out", str(tmp_path / "文件" / "out"),
                 tmp=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "无法写入输出目录" in result.stderr


def test_large_files_get_no_annotated_copy_but_keep_their_findings(tmp_path):
    book = many_sheets(tmp_path / "in" / "万表.xlsx")
    result = cli(str(book), "--format", "json", "--out", str(tmp_path / "out"), tmp=tmp_path)
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert any(x["rule"] == "annotation-failed" and "文件过大，未生成批注副本" in x["message"] for x in findings)
    assert not list((tmp_path / "out" / "annotated").iterdir())


SLOW = """
import time
from jixiao.validation import batch
real = batch.run_job
def slow(job, rules, out):
    if "慢" in job.display:
        time.sleep(60)
    return real(job, rules, out)
batch.run_job = slow
"""


def test_a_file_that_runs_too_long_loses_only_itself(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("甲.xlsx", "慢.xlsx", "乙.xlsx"):
        (d / name).write_bytes((EXAMPLES / "01-蔡甸区-质量技术监督专项经费（模板）.xlsx").read_bytes())
    result = cli(str(d), "--format", "json", "--timeout", "2", tmp=tmp_path, wrapper=SLOW)
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["慢.xlsx"]["status"] == "unreadable"
    assert "文件处理超时（超过 2 秒）" in files["慢.xlsx"]["findings"][0]["message"]
    assert files["甲.xlsx"]["status"] == files["乙.xlsx"]["status"] == "ok"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_signals_stop_workers_and_parent_and_leave_no_partial_output(tmp_path, sig, code, jobs):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("甲.xlsx", "慢.xlsx", "慢2.xlsx"):
        (d / name).write_bytes((EXAMPLES / "11-得分算错.xlsx").read_bytes())
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    proc = subprocess.Popen([sys.executable, "-c", SLOW + "\nfrom jixiao.cli import main\nmain()", "validate", str(d),
                             "--format", "xlsx", "--out", str(out), "--jobs", jobs],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=_cap)
    deadline = time.monotonic() + 60
    while not list(tmpdir.glob("jixiao-batch-*/w*.err")) and time.monotonic() < deadline:
        time.sleep(0.1)  # the workers are up
    time.sleep(1)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert "已中断" in err and "Traceback" not in err
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no worker outlived the parent
    assert not list(tmpdir.iterdir())
    assert not (out / "校验汇总.xlsx").exists() and not (out / "annotated").exists()
    assert not [p for p in out.iterdir()]


def test_a_folder_that_cannot_be_read_is_named(tmp_path, monkeypatch):
    # Root reads any folder, so the refusal is simulated where the walk lists a folder.
    from jixiao.validation import batch

    locked = tmp_path / "in" / "锁住"
    locked.mkdir(parents=True)
    (tmp_path / "in" / "甲.xlsx").write_bytes((EXAMPLES / "11-得分算错.xlsx").read_bytes())
    real = os.scandir

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(batch.os, "scandir", scandir)
    jobs = list(batch.expand([tmp_path / "in"], tmp_path / "work"))
    assert [(Path(j.display).name, j.source is None) for j in jobs] == [("甲.xlsx", False), ("锁住", True)]
    assert "无法读取文件夹" in jobs[1].reason
    report = batch.validate_paths([])
    assert report.files == [] and report.exit_code == 1  # no workbook at all is not a pass


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=12))
def test_annotated_copy_names_are_stable_unique_and_safe(displays):
    from jixiao.validation.outputs import annotated_names

    displays += displays[:2]  # an archive may hold two members of one name: each gets its own copy
    names = annotated_names(displays)
    assert names == annotated_names(displays)
    assert len({n.casefold() for n in names}) == len(names)
    for n in names:
        stem = n.removeprefix("annotated/").removesuffix(".xlsx")
        assert stem and "/" not in stem and "\\" not in stem and not stem.startswith(".")
        assert all(ch.isalnum() or ch in "_-()（）【】[]." for ch in stem), stem


@given(st.text())
def test_printable_text_is_safe_for_every_output(text):
    from jixiao.textsafe import printable

    shown = printable(text)
    shown.encode("utf-8")  # no lone surrogates
    assert not any(ord(ch) < 32 and ch not in "\t\n" or 0x7F <= ord(ch) <= 0x9F for ch in shown)
    if text.isprintable():
        assert shown == text


def test_a_copy_that_runs_too_long_keeps_the_findings(tmp_path):
    stuck = "import time\nfrom jixiao.validation import annotate\nannotate.annotate_copy = lambda *a: time.sleep(60)\n"
    result = cli(str(EXAMPLES / "11-得分算错.xlsx"), "--format", "json", "--out", str(tmp_path / "out"),
                 "--timeout", "3", tmp=tmp_path, wrapper=stuck)
    doc = json.loads(result.stdout)["files"][0]
    alone = validate_file(EXAMPLES / "11-得分算错.xlsx")
    assert doc["status"] == "invalid"
    assert [x["code"] for x in doc["findings"]] == [x.code for x in alone.findings] + ["JX004"]
    assert "未生成批注副本：文件处理超时（超过 3 秒）" in doc["findings"][-1]["message"]
    assert "annotated" not in doc


def test_a_crash_inside_jixiao_is_its_own_error_not_the_submitters(tmp_path, monkeypatch):
    from jixiao.validation import batch

    def broken(job, rules, out):
        if job.display.endswith("11-得分算错.xlsx"):
            raise RuntimeError("a bug")
        return real(job, rules, out)

    real = batch.run_job
    monkeypatch.setattr(batch, "run_job", broken)  # the forked worker inherits it
    report = batch.validate_paths([EXAMPLES / "11-得分算错.xlsx", EXAMPLES / "13-执行率算错.xlsx"], jobs=1)
    crashed, other = report.files
    assert [x.code for x in crashed.findings] == ["JX900"] and "RuntimeError: a bug" in crashed.findings[0].message
    assert [x.code for x in other.findings] == [x.code for x in validate_file(EXAMPLES / "13-执行率算错.xlsx").findings]


def _abort_on_any(item: bytes) -> int:
    os.abort()  # a native reader failing to allocate ends the worker like this


def _length(item: bytes) -> int:
    return len(item)


def test_a_worker_dying_while_files_are_sent_ahead_costs_only_its_file(tmp_path):
    """Items large enough that sending ahead blocks until the worker reads: the worker aborts on
    the first, so the parent's next send meets a closed pipe (EPIPE). Found under load in CI,
    where it ended the whole run with exit 1 and no output."""
    from jixiao.validation.guard import Limits, run_guarded

    big = [bytes([i]) * 3_000_000 for i in range(5)]
    failures = []
    results = list(run_guarded(big, _abort_on_any, (), 1, Limits(seconds=30), tmp_path,
                               lambda item, reason, partial: failures.append(reason) or "failed"))
    assert [r for _, r in results] == ["failed"] * 5  # every item has its result, none is lost
    assert all("SIGABRT" in reason for reason in failures), failures
    ok = list(run_guarded(big, _length, (), 2, Limits(seconds=30), tmp_path, lambda *a: "failed"))
    assert sorted(r for _, r in ok) == [3_000_000] * 5


def _abort_on_seven(item: int) -> int:
    if item == 7:
        os.abort()
    return item * 10


def test_a_worker_dying_after_results_it_sent_costs_only_the_file_under_way(tmp_path):
    """Items go to a worker several at a time and its results are collected several at a time:
    what it finished before dying stands, the item under way fails, the rest run elsewhere."""
    from jixiao.validation.guard import Limits, run_guarded

    for jobs in (1, 2):
        results = dict(run_guarded(range(30), _abort_on_seven, (), jobs, Limits(seconds=30), tmp_path,
                                   lambda item, reason, partial: reason))
        assert sorted(results) == list(range(30))
        assert "SIGABRT" in results[7]
        assert {k: v for k, v in results.items() if k != 7} == {k: k * 10 for k in range(30) if k != 7}


_PREPARED: list[int] = []


def _prepared(item: int) -> tuple[int, list[int]]:
    return os.getpid(), list(_PREPARED)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers inherit what the parent loaded only when forked")
def test_what_the_parent_prepares_every_worker_starts_with(tmp_path):
    from jixiao.validation.guard import Limits, run_guarded

    def prepare() -> None:
        _PREPARED.append(os.getpid())

    try:
        out = [r for _, r in run_guarded(range(20), _prepared, (), 2, Limits(seconds=30), tmp_path,
                                         lambda *a: None, prepare)]
    finally:
        prepared, _PREPARED[:] = list(_PREPARED), []
    assert prepared == [os.getpid()]  # once, here
    assert all(seen == prepared and pid != os.getpid() for pid, seen in out)
    alone = [r for _, r in run_guarded(range(3), _prepared, (), 1, Limits(seconds=30), tmp_path,
                                       lambda *a: None, prepare)]
    assert _PREPARED == [] and all(seen == [] for _, seen in alone)  # one worker loads what it needs itself
