"""What a notice says, and the check that it says everything its kind needs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from yiwang.cases.notices.kinds import NoticeKind

CASE_NUMBER_LENGTH = 43  # 实施编码 (31) + yyyyMMdd + a 4-digit daily sequence
_CASE_NUMBER_RE = re.compile(rf"[0-9A-Za-z]{{{CASE_NUMBER_LENGTH}}}")
_URL_RE = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Notice:
    """One notice to print. The caller supplies every number and date; nothing is looked up.

    `missing` holds (material name, what is wrong with it) pairs; `reasons` the grounds of a
    refusal, the cause of a special procedure, or the grounds of a refused completion;
    `special_kind` the Chinese name of the procedure (听证, 检验检测 …) and `special_limit_days`
    its own limit in working days; `extra` further paragraphs printed after the body.
    """

    kind: NoticeKind
    document_number: str
    case_number: str
    matter_name: str
    department_name: str
    applicant_name: str
    issued_on: dt.date
    progress_url: str
    query_hint: str = ""
    applied_on: dt.date | None = None
    accepted_on: dt.date | None = None
    promised_on: dt.date | None = None
    reasons: tuple[str, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()
    special_kind: str = ""
    special_limit_days: int | None = None
    result_name: str = ""
    approved: bool | None = None
    extra: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept the plain values a service has at hand ("refusal", lists from a JSON field).
        object.__setattr__(self, "kind", NoticeKind(self.kind))
        object.__setattr__(self, "reasons", tuple(self.reasons))
        object.__setattr__(self, "missing", tuple(tuple(pair) for pair in self.missing))
        object.__setattr__(self, "extra", tuple(self.extra))

    @property
    def title(self) -> str:
        return self.kind.label


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _blank_items(values: Iterable[str]) -> bool:
    return any(_blank(value) for value in values)


def notice_problems(notice: Notice) -> list[str]:
    """Every reason the notice cannot be printed, in Chinese; empty when it can."""
    problems: list[str] = []
    title = notice.kind.label
    for value, label in (
        (notice.document_number, "文书编号"),
        (notice.matter_name, "事项名称"),
        (notice.department_name, "办理机关名称"),
        (notice.applicant_name, "申请人名称"),
    ):
        if _blank(value):
            problems.append(f"缺少{label}")
    if not isinstance(notice.case_number, str) or not _CASE_NUMBER_RE.fullmatch(notice.case_number):
        problems.append(f"办件编号应为 {CASE_NUMBER_LENGTH} 位数字或字母")
    if not isinstance(notice.progress_url, str) or not _URL_RE.fullmatch(notice.progress_url):
        problems.append("缺少查询办理进度的网址（应以 http:// 或 https:// 开头）")
    if not isinstance(notice.issued_on, dt.date):
        problems.append("缺少出具日期")
    elif notice.applied_on is not None and notice.applied_on > notice.issued_on:
        problems.append("申请日期不能晚于出具日期")
    start = notice.accepted_on or notice.issued_on
    if notice.promised_on is not None and isinstance(start, dt.date) and notice.promised_on < start:
        problems.append("承诺办结日期不能早于受理日期")
    if _blank_items(notice.extra):
        problems.append("补充说明中有空行")

    match notice.kind:
        case NoticeKind.ACCEPTANCE:
            if notice.promised_on is None:
                problems.append(f"{title}必须写明承诺办结日期")
        case NoticeKind.REFUSAL:
            if not notice.reasons:
                problems.append(f"{title}必须写明不予受理的理由")
        case NoticeKind.CORRECTION:
            if not notice.missing:
                problems.append(f"{title}必须一次性列明需要补正的全部材料")
            elif any(
                len(pair) != 2 or _blank(pair[0]) or _blank(pair[1]) for pair in notice.missing
            ):
                problems.append(f"{title}中每项补正内容都须写明材料名称和存在的问题")
        case NoticeKind.SPECIAL:
            if _blank(notice.special_kind):
                problems.append(f"{title}必须写明特别程序的种类")
            if not isinstance(notice.special_limit_days, int) or notice.special_limit_days < 1:
                problems.append(f"{title}必须写明特别程序的时限（工作日，至少 1 日）")
            if not notice.reasons:
                problems.append(f"{title}必须写明启动特别程序的原因")
        case NoticeKind.COMPLETION:
            if notice.approved is None:
                problems.append(f"{title}必须写明是否准予")
            elif notice.approved and _blank(notice.result_name):
                problems.append(f"{title}必须写明办理结果的名称")
            elif not notice.approved and not notice.reasons:
                problems.append(f"{title}必须写明不予批准的理由")
    if _blank_items(notice.reasons):
        problems.append("理由或原因中有空项")
    return problems


def notice_check(notice: Notice) -> None:
    """Raise ValueError (in Chinese, every problem at once) unless the notice can be printed."""
    problems = notice_problems(notice)
    if problems:
        raise ValueError(f"{notice.kind.label}无法生成：" + "；".join(problems) + "。")
