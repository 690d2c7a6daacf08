"""The national upward data sets of a case (GB/T 39046 tables 5–8), built from the case and its
latest event and written to the reporting outbox in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from yiwang.cases.models import Case, CaseEvent, CasePause, CaseState, EventKind


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def application_payload(case: Case) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "case_number": case.number,
        "item_code": case.item.code,
        "item_name": case.version.name,
        "applicant_type": case.applicant_type,
        "applicant_name": case.applicant_name,
        "applicant_id_type": case.applicant_id_type,
        "applicant_id_number": case.applicant_id_number,
        "phone": case.phone,
        "channel": case.channel,
        "applied_at": _iso(case.submitted_at),
        "region_code": case.item.region_id,
    }
    optional = {
        "agent_name": case.agent_name,
        "agent_id_number": case.agent_id_number,
        "address": case.address,
        "legal_representative": case.legal_representative,
    }
    payload |= {key: value for key, value in optional.items() if value}
    return payload


def acceptance_payload(case: Case, hint: Mapping[str, Any]) -> dict[str, Any]:
    accepted = case.state != CaseState.REFUSED
    event = case.events.filter(kind__in=[EventKind.ACCEPTED, EventKind.REFUSED]).last()
    payload: dict[str, Any] = {
        "case_number": case.number,
        "accepted": accepted,
        "department_name": case.department.name,
        "department_code": case.department.uscc,
        "handler_name": event.actor_name if event else "",
        "accepted_at": _iso(event.at if event else timezone.now()),
        "document_number": hint.get("document_number", ""),
    }
    if accepted and case.promised_due_on:
        payload["promised_completion_on"] = case.promised_due_on.isoformat()
    if not accepted:
        payload["reason"] = hint.get("reason") or case.closed_reason
    return payload


# The case's special-procedure kinds → the reporting code list (`reporting.codes`).
SPECIAL_CODES = {
    "hearing": "2",
    "inspection": "4",
    "quarantine": "4",
    "appraisal": "5",
    "expert_review": "6",
    "publicity": "7",
}


def _special(pause: CasePause) -> dict[str, Any]:
    special: dict[str, Any] = {
        "kind": SPECIAL_CODES.get(pause.special_kind, "9"),
        "reason": pause.reason,
        "started_at": _iso(pause.started_at),
    }
    if pause.ended_at:
        special["ended_at"] = _iso(pause.ended_at)
        special["result"] = pause.result
    return special


def step_payload(case: Case) -> dict[str, Any]:
    """The handling-step record of the case's latest event."""
    event = case.events.exclude(kind=EventKind.PII_REVEALED).last() or CaseEvent(at=timezone.now())
    payload: dict[str, Any] = {
        "case_number": case.number,
        "step_name": event.step_name or event.get_kind_display(),
        "action": event.action,
        "handler_name": event.actor_name,
        "opinion": event.opinion or event.get_kind_display(),
        "started_at": _iso(event.at),
        "ended_at": _iso(event.at),
        "step_state": "2",
    }
    if event.kind in (EventKind.SPECIAL_STARTED, EventKind.SPECIAL_ENDED):
        pause = case.pauses.filter(kind="special").order_by("-started_at").first()
        if pause is not None:
            payload["special_procedure"] = _special(pause)
    return payload


def completion_payload(case: Case) -> dict[str, Any]:
    event = case.events.filter(kind__in=[EventKind.APPROVED, EventKind.DENIED]).last()
    payload: dict[str, Any] = {
        "case_number": case.number,
        "approved": bool(case.approved),
        "handler_name": event.actor_name if event else "",
        "completed_at": _iso(case.completed_at),
        "result_name": case.result_name or case.version.result_name or case.version.name,
        "delivered_by_courier": case.delivery == "courier",
        "charged": case.version.charged,
    }
    if not case.approved:
        payload["reason"] = case.closed_reason
    return payload


def report(*, case: Case, dataset: str, source_key: str, payload: Mapping[str, Any]) -> None:
    """Build the data set and put it in the reporting outbox (idempotent on `source_key`)."""
    from yiwang.reporting.services import report_enqueue

    if dataset == "application":
        body = application_payload(case)
    elif dataset == "acceptance":
        body = acceptance_payload(case, payload)
    elif dataset == "step":
        body = step_payload(case)
    else:
        body = completion_payload(case)
    report_enqueue(
        dataset=dataset,  # type: ignore[arg-type]
        source_key=source_key,
        case_number=case.number or "",
        payload=body,
    )
