"""The `formulas` host: computes workbooks containing JX_ formulas without Excel.

``register()`` adds every registry function to the ``formulas`` engine (also under the
``_xludf.`` prefix Excel writes for functions it does not know). ``recalculate(path)`` returns
the computed value of every cell; ``recalc_file(src, dst)`` writes a copy that keeps the
formulas and carries the computed values as cached values.

One deliberate deviation from stock ``formulas``: its ROUND rounds the binary product
(ROUND(0.285, 2) → 0.28) where Excel and LibreOffice give 0.29. ``register()`` installs an
Excel-faithful ROUND (the core's ``round_half_up``) so headless results match Excel's.
"""

from __future__ import annotations

import functools
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from ..core.scoring import round_half_up
from ..errors import ExcelError
from ..functions import REGISTRY, JXFunction

PREFIXES = ("", "_XLUDF.", "_XLFN._XLUDF.")


def _to_python(value: Any) -> Any:
    """One `formulas` cell value → a plain Python value (errors → ExcelError, empty → None)."""
    import numpy as np
    import schedula as sh
    from formulas.tokens.operand import XlError

    if isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value.tolist()
    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return ExcelError(str(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


def _to_range(value: Any) -> list[list[Any]]:
    import numpy as np

    arr = np.asarray(value, dtype=object)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    return [[_to_python(v) for v in row] for row in arr]


def _from_python(value: Any) -> Any:
    from formulas.tokens.operand import Error

    if isinstance(value, ExcelError):
        return Error.errors[str(value)]
    return value


def _adapter(spec: JXFunction) -> Any:
    from formulas.functions import wrap_func

    def call(*args: Any) -> Any:
        import numpy as np

        values = []
        for arg_spec, value in zip(spec.args, args, strict=False):
            values.append(_to_range(value) if arg_spec.is_range else _to_python(value))
        result = spec.func(*values)
        return np.asarray([[_from_python(result)]], dtype=object)

    call.__name__ = spec.name
    return wrap_func(call)


def _excel_round(x: float, digits: float) -> float:
    return round_half_up(x, int(digits))


@functools.lru_cache(maxsize=1)
def register() -> dict[str, Any]:
    """Add the JX_ functions (and the Excel-faithful ROUND) to `formulas`; idempotent."""
    import formulas
    from formulas.functions import wrap_ufunc

    functions = formulas.get_functions()
    for spec in REGISTRY.values():
        adapter = _adapter(spec)
        for prefix in PREFIXES:
            functions[prefix + spec.name] = adapter
    functions["ROUND"] = wrap_ufunc(_excel_round)
    return functions


_SOLUTION_KEY = re.compile(r"^'?\[(?P<book>[^\]]+)\](?P<sheet>.+?)'?!(?P<cell>[A-Z]+[0-9]+)$")


Inputs = Callable[[str, str], Any]  # (sheet, "A1") → the cell's typed value


def recalculate(path: str | os.PathLike[str], shared: Hashable | None = None,
                inputs: Inputs | None = None) -> dict[tuple[str, str], Any]:
    """Compute a workbook headlessly: {(sheet name, "A1"): value} for every single cell.

    Sheet names come back as the workbook spells them (``formulas`` upper-cases them).
    Error values come back as :class:`~jixiao.errors.ExcelError`.

    ``shared`` names what the workbook's model depends on (its formulas, sheets, names and which
    cells hold values); a model compiled for an equal key is reused, fed with ``inputs``.
    """
    import formulas

    register()
    path = Path(path)
    check_recalc_limits(path)
    compiled = _MODELS.get(shared) if shared is not None and inputs is not None else None
    if compiled is not None:
        _MODELS.move_to_end(shared)
        model, by_upper, given = compiled
        fed = {node: _from_python(inputs(sheet, ref)) for node, (sheet, ref) in given.items()}
        return _values(model.calculate(inputs=fed), by_upper)
    from openpyxl import load_workbook

    names = load_workbook(path, read_only=True).sheetnames
    by_upper = {n.upper(): n for n in names}
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    if shared is not None and inputs is not None:
        given = {}
        for node, default in model.dsp.default_values.items():
            match = _SOLUTION_KEY.match(str(node).replace("''", "'"))
            if match and isinstance(default.get("value"), (int, float, str)):  # a typed cell, not an empty one
                given[node] = (by_upper.get(match["sheet"].upper(), match["sheet"]), match["cell"])
        _MODELS[shared] = (model, by_upper, given)
        while len(_MODELS) > MAX_MODELS:
            _MODELS.popitem(last=False)
    return _values(solution, by_upper)


MAX_MODELS = 4  # compiled models kept per process (a few MB each)
_MODELS: OrderedDict[Hashable, tuple[Any, dict[str, str], dict[str, tuple[str, str]]]] = OrderedDict()


def _values(solution: Any, by_upper: dict[str, str]) -> dict[tuple[str, str], Any]:
    values: dict[tuple[str, str], Any] = {}
    for key, ranges in solution.items():
        match = _SOLUTION_KEY.match(key.replace("''", "'"))
        if not match:
            continue  # ranges such as A1:B3 and defined names
        sheet = by_upper.get(match["sheet"].upper(), match["sheet"])
        values[(sheet, match["cell"])] = _to_python(getattr(ranges, "value", ranges))
    return values


def check_recalc_limits(path: str | os.PathLike[str]) -> None:
    """The reader's limits (file and part sizes, XML entities, sheet extents) and a cap on the
    cells `formulas` loads; raises ``security.UnsafeFile`` with the reason."""
    from .. import security, sizes

    with open(path, "rb") as fh:
        raw = fh.read(security.MAX_FILE_BYTES + 1)
    if len(raw) > security.MAX_FILE_BYTES:
        raise security.UnsafeFile(f"文件过大，超过 {security.MAX_FILE_BYTES // 1024 // 1024} MB 上限")
    if not raw.startswith(security.ZIP_MAGIC):
        raise security.UnsafeFile("只能重新计算 .xlsx/.xlsm 工作簿")
    security.check_ooxml(raw)  # zip bombs, XML entities, sheet extents
    reason = sizes.recalc_refusal(raw)
    if reason:
        raise security.UnsafeFile(f"文件超出重新计算的大小上限（{reason}），未重新计算")


def recalc_file(src: str | os.PathLike[str], dst: str | os.PathLike[str],
                compute: Callable[[Path], dict[tuple[str, str], Any]] | None = None) -> dict[tuple[str, str], Any]:
    """Recalculate ``src`` (with ``compute``, by default :func:`recalculate`) and write a copy to
    ``dst`` whose formula cells carry the results."""
    from ..fileio import atomic_path
    from ..xlsxcache import write_cached_values

    src, dst = Path(src), Path(dst)
    if dst.exists() and dst.resolve() == src.resolve():
        raise ValueError(f"输出文件不能覆盖输入文件 (refusing to overwrite the input): {src}")
    values = (compute or recalculate)(src)
    with atomic_path(dst) as tmp:
        write_cached_values(src, tmp, values)
    return values
