"""The applicant's case pages (Django test client): applying step by step, my cases and who sees
them, correction, withdrawal, notices and the public progress query."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import AgentGrant, Enterprise, Person, Staff
from yiwang.cases import services
from yiwang.cases.models import Case, CaseEvent, CaseMaterial, CaseState, EventKind
from yiwang.cases.services import Submitted
from yiwang.cases.tests.conftest import (
    FORM_DATA,
    ask_correction,
    pdf_bytes,
    submitted_case,
    uploads,
)
from yiwang.catalog.models import ImplementationItem
from yiwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def login(client: Client, person: Person) -> Client:
    client.force_login(person.user, backend="yiwang.accounts.backends.IdentifierBackend")
    return client


def pdf_file(name: str, text: str = "yiwang") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def html(response: Any) -> str:
    return str(response.content.decode())


def submit_with_password(person: Person, matter: ImplementationItem, **kw: Any) -> Submitted:
    draft = services.case_draft_save(user=person.user, item=matter, form_data=FORM_DATA, **kw)
    for upload in uploads(1, 2):
        services.case_material_add(case=draft, user=person.user, upload=upload)
    return services.case_submit(case=draft, user=person.user)


def the_draft(person: Person) -> Case:
    return Case.objects.get(applicant_user=person.user, state=CaseState.DRAFT)


# --- Applying ---------------------------------------------------------------------------------


def test_apply_step_by_step_with_drafts_refusals_and_one_submission(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    login(client, citizen)
    start = f"/cases/apply/{matter.code}/"
    page = client.get(start)
    assert page.status_code == 200
    # Filled in from the citizen's identity, read-only.
    assert 'value="张三"' in html(page) and "根据您的实名信息自动填写" in html(page)

    # "Next" with the shop name missing: the draft is kept, the field says what is wrong.
    response = client.post(start, {"shop_name": "", "area": "45", "go": "next"})
    draft = the_draft(citizen)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{draft.pk}/draft/form/?check=1"
    assert draft.form_data["area"] == "45" and draft.form_data["applicant"] == "张三"
    assert "请填写店铺名称" in html(client.get(response["Location"]))

    # A field in the wrong format: 400, the message next to it, and what was typed is kept.
    form_url = f"/cases/{draft.pk}/draft/form/"
    response = client.post(form_url, {**FORM_DATA, "area": "四十五", "go": "next"})
    assert response.status_code == 400
    assert "经营面积（平方米）格式不正确" in html(response)
    assert 'value="四十五"' in html(response)

    # Saved and left: it is in 我的办件 as a draft, and resumes with what was typed.
    assert client.post(form_url, {**FORM_DATA, "go": "save"}).status_code == 302
    mine = html(client.get("/cases/mine/"))
    assert 'id="drafts"' in mine and form_url in mine
    assert 'value="西峰小吃店"' in html(client.get(form_url))
    response = client.post(form_url, {**FORM_DATA, "go": "next"})
    assert response["Location"] == f"/cases/{draft.pk}/draft/materials/"

    # Two files for material 1, one of them not a PDF: it alone is refused, by name.
    materials_url = f"/cases/{draft.pk}/draft/materials/"
    bad = SimpleUploadedFile("申请书.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(
        materials_url, {"files_1": [pdf_file("申请书正本.pdf"), bad], "go": "next"}
    )
    assert response.status_code == 400
    assert "申请书.pdf" in html(response)
    assert list(CaseMaterial.objects.filter(case=draft).values_list("file_name", flat=True)) == [
        "申请书正本.pdf"
    ]

    # Submitting without the second required material is refused with its name.
    review = client.get(f"/cases/{draft.pk}/draft/review/")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html(review))
    assert key is not None
    response = client.post(f"/cases/{draft.pk}/submit/", {"idempotency_key": key.group(1)})
    assert response.status_code == 400
    assert "还有必要材料未上传：经营场所平面图" in html(response)
    assert the_draft(citizen).number is None

    response = client.post(materials_url, {"files_2": pdf_file("平面图.pdf"), "go": "next"})
    assert response["Location"] == f"/cases/{draft.pk}/draft/delivery/"

    # Only the ways the item offers: no 电子证照 here.
    delivery_url = f"/cases/{draft.pk}/draft/delivery/"
    page = html(client.get(delivery_url))
    assert "快递送达" in page and "电子证照" not in page
    response = client.post(delivery_url, {"delivery": "license", "go": "next"})
    assert response.status_code == 400 and "该事项不支持所选的送达方式" in html(response)
    response = client.post(delivery_url, {"delivery": "pickup", "go": "next"})
    assert response["Location"] == f"/cases/{draft.pk}/draft/review/"

    review = client.get(f"/cases/{draft.pk}/draft/review/")
    assert "西峰小吃店" in html(review) and "窗口领取" in html(review)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html(review))
    assert key is not None
    response = client.post(f"/cases/{draft.pk}/submit/", {"idempotency_key": key.group(1)})
    assert response["Location"] == f"/cases/{draft.pk}/done/"
    case = Case.objects.get(pk=draft.pk)
    assert case.state == CaseState.SUBMITTED and case.number
    done = html(client.get(response["Location"]))
    assert case.number in done
    password = re.search(r'id="query-password">(\d{6})<', done)
    assert password is not None
    assert OutboxMessage.objects.filter(template="case_submitted").count() == 1
    # The password is shown once; afterwards the page says it went by SMS.
    again = html(client.get(response["Location"]))
    assert 'id="query-password"' not in again and "已通过短信发送" in again

    # A double click (the same form sent again): the same case, nothing new.
    response = client.post(f"/cases/{draft.pk}/submit/", {"idempotency_key": key.group(1)})
    assert response["Location"] == f"/cases/{draft.pk}/done/"
    assert Case.objects.filter(applicant_user=citizen.user).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.SUBMITTED).count() == 1
    assert OutboxMessage.objects.filter(template="case_submitted").count() == 1
    # The draft pages of a submitted case lead to the case.
    assert client.get(form_url)["Location"] == f"/cases/{case.pk}/"


def test_a_bad_idempotency_key_is_refused_and_nothing_changes(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    draft = services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    for upload in uploads(1, 2):
        services.case_material_add(case=draft, user=citizen.user, upload=upload)
    login(client, citizen)
    response = client.post(f"/cases/{draft.pk}/submit/", {"idempotency_key": "x y"})
    assert response.status_code == 400 and "提交标识格式不正确" in html(response)
    assert the_draft(citizen).number is None


def test_applying_refusals_are_pages_not_errors(
    client: Client, citizen: Person, officer: Staff, matter: ImplementationItem
) -> None:
    assert client.get(f"/cases/apply/{matter.code}/")["Location"].startswith("/login/")
    login(client, citizen)
    assert client.get("/cases/apply/NO-SUCH-ITEM/").status_code == 404
    # A staff account has no person to apply as.
    client.force_login(officer.user)
    response = client.get(f"/cases/apply/{matter.code}/")
    assert response.status_code == 403 and "仅供个人用户使用" in html(response)
    assert not Case.objects.exists()


def test_another_account_cannot_touch_my_draft(
    client: Client, citizen: Person, other_citizen: Person, matter: ImplementationItem
) -> None:
    draft = services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    login(client, other_citizen)
    for step in ("form", "materials", "delivery", "review"):
        assert client.get(f"/cases/{draft.pk}/draft/{step}/").status_code == 404
    response = client.post(f"/cases/{draft.pk}/draft/form/", {"shop_name": "改掉", "go": "save"})
    assert response.status_code == 404
    assert client.post(f"/cases/{draft.pk}/submit/", {}).status_code == 404
    draft.refresh_from_db()
    assert draft.form_data["shop_name"] == "西峰小吃店" and draft.state == CaseState.DRAFT


def test_the_guide_links_to_applying_and_booking_and_the_center_to_my_cases(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    page = html(client.get(f"/guide/{matter.code}/"))
    assert f'href="/cases/apply/{matter.code}/"' in page and "在线申请" in page
    assert f'href="/bookings/new/?item={matter.code}"' in page
    login(client, citizen)
    assert 'href="/cases/mine/"' in html(client.get("/me/"))


# --- My cases and who sees them ---------------------------------------------------------------


def test_my_cases_lists_mine_only_and_others_get_404(
    client: Client, citizen: Person, other_citizen: Person, case: Case
) -> None:
    login(client, citizen)
    page = html(client.get("/cases/mine/"))
    assert case.number and case.number in page and "待受理" in page
    assert html(client.get("/cases/mine/?state=submitted")).count(case.number) >= 1
    assert case.number not in html(client.get("/cases/mine/?state=in_progress"))
    assert client.get(f"/cases/{case.pk}/").status_code == 200

    login(client, other_citizen)
    assert case.number not in html(client.get("/cases/mine/"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/done/").status_code == 404
    assert client.get(f"/cases/{case.pk}/withdraw/").status_code == 404
    assert client.post(f"/cases/{case.pk}/withdraw/", {"reason": "不办了"}).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_an_agent_sees_the_enterprises_cases_only_while_acting_for_it(
    client: Client,
    citizen: Person,
    other_citizen: Person,
    enterprise: Enterprise,
    grant: AgentGrant,
    matter: ImplementationItem,
) -> None:
    ours = submitted_case(other_citizen, matter)  # 李四's own application
    draft = services.case_draft_save(
        user=other_citizen.user, item=matter, enterprise=enterprise, form_data=FORM_DATA
    )
    for upload in uploads(1, 2):
        services.case_material_add(case=draft, user=other_citizen.user, upload=upload)
    firms = services.case_submit(case=draft, user=other_citizen.user).case
    assert ours.number and firms.number

    login(client, other_citizen)
    page = html(client.get("/cases/mine/"))
    assert ours.number in page and firms.number not in page
    assert client.get(f"/cases/{firms.pk}/").status_code == 404

    assert client.post("/me/acting/", {"enterprise": enterprise.pk}).status_code == 302
    page = html(client.get("/cases/mine/"))
    assert firms.number in page and ours.number not in page and enterprise.name in page
    assert client.get(f"/cases/{firms.pk}/").status_code == 200
    assert client.get(f"/cases/{ours.pk}/").status_code == 404

    # The legal representative, acting for the enterprise, sees it too.
    login(client, citizen)
    client.post("/me/acting/", {"enterprise": enterprise.pk})
    assert firms.number in html(client.get("/cases/mine/"))


def test_applying_while_acting_for_an_enterprise_applies_for_it(
    client: Client,
    other_citizen: Person,
    enterprise: Enterprise,
    grant: AgentGrant,
    matter: ImplementationItem,
) -> None:
    login(client, other_citizen)
    client.post("/me/acting/", {"enterprise": enterprise.pk})
    page = html(client.get(f"/cases/apply/{matter.code}/"))
    assert "正在代表" in page and enterprise.name in page
    client.post(f"/cases/apply/{matter.code}/", {**FORM_DATA, "go": "save"})
    draft = the_draft(other_citizen)
    assert draft.enterprise_id == enterprise.pk and draft.applicant_name == enterprise.name


def test_my_cases_costs_the_same_queries_for_one_case_or_ten(
    client: Client,
    citizen: Person,
    matter: ImplementationItem,
    django_assert_max_num_queries: Any,
) -> None:
    submitted_case(citizen, matter)
    services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    login(client, citizen)
    client.get("/cases/mine/")  # warm up the session
    with CaptureQueriesContext(connection) as one:
        assert client.get("/cases/mine/").status_code == 200
    for _ in range(9):
        submitted_case(citizen, matter)
    with django_assert_max_num_queries(len(one)):
        response = client.get("/cases/mine/")
    assert html(response).count('<tr data-case="') == 11  # ten cases and the draft


# --- A case: correction, withdrawal, notices ---------------------------------------------------


def test_correction_lists_the_notice_and_resubmits(
    client: Client, citizen: Person, other_citizen: Person, officer: Staff, case: Case
) -> None:
    ask_correction(case, officer)
    login(client, citizen)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert 'id="action-correct"' in page and "未标注面积" in page
    assert f"/cases/{case.pk}/notices/" in page  # the correction notice among the notices
    assert "请按补正告知书补正" in html(client.get("/cases/mine/"))

    url = f"/cases/{case.pk}/correct/"
    page = html(client.get(url))
    assert "经营场所平面图" in page and "未标注面积" in page and 'name="files_2"' in page

    # Without the listed material: refused, the case still waits for correction.
    response = client.post(url, {**FORM_DATA, "note": "", "go": "submit"})
    assert response.status_code == 400
    assert "请上传补正告知书所列材料：经营场所平面图" in html(response)
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION

    # A bad file is named and nothing is submitted.
    bad = SimpleUploadedFile("平面图.pdf", b"%PDF-broken", content_type="application/pdf")
    response = client.post(url, {**FORM_DATA, "files_2": bad, "go": "submit"})
    assert response.status_code == 400 and "平面图.pdf" in html(response)
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION

    login(client, other_citizen)
    assert client.get(url).status_code == 404

    login(client, citizen)
    response = client.post(
        url,
        {
            **FORM_DATA,
            "shop_name": "西峰小吃店（新址）",
            "files_2": pdf_file("平面图（标注面积）.pdf"),
            "note": "已标注面积",
            "go": "submit",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.form_data["shop_name"] == "西峰小吃店（新址）"
    assert case.events.filter(kind=EventKind.CORRECTED, opinion="已标注面积").exists()
    # No longer waiting for correction: the page refuses with the reason.
    response = client.get(url)
    assert response.status_code == 409 and "不能提交补正材料" in html(response)


def test_withdraw_needs_a_reason_and_then_ends_the_case(
    client: Client, citizen: Person, case: Case
) -> None:
    login(client, citizen)
    assert 'id="action-withdraw"' in html(client.get(f"/cases/{case.pk}/"))
    url = f"/cases/{case.pk}/withdraw/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写撤回理由" in html(response)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED

    assert client.post(url, {"reason": "地址有变，重新申请"})["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN and case.closed_reason == "地址有变，重新申请"
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "已撤回" in page and "地址有变，重新申请" in page and 'id="action-withdraw"' not in page
    response = client.post(url, {"reason": "再撤一次"})
    assert response.status_code == 409 and "不能撤回申请" in html(response)


def test_case_page_shows_dates_timeline_materials_and_notices(
    client: Client, citizen: Person, officer: Staff, case: Case
) -> None:
    services.case_accept(case=case, officer=officer, opinion="材料齐全")
    case.refresh_from_db()
    login(client, citizen)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert case.promised_due_on and case.promised_due_on.isoformat() in page
    assert case.legal_due_on and case.legal_due_on.isoformat() in page
    assert "提交申请" in page and "材料齐全" in page  # the timeline
    assert "材料1.pdf" in page and "材料2.pdf" in page
    assert "收件凭证" in page and "受理通知书" in page
    assert "查看申请人完整信息" not in page  # internal events stay internal


def test_notices_download_for_the_applicant_only(
    client: Client, citizen: Person, other_citizen: Person, case: Case, matter: ImplementationItem
) -> None:
    notice = case.notices.get(kind="receipt")
    url = f"/cases/{case.pk}/notices/{notice.pk}.pdf"
    login(client, other_citizen)
    assert client.get(url).status_code == 404
    theirs = submitted_case(other_citizen, matter)
    # My notice under their case, and their notice under mine: not found either way.
    assert client.get(f"/cases/{theirs.pk}/notices/{notice.pk}.pdf").status_code == 404
    login(client, citizen)
    other_notice = theirs.notices.get(kind="receipt")
    assert client.get(f"/cases/{case.pk}/notices/{other_notice.pk}.pdf").status_code == 404
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


# --- The public progress query ----------------------------------------------------------------


def test_progress_query_shows_the_case_without_personal_data(
    client: Client, citizen: Person, matter: ImplementationItem
) -> None:
    submitted = submit_with_password(citizen, matter)
    number, password = submitted.case.number, submitted.query_password
    assert number and password
    # The notices' QR code opens the page with the number filled in.
    assert f'value="{number}"' in html(client.get(f"/cases/progress/?number={number}"))
    response = client.post("/cases/progress/", {"number": number, "password": password})
    page = html(response)
    assert response.status_code == 200
    assert "待受理" in page and matter.name in page and "西峰区市场监督管理局" in page
    assert "张*" in page and "张三" not in page
    assert citizen.resident_id not in page and citizen.phone not in page
    assert "西峰小吃店" not in page  # the form stays private
    assert "提交申请" in page  # the public timeline


def test_a_right_answer_starts_the_failure_count_again(
    client: Client, citizen: Person, matter: ImplementationItem, settings: Any
) -> None:
    settings.CASES_QUERY_FAILURE_LIMIT = 3
    submitted = submit_with_password(citizen, matter)
    number, password = submitted.case.number, submitted.query_password
    wrong = "000000" if password != "000000" else "111111"
    for _ in range(2):
        client.post("/cases/progress/", {"number": number, "password": wrong})
    assert (
        client.post("/cases/progress/", {"number": number, "password": password}).status_code == 200
    )
    for _ in range(2):
        client.post("/cases/progress/", {"number": number, "password": wrong})
    # Four failures in all, but never three in a row: not locked.
    response = client.post("/cases/progress/", {"number": number, "password": password})
    assert response.status_code == 200 and 'id="progress-result"' in html(response)


def test_progress_query_gives_one_message_for_wrong_pairs_then_locks(
    client: Client, citizen: Person, matter: ImplementationItem, settings: Any
) -> None:
    settings.CASES_QUERY_FAILURE_LIMIT = 3
    submitted = submit_with_password(citizen, matter)
    number, password = submitted.case.number, submitted.query_password
    assert number and password
    wrong = "000000" if password != "000000" else "111111"
    unknown = client.post("/cases/progress/", {"number": "6210" + "0" * 39, "password": wrong})
    assert "办件编号或查询密码不正确" in html(unknown)
    for _ in range(3):
        response = client.post("/cases/progress/", {"number": number, "password": wrong})
        assert response.status_code == 404 and "办件编号或查询密码不正确" in html(response)
        assert 'id="progress-result"' not in html(response)
    # Locked: even the right password is refused for now.
    response = client.post("/cases/progress/", {"number": number, "password": password})
    assert response.status_code == 429 and "查询失败次数过多" in html(response)
    assert 'id="progress-result"' not in html(response)
    # An empty form is a 400 with the field messages, never an error page.
    response = client.post("/cases/progress/", {})
    assert response.status_code == 400 and "请填写办件编号" in html(response)
