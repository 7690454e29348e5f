"""`jixiao doctor`: what is installed here and which spreadsheet hosts can be used."""

from __future__ import annotations

import json
import platform as _platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from .. import __version__

PACKAGES = ("openpyxl", "formulas", "python-calamine", "olefile", "xlwings", "pandas", "PyYAML")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _which(name: str) -> str | None:
    return shutil.which(name)


def soffice_info() -> dict[str, Any]:
    """Path and version of LibreOffice's ``soffice`` (``None`` when not found)."""
    path = _which("soffice") or _which("libreoffice")
    if path is None:
        return {"path": None, "version": None}
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
        version = (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else None
    except (OSError, subprocess.SubprocessError) as exc:
        version = f"未知（{type(exc).__name__}）"
    return {"path": path, "version": version}


def lite_module_path() -> str | None:
    """The committed xlwings Lite module, when running from a source checkout."""
    candidate = Path(__file__).resolve().parents[3] / "addin" / "lite" / "main.py"
    return str(candidate) if candidate.is_file() else None


def collect(plat: str | None = None, soffice: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything `doctor` reports, as data (English keys; Chinese in the ``detail`` texts)."""
    plat = plat or sys.platform
    soffice = soffice if soffice is not None else soffice_info()
    versions = {name: _version(name) for name in PACKAGES}
    is_windows, is_mac = plat.startswith("win"), plat == "darwin"
    xlwings_ok = versions["xlwings"] is not None

    if is_windows and xlwings_ok:
        desktop = (True, "可用（需 Windows 桌面版 Excel）：运行 jixiao addin install 安装 xlwings 加载项。")
    elif is_windows:
        desktop = (False, "需先安装 xlwings（pip install xlwings），再运行 jixiao addin install。")
    elif is_mac:
        desktop = (False, "macOS 上 xlwings 桌面版 UDF 不可用（仅 Windows）；请用 xlwings Lite 或原生公式模板。")
    else:
        desktop = (False, "需要 Windows 上的桌面版 Excel；本机不可用。请用 xlwings Lite 或原生公式模板。")
    lite_path = lite_module_path()
    hosts = {
        "formulas": {"usable": versions["formulas"] is not None,
                     "detail": "Python 内置的 formulas 计算引擎（jixiao recalc）。"
                     if versions["formulas"] else "未安装 formulas（pip install formulas）。"},
        "xlwings_desktop": {"usable": desktop[0], "detail": desktop[1]},
        "xlwings_lite": {"usable": True, "module": lite_path,
                         "detail": ("把 " + (lite_path or "addin/lite/main.py") + " 的内容粘贴到 xlwings Lite 编辑器"
                                    "（Excel 365/网页版加载项，任何系统）；也可用 jixiao addin lite 重新生成。")},
        "native": {"usable": True,
                   "detail": "原生公式模板（workbook_templates/*-native.xlsx）：任何 Excel/WPS，无需 Python。"},
        "libreoffice": {"usable": soffice["path"] is not None,
                        "detail": f"找到 soffice：{soffice['path']}" if soffice["path"]
                        else "未找到 soffice；LibreOffice 相关的检查会跳过。"},
    }
    return {
        "python": {"version": _platform.python_version(), "executable": sys.executable},
        "jixiao": {"version": __version__, "location": str(Path(__file__).resolve().parents[1])},
        "platform": {"sys_platform": plat, "system": _platform.platform()},
        "packages": versions,
        "soffice": soffice,
        "hosts": hosts,
    }


_HOST_LABELS = {"formulas": "formulas 引擎", "xlwings_desktop": "xlwings 桌面版",
                "xlwings_lite": "xlwings Lite", "native": "原生公式模式", "libreoffice": "LibreOffice 检查"}


def render(info: dict[str, Any]) -> str:
    lines = ["jixiao doctor — 运行环境检查", "",
             f"Python (python):        {info['python']['version']}  {info['python']['executable']}",
             f"jixiao (jixiao):        {info['jixiao']['version']}  {info['jixiao']['location']}",
             f"平台 (platform):        {info['platform']['sys_platform']}  {info['platform']['system']}",
             "", "已安装的包 (packages):"]
    for name, version in info["packages"].items():
        lines.append(f"  {name:<16} {version or '未安装 (not installed)'}")
    so = info["soffice"]
    lines += ["", f"LibreOffice (soffice): {so['path'] or '未找到 (not found)'}"
              + (f"  {so['version']}" if so.get("version") else ""), "", "可用的宿主 (hosts):"]
    for key, host in info["hosts"].items():
        mark = "可用 yes" if host["usable"] else "不可用 no"
        lines.append(f"  {_HOST_LABELS.get(key, key)} ({key}): {mark}")
        lines.append(f"      {host['detail']}")
    return "\n".join(lines)


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（英文键）。")
def command(as_json: bool) -> None:
    """检查运行环境：已安装的版本、LibreOffice，以及哪些 Excel 宿主可用。"""
    info = collect()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        click.echo(render(info))
