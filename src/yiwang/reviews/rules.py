"""Pure review rules: which ratings need reasons, the indicator formulas, one-rating rules.

The formulas, as published (see docs/reviews.md):
- 主动评价率 = active ratings / all ratings (default ratings are not active)
- 满意率 = (非常满意 + 满意 + 基本满意) / counted ratings
- 差评数 = 不满意 + 非常不满意
- 差评回访率 = bad ratings followed up (回访) / bad ratings
- 差评整改率 = bad ratings whose ticket is closed (rectified, or explained and accepted)
  / bad ratings
- 平均分 = mean points (非常满意 5, 满意 4, 基本满意 3, 不满意 2, 非常不满意 1)
"Counted" ratings are the latest evaluation of each occasion, without reviews an upheld appeal
removed. Rates of an empty set are None (shown as “—”), never 0 or 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from yiwang.reviews.models import BAD_LEVELS, GOOD_LEVELS, ON_SITE_INDICATORS, ONLINE_INDICATORS

MAX_EVALUATIONS = 2  # the first rating and one follow-up (追加评价) per occasion
TEXT_MAX_LENGTH = 500
# Ratings below 满意 must name at least one reason (an indicator that fell short).
NEEDS_REASON = frozenset({"3", "4", "5"})


def indicator_options(occasion: str) -> Mapping[str, str]:
    return ONLINE_INDICATORS if occasion == "online" else ON_SITE_INDICATORS


def rating_problems(
    *, occasion: str, level: str, indicators: Iterable[str], text: str
) -> dict[str, list[str]]:
    """What is wrong with a rating, per field (empty when it is acceptable)."""
    problems: dict[str, list[str]] = {}
    chosen = list(indicators)
    if level not in {"1", "2", "3", "4", "5"}:
        problems["level"] = ["请选择满意程度"]
    options = indicator_options(occasion)
    unknown = [c for c in chosen if c not in options]
    if unknown:
        problems["indicators"] = ["评价指标不正确：" + "、".join(unknown)]
    elif level in NEEDS_REASON and not chosen:
        names = "、".join(options.values())
        problems["indicators"] = [f"评价为“满意”以下时，请至少选择一项不满意的方面（{names}）"]
    if len(text) > TEXT_MAX_LENGTH:
        problems["text"] = [f"评价内容不能超过 {TEXT_MAX_LENGTH} 字"]
    return problems


@dataclass(frozen=True)
class Counts:
    """The counts one indicator row is computed from."""

    total: int = 0
    active: int = 0
    level1: int = 0
    level2: int = 0
    level3: int = 0
    level4: int = 0
    level5: int = 0
    bad_visited: int = 0
    bad_rectified: int = 0

    @property
    def good(self) -> int:
        return self.level1 + self.level2 + self.level3

    @property
    def bad(self) -> int:
        return self.level4 + self.level5

    @property
    def points(self) -> int:
        return 5 * self.level1 + 4 * self.level2 + 3 * self.level3 + 2 * self.level4 + self.level5


def _rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, rounded half up; None for an empty set."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicators:
    total: int
    active: int
    bad: int
    active_rate: Decimal | None
    satisfaction_rate: Decimal | None
    visit_rate: Decimal | None
    rectification_rate: Decimal | None
    average: Decimal | None


def indicators(counts: Counts) -> Indicators:
    average = (
        (Decimal(counts.points) / Decimal(counts.total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if counts.total
        else None
    )
    return Indicators(
        total=counts.total,
        active=counts.active,
        bad=counts.bad,
        active_rate=_rate(counts.active, counts.total),
        satisfaction_rate=_rate(counts.good, counts.total),
        visit_rate=_rate(counts.bad_visited, counts.bad),
        rectification_rate=_rate(counts.bad_rectified, counts.bad),
        average=average,
    )


def is_bad(level: str) -> bool:
    return level in {lv.value for lv in BAD_LEVELS}


def is_good(level: str) -> bool:
    return level in {lv.value for lv in GOOD_LEVELS}
