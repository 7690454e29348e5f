"""`jixiao forms`: list the form specs, or show one fully resolved (``extends`` applied)."""

from __future__ import annotations

import json

import click

from ..forms import FormSpecError, form_ids, load_form


@click.command("forms")
@click.argument("name", required=False)
def command(name: str | None) -> None:
    """列出表单；给出名称或路径时显示其完整定义（含继承）。用户表单放在 JIXIAO_FORMS 指定的文件夹。"""
    if name:
        try:
            spec = load_form(name)
        except FormSpecError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(json.dumps(spec.to_dict(), ensure_ascii=False, indent=2))
        return
    broken = False
    for form_id in form_ids():
        try:
            click.echo(f"{form_id:16} {load_form(form_id).display_name}")
        except FormSpecError as exc:
            broken = True
            click.echo(f"{form_id:16} ✘ {exc}")
    if broken:
        raise click.exceptions.Exit(1)
