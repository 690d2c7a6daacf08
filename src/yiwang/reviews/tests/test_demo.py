"""Generated ratings: one per delivered case, tickets exactly for the bad ones, idempotent."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import Person, Staff
from yiwang.cases import services as cases
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import accepted_case
from yiwang.catalog.models import ImplementationItem
from yiwang.reviews.demo import ratings_generate
from yiwang.reviews.models import Review, Ticket
from yiwang.reviews.tests.conftest import finish

pytestmark = pytest.mark.django_db


def test_ratings_generate(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff, approver: Staff
) -> None:
    for _ in range(3):
        case = finish(accepted_case(citizen, matter, officer), colleague, approver)
        cases.case_deliver(case=case, officer=officer)
    open_case = accepted_case(citizen, matter, officer)  # not delivered: never rated
    for seed in range(1, 30):  # some seed gives a bad rating among three
        Ticket.objects.all().delete()
        Review.objects.all().delete()
        assert ratings_generate(count=3, seed=seed) == 3
        if Review.objects.filter(level__in=["4", "5"], is_default=False).exists():
            break
    assert not Review.objects.filter(case=open_case).exists()
    assert set(Review.objects.values_list("case__state", flat=True)) == {"delivered"}
    bad = Review.objects.filter(level__in=["4", "5"])
    assert Ticket.objects.count() == bad.count() >= 1
    assert all(
        r.month == r.created_at.date().replace(day=1) or r.month for r in Review.objects.all()
    )
    assert ratings_generate(count=3) == 0  # every delivered case is rated already
    assert Case.objects.count() == 4
