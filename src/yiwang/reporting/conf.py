"""The reporting settings (`settings.REPORTING`), read on every use so tests can override them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

FILE_BACKEND = "yiwang.reporting.backends.FileReportingBackend"
HTTP_BACKEND = "yiwang.reporting.backends.HttpReportingBackend"


@dataclass(frozen=True)
class ReportingSettings:
    backend: str
    file: Path
    url: str
    app_id: str
    app_secret: str
    connect_timeout_seconds: float
    timeout_seconds: float
    max_attempts: int
    backoff_seconds: int
    backoff_max_seconds: int
    sending_lease_seconds: int


def reporting_settings() -> ReportingSettings:
    raw: dict[str, Any] = getattr(settings, "REPORTING", {})
    connect_timeout = float(raw.get("CONNECT_TIMEOUT_SECONDS", 5))
    timeout = float(raw.get("TIMEOUT_SECONDS", 15))
    return ReportingSettings(
        backend=raw.get("BACKEND") or FILE_BACKEND,
        file=Path(raw.get("FILE") or Path(settings.DATA_DIR) / "reporting" / "outbox.jsonl"),
        url=raw.get("URL", ""),
        app_id=raw.get("APP_ID", ""),
        app_secret=raw.get("APP_SECRET", ""),
        connect_timeout_seconds=connect_timeout,
        timeout_seconds=timeout,
        max_attempts=max(1, int(raw.get("MAX_ATTEMPTS", 20))),
        backoff_seconds=int(raw.get("BACKOFF_SECONDS", 60)),
        backoff_max_seconds=int(raw.get("BACKOFF_MAX_SECONDS", 3600)),
        # A lease shorter than a request could run out while the request is still under way.
        sending_lease_seconds=max(
            int(raw.get("SENDING_LEASE_SECONDS", 120)), int(connect_timeout + timeout) + 30
        ),
    )
