"""Registration, SMS codes, real-name evidence, enterprises and agents, staff and roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from yiwang.accounts import selectors, services
from yiwang.accounts.errors import AccountsError
from yiwang.accounts.models import (
    AgentGrant,
    AgentScope,
    Enterprise,
    EvidenceKind,
    OneTimeCode,
    Person,
    Role,
    Staff,
    StaffRole,
    User,
)
from yiwang.accounts.tests.conftest import PASSWORD, rid, uscc
from yiwang.core.models import AuditRecord
from yiwang.notify.backends import last_code_for

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def _code(phone: str, purpose: str, sms_file: Path) -> str:
    """Send a code and read it from the local phone, as the person would."""
    services.otp_code_send(phone=phone, purpose=purpose)
    call_command("worker", "--batch", verbosity=0)
    code = last_code_for(phone, path=sms_file)
    assert code is not None and len(code) == 6
    return code


class TestCodes:
    @pytest.mark.django_db(transaction=True)
    def test_code_is_delivered_and_single_use(self, sms_file: Path) -> None:
        code = _code("13800000099", OneTimeCode.Purpose.LOGIN, sms_file)
        services.otp_code_verify(phone="13800000099", purpose="login", code=code)
        with pytest.raises(AccountsError, match="无效或已过期"):
            services.otp_code_verify(phone="13800000099", purpose="login", code=code)

    def test_code_expires(self) -> None:
        record = services.otp_code_send(phone="13800000099", purpose="login", now=NOW)
        OneTimeCode.objects.filter(pk=record.pk).update(code_hash="x" * 64)
        later = NOW + dt.timedelta(minutes=6)
        with pytest.raises(AccountsError, match="无效或已过期"):
            services.otp_code_verify(phone="13800000099", purpose="login", code="1", now=later)

    def test_wrong_codes_count_and_end_the_code(self) -> None:
        services.otp_code_send(phone="13800000099", purpose="login", now=NOW)
        for _ in range(5):
            with pytest.raises(AccountsError, match="验证码不正确"):
                services.otp_code_verify(
                    phone="13800000099", purpose="login", code="000000", now=NOW
                )
        with pytest.raises(AccountsError, match="次数过多"):
            services.otp_code_verify(phone="13800000099", purpose="login", code="000000", now=NOW)
        assert OneTimeCode.objects.get().used_at is not None

    def test_code_for_another_purpose_is_refused(self) -> None:
        services.otp_code_send(phone="13800000099", purpose="register", now=NOW)
        with pytest.raises(AccountsError, match="无效或已过期"):
            services.otp_code_verify(phone="13800000099", purpose="login", code="123456", now=NOW)

    def test_sending_is_rate_limited_per_phone(self) -> None:
        services.otp_code_send(phone="13800000099", purpose="login", now=NOW)
        with pytest.raises(AccountsError, match="请 60 秒后再试") as excinfo:
            services.otp_code_send(phone="13800000099", purpose="login", now=NOW)
        assert excinfo.value.status == 429
        services.otp_code_send(phone="13800000098", purpose="login", now=NOW)  # another phone
        assert OneTimeCode.objects.count() == 2

    @override_settings(OTP_SEND_DAILY_LIMIT=3)
    def test_daily_limit(self) -> None:
        for minute in range(3):
            now = NOW + dt.timedelta(minutes=2 * minute)
            services.otp_code_send(phone="13800000099", purpose="login", now=now)
        with pytest.raises(AccountsError, match="今日"):
            services.otp_code_send(
                phone="13800000099", purpose="login", now=NOW + dt.timedelta(hours=1)
            )

    def test_bad_phone_is_refused_and_nothing_sent(self) -> None:
        with pytest.raises(AccountsError, match="11位"):
            services.otp_code_send(phone="1380000", purpose="login")
        assert not OneTimeCode.objects.exists()


class TestRegister:
    @pytest.mark.django_db(transaction=True)
    def test_register_with_sms_code(self, sms_file: Path) -> None:
        code = _code("13800000021", OneTimeCode.Purpose.REGISTER, sms_file)
        person = services.person_register(
            name="王五", resident_id=rid("62102219850607331"), phone="13800000021",
            password=PASSWORD, code=code,
        )  # fmt: skip
        assert person.real_name_level == 1
        assert person.user.kind == User.Kind.PERSON
        assert person.user.check_password(PASSWORD)
        assert person.resident_id not in person.user.username
        assert list(person.evidence.values_list("kind", flat=True)) == [EvidenceKind.PHONE]
        assert AuditRecord.objects.filter(action="person.register").count() == 1

    def test_field_errors_are_reported_together_and_nothing_created(self) -> None:
        with pytest.raises(AccountsError) as excinfo:
            services.person_register(
                name="王", resident_id="62102219850607331X", phone="123",
                password="123", code="000000",
            )  # fmt: skip
        fields = excinfo.value.fields
        assert set(fields) == {"name", "resident_id", "phone", "password"}
        assert "校验位" in fields["resident_id"][0]
        assert not Person.objects.exists()

    def test_wrong_code_creates_nothing(self) -> None:
        services.otp_code_send(phone="13800000021", purpose="register")
        with pytest.raises(AccountsError, match="验证码不正确"):
            services.person_register(
                name="王五", resident_id=rid("62102219850607331"), phone="13800000021",
                password=PASSWORD, code="999999" if True else "",
            )  # fmt: skip
        assert not User.objects.exists()

    def test_an_id_number_registers_once(self, citizen: Person) -> None:
        with pytest.raises(AccountsError, match="已注册"):
            services.person_create(
                name="张三", resident_id=citizen.resident_id, phone="13800000077", password=PASSWORD
            )


class TestRealName:
    def test_two_matched_items_make_level_two(self, citizen: Person) -> None:
        assert citizen.real_name_level == 1  # phone only
        person = services.person_verify_item(
            person=citizen, kind=EvidenceKind.SOCIAL_SECURITY, number=citizen.resident_id
        )
        assert person.real_name_level == 2
        record = AuditRecord.objects.get(action="person.evidence_added")
        assert record.detail == {"kind": "social_security", "level_before": 1, "level_after": 2}
        assert citizen.resident_id not in str(record.detail)

    def test_a_mismatch_changes_nothing(self, citizen: Person) -> None:
        with pytest.raises(AccountsError, match="比对不一致"):
            services.person_verify_item(
                person=citizen, kind=EvidenceKind.DRIVING_LICENCE, number=rid("11010519491231002")
            )
        with pytest.raises(AccountsError, match="银行卡号不正确"):
            services.person_verify_item(person=citizen, kind=EvidenceKind.BANK_CARD, number="123")
        citizen.refresh_from_db()
        assert citizen.real_name_level == 1
        assert citizen.evidence.count() == 1

    def test_adding_evidence_never_lowers_a_level(self, citizen: Person) -> None:
        Person.objects.filter(pk=citizen.pk).update(real_name_level=2)  # e.g. provincial login
        person = services.person_verify_item(
            person=citizen, kind=EvidenceKind.BANK_CARD, number="6222021234567890128"
        )
        assert person.real_name_level == 2

    def test_levels_gate_what_a_person_may_do(self, citizen: Person) -> None:
        selectors.real_name_level_check(person=citizen, required=1)
        with pytest.raises(AccountsError, match="需要二级实名，您当前为一级") as excinfo:
            selectors.real_name_level_check(person=citizen, required=2)
        assert excinfo.value.status == 403
        services.person_verify_item(
            person=citizen, kind=EvidenceKind.DRIVING_LICENCE, number=citizen.resident_id
        )
        citizen.refresh_from_db()
        selectors.real_name_level_check(person=citizen, required=2)

    def test_bank_card_reference_is_stored_masked(self, citizen: Person) -> None:
        services.person_verify_item(
            person=citizen, kind=EvidenceKind.BANK_CARD, number="6222021234567890128"
        )
        evidence = citizen.evidence.get(kind=EvidenceKind.BANK_CARD)
        assert evidence.reference == "***************0128"


class TestEnterprisesAndAgents:
    def test_only_the_legal_representative_registers_the_enterprise(
        self, other_citizen: Person, citizen: Person
    ) -> None:
        with pytest.raises(AccountsError, match="法定代表人本人"):
            services.enterprise_register(
                person=other_citizen, uscc=uscc("MA71X8Y2"), name="庆阳市示范科技有限公司",
                legal_representative_name=citizen.name,
                legal_representative_resident_id=citizen.resident_id,
            )  # fmt: skip
        assert not Enterprise.objects.exists()

    def test_bad_uscc_is_explained(self, citizen: Person) -> None:
        with pytest.raises(AccountsError) as excinfo:
            services.enterprise_register(
                person=citizen, uscc="91621002MA71X8Y20X", name="x",
                legal_representative_name=citizen.name,
                legal_representative_resident_id=citizen.resident_id,
            )  # fmt: skip
        assert "统一社会信用代码" in excinfo.value.fields["uscc"][0]

    def test_agent_acts_for_the_enterprise_until_the_grant_ends(
        self, grant: AgentGrant, other_citizen: Person, enterprise: Enterprise
    ) -> None:
        assert list(selectors.enterprises_for_person(person=other_citizen)) == [enterprise]
        acting = selectors.acting_enterprise_get(person=other_citizen, enterprise_id=enterprise.pk)
        assert acting == enterprise
        after = grant.valid_until + dt.timedelta(days=1)
        assert not selectors.enterprises_for_person(person=other_citizen, today=after).exists()
        with pytest.raises(AccountsError, match="没有代表该单位"):
            selectors.acting_enterprise_get(
                person=other_citizen, enterprise_id=enterprise.pk, today=after
            )

    def test_revoked_grant_ends_at_once_and_is_audited(
        self, grant: AgentGrant, citizen: Person, other_citizen: Person, enterprise: Enterprise
    ) -> None:
        services.agent_revoke(grant=grant, revoked_by=citizen)
        with pytest.raises(AccountsError):
            selectors.acting_enterprise_get(person=other_citizen, enterprise_id=enterprise.pk)
        actions = list(AuditRecord.objects.values_list("action", flat=True))
        assert "agent.grant" in actions and "agent.revoke" in actions

    def test_only_the_legal_representative_grants_and_revokes(
        self, grant: AgentGrant, other_citizen: Person, enterprise: Enterprise, citizen: Person
    ) -> None:
        with pytest.raises(AccountsError, match="法定代表人本人"):
            services.agent_revoke(grant=grant, revoked_by=other_citizen)
        with pytest.raises(AccountsError, match="法定代表人本人"):
            selectors.grants_of_enterprise(enterprise=enterprise, viewer=other_citizen)
        with pytest.raises(AccountsError, match="法定代表人本人"):
            services.agent_grant(
                enterprise=enterprise, granted_by=other_citizen,
                agent_resident_id=citizen.resident_id, agent_name=citizen.name,
                scope=AgentScope.ALL, valid_until=timezone.localdate() + dt.timedelta(days=3),
            )  # fmt: skip

    def test_grant_rules(
        self, enterprise: Enterprise, citizen: Person, other_citizen: Person
    ) -> None:
        base = {
            "enterprise": enterprise, "granted_by": citizen,
            "agent_resident_id": other_citizen.resident_id, "agent_name": other_citizen.name,
            "scope": AgentScope.APPLY,
        }  # fmt: skip
        today = timezone.localdate()
        with pytest.raises(AccountsError) as past:
            services.agent_grant(**base, valid_until=today)
        assert past.value.fields["valid_until"] == ["有效期应晚于今天"]
        with pytest.raises(AccountsError) as too_long:
            services.agent_grant(**base, valid_until=today + dt.timedelta(days=1200))
        assert too_long.value.fields["valid_until"] == ["授权有效期最长三年"]
        with pytest.raises(AccountsError, match="未找到该经办人"):
            services.agent_grant(
                **{**base, "agent_name": "王二"}, valid_until=today + dt.timedelta(days=3)
            )
        services.agent_grant(**base, valid_until=today + dt.timedelta(days=3))
        with pytest.raises(AccountsError, match="已有有效授权"):
            services.agent_grant(**base, valid_until=today + dt.timedelta(days=9))
        assert AgentGrant.objects.count() == 1


class TestStaffAndRoles:
    def test_the_database_refuses_two_administrator_roles(self, sysadmin: Staff) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            StaffRole.objects.create(staff=sysadmin, role=Role.AUDIT_ADMIN)

    def test_the_service_explains_the_separation(self, sysadmin: Staff, secadmin: Staff) -> None:
        with pytest.raises(AccountsError, match="不得由同一人兼任"):
            services.staff_role_grant(actor=secadmin, staff=sysadmin, role=Role.SECURITY_ADMIN)
        assert set(sysadmin.roles.values_list("role", flat=True)) == {Role.SYSTEM_ADMIN}
        # A business role beside an administrator role is allowed.
        services.staff_role_grant(actor=secadmin, staff=sysadmin, role=Role.SUPERVISOR)

    def test_only_a_security_admin_grants_roles(
        self, sysadmin: Staff, officer: Staff, secadmin: Staff
    ) -> None:
        with pytest.raises(AccountsError, match="没有权限"):
            services.staff_role_grant(actor=sysadmin, staff=officer, role=Role.REVIEWER)
        with pytest.raises(AccountsError, match="不能为自己"):
            services.staff_role_grant(actor=secadmin, staff=secadmin, role=Role.SUPERVISOR)
        services.staff_role_grant(actor=secadmin, staff=officer, role=Role.REVIEWER)
        record = AuditRecord.objects.filter(action="staff.role_grant").last()
        assert record is not None and record.detail == {"role": "reviewer"}
        assert record.actor.endswith(":secadmin")

    def test_a_county_security_admin_cannot_reach_another_county(
        self, county_secadmin: Staff, officer: Staff
    ) -> None:
        with pytest.raises(AccountsError, match="不在您管理的区域"):
            services.staff_role_grant(actor=county_secadmin, staff=officer, role=Role.REVIEWER)

    def test_only_a_system_admin_creates_staff(self, officer: Staff, sysadmin: Staff) -> None:
        department = officer.department
        with pytest.raises(AccountsError, match="没有权限"):
            services.staff_create(
                actor=officer, username="x1", name="某人", department=department, phone="",
                password=PASSWORD,
            )  # fmt: skip
        staff = services.staff_create(
            actor=sysadmin, username="x1", name="某人", department=department, phone="",
            password=PASSWORD,
        )  # fmt: skip
        assert staff.region_prefix == department.region_prefix

    def test_admin_roles_get_only_their_own_admin_permissions(
        self, sysadmin: Staff, auditadmin: Staff, officer: Staff
    ) -> None:
        sys_user, audit_user = sysadmin.user, auditadmin.user
        assert sys_user.is_staff and audit_user.is_staff and not officer.user.is_staff
        assert sys_user.has_perm("regions.change_department")
        assert not sys_user.has_perm("core.view_auditrecord")
        assert audit_user.has_perm("core.view_auditrecord")
        assert not audit_user.has_perm("regions.change_department")
        assert not sys_user.is_superuser

    def test_an_officer_sees_only_their_department(
        self, officer: Staff, colleague: Staff, other_officer: Staff, secadmin: Staff
    ) -> None:
        visible = set(selectors.staff_visible_to(viewer=officer))
        assert visible == {officer, colleague}
        assert other_officer not in visible
        with pytest.raises(AccountsError):
            selectors.staff_get_for(viewer=officer, staff_id=other_officer.pk)
        # The city's security administrator sees every county.
        assert {officer, other_officer} <= set(selectors.staff_visible_to(viewer=secadmin))
