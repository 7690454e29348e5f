"""`jixiao addin`: xlwings.conf writing against a temporary HOME, refusal on Linux, the .xlsm."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.hosts import addin_install as ai

PY_WIN = r"C:\Python311\python.exe"


def run(*args: str):
    return CliRunner().invoke(main, ["addin", *args], catch_exceptions=False)


@pytest.mark.skipif(ai.is_supported(sys.platform), reason="refusal is for machines without desktop Excel")
def test_install_refused_without_side_effects(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    called = []
    monkeypatch.setattr(ai, "install_xlwings_addin", lambda: called.append(1))
    for verb in ("install", "uninstall"):
        result = run(verb, "--home", str(tmp_path))
        assert result.exit_code == 2
        assert "Windows" in result.output and "xlwings Lite" in result.output
        assert "原生公式模板" in result.output
    assert called == [] and list(tmp_path.iterdir()) == []


def test_install_writes_config_on_windows(tmp_path):
    result = run("install", "--config-only", "--platform", "win32", "--home", str(tmp_path), "--python", PY_WIN)
    assert result.exit_code == 0, result.output
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    assert conf.read_text() == f'"UDF MODULES","jixiao.hosts.xlwings_host"\n"INTERPRETER_WIN","{PY_WIN}"\n'
    assert "Import Functions" in result.output


def test_install_updates_keys_in_place_and_uninstall_restores(tmp_path):
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    original = '"interpreter_win","C:\\old\\python.exe"\n"udf modules","mymodule"\n"LICENSE_KEY","abc"\n'
    conf.write_text(original)
    assert run("install", "--config-only", "--platform", "win32", "--home", str(tmp_path),
               "--python", PY_WIN).exit_code == 0
    assert conf.read_text() == (f'"interpreter_win","{PY_WIN}"\n'
                                '"udf modules","mymodule;jixiao.hosts.xlwings_host"\n"LICENSE_KEY","abc"\n')
    # installing twice changes nothing and keeps the first backup
    assert run("install", "--config-only", "--platform", "win32", "--home", str(tmp_path),
               "--python", PY_WIN).exit_code == 0
    assert conf.read_text().count("jixiao.hosts.xlwings_host") == 1
    backup = json.loads((conf.parent / ai.BACKUP_NAME).read_text())
    assert backup["INTERPRETER_WIN"] == "C:\\old\\python.exe"

    assert run("uninstall", "--config-only", "--platform", "win32", "--home", str(tmp_path),
               "--python", PY_WIN).exit_code == 0
    assert conf.read_text() == original
    assert not (conf.parent / ai.BACKUP_NAME).exists()


def test_uninstall_removes_only_our_keys(tmp_path):
    home = tmp_path
    ai.write_user_config(home, "win32", PY_WIN)
    conf = ai.config_path(home, "win32")
    conf.write_text(conf.read_text() + '"SHOW CONSOLE","False"\n')
    change = ai.remove_user_config(home, "win32", PY_WIN)
    assert conf.read_text() == '"SHOW CONSOLE","False"\n'
    assert change.changed


def test_uninstall_of_fresh_install_leaves_no_file(tmp_path):
    ai.write_user_config(tmp_path, "win32", PY_WIN)
    ai.remove_user_config(tmp_path, "win32", PY_WIN)
    assert not ai.config_path(tmp_path, "win32").exists()


def test_macos_path_and_key(tmp_path):
    result = run("install", "--config-only", "--platform", "darwin", "--home", str(tmp_path),
                 "--python", "/opt/py/bin/python3")
    assert result.exit_code == 0, result.output
    conf = tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
    assert conf.read_text() == '"UDF MODULES","jixiao.hosts.xlwings_host"\n"INTERPRETER_MAC","/opt/py/bin/python3"\n'
    assert "只支持 Windows" in result.output


def test_addin_copy_step_runs_unless_config_only(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(ai, "install_xlwings_addin", lambda: calls.append("install"))
    monkeypatch.setattr(ai, "remove_xlwings_addin", lambda: calls.append("remove"))
    assert run("install", "--platform", "win32", "--home", str(tmp_path), "--python", PY_WIN).exit_code == 0
    assert run("uninstall", "--platform", "win32", "--home", str(tmp_path), "--python", PY_WIN).exit_code == 0
    assert calls == ["install", "remove"]


def test_config_helpers():
    pairs = ai.parse_config('"A","1"\n\n"b","2"\nnonsense\n')
    assert pairs == [("A", "1"), ("b", "2")]
    assert ai.set_keys(pairs, {"B": "3", "C": "4", "a": None}) == [("b", "3"), ("C", "4")]
    assert ai.config_encoding("linux") == "utf-8"


def test_xlsm_carries_its_configuration_and_vba(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "jx.xlsm"
    result = run("xlsm", "--out", str(out), "--python", PY_WIN)
    assert result.exit_code == 0, result.output
    src_vba = zipfile.ZipFile(ai.standalone_source()).read("xl/vbaProject.bin")
    assert zipfile.ZipFile(out).read("xl/vbaProject.bin") == src_vba  # VBA kept byte for byte
    wb = load_workbook(out, keep_vba=True)
    assert "_xlwings.conf" not in wb.sheetnames
    conf = [[c.value for c in r] for r in wb["xlwings.conf"].iter_rows()]
    assert conf == [["UDF Modules", "jixiao.hosts.xlwings_host"], ["Interpreter_Win", PY_WIN]]
    guide = " ".join(str(c.value) for r in wb["使用说明"].iter_rows() for c in r if c.value)
    assert "ImportPythonUDFs" in guide and "validate_active_workbook" in guide
    assert run("xlsm", "--out", str(tmp_path / "x.xlsx")).exit_code != 0


def test_lite_command_writes_and_checks(tmp_path):
    out = tmp_path / "lite"
    assert run("lite", "--out", str(out)).exit_code == 0
    assert run("lite", "--check", "--out", str(out)).exit_code == 0
    (out / "main.py").write_text("# edited\n")
    assert run("lite", "--check", "--out", str(out)).exit_code == 1


def test_repo_lite_files_are_current():
    root = Path(__file__).resolve().parents[1]
    assert run("lite", "--check", "--out", str(root / "addin" / "lite")).exit_code == 0
