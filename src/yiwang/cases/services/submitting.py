"""Submission: a draft submitted (`case_submit`) or an application in one call (`case_apply`),
and the checks, numbering and files that window intake shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from yiwang.accounts.models import Enterprise, Person, User
from yiwang.cases import rules
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import Case, CaseEvent, CaseMaterial, CaseState, Delivery, EventKind
from yiwang.cases.services._common import (
    _event_row,
    _local_date,
    _lock,
    _next_seq,
    _notice,
    _now,
    _report,
    _sms,
)
from yiwang.cases.services.applying import Upload, _draft_inputs, _draft_new, _material_file
from yiwang.cases.states import Action, Actor, transition_check
from yiwang.catalog.codes import HandlingForm
from yiwang.catalog.models import ImplementationItem, ItemStatus, ItemVersion, Material


@dataclass(frozen=True)
class Submitted:
    case: Case
    query_password: str | None  # given once; None when a repeated submit returned the case
    created: bool = True


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
