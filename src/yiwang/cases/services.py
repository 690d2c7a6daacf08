"""Every write to a case. One service per transition of `states.TRANSITIONS`: it checks who may
act (role, department), locks the case, records a `CaseEvent`, and leaves side effects (SMS,
upward reporting) to outboxes that deliver after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yiwang.accounts.models import Enterprise, Person, Role, Staff, User
from yiwang.accounts.selectors import (
    acting_enterprise_get,
    person_of,
    real_name_level_check,
    staff_roles,
)
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import (
    CLOCK_STATES,
    ActionCode,
    ApplicantType,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNotice,
    CasePause,
    CaseState,
    CaseStep,
    Delivery,
    EventKind,
    IdType,
    PauseKind,
    SpecialKind,
    StepState,
)
from yiwang.cases.states import Action, Actor, transition_check
from yiwang.catalog.codes import HandlingForm, OnlineDepth, ServiceObject, TimeUnit
from yiwang.catalog.models import ImplementationItem, ItemStatus, ItemVersion, Material
from yiwang.core.audit import audit_record
from yiwang.core.errors import YiwangError
from yiwang.core.workdays import WorkCalendar, calendar_between

logger = logging.getLogger(__name__)

ORGANISATION_OBJECTS = {
    ServiceObject.ENTERPRISE,
    ServiceObject.INSTITUTION,
    ServiceObject.SOCIAL_ORGANISATION,
    ServiceObject.OTHER,
}


# --- Small shared pieces ----------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


_NEXT_SEQ_SQL = (
    'INSERT INTO "cases_dailycounter" ("key", "day", "last") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key", "day") DO UPDATE SET "last" = "cases_dailycounter"."last" + 1 '
    'RETURNING "last"'
)


def _next_seq(*, key: str, day: dt.date) -> int:
    """The next number under `key` for `day`, one at a time across processes.

    One statement (PostgreSQL and SQLite ≥ 3.35 both have the upsert with RETURNING): the row
    is created or incremented and stays locked until the caller's transaction ends, so numbers
    are never given twice and a rolled-back number is given again."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQ_SQL, [key, connection.ops.adapt_datefield_value(day)])
        (last,) = cursor.fetchone()
    return int(last)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("item", "version", "department")
        .get(pk=case.pk)
    )


def _steps(case: Case) -> tuple[list[CaseStep], CaseStep | None]:
    steps = list(case.steps.order_by("order"))
    active = next((s for s in steps if s.state == StepState.ACTIVE), None)
    return steps, active


def _must(step: CaseStep | None) -> CaseStep:
    # `transition_check` has refused step actions without an active step already.
    if step is None:
        raise CaseError(CaseErrorCode.ILLEGAL_TRANSITION, message="办件没有待办环节")
    return step


def staff_actor(staff: Staff) -> Actor:
    return Actor(staff_id=staff.pk, roles=frozenset(staff_roles(staff)))


def _staff_case_check(case: Case, staff: Staff) -> None:
    """An officer acts on the cases of their own department only (others get 404)."""
    if case.department_id != staff.department_id:
        raise CaseError(CaseErrorCode.NOT_FOUND)


def is_applicant(case: Case, user: User) -> bool:
    """The account that applied, the person applied for, or (for an enterprise's case) anyone
    who may act for that enterprise now."""
    if not user.is_authenticated:
        return False
    if case.applicant_user_id == user.pk:
        return True
    person = person_of(user)
    if person is None:
        return False
    if case.enterprise_id is not None:
        try:
            acting_enterprise_get(person=person, enterprise_id=case.enterprise_id)
        except YiwangError:
            return False
        return True
    return case.person_id == person.pk


def _event(case: Case, kind: EventKind, **fields: Any) -> CaseEvent:
    """Record an event of the case now (the fields as `_event_row` takes them)."""
    event = _event_row(case, kind, **fields)
    event.save(force_insert=True)
    return event


def _event_row(
    case: Case,
    kind: EventKind,
    *,
    now: dt.datetime,
    user: User | None,
    actor_name: str,
    actor_role: str = "",
    action: str = ActionCode.OTHER,
    from_state: str = "",
    opinion: str = "",
    step_name: str = "",
    data: Mapping[str, Any] | None = None,
    public: bool = True,
    to_state: str | None = None,
) -> CaseEvent:
    """An event not yet saved (to_state: the case's state unless given)."""
    return CaseEvent(
        case=case,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=case.state if to_state is None else to_state,
        step_name=step_name,
        actor=user,
        actor_name=actor_name,
        actor_role=actor_role,
        opinion=opinion,
        data=dict(data or {}),
        public=public,
        at=now,
    )


def _sms(case: Case, template: str, **params: str) -> None:
    """Queue an SMS to the applicant; a refused SMS (e.g. rate limit) never undoes the case."""
    from yiwang.notify.services import sms_send

    try:  # a refusal leaves the transaction usable (`sms_send` raises it after its block)
        sms_send(phone=case.phone, template=template, params=params, category="case")
    except YiwangError as exc:
        logger.warning("case %s: SMS %s not queued (%s)", case.pk, template, exc.code)


def _notice(case: Case, kind: str, *, now: dt.datetime, content: Mapping[str, Any]) -> CaseNotice:
    """Number and record a notice; the PDF is rendered from this row (see `notices_pdf`)."""
    department = case.department
    # The full name: short names repeat across counties (县农业农村局), numbers must not.
    short = department.name
    year = _local_date(now).year
    seq = _next_seq(key=f"notice:{department.pk}:{kind}", day=dt.date(year, 1, 1))
    number = rules.document_number(department_short=short, kind=kind, year=year, seq=seq)
    return CaseNotice.objects.create(
        case=case, kind=kind, document_number=number, content=dict(content), issued_at=now
    )


def _report(case: Case, dataset: str, source_key: str, payload: Mapping[str, Any]) -> None:
    """Write one upward data set (GB/T 39046) to the reporting outbox, in this transaction."""
    from yiwang.cases.datasets import report

    report(case=case, dataset=dataset, source_key=source_key, payload=payload)


# --- The clocks -------------------------------------------------------------------------------


def warning_rule() -> rules.WarningRule:
    return rules.WarningRule(
        days=settings.CASES_WARNING_DAYS, percent=settings.CASES_WARNING_PERCENT
    )


def _calendar_for(case: Case, today: dt.date) -> WorkCalendar:
    start = _local_date(case.accepted_at or timezone.now())
    limit = max(case.legal_limit, case.promised_limit) + case.extension_days
    paused_span = sum(
        ((p.ended_at or timezone.now()) - p.started_at).days + 1 for p in case.pauses.all()
    )
    end = max(start, today) + dt.timedelta(days=2 * limit + paused_span + 60)
    return calendar_between(start - dt.timedelta(days=1), end)


def case_clock_update(*, case: Case, now: dt.datetime | None = None) -> Case:
    """Recompute both deadlines and the warning date from acceptance, pauses and extension.
    Called on acceptance, every pause, resume and extension, and when a year's calendar loads."""
    if case.accepted_at is None:
        return case
    now = _now(now)
    today = _local_date(now)
    accepted_on = _local_date(case.accepted_at)
    pauses = [
        rules.Interval(_local_date(p.started_at), _local_date(p.ended_at) if p.ended_at else None)
        for p in case.pauses.all()
    ]
    calendar = _calendar_for(case, today)
    common = {
        "accepted_on": accepted_on,
        "extension": case.extension_days,
        "pauses": pauses,
        "today": today,
        "calendar": calendar,
        "rule": warning_rule(),
        "calendar_days": case.calendar_days,
    }
    promised = rules.clock(limit=case.promised_limit, **common)  # type: ignore[arg-type]
    legal = rules.clock(limit=case.legal_limit, **common)  # type: ignore[arg-type]
    case.promised_due_on = promised.due_on
    case.yellow_from = promised.yellow_from
    case.legal_due_on = legal.due_on
    case.due_provisional = promised.provisional or legal.provisional
    case.save(
        update_fields=[
            "promised_due_on",
            "yellow_from",
            "legal_due_on",
            "due_provisional",
            "updated_at",
        ]
    )
    return case


def cases_recompute_for_year(year: int) -> int:
    """The deadline recomputer registered with core: open cases whose deadlines rested on the
    plain weekdays of a year that has now been loaded."""
    changed = 0
    ids = Case.objects.filter(state__in=CLOCK_STATES, due_provisional=True).values_list(
        "pk", flat=True
    )
    for case_id in ids.iterator():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            before = (case.promised_due_on, case.legal_due_on)
            case_clock_update(case=case)
            changed += (case.promised_due_on, case.legal_due_on) != before
    return changed


# --- Applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file for one material: the material's `seq` in the item version (None: other)."""

    material_seq: int | None
    name: str
    data: bytes


@dataclass(frozen=True)
class Submitted:
    case: Case
    query_password: str | None  # given once; None when a repeated submit returned the case
    created: bool = True


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


def _delivery_check(version: ItemVersion, delivery: str, address: str) -> None:
    if delivery not in Delivery.values:
        raise CaseError(CaseErrorCode.DELIVERY_INVALID)
    if delivery == Delivery.COURIER:
        if not version.deliverable:
            raise CaseError(CaseErrorCode.DELIVERY_INVALID, message="该事项不支持快递送达")
        if not address.strip():
            message = "选择快递送达时请填写收件地址"
            raise CaseError(
                CaseErrorCode.DELIVERY_INVALID,
                message=message,
                fields={"delivery_address": [message]},
            )
    if delivery == Delivery.LICENSE and not version.result_license_type:
        raise CaseError(CaseErrorCode.DELIVERY_INVALID, message="该事项的结果不是电子证照")


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


# The service runs in a transaction of its own (a savepoint inside a caller's); `case_apply`
# calls `_draft_save` in its own transaction, where the draft needs no savepoint.
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


@dataclass(frozen=True)
class _Files:
    """What a draft holds at submission: its files (not replaced) and its version's list."""

    rows: list[CaseMaterial]
    listed: list[Material]

    @classmethod
    def of(cls, case: Case) -> _Files:
        rows = case.materials.filter(replaced=False).select_related("material")
        return cls(list(rows), list(case.version.materials.all()))

    def missing(self) -> list[str]:
        provided = {row.material.seq for row in self.rows if row.material is not None}
        return [m.name for m in self.listed if m.required and m.seq not in provided]

    def names(self) -> list[str]:
        return sorted({row.name for row in self.rows})


def _attach_all(
    case: Case, uploads: Sequence[Upload], *, user: User | None, stored: list[CaseMaterial]
) -> _Files:
    """Attach the files of a new draft or intake: one read of the version's materials, one
    insert for all the rows. Each row is added to `stored` as soon as its file is written."""
    files = _files_new(case, uploads, user=user, stored=stored)
    CaseMaterial.objects.bulk_create(stored)
    return files


def _files_new(
    case: Case, uploads: Sequence[Upload], *, user: User | None, stored: list[CaseMaterial]
) -> _Files:
    """The files of a new case written to storage, their rows not yet saved (in `stored`)."""
    listed = list(case.version.materials.all())
    known = {m.seq: m for m in listed}
    for upload in uploads:
        stored.append(_material_file(case, upload, user=user, round_=0, known=known))
    return _Files(list(stored), listed)


@contextmanager
def _files_undone_on_failure() -> Iterator[list[CaseMaterial]]:
    """The rows whose files were written in the block: if the block fails, the rows roll back
    with its transaction and their files are deleted here, so nothing is left in storage."""
    stored: list[CaseMaterial] = []
    try:
        yield stored
    except BaseException:
        for row in stored:
            row.file.delete(save=False)
        raise


def _submit_checks(case: Case, files: _Files) -> dict[str, str]:
    values, problems = rules.form_clean(case.version.form_schema, case.form_data)
    if problems:
        raise CaseError(CaseErrorCode.FORM_INVALID, fields=problems)
    missing = files.missing()
    if missing:
        raise CaseError(
            CaseErrorCode.MATERIALS_MISSING,
            message="还有必要材料未上传：" + "、".join(missing),
            fields={"materials": [f"请上传：{name}" for name in missing]},
        )
    _delivery_check(case.version, case.delivery, case.delivery_address)
    return values


def _check_key(idempotency_key: str | None) -> None:
    if idempotency_key is not None and not rules.IDEMPOTENCY_KEY_RE.match(idempotency_key):
        raise CaseError(CaseErrorCode.IDEMPOTENCY_KEY_INVALID)


def _number_and_submit(
    case: Case, *, now: dt.datetime, values: dict[str, str], files: _Files
) -> str:
    """Give the case its number and query password, write the events and the outboxes."""
    today = _local_date(now)
    # The counters are row locks every submission of the matter (case number) and of the
    # department (notice number) waits for until this transaction commits: the department's is
    # taken last, so that it is held for the shortest time.
    seq = _next_seq(key=f"case:{case.item.code}", day=today)
    password = rules.query_password_new()
    case.number = rules.case_number(item_code=case.item.code, day=today, seq=seq)
    case.query_password = rules.query_password_digest(number=case.number, password=password)
    case.form_data = values
    case.state = CaseState.SUBMITTED
    case.submitted_at = now
    case.save()
    _report(case, "application", f"case:{case.pk}:application", {})
    _sms(case, "case_submitted", case_no=case.number, password=password)
    _notice(case, "receipt", now=now, content={"materials": files.names()})
    return password


def case_submit(
    *,
    case: Case,
    user: User,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Submitted:
    """Submit a draft. Repeating it (same draft, or same key) returns the submitted case."""
    _check_key(idempotency_key)
    now = _now(now)
    try:
        with transaction.atomic():
            case = _lock(case)
            if case.applicant_user_id != user.pk:
                raise CaseError(CaseErrorCode.NOT_FOUND)
            if case.state != CaseState.DRAFT:
                if case.submitted_at is not None and case.idempotency_key in (
                    None,
                    idempotency_key,
                ):
                    return Submitted(case, None, created=False)
                transition_check(Action.SUBMIT, case=case, actor=Actor(is_applicant=True))
            if idempotency_key is not None:
                previous = _submitted_with_key(user, idempotency_key, exclude=case.pk)
                if previous is not None:
                    return Submitted(previous, None, created=False)
            item = case.item  # read with the lock
            if item.status != ItemStatus.PUBLISHED:
                raise CaseError(CaseErrorCode.ITEM_NOT_AVAILABLE)
            if item.current_version_id != case.version_id:
                raise _Outdated(case, item)
            password = _draft_submit(
                case, files=_Files.of(case), user=user, idempotency_key=idempotency_key, now=now
            )
    except IntegrityError:
        previous = _submitted_with_key(user, idempotency_key) if idempotency_key else None
        if previous is None:
            raise
        return Submitted(previous, None, created=False)
    except _Outdated as outdated:
        # The guide changed since the draft began: move the draft (committed), then ask the
        # applicant to check it before submitting again.
        with transaction.atomic():
            _rebase(outdated.case, outdated.item)
        raise CaseError(
            CaseErrorCode.FORM_INVALID,
            message="该事项的办事指南已更新，请核对申请表和材料后重新提交",
        ) from None
    return Submitted(case, password)


def _draft_submit(
    case: Case,
    *,
    files: _Files,
    user: User,
    idempotency_key: str | None,
    now: dt.datetime,
    drafted_by: Person | None = None,
) -> str:
    """Check and submit a draft of the item's current version, in the caller's transaction.

    With `drafted_by`, the draft is new and not saved (a one-call application): it is inserted
    once, already submitted, then its files' rows, and its history records both the draft and
    the submission."""
    values = _submit_checks(case, files)
    case.idempotency_key = idempotency_key
    password = _number_and_submit(case, now=now, values=values, files=files)
    events = []
    if drafted_by is not None:
        CaseMaterial.objects.bulk_create(files.rows)
        events.append(
            _event_row(
                case,
                EventKind.DRAFT_SAVED,
                now=now,
                user=user,
                actor_name=drafted_by.name,
                public=False,
                to_state=CaseState.DRAFT,
            )
        )
    events.append(
        _event_row(
            case,
            EventKind.SUBMITTED,
            now=now,
            user=user,
            actor_name=user.display_name or case.applicant_name,
            from_state=CaseState.DRAFT,
            step_name="申请",
        )
    )
    CaseEvent.objects.bulk_create(events)
    return password


class _Outdated(Exception):
    def __init__(self, case: Case, item: ImplementationItem) -> None:
        self.case, self.item = case, item


def _submitted_with_key(user: User, key: str, *, exclude: int | None = None) -> Case | None:
    query = Case.objects.filter(applicant_user=user, idempotency_key=key).exclude(
        state=CaseState.DRAFT
    )
    if exclude is not None:
        query = query.exclude(pk=exclude)
    return query.first()


def _rebase(case: Case, item: ImplementationItem) -> None:
    """Move a draft to the item's current version (materials matched by their number)."""
    new_version = item.current_version
    if new_version is None:
        raise CaseError(CaseErrorCode.ITEM_NOT_AVAILABLE)
    by_seq = {m.seq: m for m in new_version.materials.all()}
    for row in case.materials.select_related("material"):
        row.material = by_seq.get(row.material.seq) if row.material else None
        row.save(update_fields=["material"])
    case.version = new_version
    case.save(update_fields=["version", "updated_at"])


def case_apply(
    *,
    user: User,
    item: ImplementationItem,
    idempotency_key: str,
    enterprise: Enterprise | None = None,
    form_data: Mapping[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
    delivery: str = Delivery.PICKUP,
    delivery_address: str = "",
    address: str = "",
    channel: str = HandlingForm.ONLINE_PC,
    now: dt.datetime | None = None,
) -> Submitted:
    """Apply in one call (the API): draft, files and submit in one transaction. The same key
    from the same account returns the case it created and creates nothing."""
    _check_key(idempotency_key)
    if not idempotency_key:
        raise CaseError(CaseErrorCode.IDEMPOTENCY_KEY_INVALID, message="请提供提交标识")
    previous = _submitted_with_key(user, idempotency_key)
    if previous is not None:
        return Submitted(previous, None, created=False)
    now = _now(now)
    try:
        with _files_undone_on_failure() as stored, transaction.atomic():
            # The draft is new and this transaction's own: no lock, no savepoints, no re-reads;
            # it is checked in memory and inserted once, already submitted.
            person, enterprise, values = _draft_inputs(
                user=user, enterprise=enterprise, delivery=delivery, form_data=form_data
            )
            draft = _draft_new(
                person=person, user=user, item=item, enterprise=enterprise, values=values,
                delivery=delivery, delivery_address=delivery_address, address=address,
                channel=channel, idempotency_key=idempotency_key,
            )  # fmt: skip
            files = _files_new(draft, uploads, user=user, stored=stored)
            password = _draft_submit(
                draft, files=files, user=user, idempotency_key=idempotency_key, now=now,
                drafted_by=person,
            )  # fmt: skip
            return Submitted(draft, password)
    except IntegrityError:
        previous = _submitted_with_key(user, idempotency_key)
        if previous is None:
            raise
        return Submitted(previous, None, created=False)


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


# --- Acceptance -------------------------------------------------------------------------------


def _staff_transition(
    action: Action, *, case: Case, officer: Staff
) -> tuple[Case, list[CaseStep], CaseStep | None]:
    _staff_case_check(case, officer)
    case = _lock(case)
    steps, active = _steps(case)
    transition_check(action, case=case, actor=staff_actor(officer), active=active, steps=steps)
    return case, steps, active


def _require(text: str, what: str = "理由") -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(
            CaseErrorCode.REASON_REQUIRED,
            message=f"请填写{what}",
            fields={"reason": [f"请填写{what}"]},
        )
    return text


def _step_activate(
    step: CaseStep, *, now: dt.datetime, calendar: WorkCalendar | None = None
) -> None:
    step.state = StepState.ACTIVE
    step.started_at = now
    step.assignee = None
    today = _local_date(now)
    calendar = calendar or calendar_between(today, today + dt.timedelta(days=2 * step.limit + 40))
    step.due_on = calendar.add_working_days(today, step.limit).value
    step.save()


def _step_done(step: CaseStep, *, officer: Staff, now: dt.datetime) -> None:
    step.state = StepState.DONE
    step.ended_at = now
    step.assignee = step.assignee or officer
    step.save()


def case_accept(
    *, case: Case, officer: Staff, opinion: str = "", now: dt.datetime | None = None
) -> Case:
    """受理: the clocks start (counting from the next working day), the first review step opens."""
    now = _now(now)
    with transaction.atomic():
        case, _, _ = _staff_transition(Action.ACCEPT, case=case, officer=officer)
        version = case.version
        catalog_steps = list(version.steps.order_by("order")) or []
        definitions = [(s.order, s.name, s.role, s.limit) for s in catalog_steps] or [
            (1, "受理", Role.WINDOW_OFFICER, 1),
            (2, "审查决定", Role.APPROVER, max(version.promised_limit - 1, 0)),
        ]
        steps = CaseStep.objects.bulk_create(
            CaseStep(
                case=case, department_id=case.department_id, order=o, name=n, role=r, limit=limit
            )
            for o, n, r, limit in definitions
        )
        first = steps[0]
        if first.role == Role.WINDOW_OFFICER and len(steps) > 1:
            first.assignee = officer
            _step_activate(first, now=now)
            _step_done(first, officer=officer, now=now)
            _step_activate(steps[1], now=now)
        else:
            _step_activate(first, now=now)
        from_state = case.state
        case.state = CaseState.IN_PROGRESS
        case.accepted_at, case.accepted_by = now, officer
        case.legal_limit, case.promised_limit = version.legal_limit, version.promised_limit
        case.calendar_days = version.promised_limit_unit == TimeUnit.CALENDAR_DAY
        case.save()
        case_clock_update(case=case, now=now)
        notice = _notice(
            case,
            "acceptance",
            now=now,
            content={"promised_on": str(case.promised_due_on), "opinion": opinion},
        )
        _event(
            case,
            EventKind.ACCEPTED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER,
            action=ActionCode.PASS,
            from_state=from_state,
            opinion=opinion,
            step_name="受理",
            data={"document_number": notice.document_number},
        )
        _report(
            case,
            "acceptance",
            f"case:{case.pk}:acceptance",
            {"document_number": notice.document_number},
        )
        days = str(version.promised_limit)
        _sms(case, "case_accepted", case_no=case.number or "", days=days)
    return case


def case_refuse(*, case: Case, officer: Staff, reason: str, now: dt.datetime | None = None) -> Case:
    """不予受理, with the reasons written into the notice."""
    now = _now(now)
    reason = _require(reason, "不予受理的理由")
    with transaction.atomic():
        case, _, _ = _staff_transition(Action.REFUSE, case=case, officer=officer)
        from_state = case.state
        case.state = CaseState.REFUSED
        case.closed_reason = reason
        case.save()
        notice = _notice(case, "refusal", now=now, content={"reasons": [reason]})
        _event(
            case,
            EventKind.REFUSED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER,
            action=ActionCode.RETURN,
            from_state=from_state,
            opinion=reason,
            step_name="受理",
            data={"document_number": notice.document_number},
        )
        _report(
            case,
            "acceptance",
            f"case:{case.pk}:acceptance",
            {"document_number": notice.document_number, "reason": reason},
        )
        _sms(case, "case_refused", case_no=case.number or "")
    return case


# --- Correction (补齐补正) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing the applicant must supply or fix: a material (by its seq) or another point."""

    name: str
    problem: str
    material_seq: int | None = None


def _ground(entry: Mapping[str, Any]) -> str:
    seq = entry.get("material")
    return f"m:{seq}" if seq is not None else f"n:{str(entry.get('name', '')).strip()}"


def case_correction_request(
    *,
    case: Case,
    officer: Staff,
    missing: Iterable[Missing],
    now: dt.datetime | None = None,
) -> CasePause:
    """One notice listing everything missing; the clock stops until the applicant resubmits.
    Asking again for something already asked for is refused (一次性告知)."""
    now = _now(now)
    entries: list[dict[str, Any]] = []
    for point in missing:
        if not point.name.strip() or not point.problem.strip():
            raise CaseError(
                CaseErrorCode.CORRECTION_ITEMS_REQUIRED, message="每项补正内容都要写明材料和问题"
            )
        entries.append(
            {
                "material": point.material_seq,
                "name": point.name.strip(),
                "problem": point.problem.strip(),
            }
        )
    if not entries:
        raise CaseError(CaseErrorCode.CORRECTION_ITEMS_REQUIRED)
    with transaction.atomic():
        case, _, active = _staff_transition(Action.REQUEST_CORRECTION, case=case, officer=officer)
        for entry in entries:
            if entry["material"] is not None:
                _material_of(case.version, entry["material"])
        asked = {
            _ground(e)
            for items in case.pauses.filter(kind=PauseKind.CORRECTION).values_list(
                "items", flat=True
            )
            for e in items
        }
        repeated = [e["name"] for e in entries if _ground(e) in asked]
        if repeated:
            raise CaseError(
                CaseErrorCode.CORRECTION_REPEATED,
                message="补正告知应一次性告知全部内容，以下内容已告知过，不能再次要求补正："
                + "、".join(repeated),
            )
        from_state = case.state
        notice = _notice(case, "correction", now=now, content={"missing": entries})
        pause = CasePause.objects.create(
            case=case,
            kind=PauseKind.CORRECTION,
            started_at=now,
            items=entries,
            document_number=notice.document_number,
            resume_state=from_state,
        )
        case.state = CaseState.CORRECTION
        case.paused = case.accepted_at is not None
        case.save()
        case_clock_update(case=case, now=now)
        step_name = active.name if active else "受理"
        _event(
            case,
            EventKind.CORRECTION_REQUESTED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=active.role if active else Role.WINDOW_OFFICER,
            action=ActionCode.RETURN,
            from_state=from_state,
            step_name=step_name,
            opinion="；".join(f"{e['name']}：{e['problem']}" for e in entries),
            data={"document_number": notice.document_number, "missing": entries},
        )
        _report(case, "step", f"case:{case.pk}:correction:{pause.pk}", {"event": "correction"})
        _sms(case, "case_correction", case_no=case.number or "")
    return pause


def case_correction_submit(
    *,
    case: Case,
    user: User,
    form_data: Mapping[str, Any] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """The applicant resubmits: each material named in the notice needs a new file of this
    round; the clock resumes and the case returns to where it was."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        if not is_applicant(case, user):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        transition_check(Action.CORRECT, case=case, actor=Actor(is_applicant=True))
        pause = case.pauses.get(ended_at__isnull=True, kind=PauseKind.CORRECTION)
        round_ = _correction_round(case)
        new_seqs = set(case.materials.filter(round=round_).values_list("material__seq", flat=True))
        missing = [
            e["name"]
            for e in pause.items
            if e.get("material") is not None and e["material"] not in new_seqs
        ]
        if missing:
            raise CaseError(
                CaseErrorCode.MATERIALS_MISSING,
                message="请上传补正告知书所列材料：" + "、".join(missing),
                fields={"materials": [f"请上传：{name}" for name in missing]},
            )
        if form_data:
            merged = {**case.form_data, **{str(k): str(v) for k, v in form_data.items()}}
            values, problems = rules.form_clean(case.version.form_schema, merged)
            if problems:
                raise CaseError(CaseErrorCode.FORM_INVALID, fields=problems)
            case.form_data = values
        replaced_seqs = new_seqs - {None}
        case.materials.filter(round__lt=round_, material__seq__in=replaced_seqs).update(
            replaced=True
        )
        pause.ended_at = now
        pause.result = note.strip()[:500]
        pause.save(update_fields=["ended_at", "result"])
        from_state = case.state
        case.state = pause.resume_state or CaseState.SUBMITTED
        case.paused = False
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case,
            EventKind.CORRECTED,
            now=now,
            user=user,
            actor_name=user.display_name or case.applicant_name,
            from_state=from_state,
            opinion=note.strip()[:500],
            step_name="补齐补正",
        )
        _report(case, "step", f"case:{case.pk}:corrected:{pause.pk}", {"event": "corrected"})
    return case


# --- Review steps -----------------------------------------------------------------------------


def case_step_claim(*, case: Case, officer: Staff, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case, _, active = _staff_transition(Action.CLAIM, case=case, officer=officer)
        active = _must(active)
        active.assignee = officer
        active.save(update_fields=["assignee"])
        _event(
            case, EventKind.STEP_CLAIMED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=case.state, step_name=active.name, public=False,
        )  # fmt: skip
    return case


def case_step_release(*, case: Case, officer: Staff, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case, _, active = _staff_transition(Action.RELEASE, case=case, officer=officer)
        active = _must(active)
        active.assignee = None
        active.save(update_fields=["assignee"])
        _event(
            case, EventKind.STEP_RELEASED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=case.state, step_name=active.name, public=False,
        )  # fmt: skip
    return case


def case_step_pass(
    *, case: Case, officer: Staff, opinion: str = "", now: dt.datetime | None = None
) -> Case:
    """The active step passes (通过) and the next one opens."""
    now = _now(now)
    with transaction.atomic():
        case, steps, active = _staff_transition(Action.PASS, case=case, officer=officer)
        active = _must(active)
        _step_done(active, officer=officer, now=now)
        following = next(s for s in steps if s.order > active.order)
        _step_activate(following, now=now)
        _event(
            case, EventKind.STEP_PASSED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, action=ActionCode.PASS, from_state=case.state,
            step_name=active.name, opinion=opinion.strip(),
        )  # fmt: skip
        _report(
            case, "step", f"case:{case.pk}:step:{active.pk}:{now.timestamp()}", {"step": active.pk}
        )
    return case


def case_step_return(
    *, case: Case, officer: Staff, opinion: str, now: dt.datetime | None = None
) -> Case:
    """The active step goes back (退回) to the previous one, with the reason."""
    now = _now(now)
    opinion = _require(opinion, "退回意见")
    with transaction.atomic():
        case, steps, active = _staff_transition(Action.RETURN, case=case, officer=officer)
        active = _must(active)
        previous = [s for s in steps if s.order < active.order][-1]
        active.state, active.assignee, active.started_at, active.due_on = (
            StepState.WAITING, None, None, None,
        )  # fmt: skip
        active.save()
        _step_activate(previous, now=now)
        _event(
            case, EventKind.STEP_RETURNED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, action=ActionCode.RETURN, from_state=case.state,
            step_name=active.name, opinion=opinion, data={"to_step": previous.name},
        )  # fmt: skip
        _report(
            case,
            "step",
            f"case:{case.pk}:return:{active.pk}:{now.timestamp()}",
            {"step": active.pk},
        )
    return case


def case_decide(
    *,
    case: Case,
    officer: Staff,
    approved: bool,
    opinion: str = "",
    result_name: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """办结 at the deciding step: 准予 (approved) or 不予许可 (reasons required)."""
    now = _now(now)
    if not approved:
        opinion = _require(opinion, "不予许可的理由")
    with transaction.atomic():
        action = Action.APPROVE if approved else Action.DENY
        case, _, active = _staff_transition(action, case=case, officer=officer)
        active = _must(active)
        _step_done(active, officer=officer, now=now)
        from_state = case.state
        case.state = CaseState.COMPLETED
        case.completed_at = now
        case.approved = approved
        case.result_name = (result_name.strip() or case.version.result_name) if approved else ""
        case.closed_reason = "" if approved else opinion
        case.save()
        notice = _notice(
            case,
            "completion",
            now=now,
            content={
                "approved": approved,
                "result_name": case.result_name,
                "reasons": [opinion] if not approved else [],
            },
        )
        _event(
            case,
            EventKind.APPROVED if approved else EventKind.DENIED,
            now=now,
            user=officer.user,
            actor_name=officer.name,
            actor_role=active.role,
            action=ActionCode.PASS if approved else ActionCode.RETURN,
            from_state=from_state,
            step_name=active.name,
            opinion=opinion.strip(),
            data={"document_number": notice.document_number},
        )
        _report(
            case, "step", f"case:{case.pk}:step:{active.pk}:{now.timestamp()}", {"step": active.pk}
        )
        _report(case, "completion", f"case:{case.pk}:completion", {})
        _sms(case, "case_completed", case_no=case.number or "")
    return case


# --- Special procedure and extension ----------------------------------------------------------


def case_special_start(
    *,
    case: Case,
    officer: Staff,
    kind: str,
    reason: str,
    limit_days: int,
    now: dt.datetime | None = None,
) -> CasePause:
    """特别程序 (hearing, inspection, expert review …): the clocks stop; it has its own limit."""
    now = _now(now)
    reason = _require(reason, "启动特别程序的理由")
    if kind not in SpecialKind.values:
        raise CaseError(
            CaseErrorCode.SPECIAL_INVALID,
            message="请选择特别程序种类",
            fields={"kind": ["请选择特别程序种类"]},
        )
    if not 1 <= limit_days <= 365:
        raise CaseError(
            CaseErrorCode.SPECIAL_INVALID,
            message="特别程序时限应为 1 至 365 个工作日",
            fields={"limit_days": ["特别程序时限应为 1 至 365 个工作日"]},
        )
    with transaction.atomic():
        case, _, active = _staff_transition(Action.START_SPECIAL, case=case, officer=officer)
        active = _must(active)
        notice = _notice(
            case, "special", now=now,
            content={"kind": SpecialKind(kind).label, "reason": reason, "limit_days": limit_days},
        )  # fmt: skip
        pause = CasePause.objects.create(
            case=case, kind=PauseKind.SPECIAL, started_at=now, reason=reason, special_kind=kind,
            special_limit=limit_days, document_number=notice.document_number,
            resume_state=case.state,
        )  # fmt: skip
        from_state = case.state
        case.state = CaseState.SPECIAL
        case.paused = True
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case, EventKind.SPECIAL_STARTED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=from_state, step_name=active.name, opinion=reason,
            data={"kind": kind, "limit_days": limit_days, "document": notice.document_number},
        )  # fmt: skip
        _report(case, "step", f"case:{case.pk}:special:{pause.pk}", {"pause": pause.pk})
        _sms(case, "case_special", case_no=case.number or "", kind=SpecialKind(kind).label)
    return pause


def case_special_end(
    *, case: Case, officer: Staff, result: str, now: dt.datetime | None = None
) -> Case:
    now = _now(now)
    result = _require(result, "特别程序结果")
    with transaction.atomic():
        case, _, active = _staff_transition(Action.END_SPECIAL, case=case, officer=officer)
        active = _must(active)
        pause = case.pauses.get(ended_at__isnull=True, kind=PauseKind.SPECIAL)
        pause.ended_at, pause.result = now, result
        pause.save(update_fields=["ended_at", "result"])
        from_state = case.state
        case.state = CaseState.IN_PROGRESS
        case.paused = False
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case, EventKind.SPECIAL_ENDED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=active.role, from_state=from_state, step_name=active.name, opinion=result,
        )  # fmt: skip
        _report(case, "step", f"case:{case.pk}:special_end:{pause.pk}", {"pause": pause.pk})
    return case


def case_extend(
    *, case: Case, approver: Staff, days: int, reason: str, now: dt.datetime | None = None
) -> Case:
    """延长审批: once, by the department head (approver), up to the allowance."""
    now = _now(now)
    reason = _require(reason, "延长理由")
    if not 1 <= days <= rules.EXTENSION_MAX_DAYS:
        message = f"延长天数应为 1 至 {rules.EXTENSION_MAX_DAYS} 个工作日"
        raise CaseError(
            CaseErrorCode.EXTENSION_INVALID, message=message, fields={"days": [message]}
        )
    with transaction.atomic():
        case, _, _ = _staff_transition(Action.EXTEND, case=case, officer=approver)
        case.extension_days, case.extended_at = days, now
        case.save()
        case_clock_update(case=case, now=now)
        _event(
            case, EventKind.EXTENDED, now=now, user=approver.user, actor_name=approver.name,
            actor_role=Role.APPROVER, from_state=case.state, opinion=reason, data={"days": days},
            step_name="延长审批",
        )  # fmt: skip
        audit_record(
            actor=approver.user.username, action="case.extend", object_type="case",
            object_id=case.pk, detail={"days": days, "number": case.number},
        )  # fmt: skip
        _sms(case, "case_extended", case_no=case.number or "", days=str(days))
    return case


# --- Delivery and withdrawal ------------------------------------------------------------------


def case_deliver(
    *, case: Case, officer: Staff, note: str = "", now: dt.datetime | None = None
) -> Case:
    """送达: picked up at the window, handed to the courier, or issued as an e-license."""
    now = _now(now)
    with transaction.atomic():
        case, steps, _ = _staff_transition(Action.DELIVER, case=case, officer=officer)
        for step in steps:
            if step.state != StepState.DONE:
                step.state, step.ended_at = StepState.DONE, now
                step.assignee = step.assignee or officer
                step.save()
        from_state = case.state
        case.state = CaseState.DELIVERED
        case.delivered_at = now
        case.save()
        method = Delivery(case.delivery).label
        _event(
            case, EventKind.DELIVERED, now=now, user=officer.user, actor_name=officer.name,
            actor_role=Role.WINDOW_OFFICER, action=ActionCode.PASS, from_state=from_state,
            step_name="送达", opinion=note.strip(), data={"method": case.delivery},
        )  # fmt: skip
        _sms(case, "case_delivered", case_no=case.number or "", method=method)
    return case


def case_withdraw(
    *, case: Case, user: User, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """撤回 by the applicant before the decision."""
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        if not is_applicant(case, user):
            raise CaseError(CaseErrorCode.NOT_FOUND)
        transition_check(Action.WITHDRAW, case=case, actor=Actor(is_applicant=True))
        case.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        case.steps.filter(state=StepState.ACTIVE).update(state=StepState.WAITING, assignee=None)
        from_state = case.state
        case.state = CaseState.WITHDRAWN
        case.paused = False
        case.closed_reason = reason.strip()[:500]
        case.save()
        _event(
            case, EventKind.WITHDRAWN, now=now, user=user,
            actor_name=user.display_name or case.applicant_name, from_state=from_state,
            opinion=reason.strip()[:500], step_name="撤回",
        )  # fmt: skip
    return case


def case_pii_reveal(
    *, case: Case, officer: Staff, reason: str, source_ip: str | None = None
) -> dict[str, str]:
    """The applicant's full ID number and phone, for an officer who gives a reason (audited)."""
    reason = _require(reason, "查看原因")
    _staff_case_check(case, officer)
    now = timezone.now()
    with transaction.atomic():
        _event(
            case, EventKind.PII_REVEALED, now=now, user=officer.user, actor_name=officer.name,
            from_state=case.state, opinion=reason[:500], public=False,
        )  # fmt: skip
        audit_record(
            actor=officer.user.username, action="case.pii_reveal", object_type="case",
            object_id=case.pk, source_ip=source_ip, detail={"reason": reason[:200]},
        )  # fmt: skip
    return {
        "applicant_id_number": case.applicant_id_number,
        "phone": case.phone,
        "agent_id_number": case.agent_id_number,
    }


__all__ = [
    "Missing",
    "Submitted",
    "Upload",
    "WalkIn",
    "case_accept",
    "case_apply",
    "case_clock_update",
    "case_correction_request",
    "case_correction_submit",
    "case_decide",
    "case_deliver",
    "case_draft_save",
    "case_extend",
    "case_intake",
    "case_material_add",
    "case_material_remove",
    "case_pii_reveal",
    "case_refuse",
    "case_special_end",
    "case_special_start",
    "case_step_claim",
    "case_step_pass",
    "case_step_release",
    "case_step_return",
    "case_submit",
    "case_withdraw",
]
