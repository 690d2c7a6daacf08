"""Who is asking on the portal's case pages: the signed-in person, the enterprise they act for
now, the cases they may open and the actions they may take; and the two things every form page
reads from a POST."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yiwang.accounts.errors import AccountsError
from yiwang.accounts.models import Enterprise, Person, User
from yiwang.accounts.selectors import acting_enterprise_get, person_of
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import Case, CaseState
from yiwang.cases.selectors import actions_for_applicant, case_for_applicant
from yiwang.cases.states import TRANSITIONS, Action
from yiwang.core.errors import ErrorCode, YiwangError
from yiwang.portal.account_views import ACTING


def request_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def request_person(request: HttpRequest) -> Person:
    person = person_of(request_user(request))
    if person is None:
        raise YiwangError(
            "此页面仅供个人用户使用，请使用个人账号登录", code=ErrorCode.PERMISSION_DENIED
        )
    return person


def acting_enterprise(request: HttpRequest, person: Person) -> Enterprise | None:
    """The enterprise chosen in the personal center, while the grant to act for it lasts."""
    enterprise_id = request.session.get(ACTING)
    if not enterprise_id:
        return None
    try:
        return acting_enterprise_get(person=person, enterprise_id=enterprise_id)
    except AccountsError:
        request.session.pop(ACTING, None)  # the grant ended: act as oneself again
        return None


def applicant_case(request: HttpRequest, case_id: int) -> Case:
    """A case the applicant may see, in the identity they act in now (404 otherwise)."""
    person = request_person(request)
    return case_for_applicant(
        user=request_user(request), case_id=case_id, enterprise=acting_enterprise(request, person)
    )


def applicant_draft(request: HttpRequest, case_id: int) -> Case:
    """A case whose draft pages this account may use: only the account that started it."""
    case = applicant_case(request, case_id)
    if case.applicant_user_id != request.user.pk:
        raise CaseError(CaseErrorCode.NOT_FOUND)
    return case


def posted_data(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so its fields report what is missing)."""
    return request.POST if request.method == "POST" else None


def wants_next(request: HttpRequest) -> bool:
    return request.POST.get("go") == "next"


def require_action(request: HttpRequest, case: Case, action: Action) -> None:
    """Refuse, with the reason, an action the applicant may not take on this case now."""
    if action not in actions_for_applicant(case=case, user=request_user(request)):
        label = TRANSITIONS[action].label
        message = f"办件当前为“{CaseState(case.state).label}”，不能{label}"
        raise CaseError(CaseErrorCode.ILLEGAL_TRANSITION, message=message)
