"""The rating pages of 好差评, one per web channel:

- the portal (PC端): the applicant rates a finished case, and may add one 追加评价;
- the SMS link or the QR code (短信 / 二维码): `/r/<code>` rates the invited case, no login;
- the hall evaluator tablet (政务大厅平板): a full-screen page per window, keyed by the window's
  tablet token, that shows the officer serving now and takes one tap;
- and, for system administrators and supervisors, the list of each window's tablet address.

Every rating goes through `services`; a refusal is shown with its Chinese message and writes
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.accounts.web import client_ip, form_error
from yiwang.cases.models import Case
from yiwang.cases.views.access import applicant_case, posted_data, request_user
from yiwang.core.errors import YiwangError
from yiwang.regions.models import Window
from yiwang.reviews import rules, services
from yiwang.reviews.errors import ReviewError, ReviewErrorCode
from yiwang.reviews.forms import RatingForm, reason_rule
from yiwang.reviews.models import Channel, Invitation, Level, Occasion, Review
from yiwang.workbench.auth import staff_required

THANKS_SECONDS = 5  # the tablet's thank-you screen, before it returns to the start
IDLE_REFRESH_SECONDS = 20  # the tablet's start screen reloads to follow who is serving
TABLET_LIST_ROLES = {Role.SYSTEM_ADMIN.value, Role.SUPERVISOR.value}


# --- A case's evaluations ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRatings:
    """The evaluations of a case (一事一评), first first, and whether one more may be given."""

    case: Case
    reviews: list[Review]

    @property
    def finished(self) -> bool:
        return self.case.state in services.FINISHED

    @property
    def left(self) -> int:
        return max(0, rules.MAX_EVALUATIONS - len(self.reviews))

    @property
    def can_rate(self) -> bool:
        return self.finished and self.left > 0

    @property
    def follow_up(self) -> bool:
        """The next rating is the 追加评价 (a second evaluation)."""
        return bool(self.reviews)


def case_ratings(case: Case) -> CaseRatings:
    """The case's evaluations (one query); the caller has checked who may see them."""
    return CaseRatings(case, list(Review.objects.filter(case=case).order_by("sequence")))


def indicator_labels(review: Review) -> list[str]:
    options = rules.indicator_options(review.occasion)
    return [options.get(code, code) for code in review.indicators]


def _rows(ratings: CaseRatings) -> list[dict[str, Any]]:
    return [
        {"review": review, "indicators": indicator_labels(review)} for review in ratings.reviews
    ]


def _rating_context(ratings: CaseRatings, form: RatingForm) -> dict[str, Any]:
    return {
        "case": ratings.case,
        "ratings": ratings,
        "rows": _rows(ratings),
        "form": form,
        "too_many": ReviewErrorCode.TOO_MANY.message,
        "max_evaluations": rules.MAX_EVALUATIONS,
    }


# --- The portal (PC端) ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_rating(request: HttpRequest, case_id: int) -> HttpResponse:
    """一事一评 on the portal: the form while a rating may be given, and the ratings given."""
    case = applicant_case(request, case_id)
    form = RatingForm(posted_data(request), occasion=Occasion.ONLINE)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.review_case(
                    case=case, user=request_user(request), rating=form.rating(), channel=Channel.PC
                )
            except YiwangError as exc:
                form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "感谢您的评价！")
                return redirect("reviews:case", case_id=case.pk)
    context = _rating_context(case_ratings(case), form)
    return render(request, "reviews/rate/case.html", context, status=status)


# --- The SMS link and the QR code (短信 / 二维码) ---------------------------------------------


def live_invitation(code: str) -> Invitation:
    """A live invitation, else the Chinese message with a 404."""
    invitation = (
        Invitation.objects.select_related("case__item", "case__department")
        .filter(code=code[:16])
        .first()
    )
    if invitation is None or invitation.expires_at < timezone.now():
        raise ReviewError(ReviewErrorCode.INVITATION_INVALID)
    return invitation


@require_http_methods(["GET", "POST"])
def invitation_rating(request: HttpRequest, code: str) -> HttpResponse:
    """`/r/<code>`: the invited case's rating page, without login; `?via=qr` is the QR code."""
    invitation = live_invitation(code)
    via_qr = request.GET.get("via") == "qr"
    channel = Channel.QR if via_qr else Channel.SMS
    form = RatingForm(posted_data(request), occasion=Occasion.ONLINE)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.review_by_invitation(code=invitation.code, rating=form.rating(),
                                              channel=channel)  # fmt: skip
            except YiwangError as exc:
                form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "感谢您的评价！")
                return redirect(request.get_full_path())
    context = {
        **_rating_context(case_ratings(invitation.case), form),
        "invitation": invitation,
        "channel_label": Channel(channel).label,
    }
    return render(request, "reviews/rate/invitation.html", context, status=status)


# --- The hall evaluator tablet (政务大厅平板) -------------------------------------------------


def _window(window_id: int) -> Window:
    window = Window.objects.select_related("hall").filter(pk=window_id, is_active=True).first()
    if window is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, message="未找到该窗口")
    return window


def tablet_path(window: Window) -> str:
    return reverse("reviews:tablet", args=[window.pk, services.tablet_token(window)])


def _tablet_page(
    request: HttpRequest,
    window: Window,
    *,
    form: RatingForm | None = None,
    level: str = "",
    screen: str = "start",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    serving = services.serving_now(window)
    form = form or RatingForm(occasion=Occasion.ON_SITE)
    context = {
        "window": window,
        "serving": serving,
        "screen": screen,
        "error": error,
        "form": form,
        "levels": [(code, label, code in rules.NEEDS_REASON) for code, label in Level.choices],
        "level": level,
        "level_label": Level(level).label if level in Level.values else "",
        "reasons": list(rules.indicator_options(Occasion.ON_SITE).items()),
        "rule": reason_rule(Occasion.ON_SITE),
        "start_url": request.path,
        "thanks_seconds": THANKS_SECONDS,
        "idle_seconds": IDLE_REFRESH_SECONDS,
    }
    return render(request, "reviews/tablet/tablet.html", context, status=status)


@require_http_methods(["GET", "POST"])
def tablet(request: HttpRequest, window_id: int, token: str) -> HttpResponse:
    """一次一评: a tap on 非常满意 or 满意 rates at once; a lower level asks for the reasons
    (服务效率, 服务水平, 服务态度) first. No login: the token in the address is the device's key."""
    window = _window(window_id)
    services.tablet_check(window, token)
    if request.method == "GET":
        screen = "thanks" if request.GET.get("thanks") else "start"
        return _tablet_page(request, window, screen=screen)
    form = RatingForm(request.POST, occasion=Occasion.ON_SITE)
    if not form.is_valid():
        return _tablet_page(request, window, error="请重新选择", status=400)
    rating = form.rating()
    if form.needs_reason and request.POST.get("step") != "reasons":
        return _tablet_page(request, window, form=form, level=rating.level, screen="reasons")
    try:
        services.review_on_site(window=window, token=token, rating=rating)
    except YiwangError as exc:
        screen = "reasons" if "indicators" in exc.fields else "start"
        return _tablet_page(
            request, window, form=form, level=rating.level, screen=screen, error=exc.message,
            status=exc.status,
        )  # fmt: skip
    return redirect(request.path + "?thanks=1")


def _windows_within(staff: Staff) -> list[Window]:
    return list(
        Window.objects.filter(hall__region_prefix__startswith=staff.region_prefix, is_active=True)
        .select_related("hall", "department")
        .order_by("hall__region_id", "hall__name", "number")
    )


@staff_required()
@require_GET
def tablets(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Each window's tablet address in the staff member's region, for the hall administrator
    who sets up the tablets (system administrators and supervisors)."""
    if not staff_roles(staff) & TABLET_LIST_ROLES:
        raise AccountsError(
            AccountsErrorCode.ROLE_REQUIRED, message="此页面需要“系统管理员”或“电子监察员”角色"
        )
    site = settings.SITE_URL.rstrip("/")
    rows = [
        {"window": window, "url": site + tablet_path(window)} for window in _windows_within(staff)
    ]
    services.tablet_addresses_shown(staff=staff, windows=len(rows), source_ip=client_ip(request))
    return render(request, "reviews/tablet/list.html", {"staff": staff, "rows": rows})
