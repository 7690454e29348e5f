"""`jixiao generate`: one pre-filled workbook per project, from YAML/JSON/CSV/Excel data."""

from __future__ import annotations

from pathlib import Path

import click

from ..forms import DEFAULT_FORM
from ..hosts import MODES


@click.command("generate")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--form", "form", default=DEFAULT_FORM, show_default=True,
              help="表单 id（如 xiangmu 项目支出绩效自评表、fubiao1 附表1 打分表）；全部表单见 jixiao forms。")
@click.option("--mode", type=click.Choice(MODES), default="native", show_default=True,
              help="公式模式：native 普通公式（Excel/WPS 均可），lambda 命名 LAMBDA（Excel 365），udf 加载项函数。")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="输出文件夹（不存在则创建）。")
@click.option("--rules", "pack", default=None, help="规则包名称或路径（默认取表单的规则包）。")
@click.option("--overwrite", is_flag=True, help="覆盖输出文件夹中的同名文件。")
def command(data: Path, form: str, mode: str, out: Path, pack: str | None, overwrite: bool) -> None:
    """从数据生成预填的自评表：DATA 为每个项目一个 YAML/JSON 文件（或其文件夹），或一份
    每行一项指标的 CSV / Excel 清单（含“项目名称”列）。先检查全部数据，有错误则一个文件也不写。"""
    from ..errors import RulePackError
    from ..generate import (
        DataError,
        iter_issue_lines,
        load_projects,
        weight_warnings,
        worded_number_warnings,
        write_projects,
    )

    try:
        projects = load_projects(data, form)
        for line in [*weight_warnings(projects, form), *worded_number_warnings(projects, form, mode)]:
            click.echo(f"提示 (note): {line}", err=True)
        paths = write_projects(projects, form, mode, out, pack, overwrite)
    except DataError as exc:
        for line in iter_issue_lines(exc):
            click.echo(line, err=True)
        raise click.exceptions.Exit(2) from None
    except (RulePackError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        click.echo(str(path))
    click.echo(f"已生成 {len(paths)} 个工作簿 (generated {len(paths)} workbooks) → {out}", err=True)
