"""The monthly assessment report of a department's window officers (窗口工作人员月度考核): the
combined score and the Excel workbook.

The combined score (综合得分), on a 0–100 scale, is published on the page and in the workbook:

    综合得分 = 40 % × 满意率 + 40 % × 德能勤绩廉平均分 + 20 % × 出勤率

- 满意率: the officer's share of 非常满意 + 满意 + 基本满意 among the month's counted ratings
  (`rules.indicators`).
- 德能勤绩廉平均分: the mean of the five scores (0–100 each) the head entered for the month.
- 出勤率 = days present / days due, where days due (应出勤天数) are the month's working days
  (up to today for the current month) minus leave days; capped at 100 %.
- A part that does not exist yet (no rating, no scores, no day due) is left out and the weights of
  the other parts are scaled up to 100 %; with no part at all there is no score ("—").
- Handling volume and speed are shown but not scored: matters differ too much to compare them.
All results are rounded half up to one decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yiwang.reviews.models import AbilityScore
from yiwang.reviews.selectors import Assessment

ONE_DECIMAL = Decimal("0.1")
# (part, weight in %): the weights add up to 100.
WEIGHTS = (("satisfaction", 40), ("ability", 40), ("attendance", 20))
FORMULA = "综合得分 = 40% × 满意率 + 40% × 德能勤绩廉平均分 + 20% × 出勤率"
FORMULA_NOTES = (
    FORMULA,
    "满意率 =（非常满意 + 满意 + 基本满意）÷ 本月计入统计的评价数"
    "（同一次服务以最后一次评价为准，不含申诉成立的评价）。",
    "德能勤绩廉平均分 = 部门负责人（或电子监察员）本月所评德、能、勤、绩、廉五项得分"
    "（各 0–100 分）的平均分。",
    "出勤率 = 出勤天数 ÷ 应出勤天数；应出勤天数 = 本月工作日（当月计至今天）− 请假天数；"
    "最高 100%。",
    "某一项尚无数据（无评价、未评分或无应出勤日）时不计入，其余各项按权重折算为百分制；"
    "三项都没有时不计分。",
    "办件数和平均办理天数（受理至办结的自然日）只作参考，不计入综合得分。",
    "结果四舍五入保留一位小数。",
)


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, ROUND_HALF_UP)


def attendance_rate(*, present: int, leave: int, working_days: int) -> Decimal | None:
    """出勤率 in %: days present over days due (working days minus leave), at most 100."""
    due = working_days - leave
    if due <= 0:
        return None
    return _round(Decimal(100 * min(present, due)) / Decimal(due))


def ability_average(scores: Sequence[int] | None) -> Decimal | None:
    """德能勤绩廉平均分: the mean of the five scores; None before the head scored."""
    if not scores:
        return None
    return _round(Decimal(sum(scores)) / Decimal(len(scores)))


def combined_score(
    *,
    satisfaction: Decimal | None,
    ability: Decimal | None,
    attendance: Decimal | None,
) -> Decimal | None:
    """综合得分 (0–100): the weighted mean of the parts that exist (see the module docstring)."""
    parts = {"satisfaction": satisfaction, "ability": ability, "attendance": attendance}
    weighted = [
        (Decimal(weight), value) for name, weight in WEIGHTS if (value := parts[name]) is not None
    ]
    if not weighted:
        return None
    total = sum((weight * value for weight, value in weighted), Decimal(0))
    return _round(total / sum((weight for weight, _ in weighted), Decimal(0)))


@dataclass(frozen=True)
class ReportLine:
    """One officer's row of the report: the assessment and what the report derives from it."""

    assessment: Assessment
    days_due: int
    attendance_rate: Decimal | None
    ability_average: Decimal | None
    combined: Decimal | None

    @property
    def scores(self) -> tuple[int, int, int, int, int] | None:
        return _five(self.assessment.scores)


def _five(s: AbilityScore | None) -> tuple[int, int, int, int, int] | None:
    """德、能、勤、绩、廉 in that order."""
    if s is None:
        return None
    return (s.morality, s.ability, s.diligence, s.performance, s.integrity)


def report_lines(assessments: Sequence[Assessment], *, working_days: int) -> list[ReportLine]:
    """The report's rows: each officer's assessment with the derived rates and scores."""
    lines = []
    for a in assessments:
        average = ability_average(_five(a.scores))
        rate = attendance_rate(
            present=a.days_present, leave=a.days_leave, working_days=working_days
        )
        combined = combined_score(
            satisfaction=a.ratings.satisfaction_rate, ability=average, attendance=rate
        )
        days_due = max(working_days - a.days_leave, 0)
        lines.append(ReportLine(a, days_due, rate, average, combined))
    return lines


# --- The workbook -----------------------------------------------------------------------------

SHEET = "月度考核"
NOTES_SHEET = "计分说明"
PERCENT = "0.0%"
ONE_PLACE = "0.0"
INTEGER = "0"
# (header, number format, column width)
COLUMNS = (
    ("序号", INTEGER, 6),
    ("姓名", "@", 12),
    ("出勤天数", INTEGER, 9),
    ("请假天数", INTEGER, 9),
    ("应出勤天数", INTEGER, 10),
    ("出勤率", PERCENT, 9),
    ("评价数", INTEGER, 8),
    ("满意率", PERCENT, 9),
    ("差评数", INTEGER, 8),
    ("办件数", INTEGER, 8),
    ("平均办理天数", ONE_PLACE, 12),
    ("德", INTEGER, 6),
    ("能", INTEGER, 6),
    ("勤", INTEGER, 6),
    ("绩", INTEGER, 6),
    ("廉", INTEGER, 6),
    ("德能勤绩廉平均分", ONE_PLACE, 16),
    ("综合得分", ONE_PLACE, 10),
)
HEADERS = tuple(header for header, _, _ in COLUMNS)
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _fraction(percent: Decimal | None) -> float | None:
    """A percentage as the fraction Excel's % format expects (87.5 → 0.875)."""
    return None if percent is None else float(percent / 100)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _values(index: int, line: ReportLine) -> list[Any]:
    a = line.assessment
    scores: Sequence[int | None] = line.scores or (None,) * 5
    return [
        index,
        a.staff.name,
        a.days_present,
        a.days_leave,
        line.days_due,
        _fraction(line.attendance_rate),
        a.ratings.total,
        _fraction(a.ratings.satisfaction_rate),
        a.ratings.bad,
        a.cases_handled,
        a.average_days,
        *scores,
        _number(line.ability_average),
        _number(line.combined),
    ]


def title(department_name: str, month: dt.date) -> str:
    return f"{department_name} 窗口工作人员月度考核表（{month.year}年{month.month:02d}月）"


def assessment_workbook(
    *, department_name: str, month: dt.date, lines: Sequence[ReportLine]
) -> bytes:
    """The report as .xlsx: a title row (department, month), the Chinese header row (frozen),
    one row per officer with number formats, and a sheet explaining the combined score."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = SHEET
    sheet.append([title(department_name, month)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.cell(row=1, column=1).font = TITLE_FONT
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.append(list(HEADERS))
    for column, (_, _, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for index, line in enumerate(lines, start=1):
        sheet.append(_values(index, line))
        for column, (_, number_format, _) in enumerate(COLUMNS, start=1):
            sheet.cell(row=index + 2, column=column).number_format = number_format
    sheet.freeze_panes = "C3"  # the title, the headers, and the number and name stay in view
    notes = book.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 110
    for note in FORMULA_NOTES:
        notes.append([note])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
