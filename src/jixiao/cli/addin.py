"""`jixiao addin`: load the JX_ functions into Excel (xlwings add-in, xlwings Lite, .xlsm)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

_PLATFORM = click.option("--platform", "platform", default=None, hidden=True,
                         help="Pretend to run on this sys.platform (tests).")
_HOME = click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None, hidden=True,
                     help="Home directory holding the xlwings configuration (tests).")
_CONFIG_ONLY = click.option("--config-only", is_flag=True,
                            help="只改 xlwings.conf，不复制/删除 xlwings 加载项。 (skip the add-in copy step)")


@click.group("addin")
def command() -> None:
    """把 JX_ 函数装进 Excel：install/uninstall（桌面 xlwings）、lite（xlwings Lite）、xlsm（独立工作簿）。"""


def _refuse(platform: str) -> None:
    from ..hosts import addin_install as ai

    click.echo(ai.UNSUPPORTED.format(platform=platform), err=True)
    sys.exit(2)


@command.command("install")
@click.option("--python", "python", default=None,
              help="Excel 调用的 Python（默认：当前解释器）。 (interpreter for Excel; default: this one)")
@_CONFIG_ONLY
@_PLATFORM
@_HOME
def install(python: str | None, config_only: bool, platform: str | None, home: Path | None) -> None:
    """安装 xlwings 加载项，并在 xlwings.conf 中登记 JX_ 函数（Windows/macOS）。"""
    from ..hosts import addin_install as ai

    platform = platform or ai.current_platform()
    if not ai.is_supported(platform):
        _refuse(platform)
    if not config_only:
        ai.install_xlwings_addin()
    change = ai.write_user_config(home or Path.home(), platform, python or sys.executable)
    click.echo(f"已写入 {change.path}：")
    click.echo(change.after.rstrip())
    for note in change.notes:
        click.echo(note)
    if platform == "darwin":
        click.echo(ai.MAC_NOTE)
    else:
        click.echo("下一步：重启 Excel，在 xlwings 选项卡点击 “Import Functions”，然后输入 "
                   "=JX_RATE_SCORE(87.65, 86.54, 10) 检查（应为 9.87）。")


@command.command("uninstall")
@click.option("--python", "python", default=None, help="安装时使用的 Python（默认：当前解释器）。")
@_CONFIG_ONLY
@_PLATFORM
@_HOME
def uninstall(python: str | None, config_only: bool, platform: str | None, home: Path | None) -> None:
    """从 xlwings.conf 中移除 JX_ 函数的登记（只动 jixiao 写入的键），并卸载 xlwings 加载项。"""
    from ..hosts import addin_install as ai

    platform = platform or ai.current_platform()
    if not ai.is_supported(platform):
        _refuse(platform)
    change = ai.remove_user_config(home or Path.home(), platform, python or sys.executable)
    if not config_only:
        ai.remove_xlwings_addin()
    for note in change.notes:
        click.echo(note)
    click.echo(f"已更新 {change.path}" if change.changed else "xlwings.conf 无需修改。")


@command.command("lite")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("addin/lite"),
              show_default=True, help="输出目录（写入 main.py 与 requirements.txt）。")
@click.option("--check", is_flag=True, help="只检查已有文件是否与重新生成的一致（不一致时退出码 1）。")
def lite(out: Path, check: bool) -> None:
    """生成 xlwings Lite 模块（自包含的 main.py），粘贴到 xlwings Lite 编辑器即可使用。"""
    from ..hosts import lite_module

    if check:
        current = (out / "main.py").read_text(encoding="utf-8") if (out / "main.py").exists() else None
        req = (out / "requirements.txt").read_text(encoding="utf-8") if (out / "requirements.txt").exists() else None
        if current != lite_module.generate() or req != lite_module.REQUIREMENTS:
            click.echo(f"{out} 与注册表不一致，请运行 jixiao addin lite --out {out}", err=True)
            sys.exit(1)
        click.echo(f"{out} 与注册表一致。")
        return
    for path in lite_module.write(out):
        click.echo(f"已生成 {path}")


@command.command("xlsm")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("jixiao-udf.xlsm"),
              show_default=True, help="输出的 .xlsm 文件。")
@click.option("--python", "python", default="",
              help="写入工作簿配置的 Python 路径（Interpreter_Win）；留空则用 xlwings.conf 或 PATH 上的 python。")
def xlsm(out: Path, python: str) -> None:
    """生成自带配置的独立 .xlsm（内含 xlwings VBA，不需要安装加载项；仅 Windows 版 Excel）。"""
    from ..hosts import addin_install as ai

    if out.suffix.lower() != ".xlsm":
        raise click.BadParameter("输出文件应以 .xlsm 结尾", param_hint="--out")
    path = ai.build_xlsm(out, interpreter=python)
    click.echo(f"已生成 {path}。打开后按 Alt+F8 运行 ImportPythonUDFs 导入 JX_ 函数（见工作簿内“使用说明”）。")
