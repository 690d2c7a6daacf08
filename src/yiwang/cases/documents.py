"""The PDF of a notice issued on a case, rendered from its `CaseNotice` row (what it stated when
it was issued) and the case."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from yiwang.cases.errors import CaseError, CaseErrorCode
from yiwang.cases.models import Case, CaseNotice
from yiwang.core.masking import mask_name


def progress_url_for(request: HttpRequest, case: Case) -> str:
    """The public progress page of a case (the QR code on its notices)."""
    try:
        path = reverse("cases:progress")
    except NoReverseMatch:
        path = "/cases/progress/"
    return request.build_absolute_uri(path) + "?" + urlencode({"number": case.number or ""})


def _date(value: Any) -> dt.date | None:
    if not value or value == "None":
        return None
    return dt.date.fromisoformat(str(value))


def notice_of(row: CaseNotice, *, progress_url: str) -> Any:
    """The `Notice` to print for a stored notice row."""
    from yiwang.cases.notices.notice import Notice

    case = row.case
    content = row.content
    fields: dict[str, Any] = {
        "kind": row.kind,
        "document_number": row.document_number,
        "case_number": case.number or "",
        "matter_name": case.version.name,
        "department_name": case.department.name,
        "applicant_name": case.applicant_name,
        "issued_on": timezone.localtime(row.issued_at).date(),
        "progress_url": progress_url,
        "query_hint": "凭办件编号和查询密码可随时查询办理进度",
        "applied_on": timezone.localtime(case.submitted_at).date() if case.submitted_at else None,
        "accepted_on": timezone.localtime(case.accepted_at).date() if case.accepted_at else None,
    }
    if row.kind == "acceptance":
        fields["promised_on"] = _date(content.get("promised_on"))
    elif row.kind == "refusal":
        fields["reasons"] = tuple(content.get("reasons", ()))
    elif row.kind == "correction":
        fields["missing"] = tuple((e["name"], e["problem"]) for e in content.get("missing", ()))
    elif row.kind == "special":
        fields["special_kind"] = content.get("kind", "")
        fields["special_limit_days"] = content.get("limit_days")
        fields["reasons"] = (content.get("reason", ""),)
    elif row.kind == "completion":
        fields["approved"] = content.get("approved")
        fields["result_name"] = content.get("result_name", "")
        fields["reasons"] = tuple(r for r in content.get("reasons", ()) if r)
    elif row.kind == "receipt":
        fields["extra"] = tuple(
            ["已收到以下材料：" + "、".join(content.get("materials", []))]
            if content.get("materials")
            else []
        )
    return Notice(**fields)


def notice_pdf_for(row: CaseNotice, *, progress_url: str) -> bytes:
    from yiwang.cases.notices import notice_pdf

    return notice_pdf(notice_of(row, progress_url=progress_url))


def notice_download(request: HttpRequest, case: Case, notice_id: int) -> HttpResponse:
    """One of the case's notices as a PDF download for the applicant (portal and API); a notice
    of another case is not found."""
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None:
        raise CaseError(CaseErrorCode.NOT_FOUND, message="未找到该文书")
    pdf = notice_pdf_for(notice, progress_url=progress_url_for(request, case))
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = content_disposition_header(True, f"{notice.document_number}.pdf")
    response["Content-Disposition"] = disposition or "attachment"
    return response


def masked_applicant(case: Case) -> str:
    return mask_name(case.applicant_name)
