"""`jixiao functions`: the JX_ function reference, from the registry."""

from __future__ import annotations

import click

from ..functions import REGISTRY, reference_markdown


@click.command("functions")
@click.option("--markdown", is_flag=True, help="输出 Markdown 表格（README 用）。")
@click.option("--native", "native_for", metavar="NAME", help="显示某函数的原生公式（以 A1、B1… 为参数）。")
@click.option("--lambda", "lambda_for", metavar="NAME", help="显示某函数的 LAMBDA 定义（Excel 365）。")
@click.option("--rules", "pack", default=None, help="规则包名称或路径。")
def command(markdown: bool, native_for: str | None, lambda_for: str | None, pack: str | None) -> None:
    """列出 JX_ 函数及其参数说明。"""
    if native_for or lambda_for:
        name = (native_for or lambda_for or "").upper()
        if name not in REGISTRY:
            raise click.BadParameter(f"未知函数 {name}；可用: {', '.join(REGISTRY)}")
        spec = REGISTRY[name]
        if native_for:
            refs = [f"{chr(65 + i)}1" for i in range(len(spec.args))]
            click.echo("=" + spec.native_formula(refs, pack))
        else:
            click.echo(spec.lambda_definition(pack))
        return
    if markdown:
        click.echo(reference_markdown())
        return
    for spec in REGISTRY.values():
        click.secho(spec.signature(), bold=True)
        click.echo(f"  {spec.summary}")
        for a in spec.args:
            click.echo(f"    {a.label}{'（可选）' if a.optional else ''}: {a.doc}")
        click.echo(f"  返回: {spec.returns}")
        click.echo(f"  示例: {spec.example}\n")
