"""The platform as client of the provincial identity provider (mozilla-django-oidc).

End to end: a second instance of this platform plays the provincial provider. It runs as a real
`yiwang serve` subprocess with its own data directory and SQLite database, a client registered
with `yiwang oidc_client`, and persons (with passwords) created with `yiwang shell`; this
instance is pointed at it through the settings, and people sign in there on its login page.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client

from yiwang.accounts.models import Person, User
from yiwang.accounts.oidc import config
from yiwang.accounts.oidc.errors import UpstreamRefusal
from yiwang.accounts.oidc.services import upstream_person_login
from yiwang.core.audit import actor_label
from yiwang.core.identifiers import resident_id_check_char
from yiwang.core.models import AuditRecord

BIN = Path(sys.executable).parent
BACKEND = "yiwang.accounts.oidc.upstream.UpstreamOIDCBackend"
CLIENT_ID = "qingyang-yiwang"
CLIENT_SECRET = "test-only-upstream-" + "Hk3nP7wQz2" * 4
CALLBACK = "http://testserver/o/upstream/callback/"
STARTUP_SECONDS = 90


def rid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


# The same resident as the `citizen` persona (张三), known upstream with another phone.
LINKED_ID = rid("62100219900101123")
NEW_ID = rid("62102119850607002")
BAD_ID = LINKED_ID[:17] + ("0" if LINKED_ID[17] != "0" else "1")  # wrong check character

PASSWORD = "Qingyang#2026"
# persona → (name, resident ID, phone, real-name level) in the provincial provider's database.
UPSTREAM_PEOPLE = {
    "linked": ("张三", LINKED_ID, "13912340001", 2),
    "new": ("王芳", NEW_ID, "13912340002", 3),
    "invalid": ("赵六", BAD_ID, "13912340003", 2),
}
UPSTREAM_SETUP = f"""
from yiwang.accounts.models import Person, User
for handle, (name, resident_id, phone, level) in {UPSTREAM_PEOPLE!r}.items():
    user = User(username="up-" + handle, kind=User.Kind.PERSON, display_name=name)
    user.set_password({PASSWORD!r})
    user.save()
    Person.objects.create(
        user=user, name=name, resident_id=resident_id, phone=phone, real_name_level=level
    )
print("people:", Person.objects.count())
"""


@dataclass(frozen=True)
class Upstream:
    base: str  # http://127.0.0.1:<port>

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _upstream_env(data_dir: Path) -> dict[str, str]:
    """A development instance of its own: own data directory, database, key and secret."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OIDC_", "YIWANG_", "DJANGO_"))
        and name not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    return {
        **inherited,
        "YIWANG_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'upstream.sqlite3'}",
        "OIDC_IDCARD_CLIENTS": CLIENT_ID,
    }


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [BIN / "yiwang", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    data_dir = tmp_path_factory.mktemp("provincial-idp")
    env = _upstream_env(data_dir)
    _run(env, "migrate", "-v0")
    _run(
        env, "oidc_client", "--name", "庆阳市一网通办", "--redirect-uri", CALLBACK,
        "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--skip-authorization",
    )  # fmt: skip
    assert "people: 3" in _run(env, "shell", "-c", UPSTREAM_SETUP)
    port = _free_port()
    log_path = data_dir / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [BIN / "yiwang", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: granian's workers go with it
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "upstream did not start:\n" + log_path.read_text()
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        assert (data_dir / "oidc_rsa.pem").stat().st_mode & 0o777 == 0o600
        yield Upstream(base=base)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture
def configured(settings: Any, upstream: Upstream) -> Upstream:
    """This instance, configured as `OIDC_UPSTREAM_*` would configure it."""
    environ = {
        "OIDC_UPSTREAM_ISSUER": upstream.issuer,
        "OIDC_UPSTREAM_CLIENT_ID": CLIENT_ID,
        "OIDC_UPSTREAM_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_UPSTREAM_AUTHORIZATION_ENDPOINT": f"{upstream.issuer}/authorize/",
        "OIDC_UPSTREAM_TOKEN_ENDPOINT": f"{upstream.issuer}/token/",
        "OIDC_UPSTREAM_USERINFO_ENDPOINT": f"{upstream.issuer}/userinfo/",
        "OIDC_UPSTREAM_JWKS_ENDPOINT": f"{upstream.issuer}/.well-known/jwks.json",
    }
    for name, value in config.upstream_settings(environ=environ).items():
        setattr(settings, name, value)
    settings.OIDC_UPSTREAM_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return upstream


def sign_in_upstream(client: Client, upstream: Upstream, persona: str) -> Any:
    """Our login → the provider's authorize endpoint → its login page, where the person signs
    in with phone and password → back to the authorize endpoint → our callback."""
    start = client.get("/o/upstream/login/?next=/me/cases/")
    assert start.status_code == 302
    target = urlsplit(start["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{upstream.issuer}/authorize/"
    query = {key: values[0] for key, values in parse_qs(target.query).items()}
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid profile phone idcard"
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    assert query["code_challenge_method"] == "S256"

    browser = requests.Session()
    to_login = browser.get(start["Location"], allow_redirects=False, timeout=30)
    assert to_login.status_code == 302
    login_url = urlsplit(urljoin(upstream.base, to_login.headers["Location"]))
    assert login_url.path == "/login/"
    next_url = parse_qs(login_url.query)["next"][0]
    assert next_url.startswith("/o/authorize/?")
    page = browser.get(login_url.geturl(), timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf is not None, page.text[:500]
    _, _, phone, _ = UPSTREAM_PEOPLE[persona]
    form = {"csrfmiddlewaretoken": csrf.group(1), "method": "password", "next": next_url}
    form.update(identifier=phone, password=PASSWORD)
    signed_in = browser.post(f"{upstream.base}/login/", form, allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert signed_in.headers["Location"] == next_url
    answer = browser.get(upstream.base + next_url, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    params = parse_qs(back.query)
    assert params["state"] == [query["state"]]
    assert "code" in params
    return client.get(f"{back.path}?{back.query}")


# --- Not configured ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_configuration_the_upstream_urls_do_not_exist(client: Client) -> None:
    assert django_settings.OIDC_UPSTREAM_ENABLED is False
    assert BACKEND not in django_settings.AUTHENTICATION_BACKENDS
    assert client.get("/o/upstream/login/").status_code == 404
    assert client.get("/o/upstream/callback/?code=x&state=y").status_code == 404


def test_configuration_is_all_or_nothing() -> None:
    assert config.upstream_settings(environ={}) == {}
    with pytest.raises(Exception, match="OIDC_UPSTREAM_TOKEN_ENDPOINT"):
        config.upstream_settings(
            environ={
                "OIDC_UPSTREAM_ISSUER": "https://idp.example.cn",
                "OIDC_UPSTREAM_CLIENT_ID": "x",
            }
        )


# --- End to end against a provider started by the test ---------------------------------------


def test_an_existing_person_is_linked_by_id_number(
    client: Client, configured: Upstream, citizen: Person
) -> None:
    users_before = User.objects.count()
    response = sign_in_upstream(client, configured, "linked")
    assert response.status_code == 302
    assert response["Location"] == "/me/cases/"
    assert client.session["_auth_user_id"] == str(citizen.user.pk)
    assert client.session["_auth_user_backend"] == BACKEND
    assert User.objects.count() == users_before
    citizen.refresh_from_db()
    assert (citizen.phone, citizen.real_name_level) == ("13800000011", 1)  # local data kept
    record = AuditRecord.objects.get(action="oidc.upstream_login")
    assert (record.actor, record.object_type, record.object_id) == (
        actor_label(citizen.user),
        "person",
        str(citizen.pk),
    )
    assert record.detail == {"issuer": configured.issuer, "created": False}
    assert not AuditRecord.objects.filter(action="oidc.upstream_link_created").exists()


def test_a_new_person_is_created_with_the_level_capped_at_two(
    client: Client, configured: Upstream, db: None
) -> None:
    response = sign_in_upstream(client, configured, "new")
    assert response.status_code == 302
    person = Person.objects.select_related("user").get(resident_id=NEW_ID)
    assert (person.name, person.phone, person.real_name_level) == ("王芳", "13912340002", 2)
    assert person.user.kind == User.Kind.PERSON
    assert not person.user.has_usable_password()
    assert NEW_ID not in person.user.username
    assert client.session["_auth_user_id"] == str(person.user.pk)
    actions = list(AuditRecord.objects.values_list("action", flat=True).order_by("seq"))
    assert actions == ["oidc.upstream_link_created", "oidc.upstream_login"]
    text = json.dumps(list(AuditRecord.objects.values("actor", "detail")), ensure_ascii=False)
    for personal in ("王芳", NEW_ID, "13912340002"):
        assert personal not in text


def test_claims_without_a_valid_id_number_are_refused_and_create_nothing(
    client: Client, configured: Upstream, db: None
) -> None:
    response = sign_in_upstream(client, configured, "invalid")
    assert response.status_code == 403
    html = response.content.decode()
    assert "省级统一身份认证平台提供的居民身份证号码无效" in html
    assert "未创建账号" in html
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()
    assert not Person.objects.exists()
    record = AuditRecord.objects.get(action="oidc.upstream_refused")
    assert record.detail == {"reason": "upstream_id_invalid"}
    assert BAD_ID not in json.dumps(record.detail)


# --- The link rules, one by one ---------------------------------------------------------------

ISSUER = "https://idp.gansu.example.cn/o"
GOOD = {"sub": "9", "id_number": NEW_ID, "name": "王芳", "phone_number": "13912340002"}


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({**GOOD, "id_number": ""}, "upstream_id_missing"),
        ({**GOOD, "id_number": NEW_ID[:15]}, "upstream_id_invalid"),
        ({**GOOD, "name": " "}, "upstream_name_missing"),
        ({**GOOD, "phone_number": None}, "upstream_phone_missing"),
        ({**GOOD, "phone_number": "010-12345678"}, "upstream_phone_missing"),
        ({**GOOD, "phone_number": "13800000011"}, "upstream_phone_taken"),  # 张三's phone
    ],
)
def test_claims_that_cannot_make_a_person_are_refused(
    claims: dict[str, Any], code: str, citizen: Person
) -> None:
    with pytest.raises(UpstreamRefusal) as refused:
        upstream_person_login(claims=claims, issuer=ISSUER)
    assert refused.value.code == code
    assert refused.value.status in {403, 409}
    assert Person.objects.count() == 1
    assert AuditRecord.objects.filter(action="oidc.upstream_refused").count() == 1


def test_a_disabled_account_is_refused(citizen: Person) -> None:
    User.objects.filter(pk=citizen.user.pk).update(is_active=False)
    with pytest.raises(UpstreamRefusal) as refused:
        upstream_person_login(claims={**GOOD, "id_number": citizen.resident_id}, issuer=ISSUER)
    assert refused.value.code == "upstream_account_disabled"
    assert not AuditRecord.objects.filter(action="oidc.upstream_login").exists()


@pytest.mark.parametrize(("level", "expected"), [(None, 1), ("x", 1), (1, 1), (2, 2), (3, 2)])
@pytest.mark.django_db
def test_the_upstream_level_counts_at_most_as_verified(level: Any, expected: int) -> None:
    person = upstream_person_login(claims={**GOOD, "real_name_level": level}, issuer=ISSUER)
    assert person.real_name_level == expected
