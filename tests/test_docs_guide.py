"""docs/guide.md: every ```bash command runs against a copy of examples/ with the exit code it claims."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from jixiao.cli import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"
EXIT_NOTE = re.compile(r"#\s*退出码\s*(\d+)")


def _commands() -> list[tuple[dict[str, str], list[str], int, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = EXIT_NOTE.search(line)
            expected = int(m.group(1)) if m else 0
            words = shlex.split(line.split("#", 1)[0])
            env = {}
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                key, _, value = words.pop(0).partition("=")
                env[key] = value
            assert words and words[0] == "jixiao", f"guide's bash blocks hold jixiao commands only: {line}"
            out.append((env, words[1:], expected, line))
    return out


COMMANDS = _commands()


def test_guide_has_commands_for_every_audience():
    verbs = {args[0] for _, args, _, _ in COMMANDS}
    assert {"templates", "generate", "recalc", "validate", "packs", "functions", "forms"} <= verbs


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    wd = tmp_path_factory.mktemp("guide")
    shutil.copytree(ROOT / "examples", wd / "examples")
    return wd


@pytest.mark.parametrize(("env", "args", "expected", "line"), COMMANDS, ids=[c[3][:60] for c in COMMANDS])
def test_guide_command_runs(workdir, monkeypatch, env, args, expected, line):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    redirect = None
    if ">" in args:  # "… > file": the one shell feature the guide uses
        args, redirect = args[:args.index(">")], args[args.index(">") + 1]
    res = CliRunner().invoke(main, args, env=env)
    assert res.exit_code == expected, f"{line}\n{res.output}\n{res.exception!r}"
    if redirect:
        Path(redirect).write_text(res.stdout, encoding="utf-8")
        assert res.stdout.strip(), f"{line} printed nothing to redirect"
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert (workdir / "examples" / "submissions").is_dir()  # the guide never deletes inputs
    if args[0] == "generate":
        out = Path(args[args.index("--out") + 1])
        assert any(out.glob("*.xlsx"))


@pytest.mark.parametrize("shipped", ["rulepacks/mousheng-2025.yaml", "forms/jiedao-2025.yaml"])
def test_guide_yaml_examples_are_the_shipped_files(shipped):
    text = GUIDE.read_text(encoding="utf-8")
    docs = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    blocks = {d["id"]: d for d in docs if "id" in d}
    path = ROOT / "examples" / shipped
    assert blocks[path.stem] == yaml.safe_load(path.read_text(encoding="utf-8"))

