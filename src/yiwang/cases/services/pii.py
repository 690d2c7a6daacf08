"""The applicant's full identifiers shown to an officer who gives a reason (audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import Staff
from yiwang.cases.models import Case, EventKind
from yiwang.cases.services._common import _event, _require, _staff_case_check
from yiwang.core.audit import audit_record


def case_pii_reveal(
    *, case: Case, officer: Staff, reason: str, source_ip: str | None = None
) -> dict[str, str]:
    """The applicant's full ID number and phone, for an officer who gives a reason (audited)."""
    reason = _require(reason, "查看原因")
    _staff_case_check(case, officer)
    now = timezone.now()
    with transaction.atomic():
        _event(
            case, EventKind.PII_REVEALED, now=now, user=officer.user, actor_name=officer.name,
            from_state=case.state, opinion=reason[:500], public=False,
        )  # fmt: skip
        audit_record(
            actor=officer.user.username, action="case.pii_reveal", object_type="case",
            object_id=case.pk, source_ip=source_ip, detail={"reason": reason[:200]},
        )  # fmt: skip
    return {
        "applicant_id_number": case.applicant_id_number,
        "phone": case.phone,
        "agent_id_number": case.agent_id_number,
    }
