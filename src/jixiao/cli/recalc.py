"""`jixiao recalc`: compute a workbook's JX_ (and ordinary) formulas without Excel."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import ExcelError


@click.command("recalc")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出副本路径（默认：<原名>-recalc.xlsx）；原文件不会被修改。")
@click.option("--show/--no-show", default=False, help="列出每个公式单元格的计算结果。")
def command(workbook: Path, output: Path | None, show: bool) -> None:
    """重新计算工作簿（含 JX_ 函数），把结果作为缓存值写入副本。无需 Excel。"""
    os.environ.setdefault("TQDM_DISABLE", "1")  # `formulas` draws a progress bar otherwise
    # The core computes our templates; `formulas` everything else.
    from ..hosts.formulas_host import recalc_file
    from ..reader.uncached import workbook_values

    if workbook.suffix.lower() not in (".xlsx", ".xlsm"):
        raise click.UsageError(f"只支持 .xlsx/.xlsm 文件 (only .xlsx/.xlsm): {workbook}")
    output = output or workbook.with_name(f"{workbook.stem}-recalc{workbook.suffix}")
    from ..security import UnsafeFile

    try:
        values = recalc_file(workbook, output, workbook_values)
    except UnsafeFile as exc:  # too large, a zip bomb, XML entities, not a workbook: refused before loading
        raise click.ClickException(f"无法计算 {workbook}：{exc.reason}") from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except Exception as exc:  # a broken workbook: say so, write nothing
        raise click.ClickException(f"无法计算 {workbook}（cannot recalculate）: {type(exc).__name__}: {exc}") from None
    errors = [(k, v) for k, v in values.items() if isinstance(v, ExcelError)]
    if show:
        from openpyxl import load_workbook
        from openpyxl.worksheet.formula import ArrayFormula

        wb = load_workbook(workbook, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, ArrayFormula) or (isinstance(cell.value, str)
                                                                and cell.value.startswith("=")):
                        click.echo(f"{ws.title}!{cell.coordinate}\t{values.get((ws.title, cell.coordinate))!s}")
    click.echo(f"已写入 {output}（{len(values)} 个单元格，{len(errors)} 个错误值）")
