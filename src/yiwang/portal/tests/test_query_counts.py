"""The personal centre (/me/) costs a fixed number of queries: a citizen who represents one
enterprise with one agent, and one who represents several enterprises with several agents each,
acts as agent for others and has matched several real-name items, see the same few queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.accounts import services
from yiwang.accounts.models import AgentGrant, AgentScope, Enterprise, EvidenceKind, Person
from yiwang.accounts.tests.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    citizen,
    enterprise,
    grant,
    other_citizen,
    rid,
    uscc,
)

pytestmark = pytest.mark.django_db

ME = "/me/"
# Session, user, person, enterprises, their grants, evidence: 6 (7 acting for an enterprise).
ME_MAX = 9


def login(person: Person) -> Client:
    client = Client()
    client.force_login(person.user, backend="yiwang.accounts.backends.IdentifierBackend")
    return client


def me_queries(client: Client) -> tuple[int, str]:
    """The queries of one GET of the personal centre (after a warm-up request), and its page."""
    assert client.get(ME).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _agent(index: int) -> Person:
    return services.person_create(
        name=f"经办人{index}", resident_id=rid(f"621002198501{index + 10:02d}123"),
        phone=f"1380001{index:04d}", password=PASSWORD,
    )  # fmt: skip


def _enterprise(index: int, representative: Person) -> Enterprise:
    return services.enterprise_register(
        person=representative, uscc=uscc(f"MA7{index:04d}X"), name=f"庆阳市测试{index}有限公司",
        legal_representative_name=representative.name,
        legal_representative_resident_id=representative.resident_id,
    )  # fmt: skip


def _grant(of: Enterprise, granted_by: Person, agent: Person) -> AgentGrant:
    return services.agent_grant(
        enterprise=of, granted_by=granted_by, agent_resident_id=agent.resident_id,
        agent_name=agent.name, scope=AgentScope.APPLY,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip


def _grow(me: Person, someone: Person) -> None:
    """Four more enterprises `me` represents, with four agents each (one grant revoked), two
    enterprises of `someone` that `me` acts for as agent, and three more matched real-name
    items."""
    agents = [_agent(index) for index in range(4)]
    for index in range(4):
        represented = _enterprise(index, me)
        grants = [_grant(represented, me, agent) for agent in agents]
        services.agent_revoke(grant=grants[0], revoked_by=me)
    for index in range(10, 12):
        _grant(_enterprise(index, someone), someone, me)
    for kind in (EvidenceKind.PHONE, EvidenceKind.SOCIAL_SECURITY, EvidenceKind.HOUSING_FUND):
        services.person_evidence_add(
            person=me, kind=kind, number="6222020200112345678", source="测试来源"
        )


@pytest.mark.parametrize("acting", [False, True], ids=["as-oneself", "acting-for-enterprise"])
def test_me_queries_do_not_grow_with_enterprises_agents_and_evidence(
    citizen: Person,  # noqa: F811
    other_citizen: Person,  # noqa: F811
    enterprise: Enterprise,  # noqa: F811
    grant: AgentGrant,  # noqa: F811
    acting: bool,
) -> None:
    client = login(citizen)
    if acting:
        assert client.post("/me/acting/", {"enterprise": enterprise.pk}).status_code == 302
    few, page = me_queries(client)
    assert page.count('class="grants"') == 1 and other_citizen.name in page
    assert ("正在代表" in page) is acting

    _grow(citizen, other_citizen)
    many, page = me_queries(client)
    assert page.count('class="grants"') == 5  # each represented enterprise lists its agents
    assert page.count("/revoke/") == 1 + 4 * 3  # live grants only have a revoke button
    assert page.count("（已撤销）") == 4
    assert page.count("· 经办人") == 2  # the enterprises the citizen acts for
    assert page.count("测试来源") == 3
    assert ("正在代表" in page) is acting
    assert many == few <= ME_MAX
