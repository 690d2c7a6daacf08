"""The case API: response shapes, who may see and do what (404 out of scope), refused bodies
(400, Chinese message, nothing changed), idempotent applying, and races on PostgreSQL."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import Counter, deque
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import AgentGrant, Enterprise, Person, Staff, User
from yiwang.accounts.services import api_token_issue
from yiwang.cases import rules, services
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNotice,
    CaseState,
    EventKind,
)
from yiwang.cases.tests.conftest import (
    FORM_DATA,
    accepted_case,
    ask_correction,
    pdf_bytes,
    submitted_case,
)
from yiwang.catalog.models import ImplementationItem

pytestmark = pytest.mark.django_db

BASE = "/api/cases"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bearer(user: User) -> dict[str, str]:
    _, access, _ = api_token_issue(user=user, client="app")
    return {"Authorization": f"Bearer {access}"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def files(*seqs: int) -> list[dict[str, Any]]:
    return [
        {"material_seq": seq, "name": f"材料{seq}.pdf", "content": b64(pdf_bytes(f"m{seq}"))}
        for seq in seqs
    ]


def apply_body(matter: ImplementationItem, **changes: Any) -> dict[str, Any]:
    return {"item": matter.code, "form_data": dict(FORM_DATA), "files": files(1, 2), **changes}


def post(client: Client, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(BASE + path, data=data, content_type="application/json", headers=headers)


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with a Chinese message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert CHINESE.search(body["message"]), body
    if code is not None:
        assert body["code"] == code, body
    return body


def apply(
    client: Client, user: User, matter: ImplementationItem, key: str = "key-00000001", **kw: Any
) -> Any:
    headers = {**bearer(user), "Idempotency-Key": key, **kw.pop("headers", {})}
    return post(client, "/applications", apply_body(matter, **kw), headers)


# --- Applying ---------------------------------------------------------------------------------


def test_apply_gives_the_password_once_and_repeats_return_the_same_case(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    first = apply(client, citizen.user, matter)
    assert first.status_code == 201, first.content
    body = first.json()
    assert set(body) >= {"id", "number", "state", "state_label", "light", "query_password"}
    assert body["state"] == CaseState.SUBMITTED and body["state_label"] == "待受理"
    assert body["item_code"] == matter.code and len(body["number"]) == 43
    case = Case.objects.get()
    assert case.channel == "3" and case.applicant_user == citizen.user
    assert rules.query_password_matches(
        number=case.number or "", password=body["query_password"], digest=case.query_password
    )
    assert case.materials.count() == 2

    again = apply(client, citizen.user, matter)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["query_password"] is None
    assert Case.objects.count() == 1

    other_key = apply(client, citizen.user, matter, key="key-00000002")
    assert other_key.status_code == 201 and Case.objects.count() == 2


def test_apply_for_an_enterprise_with_the_acting_header(
    client: Client, other_citizen: Person, grant: AgentGrant, matter: ImplementationItem
) -> None:
    enterprise = grant.enterprise
    acting = {"X-Acting-Enterprise": str(enterprise.pk)}
    response = apply(client, other_citizen.user, matter, headers=acting)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.enterprise == enterprise and case.applicant_name == enterprise.name
    assert case.agent_name == other_citizen.name

    auth = bearer(other_citizen.user)
    as_enterprise = client.get(BASE + "/mine", headers={**auth, **acting}).json()
    assert [c["id"] for c in as_enterprise["items"]] == [case.pk]
    as_person = client.get(BASE + "/mine", headers=auth).json()
    assert as_person["count"] == 0
    assert client.get(f"{BASE}/mine/{case.pk}", headers=auth).status_code == 404
    assert client.get(f"{BASE}/mine/{case.pk}", headers={**auth, **acting}).status_code == 200


def test_acting_for_an_enterprise_without_a_grant_is_refused(
    client: Client, other_citizen: Person, enterprise: Enterprise, matter: ImplementationItem
) -> None:
    response = apply(
        client, other_citizen.user, matter, headers={"X-Acting-Enterprise": str(enterprise.pk)}
    )
    refused(response, 403, "not_an_agent")
    headers = {**bearer(other_citizen.user), "X-Acting-Enterprise": "abc"}
    body = refused(client.get(BASE + "/mine", headers=headers), 400)
    assert "X-Acting-Enterprise" in body["fields"]
    assert Case.objects.count() == 0


def test_apply_takes_data_urls_and_line_broken_base64(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    encoded = b64(pdf_bytes("m1"))
    given = [
        {"material_seq": 1, "name": "a.pdf", "content": "data:application/pdf;base64," + encoded},
        {"material_seq": 2, "name": "b.pdf", "content": "\n".join(re.findall(".{1,76}", encoded))},
    ]
    assert apply(client, citizen.user, matter, files=given).status_code == 201
    assert Case.objects.get().materials.count() == 2


def test_a_body_over_the_request_limit_is_refused(
    client: Client, citizen: Person, matter: ImplementationItem, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    response = apply(client, citizen.user, matter)
    assert response.status_code == 413
    assert "提交的内容过大" in response.json()["message"]
    assert Case.objects.count() == 0


def test_apply_needs_an_idempotency_key(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    response = post(client, "/applications", apply_body(matter), bearer(citizen.user))
    body = refused(response, 400, "idempotency_key_invalid")
    assert "Idempotency-Key" in body["fields"]
    refused(apply(client, citizen.user, matter, key="short"), 400, "idempotency_key_invalid")
    assert Case.objects.count() == 0


def _too_big() -> list[dict[str, Any]]:
    return [{"material_seq": 1, "name": "大.pdf", "content": b64(b"%PDF-" + b"0" * 1_100_000)}]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"item": ""}, 400, "item"),
        ({"item": "X" * 31}, 400, "item"),
        ({"form_data": {"shop_name": {"nested": 1}}}, 400, "form_data.shop_name.str"),
        ({"form_data": {"shop_name": ""}}, 400, "shop_name"),
        ({"form_data": {**FORM_DATA, "area": "很大"}}, 400, "area"),
        ({"files": files(1)}, 400, "materials"),
        ({"files": [{"material_seq": 1, "name": "a.pdf", "content": "不是base64"}]}, 400,
         "files.0.content"),
        ({"files": [{"material_seq": 1, "name": "a.pdf"}]}, 400, "files.0.content"),
        ({"files": [{"material_seq": "一", "name": "a.pdf", "content": "QQ=="}]}, 400,
         "files.0.material_seq"),
        ({"files": _too_big()}, 413, "files.0.content"),
        ({"delivery": "courier", "delivery_address": " "}, 400, "delivery_address"),
    ],
)  # fmt: skip
def test_apply_refuses_bad_bodies_and_creates_nothing(
    client: Client,
    citizen: Person,
    matter: ImplementationItem,
    settings: Any,
    changes: dict[str, Any],
    status: int,
    field: str,
) -> None:
    settings.CASES_UPLOAD_MAX_MB = 1
    body = refused(apply(client, citizen.user, matter, **changes), status)
    assert field in body["fields"], body
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0
    # Files written before the refusal (a missing material, a bad form) are gone with the rows.
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_apply_refuses_a_body_that_is_not_json(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    headers = {**bearer(citizen.user), "Idempotency-Key": "key-00000001"}
    refused(post(client, "/applications", "{not json", headers), 400)
    refused(post(client, "/applications", "[]", headers), 400)
    assert Case.objects.count() == 0


def test_apply_refuses_a_file_that_is_not_a_document(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    bad = [{"material_seq": 1, "name": "病毒.exe", "content": b64(b"MZ\x90\x00" * 50)}]
    body = refused(apply(client, citizen.user, matter, files=[*bad, *files(2)]), 400)
    assert "病毒.exe" in body["message"]
    assert Case.objects.count() == 0


def test_apply_and_case_reads_need_a_person_token(
    client: Client, officer: Staff, matter: ImplementationItem
) -> None:
    refused(post(client, "/applications", apply_body(matter)), 401, "not_authenticated")
    refused(apply(client, officer.user, matter), 403, "permission_denied")
    refused(client.get(BASE + "/mine", headers=bearer(officer.user)), 403, "permission_denied")
    headers = {"Authorization": "Bearer nope"}
    refused(client.get(BASE + "/mine", headers=headers), 401, "not_authenticated")


# --- My cases ---------------------------------------------------------------------------------


def test_my_cases_list_and_detail(client: Client, citizen: Person, case: Case) -> None:
    auth = bearer(citizen.user)
    page = client.get(BASE + "/mine", headers=auth).json()
    assert page["count"] == 1 and page["offset"] == 0 and page["limit"] == 20
    [item] = page["items"]
    assert item["id"] == case.pk and item["number"] == case.number
    assert item["item_name"] == "食品经营许可" and item["light"] == "none"

    detail = client.get(f"{BASE}/mine/{case.pk}", headers=auth).json()
    assert detail["state"] == "submitted" and detail["dates"]["submitted_at"]
    assert [e["kind"] for e in detail["timeline"]] == [EventKind.SUBMITTED]  # draft is private
    assert [n["title"] for n in detail["notices"]] == ["收件凭证"]
    assert {m["material_seq"] for m in detail["materials"]} == {1, 2}
    assert detail["actions"] == [{"action": "withdraw", "label": "撤回申请"}]
    assert detail["asked_of_applicant"] is None
    bad = client.get(BASE + "/mine?limit=0", headers=auth)
    assert "limit" in refused(bad, 400)["fields"]


def test_notice_pdfs_for_the_applicant_and_the_department(
    client: Client, citizen: Person, other_citizen: Person, officer: Staff,
    other_officer: Staff, case: Case,
) -> None:  # fmt: skip
    detail = client.get(f"{BASE}/mine/{case.pk}", headers=bearer(citizen.user)).json()
    [notice] = detail["notices"]
    assert notice["pdf"] == f"{BASE}/mine/{case.pk}/notices/{notice['id']}.pdf"
    response = client.get(notice["pdf"], headers=bearer(citizen.user))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    refused(client.get(notice["pdf"], headers=bearer(other_citizen.user)), 404)
    missing = f"{BASE}/mine/{case.pk}/notices/{notice['id'] + 999}.pdf"
    refused(client.get(missing, headers=bearer(citizen.user)), 404)
    staff_pdf = f"{BASE}/staff/{case.pk}/notices/{notice['id']}.pdf"
    staff = client.get(f"{BASE}/staff/{case.pk}", headers=bearer(officer.user)).json()
    assert [n["pdf"] for n in staff["notices"]] == [staff_pdf]
    assert client.get(staff_pdf, headers=bearer(officer.user)).status_code == 200
    refused(client.get(staff_pdf, headers=bearer(other_officer.user)), 404)


def test_another_citizen_sees_nothing_and_can_do_nothing(
    client: Client, other_citizen: Person, officer: Staff, case: Case
) -> None:
    auth = bearer(other_citizen.user)
    assert client.get(BASE + "/mine", headers=auth).json()["count"] == 0
    refused(client.get(f"{BASE}/mine/{case.pk}", headers=auth), 404, "not_found")
    refused(post(client, f"/mine/{case.pk}/withdraw", {}, auth), 404, "not_found")
    ask_correction(case, officer)
    body = {"files": files(2)}
    refused(post(client, f"/mine/{case.pk}/correction", body, auth), 404, "not_found")
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION and case.materials.count() == 2


def test_withdraw(client: Client, citizen: Person, case: Case) -> None:
    auth = bearer(citizen.user)
    response = post(client, f"/mine/{case.pk}/withdraw", {"reason": "不办了"}, auth)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawn" and response.json()["actions"] == []
    refused(post(client, f"/mine/{case.pk}/withdraw", {}, auth), 409, "illegal_transition")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.WITHDRAWN).count() == 1


def test_correction_submits_files_and_resumes_the_case(
    client: Client, citizen: Person, officer: Staff, case: Case
) -> None:
    ask_correction(case, officer)
    auth = bearer(citizen.user)
    detail = client.get(f"{BASE}/mine/{case.pk}", headers=auth).json()
    assert detail["asked_of_applicant"]["action"] == "correct"
    assert "经营场所平面图" in detail["asked_of_applicant"]["text"]
    assert {"action": "correct", "label": "提交补正材料"} in detail["actions"]

    missing = post(client, f"/mine/{case.pk}/correction", {"files": files(1)}, auth)
    assert "materials" in refused(missing, 400, "materials_missing")["fields"]
    bad_form = {"files": files(2), "form_data": {"area": "很大"}}
    body = refused(post(client, f"/mine/{case.pk}/correction", bad_form, auth), 400)
    assert "area" in body["fields"]
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION and case.materials.count() == 2  # all or nothing

    body = {"files": files(2), "form_data": {"area": "50"}, "note": "已补标面积"}
    response = post(client, f"/mine/{case.pk}/correction", body, auth)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted" and response.json()["asked_of_applicant"] is None
    case.refresh_from_db()
    assert case.form_data["area"] == "50"
    assert case.materials.filter(round=1, material__seq=2).count() == 1


# --- Progress query ---------------------------------------------------------------------------


def test_progress_query_shows_no_personal_data(
    client: Client, citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    first = apply(client, citizen.user, matter).json()
    case = Case.objects.get(pk=first["id"])
    services.case_accept(case=case, officer=officer, opinion="材料齐全")
    query = {"number": first["number"], "password": first["query_password"]}
    response = client.get(BASE + "/progress", query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["applicant_name"] == "张*" and body["state"] == "in_progress"
    assert [e["label"] for e in body["timeline"]] == ["提交申请", "受理"]
    text = response.content.decode()
    for secret in (citizen.resident_id, citizen.phone, citizen.name, officer.name, "材料齐全"):
        assert secret not in text

    # Two queries: the case with its matter and department (not the matter's version, a wide
    # row the answer does not show), and the public events.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BASE + "/progress", query).status_code == 200
    sql = [q["sql"] for q in queries]
    assert len(sql) == 2 and '"catalog_itemversion"' not in sql[0], sql

    wrong = client.get(BASE + "/progress", {**query, "password": "000000x"})
    refused(wrong, 404, "query_failed")
    assert "password" in refused(client.get(BASE + "/progress", {"number": "1"}), 400)["fields"]


# --- Staff ------------------------------------------------------------------------------------


def test_todo_and_staff_detail_mask_the_applicant(
    client: Client, citizen: Person, officer: Staff, case: Case
) -> None:
    auth = bearer(officer.user)
    page = client.get(BASE + "/todo", headers=auth).json()
    assert page["count"] == 1
    [item] = page["items"]
    assert item["id"] == case.pk and item["applicant_name"] == "张三" and item["step"] == ""

    response = client.get(f"{BASE}/staff/{case.pk}", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["applicant"]["id_number"] == "621002********" + citizen.resident_id[-4:]
    assert body["applicant"]["phone"] == "138****0011"
    assert citizen.resident_id not in response.content.decode()
    assert citizen.phone not in response.content.decode()
    form = {row["name"]: row["value"] for row in body["form"]}
    assert form["shop_name"] == "西峰小吃店" and "*" in form["id_number"]
    assert [e["kind"] for e in body["timeline"]] == ["draft_saved", "submitted"]
    actions = {a["action"]: a["label"] for a in body["actions"]}
    assert actions == {
        "accept": "受理",
        "refuse": "不予受理",
        "request_correction": "一次性告知补正",
    }

    reveal = post(client, f"/staff/{case.pk}/pii", {"reason": "电话核实材料"}, auth)
    assert reveal.json()["applicant_id_number"] == citizen.resident_id
    assert "reason" in refused(post(client, f"/staff/{case.pk}/pii", {}, auth), 400)["fields"]


def act(client: Client, staff: Staff, case: Case, action: str, body: Any = None) -> Any:
    return post(client, f"/staff/{case.pk}/actions/{action}", body or {}, bearer(staff.user))


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_staff_actions_walk_a_case_to_delivery(
    client: Client, officer: Staff, colleague: Staff, approver: Staff, case: Case
) -> None:
    body = ok(act(client, officer, case, "accept", {"opinion": "材料齐全"}))
    assert body["state"] == "in_progress" and body["steps"][1]["state"] == "active"
    assert {a["action"] for a in ok(client.get(
        f"{BASE}/staff/{case.pk}", headers=bearer(colleague.user)))["actions"]} == {
        "request_correction", "claim", "pass", "return", "start_special"}  # fmt: skip
    claim = client.post(  # an action without fields needs no body
        f"{BASE}/staff/{case.pk}/actions/claim", headers=bearer(colleague.user)
    )
    assert ok(claim)["steps"][1]["assignee"] == "colleague"
    assert ok(act(client, colleague, case, "release"))["steps"][1]["assignee"] == ""
    ok(act(client, colleague, case, "pass", {"opinion": "同意"}))
    ok(act(client, approver, case, "return", {"opinion": "面积需复核"}))
    ok(act(client, colleague, case, "pass", {"opinion": "已复核"}))
    special = {"kind": "expert_review", "reason": "需专家评审", "limit_days": 5}
    assert ok(act(client, approver, case, "start_special", special))["state"] == "special"
    ok(act(client, approver, case, "extend", {"days": 5, "reason": "情况复杂"}))
    ok(act(client, approver, case, "end_special", {"result": "评审通过"}))
    body = ok(act(client, approver, case, "approve", {"opinion": "准予", "result_name": ""}))
    assert body["state"] == "completed" and body["result_name"] == "食品经营许可证"
    assert ok(act(client, officer, case, "deliver", {"note": "窗口领取"}))["state"] == "delivered"
    assert list(case.events.order_by("at", "pk").values_list("kind", flat=True))[1:] == [
        "submitted", "accepted", "step_claimed", "step_released", "step_passed", "step_returned",
        "step_passed", "special_started", "extended", "special_ended", "approved", "delivered",
    ]  # fmt: skip


def test_staff_refuse_request_correction_and_deny(
    client: Client, citizen: Person, matter: ImplementationItem, officer: Staff,
    colleague: Staff, approver: Staff,
) -> None:  # fmt: skip
    refused_case = submitted_case(citizen, matter)
    assert (
        ok(act(client, officer, refused_case, "refuse", {"reason": "不属于本部门"}))["state"]
        == "refused"
    )
    correction = submitted_case(citizen, matter)
    missing = {"missing": [{"name": "经营场所平面图", "problem": "未标注面积", "material_seq": 2}]}
    assert ok(act(client, officer, correction, "request_correction", missing))["state"] == (
        "correction"
    )
    denied = accepted_case(citizen, matter, officer)
    ok(act(client, colleague, denied, "pass"))
    body = ok(act(client, approver, denied, "deny", {"opinion": "场所不符合要求"}))
    assert body["state"] == "completed" and body["approved"] is False


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("refuse", {}, "reason"),
        ("refuse", {"reason": 12}, "reason"),
        ("request_correction", {}, "missing"),
        ("request_correction", {"missing": [{"name": "图"}]}, "missing.0.problem"),
        ("accept", {"opinion": "很" * 2001}, "opinion"),
        ("accept", "{oops", "__all__"),
    ],
)
def test_bad_staff_bodies_are_refused_with_nothing_changed(
    client: Client, officer: Staff, case: Case, action: str, body: Any, field: str
) -> None:
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(
        f"{BASE}/staff/{case.pk}/actions/{action}", data=data,
        content_type="application/json", headers=bearer(officer.user),
    )  # fmt: skip
    answer = refused(response, 400)
    if field != "__all__":
        assert field in answer["fields"], answer
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.events.count() == 2


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("return", {"opinion": " "}, "opinion"),
        ("extend", {"days": "五"}, "days"),
        ("extend", {"days": 99, "reason": "复杂"}, "days"),
        ("start_special", {"kind": "dance", "reason": "x", "limit_days": 5}, "kind"),
        ("start_special", {"kind": "hearing", "reason": "x", "limit_days": 0}, "limit_days"),
        ("end_special", {}, "result"),
    ],
)
def test_bad_bodies_of_the_approver_are_refused(
    client: Client,
    accepted: Case,
    colleague: Staff,
    approver: Staff,
    action: str,
    body: dict[str, Any],
    field: str,
) -> None:
    ok(act(client, colleague, accepted, "pass"))
    if action == "end_special":
        special = {"kind": "hearing", "reason": "听证", "limit_days": 5}
        ok(act(client, approver, accepted, "start_special", special))
    before = accepted.events.count()
    answer = refused(act(client, approver, accepted, action, body), 400)
    assert field in answer["fields"], answer
    assert accepted.events.count() == before


def test_unknown_and_applicant_actions_are_404(client: Client, officer: Staff, case: Case) -> None:
    for action in ("fly", "withdraw", "submit", "correct"):
        body = refused(act(client, officer, case, action), 404, "not_found")
        assert "办理动作" in body["message"]


def test_staff_scoping(
    client: Client, citizen: Person, officer: Staff, colleague: Staff, other_officer: Staff,
    case: Case,
) -> None:  # fmt: skip
    other = bearer(other_officer.user)
    assert client.get(BASE + "/todo", headers=other).json()["count"] == 0
    refused(client.get(f"{BASE}/staff/{case.pk}", headers=other), 404, "not_found")
    refused(act(client, other_officer, case, "accept"), 404, "not_found")
    refused(act(client, other_officer, case, "fly"), 404, "not_found")
    refused(post(client, f"/staff/{case.pk}/pii", {"reason": "看看"}, other), 404)
    # A reviewer of the right department may not accept: 403 with the reason.
    body = refused(act(client, colleague, case, "accept"), 403, "permission_denied")
    assert "窗口人员" in body["message"]
    citizen_auth = bearer(citizen.user)
    refused(client.get(BASE + "/todo", headers=citizen_auth), 403, "permission_denied")
    refused(client.get(f"{BASE}/staff/{case.pk}", headers=citizen_auth), 403)
    refused(post(client, f"/staff/{case.pk}/actions/accept", {}, citizen_auth), 403)
    refused(client.get(BASE + "/todo?light=blue", headers=bearer(officer.user)), 400)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ACCEPTED).count() == 0
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PII_REVEALED).count() == 0


def test_todo_filters(
    client: Client, citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff
) -> None:
    waiting = submitted_case(citizen, matter)
    in_review = accepted_case(citizen, matter, officer)
    window = bearer(officer.user)
    assert [c["id"] for c in client.get(BASE + "/todo", headers=window).json()["items"]] == [
        waiting.pk
    ]
    review = client.get(BASE + "/todo", headers=bearer(colleague.user)).json()
    assert [(c["id"], c["step"], c["claimed_by_me"]) for c in review["items"]] == [
        (in_review.pk, "审核", False)
    ]
    green = client.get(BASE + "/todo?light=green", headers=bearer(colleague.user)).json()
    assert green["count"] == 1
    red = client.get(BASE + "/todo?light=red", headers=bearer(colleague.user)).json()
    assert red["count"] == 0
    found = client.get(BASE + "/todo", {"q": waiting.number[:40]}, headers=window).json()
    assert found["count"] == 1


# --- Query counts -----------------------------------------------------------------------------


def _queries(client: Client, path: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, headers=headers).status_code == 200
    return len(captured.captured_queries)


def test_list_query_counts_do_not_grow_with_the_cases(
    client: Client, citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff
) -> None:
    accepted_case(citizen, matter, officer)
    submitted_case(citizen, matter)
    mine, window, review = bearer(citizen.user), bearer(officer.user), bearer(colleague.user)
    reads = ((BASE + "/mine", mine), (BASE + "/todo", window), (BASE + "/todo", review))
    counts = [_queries(client, path, headers) for path, headers in reads]
    for _ in range(3):
        accepted_case(citizen, matter, officer)
        submitted_case(citizen, matter)
    assert client.get(BASE + "/mine", headers=mine).json()["count"] == 8
    again = [_queries(client, path, headers) for path, headers in reads]
    assert again == counts


# Measured on PostgreSQL: the token (with its user and person), the matter, the key check,
# then in one transaction the version, the version's materials, the case number (one upsert),
# the case (one insert, already submitted), the report row (insert and read back), the SMS
# (lock, rate count, row), the notice number (one upsert), the notice, the files' rows (one
# insert, however many files) and the two events (one insert; the department came with the
# matter). SQLite makes one fewer (no advisory lock). Exact: a new query on every submission
# must be a decision, not an accident.
APPLY_QUERIES = 16


@pytest.mark.parametrize("seqs", [(1, 2), (1, 2, 1, 2)], ids=["2 files", "4 files"])
def test_applying_makes_a_fixed_number_of_queries_and_no_savepoints(
    client: Client,
    citizen: Person,
    matter: ImplementationItem,
    sms_file: Path,
    seqs: tuple[int, ...],
) -> None:
    headers = {**bearer(citizen.user), "Idempotency-Key": "key-00000001"}
    body = apply_body(matter, files=files(*seqs))
    with CaptureQueriesContext(connection) as captured:
        response = post(client, "/applications", body, headers)
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in captured.captured_queries]
    # The request's one transaction is a savepoint of the test's; the services open none.
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1, statements
    expected = APPLY_QUERIES if connection.vendor == "postgresql" else APPLY_QUERIES - 1
    assert len(statements) - 2 == expected, statements  # not counting SAVEPOINT / RELEASE
    # The case is inserted once, already submitted: never written twice.
    assert not [sql for sql in statements if sql.startswith('UPDATE "cases_case"')], statements
    case = Case.objects.get(pk=response.json()["id"])
    assert sorted(m.material.seq for m in case.materials.all()) == sorted(seqs)
    # Its history still records the draft (not shown to the public) and the submission.
    history = [(e.kind, e.from_state, e.to_state, e.public) for e in case.events.order_by("id")]
    assert history == [
        (EventKind.DRAFT_SAVED, "", CaseState.DRAFT, False),
        (EventKind.SUBMITTED, CaseState.DRAFT, CaseState.SUBMITTED, True),
    ]


def test_a_refused_sms_does_not_stop_the_submission(
    client: Client, citizen: Person, matter: ImplementationItem, sms_file: Path, settings: Any
) -> None:
    settings.NOTIFY = {**settings.NOTIFY, "PER_PHONE_PER_MINUTE": 1}
    first = apply(client, citizen.user, matter, key="key-00000001")
    second = apply(client, citizen.user, matter, key="key-00000002")
    assert (first.status_code, second.status_code) == (201, 201), second.content
    case = Case.objects.get(pk=second.json()["id"])
    # The refusal came after the SMS's rate count; everything after it was still written.
    assert case.state == CaseState.SUBMITTED and case.notices.filter(kind="receipt").count() == 1
    assert case.events.filter(kind=EventKind.SUBMITTED).count() == 1
    from yiwang.notify.models import OutboxMessage

    assert OutboxMessage.objects.filter(template="case_submitted").count() == 1


# --- Races (PostgreSQL) -----------------------------------------------------------------------


def _race(count: int, request: Any) -> list[Any]:
    """Run `request(client)` in `count` threads at once; the responses, in no order."""
    barrier = threading.Barrier(count)
    responses: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            responses.append(request(client))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return responses


@pytest.mark.django_db(transaction=True)
def test_concurrent_applies_with_one_key_make_one_case(
    citizen: Person, matter: ImplementationItem, sms_file: Path, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writing transactions; the race needs PostgreSQL")
    headers = {**bearer(citizen.user), "Idempotency-Key": "race-key-0001"}
    body = apply_body(matter)
    responses = _race(50, lambda client: post(client, "/applications", body, headers))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: 49}, statuses
    assert Case.objects.count() == 1
    assert {r.json()["id"] for r in responses} == {Case.objects.get().pk}
    assert sum(r.json()["query_password"] is not None for r in responses) == 1
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(stored) == CaseMaterial.objects.count() == 2  # nothing left by the others


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_accept_once(
    citizen: Person, matter: ImplementationItem, officer: Staff, sms_file: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writing transactions; the race needs PostgreSQL")
    case = submitted_case(citizen, matter)
    headers = bearer(officer.user)
    path = f"/staff/{case.pk}/actions/accept"
    responses = _race(50, lambda client: post(client, path, {"opinion": "齐全"}, headers))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 49}, statuses
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ACCEPTED).count() == 1
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"illegal_transition"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_applies_get_consecutive_numbers(
    citizen: Person, matter: ImplementationItem, sms_file: Path, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writing transactions; the race needs PostgreSQL")
    settings.NOTIFY = {**settings.NOTIFY, "PER_PHONE_PER_MINUTE": 0, "PER_PHONE_PER_HOUR": 0}
    token = bearer(citizen.user)
    bodies = [
        (apply_body(matter), {**token, "Idempotency-Key": f"race-{n:04d}"}) for n in range(20)
    ]
    pending = deque(bodies)  # popleft is atomic: each thread takes its own body and key
    responses = _race(20, lambda client: post(client, "/applications", *pending.popleft()))
    assert Counter(r.status_code for r in responses) == {201: 20}
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert [int(n[-4:]) for n in numbers] == list(range(1, 21))
    receipts = CaseNotice.objects.filter(kind="receipt").values_list("document_number", flat=True)
    assert len(set(receipts)) == 20
