"""Single sign-on (一次登录、全网通办).

The platform is an OpenID Connect provider for department business systems
(django-oauth-toolkit: `provider`, `views`) and, when configured, a client of the provincial
identity provider (mozilla-django-oidc: `upstream`, `services`). `config` is read by the
settings module and imports nothing from Django's app registry. See docs/sso.md.
"""
