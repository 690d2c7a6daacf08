"""`yiwang demo --scale N`: the generated data keeps the invariants the services keep, and the
services and selectors carry on with it (accept, pass, decide, correct, the progress query)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.test import override_settings

from yiwang.accounts.models import Enterprise, Person, Role, Staff, User
from yiwang.cases import selectors, services
from yiwang.cases.models import (
    CLOCK_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    CasePause,
    CaseState,
    CaseStep,
    DailyCounter,
    EventKind,
    StepState,
)
from yiwang.cases.rules import CASE_NUMBER_LENGTH
from yiwang.catalog.demo import catalog_demo_load
from yiwang.ops.demo import DEMO_PASSWORD
from yiwang.ops.scale import (
    FULL,
    counts_for,
    local_date,
    query_password_for,
    scale_load,
    scale_loaded,
    staff_username,
)
from yiwang.ops.scale.bulk import Writer
from yiwang.ops.scale.cases import CaseGenerator
from yiwang.regions.services import demo_load

SCALE = 0.002
BATCH = 500  # cases per batch written (CaseGenerator.FLUSH): 2,000 cases in about four
BATCHES_BEHIND: list[int] = []  # how many batches the fixture's load wrote behind
NOW = dt.datetime(2026, 6, 10, 3, 30, tzinfo=dt.UTC)  # 11:30 in Qingyang, a Wednesday
FAST_HASHER = ["yiwang.core.hashers.TestArgon2PasswordHasher"]


@pytest.fixture(scope="module")
def scaled(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """The regions, the catalog and the scale data, loaded once for the module inside a
    transaction that is rolled back at its end (each test runs in a savepoint of it)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        # Batches of 500 cases: several are written behind the generator (PostgreSQL), so the
        # checks below also check that no batch was lost or written twice.
        mock.patch.object(CaseGenerator, "FLUSH", BATCH),
        mock.patch.object(
            Writer, "write_behind", autospec=True, side_effect=Writer.write_behind
        ) as behind,
        transaction.atomic(),
    ):
        demo_load()
        catalog_demo_load(now=NOW - dt.timedelta(days=400))
        counts = scale_load(scale=SCALE, now=NOW)
        BATCHES_BEHIND.append(behind.call_count)
        yield counts
        transaction.set_rollback(True)


def test_counts_for_scales_and_refuses_nonsense() -> None:
    assert counts_for(1) == FULL
    tiny = counts_for(0.01)
    assert (tiny.staff, tiny.persons, tiny.enterprises, tiny.cases) == (45, 2000, 200, 10_000)
    for bad in (0, -1, 101):
        with pytest.raises(ValueError):
            counts_for(bad)


@pytest.mark.django_db
def test_demo_command_refuses_a_bad_scale() -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", "--scale", "-1")


@pytest.mark.django_db
def test_counts_match_the_scale(scaled: dict[str, int]) -> None:
    expected = counts_for(SCALE)
    assert scaled["cases"] == Case.objects.count() == expected.cases
    assert scaled["persons"] == expected.persons
    assert Person.objects.filter(phone__startswith="15").count() == expected.persons
    assert Enterprise.objects.count() == expected.enterprises
    assert Staff.objects.filter(user__username__startswith="qy").count() == expected.staff
    assert scaled["case_events"] == CaseEvent.objects.count()
    assert scaled["case_steps"] == CaseStep.objects.count()
    assert scaled_loaded_is(SCALE)
    # Ratings (好差评): of delivered cases, each bad one with its ticket.
    from yiwang.reviews.models import Review, Ticket

    assert scaled["ratings"] == Review.objects.count() == expected.ratings > 0
    assert not Review.objects.exclude(case__state=CaseState.DELIVERED).exists()
    assert Ticket.objects.count() == Review.objects.filter(level__in=["4", "5"]).count()
    # Realistic proportions: most cases are delivered, some still open.
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states[CaseState.DELIVERED] > 0.8 * expected.cases
    assert states[CaseState.SUBMITTED] + states[CaseState.IN_PROGRESS] > 0
    assert sum(states[s] for s in OPEN_STATES) < 0.1 * expected.cases
    # Submitted over the last year, never in the future.
    first = Case.objects.order_by("submitted_at").first()
    last = Case.objects.order_by("-submitted_at").first()
    assert first is not None and last is not None and first.submitted_at and last.submitted_at
    assert NOW - dt.timedelta(days=366) < first.submitted_at <= last.submitted_at <= NOW


@pytest.mark.django_db
def test_the_cases_came_in_several_batches(scaled: dict[str, int]) -> None:
    # What the fixture's small batches are for: batches written behind one after another (the
    # last may be smaller, and a day's cases go into the batch they fill).
    (batches,) = BATCHES_BEHIND
    assert batches >= 3
    assert abs(batches - scaled["cases"] / BATCH) <= 1


def scaled_loaded_is(scale: float) -> bool:
    return scale_loaded() == scale


@pytest.mark.django_db
def test_a_second_run_changes_nothing(scaled: dict[str, int]) -> None:
    before = Case.objects.count()
    assert scale_load(scale=SCALE, now=NOW) == {}
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_case_numbers_are_unique_and_follow_the_rules(scaled: dict[str, int]) -> None:
    cases = list(
        Case.objects.select_related("item").values_list("number", "item__code", "submitted_at")
    )
    numbers = [number for number, _, _ in cases]
    assert len(set(numbers)) == len(numbers)
    last_seq: dict[tuple[str, dt.date], int] = {}
    for number, code, submitted_at in cases:
        day = local_date(submitted_at)
        assert len(number) == CASE_NUMBER_LENGTH
        assert number.startswith(f"{code}{day:%Y%m%d}")
        key = (f"case:{code}", day)
        last_seq[key] = max(last_seq.get(key, 0), int(number[-4:]))
    # The daily counters continue after the generated numbers (services._next_seq).
    rows = DailyCounter.objects.filter(key__startswith="case:")
    counters = {(c.key, c.day): c.last for c in rows}
    for key, seq in last_seq.items():
        assert counters[key] >= seq


@pytest.mark.django_db
def test_steps_one_active_step_per_case_under_review(scaled: dict[str, int]) -> None:
    active = Count("steps", filter=Q(steps__state=StepState.ACTIVE))
    cases = Case.objects.annotate(active=active, steps_n=Count("steps"))
    under_review = cases.filter(state__in=[CaseState.IN_PROGRESS, CaseState.SPECIAL])
    assert under_review.exists()
    assert not under_review.exclude(active=1).exists()
    corrected_after = cases.filter(state=CaseState.CORRECTION, accepted_at__isnull=False)
    assert not corrected_after.exclude(active=1).exists()
    never_accepted = cases.filter(accepted_at__isnull=True)
    assert not never_accepted.exclude(steps_n=0).exists()
    closed = cases.filter(state__in=[CaseState.COMPLETED, CaseState.DELIVERED])
    assert not closed.exclude(active=0).exists()
    assert (
        not CaseStep.objects.filter(case__state=CaseState.DELIVERED)
        .exclude(state=StepState.DONE)
        .exists()
    )
    # Every step carries its case's department (the to-do list reads steps by department).
    assert not CaseStep.objects.exclude(department_id=F("case__department_id")).exists()
    # One open pause per case waiting for a correction or in a special procedure, none else.
    open_pauses = Count("pauses", filter=Q(pauses__ended_at__isnull=True))
    paused = Case.objects.annotate(n=open_pauses)
    assert (
        not paused.filter(state__in=[CaseState.CORRECTION, CaseState.SPECIAL]).exclude(n=1).exists()
    )
    assert (
        not paused.exclude(state__in=[CaseState.CORRECTION, CaseState.SPECIAL])
        .exclude(n=0)
        .exists()
    )


@pytest.mark.django_db
def test_accepted_cases_have_the_deadlines_the_services_compute(scaled: dict[str, int]) -> None:
    accepted = Case.objects.filter(accepted_at__isnull=False)
    assert not accepted.filter(
        Q(promised_due_on__isnull=True) | Q(legal_due_on__isnull=True) | Q(yellow_from__isnull=True)
    ).exists()
    assert not Case.objects.filter(accepted_at__isnull=True, promised_due_on__isnull=False).exists()
    open_accepted = accepted.filter(state__in=CLOCK_STATES)
    assert open_accepted.exists()
    # Recomputed by the service as of the last clock change, the stored deadlines stay the same.
    for case in list(open_accepted.order_by("pk")[:40]):
        stored = (case.promised_due_on, case.legal_due_on, case.yellow_from)
        last = case.pauses.aggregate(m=Max("started_at"), e=Max("ended_at"))
        moments = [case.accepted_at, last["m"], last["e"]]
        as_of = max(m for m in moments if m is not None)
        services.case_clock_update(case=case, now=as_of)
        assert (case.promised_due_on, case.legal_due_on, case.yellow_from) == stored, case.number


@pytest.mark.django_db
def test_every_case_has_its_submission_and_a_consistent_history(scaled: dict[str, int]) -> None:
    submitted = Count("events", filter=Q(events__kind__in=[EventKind.SUBMITTED, EventKind.INTAKE]))
    assert not Case.objects.annotate(n=submitted).exclude(n=1).exists()
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("case_id", "at", "pk"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.only("pk", "state", "submitted_at", "updated_at"):
        history = events[case.pk]
        assert history[-1].to_state == case.state
        assert history[-1].at == case.updated_at
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        kinds = [e.kind for e in history]
        if case.state == CaseState.DELIVERED:
            assert EventKind.ACCEPTED in kinds and EventKind.DELIVERED in kinds
    assert not CasePause.objects.filter(ended_at__lt=models_started_at()).exists()


def models_started_at() -> Any:
    from django.db.models import F

    return F("started_at")


@pytest.mark.django_db
def test_generated_people_log_in_with_the_demo_password(scaled: dict[str, int]) -> None:
    staff = User.objects.get(username=staff_username(1))
    assert staff.check_password(DEMO_PASSWORD)
    assert staff.totpdevice_set.filter(confirmed=True).exists()
    person = Person.objects.select_related("user").get(phone="15000000000")
    assert person.user.check_password(DEMO_PASSWORD)


def _officer(case: Case, role: str) -> Staff:
    return Staff.objects.filter(department_id=case.department_id, roles__role=role).first()  # type: ignore[return-value]


@pytest.mark.django_db
def test_services_carry_on_with_generated_cases(scaled: dict[str, int]) -> None:
    now = NOW + dt.timedelta(minutes=5)
    # A case waiting for acceptance is on the window's to-do list and can be accepted.
    waiting = Case.objects.filter(state=CaseState.SUBMITTED).order_by("pk").first()
    assert waiting is not None
    window = _officer(waiting, Role.WINDOW_OFFICER)
    assert (
        selectors.todo_for_officer(officer=window, today=NOW.date()).filter(pk=waiting.pk).exists()
    )
    services.case_accept(case=waiting, officer=window, now=now)
    waiting.refresh_from_db()
    assert waiting.state == CaseState.IN_PROGRESS and waiting.promised_due_on is not None
    # A case under review moves on from its active step.
    reviewing = (
        Case.objects.filter(
            state=CaseState.IN_PROGRESS, steps__state=StepState.ACTIVE, steps__assignee__isnull=True
        )
        .exclude(pk=waiting.pk)
        .order_by("pk")
        .first()
    )
    assert reviewing is not None
    _, active = selectors.case_steps(reviewing)
    assert active is not None
    officer = _officer(reviewing, active.role)
    todo = selectors.todo_for_officer(officer=officer, today=NOW.date())
    assert todo.filter(pk=reviewing.pk).exists()
    actions = selectors.actions_for_officer(case=reviewing, officer=officer)
    if "approve" in actions:
        services.case_decide(case=reviewing, officer=officer, approved=True, now=now)
    else:
        services.case_step_pass(case=reviewing, officer=officer, opinion="同意", now=now)
    # The applicant answers a correction (the notice names no material file).
    correcting = (
        Case.objects.filter(state=CaseState.CORRECTION, applicant_user__isnull=False)
        .order_by("pk")
        .first()
    )
    if correcting is not None:
        assert correcting.applicant_user is not None
        services.case_correction_submit(case=correcting, user=correcting.applicant_user, now=now)
        correcting.refresh_from_db()
        assert correcting.state != CaseState.CORRECTION
    # The public progress query answers with the derived query password.
    delivered = Case.objects.filter(state=CaseState.DELIVERED).order_by("pk").first()
    assert delivered is not None and delivered.number
    found = selectors.case_progress(
        number=delivered.number, password=query_password_for(delivered.number)
    )
    assert found.pk == delivered.pk
    # My cases: the applicant sees theirs.
    assert delivered.person is not None or delivered.enterprise is not None
    if delivered.person is not None:
        mine = selectors.cases_for_applicant(user=delivered.person.user)
        assert mine.filter(pk=delivered.pk).exists()


@pytest.mark.django_db
def test_the_next_number_of_the_day_follows_the_generated_ones(scaled: dict[str, int]) -> None:
    today = local_date(NOW)
    todays = Case.objects.filter(number__contains=f"{today:%Y%m%d}").select_related("item")
    case = todays.order_by("-number").first()
    assert case is not None and case.number
    seq = services._next_seq(key=f"case:{case.item.code}", day=today)
    assert seq == int(case.number[-4:]) + 1


@pytest.mark.django_db
def test_demo_command_leaves_loaded_scale_data_alone(
    scaled: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    before = Case.objects.count()
    call_command("demo", "--if-empty", "--scale", "1")
    out = capsys.readouterr().out
    assert "演示数据已存在" in out and f"规模数据已存在（规模 {SCALE:g}）" in out
    assert Case.objects.count() == before
