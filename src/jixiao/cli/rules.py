"""`jixiao rules`: the validation rule catalogue, from the registry."""

from __future__ import annotations

import inspect
from pathlib import Path

import click


@click.command("rules")
@click.argument("key", required=False)
@click.option("--markdown", is_flag=True, help="输出 Markdown 表格（docs/guide.md 用）。")
def command(key: str | None, markdown: bool) -> None:
    """列出校验规则（代码、级别、问题）；给出代码或 slug（如 JX302）时显示其说明、提示模板和所在源文件。"""
    from ..validation.rules import SEVERITY_NAMES, catalogue, catalogue_markdown, rule

    if markdown:
        click.echo(catalogue_markdown())
        return
    if key is None:
        for r in catalogue():
            click.echo(f"{r.code}  {SEVERITY_NAMES[r.severity]}  {r.slug:28} {r.title}")
        return
    try:
        r = rule(key.strip().upper() if key.strip().upper().startswith("JX") else key.strip())
    except KeyError:
        raise click.BadParameter(f"未知规则“{key}”；可用: {', '.join(x.code for x in catalogue())}") from None
    source = Path(inspect.getfile(type(r)))
    click.secho(f"{r.code} {r.slug}（{SEVERITY_NAMES[r.severity]}）：{r.title}", bold=True)
    click.echo(f"  说明: {r.description}")
    click.echo(f"  提示模板: {r.template}")
    if r.emits:
        click.echo(f"  也会报告: {', '.join(rule(s).code + ' ' + s for s in r.emits)}")
    for name, param in r.params.items():
        default = str(param.default).lower() if isinstance(param.default, bool) else f"[{', '.join(param.default)}]"
        click.echo(f"  表单参数 checks.{r.slug}.{name}: {param.doc}；默认 {default}")
    click.echo(f"  表单可关闭: checks: {{{r.slug}: false}}" if r.scope != "reader" else "  读取文件时报告，表单不能关闭")
    click.echo(f"  源文件: jixiao/validation/rules/{source.name}（{type(r).__name__}）")
