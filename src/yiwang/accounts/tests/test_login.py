"""Logging in on the portal and the workbench: one message for every failure, lockout keyed on
account and address, idle and absolute timeouts, server-side logout, the second factor."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts.middleware import LOGIN_AT, SEEN_AT
from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.conftest import PASSWORD
from yiwang.core.models import AuditRecord
from yiwang.notify.backends import last_code_for

pytestmark = pytest.mark.django_db


def totp_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _login(client: Client, identifier: str, password: str, ip: str = "10.1.1.1") -> object:
    return client.post(
        "/login/",
        {"method": "password", "identifier": identifier, "password": password},
        REMOTE_ADDR=ip,
    )


class TestPortalLogin:
    def test_login_with_id_number_or_phone(self, client: Client, citizen: Person) -> None:
        response = _login(client, citizen.resident_id.lower(), PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/me/"
        client.post("/logout/")
        assert _login(client, citizen.phone, PASSWORD).status_code == 302
        assert AuditRecord.objects.filter(action="auth.login").count() == 2
        assert AuditRecord.objects.filter(action="auth.logout").count() == 1

    def test_a_signed_in_request_reads_the_user_and_person_in_one_query(
        self, client: Client, citizen: Person
    ) -> None:
        assert _login(client, citizen.phone, PASSWORD).status_code == 302
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/").status_code == 200
        users = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
        assert len(users) == 1 and '"accounts_person"' in users[0], users
        alone = [q["sql"] for q in queries if q["sql"].startswith('SELECT "accounts_person"')]
        assert alone == []

    def test_same_message_for_unknown_account_and_wrong_password(
        self, client: Client, citizen: Person
    ) -> None:
        unknown = _login(client, "13899999999", PASSWORD)
        wrong = _login(client, citizen.phone, "not-the-password")
        assert unknown.status_code == wrong.status_code == 400
        assert "账号或密码不正确" in unknown.content.decode()
        assert "账号或密码不正确" in wrong.content.decode()
        assert AuditRecord.objects.filter(action="auth.login_failed").count() == 2

    def test_lockout_is_keyed_on_account_and_address(
        self, client: Client, citizen: Person, other_citizen: Person
    ) -> None:
        for _ in range(5):
            _login(client, citizen.phone, "wrong", ip="10.9.9.9")
        locked = _login(client, citizen.phone, PASSWORD, ip="10.9.9.9")
        assert locked.status_code == 403
        assert "暂时锁定" in locked.content.decode()
        # The same account from another address, and another account from the same address, work.
        assert _login(Client(), citizen.phone, PASSWORD, ip="10.8.8.8").status_code == 302
        assert _login(Client(), other_citizen.phone, PASSWORD, ip="10.9.9.9").status_code == 302
        assert AuditRecord.objects.filter(action="auth.locked_out").exists()

    def test_no_identifier_reaches_the_lockout_table(self, client: Client, citizen: Person) -> None:
        from axes.models import AccessAttempt

        _login(client, citizen.resident_id, "wrong")
        attempt = AccessAttempt.objects.get()
        assert citizen.resident_id not in attempt.username
        assert attempt.username.startswith("id:")

    @pytest.mark.django_db(transaction=True)
    def test_login_with_an_sms_code(self, client: Client, citizen: Person, sms_file: Path) -> None:
        assert client.post("/login/code/", {"phone": citizen.phone}).status_code == 200
        call_command("worker", "--batch", verbosity=0)
        code = last_code_for(citizen.phone, path=sms_file)
        response = client.post("/login/", {"method": "code", "phone": citizen.phone, "code": code})
        assert response.status_code == 302
        # Single use: the same code does not log in twice.
        again = Client().post("/login/", {"method": "code", "phone": citizen.phone, "code": code})
        assert again.status_code == 400
        assert "无效或已过期" in again.content.decode()

    def test_next_must_stay_on_this_site(self, client: Client, citizen: Person) -> None:
        response = client.post(
            "/login/",
            {"method": "password", "identifier": citizen.phone, "password": PASSWORD,
             "next": "//evil.example/"},
        )  # fmt: skip
        assert response["Location"] == "/me/"


class TestSessions:
    def test_logout_ends_the_session_on_the_server(self, client: Client, citizen: Person) -> None:
        _login(client, citizen.phone, PASSWORD)
        old_key = client.cookies["sessionid"].value
        client.post("/logout/")
        stolen = Client()
        stolen.cookies["sessionid"] = old_key
        assert stolen.get("/me/").status_code == 302  # to the login page

    def test_idle_timeout(self, client: Client, citizen: Person, settings: object) -> None:
        _login(client, citizen.phone, PASSWORD)
        assert client.get("/me/").status_code == 200
        session = client.session
        session[SEEN_AT] = time.time() - 31 * 60
        session.save()
        response = client.get("/me/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert AuditRecord.objects.filter(
            action="auth.session_expired", detail__reason="idle"
        ).exists()

    def test_absolute_timeout_even_when_active(self, client: Client, citizen: Person) -> None:
        _login(client, citizen.phone, PASSWORD)
        client.get("/me/")
        session = client.session
        session[LOGIN_AT] = time.time() - 13 * 3600
        session[SEEN_AT] = time.time()
        session.save()
        assert client.get("/me/").status_code == 302


class TestWorkbenchLogin:
    def _password(self, client: Client, username: str, password: str = PASSWORD) -> object:
        return client.post("/workbench/login/", {"username": username, "password": password})

    def test_password_alone_opens_nothing(self, client: Client, officer: Staff) -> None:
        response = self._password(client, "officer")
        assert response["Location"] == "/workbench/login/second/"
        assert client.get("/workbench/").status_code == 302
        assert "_auth_user_id" not in client.session

    def test_totp_second_factor(self, client: Client, officer: Staff) -> None:
        device = TOTPDevice.objects.create(user=officer.user, name="app", confirmed=True)
        self._password(client, "officer")
        wrong = client.post("/workbench/login/second/", {"method": "totp", "token": "000000"})
        assert wrong.status_code == 400
        time.sleep(1.1)  # django-otp throttles: a second try waits 2^(failures-1) seconds
        token = totp_now(device)
        response = client.post("/workbench/login/second/", {"method": "totp", "token": token})
        assert response.status_code == 302
        home = client.get("/workbench/")
        assert home.status_code == 200
        assert "密码 + 动态口令" in home.content.decode()
        record = AuditRecord.objects.filter(action="auth.login").last()
        assert record is not None and record.detail == {"method": "password+totp"}

    def test_a_signed_in_request_reads_the_staff_member_with_the_user(
        self, client: Client, officer: Staff
    ) -> None:
        """After password + TOTP, a workbench page reads the user with the staff member, the
        department and the region in one query, the roles in one more, and not the device."""
        device = TOTPDevice.objects.create(user=officer.user, name="app", confirmed=True)
        self._password(client, "officer")
        client.post("/workbench/login/second/", {"method": "totp", "token": totp_now(device)})
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/workbench/cases/").status_code == 200
        sql = [q["sql"] for q in queries]
        users = [q for q in sql if 'FROM "accounts_user"' in q]
        assert len(users) == 1, users
        assert '"accounts_staff"' in users[0] and '"regions_region"' in users[0], users
        assert not [q for q in sql if q.startswith('SELECT "accounts_staff"."id"')]
        assert len([q for q in sql if 'FROM "accounts_staffrole"' in q]) == 1
        assert not [q for q in sql if "otp_" in q]

    @pytest.mark.django_db(transaction=True)
    def test_sms_second_factor(self, client: Client, officer: Staff, sms_file: Path) -> None:
        self._password(client, "officer")
        assert client.post("/workbench/login/second/code/").status_code == 200
        call_command("worker", "--batch", verbosity=0)
        code = last_code_for(officer.phone, path=sms_file)
        response = client.post("/workbench/login/second/", {"method": "sms", "token": code})
        assert response.status_code == 302
        assert "staff-name" in client.get("/workbench/").content.decode()

    def test_a_person_cannot_use_the_workbench(self, client: Client, citizen: Person) -> None:
        response = self._password(client, citizen.phone)
        assert response.status_code == 400
        assert "账号或密码不正确" in response.content.decode()

    def test_repeated_second_factor_failures_end_the_attempt(
        self, client: Client, officer: Staff
    ) -> None:
        TOTPDevice.objects.create(user=officer.user, name="app", confirmed=True)
        self._password(client, "officer")
        for _ in range(5):
            client.post("/workbench/login/second/", {"method": "totp", "token": "000000"})
        assert client.get("/workbench/login/second/")["Location"] == "/workbench/login/"


def _staff_client(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    session = client.session
    session["second_factor"] = "totp"
    session.save()
    return client


class TestAdministratorConsoles:
    def test_each_console_belongs_to_one_administrator(
        self, sysadmin: Staff, secadmin: Staff, auditadmin: Staff, officer: Staff
    ) -> None:
        pages = {
            "/workbench/staff/": sysadmin,
            f"/workbench/staff/{officer.pk}/roles/": secadmin,
            "/workbench/audit/": auditadmin,
        }
        people = [sysadmin, secadmin, auditadmin, officer]
        for url, owner in pages.items():
            for person in people:
                status = _staff_client(person).get(url).status_code
                assert status == (200 if person == owner else 403), (url, person.name)

    def test_security_admin_grants_a_role_on_the_page(
        self, secadmin: Staff, officer: Staff
    ) -> None:
        client = _staff_client(secadmin)
        url = f"/workbench/staff/{officer.pk}/roles/"
        assert client.post(url, {"role": "reviewer"}).status_code == 302
        assert officer.roles.filter(role="reviewer").exists()
        refused = client.post(url, {"role": "audit_admin"})
        refused2 = client.post(url, {"role": "system_admin"})
        assert refused.status_code == 302  # the first admin role is allowed …
        assert refused2.status_code == 400  # … a second is refused with the reason
        assert "不得由同一人兼任" in refused2.content.decode()

    def test_system_admin_creates_staff_only_in_scope(
        self, sysadmin: Staff, officer: Staff
    ) -> None:
        client = _staff_client(sysadmin)
        response = client.post(
            "/workbench/staff/",
            {"username": "new01", "name": "新人", "department": officer.department_id,
             "phone": "13900000099", "password": PASSWORD},
        )  # fmt: skip
        assert response.status_code == 302
        assert Staff.objects.filter(user__username="new01").exists()

    def test_system_admin_moves_staff_within_the_region(
        self, sysadmin: Staff, officer: Staff, other_officer: Staff
    ) -> None:
        client = _staff_client(sysadmin)
        response = client.post(
            "/workbench/staff/",
            {"action": "move", "staff": officer.pk, "department": other_officer.department_id},
        )
        assert response.status_code == 302
        officer.refresh_from_db()
        assert officer.department_id == other_officer.department_id
        assert officer.region_prefix == other_officer.department.region_prefix
        assert AuditRecord.objects.filter(action="staff.move").count() == 1
        bad = client.post("/workbench/staff/", {"action": "move", "staff": "", "department": "x"})
        assert bad.status_code == 400

    def test_audit_admin_verifies_the_chain(self, auditadmin: Staff) -> None:
        html = _staff_client(auditadmin).get("/workbench/audit/?verify=1").content.decode()
        assert "审计链完整" in html

    def test_admin_site_shows_only_the_administrators_own_models(
        self, sysadmin: Staff, auditadmin: Staff
    ) -> None:
        assert _staff_client(sysadmin).get("/admin/regions/department/").status_code == 200
        assert _staff_client(sysadmin).get("/admin/core/auditrecord/").status_code == 403
        assert _staff_client(auditadmin).get("/admin/core/auditrecord/").status_code == 200
        assert _staff_client(auditadmin).get("/admin/regions/department/").status_code == 403
