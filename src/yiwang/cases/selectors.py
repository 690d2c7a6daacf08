"""Case reads, each carrying its permission: an applicant sees their own cases (and, acting for
an enterprise, that enterprise's); an officer sees their department's. Anything else is 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import Enterprise, Role, Staff, User
from yiwang.accounts.selectors import person_of, staff_roles
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import (
    CLOCK_STATES,
    Case,
    CaseEvent,
    CaseState,
    CaseStep,
    StepState,
)
from yiwang.cases.services import is_applicant, staff_actor
from yiwang.cases.states import Action, Actor, available_actions
from yiwang.catalog.models import ImplementationItem, ItemStatus


def _with_related(query: QuerySet[Case]) -> QuerySet[Case]:
    # Not the item version: lists do not show it, and its row is large (the form, the FAQ …);
    # a single case's page reads it through `case_for_*`.
    # Nor the item's search text, the widest column of the item row.
    return query.select_related("item", "department").defer("item__search_text")


def cases_for_applicant(*, user: User, enterprise: Enterprise | None = None) -> QuerySet[Case]:
    """My cases: as a person (applied myself, or taken in at a window for me), or, acting for
    an enterprise, the enterprise's cases."""
    if enterprise is not None:
        return _with_related(Case.objects.filter(enterprise=enterprise)).order_by("-created_at")
    person = person_of(user)
    mine = Q(applicant_user=user, enterprise__isnull=True)
    if person is not None:
        mine |= Q(person=person)
    return _with_related(Case.objects.filter(mine)).order_by("-created_at")


def case_for_applicant(*, user: User, case_id: int, enterprise: Enterprise | None = None) -> Case:
    case = (
        cases_for_applicant(user=user, enterprise=enterprise)
        .select_related("version")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not is_applicant(case, user):
        raise CaseError(CaseErrorCode.NOT_FOUND)
    return case


def cases_for_officer(*, officer: Staff) -> QuerySet[Case]:
    """The submitted cases of the officer's department."""
    return _with_related(
        Case.objects.filter(department_id=officer.department_id).exclude(state=CaseState.DRAFT)
    ).order_by("-submitted_at")


def case_for_officer(*, officer: Staff, case_id: int) -> Case:
    case = cases_for_officer(officer=officer).select_related("version").filter(pk=case_id).first()
    if case is None:
        raise CaseError(CaseErrorCode.NOT_FOUND)
    return case


def items_for_intake(*, officer: Staff, query: str = "") -> QuerySet[ImplementationItem]:
    """The published matters a window officer may take in: their department's, by name or code."""
    items = ImplementationItem.objects.filter(
        department_id=officer.department_id,
        status=ItemStatus.PUBLISHED,
        current_version__isnull=False,
    )
    if query.strip():
        text = query.strip()
        items = items.filter(Q(name__contains=text) | Q(code__startswith=text.upper()))
    return items.select_related("current_version").order_by("name", "code")


LIGHTS = ("green", "yellow", "red", "paused")


def todo_for_officer(
    *, officer: Staff, light: str = "", query: str = "", today: dt.date | None = None
) -> QuerySet[Case]:
    """What waits for this officer: cases to accept and to deliver (window officers), and cases
    whose active step is for one of their roles and is unclaimed or claimed by them."""
    today = today or timezone.localdate()
    roles = staff_roles(officer)
    # The department's active steps only (partial index `case_step_active_department`): the
    # cost follows the department's open cases, not the city's.
    active = CaseStep.objects.filter(
        department_id=officer.department_id, state=StepState.ACTIVE, role__in=roles
    ).filter(Q(assignee__isnull=True) | Q(assignee=officer))
    wanted = Q(
        state__in=[CaseState.IN_PROGRESS, CaseState.SPECIAL], pk__in=active.values("case_id")
    )
    if Role.WINDOW_OFFICER in roles:
        wanted |= Q(state__in=[CaseState.SUBMITTED, CaseState.COMPLETED])
    if Role.APPROVER in roles:
        wanted |= Q(state__in=[CaseState.IN_PROGRESS, CaseState.SPECIAL], extended_at__isnull=True,
                    yellow_from__lte=today)  # fmt: skip
    cases = cases_for_officer(officer=officer).filter(wanted)
    if light == "red":
        cases = cases.filter(state__in=CLOCK_STATES, paused=False, promised_due_on__lt=today)
    elif light == "yellow":
        cases = cases.filter(
            state__in=CLOCK_STATES, paused=False, promised_due_on__gte=today, yellow_from__lte=today
        )
    elif light == "green":
        cases = cases.filter(state__in=CLOCK_STATES, paused=False, yellow_from__gt=today)
    elif light == "paused":
        cases = cases.filter(paused=True)
    if query.strip():
        text = query.strip()
        cases = cases.filter(Q(number__startswith=text) | Q(applicant_name__contains=text))
    return cases.order_by("promised_due_on", "submitted_at")


def case_light(case: Case, *, today: dt.date | None = None) -> str:
    return rules.light(
        counting=case.state in CLOCK_STATES,
        paused=case.paused,
        due_on=case.promised_due_on,
        yellow_from=case.yellow_from,
        today=today or timezone.localdate(),
    )


def case_steps(case: Case) -> tuple[list[CaseStep], CaseStep | None]:
    steps = list(case.steps.select_related("assignee").order_by("order"))
    return steps, next((s for s in steps if s.state == StepState.ACTIVE), None)


def actions_for_officer(
    *, case: Case, officer: Staff, steps: list[CaseStep] | None = None
) -> list[Action]:
    """What the officer may do now; `steps` when the caller has read them (`case_steps`)."""
    if case.department_id != officer.department_id:
        return []
    if steps is None:
        steps, _ = case_steps(case)
    active = next((s for s in steps if s.state == StepState.ACTIVE), None)
    return available_actions(case=case, actor=staff_actor(officer), active=active, steps=steps)


def actions_for_applicant(*, case: Case, user: User) -> list[Action]:
    if not is_applicant(case, user):
        return []
    steps, active = case_steps(case)
    return available_actions(case=case, actor=Actor(is_applicant=True), active=active, steps=steps)


def case_timeline(*, case: Case, public_only: bool = True) -> QuerySet[CaseEvent]:
    events = case.events.order_by("at", "pk")
    return events.filter(public=True) if public_only else events


def _query_key(number: str) -> str:
    return f"cases:progress_failures:{number}"


def case_progress(*, number: str, password: str) -> Case:
    """The public progress query (no login): case number + query password. Failures per
    number are limited, so the 6-digit password cannot be guessed by trying."""
    number = number.strip().upper()
    key = _query_key(number)
    failures = cache.get(key, 0)
    if failures >= settings.CASES_QUERY_FAILURE_LIMIT:
        raise CaseError(CaseErrorCode.QUERY_LOCKED)
    # What the answer shows: the matter's and department's names, not its version (a wide row).
    case = _with_related(Case.objects.filter(number=number).exclude(state=CaseState.DRAFT)).first()
    if case is None or not rules.query_password_matches(
        number=number, password=password.strip(), digest=case.query_password
    ):
        cache.set(key, failures + 1, timeout=15 * 60)
        raise CaseError(CaseErrorCode.QUERY_FAILED)
    if failures:
        cache.delete(key)  # a success starts the count again (no round trip when there is none)
    return case


@dataclass(frozen=True)
class Asked:
    """What is asked of the applicant now, in plain words."""

    text: str
    action: str = ""


def asked_of_applicant(case: Case) -> Asked | None:
    if case.state == CaseState.DRAFT:
        return Asked("申请尚未提交：请补全申请表和材料后提交", "submit")
    if case.state == CaseState.CORRECTION:
        pause = next((p for p in case.pauses.all() if p.ended_at is None), None)
        items = "；".join(f"{e['name']}：{e['problem']}" for e in (pause.items if pause else []))
        return Asked(f"请按补正告知书补正：{items}", "correct")
    if case.state == CaseState.COMPLETED and case.delivery == "pickup":
        return Asked("办理结果已出，请携带身份证件到窗口领取")
    return None


def case_counts_by_item(*, since: dt.datetime) -> dict[int, int]:
    """Cases submitted since `since` (window intake included, drafts never), per item id. For
    the periodic count of 办件量; it reads every case of the period, so never in a request."""
    rows = (
        Case.objects.filter(submitted_at__gte=since)
        .order_by()
        .values_list("item_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
