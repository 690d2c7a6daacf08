"""A local provincial catalog server that behaves like the real one, for development and tests.

It speaks the protocol of docs/catalog.md ("Provincial sync"): `GET {base}/batches?after=&limit=`
answers the batches numbered after `after`, oldest first, at most `limit` of them, with
`has_more`. It checks the app key, the timestamp (at most 5 minutes off), the HMAC-SHA256
signature and the nonce (a repeat is refused). Like the real feed it serves whatever its data
holds, bad records included: the sync must cope.

    with ProvincialCatalogServer(app_key="k", app_secret="s") as server:
        server.add_batch([{"op": "I", "code": "000104002000", ...}])
        catalog_sync(base_url=server.base_url)

Batches live in memory, or in a JSON file (`data_file`, same shape as the answer:
`{"batches": [...]}`) that is read again when it changes, so a developer can edit it while the
server runs. `yiwang provincial_catalog_server --port 9921 --data FILE` runs it in the foreground.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from yiwang.catalog.sync import BATCH_NO_RE, BATCHES_PATH, canonical_query, sync_signature
from yiwang.core.localserver import LocalServer

BASE_PATH: Final = "/catalog/v1"
MAX_SKEW_SECONDS: Final = 300
DEFAULT_LIMIT: Final = 20
SHANGHAI: Final = ZoneInfo("Asia/Shanghai")

# A small feed for development (`--sample`): a parent matter with one child, then an update.
SAMPLE_BATCHES: Final[list[dict[str, Any]]] = [
    {
        "batch_no": "20261128-0001",
        "batch_time": "2026-11-28T10:00:00+08:00",
        "records": [
            {"op": "I", "code": "000104002000", "name": "普通护照签发", "matter_type": "01",
             "level": "3", "legal_basis": "《中华人民共和国护照法》第五条", "parent_code": ""},
            {"op": "I", "code": "000104002001", "name": "普通护照签发（首次申领）",
             "matter_type": "01", "level": "3", "legal_basis": "《中华人民共和国护照法》第五条",
             "parent_code": "000104002000"},
            {"op": "I", "code": "000201001000", "name": "居民身份证首次申领", "matter_type": "20",
             "level": "4", "legal_basis": "《中华人民共和国居民身份证法》", "parent_code": ""},
        ],
    },
    {
        "batch_no": "20261128-0002",
        "batch_time": "2026-11-28T16:00:00+08:00",
        "records": [
            {"op": "U", "code": "000201001000", "name": "居民身份证申领", "matter_type": "20",
             "level": "4", "legal_basis": "《中华人民共和国居民身份证法》第八条",
             "parent_code": ""},
        ],
    },
]  # fmt: skip


@dataclass(frozen=True)
class ServerAnswer:
    status: int
    body: dict[str, Any]


class ProvincialCatalogServer(LocalServer):
    """The feed's state and rules; `start()` serves them over HTTP on a thread."""

    thread_name = "provincial-catalog"

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        data_file: Path | str | None = None,
        batches: Iterable[dict[str, Any]] = (),
        max_limit: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.host = host
        self.port = port
        self.data_file = Path(data_file) if data_file else None
        self.max_limit = max_limit
        self.clock = clock
        # Serve from the first batch whatever `after` says, as a province that resends.
        self.ignore_after = False
        self.requests_seen: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._batches: dict[str, dict[str, Any]] = {}
        self._file_mtime: int | None = None
        self._nonces: dict[str, float] = {}
        self._failures: deque[ServerAnswer] = deque()
        super().__init__()
        if self.data_file is not None:
            self._reload_if_changed()
        initial = [dict(batch) for batch in batches]
        for batch in initial:
            self._put(batch)
        if initial:
            self._save()

    # --- What tests and the command use -------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What the sync is configured with (`CATALOG_SYNC_URL`)."""
        return f"http://{self.host}:{self.port}{BASE_PATH}"

    def add_batch(
        self,
        records: list[Any],
        *,
        batch_no: str | None = None,
        batch_time: str | None = None,
    ) -> str:
        """Publish a batch (records as given, bad ones included); return its number. Without a
        number, the next one of today's (Asia/Shanghai) sequence `YYYYMMDD-NNNN`."""
        with self._lock:
            self._reload_if_changed()
            now = dt.datetime.fromtimestamp(self.clock(), tz=SHANGHAI)
            if batch_no is None:
                day = now.strftime("%Y%m%d")
                taken = [int(no[9:]) for no in self._batches if no.startswith(f"{day}-")]
                batch_no = f"{day}-{max(taken, default=0) + 1:04d}"
            if not BATCH_NO_RE.match(batch_no):
                raise ValueError(f"invalid batch number {batch_no!r}")
            if batch_no in self._batches:
                raise ValueError(f"batch {batch_no} exists; use replace_records()")
            self._put(
                {
                    "batch_no": batch_no,
                    "batch_time": batch_time or now.isoformat(timespec="seconds"),
                    "records": [dict(r) if isinstance(r, dict) else r for r in records],
                }
            )
            self._save()
        return batch_no

    def replace_records(self, batch_no: str, records: list[Any]) -> None:
        """Change a published batch's records, as the province does when it fixes bad data."""
        with self._lock:
            self._reload_if_changed()
            if batch_no not in self._batches:
                raise KeyError(batch_no)
            self._batches[batch_no]["records"] = [
                dict(r) if isinstance(r, dict) else r for r in records
            ]
            self._save()

    def batches(self) -> list[dict[str, Any]]:
        with self._lock:
            self._reload_if_changed()
            return [json.loads(json.dumps(self._batches[no])) for no in sorted(self._batches)]

    def fail_next(self, count: int = 1, *, status: int = 503, code: str = "UNAVAILABLE") -> None:
        """Answer the next `count` authenticated requests with this error."""
        with self._lock:
            self._failures.extend(ServerAnswer(status, {"code": code}) for _ in range(count))

    # --- The protocol --------------------------------------------------------------------------

    def handle_batches(self, *, path: str, query: str, headers: dict[str, str]) -> ServerAnswer:
        """The answer to `GET {path}?{query}` with these headers (names lower-cased)."""
        if path != BASE_PATH + BATCHES_PATH:
            return ServerAnswer(404, {"code": "NOT_FOUND"})
        params = parse_qsl(query, keep_blank_values=True)
        refused = self._authenticate(path=path, params=params, headers=headers)
        if refused is not None:
            return refused
        values = dict(params)
        after = values.get("after", "")
        try:
            limit = int(values.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return ServerAnswer(400, {"code": "BAD_REQUEST", "message": "limit 应为整数"})
        if not 1 <= limit <= self.max_limit or len(after) > 40:
            return ServerAnswer(
                400, {"code": "BAD_REQUEST", "message": f"limit 应在1至{self.max_limit}之间"}
            )
        with self._lock:
            self.requests_seen.append({"after": after, "limit": limit})
            if self._failures:
                return self._failures.popleft()
            try:
                self._reload_if_changed()
            except (OSError, ValueError, TypeError) as exc:
                return ServerAnswer(500, {"code": "DATA_FILE_INVALID", "message": str(exc)})
            numbers = sorted(self._batches)
            if not self.ignore_after:
                numbers = [no for no in numbers if no > after]
            page = [json.loads(json.dumps(self._batches[no])) for no in numbers[:limit]]
            return ServerAnswer(200, {"batches": page, "has_more": len(numbers) > limit})

    def _authenticate(
        self, *, path: str, params: list[tuple[str, str]], headers: dict[str, str]
    ) -> ServerAnswer | None:
        now = self.clock()
        if not hmac.compare_digest(headers.get("x-app-key", ""), self.app_key):
            return ServerAnswer(401, {"code": "UNKNOWN_APP_KEY"})
        try:
            timestamp = int(headers.get("x-timestamp", ""))
        except ValueError:
            return ServerAnswer(401, {"code": "STALE_TIMESTAMP"})
        if abs(now - timestamp) > MAX_SKEW_SECONDS:
            return ServerAnswer(401, {"code": "STALE_TIMESTAMP"})
        nonce = headers.get("x-nonce", "")
        expected = sync_signature(
            secret=self.app_secret,
            method="GET",
            path=path,
            query=canonical_query(params),
            timestamp=str(timestamp),
            nonce=nonce,
        )
        if not nonce or not hmac.compare_digest(expected, headers.get("x-signature", "")):
            return ServerAnswer(401, {"code": "BAD_SIGNATURE"})
        with self._lock:
            horizon = now - 2 * MAX_SKEW_SECONDS
            for old in [n for n, seen in self._nonces.items() if seen < horizon]:
                del self._nonces[old]
            if nonce in self._nonces:
                return ServerAnswer(409, {"code": "NONCE_REPLAYED"})
            self._nonces[nonce] = now
        return None

    # --- Storage ---------------------------------------------------------------------------------

    def _put(self, batch: dict[str, Any]) -> None:
        batch_no = batch.get("batch_no")
        if not isinstance(batch_no, str) or not BATCH_NO_RE.match(batch_no):
            raise ValueError(f"invalid batch number {batch_no!r}")
        self._batches[batch_no] = batch

    def _reload_if_changed(self) -> None:
        if self.data_file is None or not self.data_file.exists():
            return
        mtime = self.data_file.stat().st_mtime_ns
        if mtime == self._file_mtime:
            return
        data = json.loads(self.data_file.read_text(encoding="utf-8"))
        batches = data.get("batches", []) if isinstance(data, dict) else data
        self._batches = {}
        for batch in batches:
            self._put(dict(batch))
        self._file_mtime = mtime

    def _save(self) -> None:
        if self.data_file is None:
            return
        self.data_file.parent.mkdir(parents=True, exist_ok=True)
        data = {"batches": [self._batches[no] for no in sorted(self._batches)]}
        temporary = self.data_file.with_name(self.data_file.name + ".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(temporary, self.data_file)
        self._file_mtime = self.data_file.stat().st_mtime_ns

    def _make_server(self) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        return server


def _handler_for(feed: ProvincialCatalogServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._answer(feed.handle_batches(path=url.path, query=url.query, headers=headers))

        def _answer(self, answer: ServerAnswer) -> None:
            data = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent in tests; the command prints its own lines."""

    return Handler
