"""The six case notices (办件文书) and their titles."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    RECEIPT = "receipt"  # 收件凭证
    ACCEPTANCE = "acceptance"  # 受理通知书
    REFUSAL = "refusal"  # 不予受理通知书
    CORRECTION = "correction"  # 补正告知书
    SPECIAL = "special"  # 特别程序告知书
    COMPLETION = "completion"  # 办结通知

    @property
    def label(self) -> str:
        """The document's Chinese title, as printed."""
        return NOTICE_TITLES[self]


NOTICE_TITLES: dict[NoticeKind, str] = {
    NoticeKind.RECEIPT: "收件凭证",
    NoticeKind.ACCEPTANCE: "受理通知书",
    NoticeKind.REFUSAL: "不予受理通知书",
    NoticeKind.CORRECTION: "补正告知书",
    NoticeKind.SPECIAL: "特别程序告知书",
    NoticeKind.COMPLETION: "办结通知",
}


def title_characters() -> str:
    """Every character of every title: the bold title font holds exactly these."""
    return "".join(sorted(set("".join(NOTICE_TITLES.values()))))
