"""REST endpoints for applying, my cases, the progress query and staff actions.

Citizens' tokens act as the person, or, with `X-Acting-Enterprise: <id>`, for an enterprise
they may act for; staff tokens act as the officer. Every read goes through a selector that
carries its permission (anything out of scope is 404), every write through one service.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.params import HeaderEx, P

from yiwang.accounts.api import BearerToken
from yiwang.accounts.models import ApiToken, Enterprise, Staff, User
from yiwang.accounts.selectors import acting_enterprise_get, person_of, staff_of
from yiwang.accounts.web import client_ip
from yiwang.cases import selectors, services
from yiwang.cases.documents import notice_download
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import (
    Case,
    CaseState,
    CaseStep,
    StepState,
)
from yiwang.cases.schemas import (
    AppliedOut,
    ApplyIn,
    CasePage,
    CorrectionIn,
    CorrectionRequestIn,
    DecideIn,
    DeliverIn,
    ExtendIn,
    FileIn,
    MineListIn,
    MyCaseOut,
    OpinionIn,
    PiiOut,
    PiiRevealIn,
    ProgressIn,
    ProgressOut,
    ReasonIn,
    SpecialEndIn,
    SpecialStartIn,
    StaffCaseOut,
    TodoListIn,
    TodoPage,
    WithdrawIn,
    applicant_view,
    case_brief,
    progress_view,
    staff_view,
    todo_item,
)
from yiwang.cases.services import Missing, Upload
from yiwang.cases.states import TRANSITIONS, Action
from yiwang.cases.uploads import UploadError, UploadErrorCode
from yiwang.catalog.codes import HandlingForm
from yiwang.catalog.selectors import items_public
from yiwang.core.errors import ErrorCode, YiwangError

router = Router(auth=BearerToken())

ActingHeader = HeaderEx[
    int | None,
    P(alias="X-Acting-Enterprise", description="代表单位办事时：单位 ID（见 /api/auth/me）"),
]
KeyHeader = HeaderEx[
    str | None,
    P(alias="Idempotency-Key", description="提交标识：8–64 位字母、数字或 _.:-，每次新申请一个"),
]


# --- Who is calling ---------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # the router's auth has run; this cannot happen
        raise YiwangError(code=ErrorCode.NOT_AUTHENTICATED)
    return token.user


def _applicant(request: HttpRequest, acting: int | None) -> tuple[User, Enterprise | None]:
    """The person's account, and the enterprise they act for when the header names one."""
    user = _user(request)
    person = person_of(user)
    if person is None:
        raise YiwangError("此接口仅供个人用户使用", code=ErrorCode.PERMISSION_DENIED)
    if acting is None:
        return user, None
    return user, acting_enterprise_get(person=person, enterprise_id=acting)


def _officer(request: HttpRequest) -> Staff:
    officer = staff_of(_user(request))
    if officer is None:
        raise YiwangError("此接口仅供工作人员使用", code=ErrorCode.PERMISSION_DENIED)
    return officer


def _staff_case(request: HttpRequest, case_id: int) -> tuple[Staff, Case]:
    officer = _officer(request)
    return officer, selectors.case_for_officer(officer=officer, case_id=case_id)


# --- Files ------------------------------------------------------------------------------------


def _file_refused(
    index: int, code: UploadErrorCode, message: str, *, status: int = 400
) -> UploadError:
    return UploadError(
        message, code=code, fields={f"files.{index}.content": [message]}, status=status
    )


def _decoded(files: Sequence[FileIn]) -> list[Upload]:
    """The files of a body, decoded; sizes are checked before decoding. What the content is
    (PDF, image, OFD …) is checked by the services (`uploads.upload_check`)."""
    max_mb = settings.CASES_UPLOAD_MAX_MB
    max_bytes = max_mb * 1024 * 1024
    uploads = []
    for index, file in enumerate(files):
        content = file.content
        if content.startswith("data:") and "," in content[:200]:
            content = content.split(",", 1)[1]  # a data URL, as a mini program may give it
        content = "".join(content.split())  # the line breaks of MIME-style base64
        if len(content) > (max_bytes + 2) // 3 * 4:
            message = f"文件“{file.name}”超过 {max_mb} MB 的上限，请压缩或拆分后重新上传"
            raise _file_refused(index, UploadErrorCode.TOO_LARGE, message, status=413)
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            message = f"文件“{file.name}”的内容不是有效的 base64 编码"
            raise _file_refused(index, UploadErrorCode.DAMAGED, message) from None
        if not data:
            message = f"文件“{file.name}”是空文件，请重新选择"
            raise _file_refused(index, UploadErrorCode.EMPTY, message)
        uploads.append(Upload(material_seq=file.material_seq, name=file.name, data=data))
    return uploads


@contextmanager
def _reason_named(name: str) -> Iterator[None]:
    """The services name a missing reason `reason`; point the client at its own body field."""
    try:
        yield
    except YiwangError as exc:
        if "reason" in exc.fields:
            exc.fields = {name if k == "reason" else k: v for k, v in exc.fields.items()}
        raise


# --- Applicants -------------------------------------------------------------------------------


@router.post(
    "/applications",
    response={200: AppliedOut, 201: AppliedOut},
    summary="提交申请（一次提交申请表和材料）",
)
def application_create(
    request: HttpRequest,
    body: ApplyIn,
    idempotency_key: KeyHeader = None,
    acting: ActingHeader = None,
) -> Status:
    """201 with the case and its query password; the same `Idempotency-Key` again answers 200
    with the same case and no password, and creates nothing."""
    user, enterprise = _applicant(request, acting)
    if not (idempotency_key or "").strip():
        message = "请在请求头 Idempotency-Key 中提供提交标识"
        raise CaseError(
            CaseErrorCode.IDEMPOTENCY_KEY_INVALID,
            message=message,
            fields={"Idempotency-Key": [message]},
        )
    uploads = _decoded(body.files)
    item = items_public().filter(code=body.item.strip().upper()).first()
    if item is None:
        message = "未找到该事项，或该事项当前不可申请"
        raise CaseError(
            CaseErrorCode.ITEM_NOT_AVAILABLE, message=message, fields={"item": [message]}
        )
    submitted = services.case_apply(
        user=user,
        item=item,
        idempotency_key=(idempotency_key or "").strip(),
        enterprise=enterprise,
        form_data=body.form_data,
        uploads=uploads,
        delivery=body.delivery,
        delivery_address=body.delivery_address,
        address=body.address,
        channel=HandlingForm.MOBILE,
    )
    out = {**case_brief(submitted.case), "query_password": submitted.query_password}
    return Status(201 if submitted.created else 200, out)


@router.get("/mine", response=CasePage, summary="我的办件")
def mine_list(
    request: HttpRequest, params: Query[MineListIn], acting: ActingHeader = None
) -> dict[str, Any]:
    user, enterprise = _applicant(request, acting)
    cases = selectors.cases_for_applicant(user=user, enterprise=enterprise).exclude(
        state=CaseState.DRAFT
    )
    window = cases[params.offset : params.offset + params.limit]
    return {
        "count": cases.count(),
        "offset": params.offset,
        "limit": params.limit,
        "items": [case_brief(case) for case in window],
    }


@router.get("/mine/{case_id}", response=MyCaseOut, summary="我的办件详情")
def mine_detail(request: HttpRequest, case_id: int, acting: ActingHeader = None) -> dict[str, Any]:
    user, enterprise = _applicant(request, acting)
    case = selectors.case_for_applicant(user=user, case_id=case_id, enterprise=enterprise)
    return applicant_view(case, user)


@router.post("/mine/{case_id}/withdraw", response=MyCaseOut, summary="撤回申请")
def mine_withdraw(
    request: HttpRequest, case_id: int, body: WithdrawIn, acting: ActingHeader = None
) -> dict[str, Any]:
    user, enterprise = _applicant(request, acting)
    case = selectors.case_for_applicant(user=user, case_id=case_id, enterprise=enterprise)
    case = services.case_withdraw(case=case, user=user, reason=body.reason)
    return applicant_view(case, user)


@router.post("/mine/{case_id}/correction", response=MyCaseOut, summary="提交补正材料")
def mine_correction(
    request: HttpRequest, case_id: int, body: CorrectionIn, acting: ActingHeader = None
) -> dict[str, Any]:
    """The files of this correction round and any corrected form fields, all or nothing."""
    user, enterprise = _applicant(request, acting)
    case = selectors.case_for_applicant(user=user, case_id=case_id, enterprise=enterprise)
    uploads = _decoded(body.files)
    with transaction.atomic():
        for upload in uploads:
            services.case_material_add(case=case, user=user, upload=upload)
        case = services.case_correction_submit(
            case=case, user=user, form_data=body.form_data, note=body.note
        )
    return applicant_view(case, user)


@router.get(
    "/mine/{case_id}/notices/{notice_id}.pdf", summary="办件文书（PDF）", url_name="case_notice_pdf"
)
def mine_notice_pdf(
    request: HttpRequest, case_id: int, notice_id: int, acting: ActingHeader = None
) -> HttpResponse:
    user, enterprise = _applicant(request, acting)
    case = selectors.case_for_applicant(user=user, case_id=case_id, enterprise=enterprise)
    return notice_download(request, case, notice_id)


@router.get("/progress", response=ProgressOut, auth=None, summary="办件进度查询（免登录）")
def progress(request: HttpRequest, params: Query[ProgressIn]) -> dict[str, Any]:
    """By case number and query password; shows no personal data beyond the masked name."""
    case = selectors.case_progress(number=params.number, password=params.password)
    return progress_view(case)


# --- Staff ------------------------------------------------------------------------------------


@router.get("/todo", response=TodoPage, summary="待办办件")
def todo_list(request: HttpRequest, params: Query[TodoListIn]) -> dict[str, Any]:
    officer = _officer(request)
    cases = selectors.todo_for_officer(officer=officer, light=params.light, query=params.q)
    active = CaseStep.objects.filter(state=StepState.ACTIVE)
    window = cases.prefetch_related(Prefetch("steps", queryset=active, to_attr="active_steps"))[
        params.offset : params.offset + params.limit
    ]
    items = [
        todo_item(case, officer=officer, active=next(iter(case.active_steps), None))
        for case in window
    ]
    return {"count": cases.count(), "offset": params.offset, "limit": params.limit, "items": items}


@router.get("/staff/{case_id}", response=StaffCaseOut, summary="办件详情（工作人员）")
def staff_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    return staff_view(case, officer)


@router.get(
    "/staff/{case_id}/notices/{notice_id}.pdf",
    summary="办件文书（PDF，工作人员）",
    url_name="case_notice_pdf_staff",
)
def staff_notice_pdf(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    _, case = _staff_case(request, case_id)
    return notice_download(request, case, notice_id)


@router.post("/staff/{case_id}/pii", response=PiiOut, summary="查看申请人完整信息（记入审计）")
def staff_pii_reveal(request: HttpRequest, case_id: int, body: PiiRevealIn) -> dict[str, str]:
    officer, case = _staff_case(request, case_id)
    return services.case_pii_reveal(
        case=case, officer=officer, reason=body.reason, source_ip=client_ip(request)
    )


def _after(officer: Staff, case_id: int) -> dict[str, Any]:
    """The case as the officer sees it after the action (its buttons have changed)."""
    return staff_view(selectors.case_for_officer(officer=officer, case_id=case_id), officer)


def _label(action: Action) -> str:
    return TRANSITIONS[action].label


ACTION_PATH = "/staff/{case_id}/actions/"


@router.post(ACTION_PATH + "accept", response=StaffCaseOut, summary=_label(Action.ACCEPT))
def staff_accept(request: HttpRequest, case_id: int, body: OpinionIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_accept(case=case, officer=officer, opinion=body.opinion.strip())
    return _after(officer, case_id)


@router.post(ACTION_PATH + "refuse", response=StaffCaseOut, summary=_label(Action.REFUSE))
def staff_refuse(request: HttpRequest, case_id: int, body: ReasonIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_refuse(case=case, officer=officer, reason=body.reason)
    return _after(officer, case_id)


@router.post(
    ACTION_PATH + "request_correction",
    response=StaffCaseOut,
    summary=_label(Action.REQUEST_CORRECTION),
)
def staff_request_correction(
    request: HttpRequest, case_id: int, body: CorrectionRequestIn
) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    missing = [
        Missing(name=m.name, problem=m.problem, material_seq=m.material_seq) for m in body.missing
    ]
    services.case_correction_request(case=case, officer=officer, missing=missing)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "claim", response=StaffCaseOut, summary=_label(Action.CLAIM))
def staff_claim(request: HttpRequest, case_id: int) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_step_claim(case=case, officer=officer)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "release", response=StaffCaseOut, summary=_label(Action.RELEASE))
def staff_release(request: HttpRequest, case_id: int) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_step_release(case=case, officer=officer)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "pass", response=StaffCaseOut, summary=_label(Action.PASS))
def staff_pass(request: HttpRequest, case_id: int, body: OpinionIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_step_pass(case=case, officer=officer, opinion=body.opinion)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "return", response=StaffCaseOut, summary=_label(Action.RETURN))
def staff_return(request: HttpRequest, case_id: int, body: OpinionIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    with _reason_named("opinion"):
        services.case_step_return(case=case, officer=officer, opinion=body.opinion)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "approve", response=StaffCaseOut, summary=_label(Action.APPROVE))
def staff_approve(request: HttpRequest, case_id: int, body: DecideIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_decide(
        case=case, officer=officer, approved=True, opinion=body.opinion,
        result_name=body.result_name,
    )  # fmt: skip
    return _after(officer, case_id)


@router.post(ACTION_PATH + "deny", response=StaffCaseOut, summary=_label(Action.DENY))
def staff_deny(request: HttpRequest, case_id: int, body: DecideIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    with _reason_named("opinion"):
        services.case_decide(
            case=case, officer=officer, approved=False, opinion=body.opinion,
            result_name=body.result_name,
        )  # fmt: skip
    return _after(officer, case_id)


@router.post(
    ACTION_PATH + "start_special", response=StaffCaseOut, summary=_label(Action.START_SPECIAL)
)
def staff_start_special(request: HttpRequest, case_id: int, body: SpecialStartIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_special_start(
        case=case, officer=officer, kind=body.kind, reason=body.reason, limit_days=body.limit_days
    )
    return _after(officer, case_id)


@router.post(ACTION_PATH + "end_special", response=StaffCaseOut, summary=_label(Action.END_SPECIAL))
def staff_end_special(request: HttpRequest, case_id: int, body: SpecialEndIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    with _reason_named("result"):
        services.case_special_end(case=case, officer=officer, result=body.result)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "extend", response=StaffCaseOut, summary=_label(Action.EXTEND))
def staff_extend(request: HttpRequest, case_id: int, body: ExtendIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_extend(case=case, approver=officer, days=body.days, reason=body.reason)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "deliver", response=StaffCaseOut, summary=_label(Action.DELIVER))
def staff_deliver(request: HttpRequest, case_id: int, body: DeliverIn) -> dict[str, Any]:
    officer, case = _staff_case(request, case_id)
    services.case_deliver(case=case, officer=officer, note=body.note)
    return _after(officer, case_id)


@router.post(ACTION_PATH + "{action}", response=StaffCaseOut, include_in_schema=False)
def staff_unknown_action(request: HttpRequest, case_id: int, action: str) -> dict[str, Any]:
    """Registered after every known action, so only unknown names reach it."""
    _staff_case(request, case_id)
    raise YiwangError(f"没有“{action[:40]}”这一办理动作", code=ErrorCode.NOT_FOUND, status=404)
