"""Demo cases: 张三's applications to 西峰区市场监管局 in each state a visitor wants to see
(waiting for acceptance, under review, waiting for correction, finished and ready to collect)."""

from __future__ import annotations

from django.db import transaction

from yiwang.accounts.models import Person, Staff
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.services import Missing, Upload
from yiwang.catalog.models import ImplementationItem, ItemStatus
from yiwang.core.samples import pdf_bytes


def demo_item(department_id: int) -> ImplementationItem | None:
    """A published matter of the department that persons can apply for online."""
    items = ImplementationItem.objects.filter(
        department_id=department_id,
        status=ItemStatus.PUBLISHED,
        current_version__online=True,
        current_version__min_real_name_level__lte=2,
    ).select_related("current_version")
    for item in items.order_by("code"):
        version = item.current_version
        if version and "1" in version.service_objects and version.steps.count() >= 3:
            return item
    return None


def _apply(person: Person, item: ImplementationItem, n: int) -> Case:
    version = item.current_version
    assert version is not None  # noqa: S101 - demo_item returns published items only
    files = [
        Upload(material_seq=m.seq, name=f"{m.name[:20]}.pdf", data=pdf_bytes(f"demo {n}"))
        for m in version.materials.all()
        if m.required
    ]
    return services.case_apply(
        user=person.user,
        item=item,
        idempotency_key=f"demo-case-{n:04d}",
        form_data={},
        uploads=files,
    ).case


def cases_demo_load(*, person: Person, window: Staff, reviewer: Staff, approver: Staff) -> int:
    """Four cases for `person` in the officers' department; nothing when they exist already."""
    item = demo_item(window.department_id)
    if item is None or Case.objects.filter(applicant_user=person.user).exists():
        return 0
    with transaction.atomic():
        _apply(person, item, 1)  # waits for acceptance
        reviewing = _apply(person, item, 2)
        services.case_accept(case=reviewing, officer=window, opinion="材料齐全，予以受理")
        correcting = _apply(person, item, 3)
        services.case_accept(case=correcting, officer=window, opinion="予以受理")
        services.case_correction_request(
            case=correcting,
            officer=reviewer,
            missing=[Missing(name="申请材料", problem="扫描件不清晰，请重新上传", material_seq=1)],
        )
        finished = _apply(person, item, 4)
        services.case_accept(case=finished, officer=window, opinion="予以受理")
        for _ in range(10):  # walk the review steps to the decision
            active = finished.steps.filter(state="active").first()
            if active is None:
                break
            officer = {"reviewer": reviewer, "approver": approver}.get(active.role, window)
            if active.role == "approver":
                services.case_decide(case=finished, officer=officer, approved=True, opinion="准予")
            else:
                services.case_step_pass(case=finished, officer=officer, opinion="同意")
    return 4
