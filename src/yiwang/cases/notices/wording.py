"""The body text of each notice, in formal administrative Chinese (pure functions, no layout).

The wording follows the model forms of the 行政许可法 (arts. 32, 38, 45) and of the
一次性告知 rule, written so that it also fits services that are not licences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from yiwang.cases.notices.kinds import NoticeKind
from yiwang.cases.notices.notice import Notice

REMEDY = (
    "如对本决定不服，可以自收到本通知之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)
DEFAULT_QUERY_HINT = "扫描二维码，凭办件编号查询办理进度"

_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Line:
    """A paragraph of the body; `label` marks a numbered item (一、二、…), printed hanging."""

    text: str
    label: str = ""


def date_zh(day: dt.date) -> str:
    """2026年3月1日 (Arabic numerals, as GB/T 9704 prescribes for dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def number_zh(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; larger numbers stay Arabic."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def _sentence(text: str) -> str:
    """The text as a full sentence: trimmed, ending in a full stop unless it ends a sentence."""
    text = text.strip()
    if text.endswith(("。", "！", "？", "：", "!", "?", ":")):
        return text
    return text.rstrip("；;，,.、") + "。"


def _clause(text: str) -> str:
    """The text as a clause inside a sentence: no closing punctuation."""
    return text.strip().rstrip("。；;，,.")


def _numbered(items: list[str]) -> list[Line]:
    return [Line(_sentence(text), f"{number_zh(i)}、") for i, text in enumerate(items, start=1)]


def _application(notice: Notice) -> str:
    """你（单位）于2026年3月1日提出的“…”申请，办件编号为…

    (No closing parenthesis before the comma that follows: reportlab hangs at most one
    punctuation mark at a line end, so "），" could start a line with the comma.)
    """
    when = f"于{date_zh(notice.applied_on)}" if notice.applied_on else ""
    matter = notice.matter_name.strip()
    return f"你（单位）{when}提出的“{matter}”申请，办件编号为{notice.case_number}"


def _receipt(notice: Notice) -> list[Line]:
    return [
        Line(
            f"本机关已于{date_zh(notice.issued_on)}收到你（单位）提交的“{notice.matter_name.strip()}”"
            f"申请材料，办件编号为{notice.case_number}，特出具本凭证。"
        ),
        Line(
            "本凭证仅证明本机关已收到上述申请材料，不表示申请已被受理。本机关将依法对申请材料进行"
            "审查，并在规定期限内作出是否受理的决定；申请材料不齐全或者不符合法定形式的，"
            "将一次性告知需要补正的全部内容。"
        ),
        Line("请妥善保管本凭证。"),
    ]


def _acceptance(notice: Notice) -> list[Line]:
    accepted = notice.accepted_on or notice.issued_on
    promised = notice.promised_on or accepted  # never the fallback: notice_check requires it
    return [
        Line(
            f"{_application(notice)}，经审查，申请材料齐全、符合法定形式，本机关决定予以受理，"
            f"受理日期为{date_zh(accepted)}。"
        ),
        Line(
            f"本机关承诺于{date_zh(promised)}前办结。办理过程中依法需要听证、招标、"
            "拍卖、检验、检测、检疫、鉴定、专家评审等特别程序的，所需时间不计入办理时限，"
            "本机关将另行书面告知。"
        ),
    ]


def _refusal(notice: Notice) -> list[Line]:
    return [
        Line(f"{_application(notice)}，经审查，本机关决定不予受理，理由如下："),
        *_numbered(list(notice.reasons)),
        Line(REMEDY),
    ]


def _correction(notice: Notice) -> list[Line]:
    items = [f"{_clause(name)}：{_clause(problem)}" for name, problem in notice.missing]
    return [
        Line(
            f"{_application(notice)}，经审查，申请材料不齐全或者不符合法定形式。"
            "现将需要补正的全部内容一次性告知如下："
        ),
        *_numbered(items),
        Line(
            "以上为需要补正的全部内容，本告知书为一次性告知。请你（单位）按照上述要求补正全部"
            "材料后一并提交。"
        ),
        Line(
            "自本告知书送达之日起，办理时限暂停计算，至本机关收到全部补正材料之日起恢复计算；"
            "补正期间不计入办理时限。"
        ),
    ]


def _special(notice: Notice) -> list[Line]:
    accepted = notice.accepted_on
    opening = f"{_application(notice)}，本机关" + (
        f"已于{date_zh(accepted)}受理。" if accepted else "正在依法办理。"
    )
    kind = notice.special_kind.strip()
    lines: list[Line]
    if len(notice.reasons) == 1:
        lines = [Line(f"{opening}因{_clause(notice.reasons[0])}，依法需要进行{kind}。")]
    else:
        lines = [
            Line(f"{opening}因下列原因，依法需要进行{kind}："),
            *_numbered(list(notice.reasons)),
        ]
    limit = f"本次{kind}的时限为{notice.special_limit_days}个工作日，所需时间依法不计入办理时限"
    if notice.promised_on:
        limit += f"，原承诺办结日期（{date_zh(notice.promised_on)}）相应顺延"
    lines.append(Line(limit + "。特别程序结束后，本机关将继续办理，并及时告知办理结果。"))
    return lines


def _completion(notice: Notice) -> list[Line]:
    opening = f"{_application(notice)}，本机关已于{date_zh(notice.issued_on)}办结。"
    result = notice.result_name.strip()
    if notice.approved:
        return [
            Line(
                f"{opening}经审查，你（单位）的申请符合法定条件、标准，本机关依法作出准予办理的"
                "决定。"
            ),
            Line(f"办理结果：{result}。请按照申请时选择的方式领取办理结果。"),
        ]
    lines = [
        Line(
            f"{opening}经审查，你（单位）的申请不符合法定条件、标准，本机关依法作出不予批准的"
            "决定，理由如下："
        ),
        *_numbered(list(notice.reasons)),
    ]
    if result:
        lines.append(Line(f"具体内容详见《{result.strip('《》')}》。"))
    lines.append(Line(REMEDY))
    return lines


_BODIES: dict[NoticeKind, Callable[[Notice], list[Line]]] = {
    NoticeKind.RECEIPT: _receipt,
    NoticeKind.ACCEPTANCE: _acceptance,
    NoticeKind.REFUSAL: _refusal,
    NoticeKind.CORRECTION: _correction,
    NoticeKind.SPECIAL: _special,
    NoticeKind.COMPLETION: _completion,
}


def notice_body(notice: Notice) -> list[Line]:
    """The paragraphs between the addressee line and the signature, `extra` last."""
    lines = _BODIES[notice.kind](notice)
    lines.extend(Line(_sentence(text)) for text in notice.extra)
    return lines
