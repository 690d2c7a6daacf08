"""Notify fixtures: the file backend on a temp file, a scripted backend, a fake gateway."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from yiwang.notify.fakegateway import FakeSmsGateway
from yiwang.notify.tests.scripted import ScriptedBackend

APP_KEY = "yiwang-test"
APP_SECRET = "test-secret-6f1c2a"


@pytest.fixture(autouse=True)
def notify_conf(settings: SettingsWrapper, tmp_path: Path) -> dict[str, Any]:
    """Every notify test: the file backend on a temp file, fixed backoff and limits."""
    conf = {
        **settings.NOTIFY,
        "SMS_BACKEND": "yiwang.notify.backends.FileBackend",
        "SMS_FILE": str(tmp_path / "sms" / "outbox.jsonl"),
        "SIGN_NAME": "庆阳政务",
        "MAX_ATTEMPTS": 5,
        "BACKOFF_SECONDS": 60,
        "BACKOFF_MAX_SECONDS": 3600,
        "SENDING_LEASE_SECONDS": 120,
        "PER_PHONE_PER_MINUTE": 5,
        "PER_PHONE_PER_HOUR": 30,
    }
    settings.NOTIFY = conf
    return conf


@pytest.fixture
def configure(settings: SettingsWrapper) -> Callable[..., None]:
    """Change some notify settings: `configure(MAX_ATTEMPTS=3)`."""

    def apply(**changes: Any) -> None:
        settings.NOTIFY = {**settings.NOTIFY, **changes}

    return apply


@pytest.fixture
def scripted(configure: Callable[..., None]) -> Iterator[type[ScriptedBackend]]:
    configure(SMS_BACKEND="yiwang.notify.tests.scripted.ScriptedBackend")
    ScriptedBackend.outcomes, ScriptedBackend.calls = [], []
    yield ScriptedBackend
    ScriptedBackend.outcomes, ScriptedBackend.calls = [], []


class GatewayClock:
    """The fake gateway's clock: real time plus an offset a test moves forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def gateway_clock() -> GatewayClock:
    return GatewayClock()


@pytest.fixture
def gateway(gateway_clock: GatewayClock) -> Iterator[FakeSmsGateway]:
    with FakeSmsGateway(
        app_key=APP_KEY, app_secret=APP_SECRET, per_phone_per_minute=1, clock=gateway_clock
    ) as running:
        yield running


@pytest.fixture
def use_gateway(configure: Callable[..., None]) -> Callable[..., None]:
    """Point the HTTP backend at a gateway URL: `use_gateway(gateway.send_url)`."""

    def apply(url: str, *, secret: str = APP_SECRET) -> None:
        configure(
            SMS_BACKEND="yiwang.notify.backends.HttpGatewayBackend",
            GATEWAY_URL=url,
            GATEWAY_APP_KEY=APP_KEY,
            GATEWAY_APP_SECRET=secret,
            GATEWAY_TIMEOUT_SECONDS=5,
        )

    return apply
