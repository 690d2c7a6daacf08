"""Ratings of a case (online, by the SMS invitation's link) and the default ratings of cases
left unrated; a bad rating opens a rectification ticket in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from yiwang.accounts.models import Staff, User
from yiwang.cases.models import Case, CaseState
from yiwang.cases.services import is_applicant
from yiwang.core.errors import YiwangError
from yiwang.regions.models import Window
from yiwang.reviews import rules
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.models import Channel, Invitation, Occasion, Review
from yiwang.reviews.services._common import _month, _now, logger
from yiwang.reviews.services.tickets import _ticket_open

FINISHED = (CaseState.COMPLETED, CaseState.DELIVERED)

# --- Ratings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    level: str
    indicators: tuple[str, ...] = ()
    text: str = ""


def _check(occasion: str, rating: Rating) -> None:
    problems = rules.rating_problems(
        occasion=occasion, level=rating.level, indicators=rating.indicators, text=rating.text
    )
    if problems:
        first = next(iter(problems.values()))[0]
        raise ReviewError(ReviewErrorCode.INVALID, message=first, fields=problems)


def _record(
    *,
    occasion: str,
    key: str,
    rating: Rating,
    channel: str,
    department_id: int,
    region_prefix: str,
    now: dt.datetime,
    case: Case | None = None,
    officer: Staff | None = None,
    window: Window | None = None,
    rater: User | None = None,
    rater_phone: str = "",
    is_default: bool = False,
) -> Review:
    """Write the next evaluation of an occasion; a bad one opens a ticket."""
    if channel not in Channel.values:
        raise ReviewError(ReviewErrorCode.INVALID, message="评价渠道不正确")
    earlier = list(Review.objects.select_for_update().filter(occasion_key=key).order_by("sequence"))
    if len(earlier) >= rules.MAX_EVALUATIONS:
        raise ReviewError(ReviewErrorCode.TOO_MANY)
    Review.objects.filter(occasion_key=key, superseded=False).update(superseded=True)
    review = Review.objects.create(
        occasion=occasion, occasion_key=key, sequence=len(earlier) + 1, case=case,
        item_id=case.item_id if case else None, department_id=department_id,
        region_prefix=region_prefix, officer=officer, window=window, channel=channel,
        level=rating.level, indicators=list(rating.indicators), text=rating.text.strip(),
        rater=rater, rater_phone=rater_phone, is_default=is_default, created_at=now,
        month=_month(now),
    )  # fmt: skip
    if rules.is_bad(rating.level) and not is_default:
        _ticket_open(review, now=now)
    return review


def _case_rating(
    *, case: Case, rating: Rating, channel: str, rater: User | None, now: dt.datetime
) -> Review:
    _check(Occasion.ONLINE, rating)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state not in FINISHED:
            raise ReviewError(ReviewErrorCode.NOT_FINISHED)
        officer = case.accepted_by if case.channel == "1" else None
        return _record(
            occasion=Occasion.ONLINE, key=f"case:{case.pk}", rating=rating, channel=channel,
            department_id=case.department_id, region_prefix=case.region_prefix, now=now,
            case=case, officer=officer, rater=rater, rater_phone=case.phone,
        )  # fmt: skip


def review_case(
    *,
    case: Case,
    user: User,
    rating: Rating,
    channel: str = Channel.PC,
    now: dt.datetime | None = None,
) -> Review:
    """一事一评: the applicant rates a finished case (portal, app, WeChat, Alipay)."""
    if not is_applicant(case, user):
        raise ReviewError(ReviewErrorCode.NOT_FOUND)
    return _case_rating(case=case, rating=rating, channel=channel, rater=user, now=_now(now))


def review_by_invitation(
    *, code: str, rating: Rating, channel: str = Channel.SMS, now: dt.datetime | None = None
) -> Review:
    """The SMS link or the QR code on a notice: the invitation code stands for the applicant."""
    now = _now(now)
    invitation = Invitation.objects.select_related("case").filter(code=code).first()
    if invitation is None or invitation.expires_at < now:
        raise ReviewError(ReviewErrorCode.INVITATION_INVALID)
    if channel not in (Channel.SMS, Channel.QR):
        channel = Channel.SMS
    return _case_rating(
        case=invitation.case, rating=rating, channel=channel,
        rater=invitation.case.applicant_user, now=now,
    )  # fmt: skip


def invitation_for(case: Case, *, now: dt.datetime | None = None) -> Invitation:
    """The case's invitation (created once)."""
    now = _now(now)
    days = settings.REVIEWS_INVITATION_DAYS
    invitation, _ = Invitation.objects.get_or_create(
        case=case,
        defaults={
            "code": secrets.token_urlsafe(9)[:12],
            "created_at": now,
            "expires_at": now + dt.timedelta(days=days),
        },
    )
    return invitation


def invitations_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Invite the applicants of cases finished in the last two days who have no invitation
    yet (SMS with the short link). Run by the periodic job; idempotent."""
    from yiwang.notify.services import sms_send

    now = _now(now)
    invited = Invitation.objects.filter(case=OuterRef("pk"))
    cases = (
        Case.objects.filter(state__in=FINISHED, completed_at__gte=now - dt.timedelta(days=2))
        .exclude(Exists(invited))
        .order_by("completed_at")[:limit]
    )
    sent = 0
    for case in cases:
        with transaction.atomic():
            invitation = invitation_for(case, now=now)
            try:
                with transaction.atomic():
                    sms_send(
                        phone=case.phone, template="review_invitation_link", category="review",
                        params={"case_no": case.number or "", "url": short_url(invitation.code)},
                    )  # fmt: skip
            except YiwangError as exc:
                logger.warning("review invitation for case %s not sent (%s)", case.pk, exc.code)
        sent += 1
    return sent


def short_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/r/{code}"


def reviews_default(*, now: dt.datetime | None = None, limit: int = 2000) -> int:
    """Finished cases not rated within `REVIEWS_DEFAULT_AFTER_DAYS` get the default rating,
    recorded as such (not an active rating, never a ticket)."""
    now = _now(now)
    cutoff = now - dt.timedelta(days=settings.REVIEWS_DEFAULT_AFTER_DAYS)
    rated = Review.objects.filter(case=OuterRef("pk"))
    cases = (
        Case.objects.filter(state__in=FINISHED, completed_at__lt=cutoff)
        .exclude(Exists(rated))
        .order_by("completed_at")[:limit]
    )
    made = 0
    for case in cases:
        try:
            with transaction.atomic():
                _record(
                    occasion=Occasion.ONLINE, key=f"case:{case.pk}",
                    rating=Rating(settings.REVIEWS_DEFAULT_LEVEL),
                    channel=Channel.PC if case.channel != "1" else Channel.HALL_TERMINAL,
                    department_id=case.department_id, region_prefix=case.region_prefix,
                    now=now, case=case, is_default=True,
                )  # fmt: skip
        except (IntegrityError, ReviewError):
            continue  # rated meanwhile
        made += 1
    return made
