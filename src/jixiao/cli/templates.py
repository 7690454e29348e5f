"""`jixiao templates`: (re)generate the template workbooks, one per form × formula mode."""

from __future__ import annotations

from pathlib import Path

import click

from ..forms import builtin_form_ids, load_form
from ..hosts import MODES

FORM_IDS = builtin_form_ids()  # as jixiao.templates.FORM_IDS, without loading openpyxl for --help


def template_name(form_id: str, mode: str) -> str:
    return f"{form_id}-{mode}.xlsx"


def generate_all(out: Path, forms: tuple[str, ...] = FORM_IDS, modes: tuple[str, ...] = MODES) -> list[Path]:
    from ..templates import write_workbook  # openpyxl: only when writing

    return [write_workbook(out / template_name(f, m), f, m) for f in forms for m in modes]


@click.command("templates")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("workbook_templates"),
              show_default=True, help="输出目录")
@click.option("--form", "forms", multiple=True, help="只生成这些表单（可重复；见 jixiao forms）")
@click.option("--mode", "modes", type=click.Choice(MODES), multiple=True,
              help="公式模式：udf（加载项）、lambda（Excel 365 名称）、native（普通公式）")
@click.option("--images", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="另将填入示例数据的表单渲染为 PNG（需要 LibreOffice 与 pdftoppm），如 docs/images")
def command(out: Path, forms: tuple[str, ...], modes: tuple[str, ...], images: Path | None) -> None:
    """生成空白模板工作簿（每张内置表单 × 三种公式模式；JIXIAO_FORMS 中的用户表单用 --form 指定）。"""
    try:
        for path in generate_all(out, forms or FORM_IDS, modes or MODES):
            form_id = path.stem.rsplit("-", 1)[0]
            click.echo(f"{path}  {load_form(form_id).display_name}")
        if images is not None:
            for png in render_images(images, forms or FORM_IDS):
                click.echo(str(png))
    except ValueError as exc:  # an unknown form, a malformed spec or sample: the message names it
        raise click.ClickException(str(exc)) from None


def render_images(outdir: Path, forms: tuple[str, ...] = FORM_IDS) -> list[Path]:
    """Each form filled with its spec's ``sample:`` values (blank without one), native mode, first
    page as ``<form id>.png`` — one soffice call."""
    import tempfile

    from .. import libreoffice
    from ..templates import write_workbook
    from ..templates.samples import sample_data

    if not libreoffice.available():
        raise click.ClickException("需要 LibreOffice（soffice）才能渲染图片 (LibreOffice not found)")
    with tempfile.TemporaryDirectory(prefix="jixiao_img_") as tmp:
        books = [write_workbook(Path(tmp) / f"{f}.xlsx", f, "native", sample_data(f)) for f in forms]
        # cropped to the form; a wide form shrunk onto the page is drawn larger so its text stays legible
        return libreoffice.render_pngs(books, outdir, dpi=100, text_px=12, crop=True)
