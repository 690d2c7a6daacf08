"""Shared test setup: browser tests drive Debian's Chromium through Playwright."""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Argon2 with test-sized costs (same algorithm and code paths, a thousandth of the time),
    and uploaded files in a temporary directory, never in the checkout's `var/`."""
    settings.PASSWORD_HASHERS = [
        "yiwang.core.hashers.TestArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (the default cache is per process)."""
    from django.core.cache import cache

    from yiwang.core.pagecache import local_forget

    cache.clear()
    local_forget()


@pytest.fixture(autouse=True)
def _require_chromium(request: pytest.FixtureRequest) -> None:
    """Browser tests skip without Chromium on a developer's machine, and fail under CI."""
    if request.node.get_closest_marker("browser") is None or CHROMIUM:
        return
    message = "Chromium is not installed: `sudo apt-get install chromium` runs the browser tests"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def admin_client(client: Any, db: None) -> Any:
    """A superuser past the second factor (the admin site requires both)."""
    from yiwang.accounts.models import User
    from yiwang.accounts.session_keys import SECOND_FACTOR

    user = User.objects.create_superuser(username="root", password="Yiwang@2026")
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR] = "totp"
    session.save()
    return client


# --- Every log line the suite writes, as the configured handlers write it --------------------
# The last test of the run (workbench/tests/test_zz_logs.py) checks that none of them carries an
# ID number or a phone number in clear.


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not break the suite
            self.lines.append(f"<unformattable record from {record.name}>")


SUITE_LOG = _LogCapture()


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    logging_config: dict[str, Any] = settings.LOGGING
    SUITE_LOG.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    for name in logging_config["handlers"]["console"]["filters"]:
        spec = dict(logging_config["filters"][name])
        factory = spec.pop("()")
        module, _, attr = factory.rpartition(".")
        SUITE_LOG.addFilter(getattr(importlib.import_module(module), attr)(**spec))
    logging.getLogger().addHandler(SUITE_LOG)
