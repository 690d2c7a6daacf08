"""Write the load test's plan: which matters, people, officers and case numbers the simulated
users use, read from the benchmark database (run by `bench/run.py` with its environment).

    DATABASE_URL=... python bench/plan.py var/bench/plan.json
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def plan() -> dict[str, Any]:
    from django.db.models import Count, Q

    from yiwang.accounts.models import Person, Role, Staff
    from yiwang.cases.models import Case, CaseState
    from yiwang.cases.rules import query_password_matches
    from yiwang.catalog.models import ImplementationItem, ItemStatus
    from yiwang.catalog.selectors import theme_counts
    from yiwang.ops.scale import query_password_for

    rng = random.Random(11)  # noqa: S311 - picks test data
    published = ImplementationItem.objects.filter(
        status=ItemStatus.PUBLISHED, current_version__isnull=False
    )
    # The matters people open: those with the most cases first, then any.
    busy = list(Case.objects.values("item_id").annotate(n=Count("pk")).order_by("-n")[:400])
    busy_ids = [row["item_id"] for row in busy]
    codes = dict(published.filter(pk__in=busy_ids).values_list("pk", "code"))
    items = [{"pk": pk, "code": codes[pk]} for pk in busy_ids if pk in codes]
    tail = list(published.order_by("?").values("pk", "code")[:200])
    names = list(published.filter(pk__in=busy_ids[:60]).values_list("name", flat=True))
    terms = sorted({name[:2] for name in names} | {"身份证", "营业执照", "社保", "护照", "sfz"})
    themes = [t["name"] for t in theme_counts(audience="person")][:12]

    # Officers of the departments with the most open cases, every role of the case workflow.
    open_states = [CaseState.SUBMITTED, CaseState.IN_PROGRESS, CaseState.COMPLETED]
    departments = [
        row["department_id"]
        for row in Case.objects.filter(state__in=open_states)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[:40]
    ]
    officers = []
    for staff in (
        Staff.objects.filter(department_id__in=departments, user__username__startswith="qy")
        .select_related("user")
        .prefetch_related("roles")
        .order_by("department_id", "pk")
    ):
        roles = [r.role for r in staff.roles.all()]
        if set(roles) & {Role.WINDOW_OFFICER, Role.REVIEWER, Role.APPROVER}:
            officers.append({"username": staff.user.username, "roles": roles})
    rng.shuffle(officers)

    # Matters of those departments that a person at real-name level 2 can apply for online,
    # with no form field to type in and the numbers of their required materials.
    apply_items = []
    candidates = published.filter(
        department_id__in=departments,
        current_version__online=True,
        current_version__online_depth__in=["3", "4"],
        current_version__min_real_name_level__lte=2,
    ).select_related("current_version")
    for item in candidates[:300]:
        version = item.current_version
        if version is None or "1" not in version.service_objects:
            continue
        typed = [f for f in version.form_schema if f.get("required") and not f.get("fill_from")]
        if typed:
            continue
        seqs = list(version.materials.filter(required=True).values_list("seq", flat=True))
        apply_items.append({"code": item.code, "materials": seqs})

    # People who applied before (so "my cases" is not empty), at real-name level 2.
    persons = list(
        Person.objects.filter(real_name_level=2, phone__startswith="15")
        .filter(Q(cases__isnull=False))
        .distinct()
        .order_by("pk")
        .values_list("phone", flat=True)[:3000]
    )
    rng.shuffle(persons)
    # Generated cases only: their query password is derived from the number (cases applied for
    # in earlier runs have a random one).
    sample = (
        Case.objects.exclude(number=None)
        .order_by("?")
        .values_list("number", "query_password")[:3600]
    )
    progress = [
        {"number": n, "password": query_password_for(n)}
        for n, digest in sample
        if query_password_matches(number=n, password=query_password_for(n), digest=digest)
    ][:3000]
    return {
        "items": items + tail,
        "terms": terms,
        "themes": themes,
        "officers": officers,
        "officer_roles": Counter(r for o in officers for r in o["roles"]),
        "apply_items": apply_items,
        "persons": persons,
        "progress": progress,
        "password": "Yiwang@2026",
        "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    }


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    django.setup()
    out = Path(sys.argv[1])
    out.write_text(json.dumps(plan(), ensure_ascii=False, indent=1))
    print(f"plan written to {out}")


if __name__ == "__main__":
    main()
