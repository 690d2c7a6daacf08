"""Delivery backends: one interface, a local default and the provincial platform's HTTP client.

`get_reporting_backend()` builds the backend named by `settings.REPORTING["BACKEND"]`. A backend
returns the platform's receipt id or raises `ReportDeliveryError` (temporary or permanent); it
never logs the payload (it holds ID numbers and phones).
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import requests  # type: ignore[import-untyped,unused-ignore]
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from yiwang.reporting.conf import reporting_settings
from yiwang.reporting.errors import ReportDeliveryError
from yiwang.reporting.rules import report_envelope

__all__ = [
    "FileReportingBackend",
    "HttpReportingBackend",
    "ReportDeliveryError",
    "ReportingBackend",
    "encode_body",
    "get_reporting_backend",
    "read_reported",
    "report_signature",
]


class ReportingBackend(abc.ABC):
    """Delivers one record of a data set."""

    @abc.abstractmethod
    def send(
        self, *, record_id: str, dataset: str, case_number: str, data: Mapping[str, Any]
    ) -> str:
        """Deliver the record; return the receipt id or raise `ReportDeliveryError`."""


def get_reporting_backend() -> ReportingBackend:
    """The configured backend (a fresh instance: it reads the settings as they are now)."""
    path = reporting_settings().backend
    backend_class = import_string(path)
    backend = backend_class()
    if not isinstance(backend, ReportingBackend):
        raise ImproperlyConfigured(f"REPORTING['BACKEND'] = {path!r} is not a ReportingBackend")
    return backend


def encode_body(envelope: Mapping[str, Any]) -> bytes:
    """The bytes of a record as sent and signed: compact UTF-8 JSON, not ASCII-escaped."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- The local backend ---------------------------------------------------------------------------


class FileReportingBackend(ReportingBackend):
    """Appends one JSON line per record to a file: the provincial platform of development.

    The line is the envelope the HTTP client would POST, plus `written_at`. The payload is kept
    in clear, so never configure it in production.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else reporting_settings().file

    def send(
        self, *, record_id: str, dataset: str, case_number: str, data: Mapping[str, Any]
    ) -> str:
        envelope = report_envelope(
            record_id=record_id, dataset=dataset, case_number=case_number, data=data
        )
        line = json.dumps(
            {**envelope, "written_at": timezone.now().isoformat()}, ensure_ascii=False
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line to a file opened for appending: lines from several processes
        # do not interleave.
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
        return f"file-{record_id}"


def read_reported(path: Path | str | None = None) -> list[dict[str, Any]]:
    """Every record the file backend wrote, oldest first (none if the file does not exist)."""
    file = Path(path) if path else reporting_settings().file
    if not file.exists():
        return []
    with file.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


# --- The provincial platform's HTTP interface ----------------------------------------------------

# Answers worth trying again later; any other refusal is permanent.
TEMPORARY_CODES: Final = frozenset(
    {"NONCE_REPLAYED", "RATE_LIMITED", "BUSY", "UNAVAILABLE", "CASE_UNKNOWN"}
)
# The platform already holds this record id: delivered (exactly once).
DUPLICATE_CODE: Final = "DUPLICATE_RECORD"
_CODE_RE: Final = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_FIELD_RE: Final = re.compile(r"[a-z_][a-z0-9_.]{0,60}")
_RECEIPT_RE: Final = re.compile(r"[0-9A-Za-z._:-]{1,64}")


def report_signature(
    *, secret: str, method: str, path: str, app_id: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """Hex HMAC-SHA256, keyed with the app secret, over
    "{METHOD}\\n{path}\\n{app_id}\\n{timestamp}\\n{nonce}\\n{sha256 hex of the body}"
    (see docs/reporting.md)."""
    body_hash = hashlib.sha256(body).hexdigest()
    canonical = f"{method.upper()}\n{path}\n{app_id}\n{timestamp}\n{nonce}\n{body_hash}"
    return hmac.new(secret.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


class HttpReportingBackend(ReportingBackend):
    """Client of the provincial platform: one signed JSON POST per record (docs/reporting.md)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        app_id: str | None = None,
        app_secret: str | None = None,
        connect_timeout: float | None = None,
        timeout: float | None = None,
    ) -> None:
        conf = reporting_settings()
        self.url = url if url is not None else conf.url
        self.app_id = app_id if app_id is not None else conf.app_id
        self.app_secret = app_secret if app_secret is not None else conf.app_secret
        self.connect_timeout = (
            connect_timeout if connect_timeout is not None else conf.connect_timeout_seconds
        )
        self.timeout = timeout if timeout is not None else conf.timeout_seconds
        missing = [
            name
            for name, value in (
                ("REPORTING_URL", self.url),
                ("REPORTING_APP_ID", self.app_id),
                ("REPORTING_APP_SECRET", self.app_secret),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"HttpReportingBackend needs {', '.join(missing)}")
        self.path = urlsplit(self.url).path or "/"

    def signed_headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signature = report_signature(
            secret=self.app_secret,
            method="POST",
            path=self.path,
            app_id=self.app_id,
            timestamp=stamp,
            nonce=nonce,
            body=body,
        )
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Id": self.app_id,
            "X-Timestamp": stamp,
            "X-Nonce": nonce,
            "X-Signature": signature,
        }

    def send(
        self, *, record_id: str, dataset: str, case_number: str, data: Mapping[str, Any]
    ) -> str:
        body = encode_body(
            report_envelope(
                record_id=record_id, dataset=dataset, case_number=case_number, data=data
            )
        )
        try:
            response = requests.post(
                self.url,
                data=body,
                headers=self.signed_headers(body),
                timeout=(self.connect_timeout, self.timeout),
                allow_redirects=False,
            )
        except requests.Timeout:
            # The platform may have stored it: the retry carries the same record id, which the
            # platform answers as a duplicate, so the record is kept once.
            raise ReportDeliveryError("TIMEOUT", temporary=True) from None
        except requests.ConnectionError:
            raise ReportDeliveryError("CONNECTION_ERROR", temporary=True) from None
        except requests.RequestException as exc:
            raise ReportDeliveryError(
                "REQUEST_ERROR", temporary=True, detail=type(exc).__name__
            ) from None
        return self._receipt(response)

    @staticmethod
    def _receipt(response: Any) -> str:
        status = int(response.status_code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            answer = {}
        raw_code = answer.get("code")
        code = raw_code if isinstance(raw_code, str) and _CODE_RE.fullmatch(raw_code) else ""
        raw_receipt = answer.get("receipt_id")
        receipt = (
            raw_receipt
            if isinstance(raw_receipt, str) and _RECEIPT_RE.fullmatch(raw_receipt)
            else ""
        )
        if (status == 200 and code == "OK") or (status == 409 and code == DUPLICATE_CODE):
            if receipt:
                return receipt
            raise ReportDeliveryError(
                "BAD_RESPONSE", temporary=True, detail=f"HTTP {status} 无回执"
            )
        code = code or f"HTTP_{status}"
        temporary = status == 429 or status >= 500 or status == 408 or code in TEMPORARY_CODES
        detail = f"HTTP {status}"
        fields = _problem_fields(answer.get("problems"))
        if fields:
            detail += f" fields={','.join(fields)}"
        raise ReportDeliveryError(code, temporary=temporary, detail=detail[:150])


def _problem_fields(problems: Any) -> list[str]:
    """The field names of a refusal's problems ("data.phone：…" → "data.phone"), and nothing of
    the text: the platform's messages could quote a value."""
    if not isinstance(problems, list):
        return []
    fields: list[str] = []
    for problem in problems[:20]:
        if not isinstance(problem, str):
            continue
        name = re.split(r"[：:]", problem, maxsplit=1)[0].strip()
        if _FIELD_RE.fullmatch(name) and name not in fields:
            fields.append(name)
    return fields
