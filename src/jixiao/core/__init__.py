"""The pure scoring core: parsing of typed values and the 绩效 scoring rules. No Excel here."""

from .parsing import (
    Nature,
    infer_nature,
    normalize_text,
    parse_nature,
    parse_number,
    parse_quantity,
)
from .quality import completion_quality, parse_standard
from .scoring import (
    execution_rate,
    grade,
    indicator_score,
    qualitative_band,
    qualitative_ok,
    rate_score,
    round_half_up,
    total_score,
    weight_check,
)

__all__ = [
    "Nature", "completion_quality", "execution_rate", "grade", "indicator_score", "infer_nature", "normalize_text",
    "parse_nature", "parse_number", "parse_quantity", "parse_standard", "qualitative_band", "qualitative_ok",
    "rate_score", "round_half_up", "total_score", "weight_check",
]
