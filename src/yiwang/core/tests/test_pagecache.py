"""The public-content cache: one generation for everything public, raised on commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from yiwang.core import pagecache
from yiwang.core.pagecache import GENERATION_KEY, public_cached, public_changed

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"built {self.calls}"


def test_built_once_per_generation(django_capture_on_commit_callbacks: Any) -> None:
    build = Builder()
    assert public_cached("x", build) == "built 1"
    assert public_cached("x", build) == "built 1"
    assert build.calls == 1
    with django_capture_on_commit_callbacks(execute=True):
        public_changed()
    assert public_cached("x", build) == "built 2"
    assert public_cached("x", build) == "built 2"


def test_a_change_counts_only_once_committed(django_capture_on_commit_callbacks: Any) -> None:
    build = Builder()
    public_cached("x", build)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        public_changed()
        assert public_cached("x", build) == "built 1"  # not committed: still the old entry
    assert len(pending) == 1


def test_a_rolled_back_change_changes_nothing() -> None:
    build = Builder()
    public_cached("x", build)
    with pytest.raises(RuntimeError), transaction.atomic():
        public_changed()
        raise RuntimeError
    assert public_cached("x", build) == "built 1"


def test_an_evicted_generation_never_revives_old_entries(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PUBLIC_CACHE_LOCAL_MS = 0  # the shared cache alone
    build = Builder()
    public_cached("x", build)
    first = cache.get(GENERATION_KEY)
    cache.delete(GENERATION_KEY)  # evicted, or a new cache server
    assert public_cached("x", build) == "built 2"
    assert cache.get(GENERATION_KEY) != first
    cache.delete(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        public_changed()  # raising a missing counter starts a new one
    assert cache.get(GENERATION_KEY) is not None
    assert public_cached("x", build) == "built 3"


def test_failures_are_not_cached() -> None:
    calls = []

    def failing() -> str:
        calls.append(1)
        raise LookupError

    for _ in range(2):
        with pytest.raises(LookupError):
            public_cached("y", failing)
    assert len(calls) == 2


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Clock:
    settings.PUBLIC_CACHE_LOCAL_MS = 1000
    fake = Clock()
    monkeypatch.setattr(pagecache, "_clock", fake)
    return fake


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The keys of every read of the shared cache."""
    reads: list[list[str]] = []
    real = cache.get_many

    def counted(keys: list[str]) -> dict[str, Any]:
        reads.append(list(keys))
        return real(keys)

    monkeypatch.setattr(cache, "get_many", counted)
    return reads


def test_a_process_serves_its_copy_without_a_round_trip(
    clock: Clock, round_trips: list[list[str]]
) -> None:
    build = Builder()
    assert public_cached("x", build) == "built 1"
    clock.now += 0.5
    assert public_cached("x", build) == "built 1"
    assert len(round_trips) == 1 and build.calls == 1
    clock.now += 0.6  # the generation was read over a second ago: read it again
    assert public_cached("x", build) == "built 1"
    assert len(round_trips) == 2 and build.calls == 1


def test_another_process_change_shows_within_the_window(
    clock: Clock, round_trips: list[list[str]]
) -> None:
    build = Builder()
    public_cached("x", build)
    cache.incr(GENERATION_KEY)  # another process committed a change
    clock.now += 0.5
    assert public_cached("x", build) == "built 1"  # at most a second late here
    clock.now += 0.6
    assert public_cached("x", build) == "built 2"


def test_the_writing_process_sees_its_change_at_once(
    clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    build = Builder()
    public_cached("x", build)
    with django_capture_on_commit_callbacks(execute=True):
        public_changed()
    assert public_cached("x", build) == "built 2"


def test_the_local_copy_expires_with_its_entry(clock: Clock, round_trips: list[list[str]]) -> None:
    public_cached("x", Builder(), seconds=5)
    for n in range(6):  # the window kept open by reads of new entries
        clock.now += 0.9
        public_cached(f"other-{n}", Builder())
    before = len(round_trips)
    public_cached("x", Builder(), seconds=5)
    assert len(round_trips) == before + 1 and "public:x" in round_trips[-1]


def test_the_local_copies_are_bounded(clock: Clock) -> None:
    for n in range(pagecache._Local.LIMIT):
        public_cached(f"list:{n}", Builder())
    assert len(pagecache._local.entries) == pagecache._Local.LIMIT
    public_cached("one-more", Builder())
    assert len(pagecache._local.entries) == 1


def test_no_local_copies_when_switched_off(
    clock: Clock, settings: Any, round_trips: list[list[str]]
) -> None:
    settings.PUBLIC_CACHE_LOCAL_MS = 0
    build = Builder()
    public_cached("x", build)
    public_cached("x", build)
    assert len(round_trips) == 2 and build.calls == 1
