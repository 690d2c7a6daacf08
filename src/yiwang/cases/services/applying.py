"""The applicant's draft: the form filled in from their identity, the draft saved, and its files
added and removed (also during a correction round)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from yiwang.accounts.models import Enterprise, Person, User
from yiwang.accounts.selectors import acting_enterprise_get, person_of, real_name_level_check
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import (
    ApplicantType,
    Case,
    CaseMaterial,
    CaseState,
    Delivery,
    EventKind,
    IdType,
    PauseKind,
)
from yiwang.cases.services._common import _event, _lock, _now, is_applicant
from yiwang.catalog.codes import HandlingForm, OnlineDepth, ServiceObject
from yiwang.catalog.models import ImplementationItem, ItemStatus, ItemVersion, Material

ORGANISATION_OBJECTS = {
    ServiceObject.ENTERPRISE,
    ServiceObject.INSTITUTION,
    ServiceObject.SOCIAL_ORGANISATION,
    ServiceObject.OTHER,
}

# --- Applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file for one material: the material's `seq` in the item version (None: other)."""

    material_seq: int | None
    name: str
    data: bytes


def _department_from(item: ImplementationItem, case: Case) -> None:
    """The matter's department, when it was read with the matter, serves the new case too (its
    notices name it): one query less per submission."""
    if ImplementationItem.department.is_cached(item):
        case.department = item.department


def _published_version(item: ImplementationItem) -> ItemVersion:
    if item.status != ItemStatus.PUBLISHED or item.current_version_id is None:
        raise CaseError(CaseErrorCode.ITEM_NOT_AVAILABLE)
    return ItemVersion.objects.get(pk=item.current_version_id)


def _identity(person: Person, enterprise: Enterprise | None) -> dict[str, str]:
    identity = {
        "person.name": person.name,
        "person.resident_id": person.resident_id,
        "person.phone": person.phone,
    }
    if enterprise is not None:
        identity |= {
            "enterprise.name": enterprise.name,
            "enterprise.uscc": enterprise.uscc,
            "enterprise.legal_representative": enterprise.legal_representative_name,
        }
    return identity


def form_initial(
    *, item: ImplementationItem, user: User, enterprise: Enterprise | None
) -> dict[str, str]:
    """The form's values filled in from the applicant's identity."""
    person = person_of(user)
    if person is None or item.current_version is None:
        return {}
    return rules.form_prefill(item.current_version.form_schema, _identity(person, enterprise))


def _check_applicant(version: ItemVersion, enterprise: Enterprise | None) -> None:
    objects = set(version.service_objects)
    if enterprise is None and ServiceObject.PERSON not in objects:
        raise CaseError(
            CaseErrorCode.WRONG_APPLICANT,
            message="该事项面向法人及其他组织，请切换到单位身份后申请",
        )
    if enterprise is not None and not objects & ORGANISATION_OBJECTS:
        raise CaseError(
            CaseErrorCode.WRONG_APPLICANT, message="该事项面向自然人，请切换到个人身份后申请"
        )


def _draft_save(
    *,
    user: User,
    item: ImplementationItem,
    enterprise: Enterprise | None = None,
    form_data: Mapping[str, Any] | None = None,
    delivery: str = Delivery.PICKUP,
    delivery_address: str = "",
    address: str = "",
    channel: str = HandlingForm.ONLINE_PC,
    case: Case | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Start or update an online application's draft; nothing typed is lost (checked on submit).

    `enterprise` is the enterprise the person acts for now (checked against live grants)."""
    now = _now(now)
    person, enterprise, values = _draft_inputs(
        user=user, enterprise=enterprise, delivery=delivery, form_data=form_data
    )
    if case is not None:
        case = _lock(case)
        if case.applicant_user_id != user.pk:
            raise CaseError(CaseErrorCode.NOT_FOUND)
        if case.state != CaseState.DRAFT:
            raise CaseError(CaseErrorCode.ILLEGAL_TRANSITION, message="申请已提交，不能再修改草稿")
        # Fields filled from the applicant's identity keep the identity's values.
        identity = rules.form_prefill(case.version.form_schema, _identity(person, case.enterprise))
        case.form_data = {**case.form_data, **values, **identity}
        case.delivery, case.delivery_address = delivery, delivery_address.strip()[:200]
        case.address = address.strip()[:200] or case.address
        case.save()
        return case
    case = _draft_new(
        person=person, user=user, item=item, enterprise=enterprise, values=values,
        delivery=delivery, delivery_address=delivery_address, address=address, channel=channel,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    case.save()
    _event(case, EventKind.DRAFT_SAVED, now=now, user=user, actor_name=person.name, public=False)
    return case


def _draft_inputs(
    *,
    user: User,
    enterprise: Enterprise | None,
    delivery: str,
    form_data: Mapping[str, Any] | None,
) -> tuple[Person, Enterprise | None, dict[str, str]]:
    """The applicant, the enterprise they act for (checked against live grants) and the form's
    values as typed (bounded), or the error that stops any draft."""
    person = person_of(user)
    if person is None:
        raise CaseError(CaseErrorCode.APPLICANT_INVALID, message="请使用个人账号登录后申请")
    if enterprise is not None:
        enterprise = acting_enterprise_get(person=person, enterprise_id=enterprise.pk)
    if delivery not in Delivery.values:
        raise CaseError(CaseErrorCode.DELIVERY_INVALID)
    values = {
        str(k)[:40]: ("" if v is None else str(v)[:2000]) for k, v in (form_data or {}).items()
    }
    return person, enterprise, values


def _draft_new(
    *,
    person: Person,
    user: User,
    item: ImplementationItem,
    enterprise: Enterprise | None,
    values: dict[str, str],
    delivery: str,
    delivery_address: str,
    address: str,
    channel: str,
    idempotency_key: str | None,
) -> Case:
    """A new draft of the item's published version, checked and not yet saved."""
    version = _published_version(item)
    if not version.online or version.online_depth == OnlineDepth.PUBLIC:
        raise CaseError(CaseErrorCode.NOT_ONLINE)
    real_name_level_check(person=person, required=version.min_real_name_level)
    _check_applicant(version, enterprise)
    initial = rules.form_prefill(version.form_schema, _identity(person, enterprise))
    case = Case(
        item=item,
        version=version,
        department_id=item.department_id,
        region_prefix=item.region_prefix,
        applicant_user=user,
        person=person if enterprise is None else None,
        enterprise=enterprise,
        channel=channel,
        form_data={**values, **initial},
        delivery=delivery,
        delivery_address=delivery_address.strip()[:200],
        address=address.strip()[:200],
        phone=person.phone,
        idempotency_key=idempotency_key,
        **_applicant_fields(person, enterprise),
    )
    _department_from(item, case)
    return case


# The service runs in a transaction of its own (a savepoint inside a caller's). `case_apply`
# does not save a draft: it builds one in memory (`_draft_inputs`, `_draft_new`) and inserts it
# once, submitted.
case_draft_save = transaction.atomic(_draft_save)


def _applicant_fields(person: Person, enterprise: Enterprise | None) -> dict[str, str]:
    if enterprise is None:
        return {
            "applicant_type": ApplicantType.PERSON,
            "applicant_name": person.name,
            "applicant_id_type": IdType.RESIDENT_ID,
            "applicant_id_number": person.resident_id,
        }
    return {
        "applicant_type": ApplicantType.ORGANISATION,
        "applicant_name": enterprise.name,
        "applicant_id_type": IdType.USCC,
        "applicant_id_number": enterprise.uscc,
        "legal_representative": enterprise.legal_representative_name,
        "agent_name": person.name,
        "agent_id_number": person.resident_id,
    }


def _material_of(
    version: ItemVersion, seq: int | None, known: Mapping[int, Material] | None = None
) -> Material | None:
    """The version's material number `seq` (from `known`, the version's materials by number,
    when the caller has read them)."""
    if seq is None:
        return None
    material = known.get(seq) if known is not None else version.materials.filter(seq=seq).first()
    if material is None:
        raise CaseError(CaseErrorCode.MATERIAL_UNKNOWN, fields={"material": ["该事项没有这项材料"]})
    return material


def _material_file(
    case: Case,
    upload: Upload,
    *,
    user: User | None,
    round_: int,
    known: Mapping[int, Material] | None = None,
) -> CaseMaterial:
    """The checked upload written to storage, as a material row not yet saved."""
    from yiwang.cases.uploads import upload_check

    checked = upload_check(
        name=upload.name, data=upload.data, max_bytes=settings.CASES_UPLOAD_MAX_MB * 1024 * 1024
    )
    material = _material_of(case.version, upload.material_seq, known)
    row = CaseMaterial(
        case=case,
        material=material,
        name=material.name if material else "其他材料",
        file_name=checked.name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        round=round_,
        uploaded_by=user,
    )
    row.file.save(f"{checked.sha256[:16]}.{checked.kind}", ContentFile(upload.data), save=False)
    return row


def _correction_round(case: Case) -> int:
    return case.pauses.filter(kind=PauseKind.CORRECTION).count()


def case_material_add(*, case: Case, user: User, upload: Upload) -> CaseMaterial:
    """Attach a file to a draft, or to a case waiting for correction (as that round's file)."""
    with transaction.atomic():
        case = _lock(case)
        if not is_applicant(case, user):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        if case.state not in (CaseState.DRAFT, CaseState.CORRECTION):
            raise CaseError(CaseErrorCode.ILLEGAL_TRANSITION, message="办件当前状态不能上传材料")
        round_ = _correction_round(case) if case.state == CaseState.CORRECTION else 0
        row = _material_file(case, upload, user=user, round_=round_)
        row.save()
        return row


def case_material_remove(*, case: Case, user: User, material_id: int) -> None:
    with transaction.atomic():
        case = _lock(case)
        if not is_applicant(case, user):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        row = case.materials.filter(pk=material_id).first()
        round_ = _correction_round(case) if case.state == CaseState.CORRECTION else 0
        if row is None or case.state not in (CaseState.DRAFT, CaseState.CORRECTION):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        if row.round != round_:
            raise CaseError(CaseErrorCode.ILLEGAL_TRANSITION, message="已提交的材料不能删除")
        row.file.delete(save=False)
        row.delete()
