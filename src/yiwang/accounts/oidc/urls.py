"""Single sign-on URLs, mounted at /o/ (`path("o/", include("yiwang.accounts.oidc.urls"))`).

Provider endpoints keep django-oauth-toolkit's URL names. Its client-management pages are
deliberately not mounted: department systems are registered by administrators (admin or
`yiwang oidc_client`), never by end users.
"""

from django.urls import path
from oauth2_provider import views as provider_views

from yiwang.accounts.oidc import views

app_name = "oidc"

urlpatterns = [
    # The platform as provider for department systems.
    path(
        ".well-known/openid-configuration",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", provider_views.JwksInfoView.as_view(), name="jwks-info"),
    path("authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("token/", provider_views.TokenView.as_view(), name="token"),
    path("revoke_token/", provider_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("userinfo/", provider_views.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    # The platform as client of the provincial identity provider (404 unless configured).
    path(
        "upstream/login/",
        views.upstream_only(views.UpstreamLoginView.as_view()),
        name="upstream_login",
    ),
    path(
        "upstream/callback/",
        views.upstream_only(views.UpstreamCallbackView.as_view()),
        name="upstream_callback",
    ),
]
