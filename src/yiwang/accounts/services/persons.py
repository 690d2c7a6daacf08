"""Natural persons: registration, accounts created for them, real-name evidence and its
checks with the identity sources."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.models import EvidenceKind, OneTimeCode, Person, RealNameEvidence, User
from yiwang.accounts.rules import luhn_ok, real_name_level
from yiwang.accounts.services._common import _actor, _check_phone_and_password
from yiwang.accounts.services.codes import otp_code_verify
from yiwang.core.audit import audit_record
from yiwang.core.identifiers import IdentifierError, check_resident_id
from yiwang.core.masking import mask_phone

# --- Natural persons ------------------------------------------------------------------------


def person_register(
    *,
    name: str,
    resident_id: str,
    phone: str,
    password: str,
    code: str,
    source_ip: str | None = None,
) -> Person:
    """Register a person: ID number and name, a phone proven by SMS code, a password."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not 2 <= len(name) <= 30:
        errors["name"] = ["请填写与身份证一致的姓名"]
    try:
        resident_id = check_resident_id(resident_id)
    except IdentifierError as exc:
        errors["resident_id"] = [str(exc)]
    phone = phone.strip()
    _check_phone_and_password(errors, phone=phone, password=password, phone_required=True)
    if errors:
        raise AccountsError(AccountsErrorCode.INVALID, fields=errors)
    otp_code_verify(phone=phone, purpose=OneTimeCode.Purpose.REGISTER, code=code)
    return person_create(
        name=name, resident_id=resident_id, phone=phone, password=password, source_ip=source_ip
    )


def person_create(
    *,
    name: str,
    resident_id: str,
    phone: str,
    password: str,
    actor: User | None = None,
    source_ip: str | None = None,
) -> Person:
    """Create a person whose phone is proven (by SMS code, or in person by `actor` at a window)."""
    resident_id = check_resident_id(resident_id)
    if Person.objects.filter(resident_id=resident_id).exists():
        raise AccountsError(AccountsErrorCode.ID_TAKEN, field="resident_id")
    if Person.objects.filter(phone=phone).exists():
        raise AccountsError(AccountsErrorCode.PHONE_TAKEN, field="phone")
    with transaction.atomic():
        user = User(username=f"p{secrets.token_hex(8)}", kind=User.Kind.PERSON, display_name=name)
        user.set_password(password)
        user.save()
        person = Person.objects.create(user=user, name=name, resident_id=resident_id, phone=phone)
        RealNameEvidence.objects.create(
            person=person,
            kind=EvidenceKind.PHONE,
            reference=mask_phone(phone),
            source="短信验证码" if actor is None else "窗口核验",
            verified_at=timezone.now(),
        )
        audit_record(
            actor=_actor(actor or user),
            action="person.register",
            object_type="person",
            object_id=person.pk,
            source_ip=source_ip,
        )
    return person


def person_evidence_add(
    *, person: Person, kind: str, number: str, source: str, actor: User | None = None
) -> Person:
    """Record one item matched against its authoritative source; the level follows the rule.

    The check itself is the identity-source adapter's (`accounts.verification`); this records
    its positive answer.
    """
    if kind not in EvidenceKind.values:
        raise AccountsError(AccountsErrorCode.INVALID, fields={"kind": ["无效的比对项"]})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        RealNameEvidence.objects.update_or_create(
            person=person,
            kind=kind,
            defaults={
                "reference": _mask_reference(number),
                "source": source,
                "verified_at": timezone.now(),
            },
        )
        kinds = person.evidence.values_list("kind", flat=True)
        # Adding evidence never lowers a level (one may have come from the provincial login).
        before = person.real_name_level
        after = max(before, int(real_name_level(kinds)))
        if after != before:
            person.real_name_level = after
            person.save(update_fields=["real_name_level"])
        audit_record(
            actor=_actor(actor or person.user),
            action="person.evidence_added",
            object_type="person",
            object_id=person.pk,
            detail={"kind": kind, "level_before": before, "level_after": after},
        )
    return person


def _mask_reference(number: str) -> str:
    number = number.strip()
    return ("*" * max(len(number) - 4, 0)) + number[-4:] if number else ""


def person_verify_item(*, person: Person, kind: str, number: str) -> Person:
    """Check an item with the identity sources; on a match, record it and raise the level."""
    from yiwang.accounts.verification import identity_source

    number = number.strip().upper()
    if kind == EvidenceKind.BANK_CARD and not luhn_ok(number):
        raise AccountsError(AccountsErrorCode.INVALID, fields={"number": ["银行卡号不正确"]})
    if not identity_source().matches(
        kind=kind, number=number, name=person.name, resident_id=person.resident_id
    ):
        raise AccountsError(AccountsErrorCode.EVIDENCE_MISMATCH, field="number")
    return person_evidence_add(
        person=person, kind=kind, number=number, source=identity_source().name
    )
