"""The staff side of cases on the workbench: the to-do list, a case page with its action forms,
material preview, revealing the applicant's data, and window intake. Pages are driven through
the Django test client with a staff login that passed the second factor."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import Person, Staff
from yiwang.accounts.tests.clients import staff_client as login
from yiwang.accounts.tests.conftest import rid, uscc
from yiwang.cases import services
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CasePause,
    CaseState,
    EventKind,
    StepState,
)
from yiwang.cases.tests.conftest import accepted_case, pdf_bytes, submitted_case
from yiwang.catalog.models import ImplementationItem
from yiwang.core.masking import mask_phone, mask_resident_id
from yiwang.core.models import AuditRecord

pytestmark = pytest.mark.django_db

TODO = "/workbench/cases/"
USCC = uscc("MA71X8Y3")


@pytest.fixture(autouse=True)
def _media_and_sms(settings: Any, tmp_path: Path, sms_file: Path) -> None:
    """Uploaded files and the SMS outbox stay in the test's own directory; query passwords
    are hashed cheaply (the suite makes many cases)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def case_url(case: Case, tail: str = "") -> str:
    return f"/workbench/cases/{case.pk}/{tail}"


def act(client: Client, case: Case, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(case_url(case, f"act/{action}/"), data or {})


def listed(client: Client, url: str = TODO) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-case="(\d+)"', response.content.decode())}


def approve_ready(case: Case, colleague: Staff) -> Case:
    """Review passed: the 决定 step waits for the approver."""
    services.case_step_claim(case=case, officer=colleague)
    return services.case_step_pass(case=case, officer=colleague, opinion="同意")


# --- Who sees what --------------------------------------------------------------------------


def test_pages_need_the_second_factor(case: Case, officer: Staff) -> None:
    client = Client()
    client.force_login(officer.user)  # password only
    response = client.get(TODO)
    assert response.status_code == 302 and response["Location"].startswith("/workbench/login/")
    assert client.get(case_url(case)).status_code == 302


def test_todo_shows_only_what_the_officer_may_act_on(
    citizen: Person,
    matter: ImplementationItem,
    officer: Staff,
    colleague: Staff,
    approver: Staff,
    other_officer: Staff,
) -> None:
    waiting = submitted_case(citizen, matter)
    in_review = accepted_case(citizen, matter, officer)
    to_deliver = approve_ready(accepted_case(citizen, matter, officer), colleague)
    services.case_decide(case=to_deliver, officer=approver, approved=True)

    window = login(officer)
    assert listed(window) == {waiting.pk, to_deliver.pk}  # 待受理 and 待送达
    page = window.get(TODO).content.decode()
    assert "待受理" in page and "待送达" in page
    assert listed(login(colleague)) == {in_review.pk}  # the 审核 step, not 待受理
    # The department's list has them all, and filters by state.
    assert listed(window, TODO + "?tab=all") == {waiting.pk, in_review.pk, to_deliver.pk}
    assert listed(window, TODO + "?tab=all&state=in_progress") == {in_review.pk}
    # Another department: an empty list and 404 on the case page.
    outsider = login(other_officer)
    assert listed(outsider) == set() and listed(outsider, TODO + "?tab=all") == set()
    assert outsider.get(case_url(waiting)).status_code == 404


def test_claimed_step_shows_who_and_leaves_the_colleagues_list(
    accepted: Case, colleague: Staff, regions: None
) -> None:
    from yiwang.accounts.models import Role
    from yiwang.accounts.tests.conftest import XIFENG, _staff

    second = _staff("reviewer2", XIFENG, "market_regulation", "13900000031", Role.REVIEWER)
    assert listed(login(second)) == {accepted.pk}
    assert act(login(colleague), accepted, "claim").status_code == 302
    page = login(colleague).get(TODO).content.decode()
    assert "<td>审核</td>" in page and "<td>colleague</td>" in page  # step and who claimed it
    assert listed(login(second)) == set()  # claimed by someone else


def test_light_filter_and_search(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff
) -> None:
    green = accepted_case(citizen, matter, officer)
    late = accepted_case(citizen, matter, officer)
    Case.objects.filter(pk=late.pk).update(promised_due_on="2020-01-10", yellow_from="2020-01-08")
    client = login(colleague)
    page = client.get(TODO).content.decode()
    assert "绿灯·正常" in page and "红灯·超期" in page  # the light in words, not colour only
    assert listed(client, TODO + "?light=red") == {late.pk}
    assert listed(client, TODO + "?light=green") == {green.pk}
    assert listed(client, TODO + "?light=paused") == set()
    assert listed(client, TODO + f"?q={green.number}") == {green.pk}
    assert listed(client, TODO + "?q=张三") == {green.pk, late.pk}
    assert listed(client, TODO + "?q=王五") == set()


def test_todo_queries_do_not_grow_with_the_cases(
    citizen: Person,
    matter: ImplementationItem,
    officer: Staff,
    colleague: Staff,
    django_assert_max_num_queries: Any,
) -> None:
    first = accepted_case(citizen, matter, officer)
    services.case_step_claim(case=first, officer=colleague)  # a row with an assignee
    client = login(colleague)
    with CaptureQueriesContext(connection) as one:
        assert listed(client) == {first.pk}
    for _ in range(19):
        accepted_case(citizen, matter, officer)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(listed(client)) == 20


def test_department_list_queries_do_not_grow_with_the_cases(
    citizen: Person,
    matter: ImplementationItem,
    officer: Staff,
    django_assert_max_num_queries: Any,
) -> None:
    submitted_case(citizen, matter)
    client = login(officer)
    with CaptureQueriesContext(connection) as one:
        assert len(listed(client, TODO + "?tab=all")) == 1
    for index in range(19):
        if index % 2:
            accepted_case(citizen, matter, officer)
        else:
            submitted_case(citizen, matter)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(listed(client, TODO + "?tab=all")) == 20


def test_list_pages_by_twenty(citizen: Person, matter: ImplementationItem, officer: Staff) -> None:
    case = submitted_case(citizen, matter)
    template = Case.objects.get(pk=case.pk)
    for n in range(20):  # copies of the submitted case, enough to need a second page
        template.pk, template.number = None, f"{case.number[:-4]}9{n:03d}"
        template.idempotency_key = None
        template.save()
    client = login(officer)
    assert len(listed(client)) == 20
    second = client.get(TODO + "?page=2").content.decode()
    assert "第 2 / 2 页" in second and len(re.findall(r'data-case="', second)) == 1


# --- The case page and its actions ------------------------------------------------------------


def test_case_page_shows_masked_applicant_and_the_actions_of_the_officer(
    case: Case, officer: Staff, colleague: Staff, citizen: Person
) -> None:
    page = login(officer).get(case_url(case)).content.decode()
    assert case.number in page and "食品经营许可" in page
    assert citizen.resident_id not in page and citizen.phone not in page  # also in the form data
    assert mask_resident_id(citizen.resident_id) in page and mask_phone(citizen.phone) in page
    assert "西峰小吃店" in page  # the form
    assert "食品经营许可申请书" in page and "经营场所平面图" in page  # the materials
    assert "收件凭证" in page  # the notices
    for action in ("accept", "refuse", "request_correction"):
        assert f'id="action-{action}"' in page
    assert 'id="action-claim"' not in page
    # A reviewer of the same department sees the case but may not accept it.
    reviewer_page = login(colleague).get(case_url(case)).content.decode()
    assert 'id="action-accept"' not in reviewer_page and 'id="no-actions"' in reviewer_page


def test_accept_through_the_page(case: Case, officer: Staff) -> None:
    client = login(officer)
    response = act(client, case, "accept", {"accept-opinion": "材料齐全，予以受理"})
    assert response.status_code == 302 and response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.accepted_by == officer
    page = client.get(case_url(case)).content.decode()
    assert "受理：已办理" in page  # the success message
    assert "受理通知书" in page and "材料齐全，予以受理" in page  # notice and timeline
    assert 'id="action-accept"' not in page  # no second acceptance offered


def test_refuse_needs_a_reason_and_changes_nothing_without_one(case: Case, officer: Staff) -> None:
    client = login(officer)
    events = case.events.count()
    response = act(client, case, "refuse", {"refuse-reason": "  "})
    assert response.status_code == 400
    assert "请填写不予受理的理由" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.events.count() == events
    assert act(client, case, "refuse", {"refuse-reason": "不属于本部门职权"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.REFUSED and case.closed_reason == "不属于本部门职权"


def test_an_action_the_officer_may_not_take_is_refused(accepted: Case, officer: Staff) -> None:
    """The window officer posts 通过 on the reviewer's step: the reason, nothing changed."""
    response = act(login(officer), accepted, "pass", {"pass-opinion": "同意"})
    assert response.status_code == 403
    assert "当前环节“审核”由审核人员办理" in response.content.decode()
    assert accepted.steps.get(state=StepState.ACTIVE).name == "审核"


def test_unknown_action_and_other_department_are_404(
    case: Case, officer: Staff, other_officer: Staff
) -> None:
    assert act(login(officer), case, "withdraw").status_code == 404  # the applicant's action
    assert act(login(officer), case, "nonsense").status_code == 404
    response = act(login(other_officer), case, "accept", {"accept-opinion": ""})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_correction_with_several_rows(case: Case, officer: Staff) -> None:
    data = {
        "c-TOTAL_FORMS": "4", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "30",
        "c-0-material": "2", "c-0-name": "", "c-0-problem": "未标注经营面积",
        "c-1-material": "", "c-1-name": "营业执照复印件", "c-1-problem": "未加盖公章",
        "c-2-material": "", "c-2-name": "", "c-2-problem": "",
        "c-3-material": "", "c-3-name": "", "c-3-problem": "",
    }  # fmt: skip
    response = act(login(officer), case, "request_correction", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION
    pause = CasePause.objects.get(case=case)
    assert pause.items == [
        {"material": 2, "name": "经营场所平面图", "problem": "未标注经营面积"},
        {"material": None, "name": "营业执照复印件", "problem": "未加盖公章"},
    ]
    assert "补正告知书" in login(officer).get(case_url(case)).content.decode()


def test_correction_row_without_a_problem_is_refused(case: Case, officer: Staff) -> None:
    data = {
        "c-TOTAL_FORMS": "1", "c-INITIAL_FORMS": "0",
        "c-0-material": "1", "c-0-name": "", "c-0-problem": "",
    }  # fmt: skip
    response = act(login(officer), case, "request_correction", data)
    assert response.status_code == 400
    assert "每项补正内容都要写明材料和问题" in response.content.decode()
    empty = act(login(officer), case, "request_correction", {**data, "c-0-material": ""})
    assert empty.status_code == 400 and "请列出需要补正的全部内容" in empty.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and not case.pauses.exists()


def _correction_section(page: str) -> str:
    return page.split('id="action-request_correction"', 1)[1].split("</form>", 1)[0]


def test_the_correction_form_is_built_when_the_officer_opens_it(case: Case, officer: Staff) -> None:
    """The case page offers 一次性告知补正 as a link; its formset (a select of the matter's
    materials per row) is built, with the query for those materials, only when opened."""
    client = login(officer)
    client.get(case_url(case))  # the session's first request reads more (not counted)
    with CaptureQueriesContext(connection) as closed_queries:
        page = client.get(case_url(case)).content.decode()
    closed = _correction_section(page)
    assert 'href="?open=request_correction#action-request_correction"' in closed
    assert 'hx-get="?open=request_correction"' in closed
    assert "c-TOTAL_FORMS" not in closed and "submit-request_correction" not in closed
    assert 'id="submit-accept"' in page  # the other actions' forms are there as before

    with CaptureQueriesContext(connection) as opened_queries:
        page = client.get(case_url(case) + "?open=request_correction").content.decode()
    opened = _correction_section(page)
    assert 'name="c-TOTAL_FORMS"' in opened and 'id="submit-request_correction"' in opened
    assert "经营场所平面图" in opened and "open-request_correction" not in opened
    assert len(opened_queries) == len(closed_queries) + 1


def test_claim_pass_approve_and_deliver_through_the_pages(
    accepted: Case, officer: Staff, colleague: Staff, approver: Staff
) -> None:
    reviewer = login(colleague)
    assert 'id="action-claim"' in reviewer.get(case_url(accepted)).content.decode()
    assert act(reviewer, accepted, "claim").status_code == 302
    assert accepted.steps.get(state=StepState.ACTIVE).assignee == colleague
    page = reviewer.get(case_url(accepted)).content.decode()
    assert 'id="action-release"' in page and 'id="action-pass"' in page
    assert act(reviewer, accepted, "pass", {"pass-opinion": "审核通过"}).status_code == 302
    assert accepted.steps.get(state=StepState.ACTIVE).name == "决定"

    head = login(approver)
    response = act(
        head, accepted, "approve",
        {"approve-opinion": "准予许可", "approve-result_name": "食品经营许可证（正本）"},
    )  # fmt: skip
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == CaseState.COMPLETED and accepted.approved is True
    assert accepted.result_name == "食品经营许可证（正本）"

    window = login(officer)
    assert act(window, accepted, "deliver", {"deliver-note": "申请人本人领取"}).status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == CaseState.DELIVERED
    page = window.get(case_url(accepted)).content.decode()
    assert "申请人本人领取" in page and 'id="no-actions"' in page


def test_release_return_and_deny(accepted: Case, colleague: Staff, approver: Staff) -> None:
    reviewer = login(colleague)
    act(reviewer, accepted, "claim")
    assert act(reviewer, accepted, "release").status_code == 302
    assert accepted.steps.get(state=StepState.ACTIVE).assignee is None
    approve_ready(accepted, colleague)
    head = login(approver)
    refused = act(head, accepted, "return", {"return-opinion": ""})
    assert refused.status_code == 400 and "请填写退回意见" in refused.content.decode()
    assert accepted.steps.get(state=StepState.ACTIVE).name == "决定"
    assert act(head, accepted, "return", {"return-opinion": "面积需核实"}).status_code == 302
    assert accepted.steps.get(state=StepState.ACTIVE).name == "审核"
    approve_ready(accepted, colleague)
    no_reason = act(head, accepted, "deny", {"deny-opinion": "", "deny-result_name": ""})
    assert no_reason.status_code == 400 and "请填写不予许可的理由" in no_reason.content.decode()
    assert act(head, accepted, "deny", {"deny-opinion": "选址不符合要求"}).status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == CaseState.COMPLETED and accepted.approved is False


def test_special_procedure_and_extension(accepted: Case, colleague: Staff, approver: Staff) -> None:
    reviewer = login(colleague)
    start = {"start_special-kind": "inspection", "start_special-reason": "需检验",
             "start_special-limit_days": "5"}  # fmt: skip
    assert act(reviewer, accepted, "start_special", start).status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == CaseState.SPECIAL and accepted.paused
    page = reviewer.get(case_url(accepted)).content.decode()
    assert "暂停计时" in page and "检验检测" in page
    ended = act(reviewer, accepted, "end_special", {"end_special-result": "检验合格"})
    assert ended.status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == CaseState.IN_PROGRESS and not accepted.paused

    head = login(approver)
    too_long = act(head, accepted, "extend", {"extend-days": "11", "extend-reason": "复杂"})
    assert too_long.status_code == 400 and "10" in too_long.content.decode()
    accepted.refresh_from_db()
    assert accepted.extended_at is None
    assert (
        act(head, accepted, "extend", {"extend-days": "5", "extend-reason": "情况复杂"}).status_code
        == 302
    )
    accepted.refresh_from_db()
    assert accepted.extension_days == 5
    assert AuditRecord.objects.filter(action="case.extend", object_id=str(accepted.pk)).exists()


# --- Materials, notices, personal data --------------------------------------------------------


def test_material_preview_opens_inline_for_the_department_only(
    case: Case, officer: Staff, other_officer: Staff, citizen: Person, matter: ImplementationItem
) -> None:
    row = case.materials.order_by("pk").first()
    assert row is not None
    url = case_url(case, f"materials/{row.pk}")
    response = login(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(other_officer).get(url).status_code == 404
    # A material of another case, through this case's address: 404.
    other = submitted_case(citizen, matter)
    theirs = CaseMaterial.objects.filter(case=other).first()
    assert theirs is not None
    assert login(officer).get(case_url(case, f"materials/{theirs.pk}")).status_code == 404


def test_notice_pdf_downloads_for_the_department_only(
    case: Case, officer: Staff, other_officer: Staff
) -> None:
    notice = case.notices.get(kind="receipt")
    url = case_url(case, f"notices/{notice.pk}.pdf")
    assert login(other_officer).get(url).status_code == 404
    response = login(officer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_reveal_needs_a_reason_and_is_audited(case: Case, officer: Staff, citizen: Person) -> None:
    client = login(officer)
    url = case_url(case, "reveal/")
    refused = client.post(url, {"reveal-reason": ""})
    assert refused.status_code == 400 and "请填写查看原因" in refused.content.decode()
    assert citizen.resident_id not in refused.content.decode()
    assert not AuditRecord.objects.filter(action="case.pii_reveal").exists()

    shown = client.post(url, {"reveal-reason": "核对申请人身份"})
    assert shown.status_code == 200
    page = shown.content.decode()
    assert citizen.resident_id in page and citizen.phone in page
    assert shown["Cache-Control"] == "private, no-store"
    record = AuditRecord.objects.get(action="case.pii_reveal", object_id=str(case.pk))
    assert record.actor == officer.user.username
    assert citizen.resident_id not in str(record.detail)
    assert case.events.filter(kind=EventKind.PII_REVEALED, public=False).exists()
    # The clear values were on that response only.
    assert citizen.resident_id not in client.get(case_url(case)).content.decode()


def test_other_department_cannot_reveal(case: Case, other_officer: Staff) -> None:
    response = login(other_officer).post(case_url(case, "reveal/"), {"reveal-reason": "好奇"})
    assert response.status_code == 404
    assert not AuditRecord.objects.filter(action="case.pii_reveal").exists()


# --- Window intake ----------------------------------------------------------------------------


def _intake_post(key: str = "intake-key-0001", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": key,
        "applicant_type": "2",
        "name": "庆阳市西峰区小吃店",
        "id_number": USCC,
        "phone": "13800000099",
        "address": "西峰区南大街 1 号",
        "legal_representative": "王五",
        "agent_name": "赵六",
        "agent_id_number": rid("62100219850505123"),
        "delivery": "pickup",
        "delivery_address": "",
        "f_shop_name": "西峰小吃店",
        "f_area": "30",
        "m_1": _pdf("申请书.pdf"),
        "m_2": _pdf("平面图.pdf"),
    }
    data.update(changes)
    return data


def _pdf(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def test_intake_end_to_end(
    matter: ImplementationItem, officer: Staff, colleague: Staff, sms_file: Path
) -> None:
    client = login(officer)
    assert 'id="intake-link"' in client.get(TODO).content.decode()
    picked = client.get("/workbench/cases/intake/?q=食品").content.decode()
    assert matter.name in picked and f"?item={matter.code}" in picked
    assert matter.name not in client.get("/workbench/cases/intake/?q=护照").content.decode()
    form = client.get(f"/workbench/cases/intake/?item={matter.code}").content.decode()
    assert 'name="idempotency_key"' in form and 'name="m_1"' in form and "店铺名称" in form

    url = f"/workbench/cases/intake/?item={matter.code}"
    bad = client.post(url, _intake_post(id_number=USCC[:-1] + ("1" if USCC[-1] != "1" else "2")))
    assert bad.status_code == 400
    assert re.search(r'class="field-error">[^<]*统一社会信用代码', bad.content.decode())
    assert not Case.objects.exists()

    done = client.post(url, _intake_post())
    assert done.status_code == 200
    case = Case.objects.get()
    password = re.search(r'id="query-password">(\d{6})<', done.content.decode())
    assert password is not None and case.number in done.content.decode()
    assert case.state == CaseState.SUBMITTED and case.intake_by == officer
    assert case.channel == "1" and case.materials.count() == 2
    # The form's identity fields were filled from the applicant at the window.
    assert case.form_data["applicant"] == "赵六" and case.form_data["phone"] == "13800000099"
    assert case.events.filter(kind=EventKind.INTAKE).exists()

    # Sent again (a double click or a reload): the same case, the password not shown again.
    again = client.post(url, _intake_post())
    assert again.status_code == 200 and Case.objects.count() == 1
    assert 'id="query-password"' not in again.content.decode()

    # Its page offers 受理.
    page = client.get(case_url(case)).content.decode()
    assert 'id="action-accept"' in page
    assert act(client, case, "accept", {"accept-opinion": ""}).status_code == 302


def test_intake_names_the_missing_material_and_keeps_the_input(
    matter: ImplementationItem, officer: Staff, tmp_path: Path
) -> None:
    url = f"/workbench/cases/intake/?item={matter.code}"
    data = _intake_post()
    del data["m_2"]
    response = login(officer).post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "经营场所平面图" in page and 'value="西峰小吃店"' in page
    assert not Case.objects.exists()
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []  # 申请书 removed


def test_intake_is_for_window_officers_of_the_department(
    matter: ImplementationItem, colleague: Staff, other_officer: Staff
) -> None:
    assert login(colleague).get("/workbench/cases/intake/").status_code == 403
    outsider = login(other_officer)
    assert matter.name not in outsider.get("/workbench/cases/intake/").content.decode()
    assert outsider.get(f"/workbench/cases/intake/?item={matter.code}").status_code == 404
    response = outsider.post(f"/workbench/cases/intake/?item={matter.code}", _intake_post())
    assert response.status_code == 404 and not Case.objects.exists()


def test_nav_links_to_the_todo_list(officer: Staff) -> None:
    page = login(officer).get("/workbench/").content.decode()
    assert 'href="/workbench/cases/"' in page


def test_events_of_the_whole_timeline_are_shown(accepted: Case, colleague: Staff) -> None:
    services.case_step_claim(case=accepted, officer=colleague)
    page = login(colleague).get(case_url(accepted)).content.decode()
    internal = CaseEvent.objects.filter(case=accepted, public=False).count()
    assert internal >= 1 and "签收环节" in page and "否（内部）" in page


# --- In a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_window_officer_takes_in_and_accepts_in_the_browser(
    page: Any, live_server: Any, matter: ImplementationItem, officer: Staff
) -> None:
    from django.conf import settings
    from playwright.sync_api import expect

    session = login(officer).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto(live_server.url + "/workbench/")
    page.locator("#nav-cases").click()
    page.get_by_role("link", name="窗口收件").click()
    page.get_by_role("searchbox").fill("食品")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="收件").click()
    page.get_by_label("自然人", exact=True).check()
    page.locator("#id_name").fill("王五")
    page.locator("#id_id_number").fill(rid("62100219800808123"))
    page.locator("#id_phone").fill("13800000077")
    page.locator("#id_f_shop_name").fill("王五面馆")
    for seq in (1, 2):
        scan = {"name": f"材料{seq}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
        page.locator(f"#m_{seq}").set_input_files(files=[scan])
    page.get_by_role("button", name="收件并生成办件").click()
    expect(page.locator("#query-password")).to_have_text(re.compile(r"^\d{6}$"))
    page.locator("#open-case").click()
    expect(page.locator("#case-state")).to_have_text("待受理")
    expect(page.locator("#applicant-id")).to_contain_text("********")
    page.locator("#id_accept-opinion").fill("材料齐全")
    page.locator("#submit-accept").click()
    expect(page.locator("#case-state")).to_have_text("办理中")
    expect(page.locator(".messages")).to_contain_text("受理：已办理")
    case = Case.objects.get()
    assert case.state == CaseState.IN_PROGRESS and case.form_data["applicant"] == "王五"
