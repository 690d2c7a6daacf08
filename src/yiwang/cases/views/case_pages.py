"""The applicant's case pages on the portal: my cases, a case with its timeline and notices,
withdrawal, and the public progress query (applying and correcting: `applying`). Every write
goes through `services`, every read through `selectors`; a refusal is shown with its Chinese
message and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.accounts.web import form_error
from yiwang.cases import services
from yiwang.cases.documents import notice_download
from yiwang.cases.forms import ProgressForm, WithdrawForm
from yiwang.cases.models import Case, CaseState, Light
from yiwang.cases.notices.kinds import NoticeKind
from yiwang.cases.selectors import (
    Asked,
    actions_for_applicant,
    asked_of_applicant,
    case_light,
    case_progress,
    case_timeline,
    cases_for_applicant,
)
from yiwang.cases.states import TRANSITIONS, Action
from yiwang.cases.views.access import (
    acting_enterprise,
    applicant_case,
    posted_data,
    request_person,
    request_user,
    require_action,
)
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_name, mask_text

PAGE_SIZE = 20
# The applicant's buttons on a case page: each action of `actions_for_applicant` and its page.
ACTION_PAGES = {
    Action.SUBMIT: "cases:draft_review",
    Action.CORRECT: "cases:correct",
    Action.WITHDRAW: "cases:withdraw",
}
STATE_FILTERS = [(s.value, s.label) for s in CaseState if s != CaseState.DRAFT]


# --- My cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    case: Case
    light: str
    light_label: str
    asked: Asked | None


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    person = request_person(request)
    enterprise = acting_enterprise(request, person)
    cases = cases_for_applicant(user=request_user(request), enterprise=enterprise)
    state = request.GET.get("state", "")
    submitted = cases.exclude(state=CaseState.DRAFT).prefetch_related("pauses")
    if state in dict(STATE_FILTERS):
        submitted = submitted.filter(state=state)
    page = Paginator(submitted, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for case in page:
        light = case_light(case, today=today)
        rows.append(CaseRow(case, light, Light(light).label, asked_of_applicant(case)))
    # Drafts belong to the account that started them (an enterprise's other agents start theirs).
    drafts = cases.filter(state=CaseState.DRAFT, applicant_user=request_user(request))
    context = {
        "enterprise": enterprise,
        "rows": rows,
        "page": page,
        "drafts": list(drafts[:50]),
        "state": state,
        "state_filters": STATE_FILTERS,
    }
    return render(request, "cases/portal/mine.html", context)


# --- One case ---------------------------------------------------------------------------------


def _notice_title(kind: str) -> str:
    try:
        return NoticeKind(kind).label
    except ValueError:
        return kind


def _timeline_rows(case: Case, *, masked: bool = False) -> list[dict[str, Any]]:
    """The public rows of the case's history: when, what, at which step, the opinion."""
    return [
        {
            "at": event.at,
            "what": event.get_kind_display(),
            "step": event.step_name,
            "opinion": mask_text(event.opinion) if masked else event.opinion,
        }
        for event in case_timeline(case=case)
    ]


@login_required
@require_GET
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_case(request, case_id)
    buttons = [
        {
            "action": action.value,
            "label": TRANSITIONS[action].label,
            "url": reverse(ACTION_PAGES[action], args=[case.pk]),
        }
        for action in actions_for_applicant(case=case, user=request_user(request))
        if action in ACTION_PAGES
    ]
    light = case_light(case)
    notices = [(notice, _notice_title(notice.kind)) for notice in case.notices.order_by("pk")]
    context = {
        "case": case,
        "light": light,
        "light_label": Light(light).label,
        "asked": asked_of_applicant(case),
        "timeline": _timeline_rows(case),
        "materials": list(
            case.materials.select_related("material").order_by("round", "uploaded_at")
        ),
        "notices": notices,
        "buttons": buttons,
    }
    return render(request, "cases/portal/detail.html", context)


@login_required
@require_GET
def notice_pdf(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    return notice_download(request, applicant_case(request, case_id), notice_id)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_case(request, case_id)
    require_action(request, case, Action.WITHDRAW)
    form = WithdrawForm(posted_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.case_withdraw(
                    case=case, user=request_user(request), reason=form.cleaned_data["reason"]
                )
            except YiwangError as exc:
                form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "申请已撤回")
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request, "cases/portal/withdraw.html", {"case": case, "form": form}, status=status
    )


# --- The public progress query ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """Case number + query password, no login. Shows no personal data but the masked name."""
    number = request.GET.get("number", "").strip()[:50]
    form = ProgressForm(posted_data(request), initial={"number": number})
    case, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                case = case_progress(
                    number=form.cleaned_data["number"], password=form.cleaned_data["password"]
                )
            except YiwangError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                status = 200
    context: dict[str, Any] = {"form": form, "case": case}
    if case is not None:
        context["applicant"] = mask_name(case.applicant_name)
        context["timeline"] = _timeline_rows(case, masked=True)
    return render(request, "cases/portal/progress.html", context, status=status)
