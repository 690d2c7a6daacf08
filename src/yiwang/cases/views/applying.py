"""Applying on the portal (form, materials, delivery, review, submit) and correcting (补正: the
files and form fields a correction notice asks for). Every write goes through `services`; a
refusal is shown with its Chinese message and changes nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.models import Enterprise
from yiwang.accounts.selectors import real_name_level_check
from yiwang.accounts.web import form_error
from yiwang.cases import rules, services
from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.forms import ApplicationForm, CorrectionNoteForm, DeliveryForm
from yiwang.cases.models import Case, CaseMaterial, CaseState, Delivery, PauseKind
from yiwang.cases.states import Action
from yiwang.cases.views.access import (
    acting_enterprise,
    applicant_case,
    applicant_draft,
    posted_data,
    request_person,
    request_user,
    require_action,
    wants_next,
)
from yiwang.catalog.codes import OnlineDepth
from yiwang.catalog.models import ImplementationItem, ItemStatus, ItemVersion, Material
from yiwang.catalog.selectors import item_guide
from yiwang.core.errors import YiwangError

STEPS = (
    ("form", "填写申请表"),
    ("materials", "上传材料"),
    ("delivery", "选择送达方式"),
    ("review", "核对并提交"),
)


# --- Applying ---------------------------------------------------------------------------------


def _item_for_applying(code: str) -> tuple[ImplementationItem, ItemVersion]:
    try:
        item = item_guide(code=code)
    except ImplementationItem.DoesNotExist:
        raise Http404 from None
    version = item.current_version
    if item.status != ItemStatus.PUBLISHED or version is None:
        raise CaseError(CaseErrorCode.ITEM_NOT_AVAILABLE)
    if not version.online or version.online_depth == OnlineDepth.PUBLIC:
        raise CaseError(CaseErrorCode.NOT_ONLINE)
    return item, version


def _form_problems(case: Case) -> dict[str, list[str]]:
    return rules.form_clean(case.version.form_schema, case.form_data)[1]


def _show_problems(form: ApplicationForm, problems: dict[str, list[str]]) -> None:
    for name, texts in problems.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _steps_context(case: Case | None, current: str) -> dict[str, Any]:
    steps = [
        {
            "key": key,
            "label": label,
            "current": key == current,
            "url": reverse(f"cases:draft_{key}", args=[case.pk]) if case else "",
        }
        for key, label in STEPS
    ]
    return {"steps": steps}


def _form_page(
    request: HttpRequest,
    *,
    item: ImplementationItem,
    form: ApplicationForm,
    case: Case | None,
    enterprise: Enterprise | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "item": item,
        "form": form,
        "case": case,
        "enterprise": enterprise,
        "action": reverse("cases:draft_form", args=[case.pk])
        if case
        else reverse("cases:apply", args=[item.code]),
        **_steps_context(case, "form"),
    }
    return render(request, "cases/portal/apply_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1 of a new application: the item's form, pre-filled from the applicant's identity.
    Saving it creates the draft; the later steps work on that draft."""
    person = request_person(request)
    enterprise = acting_enterprise(request, person)
    item, version = _item_for_applying(code)
    real_name_level_check(person=person, required=version.min_real_name_level)
    initial = services.form_initial(item=item, user=request_user(request), enterprise=enterprise)
    form = ApplicationForm(posted_data(request), schema=version.form_schema, initial=initial)
    if request.method == "POST":
        try:
            case = services.case_draft_save(
                user=request_user(request),
                item=item,
                enterprise=enterprise,
                form_data=form.values(),
            )
        except YiwangError as exc:
            form_error(form, exc)
            return _form_page(
                request, item=item, form=form, case=None, enterprise=enterprise, status=exc.status
            )
        if not wants_next(request):
            messages.success(request, "草稿已保存，可随时在“我的办件”中继续填写")
            return redirect("cases:draft_form", case_id=case.pk)
        if _form_problems(case):
            return redirect(reverse("cases:draft_form", args=[case.pk]) + "?check=1")
        return redirect("cases:draft_materials", case_id=case.pk)
    return _form_page(request, item=item, form=form, case=None, enterprise=enterprise)


@login_required
@require_http_methods(["GET", "POST"])
def draft_form(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_draft(request, case_id)
    if case.state != CaseState.DRAFT:
        return redirect("cases:detail", case_id=case.pk)
    checking = request.method == "GET" and bool(request.GET.get("check"))
    # Bound to what was sent, or (checking) to what the draft holds, so problems can be shown.
    data = request.POST if request.method == "POST" else case.form_data if checking else None
    form = ApplicationForm(data, schema=case.version.form_schema, initial=case.form_data)

    def page(status: int = 200) -> HttpResponse:
        return _form_page(
            request, item=case.item, form=form, case=case, enterprise=case.enterprise,
            status=status,
        )  # fmt: skip

    if request.method == "POST":
        try:
            case = services.case_draft_save(
                user=request_user(request),
                item=case.item,
                case=case,
                form_data=form.values(),
                delivery=case.delivery,
                delivery_address=case.delivery_address,
            )
        except YiwangError as exc:
            form_error(form, exc)
            return page(exc.status)
        if not wants_next(request):
            messages.success(request, "草稿已保存")
            return redirect("cases:draft_form", case_id=case.pk)
        problems = _form_problems(case)
        if problems:
            form = ApplicationForm(
                case.form_data, schema=case.version.form_schema, initial=case.form_data
            )
            _show_problems(form, problems)
            return page(400)
        return redirect("cases:draft_materials", case_id=case.pk)
    if checking:
        _show_problems(form, _form_problems(case))
    return page()


@dataclass
class MaterialRow:
    """One material of the item with the files given for it and the refusals of this upload."""

    name: str
    seq: int | None
    required: bool = False
    note: str = ""
    files: list[CaseMaterial] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _material_rows(
    case: Case, *, files: list[CaseMaterial], errors: dict[int | None, list[str]] | None = None
) -> list[MaterialRow]:
    errors = errors or {}
    rows = [
        MaterialRow(m.name, m.seq, m.required, m.note, errors=errors.get(m.seq, []))
        for m in case.version.materials.order_by("seq")
    ]
    by_seq = {row.seq: row for row in rows}
    for upload in files:
        seq = upload.material.seq if upload.material else None
        if seq not in by_seq:
            by_seq[seq] = MaterialRow("其他材料", None)
            rows.append(by_seq[seq])
        by_seq[seq].files.append(upload)
    return rows


def _upload(seq: int | None, file: UploadedFile) -> services.Upload:
    """The uploaded file, read up to just past the size limit (the check refuses more)."""
    limit = settings.CASES_UPLOAD_MAX_MB * 1024 * 1024
    return services.Upload(
        material_seq=seq, name=file.name or "未命名文件", data=file.read(limit + 1)
    )


def _file_error(file: UploadedFile, exc: YiwangError) -> str:
    name = file.name or ""
    return exc.message if name and name in exc.message else f"{name}：{exc.message}"


def _upload_all(
    request: HttpRequest, case: Case, materials: list[Material]
) -> dict[int | None, list[str]]:
    """Attach every file of the request; a refused file gets its message, the others are kept."""
    errors: dict[int | None, list[str]] = {}
    for material in materials:
        for file in request.FILES.getlist(f"files_{material.seq}"):
            try:
                services.case_material_add(
                    case=case, user=request_user(request), upload=_upload(material.seq, file)
                )
            except YiwangError as exc:
                errors.setdefault(material.seq, []).append(_file_error(file, exc))
    return errors


def _remove(request: HttpRequest, case: Case) -> None:
    raw = request.POST.get("remove", "")
    services.case_material_remove(
        case=case, user=request_user(request), material_id=int(raw) if raw.isdigit() else 0
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_materials(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_draft(request, case_id)
    if case.state != CaseState.DRAFT:
        return redirect("cases:detail", case_id=case.pk)
    errors: dict[int | None, list[str]] = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("remove"):
            _remove(request, case)
            messages.success(request, "文件已删除")
            return redirect("cases:draft_materials", case_id=case.pk)
        errors = _upload_all(request, case, list(case.version.materials.order_by("seq")))
        if not errors:
            if wants_next(request):
                return redirect("cases:draft_delivery", case_id=case.pk)
            messages.success(request, "材料已保存")
            return redirect("cases:draft_materials", case_id=case.pk)
        status = 400
    files = list(case.materials.filter(replaced=False).select_related("material"))
    context = {
        "case": case,
        "item": case.item,
        "rows": _material_rows(case, files=files, errors=errors),
        "max_mb": settings.CASES_UPLOAD_MAX_MB,
        **_steps_context(case, "materials"),
    }
    return render(request, "cases/portal/apply_materials.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def draft_delivery(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_draft(request, case_id)
    if case.state != CaseState.DRAFT:
        return redirect("cases:detail", case_id=case.pk)
    initial = {"delivery": case.delivery, "delivery_address": case.delivery_address}
    form = DeliveryForm(posted_data(request), version=case.version, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.case_draft_save(
                    user=request_user(request),
                    item=case.item,
                    case=case,
                    delivery=form.cleaned_data["delivery"],
                    delivery_address=form.cleaned_data["delivery_address"],
                )
            except YiwangError as exc:
                form_error(form, exc)
                status = exc.status
            else:
                if wants_next(request):
                    return redirect("cases:draft_review", case_id=case.pk)
                messages.success(request, "送达方式已保存")
                return redirect("cases:draft_delivery", case_id=case.pk)
    context = {"case": case, "item": case.item, "form": form, **_steps_context(case, "delivery")}
    return render(request, "cases/portal/apply_delivery.html", context, status=status)


def _review_page(
    request: HttpRequest, case: Case, *, error: YiwangError | None = None, status: int = 200
) -> HttpResponse:
    """The draft as it will be submitted, with a fresh idempotency key for the submit button."""
    schema = case.version.form_schema
    files = list(case.materials.filter(replaced=False).select_related("material"))
    fields = [
        {
            "name": spec["name"],
            "label": spec.get("label") or spec["name"],
            "value": case.form_data.get(spec["name"], ""),
            "errors": (error.fields.get(spec["name"], []) if error else []),
        }
        for spec in schema
        if isinstance(spec, dict) and spec.get("name")
    ]
    context = {
        "case": case,
        "item": case.item,
        "fields": fields,
        "rows": _material_rows(case, files=files),
        "delivery_label": Delivery(case.delivery).label,
        "error": error,
        "error_fields": error.fields if error else {},
        "idempotency_key": secrets.token_urlsafe(24),
        **_steps_context(case, "review"),
    }
    return render(request, "cases/portal/apply_review.html", context, status=status)


@login_required
@require_GET
def draft_review(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_draft(request, case_id)
    if case.state != CaseState.DRAFT:
        return redirect("cases:detail", case_id=case.pk)
    return _review_page(request, case)


def _password_key(case_id: int) -> str:
    return f"cases:query_password:{case_id}"


@login_required
@require_POST
def submit(request: HttpRequest, case_id: int) -> HttpResponse:
    """Submit a draft. The review page's key makes a double click or a resent form return the
    case already submitted; the query password is shown once, on the next page."""
    case = applicant_draft(request, case_id)
    key = request.POST.get("idempotency_key", "").strip() or None
    try:
        result = services.case_submit(case=case, user=request_user(request), idempotency_key=key)
    except YiwangError as exc:
        case = applicant_draft(request, case_id)
        if case.state != CaseState.DRAFT:
            raise
        return _review_page(request, case, error=exc, status=exc.status)
    if result.query_password:
        request.session[_password_key(result.case.pk)] = result.query_password
    return redirect("cases:done", case_id=result.case.pk)


@login_required
@require_GET
def done(request: HttpRequest, case_id: int) -> HttpResponse:
    case = applicant_case(request, case_id)
    if case.state == CaseState.DRAFT:
        return redirect("cases:draft_review", case_id=case.pk)
    password = request.session.pop(_password_key(case.pk), None)
    return render(request, "cases/portal/done.html", {"case": case, "password": password})


# --- Correcting -------------------------------------------------------------------------------


def _correction_context(
    case: Case,
    *,
    form: ApplicationForm,
    note_form: CorrectionNoteForm,
    errors: dict[int | None, list[str]] | None = None,
    error: YiwangError | None = None,
) -> dict[str, Any]:
    pause = case.pauses.filter(kind=PauseKind.CORRECTION, ended_at__isnull=True).first()
    items = list(pause.items) if pause else []
    # This correction's files are those of its round: the n-th correction is round n.
    round_ = case.pauses.filter(kind=PauseKind.CORRECTION).count()
    new_files = list(case.materials.filter(round=round_).select_related("material"))
    errors = errors or {}
    asked = []
    for entry in items:
        seq = entry.get("material")
        asked.append(
            {
                "name": entry.get("name", ""),
                "problem": entry.get("problem", ""),
                "seq": seq,
                "files": [f for f in new_files if f.material and f.material.seq == seq],
                "errors": errors.get(seq, []) if seq is not None else [],
            }
        )
    return {
        "case": case,
        "pause": pause,
        "asked": asked,
        "form": form,
        "note_form": note_form,
        "error": error,
        "max_mb": settings.CASES_UPLOAD_MAX_MB,
    }


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, case_id: int) -> HttpResponse:
    """补正: upload what the correction notice lists, fix the form if asked, and resubmit."""
    case = applicant_case(request, case_id)
    require_action(request, case, Action.CORRECT)
    form = ApplicationForm(
        posted_data(request), schema=case.version.form_schema, initial=case.form_data
    )
    note_form = CorrectionNoteForm(posted_data(request))
    if request.method == "GET":
        context = _correction_context(case, form=form, note_form=note_form)
        return render(request, "cases/portal/correct.html", context)
    if request.POST.get("remove"):
        _remove(request, case)
        messages.success(request, "文件已删除")
        return redirect("cases:correct", case_id=case.pk)
    materials = list(case.version.materials.order_by("seq"))
    errors = _upload_all(request, case, materials)
    status, error = 400, None
    if not errors and note_form.is_valid():
        if request.POST.get("go") != "submit":
            messages.success(request, "补正材料已保存，请确认无误后提交补正")
            return redirect("cases:correct", case_id=case.pk)
        changed = {k: v for k, v in form.values().items() if v != case.form_data.get(k, "")}
        try:
            services.case_correction_submit(
                case=case,
                user=request_user(request),
                form_data=changed or None,
                note=note_form.cleaned_data["note"],
            )
        except YiwangError as exc:
            error, status = exc, exc.status
            _show_problems(form, {k: v for k, v in exc.fields.items() if k in form.fields})
        else:
            messages.success(request, "补正材料已提交，办件恢复办理")
            return redirect("cases:detail", case_id=case.pk)
    context = _correction_context(case, form=form, note_form=note_form, errors=errors, error=error)
    return render(request, "cases/portal/correct.html", context, status=status)
