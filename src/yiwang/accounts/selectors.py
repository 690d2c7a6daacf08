"""Accounts reads, each carrying its permission."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import (
    ADMIN_ROLES,
    AgentGrant,
    ApiClient,
    Enterprise,
    Person,
    Role,
    Staff,
    User,
)


def person_of(user: User) -> Person | None:
    if not user.is_authenticated or user.kind != User.Kind.PERSON:
        return None
    # Through the one-to-one accessor: Django keeps the person on the user object, so the
    # request's later calls cost no query.
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def staff_of(user: User) -> Staff | None:
    if not user.is_authenticated or user.kind != User.Kind.STAFF:
        return None
    # The session's user brings the staff member and their roles (`IdentifierBackend.get_user`).
    if User.staff.related.is_cached(user):
        staff = user.staff if hasattr(user, "staff") else None
        if staff is None or "roles" in getattr(staff, "_prefetched_objects_cache", {}):
            return staff
    # Roles come with the staff member (one query), so role checks in the request cost none.
    return (
        Staff.objects.select_related("department", "department__region")
        .prefetch_related("roles")
        .filter(user=user)
        .first()
    )


def live_grants(*, today: dt.date | None = None) -> QuerySet[AgentGrant]:
    today = today or timezone.localdate()
    return AgentGrant.objects.filter(revoked_at__isnull=True, valid_until__gte=today)


def enterprises_for_person(*, person: Person, today: dt.date | None = None) -> QuerySet[Enterprise]:
    """Enterprises a person may act for: those they represent, and live grants to them.

    One query, by index on both sides (a union of ids): an OR of the two conditions made
    PostgreSQL read every enterprise."""
    own = Enterprise.objects.filter(legal_representative=person).values("pk")
    granted = live_grants(today=today).filter(agent=person).values("enterprise_id")
    return Enterprise.objects.filter(pk__in=own.union(granted)).order_by("name")


def enterprises_with_grants(*, person: Person) -> list[tuple[Enterprise, list[AgentGrant]]]:
    """The enterprises a person represents, each with its grants (newest first): what only the
    legal representative sees. Two queries, however many enterprises."""
    grants = AgentGrant.objects.select_related("agent").order_by("-granted_at")
    enterprises = Enterprise.objects.filter(legal_representative=person).order_by("name")
    return [
        (enterprise, enterprise.own_grants)
        for enterprise in enterprises.prefetch_related(
            Prefetch("grants", queryset=grants, to_attr="own_grants")
        )
    ]


def acting_enterprise_get(
    *, person: Person, enterprise_id: int, today: dt.date | None = None
) -> Enterprise:
    """The enterprise a person acts for now; refused once the grant is revoked or expired."""
    enterprise = enterprises_for_person(person=person, today=today).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise AccountsError(AccountsErrorCode.NOT_AN_AGENT)
    return enterprise


def grants_of_enterprise(*, enterprise: Enterprise, viewer: Person) -> QuerySet[AgentGrant]:
    """The legal representative sees the enterprise's grants; nobody else does."""
    if enterprise.legal_representative_id != viewer.pk:
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    return enterprise.grants.select_related("agent").order_by("-granted_at")


def staff_roles(staff: Staff) -> set[str]:
    """The staff member's roles (from the prefetched roles when `staff_of` loaded them)."""
    return {grant.role for grant in staff.roles.all()}


def staff_visible_to(*, viewer: Staff) -> QuerySet[Staff]:
    """Administrators see the staff of their region and below; everyone else, their department."""
    query = Staff.objects.select_related("department", "user").order_by("department__name", "name")
    if staff_roles(viewer) & {r.value for r in ADMIN_ROLES}:
        return query.filter(region_prefix__startswith=viewer.region_prefix)
    return query.filter(department=viewer.department)


def staff_get_for(*, viewer: Staff, staff_id: int) -> Staff:
    staff = staff_visible_to(viewer=viewer).filter(pk=staff_id).first()
    if staff is None:
        raise AccountsError(AccountsErrorCode.OUT_OF_SCOPE)
    return staff


def api_clients_visible_to(*, viewer: Staff) -> QuerySet[ApiClient]:
    """The API clients acting as staff of the administrator's region and below."""
    return (
        ApiClient.objects.select_related("staff", "staff__department")
        .filter(staff__region_prefix__startswith=viewer.region_prefix)
        .order_by("revoked_at", "-created_at")
    )


def has_role(staff: Staff, role: Role) -> bool:
    return role in staff_roles(staff)


def real_name_level_check(*, person: Person, required: int) -> None:
    """Refuse, with what to do next, a person below the real-name level an action asks for
    (e.g. a matter's online application)."""
    if person.real_name_level >= required:
        return
    from yiwang.accounts.models import RealNameLevel

    needed = RealNameLevel(required).label.split("：")[0]
    current = RealNameLevel(person.real_name_level).label.split("：")[0]
    raise AccountsError(
        AccountsErrorCode.REAL_NAME_LEVEL,
        message=f"此项业务需要{needed}实名，您当前为{current}。请在个人中心完成实名信息比对后再办理",
    )
