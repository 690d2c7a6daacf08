"""The Qingyang demo data set and its accounts (demo only: the passwords are public)."""

from __future__ import annotations

import datetime as dt
from base64 import b32decode
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts import services as accounts
from yiwang.accounts.models import AgentScope, EvidenceKind, Person, Role, Staff, User
from yiwang.catalog.demo import catalog_demo_load
from yiwang.core.audit import SYSTEM_ACTOR, audit_record
from yiwang.core.identifiers import (
    organization_code_check_char,
    resident_id_check_char,
    uscc_complete,
)
from yiwang.regions.models import Department, Region
from yiwang.regions.services import demo_load

DEMO_PASSWORD = "Yiwang@2026"  # noqa: S105 - published demo password
# A published demo TOTP secret (base32), so the demo staff can add it to an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - published demo


@dataclass(frozen=True)
class DemoAccount:
    login: str
    role: str
    where: str
    password: str = DEMO_PASSWORD


def _rid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


CITIZEN_ID = _rid("62100219900101123")
AGENT_ID = _rid("62102119920315204")
ENTERPRISE_USCC = uscc_complete("91621002MA71X8Y2" + organization_code_check_char("MA71X8Y2"))

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "13800000001（或身份证号码）", "个人用户 张三（二级实名，示范科技法定代表人）", "/login/"
    ),
    DemoAccount("13800000002", "个人用户 李四（示范科技经办人）", "/login/"),
    DemoAccount("sysadmin", "系统管理员", "/workbench/"),
    DemoAccount("secadmin", "安全管理员", "/workbench/"),
    DemoAccount("auditadmin", "审计管理员", "/workbench/"),
    DemoAccount("window01", "窗口人员（西峰区市场监管局）", "/workbench/"),
    DemoAccount("reviewer01", "审核人员（西峰区市场监管局）", "/workbench/"),
    DemoAccount("approver01", "审批人（西峰区市场监管局负责人）", "/workbench/"),
    DemoAccount("catalog01", "事项管理员（市公安局）", "/workbench/catalog/"),
    DemoAccount("jiancha01", "电子监察员（西峰区）：好差评工单与指标", "/workbench/reviews/"),
)

# (username, name, department (region code, kind), phone, roles)
DEMO_STAFF = (
    ("sysadmin", "王建国", ("621000000000", "government_services"), "13900000001",
     [Role.SYSTEM_ADMIN]),
    ("secadmin", "刘安全", ("621000000000", "government_services"), "13900000002",
     [Role.SECURITY_ADMIN]),
    ("auditadmin", "陈审计", ("621000000000", "government_services"), "13900000003",
     [Role.AUDIT_ADMIN]),
    ("window01", "赵窗口", ("621002000000", "market_regulation"), "13900000004",
     [Role.WINDOW_OFFICER]),
    ("reviewer01", "孙审核", ("621002000000", "market_regulation"), "13900000005",
     [Role.REVIEWER]),
    ("approver01", "吴审批", ("621002000000", "market_regulation"), "13900000007",
     [Role.APPROVER]),
    ("jiancha01", "郑监察", ("621002000000", "government_services"), "13900000008",
     [Role.SUPERVISOR]),
    ("catalog01", "周事项", ("621000000000", "public_security"), "13900000006",
     [Role.CATALOG_MANAGER]),
)  # fmt: skip


def demo_is_loaded() -> bool:
    return Region.objects.exists()


def _department(region_code: str, kind: str) -> Department:
    department = Department.objects.filter(region_id=region_code, kind=kind).order_by("pk").first()
    if department is None:
        raise LookupError(f"demo department {kind} in {region_code} is missing")
    return department


def demo_accounts_load() -> int:
    """Create the demo people, enterprise and staff that are missing; return how many."""
    created = 0
    if not Person.objects.filter(resident_id=CITIZEN_ID).exists():
        citizen = accounts.person_create(
            name="张三", resident_id=CITIZEN_ID, phone="13800000001", password=DEMO_PASSWORD
        )
        accounts.person_evidence_add(
            person=citizen, kind=EvidenceKind.SOCIAL_SECURITY, number=CITIZEN_ID, source="演示数据"
        )
        accounts.person_create(
            name="李四", resident_id=AGENT_ID, phone="13800000002", password=DEMO_PASSWORD
        )
        enterprise = accounts.enterprise_register(
            person=citizen,
            uscc=ENTERPRISE_USCC,
            name="庆阳市示范科技有限公司",
            legal_representative_name="张三",
            legal_representative_resident_id=CITIZEN_ID,
        )
        accounts.agent_grant(
            enterprise=enterprise,
            granted_by=citizen,
            agent_resident_id=AGENT_ID,
            agent_name="李四",
            scope=AgentScope.APPLY,
            valid_until=timezone.localdate() + dt.timedelta(days=365),
        )
        created += 2
    for username, name, (region, kind), phone, roles in DEMO_STAFF:
        if User.objects.filter(username=username).exists():
            continue
        staff = accounts.staff_create(
            actor=None,
            username=username,
            name=name,
            department=_department(region, kind),
            phone=phone,
            password=DEMO_PASSWORD,
        )
        for role in roles:
            accounts.staff_role_grant(actor=None, staff=staff, role=role)
        _demo_totp(staff)
        created += 1
    return created


def _demo_totp(staff: Staff) -> None:
    key = b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.create(user=staff.user, name="demo", key=key, confirmed=True)


def demo_data_load() -> dict[str, int]:
    """Load regions, departments, halls and windows, the Qingyang-scale catalog (1,550 basic and
    5,184 implementation items), and the demo accounts (idempotent)."""
    with transaction.atomic():
        counts = dict(demo_load())
        counts.update(catalog_demo_load())
        counts["accounts"] = demo_accounts_load()
        counts["cases"] = demo_cases_load()
        counts["booking_slots"] = bookings_demo_load()
        audit_record(actor=SYSTEM_ACTOR, action="demo.load", detail=counts)
    return counts


def bookings_demo_load() -> int:
    from yiwang.bookings.demo import bookings_demo_load as load

    return load()


def demo_cases_load() -> int:
    """张三's demo cases at 西峰区市场监管局 (see `cases.demo`)."""
    from yiwang.cases.demo import cases_demo_load

    staff = {s.user.username: s for s in Staff.objects.select_related("user").filter(
        user__username__in=["window01", "reviewer01", "approver01"])}  # fmt: skip
    return cases_demo_load(
        person=Person.objects.get(resident_id=CITIZEN_ID),
        window=staff["window01"],
        reviewer=staff["reviewer01"],
        approver=staff["approver01"],
    )


def demo_account_lines() -> list[str]:
    """What `yiwang demo` and `yiwang serve` print about the demo accounts."""
    lines = [f"  演示账号 {a.login} / {a.password}：{a.role}（{a.where}）" for a in DEMO_ACCOUNTS]
    lines.append(
        f"  工作人员第二重验证：身份验证器密钥 {DEMO_TOTP_SECRET}，"
        "或短信验证码（开发环境的短信写入 var/sms/outbox.jsonl）"
    )
    return lines
