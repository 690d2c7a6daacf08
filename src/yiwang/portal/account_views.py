"""Portal pages for persons: register, log in (password or SMS code), personal center,
real-name items, enterprises, agents and the enterprise switcher."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts import selectors, services
from yiwang.accounts.backends import user_for_identifier
from yiwang.accounts.errors import AccountsError, AccountsErrorCode
from yiwang.accounts.forms import (
    AgentGrantForm,
    CodeLoginForm,
    EnterpriseForm,
    EvidenceForm,
    PasswordLoginForm,
    PhoneForm,
    RegisterForm,
)
from yiwang.accounts.models import AgentGrant, OneTimeCode, Person, User
from yiwang.accounts.web import client_ip, form_error
from yiwang.core.errors import YiwangError
from yiwang.core.masking import mask_phone, mask_resident_id

ACTING = "acting_enterprise_id"


def _person_or_403(request: HttpRequest) -> Person:
    person = selectors.person_of(request.user)  # type: ignore[arg-type]
    if person is None:
        raise AccountsError(AccountsErrorCode.ROLE_REQUIRED, message="此页面仅供个人用户使用")
    return person


def _send_code(request: HttpRequest, purpose: str) -> HttpResponse:
    form = PhoneForm(request.POST)
    message, ok, status = "", False, 200
    if form.is_valid():
        try:
            services.otp_code_send(
                phone=form.cleaned_data["phone"], purpose=purpose, source_ip=client_ip(request)
            )
            ok, message = True, "验证码已发送，5分钟内有效"
        except YiwangError as exc:
            message, status = exc.message, exc.status
    else:
        message, status = "请先填写手机号码", 400
    return render(request, "portal/_code_sent.html", {"ok": ok, "message": message}, status=status)


@require_POST
def register_code(request: HttpRequest) -> HttpResponse:
    return _send_code(request, OneTimeCode.Purpose.REGISTER)


@require_POST
def login_code(request: HttpRequest) -> HttpResponse:
    return _send_code(request, OneTimeCode.Purpose.LOGIN)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_register(
                name=data["name"],
                resident_id=data["resident_id"],
                phone=data["phone"],
                password=data["password"],
                code=data["code"],
                source_ip=client_ip(request),
            )
        except YiwangError as exc:
            form_error(form, exc)
        else:
            login(request, person.user, backend="yiwang.accounts.backends.IdentifierBackend")
            services.audit_auth_event(
                action="auth.login", user=person.user, source_ip=client_ip(request),
                detail={"method": "register"},
            )  # fmt: skip
            return redirect("portal:me")
    status = 400 if form.errors else 200
    return render(request, "portal/register.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    method = request.POST.get("method") or request.GET.get("method") or "password"
    posted = request.POST if request.method == "POST" else None  # a GET shows empty forms
    password_form = PasswordLoginForm(posted if method == "password" else None)
    code_form = CodeLoginForm(posted if method == "code" else None)
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("portal:me")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("portal:me")
    user: User | None = None
    if request.method == "POST" and method == "password" and password_form.is_valid():
        data = password_form.cleaned_data
        user = authenticate(request, username=data["identifier"], password=data["password"])
        if getattr(request, "axes_locked_out", False):
            return HttpResponse(status=403)  # replaced by AxesMiddleware with the lockout page
        if user is None or user.kind != User.Kind.PERSON:
            services.audit_auth_event(
                action="auth.login_failed", user=None, source_ip=client_ip(request),
                detail={"method": "password"},
            )  # fmt: skip
            password_form.add_error(None, AccountsErrorCode.LOGIN_FAILED.message)
            user = None
    elif request.method == "POST" and method == "code" and code_form.is_valid():
        data = code_form.cleaned_data
        try:
            services.otp_code_verify(
                phone=data["phone"], purpose=OneTimeCode.Purpose.LOGIN, code=data["code"]
            )
        except YiwangError as exc:
            form_error(code_form, exc)
        else:
            user = user_for_identifier(data["phone"])
            if user is None or not user.is_active:
                code_form.add_error(None, "该手机号码尚未注册，请先注册")
                user = None
    if user is not None:
        login(request, user, backend="yiwang.accounts.backends.IdentifierBackend")
        services.audit_auth_event(
            action="auth.login", user=user, source_ip=client_ip(request), detail={"method": method}
        )
        return HttpResponseRedirect(next_url)
    context = {
        "password_form": password_form,
        "code_form": code_form,
        "method": method,
        "next": next_url,
        "upstream_enabled": settings.OIDC_UPSTREAM_ENABLED,
    }
    status = 400 if (password_form.errors or code_form.errors) else 200
    return render(request, "portal/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    logout(request)  # flushes the server-side session
    if user is not None:
        services.audit_auth_event(action="auth.logout", user=user, source_ip=client_ip(request))
    return redirect("portal:home")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    person = _person_or_403(request)
    return render(request, "portal/me.html", _me_context(request, person))


def _me_context(request: HttpRequest, person: Person) -> dict[str, object]:
    enterprises = list(selectors.enterprises_for_person(person=person))
    acting = None
    if request.session.get(ACTING):
        try:
            acting = selectors.acting_enterprise_get(
                person=person, enterprise_id=request.session[ACTING]
            )
        except AccountsError:
            request.session.pop(ACTING, None)  # the grant ended: act as oneself again
    represented = selectors.enterprises_with_grants(person=person)
    context = {
        "person": person,
        "masked_id": mask_resident_id(person.resident_id),
        "masked_phone": mask_phone(person.phone),
        "evidence": list(person.evidence.order_by("verified_at")),
        "enterprises": enterprises,
        "represented": represented,
        "acting": acting,
        "evidence_form": EvidenceForm(),
        "enterprise_form": EnterpriseForm(initial={"legal_representative_name": person.name}),
        "grant_form": AgentGrantForm(),
    }
    return context


def _back_with(request: HttpRequest, errors: list[str]) -> HttpResponse:
    """Re-render the personal center with the refusal and a 400; nothing was changed."""
    person = _person_or_403(request)
    context = {**_me_context(request, person), "errors": errors}
    return render(request, "portal/me.html", context, status=400)


def _messages(form_errors: Mapping[str, Iterable[Any]] | list[str]) -> list[str]:
    if isinstance(form_errors, list):
        return form_errors
    return [str(message) for messages in form_errors.values() for message in messages]


@login_required
@require_POST
def verify_item(request: HttpRequest) -> HttpResponse:
    person = _person_or_403(request)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _back_with(request, _messages(form.errors))
    try:
        services.person_verify_item(
            person=person, kind=form.cleaned_data["kind"], number=form.cleaned_data["number"]
        )
    except YiwangError as exc:
        return _back_with(request, _messages(exc.fields) or [exc.message])
    return redirect("portal:me")


@login_required
@require_POST
def enterprise_add(request: HttpRequest) -> HttpResponse:
    person = _person_or_403(request)
    form = EnterpriseForm(request.POST)
    if not form.is_valid():
        return _back_with(request, _messages(form.errors))
    try:
        services.enterprise_register(person=person, **form.cleaned_data)
    except YiwangError as exc:
        return _back_with(request, _messages(exc.fields) or [exc.message])
    return redirect("portal:me")


@login_required
@require_POST
def grant_add(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    person = _person_or_403(request)
    form = AgentGrantForm(request.POST)
    if not form.is_valid():
        return _back_with(request, _messages(form.errors))
    try:
        enterprise = selectors.acting_enterprise_get(person=person, enterprise_id=enterprise_id)
        services.agent_grant(enterprise=enterprise, granted_by=person, **form.cleaned_data)
    except YiwangError as exc:
        return _back_with(request, _messages(exc.fields) or [exc.message])
    return redirect("portal:me")


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    person = _person_or_403(request)
    grant = AgentGrant.objects.select_related("enterprise").filter(pk=grant_id).first()
    if grant is None or grant.enterprise.legal_representative_id != person.pk:
        return _back_with(request, [AccountsErrorCode.NOT_LEGAL_REPRESENTATIVE.message])
    services.agent_revoke(grant=grant, revoked_by=person)
    return redirect("portal:me")


@login_required
@require_POST
def act_as(request: HttpRequest) -> HttpResponse:
    """The enterprise switcher: act for an enterprise, or (empty value) as oneself."""
    person = _person_or_403(request)
    raw = request.POST.get("enterprise", "")
    if not raw:
        request.session.pop(ACTING, None)
        return redirect("portal:me")
    try:
        enterprise = selectors.acting_enterprise_get(person=person, enterprise_id=int(raw))
    except (ValueError, AccountsError):
        return _back_with(request, [AccountsErrorCode.NOT_AN_AGENT.message])
    request.session[ACTING] = enterprise.pk
    return redirect("portal:me")
