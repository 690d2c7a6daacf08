"""The load test's reference views: mounted under /bench/ only with YIWANG_BENCH_VIEWS=1."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches

import yiwang.urls
from yiwang.catalog.models import ImplementationItem
from yiwang.catalog.tests.conftest import *  # noqa: F403


def _reload_urls() -> None:
    importlib.reload(yiwang.urls)
    clear_url_caches()


@pytest.fixture
def bench_views(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("YIWANG_BENCH_VIEWS", "1")
    _reload_urls()
    yield
    monkeypatch.delenv("YIWANG_BENCH_VIEWS")
    _reload_urls()


@pytest.mark.django_db
def test_not_mounted_by_default(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YIWANG_BENCH_VIEWS", raising=False)
    _reload_urls()
    assert client.get("/bench/constant").status_code == 404


@pytest.mark.django_db
def test_constant_answers_without_touching_the_database(client: Client, bench_views: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/constant")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert len(queries) == 0


@pytest.mark.django_db
def test_one_row_reads_one_row_by_primary_key(
    client: Client, bench_views: None, catalog: dict[str, ImplementationItem]
) -> None:
    item = catalog["passport"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/bench/row/{item.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "pk": item.pk,
        "code": item.code,
        "name": item.name,
        "status": item.status,
        "region_id": item.region_id,
    }
    assert len(queries) == 1


@pytest.mark.django_db
def test_one_row_of_nothing_is_404_and_writes_are_refused(
    client: Client, bench_views: None
) -> None:
    assert client.get("/bench/row/999999").status_code == 404
    assert client.post("/bench/constant").status_code == 405
    assert client.get("/bench/row/abc").status_code == 404
