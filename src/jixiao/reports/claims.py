"""The numbers a report's prose claims, each with its place (segment) and the sentence it is in.

The patterns are written for the ways reports phrase these numbers, not for particular
sentences: "该项指标扣1分，得5分", "基准分为9分 … 自评得分8.7分", "标准分15分, 自评分13.7分",
"指标分值 15 分，得 12.23分，得分率为 81.53%", "本项目绩效自评得91分，等级为“优”",
"总计评分为99.87分", "评分结果：90分", "预算执行率得分为9.87分", "目标100%，完成100%，完成率100%",
"5×92.97÷100=4.65分", amounts in 元/万元/亿元. A sentence none of them reads is skipped.
Matching runs on an NFKC-normalised copy (full-width digits and punctuation become ASCII);
quotes are the original sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .reading import Segment

NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SP = r"\s*"
_SENTENCES = re.compile(r"[^。！？；;!?\n]+[。！？；;!?]?")
_ENUM = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十]+[)）、.．]|[(（]\d{1,2}[)）]|\d{1,2}(?:[、.．](?!\d)|\s))\s*")
_NAME_END = re.compile(r"[:：(（,，]")

_POINTS = re.compile(r"(?:标准分|基准分|指标分值|总分值|分值|满分)" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "分")
_SCORE = re.compile(r"(自评得分|自评分|评价得分|得分为|得分|得)" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "分(?!值|率)")
_STRONG_SCORE = ("自评得分", "自评分", "评价得分")
_NOT_ITEM = re.compile(r"(?:问卷|调查|满意度|综合|执行率|平均)[^,，。]{0,6}$")
_DEDUCT = re.compile(r"扣(?:分|除|减)?" + _SP + r"(?:为)?" + _SP + NUM + _SP + "分")
_NO_DEDUCT = re.compile(r"不扣分|未扣分|无扣分|不予扣分")
_SCORE_RATE = re.compile(r"得分率" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "%")
_TOTAL = re.compile(r"(总计评分|总分|综合得分|综合评分|总得分|最终(?:自评)?得分|评分结果|(?:绩效)?(?:自评|评价)?(?:总)?得分?)"
                    + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "分")
_PROJECT = re.compile(r"(?:本|该|整个|全)项目(?:整体|总体)?\s*$")  # the subject right before "(绩效)(自评)得分"
_NOT_TOTAL = re.compile(r"(?:指标|该项|此项|问卷|调查|满意度|单项|小计)[^,，。]{0,4}$")
_GRADE = re.compile(r"(?:等级|级别|评价结论|自评结论|主要结论|评定结果|结论)(?:评定|评定结果)?" + _SP + r"(?:为|是|:)?" + _SP
                    + r"[\"“”'‘’「『]?(优秀|良好|中等|较差|优|良|中|差)(?![\u4e00-\u9fff]{2})")
_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差", "优": "优", "良": "良", "中": "中", "差": "差"}
_ARITH = re.compile(NUM + r"((?:" + _SP + r"[×xX*÷/+＋\-－]" + _SP + NUM + r")+)" + _SP + "=" + _SP + NUM)
_PART_SCORE = re.compile(r"([\u4e00-\u9fff]{2,12}?)得分" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "分")
_SUM_TOTAL = re.compile(r"(?:总计|合计|总分|总得分|综合得分)[\u4e00-\u9fff]{0,3}" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "分")
_RATE = re.compile(r"(?<!得分)执行率" + _SP + r"(?:为|达|是|:)?" + _SP + NUM + _SP + "%")
_RATE_SCORE = re.compile(r"执行率得分" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "分")
_AMOUNT = re.compile(NUM + _SP + r"(亿元|万元|元)(?![/每])")
_UNIT_YUAN = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_ROLES = (  # keyword → role of the amount that follows it (the closest keyword wins)
    ("budget", r"全年预算数|调整后预算(?:数)?|全年预算"),
    ("initial", r"年初预算(?:数|总额)?"),
    ("spent", r"全年执行数|预算执行数|执行数|执行金额|累计支出|实际支出|实际支付|支出"),
    ("budget_any", r"预算总额|预算安排|预算资金|预算"),
)
_PART_OF = re.compile(r"其中|分别")
_SUBPROJECT = re.compile(r"子项目|分项目|二级项目|各项目")
_TARGET = re.compile(r"目标" + _SP + r"(?:值)?(?:为|是|:)?" + _SP + NUM + _SP + r"(%|万元|元|分|个|次|家|人次)?")
_ACTUAL = re.compile(r"(?:实际完成|完成值|完成|为|达到?)" + _SP + NUM + _SP + r"(%|万元|元|分|个|次|家|人次)?")
_DONE_RATE = re.compile(r"(?:完成率|达成率)" + _SP + r"(?:为|是|:)?" + _SP + NUM + _SP + "%")
_SAVED = re.compile(r"(?:节约|节省|结余率)" + _SP + r"(?:了)?" + _SP + NUM + _SP + "%")


@dataclass(frozen=True)
class Num:
    value: float
    text: str  # as written ("1,457.50")

    @property
    def decimals(self) -> int:
        return len(self.text.split(".")[1]) if "." in self.text else 0


def _num(text: str) -> Num:
    return Num(float(text.replace(",", "")), text)


@dataclass
class Place:
    segment: Segment
    sentence: str  # the original sentence, quoted in findings
    focus: str = ""  # the words the claim rests on (a long sentence is quoted around them)

    def quote(self, limit: int = 80) -> str:
        s = self.sentence.strip()
        if len(s) <= limit:
            return s
        at = norm(s).find(self.focus) if self.focus and len(norm(s)) == len(s) else -1
        if at < 0:
            return s[: limit - 1] + "…"
        start = max(0, min(at - limit // 2, len(s) - limit))
        return ("…" if start else "") + s[start: start + limit] + ("…" if start + limit < len(s) else "")

    def where(self) -> str:
        return f"{self.segment.where}“{self.quote()}”"


@dataclass
class Item:
    """An indicator's score as the prose gives it."""

    name: str
    place: Place
    score: Num
    points: Num | None = None
    deduction: Num | None = None
    rate: Num | None = None  # 得分率, percent
    level: int | None = None  # outline level of its heading: 一、 1, （一） 2, 1. 3, （1） 4

    @property
    def full(self) -> float | None:
        """分值: stated, or 得分 + 扣分 when only the deduction is given."""
        if self.points is not None:
            return self.points.value
        if self.deduction is not None:
            return self.score.value + self.deduction.value
        return None


@dataclass
class Amount:
    value: Num
    unit: str
    role: str | None
    place: Place
    part: bool = False  # a part of the project ("其中 …", a 子项目's), not the project's own figure

    @property
    def yuan(self) -> float:
        return self.value.value * _UNIT_YUAN[self.unit]


@dataclass
class Target:
    name: str
    place: Place
    target: Num
    target_unit: str
    actual: Num | None
    actual_unit: str
    done_rate: Num | None
    saved: Num | None


@dataclass
class Claims:
    items: list[Item] = field(default_factory=list)
    totals: list[tuple[Num, Place]] = field(default_factory=list)
    grades: list[tuple[str, str, Place]] = field(default_factory=list)  # (grade, as written, place)
    arithmetic: list[tuple[str, list[Num], list[str], Num, Place]] = field(default_factory=list)
    sums: list[tuple[list[tuple[str, Num]], Num, Place]] = field(default_factory=list)
    rates: list[tuple[Num, Place]] = field(default_factory=list)  # the project's 执行率 (not a 子项目's)
    rate_scores: list[tuple[Num, Place]] = field(default_factory=list)
    rate_checks: list[tuple[Num, Amount, Amount, Place]] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def sentences(text: str) -> list[str]:
    return [m.group(0) for m in _SENTENCES.finditer(text) if m.group(0).strip()]


def heading_name(text: str) -> str | None:
    """"（3）绩效监管" → "绩效监管"; "1、项目立项: 该指标…" → "项目立项"; None for plain prose."""
    t = norm(text).strip()
    m = _ENUM.match(t)
    if not m:
        return None
    rest = t[m.end():]
    cut = _NAME_END.search(rest)
    name = (rest[: cut.start()] if cut else rest).strip(" 。.")
    if not name or len(name) > 20 or (cut is None and len(rest) > 20):
        return None
    return name


def enum_level(text: str) -> int | None:
    t = norm(text).strip()
    for level, pattern in enumerate(_LEVELS, start=1):
        if pattern.match(t):
            return level
    return None


_LEVELS = (re.compile(r"^[一二三四五六七八九十]+[、.]"), re.compile(r"^\([一二三四五六七八九十]+\)"),
           re.compile(r"^\d{1,2}[、.](?!\d)"), re.compile(r"^\(\d{1,2}\)"))


def heading_points(text: str) -> Num | None:
    """分值 declared right after a heading's name: "（1）决策程序（6分）" → 6."""
    t = norm(text).strip()
    m = _ENUM.match(t)
    name = heading_name(t)
    if m is None or name is None:
        return None
    after = _HEADING_POINTS.match(t, m.end() + t[m.end():].find(name) + len(name))
    return _num(after.group(1)) if after else None


_HEADING_POINTS = re.compile(r"\s*[(]" + _SP + NUM + _SP + r"分[)]")


def extract(segments: list[Segment]) -> Claims:
    claims = Claims()
    heading, level, points = "", None, None
    for seg in segments:
        own = heading_name(seg.text)
        if own is not None:
            heading, level, points = own, enum_level(seg.text), heading_points(seg.text)
        before = len(claims.items)
        _segment_claims(seg, own or heading, claims, points)
        if len(claims.items) > before:
            claims.items[-1].level = level
    return claims


def _segment_claims(seg: Segment, name: str, claims: Claims, heading_points: Num | None = None) -> None:
    item_scores: list[tuple[str, Num, Place]] = []
    points = deduction = rate = None
    n_deduct = 0
    amounts: list[Amount] = []
    rates: list[tuple[Num, Place]] = []
    for original in sentences(seg.text):
        s = norm(original)
        place = Place(seg, original)
        for m in _POINTS.finditer(s):
            points = points or _num(m.group(1))
        for m in _SCORE.finditer(s):
            if _NOT_ITEM.search(s[: m.start()]) or _in_total(s, m.start()):
                continue
            item_scores.append((m.group(1), _num(m.group(2)), place))
        for m in _DEDUCT.finditer(s):
            deduction = _num(m.group(1))
            n_deduct += 1
        if _NO_DEDUCT.search(s) and deduction is None:
            deduction = _num("0")
            n_deduct += 1
        for m in _SCORE_RATE.finditer(s):
            rate = rate or _num(m.group(1))
        _sentence_claims(s, place, claims)
        for a in _amounts(s, place):
            amounts.append(a)
        if not _SUBPROJECT.search(s):
            rates.extend((_num(m.group(1)), place) for m in _RATE.finditer(s))
    claims.amounts.extend(amounts)
    claims.rates.extend(rates)
    budgets = [a for a in amounts if a.role in ("budget", "budget_any", "initial")]
    spent = [a for a in amounts if a.role == "spent"]
    if len(rates) == 1 and len(budgets) == 1 and len(spent) == 1:
        claims.rate_checks.append((rates[0][0], budgets[0], spent[0], rates[0][1]))
    item = _item(name, item_scores, points or heading_points, deduction if n_deduct == 1 else None, rate)
    if item is not None:
        claims.items.append(item)


def _totals(s: str) -> list[re.Match[str]]:
    """Project totals in a sentence: "总计评分为99.87分", "评分结果：90分", "最终自评得分97.75分", or a
    自评/评价得分 whose subject is the project ("本项目绩效自评得91分") — never an indicator's
    ("该指标自评得分8.7分", "问卷调查综合得分92.97分")."""
    found = []
    for m in _TOTAL.finditer(s):
        before = s[: m.start()]
        if _NOT_TOTAL.search(before) or _NOT_ITEM.search(before):
            continue
        word = m.group(1)
        if word.startswith(("总计", "总分", "综合", "总得分", "最终", "评分结果")) or _PROJECT.search(before[-8:]):
            found.append(m)
    return found


def _in_total(s: str, start: int) -> bool:
    return any(m.start() <= start < m.end() for m in _totals(s))


def _item(name: str, scores: list[tuple[str, Num, Place]], points: Num | None,
          deduction: Num | None, rate: Num | None) -> Item | None:
    """One indicator per segment, when it states 分值 or 扣分 and one unambiguous 得分."""
    if not scores or not name or (points is None and deduction is None):
        return None
    strong = [s for s in scores if s[0] in _STRONG_SCORE]
    if not strong and len({s[1].value for s in scores}) != 1:
        return None  # several plain 得N分 that differ: which one is the indicator's is unclear
    _, score, place = (strong or scores)[0]  # the first 自评得分 states it (a later one repeats it)
    return Item(name, place, score, points, deduction, rate)


def _sentence_claims(s: str, place: Place, claims: Claims) -> None:
    for m in _totals(s):
        claims.totals.append((_num(m.group(2)), place))
    for m in _GRADE.finditer(s):
        claims.grades.append((_GRADE_WORDS[m.group(1)], m.group(1), place))
    for m in _ARITH.finditer(s):
        ops = re.findall(r"[×xX*÷/+＋\-－]", m.group(2))
        nums = [_num(m.group(1))] + [_num(x) for x in re.findall(NUM, m.group(2))]
        if len(nums) == len(ops) + 1:
            claims.arithmetic.append((m.group(0), nums, ops, _num(m.group(4)), place))
    parts = [(p.group(1), _num(p.group(2))) for p in _PART_SCORE.finditer(s)]
    total = _SUM_TOTAL.search(s)
    if total and len(parts) >= 2:
        parts = [p for p in parts if not re.search(r"总计|合计|总分|总得分|综合", p[0])]
        if len(parts) >= 2:
            claims.sums.append((parts, _num(total.group(1)), place))
    for m in _RATE_SCORE.finditer(s):
        claims.rate_scores.append((_num(m.group(1)), place))
    target = _target(s, place)
    if target is not None:
        claims.targets.append(target)


def _amounts(s: str, place: Place) -> list[Amount]:
    found = []
    for m in _AMOUNT.finditer(s):
        window = s[max(0, m.start() - 16): m.start()]
        window = re.split(r"[，,。；;、]", window)[-1]
        role, at = None, -1
        for name, pattern in _ROLES:
            for k in re.finditer(pattern, window):
                if k.end() > at or (k.end() == at and role is None):
                    role, at = name, k.end()
        part = bool(_PART_OF.search(s[: m.start()]) or _SUBPROJECT.search(s))
        found.append(Amount(_num(m.group(1)), m.group(2), role, Place(place.segment, place.sentence, m.group(0)),
                            part))
    return found


def _target(s: str, place: Place) -> Target | None:
    m = _TARGET.search(s)
    if m is None:
        return None
    name = re.split(r"[，,。:：]", s[: m.start()])[-1].strip()
    rest = s[m.end():]
    actual = _ACTUAL.search(rest)
    done = _DONE_RATE.search(rest)
    saved = _SAVED.search(rest)
    if actual is not None and done is not None and actual.start() > done.start():
        actual = None
    return Target(name, place, _num(m.group(1)), m.group(2) or "",
                  _num(actual.group(1)) if actual else None, (actual.group(2) or "") if actual else "",
                  _num(done.group(1)) if done else None, _num(saved.group(1)) if saved else None)
