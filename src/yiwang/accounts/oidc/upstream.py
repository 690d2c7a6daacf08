"""The platform as a client of the provincial identity provider (mozilla-django-oidc).

Active only when the `OIDC_UPSTREAM_*` variables are set (see `config.upstream_settings`): the
settings then add `UpstreamOIDCBackend` to AUTHENTICATION_BACKENDS and the login and callback
URLs answer. The provider's identity is linked to a local person by resident ID number.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from yiwang.accounts.models import User
from yiwang.accounts.oidc.errors import UpstreamRefusal
from yiwang.accounts.oidc.services import upstream_person_login

REFUSAL_ATTRIBUTE = "oidc_upstream_refusal"  # read by views.UpstreamCallbackView


class UpstreamOIDCBackend(OIDCAuthenticationBackend):
    """Authorization code flow with PKCE against the provincial provider; ID tokens verified
    with its JWKS (RS256), and additionally for audience and issuer."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not settings.OIDC_UPSTREAM_ENABLED:
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("upstream ID token is for another client")
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_UPSTREAM_ISSUER:
            raise SuspiciousOperation("upstream ID token comes from another issuer")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        try:
            person = upstream_person_login(
                claims=claims,
                issuer=settings.OIDC_UPSTREAM_ISSUER,
                source_ip=self.request.META.get("REMOTE_ADDR"),
            )
        except UpstreamRefusal as refusal:
            setattr(self.request, REFUSAL_ATTRIBUTE, refusal)
            return None
        return person.user
