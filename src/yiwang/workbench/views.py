"""Workbench pages: staff login with a second factor, the home page, and the three
administrators' consoles (staff, roles, audit), each behind its own role."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts import selectors, services
from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.forms import (
    ApiClientForm,
    RoleForm,
    SecondFactorForm,
    StaffCreateForm,
    StaffLoginForm,
)
from yiwang.accounts.models import OneTimeCode, Role, Staff, User
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.accounts.web import client_ip, form_error
from yiwang.core.audit import audit_verify
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_phone
from yiwang.core.models import AuditRecord
from yiwang.regions.models import Department
from yiwang.workbench.auth import staff_required

PENDING = "pending_staff_user"
PENDING_AT = "pending_staff_at"
PENDING_SECONDS = 300
NEW_CLIENT_KEY = "workbench_new_api_client"
MAX_SECOND_FACTOR_FAILURES = 5


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/workbench/"
    return target if target.startswith("/") and not target.startswith("//") else "/workbench/"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: username and password. No session is opened before the second factor."""
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return HttpResponse(status=403)  # AxesMiddleware answers with the lockout page
        if user is not None and user.kind == User.Kind.STAFF and hasattr(user, "staff"):
            request.session.cycle_key()
            request.session[PENDING], request.session[PENDING_AT] = user.pk, time.time()
            request.session["pending_failures"] = 0
            request.session["next"] = _safe_next(request)
            return redirect("workbench:second_factor")
        services.audit_auth_event(
            action="auth.login_failed", user=None, source_ip=client_ip(request),
            detail={"method": "staff_password"},
        )  # fmt: skip
        form.add_error(None, AccountsErrorCode.LOGIN_FAILED.message)
    status = 400 if form.errors else 200
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "workbench/login.html", context, status=status)


def _pending_user(request: HttpRequest) -> User | None:
    pk, since = request.session.get(PENDING), request.session.get(PENDING_AT, 0)
    if pk is None or time.time() - since > PENDING_SECONDS:
        return None
    return User.objects.select_related("staff").filter(pk=pk, is_active=True).first()


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Step two: a TOTP code from the staff member's authenticator, or an SMS code."""
    user = _pending_user(request)
    if user is None:
        return redirect("workbench:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = SecondFactorForm(request.POST or None, initial={"method": "totp" if device else "sms"})
    if request.method == "POST" and form.is_valid():
        method, token = form.cleaned_data["method"], form.cleaned_data["token"].strip()
        passed = False
        if method == "totp" and device is not None:
            passed = device.verify_token(token)
        elif method == "sms" and user.staff.phone:
            try:
                services.otp_code_verify(
                    phone=user.staff.phone, purpose=OneTimeCode.Purpose.STAFF_LOGIN, code=token
                )
                passed = True
            except YiwangError:
                passed = False
        if passed:
            next_url = request.session.get("next", "/workbench/")
            for key in (PENDING, PENDING_AT, "pending_failures", "next"):
                request.session.pop(key, None)
            login(request, user, backend="yiwang.accounts.backends.IdentifierBackend")
            request.session[SECOND_FACTOR] = method
            services.audit_auth_event(
                action="auth.login", user=user, source_ip=client_ip(request),
                detail={"method": f"password+{method}"},
            )  # fmt: skip
            return redirect(next_url)
        failures = request.session.get("pending_failures", 0) + 1
        request.session["pending_failures"] = failures
        services.audit_auth_event(
            action="auth.second_factor_failed", user=user, source_ip=client_ip(request),
            detail={"method": method, "failures": failures},
        )  # fmt: skip
        if failures >= MAX_SECOND_FACTOR_FAILURES:
            request.session.flush()
            return redirect("workbench:login")
        form.add_error("token", AccountsErrorCode.SECOND_FACTOR_FAILED.message)
    context = {
        "form": form,
        "has_totp": device is not None,
        "masked_phone": mask_phone(user.staff.phone),
    }
    return render(
        request, "workbench/second_factor.html", context, status=400 if form.errors else 200
    )


@require_POST
def second_factor_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or not user.staff.phone:
        context = {"ok": False, "message": "请重新登录；未登记手机号码的人员请使用动态口令"}
        return render(request, "portal/_code_sent.html", context, status=400)
    try:
        services.otp_code_send(
            phone=user.staff.phone,
            purpose=OneTimeCode.Purpose.STAFF_LOGIN,
            source_ip=client_ip(request),
        )
    except YiwangError as exc:
        context = {"ok": False, "message": exc.message}
        return render(request, "portal/_code_sent.html", context, status=exc.status)
    context = {"ok": True, "message": f"验证码已发送至 {mask_phone(user.staff.phone)}"}
    return render(request, "portal/_code_sent.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    logout(request)
    if user is not None:
        services.audit_auth_event(action="auth.logout", user=user, source_ip=client_ip(request))
    return redirect("workbench:login")


@staff_required()
def home(request: HttpRequest, staff: Staff) -> HttpResponse:
    roles = selectors.staff_roles(staff)
    context = {
        "staff": staff,
        "roles": [Role(r).label for r in sorted(roles)],
        "is_system_admin": Role.SYSTEM_ADMIN in roles,
        "is_security_admin": Role.SECURITY_ADMIN in roles,
        "is_audit_admin": Role.AUDIT_ADMIN in roles,
        "is_catalog_manager": Role.CATALOG_MANAGER in roles,
        "is_window_officer": Role.WINDOW_OFFICER in roles,
        "is_supervisor": Role.SUPERVISOR in roles,
        "is_approver": Role.APPROVER in roles,
        "colleagues": selectors.staff_visible_to(viewer=staff).count(),
        "second_factor": request.session.get(SECOND_FACTOR),
    }
    return render(request, "workbench/home.html", context)


@staff_required()
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Bind an authenticator app: scan the QR code, then confirm with one code."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=staff.user, name="default", defaults={"confirmed": False}
    )
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            services.audit_auth_event(
                action="auth.totp_bound", user=staff.user, source_ip=client_ip(request)
            )
            return redirect("workbench:home")
        error = "动态口令不正确，请确认手机时间准确后重试"
    url = "" if device.confirmed else device.config_url
    qr = mark_safe(segno.make(url, error="m").svg_inline(scale=4)) if url else ""  # noqa: S308
    context = {"device": device, "qr": qr, "error": error, "issuer": settings.OTP_TOTP_ISSUER}
    return render(request, "workbench/totp.html", context, status=400 if error else 200)


@staff_required(Role.SYSTEM_ADMIN)
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    """System administrator: the staff of their region, and new accounts."""
    form = StaffCreateForm(request.POST or None)
    departments = Department.objects.filter(
        region_prefix__startswith=staff.region_prefix, is_active=True
    ).order_by("region_id", "name")
    if request.method == "POST" and request.POST.get("action") == "move":
        return _staff_move(request, staff, departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = departments.filter(pk=data["department"]).first()
        if department is None:
            form.add_error("department", AccountsErrorCode.OUT_OF_SCOPE.message)
        else:
            try:
                services.staff_create(
                    actor=staff, username=data["username"], name=data["name"],
                    department=department, phone=data["phone"], password=data["password"],
                )  # fmt: skip
                return redirect("workbench:staff")
            except YiwangError as exc:
                form_error(form, exc)
    context = {
        "staff": staff,
        "people": selectors.staff_visible_to(viewer=staff).prefetch_related("roles")[:500],
        "departments": departments,
        "form": form,
    }
    return render(request, "workbench/staff.html", context, status=400 if form.errors else 200)


def _staff_move(request: HttpRequest, staff: Staff, departments: Any) -> HttpResponse:
    target_id, department_id = request.POST.get("staff", ""), request.POST.get("department", "")
    if not (target_id.isdigit() and department_id.isdigit()):
        raise AccountsError(AccountsErrorCode.INVALID, message="请选择人员和部门")
    target = selectors.staff_get_for(viewer=staff, staff_id=int(target_id))
    department = departments.filter(pk=int(department_id)).first()
    if department is None:
        raise AccountsError(AccountsErrorCode.OUT_OF_SCOPE)
    services.staff_move(actor=staff, staff=target, department=department)
    return redirect("workbench:staff")


@staff_required(Role.SECURITY_ADMIN)
@require_http_methods(["GET", "POST"])
def staff_roles(request: HttpRequest, staff: Staff, staff_id: int) -> HttpResponse:
    """Security administrator: grant and revoke roles of staff in their region."""
    target = selectors.staff_get_for(viewer=staff, staff_id=staff_id)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "revoke":
                services.staff_role_revoke(
                    actor=staff, staff=target, role=form.cleaned_data["role"]
                )
            else:
                services.staff_role_grant(actor=staff, staff=target, role=form.cleaned_data["role"])
            return redirect("workbench:staff_roles", staff_id=target.pk)
        except YiwangError as exc:
            form_error(form, exc)
    context = {"staff": staff, "target": target, "held": target.roles.all(), "form": form}
    return render(request, "workbench/roles.html", context, status=400 if form.errors else 200)


@staff_required(Role.SYSTEM_ADMIN)
@require_http_methods(["GET", "POST"])
def api_clients(request: HttpRequest, staff: Staff) -> HttpResponse:
    """System administrator: the department systems that call the staff API, each as one staff
    account of the region; a new client's secret is shown once, on the page after creating it."""
    visible = selectors.api_clients_visible_to(viewer=staff)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        client_id = request.POST.get("client", "")
        client = visible.filter(pk=int(client_id)).first() if client_id.isdigit() else None
        if client is None:
            raise AccountsError(AccountsErrorCode.OUT_OF_SCOPE, message="未找到该接口客户端")
        services.api_client_revoke(actor=staff, client=client)
        return redirect("workbench:api_clients")
    form = ApiClientForm(request.POST or None)
    # The new secret crosses the redirect in the session and is taken out on the first showing
    # (Post/Redirect/Get: reloading the page neither shows it again nor creates another client).
    shown = request.session.pop(NEW_CLIENT_KEY, None) if request.method == "GET" else None
    created = None
    if shown is not None:
        client = visible.filter(pk=shown[0]).first()
        created = (client, shown[1]) if client is not None else None
    if request.method == "POST" and form.is_valid():
        target = (
            selectors.staff_visible_to(viewer=staff)
            .filter(user__username=form.cleaned_data["username"].strip())
            .first()
        )
        if target is None:
            form.add_error("username", "未找到该用户名的工作人员，或不在您管理的区域内")
        else:
            try:
                client, secret = services.api_client_create(
                    actor=staff, staff=target, name=form.cleaned_data["name"]
                )
                request.session[NEW_CLIENT_KEY] = [client.pk, secret]
                return redirect("workbench:api_clients")
            except YiwangError as exc:
                form_error(form, exc)
    context = {"staff": staff, "clients": visible[:500], "form": form, "created": created}
    response = render(
        request, "workbench/api_clients.html", context, status=400 if form.errors else 200
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@staff_required(Role.AUDIT_ADMIN)
def audit_log(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Audit administrator: the audit chain, newest first, and its verification."""
    records = AuditRecord.objects.order_by("-seq")[:200]
    report = audit_verify() if request.GET.get("verify") else None
    return render(
        request, "workbench/audit.html", {"staff": staff, "records": records, "report": report}
    )
