"""A local provincial data receiver that behaves like the real one, for development and tests.

It speaks the protocol of docs/reporting.md: it checks the app id, the timestamp (at most 5
minutes off), the HMAC-SHA256 signature and the nonce (a repeat is refused), validates the record
with the platform's own rules (`rules.envelope_problems`), keeps each record id once (a repeat
is answered `409 DUPLICATE_RECORD` with the first receipt), and, like the real platform, takes
the acceptance, steps and completion of a case only after its application (`409 CASE_UNKNOWN`,
which the client retries; `strict_order=False` turns that off). `fail_next()` makes it answer
the next requests with an error, as during an outage; `delay_next()` makes it store a record but
answer too late, as when the client's timeout runs out first.

    with ProvincialReceiver(app_id="k", app_secret="s") as receiver:
        backend = HttpReportingBackend(url=receiver.records_url, app_id="k", app_secret="s")

`yiwang reporting_receiver --port 9931 --app-id … --app-secret …` (or `python -m yiwang
reporting_receiver …`) runs it in the foreground; `GET /records?case_number=` lists what it holds.
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
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from yiwang.core.localserver import LocalServer
from yiwang.reporting.backends import DUPLICATE_CODE, report_signature
from yiwang.reporting.codes import Dataset
from yiwang.reporting.rules import envelope_problems

RECORDS_PATH: Final = "/report/v1/records"
MAX_SKEW_SECONDS: Final = 300
MAX_BODY_BYTES: Final = 256 * 1024


@dataclass(frozen=True)
class ReceiverAnswer:
    status: int
    body: dict[str, Any]
    delay: float = 0.0  # seconds to wait before answering


class ProvincialReceiver(LocalServer):
    """The receiver's state and rules; `start()` serves them over HTTP on a thread."""

    thread_name = "provincial-receiver"

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_order: bool = True,
        store_file: Path | str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.host = host
        self.port = port
        self.strict_order = strict_order
        self.store_file = Path(store_file) if store_file else None
        self.clock = clock
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._by_record_id: dict[str, str] = {}
        self._applied_cases: set[str] = set()
        self._nonces: dict[str, float] = {}
        self._failures: deque[ReceiverAnswer] = deque()
        self._delays: deque[float] = deque()
        self.requests_seen = 0
        self._load_store()
        super().__init__()

    # --- What tests and the command use -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def records_url(self) -> str:
        return self.base_url + RECORDS_PATH

    def records(self, case_number: str | None = None) -> list[dict[str, Any]]:
        """What was stored, oldest first (each record id once)."""
        with self._lock:
            return [
                dict(r)
                for r in self._records
                if case_number is None or r["case_number"] == case_number
            ]

    def fail_next(self, count: int = 1, *, status: int = 503, code: str = "UNAVAILABLE") -> None:
        """Answer the next `count` requests with this error (an outage), before any check."""
        with self._lock:
            self._failures.extend(ReceiverAnswer(status, {"code": code}) for _ in range(count))

    def delay_next(self, seconds: float, count: int = 1) -> None:
        """Store the next `count` new records but answer each only after `seconds`."""
        with self._lock:
            self._delays.extend([seconds] * count)

    # --- The protocol --------------------------------------------------------------------------

    def handle_post(self, *, path: str, headers: dict[str, str], body: bytes) -> ReceiverAnswer:
        """The receiver's answer to `POST {path}` with these headers (names lower-cased)."""
        now = self.clock()
        with self._lock:
            self.requests_seen += 1
            if self._failures:
                return self._failures.popleft()
        if headers.get("x-app-id") != self.app_id:
            return ReceiverAnswer(401, {"code": "UNKNOWN_APP_ID"})
        try:
            timestamp = int(headers.get("x-timestamp", ""))
        except ValueError:
            return ReceiverAnswer(401, {"code": "STALE_TIMESTAMP"})
        if abs(now - timestamp) > MAX_SKEW_SECONDS:
            return ReceiverAnswer(401, {"code": "STALE_TIMESTAMP"})
        nonce = headers.get("x-nonce", "")
        expected = report_signature(
            secret=self.app_secret,
            method="POST",
            path=path,
            app_id=self.app_id,
            timestamp=str(timestamp),
            nonce=nonce,
            body=body,
        )
        if not nonce or not hmac.compare_digest(expected, headers.get("x-signature", "")):
            return ReceiverAnswer(401, {"code": "BAD_SIGNATURE"})
        with self._lock:
            self._forget_old_nonces(now)
            if nonce in self._nonces:
                return ReceiverAnswer(409, {"code": "NONCE_REPLAYED"})
            self._nonces[nonce] = now
            return self._receive(body, now)

    def _receive(self, body: bytes, now: float) -> ReceiverAnswer:
        try:
            envelope = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return ReceiverAnswer(400, {"code": "BAD_REQUEST"})
        if not isinstance(envelope, dict):
            return ReceiverAnswer(400, {"code": "BAD_REQUEST"})
        known = self._by_record_id.get(str(envelope.get("record_id")))
        if known is not None:  # a retry of a record already stored: stored once
            return ReceiverAnswer(409, {"code": DUPLICATE_CODE, "receipt_id": known})
        problems = envelope_problems(envelope)
        if problems:
            return ReceiverAnswer(422, {"code": "INVALID_DATA", "problems": problems})
        case_number = envelope["case_number"]
        if (
            self.strict_order
            and envelope["dataset"] != Dataset.APPLICATION
            and case_number not in self._applied_cases
        ):
            return ReceiverAnswer(409, {"code": "CASE_UNKNOWN"})
        receipt_id = f"GS{uuid.uuid4().hex[:22].upper()}"
        stored = {
            "receipt_id": receipt_id,
            "record_id": envelope["record_id"],
            "dataset": envelope["dataset"],
            "case_number": case_number,
            "data": envelope["data"],
            "received_at": now,
        }
        self._store(stored)
        delay = self._delays.popleft() if self._delays else 0.0
        return ReceiverAnswer(200, {"code": "OK", "receipt_id": receipt_id}, delay=delay)

    def _store(self, stored: dict[str, Any]) -> None:
        self._records.append(stored)
        self._by_record_id[stored["record_id"]] = stored["receipt_id"]
        if stored["dataset"] == Dataset.APPLICATION:
            self._applied_cases.add(stored["case_number"])
        if self.store_file is not None:
            self.store_file.parent.mkdir(parents=True, exist_ok=True)
            with self.store_file.open("a", encoding="utf-8") as file:
                file.write(json.dumps(stored, ensure_ascii=False) + "\n")

    def _load_store(self) -> None:
        """What an earlier run stored, so a restarted receiver still knows its record ids."""
        if self.store_file is None or not self.store_file.exists():
            return
        with self.store_file.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    stored = json.loads(line)
                    self._records.append(stored)
                    self._by_record_id[stored["record_id"]] = stored["receipt_id"]
                    if stored["dataset"] == Dataset.APPLICATION:
                        self._applied_cases.add(stored["case_number"])

    def _forget_old_nonces(self, now: float) -> None:
        horizon = now - 2 * MAX_SKEW_SECONDS
        for nonce in [n for n, seen in self._nonces.items() if seen < horizon]:
            del self._nonces[nonce]

    def _make_server(self) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        return server


def _handler_for(receiver: ProvincialReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path != RECORDS_PATH:
                self._answer(ReceiverAnswer(404, {"code": "NOT_FOUND"}))
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if length > MAX_BODY_BYTES:
                self._answer(ReceiverAnswer(413, {"code": "TOO_LARGE"}), close=True)
                return
            if length < 0:
                self._answer(ReceiverAnswer(400, {"code": "BAD_REQUEST"}), close=True)
                return
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._answer(receiver.handle_post(path=path, headers=headers, body=body))

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/records":
                self._answer(ReceiverAnswer(404, {"code": "NOT_FOUND"}))
                return
            case_number = parse_qs(url.query).get("case_number", [None])[0]
            self._answer(ReceiverAnswer(200, {"records": receiver.records(case_number)}))

        def _answer(self, answer: ReceiverAnswer, *, close: bool = False) -> None:
            if answer.delay > 0:
                time.sleep(answer.delay)
            data = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: records carry ID numbers and phones."""

    return Handler
