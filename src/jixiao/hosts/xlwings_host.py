"""xlwings desktop host: the JX_ registry as Excel UDFs (Windows Excel + the xlwings add-in).

Set ``UDF Modules`` to ``jixiao.hosts.xlwings_host`` (``jixiao addin install`` does it) and press
"Import Functions" in the xlwings ribbon. Every entry of :data:`jixiao.functions.REGISTRY`
becomes one UDF, built here programmatically, so the add-in never drifts from the registry.

Error values. A desktop UDF cannot put a real Excel error into its cell (xlwings issue #776:
whatever VBA gets back is a value, and a VT_ERROR variant does not survive the COM round trip).
Raising an exception does not help either: the VBA wrapper writes ``Err.Description`` — text —
into the cell. So a JX_ function that fails returns the text ``"#DIV/0! 全年预算数为 0，无法计算执行率"``:
the error code first (so it reads like an error), then the Chinese reason. Consequences:

* arithmetic on such a cell (``=H7+H8``) gives a real ``#VALUE!`` — failure stays visible;
* every JX_ function treats such text, and real error cells, as the error again
  (arguments are read with ``err_to_str=True``), so ``JX_TOTAL`` over a failed score fails too;
* but Excel's ``SUM`` skips text silently — use ``JX_TOTAL`` for totals, not ``SUM``;
* ``IFERROR``/``ISERROR`` do not see it; test with ``LEFT(H7)="#"``.

xlwings Lite (``addin/lite/main.py``) has real error values; there the result is the bare code.
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import ExcelError, error_from_text
from ..functions import CATEGORY, REGISTRY, Arg, JXFunction
from ..validation.annotate import neutralize

MODULE_NAME = __name__  # what goes into "UDF Modules"
RESULT_SHEET = "校验结果"

def arg_doc(arg: Arg) -> str:
    """The argument description Excel shows: Chinese label, explanation, optional marker."""
    return f"{arg.label}{'（可选）' if arg.optional else ''}：{arg.doc}"


def from_excel(value: Any) -> Any:
    """An argument as Excel sends it → what the registry expects (see errors.error_from_text)."""
    return error_from_text(value)


def error_text(err: ExcelError) -> str:
    """Desktop form of an error value: code, a space, the Chinese reason."""
    return f"{err.code} {err.message}".strip()


def call(spec: JXFunction, args: Iterable[Any], to_excel: Callable[[ExcelError], Any] = error_text) -> Any:
    """Run a registry function on Excel arguments; an error result goes through ``to_excel``."""
    result = spec.func(*(from_excel(a) for a in args))
    if isinstance(result, ExcelError):
        return to_excel(result)
    return result


def make_wrapper(spec: JXFunction, module: str = MODULE_NAME,
                 to_excel: Callable[[ExcelError], Any] = error_text) -> Callable[..., Any]:
    """A plain function named like the JX_ function, with the registry's argument names.

    Built with ``exec`` so the code object has real parameters: xlwings reads them with
    ``inspect.signature`` and writes the VBA declaration from them. No annotations on purpose
    — xlwings would take them for converters.
    """
    names = [a.name for a in spec.args]
    for name in (spec.name, *names):
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"{spec.name}: {name!r} is not a usable argument name")
    params = [f"{a.name}=_defaults[{i}]" if a.optional else a.name for i, a in enumerate(spec.args)]
    src = (f"def {spec.name}({', '.join(params)}):\n"
           f"    return _call(_spec, ({''.join(n + ', ' for n in names)}), _to_excel)\n")
    ns: dict[str, Any] = {"_call": call, "_spec": spec, "_to_excel": to_excel,
                          "_defaults": [a.default for a in spec.args]}
    exec(compile(src, f"<jixiao {spec.name}>", "exec"), ns)
    fn = ns[spec.name]
    fn.__doc__ = spec.summary
    fn.__module__ = module
    fn.__qualname__ = spec.name
    return fn


def build_udfs(func: Callable[..., Any], arg: Callable[..., Any], module: str = MODULE_NAME,
               to_excel: Callable[[ExcelError], Any] = error_text,
               registry: dict[str, JXFunction] | None = None) -> dict[str, Callable[..., Any]]:
    """Decorate one wrapper per registry entry with the given xlwings ``func``/``arg``.

    The decorators are parameters so tests can pass xlwings' real Windows decorators
    (on Linux ``xw.func`` is a no-op).
    """
    udfs = {}
    for spec in (registry or REGISTRY).values():
        fn = make_wrapper(spec, module, to_excel)
        for a in reversed(spec.args):
            options: dict[str, Any] = {"doc": arg_doc(a), "err_to_str": True}
            if a.is_range:
                options["ndim"] = 2
            fn = arg(a.name, **options)(fn)
        udfs[spec.name] = func(category=CATEGORY)(fn)
    return udfs


# --- results sheet for the 校验结果 macro -------------------------------------------------

_FINDING_COLUMNS = (("severity", "级别"), ("code", "代码"), ("rule", "规则"), ("sheet", "工作表"),
                    ("cell", "单元格"), ("message", "说明"), ("expected", "应为"), ("found", "实为"))


def findings_table(findings: Iterable[Any], source: str = "") -> list[list[Any]]:
    """Rows for the 校验结果 sheet: a note, a header, one row per finding.

    Reads the usual finding attributes (or ``to_dict()`` keys); a missing field stays empty.
    """
    rows: list[list[Any]] = [[f"jixiao 校验结果（校验的是最后一次保存的文件{('：' + source) if source else ''}）"],
                             [label for _, label in _FINDING_COLUMNS]]
    count = 0
    for f in findings:
        data = f.to_dict() if hasattr(f, "to_dict") else {}
        row = []
        for key, _ in _FINDING_COLUMNS:
            value = data.get(key, getattr(f, key, ""))
            # cell text goes back into the user's workbook: never as a live formula
            row.append("" if value is None else neutralize(str(getattr(value, "value", value))))
        rows.append(row)
        count += 1
    if count == 0:
        rows.append(["未发现问题"])
    return rows


def _validator() -> Callable[[list[Path]], Any]:
    """The batch validator (imported late: the UDFs must load without it)."""
    from ..validation import validate

    return validate


def validate_path(path: str | Path) -> list[list[Any]]:
    """Validate one saved workbook with the batch validator; rows for the results sheet."""
    import shutil
    import tempfile

    run = _validator()
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        # a copy: Excel keeps the open file locked on Windows
        copy = Path(tmp) / path.name
        shutil.copy2(path, copy)
        report = run([copy])
        findings = list(report.files[0].findings)
    return findings_table(findings, str(path))


def validate_active_workbook():  # no annotations: xlwings would read them as converters
    """校验当前工作簿（最后一次保存的版本），结果写入“校验结果”工作表。"""
    import xlwings as xw

    book = xw.Book.caller()
    path = Path(book.fullname)
    if path.is_file():
        rows = validate_path(path)
    else:
        rows = [["请先保存工作簿，再运行校验（校验的是已保存的文件）。"]]
    names = [s.name for s in book.sheets]
    sheet = book.sheets[RESULT_SHEET] if RESULT_SHEET in names else book.sheets.add(RESULT_SHEET, after=book.sheets[-1])
    sheet.clear()
    width = max(len(r) for r in rows)
    sheet["A1"].value = [r + [""] * (width - len(r)) for r in rows]
    sheet.activate()


def _install() -> list[str]:
    try:
        import xlwings as xw
    except ImportError:  # the registry still works without xlwings; only Excel needs it
        def func(*a: Any, **k: Any) -> Callable[..., Any]:
            return (lambda f: f) if not (a and callable(a[0])) else a[0]

        def arg(*a: Any, **k: Any) -> Callable[..., Any]:
            return lambda f: f

        sub = func
    else:
        func, arg, sub = xw.func, xw.arg, xw.sub
    module = sys.modules[__name__]
    udfs = build_udfs(func, arg)
    for name, fn in udfs.items():
        setattr(module, name, fn)  # discovery needs attribute name == function name
    setattr(module, "validate_active_workbook", sub(validate_active_workbook))  # noqa: B010
    return [*udfs, "validate_active_workbook"]


__all__ = _install()
