"""Generator of the xlwings Lite module (``addin/lite/main.py``).

xlwings Lite runs Python in the browser (Pyodide) and installs packages from PyPI; ``jixiao``
is not published there yet. So the module is self-contained: it embeds the unchanged source of
the scoring core, the rule-pack loader, the native-formula text and the registry, plus the
built-in rule packs as data, and defines one ``@func`` per registry entry. Regenerate it with
``jixiao addin lite --out addin/lite``; a test compares the committed file to a fresh generation.
"""

from __future__ import annotations

import pprint
from pathlib import Path

from .. import __version__
from ..functions import REGISTRY
from ..rulepacks import BUILTIN_DIR, DEFAULT_PACK
from .xlwings_host import arg_doc

PACKAGE = "jixiao_lite"  # not "jixiao": must not shadow a real installation
ROOT = Path(__file__).resolve().parents[1]

# (module name relative to the package, is a package, file) in execution order:
# a package's __init__ runs after the submodules it imports.
MODULES: tuple[tuple[str, bool, str], ...] = (
    ("", True, ""),  # the package itself: only __version__ (see module_source)
    ("errors", False, "errors.py"),
    ("yamldata", False, "yamldata.py"),  # the rule-pack loader's extends/merge (imports yaml lazily)
    ("rulepacks", True, "rulepacks/__init__.py"),
    ("core.parsing", False, "core/parsing.py"),
    ("core.scoring", False, "core/scoring.py"),
    ("core.quality", False, "core/quality.py"),
    ("core", True, "core/__init__.py"),
    ("native", False, "native.py"),
    ("functions", False, "functions.py"),
)

REQUIREMENTS = """\
# jixiao 的 xlwings Lite 模块是自包含的（内嵌计分核心与规则包），不需要安装任何包。
# (The jixiao xlwings Lite module is self-contained: no package needs to be installed.)
"""


def module_source(rel: str) -> str:
    """Source of one embedded module: the file unchanged, except the package's own ``__init__``."""
    if rel == "":  # not jixiao/__init__.py: its lazy attributes reach modules Lite lacks
        return f'"""jixiao core, embedded for xlwings Lite."""\n\n__version__ = {__version__!r}\n'
    file = next(f for r, _, f in MODULES if r == rel)
    return (ROOT / file).read_text(encoding="utf-8")


def pack_data() -> dict[str, dict]:
    """Built-in rule packs, ``extends`` already merged (the loader's own ``_read``)."""
    from .. import rulepacks

    return {p.stem: rulepacks._read(p.resolve()) for p in sorted(BUILTIN_DIR.glob("*.yaml"))}


def _literal(text: str) -> str:
    # a raw triple-quoted string keeps the embedded code readable in the Lite editor
    if "'''" not in text and not text.endswith("\\") and "\r" not in text:
        return "r'''" + text + "'''"
    return repr(text)


_BOOTSTRAP = '''

def _bootstrap():
    """Register the embedded modules as the package {pkg!r} and return its registry."""
    import copy

    modules = {{}}  # fresh objects on every run: Lite re-runs main.py after each edit

    def module(name, is_package):
        if name not in modules:
            mod = modules[name] = types.ModuleType(name)
            mod.__file__ = "<xlwings Lite: " + name + ">"
            mod.__package__ = name if is_package else name.rpartition(".")[0]
            if is_package:
                mod.__path__ = []
            sys.modules[name] = mod
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(module(parent, True), child, mod)
        return modules[name]

    for rel, is_package, source in _SOURCES:
        mod = module(_PACKAGE + ("." + rel if rel else ""), is_package)
        exec(compile(source, mod.__file__, "exec"), mod.__dict__)
        if rel == "rulepacks":
            _embed_packs(mod, copy)
    return sys.modules[_PACKAGE + ".functions"].REGISTRY


def _embed_packs(rp, copy):
    """Rule packs come from _PACKS, not from files (Lite has no package directory)."""
    built = {{}}

    def load_pack(pack=None):
        if isinstance(pack, rp.RulePack):
            return pack
        name = {default!r} if pack is None or not str(pack).strip() else str(pack).strip()
        if name not in _PACKS:
            raise rp.RulePackError(
                f"未知规则包“{{name}}” (unknown rule pack); xlwings Lite 版内置: {{', '.join(sorted(_PACKS))}}"
            )
        if name not in built:
            built[name] = rp._build(rp.Path(name + ".yaml"), copy.deepcopy(_PACKS[name]))
        return built[name]

    rp.load_pack = load_pack
    rp.available_packs = lambda: sorted(_PACKS)
'''


_CALL = '''

_REGISTRY = _bootstrap()


def _call(name, *args):
    errors = sys.modules[_PACKAGE + ".errors"]
    result = _REGISTRY[name].func(*(errors.error_from_text(a) for a in args))
    if isinstance(result, errors.ExcelError):
        return str(result.code)  # xlwings Lite turns "#DIV/0!" into a real error value
    return result
'''


def _function_source(name: str) -> str:
    spec = REGISTRY[name]
    lines = ["", "", "@func"]
    for a in spec.args:
        extra = ", ndim=2" if a.is_range else ""
        lines.append(f"@arg({a.name!r}, doc={arg_doc(a)!r}, err_to_str=True{extra})")
    params = [f"{a.name}={a.default!r}" if a.optional else a.name for a in spec.args]
    lines.append(f"def {name}({', '.join(params)}):")
    doc = spec.summary
    lines.append(f'    """{doc}"""' if '"' not in doc and "\\" not in doc else f"    {doc!r}")
    call_args = "".join(f", {a.name}" for a in spec.args)
    lines.append(f"    return _call({name!r}{call_args})")
    return "\n".join(lines) + "\n"


def generate() -> str:
    """The complete text of ``addin/lite/main.py``."""
    head = f'''"""jixiao 绩效评价函数 — xlwings Lite 模块 (jixiao {__version__}).

由 `jixiao addin lite --out addin/lite` 从 jixiao 的函数注册表生成，请勿手工修改。
把本文件的全部内容粘贴到 xlwings Lite 编辑器的 main.py 中即可使用 JX_ 函数，无需安装任何包。
出错时函数返回真正的 Excel 错误值（#VALUE!、#DIV/0! 等）。

Generated from the jixiao registry (do not edit). Self-contained: it embeds the jixiao scoring
core and the built-in rule packs ({", ".join(sorted(pack_data()))}).
"""

import sys
import types

from xlwings import arg, func

_PACKAGE = {PACKAGE!r}
'''
    parts = [head, "\n# (relative module name, is a package, source) — embedded unchanged from jixiao\n"]
    parts.append("_SOURCES = (\n")
    for rel, is_package, _ in MODULES:
        parts.append(f"    ({rel!r}, {is_package!r}, {_literal(module_source(rel))}),\n")
    parts.append(")\n\n")
    parts.append("# Built-in rule packs (YAML already read and merged)\n")
    parts.append("_PACKS = " + pprint.pformat(pack_data(), width=100, sort_dicts=False) + "\n")
    parts.append(_BOOTSTRAP.format(pkg=PACKAGE, default=DEFAULT_PACK))
    parts.append(_CALL)
    for name in REGISTRY:
        parts.append(_function_source(name))
    return "".join(parts)


def write(out_dir: str | Path) -> list[Path]:
    """Write main.py and requirements.txt into ``out_dir``; returns the paths written."""
    from ..fileio import atomic_write_text

    out = Path(out_dir)
    main, req = out / "main.py", out / "requirements.txt"
    atomic_write_text(main, generate())
    atomic_write_text(req, REQUIREMENTS)
    return [main, req]
