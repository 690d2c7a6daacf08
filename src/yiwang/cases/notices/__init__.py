"""Case notices (办件文书) as PDF: receipt, acceptance, refusal, correction, special procedure,
completion. Pure: no database, no network; the caller supplies every number and date.

    from yiwang.cases.notices import Notice, NoticeKind, notice_pdf
"""

from yiwang.cases.notices.kinds import NOTICE_TITLES, NoticeKind
from yiwang.cases.notices.notice import Notice, notice_check, notice_problems
from yiwang.cases.notices.render import notice_pdf

__all__ = [
    "NOTICE_TITLES",
    "Notice",
    "NoticeKind",
    "notice_check",
    "notice_pdf",
    "notice_problems",
]
