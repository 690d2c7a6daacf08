"""Case pages on the staff workbench: the to-do list, a case with one form per action the officer
may take now, material preview, notice download, revealing the applicant's data, and window
intake. Each page reads through `selectors` (which carry the department scope: another
department's case is a 404) and each POST calls exactly one service."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.models import Role, Staff
from yiwang.accounts.selectors import staff_roles
from yiwang.accounts.web import client_ip, form_error
from yiwang.cases import selectors, services
from yiwang.cases import staff_forms as sf
from yiwang.cases.documents import notice_pdf_for, progress_url_for
from yiwang.cases.models import (
    ApplicantType,
    Case,
    CaseNotice,
    CaseStep,
    Delivery,
    IdType,
    Light,
    StepState,
)
from yiwang.cases.notices.kinds import NOTICE_TITLES, NoticeKind
from yiwang.cases.services import Upload
from yiwang.cases.states import TRANSITIONS, Action
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_phone, mask_resident_id, mask_uscc
from yiwang.workbench.auth import staff_required

# Rows per page of the case lists, as on the portal: the most urgent come first, and the
# search, the light filter and the pager find the rest. (A to-do page of 50 rows cost 1.4 times
# the CPU of one of 20, and its rows' template 2.5 times: docs/performance.md.)
PAGE_SIZE = 20
INTAKE_ITEMS = 50  # matters listed for a window officer's search
ERROR_FORM = "请按提示修改后再提交"

# The light as words, so it never rests on colour alone.
LIGHT_LABELS = {
    Light.GREEN: "绿灯·正常",
    Light.YELLOW: "黄灯·预警",
    Light.RED: "红灯·超期",
    Light.PAUSED: "暂停计时",
    Light.NONE: "未计时",
}
LIGHT_FILTERS = [("", "全部")] + [(light, LIGHT_LABELS[Light(light)]) for light in selectors.LIGHTS]


# --- The to-do list and the department's cases --------------------------------------------------


@dataclass(frozen=True)
class Row:
    case: Case
    step: CaseStep | None
    light: str

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[Light(self.light)]


def _with_active_step(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What the rows show, fetched once for the page: the active step and who claimed it."""
    active = CaseStep.objects.filter(state=StepState.ACTIVE).select_related("assignee")
    return cases.prefetch_related(Prefetch("steps", queryset=active, to_attr="active_steps"))


def _row(case: Case, today: dt.date) -> Row:
    steps: list[CaseStep] = getattr(case, "active_steps", [])
    return Row(case, steps[0] if steps else None, selectors.case_light(case, today=today))


@staff_required()
@require_GET
def todo(request: HttpRequest, officer: Staff) -> HttpResponse:
    """办件待办 (what the officer may act on now) and, on the second tab, all the department's
    cases with a state filter."""
    tab = "all" if request.GET.get("tab") == "all" else "todo"
    q = request.GET.get("q", "").strip()[:50]
    light = request.GET.get("light", "")
    light = light if light in selectors.LIGHTS else ""
    state_form = sf.StateFilterForm(request.GET)
    state = state_form.cleaned_data["state"] if state_form.is_valid() else ""
    if tab == "todo":
        cases = selectors.todo_for_officer(officer=officer, light=light, query=q)
    else:
        cases = selectors.cases_for_officer(officer=officer)
        if state:
            cases = cases.filter(state=state)
        if q:
            cases = cases.filter(Q(number__startswith=q) | Q(applicant_name__contains=q))
    page = Paginator(_with_active_step(cases), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "staff": officer,
        "tab": tab,
        "q": q,
        "light": light,
        "lights": LIGHT_FILTERS,
        "state_form": state_form,
        "page": page,
        "rows": [_row(case, today) for case in page],
        "can_intake": Role.WINDOW_OFFICER in staff_roles(officer),
    }
    return render(request, "cases/workbench/todo.html", context)


# --- One case ----------------------------------------------------------------------------------

# The form each officer action takes (None: a button only). Applicant actions are not here.
ACTION_FORMS: dict[Action, type[forms.Form] | None] = {
    Action.ACCEPT: sf.OpinionForm,
    Action.REFUSE: sf.ReasonForm,
    Action.REQUEST_CORRECTION: None,  # a formset of rows, see `_form_for`
    Action.CLAIM: None,
    Action.RELEASE: None,
    Action.PASS: sf.OpinionForm,
    Action.RETURN: sf.OpinionForm,
    Action.APPROVE: sf.DecideForm,
    Action.DENY: sf.DecideForm,
    Action.START_SPECIAL: sf.SpecialStartForm,
    Action.END_SPECIAL: sf.SpecialEndForm,
    Action.EXTEND: sf.ExtendForm,
    Action.DELIVER: sf.NoteForm,
}

ActionInput = forms.Form | forms.BaseFormSet | None

# Actions whose form is built only when the officer opens it (`?open=<action>`, inline with
# htmx): the correction formset (four rows, each a select of the matter's materials) took about
# a sixth of the CPU of every view of a case page, for an action taken on few of them.
OPENED_ON_REQUEST = frozenset({Action.REQUEST_CORRECTION})


def _form_for(action: Action, case: Case, data: Any = None) -> ActionInput:
    if action == Action.REQUEST_CORRECTION:
        materials = list(case.version.materials.order_by("seq"))
        return sf.CorrectionFormSet(data, prefix="c", form_kwargs={"materials": materials})
    form_class = ACTION_FORMS[action]
    return form_class(data, prefix=action.value) if form_class else None


def _carry_out(action: Action, *, case: Case, officer: Staff, form: ActionInput) -> None:
    """Exactly one service per action."""
    data: dict[str, Any] = form.cleaned_data if isinstance(form, forms.Form) else {}
    if action == Action.ACCEPT:
        services.case_accept(case=case, officer=officer, opinion=data["opinion"])
    elif action == Action.REFUSE:
        services.case_refuse(case=case, officer=officer, reason=data["reason"])
    elif action == Action.REQUEST_CORRECTION:
        missing = sf.correction_rows(form) if isinstance(form, forms.BaseFormSet) else []
        services.case_correction_request(case=case, officer=officer, missing=missing)
    elif action == Action.CLAIM:
        services.case_step_claim(case=case, officer=officer)
    elif action == Action.RELEASE:
        services.case_step_release(case=case, officer=officer)
    elif action == Action.PASS:
        services.case_step_pass(case=case, officer=officer, opinion=data["opinion"])
    elif action == Action.RETURN:
        services.case_step_return(case=case, officer=officer, opinion=data["opinion"])
    elif action in (Action.APPROVE, Action.DENY):
        services.case_decide(
            case=case, officer=officer, approved=action == Action.APPROVE,
            opinion=data["opinion"], result_name=data["result_name"],
        )  # fmt: skip
    elif action == Action.START_SPECIAL:
        services.case_special_start(
            case=case, officer=officer, kind=data["kind"], reason=data["reason"],
            limit_days=data["limit_days"],
        )  # fmt: skip
    elif action == Action.END_SPECIAL:
        services.case_special_end(case=case, officer=officer, result=data["result"])
    elif action == Action.EXTEND:
        services.case_extend(case=case, approver=officer, days=data["days"], reason=data["reason"])
    elif action == Action.DELIVER:
        services.case_deliver(case=case, officer=officer, note=data["note"])


@dataclass(frozen=True)
class ActionForm:
    action: Action
    label: str
    form: ActionInput
    closed: bool = False  # a form built only when opened (OPENED_ON_REQUEST), not opened


MASKS = {"resident_id": mask_resident_id, "phone": mask_phone, "uscc": mask_uscc}


def _applicant(case: Case, revealed: dict[str, str] | None) -> dict[str, str]:
    """The applicant's identifiers as the page shows them: masked, unless just revealed."""
    if revealed is not None:
        return revealed
    mask_id = mask_uscc if case.applicant_id_type == IdType.USCC else mask_resident_id
    return {
        "applicant_id_number": mask_id(case.applicant_id_number),
        "phone": mask_phone(case.phone),
        "agent_id_number": mask_resident_id(case.agent_id_number),
    }


def _form_rows(case: Case, *, clear: bool) -> list[tuple[str, str]]:
    """The application form, label and value, with identifiers masked unless `clear`."""
    rows = []
    for field in case.version.form_schema:
        value = str(case.form_data.get(field["name"], ""))
        mask = MASKS.get(field.get("type", ""))
        rows.append(
            (field.get("label") or field["name"], mask(value) if mask and not clear else value)
        )
    return rows


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def _notice_title(notice: CaseNotice) -> str:
    return NOTICE_TITLES[NoticeKind(notice.kind)] if notice.kind in NOTICE_TITLES else notice.kind


def _case_page(
    request: HttpRequest,
    officer: Staff,
    case: Case,
    *,
    failed: tuple[Action, ActionInput] | None = None,
    error: str = "",
    problems: list[str] | None = None,
    revealed: dict[str, str] | None = None,
    reveal_form: sf.PiiRevealForm | None = None,
    opened: str = "",
    status: int = 200,
) -> HttpResponse:
    steps, active = selectors.case_steps(case)

    def action_form(action: Action) -> ActionForm:
        label = TRANSITIONS[action].label
        if failed and failed[0] == action:
            return ActionForm(action, label, failed[1])
        if action in OPENED_ON_REQUEST and action != opened:
            return ActionForm(action, label, None, closed=True)
        return ActionForm(action, label, _form_for(action, case))

    action_forms = [
        action_form(action)
        for action in selectors.actions_for_officer(case=case, officer=officer, steps=steps)
        if action in ACTION_FORMS
    ]
    notices = [(n, _notice_title(n)) for n in case.notices.order_by("issued_at", "pk")]
    timeline = [
        (event, _role_label(event.actor_role))
        for event in selectors.case_timeline(case=case, public_only=False)
    ]
    light = selectors.case_light(case)
    context = {
        "staff": officer,
        "case": case,
        "applicant": _applicant(case, revealed),
        "revealed": revealed is not None,
        "is_organisation": case.applicant_type == ApplicantType.ORGANISATION,
        "form_rows": _form_rows(case, clear=revealed is not None),
        "materials": case.materials.select_related("material").order_by(
            "round", "material__seq", "uploaded_at"
        ),
        "steps": [(step, _role_label(step.role)) for step in steps],
        "active": active,
        "timeline": timeline,
        "notices": notices,
        "pauses": case.pauses.order_by("started_at"),
        "light": light,
        "light_label": LIGHT_LABELS[Light(light)],
        "action_forms": action_forms,
        "reveal_form": reveal_form or sf.PiiRevealForm(prefix="reveal"),
        "error": error,
        "problems": problems or [],
    }
    response = render(request, "cases/workbench/case.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required()
@require_GET
def case_detail(request: HttpRequest, officer: Staff, case_id: int) -> HttpResponse:
    case = selectors.case_for_officer(officer=officer, case_id=case_id)
    return _case_page(request, officer, case, opened=request.GET.get("open", ""))


def _problems(error: YiwangError) -> list[str]:
    return [message for messages_ in error.fields.values() for message in messages_]


@staff_required()
@require_POST
def case_act(request: HttpRequest, officer: Staff, case_id: int, action: str) -> HttpResponse:
    """One action on the case (受理, 补正, 签收, 通过 …): its form, then its one service."""
    case = selectors.case_for_officer(officer=officer, case_id=case_id)
    if action not in ACTION_FORMS:
        raise Http404
    chosen = Action(action)
    form = _form_for(chosen, case, request.POST)
    if form is not None and not form.is_valid():
        return _case_page(
            request, officer, case, failed=(chosen, form), error=ERROR_FORM, status=400
        )
    try:
        _carry_out(chosen, case=case, officer=officer, form=form)
    except YiwangError as exc:
        if isinstance(form, forms.Form):
            form_error(form, exc)
        case = selectors.case_for_officer(officer=officer, case_id=case_id)
        return _case_page(
            request, officer, case, failed=(chosen, form), error=exc.message,
            problems=_problems(exc), status=exc.status,
        )  # fmt: skip
    messages.success(request, f"{TRANSITIONS[chosen].label}：已办理")
    return redirect("cases_staff:case", case_id=case.pk)


@staff_required()
@require_POST
def case_reveal(request: HttpRequest, officer: Staff, case_id: int) -> HttpResponse:
    """查看完整信息: the clear ID numbers and phone, on this response only, with a reason that
    goes to the audit log."""
    case = selectors.case_for_officer(officer=officer, case_id=case_id)
    form = sf.PiiRevealForm(request.POST, prefix="reveal")
    if not form.is_valid():
        return _case_page(request, officer, case, reveal_form=form, error=ERROR_FORM, status=400)
    try:
        revealed = services.case_pii_reveal(
            case=case, officer=officer, reason=form.cleaned_data["reason"],
            source_ip=client_ip(request),
        )  # fmt: skip
    except YiwangError as exc:
        form_error(form, exc)
        return _case_page(
            request, officer, case, reveal_form=form, error=exc.message, status=exc.status
        )
    return _case_page(request, officer, case, revealed=revealed)


# Files a browser shows by itself open inline; anything else downloads.
INLINE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
DOWNLOAD_TYPES = {"ofd": "application/ofd"}


@staff_required()
@require_GET
def material_file(
    request: HttpRequest, officer: Staff, case_id: int, material_id: int
) -> HttpResponse:
    """A material's file, for the officers of the case's department (others: 404)."""
    case = selectors.case_for_officer(officer=officer, case_id=case_id)
    row = case.materials.filter(pk=material_id).first()
    if row is None:
        raise Http404
    kind = row.kind.lower()
    inline = kind in INLINE_TYPES
    content_type = INLINE_TYPES.get(kind) or DOWNLOAD_TYPES.get(kind, "application/octet-stream")
    response = FileResponse(
        row.file.open("rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=row.file_name,
    )
    response["Cache-Control"] = "private, no-store"
    if content_type.startswith("image/"):
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return cast(HttpResponse, response)  # streamed; the workbench decorator types plain responses


@staff_required()
@require_GET
def notice_pdf(request: HttpRequest, officer: Staff, case_id: int, notice_id: int) -> HttpResponse:
    case = selectors.case_for_officer(officer=officer, case_id=case_id)
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    response = HttpResponse(
        notice_pdf_for(notice, progress_url=progress_url_for(request, case)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=f"{_notice_title(notice)}-{notice.document_number}.pdf"
        )
        or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Window intake (窗口收件) ------------------------------------------------------------------


def _intake_error(form: sf.IntakeForm, error: YiwangError) -> list[str]:
    """Place a refusal on the form's fields (the item's own fields carry a prefix); what has
    no field is returned to be listed above the form."""
    left = []
    for field, messages_ in error.fields.items():
        name = next((n for n in (field, sf.FORM_PREFIX + field) if n in form.fields), None)
        for message in messages_:
            if name is None:
                left.append(message)
            else:
                form.add_error(name, message)
    return left


@staff_required(Role.WINDOW_OFFICER)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, officer: Staff) -> HttpResponse:
    """窗口收件: pick a matter, take down the applicant, the form and the scanned files. The new
    case waits for acceptance; its query password is shown once, here."""
    code = request.GET.get("item", "").strip()
    if not code:
        q = request.GET.get("q", "").strip()[:50]
        items = selectors.items_for_intake(officer=officer, query=q)[:INTAKE_ITEMS]
        pick = {"staff": officer, "q": q, "items": items}
        return render(request, "cases/workbench/intake_pick.html", pick)
    item = selectors.items_for_intake(officer=officer).filter(code=code).first()
    if item is None or item.current_version is None:
        raise Http404
    version = item.current_version
    materials = list(version.materials.order_by("seq"))
    schema = version.form_schema
    context: dict[str, Any] = {"staff": officer, "item": item, "materials": materials}
    if request.method == "GET":
        initial = {
            "idempotency_key": uuid.uuid4().hex,
            "applicant_type": ApplicantType.PERSON,
            "delivery": Delivery.PICKUP,
        }
        context["form"] = sf.IntakeForm(initial=initial, schema=schema)
        return render(request, "cases/workbench/intake.html", context)
    form = sf.IntakeForm(request.POST, schema=schema)
    context["form"] = form
    if not form.is_valid():
        context["error"] = ERROR_FORM
        return render(request, "cases/workbench/intake.html", context, status=400)
    limit = settings.CASES_UPLOAD_MAX_MB * 1024 * 1024  # read just past it: the check refuses
    uploads = [
        Upload(material_seq=material.seq, name=file.name or "", data=file.read(limit + 1))
        for material in materials
        for file in request.FILES.getlist(f"m_{material.seq}")
    ]
    try:
        submitted = services.case_intake(
            officer=officer,
            item=item,
            walk_in=form.walk_in(),
            form_data=form.form_data(),
            uploads=uploads,
            delivery=form.cleaned_data["delivery"],
            delivery_address=form.cleaned_data["delivery_address"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except YiwangError as exc:
        context["error"] = exc.message
        context["problems"] = _intake_error(form, exc)
        return render(request, "cases/workbench/intake.html", context, status=exc.status)
    done = {"staff": officer, "case": submitted.case, "password": submitted.query_password}
    response = render(request, "cases/workbench/intake_done.html", done)
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = [
    "case_act",
    "case_detail",
    "case_reveal",
    "intake",
    "material_file",
    "notice_pdf",
    "todo",
]
