"""Endpoints of single sign-on. The protocol is django-oauth-toolkit's and mozilla-django-oidc's;
these subclasses only give them the platform's URL namespace, Chinese pages and audit records."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from oauth2_provider import views as provider_views
from oauth2_provider.models import AbstractApplication, AbstractGrant
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.metadata import (
    bcp_filter_code_challenge_methods,
    bcp_filter_response_types,
)

from yiwang.accounts.oidc.errors import UpstreamRefusal
from yiwang.accounts.oidc.provider import issuer_url
from yiwang.accounts.oidc.upstream import REFUSAL_ATTRIBUTE
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.core.audit import actor_label, audit_record

# --- The provider -----------------------------------------------------------------------------


class AuthorizationView(provider_views.AuthorizationView):
    """Authorization endpoint; anonymous users are sent to `settings.LOGIN_URL` first, and a
    staff member who has not passed the second factor to the staff login."""

    template_name = "oidc/authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "kind", "") == "staff"
            and not request.session.get(SECOND_FACTOR)
        ):
            target = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{settings.STAFF_LOGIN_URL}?{target}")
        return super().dispatch(request, *args, **kwargs)


class DiscoveryView(provider_views.ConnectDiscoveryInfoView):
    """The discovery document.

    django-oauth-toolkit's own view reverses its URL names in the `oauth2_provider:` namespace and
    computes the issuer the same way; the endpoints live in the platform's `oidc:` namespace, so
    the document is assembled here from the same settings and helpers.
    """

    def _get_endpoint_url(
        self, request: HttpRequest, view_name: str, required: bool = False
    ) -> str:
        path = reverse(f"oidc:{view_name}")
        issuer = oauth2_settings.OIDC_ISS_ENDPOINT
        if not issuer:
            return request.build_absolute_uri(path)
        parts = urlsplit(issuer)
        return f"{parts.scheme}://{parts.netloc}{path}"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
        data: dict[str, Any] = {
            "issuer": issuer_url(request),
            "authorization_endpoint": self._get_endpoint_url(request, "authorize"),
            "token_endpoint": self._get_endpoint_url(request, "token"),
            "userinfo_endpoint": self._get_endpoint_url(request, "user-info"),
            "jwks_uri": self._get_endpoint_url(request, "jwks-info"),
            "end_session_endpoint": self._get_endpoint_url(request, "rp-initiated-logout"),
            "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
            "scopes_supported": list(oauth2_settings.SCOPES_BACKEND_CLASS().get_available_scopes()),
            "response_types_supported": bcp_filter_response_types(
                oauth2_settings.OIDC_RESPONSE_TYPES_SUPPORTED
            ),
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": oauth2_settings.OIDC_SUBJECT_TYPES_SUPPORTED,
            # Clients are registered with RS256 (HS256 would need the secret in clear).
            "id_token_signing_alg_values_supported": [AbstractApplication.RS256_ALGORITHM],
            "token_endpoint_auth_methods_supported": (
                oauth2_settings.OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED
            ),
            "code_challenge_methods_supported": bcp_filter_code_challenge_methods(
                [method for method, _ in AbstractGrant.CODE_CHALLENGE_METHODS]
            ),
            "claims_supported": sorted(set(validator.get_discovery_claims(request))),
            "prompt_values_supported": ["none", "login"],
        }
        if oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
            data["authorization_response_iss_parameter_supported"] = True
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        response["Access-Control-Allow-Origin"] = "*"
        return response


class LogoutView(provider_views.RPInitiatedLogoutView):
    """RP-initiated logout: ends the platform session, revokes the user's tokens, audits."""

    template_name = "oidc/logout_confirm.html"

    def do_logout(
        self,
        application: Any = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        token_user: Any = None,
    ) -> HttpResponse:
        user = token_user or self.request.user
        if user.is_authenticated:
            audit_record(
                actor=actor_label(user),
                action="oidc.logout",
                object_type="oidc_client",
                object_id=application.client_id if application is not None else "",
                source_ip=self.request.META.get("REMOTE_ADDR"),
            )
        return super().do_logout(application, post_logout_redirect_uri, state, token_user)


# --- The provincial provider (upstream) -------------------------------------------------------


def upstream_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless the provincial identity provider is configured."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OIDC_UPSTREAM_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class UpstreamLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to the provincial provider (state, nonce and PKCE S256)."""


class UpstreamCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provincial provider: the backend links or creates the person."""

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        if not isinstance(refusal, UpstreamRefusal):
            refusal = UpstreamRefusal.failed()
        context = {
            "error": refusal.as_dict(),
            "status": refusal.status,
            "login_url": settings.LOGIN_URL,
        }
        return render(self.request, "oidc/upstream_refused.html", context, status=refusal.status)
