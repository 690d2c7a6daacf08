"""The platform as OpenID Connect provider for department systems (django-oauth-toolkit)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Application, RefreshToken

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.oidc import config
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.core.audit import actor_label, audit_verify
from yiwang.core.models import AuditRecord

ISSUER = "http://testserver/o"
CLIENT_ID = "bdcdj-qingyang"
CLIENT_SECRET = "test-only-secret-" + "Vq8rT2mWx9" * 4
REDIRECT_URI = "https://bdc.example.cn/sso/callback"
AFTER_LOGOUT = "https://bdc.example.cn/"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def register(*args: str, client_id: str = CLIENT_ID, secret: str | None = CLIENT_SECRET) -> str:
    out = StringIO()
    extra = ["--client-id", client_id] + (["--client-secret", secret] if secret else [])
    call_command(
        "oidc_client",
        "--name", "庆阳市不动产登记系统",
        "--redirect-uri", REDIRECT_URI,
        "--post-logout-redirect-uri", AFTER_LOGOUT,
        *extra,
        *args,
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


@pytest.fixture
def department_system(db: None) -> Application:
    """A department system the platform trusts (no consent page)."""
    register("--skip-authorization")
    return Application.objects.get(client_id=CLIENT_ID)


@pytest.fixture
def idcard_allowed(settings: Any) -> None:
    settings.OIDC_IDCARD_CLIENTS = [CLIENT_ID]


def authorize(client: Client, *, scope: str, challenge: str | None, **params: str) -> Any:
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "st-123",
        "nonce": "n-456",
    }
    if challenge is not None:
        query.update(code_challenge=challenge, code_challenge_method="S256")
    query.update(params)
    return client.get("/o/authorize/?" + urlencode(query))


def redirect_params(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content[:500]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def basic_auth(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    raw = f"{client_id}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def exchange(client: Client, code: str, verifier: str | None) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post("/o/token/", data, HTTP_AUTHORIZATION=basic_auth())


def login_to_system(client: Client, scope: str) -> dict[str, Any]:
    """The whole flow for a signed-in user: authorize → code → token endpoint."""
    verifier, challenge = pkce_pair()
    params = redirect_params(authorize(client, scope=scope, challenge=challenge))
    assert params["state"] == "st-123"
    response = exchange(client, params["code"], verifier)
    assert response.status_code == 200, response.content
    tokens: dict[str, Any] = response.json()
    return tokens


def verified_claims(client: Client, id_token: str) -> dict[str, Any]:
    """Check the ID token's signature with the published JWKS, and its issuer and audience."""
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    token = jwt.JWT(
        jwt=id_token,
        key=keys,
        algs=["RS256"],
        check_claims={"iss": ISSUER, "aud": CLIENT_ID, "exp": None},
    )
    claims: dict[str, Any] = json.loads(token.claims)
    return claims


# --- Discovery and keys -----------------------------------------------------------------------


def test_discovery_document_names_every_endpoint(client: Client) -> None:
    response = client.get("/o/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == f"{ISSUER}/authorize/"
    assert doc["token_endpoint"] == f"{ISSUER}/token/"
    assert doc["userinfo_endpoint"] == f"{ISSUER}/userinfo/"
    assert doc["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert doc["end_session_endpoint"] == f"{ISSUER}/logout/"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert set(doc["scopes_supported"]) == {"openid", "profile", "phone", "idcard"}
    assert {"sub", "name", "real_name_level", "user_type", "phone_number", "id_number"} <= set(
        doc["claims_supported"]
    )


def test_discovery_uses_the_configured_issuer(client: Client, settings: Any) -> None:
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_ISS_ENDPOINT": "https://zwfw.example.cn/o",
    }
    doc = client.get("/o/.well-known/openid-configuration").json()
    assert doc["issuer"] == "https://zwfw.example.cn/o"
    assert doc["token_endpoint"] == "https://zwfw.example.cn/o/token/"


def test_jwks_publishes_the_public_half_of_the_signing_key(client: Client) -> None:
    response = client.get("/o/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # no private part
    pem = django_settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode()
    public = serialization.load_pem_private_key(pem, password=None).public_key()
    expected = jwk.JWK.from_pyca(public)
    assert key["n"] == expected["n"]
    assert key["kid"] == expected.thumbprint()


# --- The authorization code flow --------------------------------------------------------------


@pytest.mark.usefixtures("department_system", "idcard_allowed")
def test_code_flow_with_pkce_gives_a_signed_id_token_with_the_id_number(
    client: Client, citizen: Person
) -> None:
    client.force_login(citizen.user)
    tokens = login_to_system(client, "openid profile idcard")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    claims = verified_claims(client, tokens["id_token"])
    assert claims["sub"] == str(citizen.user.pk)
    assert claims["name"] == "张三"
    assert claims["real_name_level"] == 1
    assert claims["user_type"] == "person"
    assert claims["id_number"] == citizen.resident_id
    assert claims["nonce"] == "n-456"
    assert claims["exp"] - claims["iat"] == 3600
    assert "phone_number" not in claims  # no `phone` scope


@pytest.mark.usefixtures("department_system", "idcard_allowed")
def test_without_the_idcard_scope_there_is_no_id_number(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    tokens = login_to_system(client, "openid profile phone")
    claims = verified_claims(client, tokens["id_token"])
    assert claims["name"] == "张三"
    assert claims["phone_number"] == citizen.phone
    assert "id_number" not in claims
    # Nothing of the person travels without the `profile` scope either.
    bare = verified_claims(client, login_to_system(client, "openid")["id_token"])
    assert bare["sub"] == str(citizen.user.pk)
    assert not {"name", "real_name_level", "phone_number", "id_number"} & set(bare)


@pytest.mark.usefixtures("department_system")
def test_idcard_scope_is_refused_to_a_client_not_allowed_it(
    client: Client, citizen: Person
) -> None:
    client.force_login(citizen.user)
    _, challenge = pkce_pair()
    params = redirect_params(authorize(client, scope="openid idcard", challenge=challenge))
    assert params["error"] == "invalid_scope"
    assert "code" not in params


@pytest.mark.usefixtures("department_system", "idcard_allowed")
def test_userinfo_answers_for_the_access_token_only(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    tokens = login_to_system(client, "openid profile phone")
    anonymous = Client()
    response = anonymous.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert response.status_code == 200
    info = response.json()
    assert info == {
        "sub": str(citizen.user.pk),
        "name": "张三",
        "real_name_level": 1,
        "user_type": "person",
        "phone_number": citizen.phone,
    }
    assert anonymous.get("/o/userinfo/").status_code == 401
    assert anonymous.get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    # Tokens are stored as hashes only (RFC 9700).
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()


@pytest.mark.usefixtures("department_system")
def test_staff_claims_name_their_department_and_region(client: Client, officer: Staff) -> None:
    client.force_login(officer.user)
    session = client.session
    session[SECOND_FACTOR] = "totp"  # signed in on the workbench with the second factor
    session.save()
    claims = verified_claims(client, login_to_system(client, "openid profile")["id_token"])
    assert claims["user_type"] == "staff"
    assert claims["name"] == officer.name
    assert claims["department_name"] == officer.department.name
    assert claims["region_code"] == "621002000000"
    assert "real_name_level" not in claims


@pytest.mark.usefixtures("department_system")
def test_refresh_token_gives_new_tokens_once(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    tokens = login_to_system(client, "openid profile")
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    first = client.post("/o/token/", data, HTTP_AUTHORIZATION=basic_auth())
    assert first.status_code == 200
    assert first.json()["access_token"] != tokens["access_token"]
    replay = client.post("/o/token/", data, HTTP_AUTHORIZATION=basic_auth())
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Replaying a rotated refresh token revokes the whole family.
    assert not AccessToken.objects.filter(user=citizen.user).exists()


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("department_system")
def test_authorize_without_pkce_is_refused(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    params = redirect_params(authorize(client, scope="openid", challenge=None))
    assert params["error"] == "invalid_request"
    assert "code" not in params


@pytest.mark.usefixtures("department_system")
def test_plain_pkce_is_refused(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    response = authorize(
        client,
        scope="openid",
        challenge=None,
        code_challenge="x" * 43,
        code_challenge_method="plain",
    )
    params = redirect_params(response)
    assert params["error"] == "invalid_request"
    assert "S256" in params["error_description"]
    assert "code" not in params


@pytest.mark.usefixtures("department_system")
def test_wrong_or_missing_verifier_and_reused_code_are_refused(
    client: Client, citizen: Person
) -> None:
    client.force_login(citizen.user)
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, scope="openid", challenge=challenge))["code"]
    wrong = exchange(client, code, pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    code = redirect_params(authorize(client, scope="openid", challenge=challenge))["code"]
    missing = exchange(client, code, None)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    code = redirect_params(authorize(client, scope="openid", challenge=challenge))["code"]
    assert exchange(client, code, verifier).status_code == 200
    reused = exchange(client, code, verifier)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


@pytest.mark.usefixtures("department_system")
def test_wrong_client_secret_is_refused(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, scope="openid", challenge=challenge))["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    data["code_verifier"] = verifier
    response = client.post("/o/token/", data, HTTP_AUTHORIZATION=basic_auth(secret="x" * 40))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.usefixtures("department_system")
def test_an_unregistered_redirect_uri_is_refused_without_redirecting(
    client: Client, citizen: Person
) -> None:
    client.force_login(citizen.user)
    _, challenge = pkce_pair()
    response = authorize(
        client, scope="openid", challenge=challenge, redirect_uri="https://evil.example.com/cb"
    )
    assert response.status_code == 400
    assert "Location" not in response
    assert "授权请求无效" in response.content.decode()


@pytest.mark.usefixtures("department_system")
def test_an_anonymous_user_is_sent_to_the_login_page(client: Client) -> None:
    _, challenge = pkce_pair()
    response = authorize(client, scope="openid", challenge=challenge)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"][0].startswith("/o/authorize/?")


# --- Consent, logout, audit -------------------------------------------------------------------


def test_a_system_that_needs_consent_shows_the_scopes_in_chinese(
    client: Client, citizen: Person, idcard_allowed: None
) -> None:
    register()  # no --skip-authorization
    client.force_login(citizen.user)
    verifier, challenge = pkce_pair()
    page = authorize(client, scope="openid profile idcard", challenge=challenge)
    assert page.status_code == 200
    html = page.content.decode()
    assert "庆阳市不动产登记系统 请求使用您的" in html
    assert "居民身份证号码" in html
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    refused = client.post("/o/authorize/", form)  # without "allow"
    assert redirect_params(refused)["error"] == "access_denied"
    allowed = client.post("/o/authorize/", {**form, "allow": "on"})
    code = redirect_params(allowed)["code"]
    assert exchange(client, code, verifier).status_code == 200


@pytest.mark.usefixtures("department_system")
def test_logout_with_the_id_token_ends_the_session_and_revokes_tokens(
    client: Client, citizen: Person
) -> None:
    client.force_login(citizen.user)
    tokens = login_to_system(client, "openid profile")
    query = {
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": AFTER_LOGOUT,
        "state": "bye",
    }
    response = client.get("/o/logout/?" + urlencode(query))
    assert response.status_code == 302
    assert response["Location"] == AFTER_LOGOUT + "?state=bye"
    assert "_auth_user_id" not in client.session
    assert not AccessToken.objects.filter(user=citizen.user).exists()
    assert not RefreshToken.objects.filter(user=citizen.user, revoked__isnull=True).exists()
    record = AuditRecord.objects.get(action="oidc.logout")
    assert (record.actor, record.object_type, record.object_id) == (
        actor_label(citizen.user),
        "oidc_client",
        CLIENT_ID,
    )


@pytest.mark.usefixtures("department_system")
def test_logout_to_an_unregistered_address_is_refused(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    tokens = login_to_system(client, "openid")
    query = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.cn/"}
    response = client.get("/o/logout/?" + urlencode(query))
    assert response.status_code == 400
    assert client.session["_auth_user_id"] == str(citizen.user.pk)
    assert not AuditRecord.objects.filter(action="oidc.logout").exists()


@pytest.mark.usefixtures("department_system", "idcard_allowed")
def test_each_token_issue_is_audited_without_personal_data(client: Client, citizen: Person) -> None:
    client.force_login(citizen.user)
    login_to_system(client, "openid profile phone idcard")
    login_to_system(client, "openid")
    records = AuditRecord.objects.filter(action="oidc.token_issued").order_by("seq")
    assert [(r.actor, r.object_type, r.object_id) for r in records] == [
        (actor_label(citizen.user), "oidc_client", CLIENT_ID)
    ] * 2
    assert records[0].detail["grant_type"] == "authorization_code"
    text = json.dumps([(r.actor, r.detail) for r in records], ensure_ascii=False)
    for personal in (citizen.name, citizen.resident_id, citizen.phone):
        assert personal not in text
    assert audit_verify().ok


# --- Registration of clients ------------------------------------------------------------------


@pytest.mark.django_db
def test_oidc_client_command_creates_then_updates_keeping_the_secret(client: Client) -> None:
    out = register(secret=None)
    assert "client_id: " + CLIENT_ID in out
    generated = out.split("client_secret: ")[1].split()[0]
    app = Application.objects.get(client_id=CLIENT_ID)
    assert (app.client_type, app.authorization_grant_type, app.algorithm) == (
        "confidential",
        "authorization-code",
        "RS256",
    )
    assert app.client_secret != generated  # stored as a hash
    out = register("--skip-authorization", secret=None)
    assert "已更新" in out
    assert "client_secret" not in out
    app.refresh_from_db()
    assert app.skip_authorization
    assert Application.objects.count() == 1
    assert (
        client.post(
            "/o/revoke_token/", {"token": "x"}, HTTP_AUTHORIZATION=basic_auth(secret=generated)
        ).status_code
        == 200
    )  # the generated secret still authenticates the client
    actions = list(AuditRecord.objects.values_list("action", flat=True).order_by("seq"))
    assert actions == ["oidc.client_created", "oidc.client_updated"]


@pytest.mark.django_db
def test_oidc_client_command_refuses_bad_input() -> None:
    with pytest.raises(CommandError, match="至少需要"):
        register(secret="short")
    with pytest.raises(CommandError, match="redirect_uris"):
        call_command(
            "oidc_client", "--name", "x", "--redirect-uri", "ftp://x.example.cn/cb",
            stdout=StringIO(),
        )  # fmt: skip
    assert not Application.objects.exists()


# --- The signing key --------------------------------------------------------------------------


def test_development_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = config.signing_key(data_dir=tmp_path, production=False, environ={})
    assert (tmp_path / "oidc_rsa.pem").stat().st_mode & 0o777 == 0o600
    assert config.signing_key(data_dir=tmp_path, production=False, environ={}) == first
    assert list(tmp_path.iterdir()) == [tmp_path / "oidc_rsa.pem"]  # no temporary file left


def test_production_refuses_to_start_without_the_key(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="OIDC_RSA_PRIVATE_KEY must be set"):
        config.signing_key(data_dir=tmp_path, production=True, environ={})
    assert not (tmp_path / "oidc_rsa.pem").exists()


def test_the_key_from_the_environment_is_used_and_checked(tmp_path: Path) -> None:
    pem = config.signing_key(data_dir=tmp_path / "a", production=False, environ={})
    one_line = pem.strip().replace("\n", "\\n")
    env = {"OIDC_RSA_PRIVATE_KEY": one_line}
    assert config.signing_key(data_dir=tmp_path / "b", production=True, environ=env) == pem
    assert not (tmp_path / "b").exists()
    with pytest.raises(ImproperlyConfigured, match="not a PEM private key"):
        config.signing_key(
            data_dir=tmp_path, production=True, environ={"OIDC_RSA_PRIVATE_KEY": "secret"}
        )
    retired = config.inactive_keys(environ={"OIDC_RSA_PRIVATE_KEYS_INACTIVE": pem + pem})
    assert retired == [pem, pem]


def test_staff_must_pass_the_second_factor_before_authorizing(
    client: Client, officer: Staff
) -> None:
    """A password-only staff session is sent to the staff login, keeping where it was going."""
    client.force_login(officer.user)
    url = "/o/authorize/?response_type=code&client_id=x&scope=openid"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/workbench/login/?next=%2Fo%2Fauthorize%2F")
