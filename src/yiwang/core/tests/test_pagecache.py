"""The public-content cache: one generation for everything public, raised on commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

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
    django_capture_on_commit_callbacks: Any,
) -> None:
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
