"""Delivery backends: one interface, a local default and the real HTTP gateway client.

`get_sms_backend()` builds the backend named by `settings.NOTIFY["SMS_BACKEND"]`. A backend
returns the provider's message id or raises `SmsDeliveryError` (temporary or permanent); it
never logs the phone number unmasked nor the text (verification codes are secrets).
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import json
import re
import secrets
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TextIO
from urllib.parse import urlsplit

import requests  # type: ignore[import-untyped,unused-ignore]
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from yiwang.core.masking import mask_phone
from yiwang.notify.conf import notify_settings
from yiwang.notify.errors import SmsDeliveryError

__all__ = [
    "ConsoleBackend",
    "FileBackend",
    "HttpGatewayBackend",
    "SmsBackend",
    "SmsDeliveryError",
    "gateway_signature",
    "get_sms_backend",
    "last_code_for",
    "read_sent",
]


class SmsBackend(abc.ABC):
    """Sends one SMS. `template`, `params` and `client_msg_id` are for gateways that want them."""

    @abc.abstractmethod
    def send(
        self,
        *,
        phone: str,
        text: str,
        message_id: int,
        template: str = "",
        params: Mapping[str, str] | None = None,
        client_msg_id: str = "",
    ) -> str:
        """Deliver the message; return the provider's message id or raise `SmsDeliveryError`."""


def get_sms_backend() -> SmsBackend:
    """The configured backend (a fresh instance: it reads the settings as they are now)."""
    path = notify_settings().sms_backend
    backend_class = import_string(path)
    backend = backend_class()
    if not isinstance(backend, SmsBackend):
        raise ImproperlyConfigured(f"NOTIFY['SMS_BACKEND'] = {path!r} is not an SmsBackend")
    return backend


# --- Local backends ------------------------------------------------------------------------------


class ConsoleBackend(SmsBackend):
    """Prints the masked number and the full text to stdout (not to logging): a developer reads
    the code off the terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(
        self,
        *,
        phone: str,
        text: str,
        message_id: int,
        template: str = "",
        params: Mapping[str, str] | None = None,
        client_msg_id: str = "",
    ) -> str:
        stream = self.stream or sys.stdout
        stream.write(f"[短信 #{message_id}] {mask_phone(phone)}：{text}\n")
        stream.flush()
        return f"console-{message_id}"


class FileBackend(SmsBackend):
    """Appends one JSON line per message to a file: the local phone of development and tests.

    The number is kept in clear, since a developer or a browser test reads the code for a number
    from it (`last_code_for`). Never configure it in production.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else notify_settings().sms_file

    def send(
        self,
        *,
        phone: str,
        text: str,
        message_id: int,
        template: str = "",
        params: Mapping[str, str] | None = None,
        client_msg_id: str = "",
    ) -> str:
        record = {
            "message_id": message_id,
            "phone": phone,
            "template": template,
            "text": text,
            "sent_at": timezone.now().isoformat(),
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line to a file opened for appending: lines from several processes
        # do not interleave.
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line)
        return f"file-{message_id}"


def read_sent(path: Path | str | None = None) -> list[dict[str, Any]]:
    """Every message the file backend wrote, oldest first (none if the file does not exist)."""
    file = Path(path) if path else notify_settings().sms_file
    if not file.exists():
        return []
    with file.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


_CODE_AFTER_WORD: Final = re.compile(r"验证码\D{0,3}?(\d{4,8})(?!\d)")
_ANY_CODE: Final = re.compile(r"(?<!\d)(\d{4,8})(?!\d)")


def last_code_for(phone: str, path: Path | str | None = None) -> str | None:
    """The 4 to 8 digit code of the last verification message the file backend sent to `phone`,
    as the person would read it off their phone; None if there is none."""
    for record in reversed(read_sent(path)):
        if record.get("phone") != phone:
            continue
        text = str(record.get("text", ""))
        if record.get("template") != "verification_code" and "验证码" not in text:
            continue
        match = _CODE_AFTER_WORD.search(text) or _ANY_CODE.search(text)
        return match.group(1) if match else None
    return None


# --- The HTTP SMS gateway ------------------------------------------------------------------------

# Answers worth trying again later; any other refusal is permanent.
TEMPORARY_CODES: Final = frozenset({"RATE_LIMITED", "NONCE_REPLAYED", "BUSY", "UNAVAILABLE"})
_CODE_RE: Final = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


def gateway_signature(
    *, secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """Hex HMAC-SHA256, keyed with the app secret, over
    "{METHOD}\\n{path}\\n{timestamp}\\n{nonce}\\n{sha256 hex of the body}" (see docs/sms.md)."""
    body_hash = hashlib.sha256(body).hexdigest()
    canonical = f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{body_hash}"
    return hmac.new(secret.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


class HttpGatewayBackend(SmsBackend):
    """Client of the HTTP SMS gateway: a signed JSON POST per message (protocol in docs/sms.md)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        app_key: str | None = None,
        app_secret: str | None = None,
        sign_name: str | None = None,
        timeout: float | None = None,
    ) -> None:
        conf = notify_settings()
        self.url = url if url is not None else conf.gateway_url
        self.app_key = app_key if app_key is not None else conf.gateway_app_key
        self.app_secret = app_secret if app_secret is not None else conf.gateway_app_secret
        self.sign_name = sign_name if sign_name is not None else conf.sign_name
        self.timeout = timeout if timeout is not None else conf.gateway_timeout_seconds
        missing = [
            name
            for name, value in (
                ("SMS_GATEWAY_URL", self.url),
                ("SMS_GATEWAY_APP_KEY", self.app_key),
                ("SMS_GATEWAY_APP_SECRET", self.app_secret),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"HttpGatewayBackend needs {', '.join(missing)}")
        self.path = urlsplit(self.url).path or "/"

    def signed_headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signature = gateway_signature(
            secret=self.app_secret,
            method="POST",
            path=self.path,
            timestamp=stamp,
            nonce=nonce,
            body=body,
        )
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Key": self.app_key,
            "X-Timestamp": stamp,
            "X-Nonce": nonce,
            "X-Signature": signature,
        }

    def send(
        self,
        *,
        phone: str,
        text: str,
        message_id: int,
        template: str = "",
        params: Mapping[str, str] | None = None,
        client_msg_id: str = "",
    ) -> str:
        payload = {
            "phone": phone,
            "sign_name": self.sign_name,
            "template": template,
            "params": dict(params or {}),
            "text": text,
            "client_msg_id": client_msg_id or str(message_id),
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            response = requests.post(
                self.url,
                data=body,
                headers=self.signed_headers(body),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            # The gateway may have accepted it: the retry carries the same client_msg_id, which
            # the gateway drops as a repeat.
            raise SmsDeliveryError("TIMEOUT", temporary=True) from None
        except requests.ConnectionError:
            raise SmsDeliveryError("CONNECTION_ERROR", temporary=True) from None
        except requests.RequestException as exc:
            raise SmsDeliveryError(
                "REQUEST_ERROR", temporary=True, detail=type(exc).__name__
            ) from None
        return self._provider_id(response)

    @staticmethod
    def _provider_id(response: Any) -> str:
        status = int(response.status_code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        raw_code = answer.get("code") if isinstance(answer, dict) else None
        code = raw_code if isinstance(raw_code, str) and _CODE_RE.fullmatch(raw_code) else ""
        if status == 200 and code == "OK":
            provider_id = answer.get("message_id") if isinstance(answer, dict) else None
            if isinstance(provider_id, str) and provider_id:
                return provider_id[:64]
            raise SmsDeliveryError("BAD_RESPONSE", temporary=True, detail="HTTP 200 无消息号")
        code = code or f"HTTP_{status}"
        temporary = status == 429 or status >= 500 or status == 408 or code in TEMPORARY_CODES
        raise SmsDeliveryError(code, temporary=temporary, detail=f"HTTP {status}")
