"""The platform as OpenID Connect provider: claims, scopes and the issuer.

django-oauth-toolkit speaks the protocol; this module only says what the platform knows about a
user (the claims, grouped by scope), which client may ask for what, and writes the audit record
of every token it issues.

Subject (`sub`): the user's primary key as a string ("42"). It is stable for the life of the
account (users are never deleted, persons are PROTECTed), never reused, and carries no
personal data: the resident ID number is only ever sent as the `id_number` claim of the
`idcard` scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.settings import oauth2_settings

from yiwang.accounts.models import Person, Staff, User
from yiwang.accounts.oidc.config import IDCARD_SCOPE
from yiwang.core.audit import actor_label, audit_record

# oauthlib's request object (oauthlib ships no type hints): carries `user`, `client`, `scopes`,
# `grant_type` and `headers` (a copy of Django's META).
OAuthlibRequest = Any

# Claim → the scope that releases it. `sub` comes with `openid`.
CLAIM_SCOPES = {
    "name": "profile",
    "user_type": "profile",
    "real_name_level": "profile",
    "department_name": "profile",
    "region_code": "profile",
    "phone_number": "phone",
    "id_number": IDCARD_SCOPE,
}

DISCOVERY_PATH = "/.well-known/openid-configuration"


def user_claims(user: User) -> dict[str, Any]:
    """Every claim the platform can make about a user; None where it does not apply.

    Persons: name, real-name level, phone, resident ID number. Staff: name, department name,
    the department's 12-digit region code, and their phone if one is on file.
    """
    claims: dict[str, Any] = dict.fromkeys(CLAIM_SCOPES)
    claims["user_type"] = user.kind
    claims["name"] = user.display_name or None
    if user.kind == User.Kind.PERSON:
        person = Person.objects.filter(user=user).first()
        if person is not None:
            claims["name"] = person.name
            claims["real_name_level"] = int(person.real_name_level)
            claims["phone_number"] = person.phone
            claims["id_number"] = person.resident_id
    else:
        staff = Staff.objects.select_related("department").filter(user=user).first()
        if staff is not None:
            claims["name"] = staff.name
            claims["department_name"] = staff.department.name
            claims["region_code"] = staff.department.region_id
            claims["phone_number"] = staff.phone or None
    return claims


def _claims_of(request: OAuthlibRequest) -> dict[str, Any]:
    """The user's claims, computed once per token or userinfo request."""
    cached: dict[str, Any] | None = getattr(request, "yiwang_claims", None)
    if cached is None:
        cached = user_claims(request.user)
        request.yiwang_claims = cached
    return cached


def _claim(name: str) -> Callable[[OAuthlibRequest], Any]:
    return lambda request: _claims_of(request)[name]


class _OAuthlibHttpRequest(HttpRequest):
    """A Django request rebuilt from the headers django-oauth-toolkit hands to oauthlib (a copy
    of the original META), only to build absolute URLs."""

    def __init__(self, meta: dict[str, Any]) -> None:
        super().__init__()
        self.META = meta

    def _get_scheme(self) -> str:
        if self.META.get("X_DJANGO_OAUTH_TOOLKIT_SECURE"):
            return "https"
        return str(self.META.get("wsgi.url_scheme", "http"))


def issuer_url(request: HttpRequest | OAuthlibRequest) -> str:
    """The issuer: `OIDC_ISSUER` when configured (required in production), else derived from
    the request's host, e.g. "http://127.0.0.1:8000/o"."""
    configured = oauth2_settings.OIDC_ISS_ENDPOINT
    if configured:
        return str(configured).rstrip("/")
    if not isinstance(request, HttpRequest):
        request = _OAuthlibHttpRequest(dict(request.headers))
    discovery = request.build_absolute_uri(reverse("oidc:oidc-connect-discovery-info"))
    return discovery.removesuffix(DISCOVERY_PATH)


class ClaimsValidator(OAuth2Validator):
    """django-oauth-toolkit's validator with the platform's claims, issuer and audit."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, **CLAIM_SCOPES}

    def get_additional_claims(self) -> dict[str, Callable[[OAuthlibRequest], Any]]:
        # Request-agnostic form: the claims are listed in the discovery document and computed
        # only when a granted scope releases them.
        return {name: _claim(name) for name in CLAIM_SCOPES}

    def get_oidc_claims(
        self, token: Any, token_handler: Any, request: OAuthlibRequest
    ) -> dict[str, Any]:
        claims = super().get_oidc_claims(token, token_handler, request)
        return {name: value for name, value in claims.items() if value is not None}

    def get_oidc_issuer_endpoint(self, request: HttpRequest | OAuthlibRequest) -> str:
        return issuer_url(request)

    def _save_bearer_token(
        self, token: dict[str, Any], request: OAuthlibRequest, *args: Any, **kwargs: Any
    ) -> None:
        """Store the tokens and, in the same transaction, record the issue (no personal data:
        the actor label carries the opaque username)."""
        super()._save_bearer_token(token, request, *args, **kwargs)
        audit_record(
            actor=actor_label(request.user),
            action="oidc.token_issued",
            object_type="oidc_client",
            object_id=request.client.client_id,
            source_ip=request.headers.get("REMOTE_ADDR"),
            detail={"grant_type": request.grant_type or "", "scope": token.get("scope", "")},
        )


class ClientScopes(SettingsScopes):
    """All scopes are published; `idcard` is available only to the clients listed in
    `settings.OIDC_IDCARD_CLIENTS` (systems that must link a login to a resident ID number)."""

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        scopes = list(super().get_available_scopes(application, request, *args, **kwargs))
        if application is not None and application.client_id not in settings.OIDC_IDCARD_CLIENTS:
            scopes = [scope for scope in scopes if scope != IDCARD_SCOPE]
        return scopes
