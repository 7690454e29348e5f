"""Install / uninstall the JX_ functions for desktop Excel (xlwings add-in), and build the
standalone .xlsm.

The configuration part is pure: it takes the home directory and the platform as parameters,
so it can be tested anywhere. Only :func:`install_xlwings_addin` touches Excel's folders
(through ``xlwings.cli``) and only on Windows/macOS.

``xlwings.conf`` format (read by the add-in's VBA ``Input #``): one ``"KEY","VALUE"`` line per
key, keys compared case-insensitively. We own ``UDF MODULES`` (our module is added to the
``;``-separated list) and ``INTERPRETER_WIN``/``INTERPRETER_MAC``; previous interpreter values
are kept in ``jixiao-addin-backup.json`` beside the file so ``uninstall`` can put them back.
"""

from __future__ import annotations

import codecs
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..fileio import atomic_write_bytes, atomic_write_text
from .xlwings_host import MODULE_NAME

UDF_KEY = "UDF MODULES"
BACKUP_NAME = "jixiao-addin-backup.json"

UNSUPPORTED = (
    "Excel 加载项需要 Windows（或 macOS）上的桌面版 Excel，本机（{platform}）无法安装。\n"
    "可改用：① 原生公式模板 workbook_templates/*-native.xlsx（任何 Excel/WPS 都能用，无需 Python）；"
    "② xlwings Lite（Excel 网页版/365 的加载项），见 addin/README.md。\n"
    "Excel add-ins need desktop Excel on Windows (or macOS); nothing was changed on this "
    "{platform} machine. Use the native-formula templates or xlwings Lite instead (addin/README.md)."
)

MAC_NOTE = (
    "注意：xlwings 的桌面版 UDF（JX_ 函数）只支持 Windows；macOS 上已写入配置，但请用 xlwings Lite "
    "或原生公式模板使用 JX_ 函数。 (Desktop xlwings UDFs are Windows-only; on macOS use xlwings Lite.)"
)


def is_supported(platform: str) -> bool:
    return platform.startswith("win") or platform == "darwin"


def config_path(home: Path, platform: str) -> Path:
    """Where the xlwings add-in reads the user configuration (mirrors ``xw.USER_CONFIG_FILE``)."""
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def config_encoding(platform: str) -> str:
    # VBA reads the file in the ANSI code page; "mbcs" is that codec, and it exists on Windows only
    if platform.startswith("win"):
        try:
            codecs.lookup("mbcs")
            return "mbcs"
        except LookupError:
            return "utf-8"
    return "utf-8"


def interpreter_key(platform: str) -> str:
    return "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"


def parse_config(text: str) -> list[tuple[str, str]]:
    """``"KEY","VALUE"`` lines → pairs (order kept; blank and malformed lines dropped)."""
    pairs = []
    for line in text.splitlines():
        if not line.strip() or "," not in line:
            continue
        key, _, value = line.partition(",")
        pairs.append((key.strip().strip('"'), value.strip().strip('"')))
    return pairs


def render_config(pairs: list[tuple[str, str]]) -> str:
    return "".join(f'"{k}","{v}"\n' for k, v in pairs)


def set_keys(pairs: list[tuple[str, str]], values: dict[str, str | None]) -> list[tuple[str, str]]:
    """Update keys in place (case-insensitive), append new ones; a ``None`` value removes the key."""
    wanted = {k.upper(): (k, v) for k, v in values.items()}
    out, seen = [], set()
    for k, v in pairs:
        up = k.upper()
        if up in wanted:
            if up in seen:
                continue  # a duplicate line would shadow nothing but confuse readers
            seen.add(up)
            if wanted[up][1] is not None:
                out.append((k, wanted[up][1]))
        else:
            out.append((k, v))
    for up, (k, v) in wanted.items():
        if up not in seen and v is not None:
            out.append((k, v))
    return out


def get_key(pairs: list[tuple[str, str]], key: str) -> str | None:
    for k, v in pairs:
        if k.upper() == key.upper():
            return v
    return None


def _modules(value: str | None) -> list[str]:
    return [m.strip() for m in (value or "").split(";") if m.strip()]


@dataclass
class ConfigChange:
    path: Path
    before: str
    after: str
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _read(path: Path, platform: str) -> str:
    if not path.exists():
        return ""
    data = path.read_bytes()
    for enc in (config_encoding(platform), "utf-8", "gbk"):
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def _write(path: Path, text: str, platform: str) -> None:
    atomic_write_bytes(path, text.encode(config_encoding(platform)))


def write_user_config(home: Path, platform: str, python: str, module: str = MODULE_NAME) -> ConfigChange:
    """Add our UDF module and point the interpreter at ``python`` in the user's xlwings.conf."""
    path = config_path(home, platform)
    before = _read(path, platform)
    pairs = parse_config(before)
    ikey = interpreter_key(platform)
    backup = path.with_name(BACKUP_NAME)
    if not backup.exists():  # keep the user's original values across repeated installs
        atomic_write_text(backup, json.dumps({ikey: get_key(pairs, ikey), "python": python},
                                             ensure_ascii=False, indent=1))
    mods = _modules(get_key(pairs, UDF_KEY))
    if module not in mods:
        mods.append(module)
    pairs = set_keys(pairs, {UDF_KEY: ";".join(mods), ikey: python})
    after = render_config(pairs)
    notes = []
    if any(ord(c) > 127 for c in python):
        notes.append("Python 路径含非 ASCII 字符，VBA 可能读错；建议把 Python 装在英文路径下。"
                     " (The interpreter path is not ASCII; VBA may misread it.)")
    _write(path, after, platform)
    return ConfigChange(path, before, after, notes)


def remove_user_config(home: Path, platform: str, python: str, module: str = MODULE_NAME) -> ConfigChange:
    """Undo :func:`write_user_config`: drop our module; restore or remove the interpreter key."""
    path = config_path(home, platform)
    before = _read(path, platform)
    if not before and not path.exists():
        return ConfigChange(path, "", "", ["未找到 xlwings.conf，无需修改。 (no xlwings.conf; nothing to do)"])
    pairs = parse_config(before)
    ikey = interpreter_key(platform)
    notes: list[str] = []
    mods = [m for m in _modules(get_key(pairs, UDF_KEY)) if m != module]
    updates: dict[str, str | None] = {UDF_KEY: ";".join(mods) or None}
    backup = path.with_name(BACKUP_NAME)
    current = get_key(pairs, ikey)
    if backup.exists():
        saved = json.loads(backup.read_text(encoding="utf-8"))
        if current in (None, saved.get("python"), python):
            updates[ikey] = saved.get(ikey)
        else:
            notes.append(f"{ikey} 已被改为 {current}，保留不动。 (changed since install; kept)")
    elif current == python:
        updates[ikey] = None
    pairs = set_keys(pairs, updates)
    after = render_config(pairs)
    if pairs:
        _write(path, after, platform)
    else:
        path.unlink()
    if backup.exists():
        backup.unlink()
    return ConfigChange(path, before, after, notes)


def install_xlwings_addin() -> None:
    """Copy the xlwings add-in into Excel's XLSTART folder (``xlwings addin install``)."""
    import argparse

    import xlwings.cli as xwcli

    xwcli.addin_install(argparse.Namespace(file=None, dir=None, glob=False))


def remove_xlwings_addin() -> None:
    import argparse

    import xlwings.cli as xwcli

    xwcli.addin_remove(argparse.Namespace(file=None, dir=None, glob=False))


# --- standalone .xlsm ---------------------------------------------------------------------

CONF_SHEET = "xlwings.conf"


def standalone_source() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"


def build_xlsm(out: Path, module: str = MODULE_NAME, interpreter: str = "",
               source: Path | None = None) -> Path:
    """A macro workbook carrying the xlwings VBA and its own configuration sheet.

    Starts from xlwings' ``quickstart_standalone.xlsm`` (VBA embedded, no add-in needed) and
    adds an ``xlwings.conf`` sheet (``UDF Modules``; ``Interpreter_Win`` when given) plus an
    instructions sheet. The VBA project is kept byte for byte (openpyxl ``keep_vba``).
    """
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    src = source or standalone_source()
    wb = load_workbook(src, keep_vba=True)
    for name in (CONF_SHEET, "_" + CONF_SHEET):
        if name in wb.sheetnames:
            del wb[name]
    guide = wb.worksheets[0]
    guide.title = "使用说明"
    for row in guide.iter_rows():
        for cell in row:
            cell.value = None
    lines = [
        "jixiao 绩效评价函数（xlwings 独立工作簿版）",
        "1. 电脑上需安装 Python 和 jixiao（pip install jixiao 或从源码安装），以及 pywin32（xlwings 会带上）。",
        "2. 在“xlwings.conf”工作表中把 Interpreter_Win 改为该 Python 的 python.exe 路径（留空则用 PATH 上的 python）。",
        "3. 按 Alt+F8 运行 ImportPythonUDFs，导入 JX_ 函数和“validate_active_workbook”宏。",
        "4. 在单元格中输入 =JX_RATE_SCORE(87.65, 86.54, 10) 应得 9.87。",
        "5. 保存后按 Alt+F8 运行 validate_active_workbook：校验最后一次保存的文件，结果写入“校验结果”工作表。",
        "出错时单元格显示“#DIV/0! 原因”这样的文字（桌面 xlwings 无法返回真正的错误值）；合计请用 JX_TOTAL，不要用 SUM。",
        "只支持 Windows 版 Excel。没有 Python 的电脑或 WPS 请用原生公式模板（*-native.xlsx）。",
    ]
    for i, text in enumerate(lines, start=1):
        guide.cell(row=i, column=1, value=text)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 110

    conf = wb.create_sheet(CONF_SHEET)
    rows = [("UDF Modules", module)]
    if interpreter:  # an empty value here would override the user's xlwings.conf
        rows.append(("Interpreter_Win", interpreter))
    for i, (k, v) in enumerate(rows, start=1):
        conf.cell(row=i, column=1, value=k)
        conf.cell(row=i, column=2, value=v)
    conf.column_dimensions["A"].width = 18
    conf.column_dimensions["B"].width = 60

    out = Path(out)
    from ..fileio import atomic_path

    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def current_platform() -> str:
    return sys.platform
