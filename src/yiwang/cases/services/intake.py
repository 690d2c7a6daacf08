"""Window intake (收件): an officer enters the application of a person at the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Enterprise, Person, Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import ApplicantType, Case, CaseState, Delivery, EventKind, IdType
from yiwang.cases.services._common import _event, _now
from yiwang.cases.services.applying import Upload, _department_from, _published_version
from yiwang.cases.services.submitting import (
    Submitted,
    _attach_all,
    _check_key,
    _files_undone_on_failure,
    _number_and_submit,
    _submit_checks,
)
from yiwang.catalog.codes import HandlingForm
from yiwang.catalog.models import ImplementationItem


@dataclass(frozen=True)
class WalkIn:
    """The applicant at the window, as the officer takes them down from the ID documents."""

    applicant_type: str
    name: str
    id_number: str
    phone: str
    address: str = ""
    legal_representative: str = ""
    agent_name: str = ""
    agent_id_number: str = ""


def _walk_in_check(walk_in: WalkIn) -> dict[str, list[str]]:
    from yiwang.core.identifiers import IdentifierError, check_resident_id, check_uscc
    from yiwang.notify.rules import is_mobile_number

    problems: dict[str, list[str]] = {}
    if not walk_in.name.strip():
        problems["name"] = ["请填写申请人名称"]
    try:
        if walk_in.applicant_type == ApplicantType.ORGANISATION:
            check_uscc(walk_in.id_number)
        elif walk_in.applicant_type == ApplicantType.PERSON:
            check_resident_id(walk_in.id_number)
        else:
            problems["applicant_type"] = ["申请人类型不正确"]
    except IdentifierError as exc:
        problems["id_number"] = [str(exc)]
    if not is_mobile_number(walk_in.phone):
        problems["phone"] = ["联系电话应为 11 位手机号码"]
    return problems


def case_intake(
    *,
    officer: Staff,
    item: ImplementationItem,
    walk_in: WalkIn,
    form_data: Mapping[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
    delivery: str = Delivery.PICKUP,
    delivery_address: str = "",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Submitted:
    """A window officer enters an application for a person at the window (paper scanned as
    files). The case is linked to the person's account when one exists, so they follow it
    online too. It waits for acceptance like an online one."""
    now = _now(now)
    _check_key(idempotency_key)
    if Role.WINDOW_OFFICER not in staff_roles(officer):
        raise CaseError(CaseErrorCode.NOT_YOUR_STEP, message="需要“窗口人员”角色才能收件")
    if item.department_id != officer.department_id:
        raise CaseError(CaseErrorCode.NOT_FOUND, message="该事项不属于您所在部门")
    problems = _walk_in_check(walk_in)
    if problems:
        raise CaseError(CaseErrorCode.APPLICANT_INVALID, fields=problems)
    if idempotency_key:
        previous = Case.objects.filter(intake_by=officer, idempotency_key=idempotency_key).first()
        if previous is not None:
            return Submitted(previous, None, created=False)
    version = _published_version(item)
    is_person = walk_in.applicant_type == ApplicantType.PERSON
    person = (
        Person.objects.filter(resident_id=walk_in.id_number.upper()).first() if is_person else None
    )
    enterprise = (
        None if is_person else Enterprise.objects.filter(uscc=walk_in.id_number.upper()).first()
    )
    with _files_undone_on_failure() as stored, transaction.atomic():
        case = Case(
            item=item,
            version=version,
            department_id=item.department_id,
            region_prefix=item.region_prefix,
            applicant_user=person.user if person else None,
            person=person,
            enterprise=enterprise,
            applicant_type=walk_in.applicant_type,
            applicant_name=walk_in.name.strip(),
            applicant_id_type=IdType.RESIDENT_ID if is_person else IdType.USCC,
            applicant_id_number=walk_in.id_number.strip().upper(),
            legal_representative=walk_in.legal_representative.strip(),
            agent_name=walk_in.agent_name.strip(),
            agent_id_number=walk_in.agent_id_number.strip().upper(),
            phone=walk_in.phone.strip(),
            address=walk_in.address.strip(),
            channel=HandlingForm.WINDOW,
            form_data={str(k): str(v) for k, v in (form_data or {}).items()},
            delivery=delivery,
            delivery_address=delivery_address.strip(),
            idempotency_key=idempotency_key,
            intake_by=officer,
        )
        _department_from(item, case)
        case.save()
        files = _attach_all(case, uploads, user=officer.user, stored=stored)
        values = _submit_checks(case, files)
        password = _number_and_submit(case, now=now, values=values, files=files)
        _event(
            case,
            EventKind.INTAKE,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER,
            from_state=CaseState.DRAFT,
            step_name="收件",
        )
    return Submitted(case, password)
