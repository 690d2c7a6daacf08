"""Request and response bodies of the case API (`api.py`), and the shaping of a case for each
reader: the applicant, an officer of the department, and anyone with the query password.

Files travel inside the JSON body, base64-encoded (`FileIn`): WeChat and Alipay mini programs
upload one file per multipart request, so an application with several materials could not be
sent in one call any other way. Sizes are checked before decoding (see `api._decoded`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from yiwang.accounts.models import Role, Staff, User
from yiwang.cases import selectors
from yiwang.cases.models import Case, CaseEvent, CaseState, CaseStep, EventKind, IdType
from yiwang.cases.notices.kinds import NOTICE_TITLES
from yiwang.cases.states import TRANSITIONS, Action
from yiwang.core.masking import mask_name, mask_phone, mask_resident_id, mask_text

FormValue = str | int | float | bool | None


# --- Requests ---------------------------------------------------------------------------------


class FileIn(Schema):
    material_seq: int | None = Field(
        None, ge=1, le=999, description="材料序号（办事指南材料清单中的序号）；空：其他材料"
    )
    name: str = Field(min_length=1, max_length=200, description="文件名，如 申请书.pdf")
    content: str = Field(min_length=1, description="文件内容，base64 编码（PDF、JPG、PNG）")


class ApplyIn(Schema):
    item: str = Field(min_length=1, max_length=36, description="事项实施编码")
    form_data: dict[str, FormValue] = Field(
        default_factory=dict, max_length=100, description="申请表：字段名 → 值"
    )
    delivery: str = Field("pickup", max_length=10, description="pickup / courier / license")
    delivery_address: str = Field("", max_length=200, description="快递送达时的收件地址")
    address: str = Field("", max_length=200, description="联系地址")
    files: list[FileIn] = Field(default_factory=list, max_length=20)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=500, description="撤回理由")


class CorrectionIn(Schema):
    files: list[FileIn] = Field(default_factory=list, max_length=20)
    form_data: dict[str, FormValue] = Field(
        default_factory=dict, max_length=100, description="需要改正的申请表字段"
    )
    note: str = Field("", max_length=500, description="补正说明")


class OpinionIn(Schema):
    opinion: str = Field("", max_length=2000, description="意见")


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, description="理由")


class MissingIn(Schema):
    name: str = Field(max_length=300, description="材料或事项名称")
    problem: str = Field(max_length=500, description="问题及补正要求")
    material_seq: int | None = Field(None, ge=1, le=999, description="材料序号；空：非材料问题")


class CorrectionRequestIn(Schema):
    missing: list[MissingIn] = Field(max_length=50, description="需要补正的全部内容")


class DecideIn(Schema):
    opinion: str = Field("", max_length=2000, description="意见；不予许可时必填理由")
    result_name: str = Field("", max_length=200, description="办理结果名称；空：办事指南所列")


class SpecialStartIn(Schema):
    kind: str = Field(max_length=16, description="hearing / inspection / … （特别程序种类）")
    reason: str = Field("", max_length=2000)
    limit_days: int = Field(ge=0, le=100000, description="特别程序时限（工作日）")


class SpecialEndIn(Schema):
    result: str = Field("", max_length=2000, description="特别程序结果")


class ExtendIn(Schema):
    days: int = Field(ge=0, le=100000, description="延长的工作日数")
    reason: str = Field("", max_length=2000)


class DeliverIn(Schema):
    note: str = Field("", max_length=500, description="送达说明，如快递单号")


class PiiRevealIn(Schema):
    reason: str = Field("", max_length=200, description="查看原因（记入审计）")


class MineListIn(Schema):
    offset: int = Field(0, ge=0, le=100000)
    limit: int = Field(20, ge=1, le=100)


class TodoListIn(Schema):
    light: str = Field(
        "", pattern=r"^(|green|yellow|red|paused)$", description="green / yellow / red / paused"
    )
    q: str = Field("", max_length=50, description="办件编号开头或申请人名称")
    offset: int = Field(0, ge=0, le=100000)
    limit: int = Field(20, ge=1, le=100)


class ProgressIn(Schema):
    number: str = Field(min_length=1, max_length=50, description="办件编号")
    password: str = Field(min_length=1, max_length=20, description="查询密码")


# --- Responses --------------------------------------------------------------------------------


class ActionOut(Schema):
    action: str
    label: str


class CaseBrief(Schema):
    id: int
    number: str | None
    item_code: str
    item_name: str
    department: str
    state: str
    state_label: str
    light: str = Field(description="green / yellow / red / paused / none")
    submitted_at: dt.datetime | None
    promised_due_on: dt.date | None


class CasePage(Schema):
    count: int
    offset: int
    limit: int
    items: list[CaseBrief]


class AppliedOut(CaseBrief):
    query_password: str | None = Field(
        description="查询密码：仅首次提交时返回一次；重复提交（同一提交标识）时为空"
    )


class EventOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    step_name: str
    actor_name: str
    opinion: str


class StaffEventOut(EventOut):
    actor_role: str
    public: bool


class ProgressEventOut(Schema):
    at: dt.datetime
    label: str
    step_name: str


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    document_number: str
    issued_at: dt.datetime
    pdf: str = Field(description="文书 PDF 的地址（需同样的令牌）")


class MaterialOut(Schema):
    id: int
    name: str
    material_seq: int | None
    file_name: str
    kind: str
    size: int
    round: int
    replaced: bool
    uploaded_at: dt.datetime


class AskedOut(Schema):
    text: str
    action: str


class CaseDates(Schema):
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    completed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    promised_due_on: dt.date | None
    legal_due_on: dt.date | None


class MyCaseOut(CaseBrief):
    applicant_name: str
    delivery: str
    delivery_address: str
    approved: bool | None
    result_name: str
    closed_reason: str
    dates: CaseDates
    timeline: list[EventOut]
    notices: list[NoticeOut]
    materials: list[MaterialOut]
    asked_of_applicant: AskedOut | None
    actions: list[ActionOut]


class ProgressOut(Schema):
    number: str
    item_name: str
    department: str
    applicant_name: str = Field(description="脱敏的申请人名称")
    state: str
    state_label: str
    light: str
    dates: CaseDates
    timeline: list[ProgressEventOut]


class TodoItem(CaseBrief):
    applicant_name: str
    step: str = Field(description="待办环节名称；待受理、待送达时为空")
    claimed_by_me: bool


class TodoPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[TodoItem]


class ApplicantOut(Schema):
    type: str
    name: str
    id_type: str
    id_number: str = Field(description="脱敏")
    phone: str = Field(description="脱敏")
    legal_representative: str
    agent_name: str
    agent_id_number: str = Field(description="脱敏")
    address: str


class FormValueOut(Schema):
    name: str
    label: str
    value: str = Field(description="身份证号码、手机号码已脱敏")


class StepOut(Schema):
    order: int
    name: str
    role: str
    role_label: str
    state: str
    assignee: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    due_on: dt.date | None


class ClockOut(Schema):
    legal_limit: int
    promised_limit: int
    calendar_days: bool
    extension_days: int
    paused: bool
    provisional: bool = Field(description="期限含尚未公布的节假日安排")


class StaffCaseOut(CaseBrief):
    applicant: ApplicantOut
    channel: str
    form: list[FormValueOut]
    delivery: str
    delivery_address: str
    approved: bool | None
    result_name: str
    closed_reason: str
    dates: CaseDates
    clock: ClockOut
    steps: list[StepOut]
    timeline: list[StaffEventOut]
    notices: list[NoticeOut]
    materials: list[MaterialOut]
    actions: list[ActionOut]


class PiiOut(Schema):
    applicant_id_number: str
    phone: str
    agent_id_number: str


# --- Shaping: a case as each reader sees it -------------------------------------------------------


def case_brief(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "item_code": case.item.code,
        "item_name": case.item.name,
        "department": case.department.name,
        "state": case.state,
        "state_label": CaseState(case.state).label,
        "light": selectors.case_light(case),
        "submitted_at": case.submitted_at,
        "promised_due_on": case.promised_due_on,
    }


def _dates(case: Case) -> dict[str, Any]:
    return {
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "completed_at": case.completed_at,
        "delivered_at": case.delivered_at,
        "promised_due_on": case.promised_due_on,
        "legal_due_on": case.legal_due_on,
    }


def _event(event: CaseEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "label": EventKind(event.kind).label,
        "step_name": event.step_name,
        "actor_name": event.actor_name,
        "opinion": event.opinion,
        "actor_role": Role(event.actor_role).label if event.actor_role in Role.values else "",
        "public": event.public,
    }


_NOTICE_TITLES = {str(kind): title for kind, title in NOTICE_TITLES.items()}


def _notices(case: Case, *, url_name: str) -> list[dict[str, Any]]:
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": _NOTICE_TITLES.get(n.kind, n.kind),
            "document_number": n.document_number,
            "issued_at": n.issued_at,
            "pdf": reverse(url_name, kwargs={"case_id": case.pk, "notice_id": n.pk}),
        }
        for n in case.notices.order_by("issued_at", "pk")
    ]


def _materials(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": m.pk,
            "name": m.name,
            "material_seq": m.material.seq if m.material else None,
            "file_name": m.file_name,
            "kind": m.kind,
            "size": m.size,
            "round": m.round,
            "replaced": m.replaced,
            "uploaded_at": m.uploaded_at,
        }
        for m in case.materials.select_related("material").order_by("round", "uploaded_at", "pk")
    ]


def _actions(actions: list[Action]) -> list[dict[str, str]]:
    return [{"action": a.value, "label": TRANSITIONS[a].label} for a in actions]


def applicant_view(case: Case, user: User) -> dict[str, Any]:
    asked = selectors.asked_of_applicant(case)
    return {
        **case_brief(case),
        "applicant_name": case.applicant_name,
        "delivery": case.delivery,
        "delivery_address": case.delivery_address,
        "approved": case.approved,
        "result_name": case.result_name,
        "closed_reason": case.closed_reason,
        "dates": _dates(case),
        "timeline": [_event(e) for e in selectors.case_timeline(case=case, public_only=True)],
        "notices": _notices(case, url_name="api:case_notice_pdf"),
        "materials": _materials(case),
        "asked_of_applicant": {"text": asked.text, "action": asked.action} if asked else None,
        "actions": _actions(selectors.actions_for_applicant(case=case, user=user)),
    }


def _masked_form(case: Case) -> list[dict[str, str]]:
    """The form as filled, with ID numbers and phone numbers masked."""
    rows = []
    for field in case.version.form_schema:
        name = str(field.get("name", ""))
        value = str(case.form_data.get(name, "") or "")
        kind = field.get("type", "text")
        if kind == "resident_id":
            value = mask_resident_id(value)
        elif kind == "phone":
            value = mask_phone(value)
        else:
            value = mask_text(value)
        rows.append({"name": name, "label": str(field.get("label", name)), "value": value})
    return rows


def _applicant_out(case: Case) -> dict[str, str]:
    is_person = case.applicant_id_type == IdType.RESIDENT_ID
    return {
        "type": case.applicant_type,
        "name": case.applicant_name,
        "id_type": case.applicant_id_type,
        "id_number": mask_resident_id(case.applicant_id_number)
        if is_person
        else case.applicant_id_number,
        "phone": mask_phone(case.phone),
        "legal_representative": case.legal_representative,
        "agent_name": case.agent_name,
        "agent_id_number": mask_resident_id(case.agent_id_number),
        "address": case.address,
    }


def _step(step: CaseStep) -> dict[str, Any]:
    return {
        "order": step.order,
        "name": step.name,
        "role": step.role,
        "role_label": Role(step.role).label if step.role in Role.values else step.role,
        "state": step.state,
        "assignee": step.assignee.name if step.assignee else "",
        "started_at": step.started_at,
        "ended_at": step.ended_at,
        "due_on": step.due_on,
    }


def staff_view(case: Case, officer: Staff) -> dict[str, Any]:
    steps, _ = selectors.case_steps(case)
    return {
        **case_brief(case),
        "applicant": _applicant_out(case),
        "channel": case.channel,
        "form": _masked_form(case),
        "delivery": case.delivery,
        "delivery_address": case.delivery_address,
        "approved": case.approved,
        "result_name": case.result_name,
        "closed_reason": case.closed_reason,
        "dates": _dates(case),
        "clock": {
            "legal_limit": case.legal_limit,
            "promised_limit": case.promised_limit,
            "calendar_days": case.calendar_days,
            "extension_days": case.extension_days,
            "paused": case.paused,
            "provisional": case.due_provisional,
        },
        "steps": [_step(s) for s in steps],
        "timeline": [_event(e) for e in selectors.case_timeline(case=case, public_only=False)],
        "notices": _notices(case, url_name="api:case_notice_pdf_staff"),
        "materials": _materials(case),
        "actions": _actions(selectors.actions_for_officer(case=case, officer=officer, steps=steps)),
    }


def progress_view(case: Case) -> dict[str, Any]:
    """The public progress: no personal data beyond the masked applicant name, no opinions."""
    return {
        "number": case.number or "",
        "item_name": case.item.name,
        "department": case.department.name,
        "applicant_name": mask_name(case.applicant_name),
        "state": case.state,
        "state_label": CaseState(case.state).label,
        "light": selectors.case_light(case),
        "dates": _dates(case),
        "timeline": [
            {"at": e.at, "label": EventKind(e.kind).label, "step_name": e.step_name}
            for e in selectors.case_timeline(case=case, public_only=True)
        ],
    }


def todo_item(case: Case, *, officer: Staff, active: CaseStep | None) -> dict[str, Any]:
    return {
        **case_brief(case),
        "applicant_name": case.applicant_name,
        "step": active.name if active else "",
        "claimed_by_me": active is not None and active.assignee_id == officer.pk,
    }
