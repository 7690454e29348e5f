"""`jixiao packs`: list the rule packs, or show one fully resolved."""

from __future__ import annotations

import json

import click

from ..errors import RulePackError
from ..rulepacks import available_packs, load_pack


@click.command("packs")
@click.argument("name", required=False)
def command(name: str | None) -> None:
    """列出规则包；给出名称或路径时显示其全部参数（含继承）。"""
    if name:
        try:
            pack = load_pack(name)
        except RulePackError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(json.dumps(pack.to_dict(), ensure_ascii=False, indent=2))
        return
    for pack_id in available_packs():
        try:
            pack = load_pack(pack_id)
            click.echo(f"{pack_id:16} {pack.name}")
        except RulePackError as exc:
            click.echo(f"{pack_id:16} ✘ {exc}")
