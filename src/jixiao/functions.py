"""The JX_ functions: one registry that feeds every host (xlwings, xlwings Lite, `formulas`,
native formula text, LAMBDA definitions) and the function reference in the docs.

Each function is a plain Python callable. Bad input never raises and never becomes a silent
number: the result is an :class:`~jixiao.errors.ExcelError` (``#VALUE!``, ``#DIV/0!`` …) whose
``.message`` explains the problem in Chinese.

>>> JX_RATE_SCORE(87.65, 86.54, 10)
9.87
>>> JX_SCORE("", "不超过87.65万元", "86.54万元", 25)
25.0
>>> JX_GRADE(91)
'优'
>>> JX_RATE_SCORE(0, 5).message
'全年预算数为 0，无法计算执行率'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import __version__, native
from .core import quality, scoring
from .errors import ExcelError, JXError, RulePackError
from .rulepacks import RulePack, load_pack

CATEGORY = "绩效评价 jixiao"


@dataclass(frozen=True)
class Arg:
    name: str  # ASCII identifier: Python keyword, xlwings argument, LAMBDA parameter
    label: str  # Chinese name shown to users
    doc: str
    optional: bool = False
    default: Any = None
    is_range: bool = False


@dataclass(frozen=True)
class JXFunction:
    name: str
    summary: str
    args: tuple[Arg, ...]
    returns: str
    func: Callable[..., Any]
    native: Callable[..., str] | None
    example: str

    @property
    def required(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if not a.optional)

    def signature(self) -> str:
        parts = [f"[{a.label}]" if a.optional else a.label for a in self.args]
        return f"{self.name}({', '.join(parts)})"

    def native_formula(self, refs: dict[str, str] | list[str], pack: RulePack | str | None = None) -> str:
        """Plain-Excel formula text (without "=") over the given cell references.

        ``refs`` maps argument names (or lists them in order); the rule pack's numbers are
        baked in. Optional arguments left out take their defaults.
        """
        if self.native is None:
            raise ValueError(f"{self.name} has no native form")
        if isinstance(refs, list):
            refs = dict(zip([a.name for a in self.args], refs, strict=False))
        rp = load_pack(pack)
        values = []
        for a in self.args:
            if a.name == "pack":
                continue
            ref = refs.get(a.name)
            if ref is None:
                if not a.optional:
                    raise ValueError(f"{self.name}: missing reference for {a.name}")
                ref = _default_ref(a, rp)
            values.append(ref)
        return self.native(*values, rp)

    def lambda_definition(self, pack: RulePack | str | None = None) -> str:
        """Text for a named LAMBDA (Excel 365/2024) with the pack's numbers baked in.

        Every argument is a parameter, the pack argument included (ignored: it is baked in),
        so the same cell text works with the add-in and with the named LAMBDA.
        """
        params = [a.name for a in self.args]
        body = self.native_formula({p: p for p in params}, pack)
        return f"=LAMBDA({','.join(params)},{body})" if params else f"=LAMBDA({body})"


def _default_ref(arg: Arg, pack: RulePack) -> str:
    if arg.name == "weight" and arg.default is None:
        return native._num(pack.rate_weight)
    if arg.default is None:
        return ""  # omitted: the generator leaves that part out
    return native._num(arg.default) if isinstance(arg.default, (int, float)) else native._q(str(arg.default))


REGISTRY: dict[str, JXFunction] = {}


def _pack(value: object) -> RulePack:
    if value is None or (isinstance(value, str) and not value.strip()):
        return load_pack()
    return load_pack(str(value).strip())


def jx_function(summary: str, args: list[Arg], returns: str, example: str,
                native_form: Callable[..., str] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JX_ function; the wrapper turns JXError and error inputs into ExcelError."""

    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(impl)
        def wrapper(*call_args: Any, **kwargs: Any) -> Any:
            for value in (*call_args, *kwargs.values()):
                err = _first_error(value)
                if err is not None:
                    return err  # errors propagate, as in Excel
            try:
                return impl(*call_args, **kwargs)
            except JXError as exc:
                return exc.as_value()
            except RulePackError as exc:
                return ExcelError("#VALUE!", f"规则包错误：{exc}")
            except Exception as exc:  # a host must never see a traceback in a cell
                return ExcelError("#VALUE!", f"内部错误：{type(exc).__name__}: {exc}")

        REGISTRY[impl.__name__] = JXFunction(
            name=impl.__name__, summary=summary, args=tuple(args), returns=returns,
            func=wrapper, native=native_form, example=example,
        )
        return wrapper

    return decorate


def _first_error(value: object) -> ExcelError | None:
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, (list, tuple)):
        for v in value:
            err = _first_error(v)
            if err is not None:
                return err
    return None


_PACK_ARG = Arg("pack", "规则包", "规则包名称，如 cz2020-10、sichuan、hubei；留空用默认 cz2020-10", optional=True)


@jx_function(
    summary="按指标性质计算一项绩效指标的得分（正向、反向、等于、定性），四舍五入到 2 位小数。",
    args=[
        Arg("nature", "指标性质", "≥ / ≤ / ＝ / 定性（也可写“不低于”“不超过”等）；留空则从指标值文字推断"),
        Arg("target", "指标值", "年度指标值，如 95%、≥50个、不超过87.65万元、逐步提高"),
        Arg("actual", "实际值", "实际完成值；定性指标填 达成/部分达成/未达成 或完成程度百分比"),
        Arg("weight", "分值", "该指标的分值（权重）"),
        _PACK_ARG,
    ],
    returns="得分（数值），超额完成不超过分值",
    example='=JX_SCORE("≥", "80%", "85%", 10) → 10',
    native_form=native.score,
)
def JX_SCORE(nature: object, target: object, actual: object, weight: object, pack: object = None) -> float | ExcelError:
    return scoring.indicator_score(nature, target, actual, weight, _pack(pack))


@jx_function(
    summary="预算执行率 = 全年执行数 ÷ 全年预算数（小数，显示为百分比）。",
    args=[
        Arg("budget", "预算数", "全年预算数（四川为调整后预算数）"),
        Arg("spent", "执行数", "全年执行数"),
    ],
    returns="执行率（如 0.9873）；预算数为 0 或空时为 #DIV/0!",
    example="=JX_RATE(87.65, 86.54) → 0.98734…",
    native_form=native.rate,
)
def JX_RATE(budget: object, spent: object) -> float | ExcelError:
    return scoring.execution_rate(budget, spent)


@jx_function(
    summary="预算执行率得分 = min(执行率, 1) × 分值，四舍五入到 2 位小数。",
    args=[
        Arg("budget", "预算数", "全年预算数"),
        Arg("spent", "执行数", "全年执行数"),
        Arg("weight", "分值", "执行率的分值；留空取规则包的值（默认 10）", optional=True),
        _PACK_ARG,
    ],
    returns="执行率得分（数值）",
    example="=JX_RATE_SCORE(87.65, 86.54, 10) → 9.87",
    native_form=native.rate_score,
)
def JX_RATE_SCORE(budget: object, spent: object, weight: object = None, pack: object = None) -> float | ExcelError:
    rp = _pack(pack)
    w = rp.rate_weight if weight is None or weight == "" else weight
    return scoring.rate_score(budget, spent, w, rp)


@jx_function(
    summary="由总分评定等级：≥90 优，≥80 良，≥60 中，其余差（分档取自规则包）。",
    args=[Arg("total", "总分", "自评总分"), _PACK_ARG],
    returns="优 / 良 / 中 / 差",
    example="=JX_GRADE(91) → 优",
    native_form=native.grade,
)
def JX_GRADE(total: object, pack: object = None) -> str | ExcelError:
    return scoring.grade(total, _pack(pack))


@jx_function(
    summary="总分 = 各项得分（各自四舍五入）之和 − 扣分，不低于 0；规则包要求时按执行率封顶。",
    args=[
        Arg("scores", "得分区域", "执行率得分与各指标得分所在的单元格区域", is_range=True),
        Arg("deduction", "扣分", "扣分项合计（正数），可留空", optional=True),
        Arg("rate", "执行率", "预算执行率（用于执行率封顶规则），可留空", optional=True),
        _PACK_ARG,
    ],
    returns="总分（数值）",
    example="=JX_TOTAL(H7:H20) → 99.87",
    native_form=native.total,
)
def JX_TOTAL(scores: object, deduction: object = None, rate: object = None, pack: object = None) -> float | ExcelError:
    return scoring.total_score(scores, deduction, rate, _pack(pack))


@jx_function(
    summary="检查定性指标的得分是否落在其完成档次（达成/部分达成/未达成）的分数区间内。",
    args=[
        Arg("actual", "实际值", "达成 / 部分达成 / 未达成（或其同义词、与指标值相同的文字）"),
        Arg("score", "得分", "自评得分"),
        Arg("weight", "分值", "该指标的分值"),
        Arg("target", "指标值", "年度指标值（实际值与之相同视为达成），可留空", optional=True),
        _PACK_ARG,
    ],
    returns="TRUE（在档次区间内）/ FALSE",
    example='=JX_QUAL_CHECK("部分达成", 7, 10) → TRUE',
    native_form=native.qual_check,
)
def JX_QUAL_CHECK(actual: object, score: object, weight: object, target: object = None,
                  pack: object = None) -> bool | ExcelError:
    return scoring.qualitative_ok(actual, score, weight, _pack(pack), target)


@jx_function(
    summary="完成质量：完成值落在四档绩效标准（优/良/中/差）的哪一档，如满意度 92.97 对 95%以上/90%以上/80%以上/70%以上 → 良。",
    args=[
        Arg("actual", "完成值", "实际完成值（数值或百分比）；定性标准时填与某一档相同的文字"),
        Arg("excellent", "优", "“优”的绩效标准，如 95%以上、M≥90%"),
        Arg("good", "良", "“良”的绩效标准，如 90%以上、80%≤M<90%"),
        Arg("fair", "中", "“中”的绩效标准，如 80%以上、60%≤M<80%"),
        Arg("poor", "差", "“差”的绩效标准，如 M<60%、70%以下，可留空"),
        _PACK_ARG,
    ],
    returns="优 / 良 / 中 / 差（等级用词取自规则包）；完成值落在两档之间的空档时为 #N/A",
    example='=JX_QUALITY(92.97, "95%以上", "90%以上", "80%以上", "70%以上") → 良',
    native_form=native.quality,
)
def JX_QUALITY(actual: object, excellent: object, good: object, fair: object, poor: object,
               pack: object = None) -> str | ExcelError:
    return quality.completion_quality(actual, [excellent, good, fair, poor], _pack(pack))


@jx_function(
    summary="权重（分值）合计是否符合要求，返回可放在状态单元格里的中文说明。",
    args=[
        Arg("weights", "权重区域", "各指标分值或权重所在区域", is_range=True),
        Arg("expected", "应合计", "应有的合计，如 90 或 90%（0.9）"),
    ],
    returns="“权重合计 90，符合要求” 或 “权重合计 85，应为 90”",
    example="=JX_WEIGHT_STATUS(G12:G24, 90)",
    native_form=lambda weights, expected, pack: native.weight_status(weights, expected, pack),
)
def JX_WEIGHT_STATUS(weights: object, expected: object) -> str | ExcelError:
    return scoring.weight_check(weights, expected).message


@jx_function(
    summary="返回 jixiao 的版本，用于确认加载项已生效。",
    args=[],
    returns="如 “jixiao 0.1.0”",
    example="=JX_VERSION()",
    native_form=lambda pack: native._q(f"jixiao {__version__}"),
)
def JX_VERSION() -> str:
    return f"jixiao {__version__}"


__all__ = ["REGISTRY", "JXFunction", "Arg", *REGISTRY]


def reference_markdown() -> str:
    """The function reference, generated from the registry (used in the README and by the CLI)."""
    lines = ["| 函数 | 说明 | 参数 | 返回 | 示例 |", "| --- | --- | --- | --- | --- |"]
    for f in REGISTRY.values():
        params = "<br>".join(f"`{a.label}`{'（可选）' if a.optional else ''}: {a.doc}" for a in f.args) or "—"
        lines.append(f"| `{f.signature()}` | {f.summary} | {params} | {f.returns} | `{f.example}` |")
    return "\n".join(lines)
