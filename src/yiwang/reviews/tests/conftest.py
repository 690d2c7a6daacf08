"""Review fixtures: a finished case of 张三 at 西峰区市场监管局, a bad review of it with its
ticket, a supervisor of 西峰区 and one of another county, and a window with its tablet key."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import Person, Role, Staff
from yiwang.accounts.tests.conftest import QINGCHENG, XIFENG, _staff
from yiwang.cases import services as cases
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import *  # noqa: F403
from yiwang.cases.tests.conftest import accepted_case
from yiwang.catalog.models import ImplementationItem
from yiwang.regions.models import Window
from yiwang.reviews import services
from yiwang.reviews.models import Review, Ticket
from yiwang.reviews.services import Rating


def finish(case: Case, colleague: Staff, approver: Staff) -> Case:
    cases.case_step_pass(case=case, officer=colleague, opinion="同意")
    cases.case_decide(case=case, officer=approver, approved=True, opinion="准予")
    case.refresh_from_db()
    return case


@pytest.fixture
def finished(
    citizen: Person, matter: ImplementationItem, officer: Staff, colleague: Staff, approver: Staff
) -> Case:
    """张三's 食品经营许可, approved (state completed)."""
    return finish(accepted_case(citizen, matter, officer), colleague, approver)


@pytest.fixture
def bad_review(finished: Case, citizen: Person) -> Review:
    return services.review_case(
        case=finished,
        user=citizen.user,
        rating=Rating("5", ("efficiency",), "办理太慢，窗口态度差"),
    )


@pytest.fixture
def ticket(bad_review: Review) -> Ticket:
    return bad_review.ticket


@pytest.fixture
def supervisor(regions: None) -> Staff:
    """电子监察员 of 西峰区."""
    return _staff("jiancha", XIFENG, "government_services", "13900000041", Role.SUPERVISOR)


@pytest.fixture
def other_supervisor(regions: None) -> Staff:
    """电子监察员 of 庆城县: sees nothing of 西峰区."""
    return _staff("jiancha2", QINGCHENG, "government_services", "13900000042", Role.SUPERVISOR)


@pytest.fixture
def window(officer: Staff) -> Window:
    """A window of a 西峰区 hall where the officer's department sits."""
    found = Window.objects.filter(hall__region_prefix__startswith="621002").order_by("pk").first()
    assert found is not None
    found.department = officer.department
    found.save()
    return found
