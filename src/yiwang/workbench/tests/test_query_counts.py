"""The administrators' workbench lists cost a fixed number of queries: the catalog manager's
matters, the system administrator's staff and the audit administrator's log each make the same
queries for a few rows as for a full page, and stay under a small absolute bound."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Role, Staff
from yiwang.accounts.tests.clients import staff_client as login
from yiwang.accounts.tests.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    auditadmin,
    regions,
    sysadmin,
)
from yiwang.catalog import services as catalog
from yiwang.catalog.models import ImplementationItem
from yiwang.catalog.tests.conftest import MATERIALS, STEPS, manager, valid_content
from yiwang.core.audit import audit_record
from yiwang.regions.models import Department

pytestmark = pytest.mark.django_db

# Session, user with the staff member, and roles (3 queries) come before each page's own reads.
# Measured on SQLite and PostgreSQL: catalog 5 (count + page), staff 7 (roles, people, their
# roles, departments), audit 4 (6 with the chain check), API clients 4 (the clients with their
# staff and departments); the bounds leave two queries of headroom.
CATALOG_MAX, STAFF_MAX, AUDIT_MAX, API_CLIENTS_MAX = 7, 9, 8, 6


def count(client: Client, url: str, check: Callable[[str], None]) -> int:
    """The queries of one GET of `url` (after a warm-up request), its page checked by `check`."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    check(response.content.decode())
    return len(queries)


# --- 事项管理 (catalog manager) -------------------------------------------------------------------


def _police(region: str) -> Department:
    found = Department.objects.filter(region_id=region, kind="public_security").first()
    assert found is not None
    return found


def _matter(index: int, department: Department, *, publish: bool) -> ImplementationItem:
    """A matter of the department; published ones have a current version the list shows."""
    name = f"测试事项{index:02d}"
    basic, _ = catalog.basic_item_save(
        code=f"0001{index:02d}001000", name=name, matter_type="01", level="3"
    )
    item = catalog.item_create(
        basic_item=basic, department=department, level="3",
        content=valid_content(name=name, result_name=name), materials=MATERIALS, steps=STEPS,
    )  # fmt: skip
    if publish:
        catalog.item_publish(item=item)
    return item


def _catalog_rows(expected: int, published: int, department: str) -> Callable[[str], None]:
    def check(page: str) -> None:
        table = page.split('id="catalog-items"', 1)[1].split("</table>", 1)[0]
        assert table.count("/workbench/catalog/") == expected
        assert len(re.findall(r"第 \d+ 版", table)) == published
        assert table.count(f"<td>{department}</td>") == expected

    return check


def test_catalog_list_queries_do_not_grow_with_the_matters(regions: None) -> None:  # noqa: F811
    department = _police("621000000000")
    client = login(manager(department))
    _matter(1, department, publish=True)
    _matter(2, department, publish=False)
    _matter(3, _police("621021000000"), publish=True)  # another department's: not listed
    few = count(client, "/workbench/catalog/", _catalog_rows(2, 1, department.name))

    for index in range(4, 34):  # 32 matters of the department: a full first page of 30
        _matter(index, department, publish=index % 3 != 0)
    many = count(client, "/workbench/catalog/", _catalog_rows(30, 20, department.name))
    assert many == few <= CATALOG_MAX, (many, few)


# --- 人员管理 (system administrator) --------------------------------------------------------------


def _staff_rows(expected: int) -> Callable[[str], None]:
    def check(page: str) -> None:
        table = page.split('id="staff-table"', 1)[1].split("</table>", 1)[0]
        assert table.count("/roles/") == expected

    return check


def test_staff_list_queries_do_not_grow_with_the_staff(sysadmin: Staff) -> None:  # noqa: F811
    client = login(sysadmin)
    few = count(client, "/workbench/staff/", _staff_rows(1))

    departments = list(
        Department.objects.filter(region_prefix__startswith=sysadmin.region_prefix)[:5]
    )
    roles = [Role.WINDOW_OFFICER, Role.REVIEWER, Role.APPROVER, Role.CATALOG_MANAGER]
    for index in range(20):
        member = accounts.staff_create(
            actor=sysadmin, username=f"member{index}", name=f"人员{index}",
            department=departments[index % len(departments)], phone="", password=PASSWORD,
        )  # fmt: skip
        for role in roles[: index % 3 + 1]:  # one to three roles each
            accounts.staff_role_grant(actor=None, staff=member, role=role)
    many = count(client, "/workbench/staff/", _staff_rows(21))
    assert many == few <= STAFF_MAX, (many, few)


# --- 接口客户端 (system administrator) ---------------------------------------------------------


def _client_rows(expected: int) -> Callable[[str], None]:
    def check(page: str) -> None:
        table = page.split('id="client-table"', 1)[1].split("</table>", 1)[0]
        assert table.count("<code>yw_") == expected

    return check


def test_api_client_list_queries_do_not_grow_with_the_clients(
    sysadmin: Staff,  # noqa: F811
) -> None:
    departments = list(
        Department.objects.filter(region_prefix__startswith=sysadmin.region_prefix)[:5]
    )
    members = [
        accounts.staff_create(
            actor=sysadmin,
            username=f"system{index}",
            name=f"系统账号{index}",
            department=departments[index],
            phone="",
            password=PASSWORD,
        )
        for index in range(5)
    ]
    client = login(sysadmin)
    accounts.api_client_create(actor=sysadmin, staff=members[0], name="系统0")
    few = count(client, "/workbench/api-clients/", _client_rows(1))
    for index in range(1, 20):
        made, _ = accounts.api_client_create(
            actor=sysadmin, staff=members[index % 5], name=f"系统{index}"
        )
        if index % 4 == 0:
            accounts.api_client_revoke(actor=sysadmin, client=made)
    many = count(client, "/workbench/api-clients/", _client_rows(20))
    assert many == few <= API_CLIENTS_MAX, (many, few)


# --- 审计日志 (audit administrator) ---------------------------------------------------------------


def _audit_rows(at_least: int) -> Callable[[str], None]:
    def check(page: str) -> None:
        rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")
        assert rows >= at_least

    return check


def _verified(page: str) -> None:
    assert 'id="audit-report"' in page and "审计链完整" in page


@pytest.mark.parametrize("query", ["", "?verify=1"])
def test_audit_log_queries_do_not_grow_with_the_records(
    auditadmin: Staff,  # noqa: F811
    query: str,
) -> None:
    client = login(auditadmin)
    check = _verified if query else _audit_rows(1)
    few = count(client, f"/workbench/audit/{query}", check)

    for index in range(60):
        audit_record(
            actor=f"staff{index % 7}", action="test.action", object_type="case",
            object_id=index, source_ip="10.0.0.1", detail={"n": index},
        )  # fmt: skip
    check = _verified if query else _audit_rows(60)
    many = count(client, f"/workbench/audit/{query}", check)
    assert many == few <= AUDIT_MAX, (many, few)
