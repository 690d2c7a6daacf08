"""Writes of single sign-on: linking a provincial identity to a person, registering a client.

Every write is audited without personal data: persons and users appear by primary key and the
opaque username, never by name, ID number or phone.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model

from yiwang.accounts.models import Person, RealNameLevel, User
from yiwang.accounts.oidc.errors import UpstreamRefusal
from yiwang.accounts.rules import is_mobile
from yiwang.core.audit import SYSTEM_ACTOR, actor_label, audit_record
from yiwang.core.identifiers import IdentifierError, check_resident_id

# A level asserted by another platform counts at most as "verified" (L2) here: the in-person
# level (L3) is only ever granted at one of our own windows.
UPSTREAM_MAX_LEVEL = RealNameLevel.VERIFIED
NAME_MAX_LENGTH = 50


def _upstream_level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return int(RealNameLevel.BASIC)
    return max(int(RealNameLevel.BASIC), min(level, int(UPSTREAM_MAX_LEVEL)))


def _refuse(refusal: UpstreamRefusal, *, issuer: str, source_ip: str | None) -> UpstreamRefusal:
    audit_record(
        actor="anonymous",
        action="oidc.upstream_refused",
        object_type="oidc_upstream",
        object_id=issuer,
        source_ip=source_ip,
        detail={"reason": refusal.code},
    )
    return refusal


def _person_create(
    *, claims: Mapping[str, Any], resident_id: str, issuer: str, source_ip: str | None
) -> Person:
    name = str(claims.get("name") or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise _refuse(UpstreamRefusal.name_missing(), issuer=issuer, source_ip=source_ip)
    phone = str(claims.get("phone_number") or "").strip().removeprefix("+86")
    if not is_mobile(phone):
        raise _refuse(UpstreamRefusal.phone_missing(), issuer=issuer, source_ip=source_ip)
    if Person.objects.filter(phone=phone).exists():
        raise _refuse(UpstreamRefusal.phone_taken(), issuer=issuer, source_ip=source_ip)
    level = _upstream_level(claims.get("real_name_level"))
    try:
        with transaction.atomic():
            user = User(username=f"p{secrets.token_hex(8)}", kind=User.Kind.PERSON)
            user.display_name = name
            user.set_unusable_password()  # signs in through the provincial provider (or resets)
            user.save()
            person = Person.objects.create(
                user=user, name=name, resident_id=resident_id, phone=phone, real_name_level=level
            )
            audit_record(
                actor=actor_label(user),
                action="oidc.upstream_link_created",
                object_type="person",
                object_id=person.pk,
                source_ip=source_ip,
                detail={"issuer": issuer, "real_name_level": level},
            )
    except IntegrityError:
        # A second login of the same person got there first, or the phone was just taken.
        existing = Person.objects.select_related("user").filter(resident_id=resident_id).first()
        if existing is None:
            raise _refuse(
                UpstreamRefusal.phone_taken(), issuer=issuer, source_ip=source_ip
            ) from None
        return existing
    return person


def upstream_person_login(
    *, claims: Mapping[str, Any], issuer: str, source_ip: str | None = None
) -> Person:
    """The person the provincial provider's claims name, linked by resident ID number.

    An existing person with that ID number is returned as is (their own data and level are
    kept). Otherwise a person is created from `name`, `id_number`, `phone_number` and
    `real_name_level` (capped at L2). Claims without a valid ID number, or that cannot make a
    person, raise `UpstreamRefusal` and change nothing but the audit chain.
    """
    raw_id = str(claims.get("id_number") or "").strip()
    if not raw_id:
        raise _refuse(UpstreamRefusal.id_number_missing(), issuer=issuer, source_ip=source_ip)
    try:
        resident_id = check_resident_id(raw_id)
    except IdentifierError as exc:
        raise _refuse(
            UpstreamRefusal.id_number_invalid(str(exc)), issuer=issuer, source_ip=source_ip
        ) from None
    person = Person.objects.select_related("user").filter(resident_id=resident_id).first()
    created = person is None
    if person is None:
        person = _person_create(
            claims=claims, resident_id=resident_id, issuer=issuer, source_ip=source_ip
        )
    if not person.user.is_active:
        raise _refuse(UpstreamRefusal.account_disabled(), issuer=issuer, source_ip=source_ip)
    audit_record(
        actor=actor_label(person.user),
        action="oidc.upstream_login",
        object_type="person",
        object_id=person.pk,
        source_ip=source_ip,
        detail={"issuer": issuer, "created": created},
    )
    return person


# --- Clients (department systems) -------------------------------------------------------------


@dataclass(frozen=True)
class ClientSaved:
    application: AbstractApplication
    created: bool
    generated_secret: str | None  # shown once: only its hash is stored


def oidc_client_save(
    *,
    name: str,
    redirect_uris: Sequence[str],
    post_logout_redirect_uris: Sequence[str] = (),
    client_id: str | None = None,
    client_secret: str | None = None,
    skip_authorization: bool = False,
    actor: str = SYSTEM_ACTOR,
) -> ClientSaved:
    """Create or update a confidential client using the authorization code flow (with PKCE,
    ID tokens signed RS256). A new client without a given secret gets a generated one; updating
    without a secret keeps the old one."""
    application_model = get_application_model()
    application = (
        application_model.objects.filter(client_id=client_id).first() if client_id else None
    )
    created = application is None
    generated = None
    if application is None:
        application = application_model(client_id=client_id) if client_id else application_model()
        if not client_secret:
            client_secret = generated = generate_client_secret()
    application.name = name
    application.client_type = AbstractApplication.CLIENT_CONFIDENTIAL
    application.authorization_grant_type = AbstractApplication.GRANT_AUTHORIZATION_CODE
    application.algorithm = AbstractApplication.RS256_ALGORITHM
    application.redirect_uris = " ".join(redirect_uris)
    application.post_logout_redirect_uris = " ".join(post_logout_redirect_uris)
    application.skip_authorization = skip_authorization
    if client_secret:
        application.client_secret = client_secret
        application.hash_client_secret = True
    with transaction.atomic():
        application.full_clean()
        application.save()
        audit_record(
            actor=actor,
            action="oidc.client_created" if created else "oidc.client_updated",
            object_type="oidc_client",
            object_id=application.client_id,
            detail={"name": name, "skip_authorization": skip_authorization},
        )
    return ClientSaved(application=application, created=created, generated_secret=generated)
