"""``jixiao validate``: check submitted workbooks in bulk."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

FORMATS = ("text", "json", "csv", "xlsx")
DEFAULT_OUT = "jixiao-校验结果"


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text：控制台表格；json：一个 JSON 文档输出到标准输出；csv：问题明细 CSV（UTF-8 带 BOM，"
                   "Excel 可直接打开）输出到标准输出；xlsx：汇总工作簿。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"输出目录：汇总工作簿和有错误文件的批注副本（--format xlsx 时默认 {DEFAULT_OUT}）。")
@click.option("--rules", default=None, metavar="PACK",
              help="规则包名称或 YAML 路径（默认按表单：附表1 sichuan-dafen，附表2 sichuan，自评表 cz2020-10）。")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="并行进程数。")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=120, show_default=True, metavar="SECONDS",
              help="每个文件的处理时限（秒）；超时的文件记为无法读取，其余文件照常校验。")
@click.option("--memory", "memory_gb", type=click.FloatRange(0.5, 64), default=2, show_default=True, metavar="GB",
              help="每个文件的处理进程可用的内存上限（GB，地址空间）。")
def command(paths: tuple[Path, ...], fmt: str, out_dir: Path | None, rules: str | None, jobs: int,
            timeout: float, memory_gb: float) -> None:
    """校验报送的绩效自评工作簿和自评报告（.xlsx/.xls/.ods、.docx/.pdf/.txt；文件、文件夹或 .zip）。

    退出码：0 全部通过；1 有文件存在错误或无法读取，或没有找到任何工作簿；2 用法错误或输出目录无法写入；
    130/143 被 Ctrl-C / SIGTERM 中断。
    """
    from ..errors import RulePackError
    from ..rulepacks import load_pack
    from ..textsafe import printable
    from ..validation.batch import validate_paths
    from ..validation.guard import Interrupted, Limits
    from ..validation.outputs import OutputError

    if rules is not None:
        try:
            load_pack(rules)
        except RulePackError as exc:
            raise click.UsageError(str(exc)) from None
    if fmt == "xlsx" and out_dir is None:
        out_dir = Path(DEFAULT_OUT)
    if out_dir is not None:
        for p in paths:
            if p.resolve() == out_dir.resolve() or out_dir.resolve() in p.resolve().parents:
                raise click.UsageError(f"输出目录不能位于输入路径之中：{out_dir}")
            if p.is_dir() and p.resolve() in out_dir.resolve().parents:
                raise click.UsageError(f"输出目录不能位于输入文件夹之中：{out_dir}")

    progress_cb, finish = _progress(fmt)
    try:
        report = validate_paths([str(p) for p in paths], rules=rules, jobs=jobs, out_dir=out_dir,
                                progress=progress_cb, limits=Limits(int(memory_gb * 1024**3), timeout))
    except OutputError as exc:
        finish()
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    except (Interrupted, KeyboardInterrupt) as exc:
        finish()
        click.echo("已中断，未写出任何结果。", err=True)
        sys.exit(exc.exit_code if isinstance(exc, Interrupted) else 130)
    finish()
    summary_path = report.summary_path

    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "csv":
        # A BOM, so Excel (and WPS) open the UTF-8 Chinese text correctly when saved as .csv.
        click.echo("\ufeff" + report.to_csv(), nl=False)
    else:
        from rich.console import Console

        console = Console(soft_wrap=False)
        if fmt == "text":
            report.render_text(console)
        else:
            s = report.summary()
            console.print(f"共 {s['files']} 个文件：通过 {s['ok']}，有错误 {s['invalid']}，无法读取 {s['unreadable']}。",
                          markup=False, highlight=False)
        if summary_path is not None:
            console.print(f"汇总工作簿：{printable(str(summary_path))}", markup=False, highlight=False)
    sys.exit(report.exit_code)


def _progress(fmt: str):
    """A rich progress bar on a terminal (stderr), nothing when piped."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("校验中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True,
                   auto_refresh=False)  # no refresh thread: workers are forked, and a fork copies no threads' locks
    task, shown = None, 0.0

    def update(done: int, total: int) -> None:
        nonlocal task, shown
        if task is None:
            bar.start()
            task = bar.add_task("validate", total=total)
        now = time.monotonic()
        refresh = now - shown > 0.1 or done == total  # at most ten redraws a second
        bar.update(task, completed=done, total=total, refresh=refresh)
        shown = now if refresh else shown

    def finish() -> None:
        if task is not None:
            bar.stop()

    return update, finish
