"""The Qingyang demo data set and its accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core.audit import SYSTEM_ACTOR, audit_record
from yiwang.regions.models import Region
from yiwang.regions.services import demo_load


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    where: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "Yiwang@2026", "系统管理员（演示）", "/admin/"),
)


def demo_is_loaded() -> bool:
    return Region.objects.exists()


def demo_accounts_load() -> int:
    """Create the demo accounts that are missing; return how many were created."""
    created = 0
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
            continue
        User.objects.create_superuser(username=account.username, password=account.password)
        created += 1
    return created


def demo_data_load() -> dict[str, int]:
    """Load regions, departments, halls and windows, and the demo accounts (idempotent)."""
    with transaction.atomic():
        counts = dict(demo_load())
        counts["accounts"] = demo_accounts_load()
        audit_record(actor=SYSTEM_ACTOR, action="demo.load", detail=counts)
    return counts
