"""The seed reports' values as template data (seed 000: 附表1 and 附表2; seed 001: 自评表).

Used by the tests (acceptance numbers), by the README pictures and as examples of the schema.
"""

from __future__ import annotations

from typing import Any

FUBIAO1: dict[str, Any] = {
    "scores": {"决策程序": 6, "规划论证": 5, "资金投向": 6, "制度办法": 2, "分配管理": 10, "绩效监管": 4,
               "预算执行": 6, "资金使用": 3, "目标完成": 6, "完成时效": 3, "符合性": 8, "成长性": 8,
               "经济性": 10},
    "personal": [
        {"name": "特种设备安全隐患排查率", "score": 7, "explanation": "反映特种设备安全隐患排查率是否达到预期目标"},
        {"name": "审查整改完成率", "score": 7, "explanation": "反映审查整改完成率是否达到预期目标"},
    ],
    "deduction": None,
}

_F2_ROWS = [
    ("产出指标", "数量指标", "检测机构检查数量", "≥", 10, "家", "5%", 10),
    ("产出指标", "数量指标", "重点用能企业审查数量", "≥", 4, "家", "5%", 4),
    ("产出指标", "数量指标", "认证及小微企业检查数量", "≥", 4, "家", "5%", 4),
    ("产出指标", "数量指标", "民生、能源、法制计量监督检查数量", "≥", 300, "台/套", "5%", 300),
    ("产出指标", "质量指标", "民生、能源、法制计量检查问题处置率", "＝", 100, "%", "5%", 100),
    ("产出指标", "质量指标", "特种设备安全隐患排查率", "＝", 100, "%", "5%", 100),
    ("产出指标", "质量指标", "审查整改完成率", "＝", 100, "%", "5%", 100),
    ("产出指标", "时效指标", "项目完成时间", "＝", 2025, "年", "5%", 2025),
    ("效益指标", "社会效益指标", "社会市场计量秩序", "定性", "逐步提高", None, "10%", "逐步提高"),
    ("效益指标", "社会效益指标", "重点用能企业能源计量管理水平", "定性", "逐步提高", None, "10%", "逐步提高"),
    ("满意度指标", "服务对象满意度指标", "特种设备使用单位安全满意度", "≥", 95, "%", "10%", 95),
    ("成本指标", "经济成本指标", "专家劳务费", "≤", 4000, "元/个", "10%", 4000),
    ("成本指标", "经济成本指标", "重点用能企业审查单位成本", "≤", 10000, "元", "10%", 10000),
]

FUBIAO2: dict[str, Any] = {
    "header": {
        "project": "质量与安全监管",
        "unit_name": "阿坝藏族羌族自治州市场监督管理局",
        "project_type": "常年项目",
        "plan": "《计量发展规划（2021—2035年）》《阿坝州2021—2035年计量发展规划》",
        "fund_rules": "州级财政预算管理规定及我局内部控制相关制度",
        "allocation": "据实据效",
        "basis": "《计量发展规划（2021—2035年）》《阿坝州2021—2035年计量发展规划》",
        "scope": "主要用于计量监管、认证检查、特种设备整治等工作的人力、差旅、检测等支出",
        "conditions": "/",
        "period": "2025年1月—2025年12月",
    },
    # The seed gives no 执行数; full execution is assumed for the picture.
    "funds": {"total_funds": {"budget": 15.0, "spent": 15.0}, "fiscal": {"budget": 15.0, "spent": 15.0},
              "other": {}},
    "goal": {"expected": "保障民生安全、规范市场秩序、服务地方经济，明确开展计量监管、认证认可检查、特种设备整治等工作，"
                         "提升质量安全保障能力，指导县（市）创建有机产品认证示范区，推动地方产业升级"},
    "indicators": [
        {"level1": a, "level2": b, "level3": c, "nature": n, "target": t, "unit": u, "points": w, "actual": x}
        for a, b, c, n, t, u, w, x in _F2_ROWS
    ],
}

XIANGMU: dict[str, Any] = {
    "year": 2019,
    "header": {"project": "质量技术监督专项经费", "department": None, "unit_name": "武汉市蔡甸区应急管理局"},
    "funds": {"total_funds": {"budget": "87.65万元", "spent": "86.54万元"},
              "fiscal": {"budget": "87.65万元", "spent": "86.54万元"}},
    "indicators": [
        {"level1": "产出指标", "level2": "时效指标", "level3": "及时完成质量监督检查任务", "target": "100%",
         "actual": "100%", "points": 25},
        {"level1": "产出指标", "level2": "成本指标", "level3": "不超过年度预算", "nature": "≤",
         "target": "87.65万元", "actual": "86.54万元", "points": 25},
        {"level1": "效益指标", "level2": "社会效益指标", "level3": "促进质量提升，保障社会经济发展", "target": "100%",
         "actual": "100%", "points": 15},
        {"level1": "效益指标", "level2": "可持续影响指标", "level3": "质量技术监督专项经费的可持续影响情况",
         "target": "100%", "actual": "100%", "points": 15},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "社会公众或服务对象对项目实施效果的满意程度",
         "target": "80%", "actual": "85%", "points": 10},
    ],
}

# Seed 003: the 评价 score summary, 12.23 + 19.30 + 2.00 + 27.53 + 12.18 = 73.24 → 中.
PINGJIA: dict[str, Any] = {
    "scores": {"决策指标": 12.23, "过程指标": 19.30, "成本指标": 2.00, "产出指标": 27.53, "效果指标": 12.18},
}

# Seed 004: 云南 2017 score table, 8.7 + 5 + 15 + 14.5 + 29.9 + 24.65 = 97.75 → 优.
YUNNAN2017: dict[str, Any] = {
    "scores": {"项目立项": 8.7, "资金落实": 5, "业务管理": 15, "财务管理": 14.5, "项目产出": 29.9, "项目效果": 24.65},
    "remarks": {"项目立项": "个别项目定量指标不够完整", "资金落实": "预算资金到位率 94.52%",
                "财务管理": "未按项目名称进行核算", "项目产出": "资金使用率 91.61%",
                "项目效果": "满意度问卷 92.97 分：5×92.97÷100=4.65"},
}

# Seed 004: its 四级 indicator table, 绩效标准 优/良/中/差 → 完成质量 (满意度 92.97 → 良). The standards
# are the seed's thresholds as numbers (满意度95%以上 → 95), which native formulas can read too; the
# seed's own wording ("满意度95%以上", "80%≤M<90%") needs the JX_ function (udf / lambda / validation).
YUNNAN2017_ZHIBIAO: dict[str, Any] = {
    "indicators": [
        {"level1": "产出指标", "level2": "质量指标", "level3": "省级风险监测项目 年度计划完成率",
         "std_excellent": "90%", "std_good": "80%", "std_fair": "60%", "std_poor": "M<60%",
         "target": "能圆满完成计划", "actual": "100%", "completion": "100%",
         "remark": "共抽查850家企业1446个批次产品"},
        {"level1": "满意度指标", "level2": "社会公众或服务对象满意度", "level3": "服务对象满意度",
         "std_excellent": 95, "std_good": 90, "std_fair": 80, "std_poor": 70,
         "target": "服务对象满意度95%以上", "actual": 92.97, "completion": "100%",
         "remark": "发放及回收有效问卷100份，得分92.97分"},
    ],
}

SEEDS: dict[str, dict[str, Any]] = {"fubiao1": FUBIAO1, "fubiao2": FUBIAO2, "xiangmu": XIANGMU, "pingjia": PINGJIA,
                                    "yunnan2017": YUNNAN2017, "yunnan2017-zhibiao": YUNNAN2017_ZHIBIAO}


def random_data(form_id: str, rng: Any) -> dict[str, Any]:
    """A randomly filled form (``rng``: a ``random.Random``) — for cross-engine tests.

    Values stay inside what every mode accepts: numbers where native formulas need numbers,
    定性 actuals from the tiers, 附表1 scores within their 分值.
    """
    from ..forms import load_form

    spec = load_form(form_id)
    if spec.indicators.sections:
        scores = {item.name: round(rng.uniform(0, item.points) * 4) / 4 for item in spec.indicators.leaves()}
        n = sum(len(s.items) for s in spec.indicators.sections if s.personal)
        personal = [{"name": f"个性指标{i + 1}", "score": round(rng.uniform(0, 8), 2)} for i in range(n)]
        data: dict[str, Any] = {"scores": scores, "personal": personal}
        if spec.indicators.deduction is not None:
            data["deduction"] = rng.choice([None, 0, round(rng.uniform(0, 10), 2)])
        return data
    percent = spec.indicators.points_unit == "percent"
    columns = spec.indicators.keys()
    rows = []
    for cat in spec.indicators.categories:
        for _ in range(rng.randint(0, 2)):
            nature = rng.choice(["≥", "≥", "≤", "＝", "定性"])
            if nature == "定性":
                target, actual = "逐步提高", rng.choice(["逐步提高", "达成", "部分达成", "未达成"])
            else:
                target = rng.choice([rng.randint(1, 500), round(rng.uniform(0.5, 1), 4)])
                actual = round(target * rng.uniform(0.3, 1.8), rng.choice([0, 2, 4]))
                if nature == "＝" and rng.random() < 0.2:
                    target, actual = 0, rng.choice([0, 1])
            points = f"{rng.randint(2, 15)}%" if percent else rng.choice([5, 10, 12.5, 15, 20])
            row = {"level1": cat.level1, "level2": cat.level2, "level3": f"指标{len(rows) + 1}",
                   "nature": nature, "target": target, "actual": actual, "points": points, "unit": "个"}
            if "std_excellent" in columns:  # 绩效标准 优/良/中/差 and a 完成值 on the same scale
                t1 = rng.randint(85, 98)
                t2, t3 = t1 - rng.randint(3, 10), t1 - rng.randint(14, 25)
                # numbers: native formulas read numeric standards only (text ones need the JX_ function)
                row.update(std_excellent=t1, std_good=t2, std_fair=t3, std_poor=f"{t3}以下",
                           actual=round(rng.uniform(t3 - 10, 100), 2))
            rows.append({k: v for k, v in row.items() if k in columns})
    data: dict[str, Any] = {"indicators": rows}
    budget = round(rng.uniform(1, 500), 2)
    spent = round(budget * rng.uniform(0.4, 1.2), 2)
    if spec.funds is not None:
        data["funds"] = {"total_funds": {"budget": budget, "spent": spent},
                         "fiscal": {"budget": budget, "spent": round(spent * rng.uniform(0.5, 1), 2)}}
    if spec.header.fields:
        data["header"] = {"project": "随机项目"}
    return data
