"""`jixiao doctor`: installed versions and usable hosts, as text and JSON."""

from __future__ import annotations

import json
from importlib import metadata

from click.testing import CliRunner

import jixiao
from jixiao.cli import doctor, main

NO_SOFFICE = {"path": None, "version": None}
SOFFICE = {"path": "/usr/bin/soffice", "version": "LibreOffice 7.4"}


def test_json_report(monkeypatch):
    monkeypatch.setattr(doctor, "soffice_info", lambda: SOFFICE)
    result = CliRunner().invoke(main, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert set(info) == {"python", "jixiao", "platform", "packages", "soffice", "hosts"}
    assert info["jixiao"]["version"] == jixiao.__version__
    assert info["packages"]["openpyxl"] == metadata.version("openpyxl")
    assert info["packages"]["xlwings"] == metadata.version("xlwings")
    assert set(info["hosts"]) == {"formulas", "xlwings_desktop", "xlwings_lite", "native", "libreoffice"}
    assert info["hosts"]["formulas"]["usable"] is True
    assert info["hosts"]["native"]["usable"] is True
    assert info["hosts"]["libreoffice"]["usable"] is True
    assert info["hosts"]["xlwings_lite"]["module"].endswith("addin/lite/main.py")


def test_desktop_host_depends_on_platform():
    win = doctor.collect("win32", NO_SOFFICE)["hosts"]["xlwings_desktop"]
    mac = doctor.collect("darwin", NO_SOFFICE)["hosts"]["xlwings_desktop"]
    linux = doctor.collect("linux", NO_SOFFICE)["hosts"]["xlwings_desktop"]
    assert win["usable"] is True and "addin install" in win["detail"]
    assert mac["usable"] is False and "仅 Windows" in mac["detail"]
    assert linux["usable"] is False and "xlwings Lite" in linux["detail"]


def test_missing_soffice_and_packages(monkeypatch):
    monkeypatch.setattr(doctor, "_version", lambda name: None if name in ("formulas", "xlwings") else "1.0")
    info = doctor.collect("win32", NO_SOFFICE)
    assert info["hosts"]["libreoffice"]["usable"] is False
    assert info["hosts"]["formulas"]["usable"] is False
    assert info["hosts"]["xlwings_desktop"]["usable"] is False
    assert "pip install xlwings" in info["hosts"]["xlwings_desktop"]["detail"]
    text = doctor.render(info)
    assert "未找到 (not found)" in text and "未安装 (not installed)" in text


def test_soffice_lookup(monkeypatch):
    monkeypatch.setattr(doctor, "_which", lambda name: None)
    assert doctor.soffice_info() == NO_SOFFICE


def test_text_report_is_chinese_with_english_keys(monkeypatch):
    monkeypatch.setattr(doctor, "soffice_info", lambda: SOFFICE)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    for text in ("运行环境检查", "可用的宿主 (hosts)", "原生公式模式 (native): 可用 yes",
                 "LibreOffice (soffice): /usr/bin/soffice", "xlwings Lite (xlwings_lite)"):
        assert text in result.output
