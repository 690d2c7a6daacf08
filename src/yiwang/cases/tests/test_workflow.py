"""The case state machine through its services: every legal transition, and the illegal ones
refused with nothing changed."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import Person, Staff
from yiwang.cases import rules, services
from yiwang.cases.errors import CaseError
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CaseNotice,
    CaseState,
    EventKind,
    StepState,
)
from yiwang.cases.services import Missing
from yiwang.cases.states import TRANSITIONS, Action, Actor, available_actions
from yiwang.cases.tests.conftest import (
    FORM_DATA,
    accepted_case,
    ask_correction,
    submitted_case,
    uploads,
)
from yiwang.catalog.models import ImplementationItem
from yiwang.reporting.models import ReportRecord

pytestmark = pytest.mark.django_db


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("at", "pk").values_list("kind", flat=True))


def test_submit_numbers_the_case_and_sends_the_password(
    citizen: Person, matter: ImplementationItem, sms_file: object
) -> None:
    draft = services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    assert draft.state == CaseState.DRAFT and draft.number is None
    # Filled from identity: the applicant did not type these.
    assert draft.form_data["applicant"] == citizen.name
    assert draft.form_data["id_number"] == citizen.resident_id
    for upload in uploads(1, 2):
        services.case_material_add(case=draft, user=citizen.user, upload=upload)
    submitted = services.case_submit(case=draft, user=citizen.user)
    case = submitted.case
    assert case.state == CaseState.SUBMITTED
    assert case.number is not None and len(case.number) == 43
    assert case.number.startswith(matter.code)
    assert submitted.query_password and rules.query_password_matches(
        number=case.number, password=submitted.query_password, digest=case.query_password
    )
    assert submitted.query_password not in case.query_password
    assert kinds(case) == [EventKind.DRAFT_SAVED, EventKind.SUBMITTED]
    assert CaseNotice.objects.filter(case=case, kind="receipt").count() == 1
    assert ReportRecord.objects.filter(case_number=case.number, dataset="application").count() == 1
    from yiwang.notify.models import OutboxMessage

    message = OutboxMessage.objects.get(template="case_submitted")
    assert case.number in message.text and submitted.query_password in message.text


def test_daily_sequence_counts_up(citizen: Person, matter: ImplementationItem) -> None:
    first = submitted_case(citizen, matter)
    second = submitted_case(citizen, matter)
    assert first.number and second.number
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_submit_refuses_missing_materials_and_bad_form(
    citizen: Person, matter: ImplementationItem
) -> None:
    draft = services.case_draft_save(user=citizen.user, item=matter, form_data={"area": "abc"})
    services.case_material_add(case=draft, user=citizen.user, upload=uploads(1)[0])
    with pytest.raises(CaseError) as form_error:
        services.case_submit(case=draft, user=citizen.user)
    assert set(form_error.value.fields) == {"shop_name", "area"}
    services.case_draft_save(user=citizen.user, item=matter, case=draft, form_data=FORM_DATA)
    with pytest.raises(CaseError) as missing:
        services.case_submit(case=draft, user=citizen.user)
    assert "经营场所平面图" in missing.value.message
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT and draft.number is None


def test_repeated_submit_returns_the_same_case(citizen: Person, matter: ImplementationItem) -> None:
    case = submitted_case(citizen, matter, key="key-00000001")
    draft = services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    again = services.case_submit(case=case, user=citizen.user, idempotency_key="key-00000001")
    assert again.case.pk == case.pk and again.query_password is None and not again.created
    other = services.case_submit(case=draft, user=citizen.user, idempotency_key="key-00000001")
    assert other.case.pk == case.pk
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT


def test_apply_in_one_call_is_idempotent(citizen: Person, matter: ImplementationItem) -> None:
    first = services.case_apply(
        user=citizen.user, item=matter, idempotency_key="api-key-0001", form_data=FORM_DATA,
        uploads=uploads(1, 2),
    )  # fmt: skip
    second = services.case_apply(
        user=citizen.user, item=matter, idempotency_key="api-key-0001", form_data=FORM_DATA,
        uploads=uploads(1, 2),
    )  # fmt: skip
    assert first.created and not second.created and first.case.pk == second.case.pk
    assert Case.objects.count() == 1


def test_full_walk_through_the_steps(
    case: Case, officer: Staff, colleague: Staff, approver: Staff, citizen: Person
) -> None:
    case = services.case_accept(case=case, officer=officer, opinion="材料齐全")
    steps = list(case.steps.order_by("order"))
    assert [s.state for s in steps] == [StepState.DONE, StepState.ACTIVE, StepState.WAITING]
    assert case.promised_due_on and case.legal_due_on and case.promised_due_on < case.legal_due_on
    services.case_step_claim(case=case, officer=colleague)
    services.case_step_pass(case=case, officer=colleague, opinion="符合条件")
    with pytest.raises(CaseError):  # the approver cannot "pass" the deciding step
        services.case_step_pass(case=case, officer=approver)
    services.case_decide(case=case, officer=approver, approved=True, opinion="准予许可")
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED and case.approved is True
    assert case.result_name == "食品经营许可证"
    services.case_deliver(case=case, officer=officer, note="本人领取")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    assert not case.steps.exclude(state=StepState.DONE).exists()
    assert kinds(case) == [
        EventKind.DRAFT_SAVED, EventKind.SUBMITTED, EventKind.ACCEPTED, EventKind.STEP_CLAIMED,
        EventKind.STEP_PASSED, EventKind.APPROVED, EventKind.DELIVERED,
    ]  # fmt: skip
    datasets = set(
        ReportRecord.objects.filter(case_number=case.number).values_list("dataset", flat=True)
    )
    assert datasets == {"application", "acceptance", "step", "completion"}
    assert set(case.notices.values_list("kind", flat=True)) == {
        "receipt", "acceptance", "completion",
    }  # fmt: skip


def test_return_sends_the_step_back(accepted: Case, colleague: Staff, approver: Staff) -> None:
    services.case_step_pass(case=accepted, officer=colleague)
    with pytest.raises(CaseError):
        services.case_step_return(case=accepted, officer=approver, opinion="  ")
    services.case_step_return(case=accepted, officer=approver, opinion="核查经营场所")
    active = accepted.steps.get(state=StepState.ACTIVE)
    assert active.name == "审核" and active.assignee is None
    event = accepted.events.get(kind=EventKind.STEP_RETURNED)
    assert event.action == "2" and event.opinion == "核查经营场所"


def test_deny_needs_reasons(accepted: Case, colleague: Staff, approver: Staff) -> None:
    services.case_step_pass(case=accepted, officer=colleague)
    with pytest.raises(CaseError) as error:
        services.case_decide(case=accepted, officer=approver, approved=False, opinion="")
    assert error.value.status == 400
    services.case_decide(case=accepted, officer=approver, approved=False, opinion="场所不符合要求")
    accepted.refresh_from_db()
    assert accepted.state == CaseState.COMPLETED and accepted.approved is False
    assert accepted.closed_reason == "场所不符合要求"


def test_refuse_needs_reasons_and_writes_the_notice(case: Case, officer: Staff) -> None:
    with pytest.raises(CaseError):
        services.case_refuse(case=case, officer=officer, reason=" ")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    services.case_refuse(case=case, officer=officer, reason="不属于本机关职权范围")
    case.refresh_from_db()
    assert case.state == CaseState.REFUSED
    notice = case.notices.get(kind="refusal")
    assert notice.content["reasons"] == ["不属于本机关职权范围"]
    record = ReportRecord.objects.get(case_number=case.number, dataset="acceptance")
    assert record.payload["accepted"] is False and record.payload["reason"]


def test_correction_once_and_resubmission(
    accepted: Case, colleague: Staff, citizen: Person, sms_file: object
) -> None:
    ask_correction(accepted, colleague)
    accepted.refresh_from_db()
    assert accepted.state == CaseState.CORRECTION and accepted.paused
    # The same ground again is refused: everything must be listed in one notice.
    with pytest.raises(CaseError) as again:
        services.case_correction_submit(case=accepted, user=citizen.user)
    assert "经营场所平面图" in again.value.message  # the listed material is still missing
    upload = uploads(2)[0]
    services.case_material_add(case=accepted, user=citizen.user, upload=upload)
    services.case_correction_submit(case=accepted, user=citizen.user, note="已补充")
    accepted.refresh_from_db()
    assert accepted.state == CaseState.IN_PROGRESS and not accepted.paused
    assert accepted.materials.filter(replaced=True).count() == 1
    with pytest.raises(CaseError) as repeated:
        services.case_correction_request(
            case=accepted, officer=colleague,
            missing=[Missing(name="经营场所平面图", problem="仍不清楚", material_seq=2)],
        )  # fmt: skip
    assert repeated.value.code == "correction_repeated"
    # Another ground is still allowed.
    services.case_correction_request(
        case=accepted, officer=colleague,
        missing=[Missing(name="卫生管理制度", problem="缺少")],
    )  # fmt: skip


def test_correction_before_acceptance_does_not_start_a_clock(case: Case, officer: Staff) -> None:
    ask_correction(case, officer)
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION and not case.paused and case.promised_due_on is None


def test_special_procedure_and_extension(accepted: Case, colleague: Staff, approver: Staff) -> None:
    before = accepted.promised_due_on
    services.case_special_start(
        case=accepted, officer=colleague, kind="expert_review", reason="需专家评审", limit_days=5
    )
    accepted.refresh_from_db()
    assert accepted.state == CaseState.SPECIAL and accepted.paused
    with pytest.raises(CaseError):
        services.case_step_pass(case=accepted, officer=colleague)
    services.case_special_end(case=accepted, officer=colleague, result="评审通过")
    accepted.refresh_from_db()
    assert accepted.state == CaseState.IN_PROGRESS and accepted.promised_due_on == before
    with pytest.raises(CaseError):
        services.case_extend(case=accepted, approver=colleague, days=5, reason="复杂")
    with pytest.raises(CaseError):
        services.case_extend(case=accepted, approver=approver, days=11, reason="复杂")
    services.case_extend(case=accepted, approver=approver, days=5, reason="情况复杂")
    accepted.refresh_from_db()
    assert accepted.extension_days == 5 and accepted.promised_due_on > before
    with pytest.raises(CaseError) as twice:
        services.case_extend(case=accepted, approver=approver, days=1, reason="再延")
    assert "一次" in twice.value.message


def test_withdraw_by_the_applicant_only(case: Case, citizen: Person, other_citizen: Person) -> None:
    with pytest.raises(CaseError) as stranger:
        services.case_withdraw(case=case, user=other_citizen.user, reason="x")
    assert stranger.value.status == 404
    services.case_withdraw(case=case, user=citizen.user, reason="不办了")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    with pytest.raises(CaseError) as after:
        services.case_withdraw(case=case, user=citizen.user)
    assert after.value.status == 409


def test_officer_of_another_department_gets_404(case: Case, other_officer: Staff) -> None:
    with pytest.raises(CaseError) as error:
        services.case_accept(case=case, officer=other_officer)
    assert error.value.status == 404
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_wrong_role_is_refused(case: Case, colleague: Staff) -> None:
    with pytest.raises(CaseError) as error:
        services.case_accept(case=case, officer=colleague)
    assert error.value.status == 403


def test_claimed_step_is_for_its_claimer(accepted: Case, colleague: Staff) -> None:
    from yiwang.accounts.models import Role
    from yiwang.accounts.tests.conftest import XIFENG, _staff

    second = _staff("reviewer2", XIFENG, "market_regulation", "13900000031", Role.REVIEWER)
    services.case_step_claim(case=accepted, officer=colleague)
    with pytest.raises(CaseError):
        services.case_step_pass(case=accepted, officer=second)
    services.case_step_release(case=accepted, officer=colleague)
    services.case_step_pass(case=accepted, officer=second)


@pytest.mark.parametrize("action", list(Action))
def test_every_action_refused_outside_its_states(
    action: Action, citizen: Person, matter: ImplementationItem, officer: Staff
) -> None:
    """For each state a case can be in, an action not allowed from it raises 409."""
    case = accepted_case(citizen, matter, officer)
    transition = TRANSITIONS[action]
    actor = Actor(is_applicant=True, staff_id=officer.pk, roles=frozenset({"window_officer"}))
    for state in CaseState:
        case.state = state
        allowed = action in available_actions(case=case, actor=actor, active=None, steps=[])
        if state not in transition.sources:
            assert not allowed, (action, state)


def test_timeline_is_the_event_table(case: Case, officer: Staff) -> None:
    services.case_accept(case=case, officer=officer)
    events = CaseEvent.objects.filter(case=case)
    assert all(e.actor_name for e in events)
    accepted = events.get(kind=EventKind.ACCEPTED)
    assert accepted.from_state == CaseState.SUBMITTED and accepted.to_state == CaseState.IN_PROGRESS


def test_draft_of_an_outdated_version_is_moved_then_submitted(
    citizen: Person, matter: ImplementationItem
) -> None:
    from yiwang.catalog import services as catalog

    draft = services.case_draft_save(user=citizen.user, item=matter, form_data=FORM_DATA)
    for upload in uploads(1, 2):
        services.case_material_add(case=draft, user=citizen.user, upload=upload)
    catalog.item_draft(item=matter)
    catalog.item_publish(item=matter)
    matter.refresh_from_db()
    with pytest.raises(CaseError) as outdated:
        services.case_submit(case=draft, user=citizen.user)
    assert "已更新" in outdated.value.message
    draft.refresh_from_db()
    assert draft.version_id == matter.current_version_id and draft.state == CaseState.DRAFT
    submitted = services.case_submit(case=draft, user=citizen.user)
    assert submitted.case.state == CaseState.SUBMITTED


def test_identity_fields_cannot_be_overwritten(citizen: Person, matter: ImplementationItem) -> None:
    forged = {**FORM_DATA, "applicant": "王五", "id_number": "110101199003070011"}
    draft = services.case_draft_save(user=citizen.user, item=matter, form_data=forged)
    assert draft.form_data["applicant"] == citizen.name
    services.case_draft_save(user=citizen.user, item=matter, case=draft, form_data=forged)
    draft.refresh_from_db()
    assert draft.form_data["id_number"] == citizen.resident_id
    assert draft.form_data["shop_name"] == FORM_DATA["shop_name"]


def test_document_numbers_carry_the_full_department_name(accepted: Case, officer: Staff) -> None:
    """Short names repeat across counties (县市场监管局); the numbers must not."""
    notice = accepted.notices.get(kind="acceptance")
    assert notice.document_number.startswith(officer.department.name)
    assert "受〔" in notice.document_number
