"""REST endpoints of 好差评 for app / WeChat / Alipay clients (移动端), the SMS link or QR code
(no login), and the hall evaluator tablets (keyed by the window's tablet token, no login).

Every refusal is `{code, message, fields}` with a Chinese message: a rating below 满意 without
a reason is 400 and writes nothing, a third evaluation is 409, someone else's case is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.params import HeaderEx, P
from pydantic import Field

from yiwang.accounts.api import BearerToken
from yiwang.accounts.models import ApiToken, Enterprise, User
from yiwang.accounts.selectors import acting_enterprise_get, person_of
from yiwang.cases.models import Case
from yiwang.cases.selectors import case_for_applicant
from yiwang.core.errors import ErrorCode, YiwangError
from yiwang.regions.models import Window
from yiwang.reviews import rules, services
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import Channel, Level, Occasion, Review
from yiwang.reviews.services import Rating
from yiwang.reviews.views import case_ratings, indicator_labels, live_invitation

router = Router(auth=BearerToken())

ActingHeader = HeaderEx[
    int | None,
    P(alias="X-Acting-Enterprise", description="代表单位办事时：单位 ID（见 /api/auth/me）"),
]


# --- Shapes -----------------------------------------------------------------------------------


class RatingIn(Schema):
    level: str = Field(description="满意度代码（GB/T 39046）：1 非常满意 … 5 非常不满意")
    indicators: list[str] = Field(
        default_factory=list,
        description="评价指标代码（见 /api/reviews/options）；满意以下（3、4、5）至少一项",
    )
    text: str = Field("", description=f"评价内容，最多 {rules.TEXT_MAX_LENGTH} 字")

    def rating(self) -> Rating:
        return Rating(level=self.level, indicators=tuple(self.indicators), text=self.text)


class InvitationRatingIn(RatingIn):
    via: Literal["sms", "qr"] = Field("sms", description="sms 短信链接，qr 二维码")


class CodeLabel(Schema):
    code: str
    label: str


class ReviewOut(Schema):
    id: int
    occasion: str = Field(description="online 一事一评；on_site 一次一评")
    sequence: int = Field(description="评价次数：1 首次评价，2 追加评价")
    level: str
    level_label: str
    channel: str
    channel_label: str
    indicators: list[CodeLabel]
    text: str
    is_default: bool = Field(description="默认评价（逾期未评价时系统记录）")
    superseded: bool = Field(description="已有追加评价，统计以追加评价为准")
    created_at: dt.datetime


class CaseReviewsOut(Schema):
    case_id: int
    case_number: str
    finished: bool = Field(description="办件已办结，可以评价")
    can_rate: bool
    evaluations_left: int
    items: list[ReviewOut]


class InvitationOut(Schema):
    code: str
    expires_at: dt.datetime
    item_name: str
    department_name: str
    case_number: str
    can_rate: bool
    evaluations_left: int
    levels: list[str] = Field(description="已有评价的满意度代码，按评价次数")


class LevelOut(CodeLabel):
    needs_reason: bool = Field(description="此满意度须至少选择一项评价指标")


class IndicatorSetsOut(Schema):
    online: list[CodeLabel]
    on_site: list[CodeLabel]


class OptionsOut(Schema):
    levels: list[LevelOut]
    channels: list[CodeLabel]
    indicators: IndicatorSetsOut
    max_evaluations: int
    text_max_length: int


class WindowOut(Schema):
    id: int
    number: str
    name: str
    hall: str


class ServingOut(Schema):
    name: str
    department: str
    queue_number: str = Field(description="正在办理的排队号；无排队号时为空")


class TabletOut(Schema):
    window: WindowOut
    serving: ServingOut | None = Field(description="当前无人服务时为 null")


def review_out(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "occasion": review.occasion,
        "sequence": review.sequence,
        "level": review.level,
        "level_label": review.get_level_display(),
        "channel": review.channel,
        "channel_label": review.get_channel_display(),
        "indicators": [
            {"code": code, "label": label}
            for code, label in zip(review.indicators, indicator_labels(review), strict=True)
        ],
        "text": review.text,
        "is_default": review.is_default,
        "superseded": review.superseded,
        "created_at": review.created_at,
    }


def _pairs(options: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": label} for code, label in options.items()]


# --- Who is calling ---------------------------------------------------------------------------


def _applicant(request: HttpRequest, acting: int | None) -> tuple[User, Enterprise | None]:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # the router's auth has run; this cannot happen
        raise YiwangError(code=ErrorCode.NOT_AUTHENTICATED)
    person = person_of(token.user)
    if person is None:
        raise YiwangError("此接口仅供个人用户使用", code=ErrorCode.PERMISSION_DENIED)
    if acting is None:
        return token.user, None
    return token.user, acting_enterprise_get(person=person, enterprise_id=acting)


def _case(request: HttpRequest, case_id: int, acting: int | None) -> tuple[User, Case]:
    user, enterprise = _applicant(request, acting)
    return user, case_for_applicant(user=user, case_id=case_id, enterprise=enterprise)


def _window(window_id: int, token: str) -> Window:
    window = Window.objects.select_related("hall").filter(pk=window_id, is_active=True).first()
    if window is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, message="未找到该窗口")
    services.tablet_check(window, token)
    return window


class TokenIn(Schema):
    token: str = Field("", description="评价器密钥（由大厅管理员在“评价器地址”页获取）")


# --- Options ----------------------------------------------------------------------------------


@router.get(
    "/options", response=OptionsOut, auth=None, summary="评价选项（满意度、渠道、评价指标）"
)
def options(request: HttpRequest) -> dict[str, Any]:
    return {
        "levels": [
            {"code": code, "label": label, "needs_reason": code in rules.NEEDS_REASON}
            for code, label in Level.choices
        ],
        "channels": [{"code": code, "label": label} for code, label in Channel.choices],
        "indicators": {
            "online": _pairs(dict(rules.indicator_options(Occasion.ONLINE))),
            "on_site": _pairs(dict(rules.indicator_options(Occasion.ON_SITE))),
        },
        "max_evaluations": rules.MAX_EVALUATIONS,
        "text_max_length": rules.TEXT_MAX_LENGTH,
    }


# --- A case (一事一评, 移动端) ------------------------------------------------------------------


def _case_reviews(case: Case) -> dict[str, Any]:
    ratings = case_ratings(case)
    return {
        "case_id": case.pk,
        "case_number": case.number or "",
        "finished": ratings.finished,
        "can_rate": ratings.can_rate,
        "evaluations_left": ratings.left if ratings.finished else 0,
        "items": [review_out(review) for review in ratings.reviews],
    }


@router.get("/cases/{case_id}", response=CaseReviewsOut, summary="办件的评价")
def case_reviews(request: HttpRequest, case_id: int, acting: ActingHeader = None) -> dict[str, Any]:
    _, case = _case(request, case_id, acting)
    return _case_reviews(case)


@router.post("/cases/{case_id}", response={201: ReviewOut}, summary="评价办件（一事一评）")
def case_review(
    request: HttpRequest, case_id: int, body: RatingIn, acting: ActingHeader = None
) -> Status:
    """The applicant rates a finished case; a second call is the 追加评价, a third is 409."""
    user, case = _case(request, case_id, acting)
    review = services.review_case(
        case=case, user=user, rating=body.rating(), channel=Channel.MOBILE
    )
    return Status(201, review_out(review))


# --- The SMS link and the QR code (no login) --------------------------------------------------


@router.get("/invitations/{code}", response=InvitationOut, auth=None, summary="评价邀请（免登录）")
def invitation(request: HttpRequest, code: str) -> dict[str, Any]:
    """What the link rates: the matter, the department, the case number; no personal data."""
    found = live_invitation(code)
    ratings = case_ratings(found.case)
    return {
        "code": found.code,
        "expires_at": found.expires_at,
        "item_name": found.case.item.name,
        "department_name": found.case.department.name,
        "case_number": found.case.number or "",
        "can_rate": ratings.can_rate,
        "evaluations_left": ratings.left if ratings.finished else 0,
        "levels": [review.level for review in ratings.reviews],
    }


@router.post(
    "/invitations/{code}", response={201: ReviewOut}, auth=None, summary="凭邀请码评价（免登录）"
)
def invitation_review(request: HttpRequest, code: str, body: InvitationRatingIn) -> Status:
    channel = Channel.QR if body.via == "qr" else Channel.SMS
    review = services.review_by_invitation(code=code[:16], rating=body.rating(), channel=channel)
    return Status(201, review_out(review))


# --- The hall evaluator tablet (一次一评) -----------------------------------------------------


@router.get("/tablet/{window_id}", response=TabletOut, auth=None, summary="评价器：当前服务人员")
def tablet(request: HttpRequest, window_id: int, params: Query[TokenIn]) -> dict[str, Any]:
    """Who serves at the window now (name, department, queue number; never a phone)."""
    window = _window(window_id, params.token)
    serving = services.serving_now(window)
    return {
        "window": {
            "id": window.pk, "number": window.number, "name": window.name,
            "hall": window.hall.name,
        },
        "serving": None if serving is None else {
            "name": serving.officer.name, "department": serving.officer.department.name,
            "queue_number": serving.ticket_code,
        },
    }  # fmt: skip


@router.post(
    "/tablet/{window_id}", response={201: ReviewOut}, auth=None, summary="评价器：评价当前服务"
)
def tablet_review(
    request: HttpRequest, window_id: int, params: Query[TokenIn], body: RatingIn
) -> Status:
    """Rates the officer serving now; nobody serving is 409, a wrong token 403."""
    window = _window(window_id, params.token)
    review = services.review_on_site(window=window, token=params.token, rating=body.rating())
    return Status(201, review_out(review))
