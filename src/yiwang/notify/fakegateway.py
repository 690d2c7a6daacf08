"""A local SMS gateway that behaves like the real one, for development and tests.

It speaks the protocol of docs/sms.md: it checks the app key, the timestamp (at most 5 minutes
off), the HMAC-SHA256 signature and the nonce (a repeat is refused), drops a repeated
`client_msg_id`, validates the number, limits messages per number per minute (429), and keeps
what it accepted in memory, listed by `GET /messages?phone=`. `fail_next()` makes it answer the
next requests with an error, as a real gateway does during an incident.

    with FakeSmsGateway(app_key="k", app_secret="s") as gateway:
        backend = HttpGatewayBackend(url=gateway.send_url, app_key="k", app_secret="s")

`yiwang sms_gateway --port 9911 --app-key … --app-secret …` runs it in the foreground.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from yiwang.core.localserver import LocalServer
from yiwang.notify.backends import gateway_signature
from yiwang.notify.rules import is_mobile_number

SEND_PATH: Final = "/v1/sms/send"
MAX_SKEW_SECONDS: Final = 300
MAX_BODY_BYTES: Final = 64 * 1024


@dataclass(frozen=True)
class GatewayAnswer:
    status: int
    body: dict[str, Any]


class FakeSmsGateway(LocalServer):
    """The gateway's state and rules; `start()` serves them over HTTP on a thread."""

    thread_name = "fake-sms-gateway"

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        per_phone_per_minute: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.host = host
        self.port = port
        self.per_phone_per_minute = per_phone_per_minute
        self.clock = clock
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._by_client_id: dict[str, str] = {}
        self._nonces: dict[str, float] = {}
        self._recent: dict[str, deque[float]] = {}
        self._failures: deque[GatewayAnswer] = deque()
        self.requests_seen = 0
        super().__init__()

    # --- What tests and the command use -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def send_url(self) -> str:
        return self.base_url + SEND_PATH

    def messages(self, phone: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages if phone is None or m["phone"] == phone]

    def fail_next(self, count: int = 1, *, status: int = 503, code: str = "UNAVAILABLE") -> None:
        """Answer the next `count` signed send requests with this error."""
        with self._lock:
            self._failures.extend(GatewayAnswer(status, {"code": code}) for _ in range(count))

    # --- The protocol --------------------------------------------------------------------------

    def handle_send(self, *, path: str, headers: dict[str, str], body: bytes) -> GatewayAnswer:
        """The gateway's answer to `POST {path}` with these headers (names lower-cased)."""
        now = self.clock()
        if headers.get("x-app-key") != self.app_key:
            return GatewayAnswer(401, {"code": "UNKNOWN_APP_KEY"})
        try:
            timestamp = int(headers.get("x-timestamp", ""))
        except ValueError:
            return GatewayAnswer(401, {"code": "STALE_TIMESTAMP"})
        if abs(now - timestamp) > MAX_SKEW_SECONDS:
            return GatewayAnswer(401, {"code": "STALE_TIMESTAMP"})
        nonce = headers.get("x-nonce", "")
        expected = gateway_signature(
            secret=self.app_secret,
            method="POST",
            path=path,
            timestamp=str(timestamp),
            nonce=nonce,
            body=body,
        )
        if not nonce or not hmac.compare_digest(expected, headers.get("x-signature", "")):
            return GatewayAnswer(401, {"code": "BAD_SIGNATURE"})
        with self._lock:
            self.requests_seen += 1
            self._forget_old_nonces(now)
            if nonce in self._nonces:
                return GatewayAnswer(409, {"code": "NONCE_REPLAYED"})
            self._nonces[nonce] = now
            if self._failures:
                return self._failures.popleft()
            return self._accept(body, now)

    def _accept(self, body: bytes, now: float) -> GatewayAnswer:
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return GatewayAnswer(400, {"code": "BAD_REQUEST"})
        if not isinstance(payload, dict):
            return GatewayAnswer(400, {"code": "BAD_REQUEST"})
        phone, text = payload.get("phone"), payload.get("text")
        sign_name, client_msg_id = payload.get("sign_name"), payload.get("client_msg_id")
        if not all(isinstance(v, str) and v for v in (text, sign_name, client_msg_id)):
            return GatewayAnswer(400, {"code": "BAD_REQUEST"})
        known = self._by_client_id.get(str(client_msg_id))
        if known is not None:  # a retry of a message already accepted: accepted once
            return GatewayAnswer(200, {"code": "OK", "message_id": known})
        if not isinstance(phone, str) or not is_mobile_number(phone):
            return GatewayAnswer(400, {"code": "INVALID_PHONE"})
        if not str(text).startswith(f"【{sign_name}】"):
            return GatewayAnswer(400, {"code": "SIGN_MISMATCH"})
        recent = self._recent.setdefault(phone, deque())
        while recent and recent[0] <= now - 60:
            recent.popleft()
        if self.per_phone_per_minute > 0 and len(recent) >= self.per_phone_per_minute:
            return GatewayAnswer(429, {"code": "RATE_LIMITED"})
        recent.append(now)
        message_id = f"fake-{uuid.uuid4().hex}"
        self._by_client_id[str(client_msg_id)] = message_id
        self._messages.append(
            {
                "message_id": message_id,
                "client_msg_id": client_msg_id,
                "phone": phone,
                "sign_name": sign_name,
                "template": payload.get("template", ""),
                "params": payload.get("params", {}),
                "text": text,
                "received_at": now,
            }
        )
        return GatewayAnswer(200, {"code": "OK", "message_id": message_id})

    def _forget_old_nonces(self, now: float) -> None:
        horizon = now - 2 * MAX_SKEW_SECONDS
        for nonce in [n for n, seen in self._nonces.items() if seen < horizon]:
            del self._nonces[nonce]

    def _make_server(self) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        return server


def _handler_for(gateway: FakeSmsGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path != SEND_PATH:
                self._answer(GatewayAnswer(404, {"code": "NOT_FOUND"}))
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                self._answer(GatewayAnswer(400, {"code": "BAD_REQUEST"}))
                return
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._answer(gateway.handle_send(path=path, headers=headers, body=body))

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/messages":
                self._answer(GatewayAnswer(404, {"code": "NOT_FOUND"}))
                return
            phone = parse_qs(url.query).get("phone", [None])[0]
            self._answer(GatewayAnswer(200, {"messages": gateway.messages(phone)}))

        def _answer(self, answer: GatewayAnswer) -> None:
            data = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: request lines carry phone numbers (`/messages?phone=`)."""

    return Handler
