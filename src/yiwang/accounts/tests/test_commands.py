from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from yiwang.accounts.models import Staff
from yiwang.regions.models import Department

pytestmark = pytest.mark.django_db


def test_staff_add_creates_an_administrator(regions: None) -> None:
    department = Department.objects.filter(kind="government_services").order_by("pk").first()
    assert department is not None
    call_command(
        "staff_add", "--username", "first", "--name", "首位管理员",
        "--department-uscc", department.uscc, "--role", "system_admin",
        "--password", "Qingyang#2026",
    )  # fmt: skip
    staff = Staff.objects.get(user__username="first")
    assert list(staff.roles.values_list("role", flat=True)) == ["system_admin"]
    assert staff.user.is_staff and not staff.user.is_superuser


def test_staff_add_refuses_two_admin_roles_and_bad_input(regions: None) -> None:
    department = Department.objects.order_by("pk").first()
    assert department is not None
    with pytest.raises(CommandError, match="不得由同一人兼任"):
        call_command(
            "staff_add", "--username", "x", "--name", "某", "--department-uscc", department.uscc,
            "--role", "system_admin", "--role", "audit_admin", "--password", "Qingyang#2026",
        )  # fmt: skip
    assert not Staff.objects.filter(user__username="x").exists()  # nothing half-created
    with pytest.raises(CommandError, match="未找到"):
        call_command(
            "staff_add", "--username", "y", "--name", "某", "--department-uscc", "X" * 18,
            "--password", "Qingyang#2026",
        )  # fmt: skip
