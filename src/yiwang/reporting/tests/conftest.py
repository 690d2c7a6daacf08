"""Reporting fixtures: the file backend on a temp file, a scripted backend, a local receiver."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from yiwang.reporting.provincial_receiver import ProvincialReceiver
from yiwang.reporting.tests.scripted import ScriptedBackend

APP_ID = "qingyang-test"
APP_SECRET = "test-secret-3b9e1d"


@pytest.fixture(autouse=True)
def reporting_conf(settings: SettingsWrapper, tmp_path: Path) -> dict[str, Any]:
    """Every reporting test: the file backend on a temp file, fixed backoff and limits."""
    conf = {
        **getattr(settings, "REPORTING", {}),
        "BACKEND": "yiwang.reporting.backends.FileReportingBackend",
        "FILE": str(tmp_path / "reporting" / "outbox.jsonl"),
        "CONNECT_TIMEOUT_SECONDS": 2,
        "TIMEOUT_SECONDS": 2,
        "MAX_ATTEMPTS": 5,
        "BACKOFF_SECONDS": 60,
        "BACKOFF_MAX_SECONDS": 3600,
        "SENDING_LEASE_SECONDS": 120,
    }
    settings.REPORTING = conf
    return conf


@pytest.fixture
def configure(settings: SettingsWrapper) -> Callable[..., None]:
    """Change some reporting settings: `configure(MAX_ATTEMPTS=3)`."""

    def apply(**changes: Any) -> None:
        settings.REPORTING = {**settings.REPORTING, **changes}

    return apply


@pytest.fixture
def scripted(configure: Callable[..., None]) -> Iterator[type[ScriptedBackend]]:
    configure(BACKEND="yiwang.reporting.tests.scripted.ScriptedBackend")
    ScriptedBackend.outcomes, ScriptedBackend.calls = [], []
    yield ScriptedBackend
    ScriptedBackend.outcomes, ScriptedBackend.calls = [], []


class ReceiverClock:
    """The receiver's clock: real time plus an offset a test moves."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def receiver_clock() -> ReceiverClock:
    return ReceiverClock()


@pytest.fixture
def receiver(receiver_clock: ReceiverClock) -> Iterator[ProvincialReceiver]:
    with ProvincialReceiver(app_id=APP_ID, app_secret=APP_SECRET, clock=receiver_clock) as running:
        yield running


@pytest.fixture
def use_receiver(configure: Callable[..., None]) -> Callable[..., None]:
    """Point the HTTP backend at a receiver URL: `use_receiver(receiver.records_url)`."""

    def apply(url: str, *, secret: str = APP_SECRET, app_id: str = APP_ID) -> None:
        configure(
            BACKEND="yiwang.reporting.backends.HttpReportingBackend",
            URL=url,
            APP_ID=app_id,
            APP_SECRET=secret,
        )

    return apply
