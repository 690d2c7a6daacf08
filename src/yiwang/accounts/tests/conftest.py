"""Persona fixtures: citizens, an enterprise and its agent, officers of two departments, and
the three administrators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from yiwang.accounts import services
from yiwang.accounts.models import AgentGrant, AgentScope, Enterprise, Person, Role, Staff
from yiwang.core.identifiers import (
    organization_code_check_char,
    resident_id_check_char,
    uscc_complete,
)
from yiwang.regions.models import Department
from yiwang.regions.services import demo_load

PASSWORD = "Qingyang#2026"


def rid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def uscc(body8: str) -> str:
    return uscc_complete("91621002" + body8 + organization_code_check_char(body8))


@pytest.fixture
def sms_file(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The local phone: the file backend's outbox, per test."""
    path = tmp_path / "sms.jsonl"
    settings.NOTIFY = {**settings.NOTIFY, "SMS_FILE": str(path)}  # type: ignore[attr-defined]
    return path


@pytest.fixture
def regions(db: None) -> None:
    demo_load()


def _person(name: str, first17: str, phone: str) -> Person:
    return services.person_create(
        name=name, resident_id=rid(first17), phone=phone, password=PASSWORD
    )


@pytest.fixture
def citizen(db: None) -> Person:
    return _person("张三", "62100219900101123", "13800000011")


@pytest.fixture
def other_citizen(db: None) -> Person:
    return _person("李四", "62102119920315204", "13800000012")


@pytest.fixture
def enterprise(citizen: Person) -> Enterprise:
    return services.enterprise_register(
        person=citizen,
        uscc=uscc("MA71X8Y2"),
        name="庆阳市示范科技有限公司",
        legal_representative_name=citizen.name,
        legal_representative_resident_id=citizen.resident_id,
    )


@pytest.fixture
def grant(enterprise: Enterprise, citizen: Person, other_citizen: Person) -> AgentGrant:
    return services.agent_grant(
        enterprise=enterprise,
        granted_by=citizen,
        agent_resident_id=other_citizen.resident_id,
        agent_name=other_citizen.name,
        scope=AgentScope.APPLY,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )


def _staff(username: str, region: str, kind: str, phone: str, *roles: Role) -> Staff:
    department = Department.objects.filter(region_id=region, kind=kind).order_by("pk").first()
    assert department is not None
    staff = services.staff_create(
        actor=None, username=username, name=username, department=department, phone=phone,
        password=PASSWORD,
    )  # fmt: skip
    for role in roles:
        services.staff_role_grant(actor=None, staff=staff, role=role)
    return staff


XIFENG, QINGCHENG, CITY = "621002000000", "621021000000", "621000000000"


@pytest.fixture
def officer(regions: None) -> Staff:
    return _staff("officer", XIFENG, "market_regulation", "13900000011", Role.WINDOW_OFFICER)


@pytest.fixture
def colleague(regions: None) -> Staff:
    return _staff("colleague", XIFENG, "market_regulation", "13900000015", Role.REVIEWER)


@pytest.fixture
def other_officer(regions: None) -> Staff:
    return _staff("other", QINGCHENG, "public_security", "13900000012", Role.WINDOW_OFFICER)


@pytest.fixture
def sysadmin(regions: None) -> Staff:
    return _staff("sysadmin", CITY, "government_services", "13900000013", Role.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(regions: None) -> Staff:
    return _staff("secadmin", CITY, "government_services", "13900000014", Role.SECURITY_ADMIN)


@pytest.fixture
def county_secadmin(regions: None) -> Staff:
    return _staff("qcsec", QINGCHENG, "government_services", "13900000016", Role.SECURITY_ADMIN)


@pytest.fixture
def auditadmin(regions: None) -> Staff:
    return _staff("auditadmin", CITY, "government_services", "13900000017", Role.AUDIT_ADMIN)
