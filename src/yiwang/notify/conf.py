"""The notify settings (`settings.NOTIFY`), read on every use so tests can override them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class NotifySettings:
    sms_backend: str
    sms_file: Path
    gateway_url: str
    gateway_app_key: str
    gateway_app_secret: str
    gateway_timeout_seconds: float
    sign_name: str
    max_attempts: int
    backoff_seconds: int
    backoff_max_seconds: int
    sending_lease_seconds: int
    per_phone_per_minute: int
    per_phone_per_hour: int


def notify_settings() -> NotifySettings:
    raw: dict[str, Any] = getattr(settings, "NOTIFY", {})
    return NotifySettings(
        sms_backend=raw.get("SMS_BACKEND", "yiwang.notify.backends.FileBackend"),
        sms_file=Path(raw.get("SMS_FILE") or Path(settings.DATA_DIR) / "sms" / "outbox.jsonl"),
        gateway_url=raw.get("GATEWAY_URL", ""),
        gateway_app_key=raw.get("GATEWAY_APP_KEY", ""),
        gateway_app_secret=raw.get("GATEWAY_APP_SECRET", ""),
        gateway_timeout_seconds=float(raw.get("GATEWAY_TIMEOUT_SECONDS", 10)),
        sign_name=raw.get("SIGN_NAME", "庆阳政务"),
        max_attempts=max(1, int(raw.get("MAX_ATTEMPTS", 5))),
        backoff_seconds=int(raw.get("BACKOFF_SECONDS", 60)),
        backoff_max_seconds=int(raw.get("BACKOFF_MAX_SECONDS", 3600)),
        sending_lease_seconds=int(raw.get("SENDING_LEASE_SECONDS", 120)),
        per_phone_per_minute=int(raw.get("PER_PHONE_PER_MINUTE", 5)),
        per_phone_per_hour=int(raw.get("PER_PHONE_PER_HOUR", 30)),
    )
