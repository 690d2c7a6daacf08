"""Enterprises (法人) registered by their legal representative, and the agents (经办人) they
authorise."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import AgentGrant, AgentScope, Enterprise, Person
from yiwang.accounts.services._common import _actor
from yiwang.core.audit import audit_record
from yiwang.core.identifiers import IdentifierError, check_resident_id, check_uscc

AGENT_GRANT_MAX_DAYS = 3 * 366

# --- Enterprises and agents -----------------------------------------------------------------


def enterprise_register(
    *,
    person: Person,
    uscc: str,
    name: str,
    legal_representative_name: str,
    legal_representative_resident_id: str,
) -> Enterprise:
    """Register an enterprise account; only its legal representative may do so."""
    errors: dict[str, list[str]] = {}
    try:
        uscc = check_uscc(uscc)
    except IdentifierError as exc:
        errors["uscc"] = [str(exc)]
    try:
        legal_representative_resident_id = check_resident_id(legal_representative_resident_id)
    except IdentifierError as exc:
        errors["legal_representative_resident_id"] = [str(exc)]
    if not name.strip():
        errors["name"] = ["请填写单位名称"]
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    if (
        legal_representative_resident_id != person.resident_id
        or legal_representative_name.strip() != person.name
    ):
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    if Enterprise.objects.filter(uscc=uscc).exists():
        raise AccountsError(AccountsErrorCode.ENTERPRISE_TAKEN, field="uscc")
    with transaction.atomic():
        enterprise = Enterprise.objects.create(
            uscc=uscc,
            name=name.strip(),
            legal_representative_name=person.name,
            legal_representative_resident_id=person.resident_id,
            legal_representative=person,
        )
        audit_record(
            actor=_actor(person.user),
            action="enterprise.register",
            object_type="enterprise",
            object_id=enterprise.pk,
        )
    return enterprise


def agent_grant(
    *,
    enterprise: Enterprise,
    granted_by: Person,
    agent_resident_id: str,
    agent_name: str,
    scope: str,
    valid_until: dt.date,
    today: dt.date | None = None,
) -> AgentGrant:
    """The legal representative grants a registered person the right to act for the enterprise."""
    today = today or timezone.localdate()
    if enterprise.legal_representative_id != granted_by.pk:
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    errors: dict[str, list[str]] = {}
    if scope not in AgentScope.values:
        errors["scope"] = ["请选择授权范围"]
    if valid_until <= today:
        errors["valid_until"] = ["有效期应晚于今天"]
    elif (valid_until - today).days > AGENT_GRANT_MAX_DAYS:
        errors["valid_until"] = ["授权有效期最长三年"]
    try:
        agent_resident_id = check_resident_id(agent_resident_id)
    except IdentifierError as exc:
        errors["agent_resident_id"] = [str(exc)]
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    agent = Person.objects.filter(resident_id=agent_resident_id, name=agent_name.strip()).first()
    if agent is None:
        raise AccountsError(AccountsErrorCode.AGENT_NOT_FOUND, field="agent_resident_id")
    if agent.pk == granted_by.pk:
        raise AccountsError(
            AccountsErrorCode.INVALID, fields={"agent_resident_id": ["无需授权本人"]}
        )
    try:
        with transaction.atomic():
            grant = AgentGrant.objects.create(
                enterprise=enterprise,
                agent=agent,
                scope=scope,
                valid_until=valid_until,
                granted_by=granted_by,
            )
            audit_record(
                actor=_actor(granted_by.user),
                action="agent.grant",
                object_type="agent_grant",
                object_id=grant.pk,
                detail={"enterprise": enterprise.pk, "agent": agent.pk, "scope": scope,
                        "valid_until": valid_until.isoformat()},
            )  # fmt: skip
    except IntegrityError:
        raise AccountsError(AccountsErrorCode.GRANT_EXISTS) from None
    return grant


def agent_revoke(*, grant: AgentGrant, revoked_by: Person) -> AgentGrant:
    if grant.enterprise.legal_representative_id != revoked_by.pk:
        raise AccountsError(AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE)
    with transaction.atomic():
        grant = AgentGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            return grant
        grant.revoked_at, grant.revoked_by = timezone.now(), revoked_by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=_actor(revoked_by.user),
            action="agent.revoke",
            object_type="agent_grant",
            object_id=grant.pk,
        )
    return grant
