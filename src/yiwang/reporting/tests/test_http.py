"""`HttpReportingBackend` against the local provincial receiver over real HTTP, and the
receiver's own rules."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests  # type: ignore[import-untyped,unused-ignore]
from django.core.management import CommandError, call_command

from yiwang.reporting.backends import HttpReportingBackend, encode_body, report_signature
from yiwang.reporting.codes import Dataset
from yiwang.reporting.errors import ReportDeliveryError
from yiwang.reporting.models import ReportRecord, ReportStatus
from yiwang.reporting.provincial_receiver import RECORDS_PATH, ProvincialReceiver
from yiwang.reporting.rules import report_envelope
from yiwang.reporting.services import report_deliver, report_enqueue, reports_retry_due
from yiwang.reporting.tests.conftest import APP_ID, APP_SECRET, ReceiverClock
from yiwang.reporting.tests.factories import (
    CASE_NUMBER,
    PAYLOADS,
    PHONE,
    acceptance,
    application,
)

S = dt.timedelta(seconds=1)
RECORD_ID = "0b6f3f8e-7d0c-4a55-9c34-2b1e0c8f5a10"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _queued(dataset: Dataset = Dataset.APPLICATION) -> ReportRecord:
    return report_enqueue(
        dataset=dataset,
        source_key=f"case:1:{dataset}",
        case_number=CASE_NUMBER,
        payload=PAYLOADS[dataset](),
    )


def _backend(receiver: ProvincialReceiver, **kwargs: Any) -> HttpReportingBackend:
    options: dict[str, Any] = {
        "url": receiver.records_url, "app_id": APP_ID, "app_secret": APP_SECRET, "timeout": 5,
        **kwargs,
    }  # fmt: skip
    return HttpReportingBackend(**options)


def _body(**data: Any) -> bytes:
    return encode_body(
        report_envelope(
            record_id=RECORD_ID,
            dataset=Dataset.APPLICATION,
            case_number=CASE_NUMBER,
            data=application(**data),
        )
    )


def _post(receiver: ProvincialReceiver, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(receiver.records_url, data=body, headers=headers, timeout=5)


@pytest.mark.django_db
class TestDelivery:
    @pytest.fixture(autouse=True)
    def _use(self, receiver: ProvincialReceiver, use_receiver: Callable[..., None]) -> None:
        use_receiver(receiver.records_url)

    def test_success(self, receiver: ProvincialReceiver) -> None:
        record = _queued()
        sent = report_deliver(report_id=record.pk)
        assert sent.status == ReportStatus.SENT
        [received] = receiver.records(CASE_NUMBER)
        assert sent.receipt_id == received["receipt_id"]
        assert received["record_id"] == str(record.record_id)
        assert received["dataset"] == "application"
        assert received["data"] == application()

    def test_a_whole_case_goes_out_in_order_through_the_sweep(
        self, receiver: ProvincialReceiver
    ) -> None:
        # The receiver refuses the later records of a case it has no application for.
        receiver.fail_next(1)  # the application's first try fails: the others must wait
        for dataset in Dataset:
            _queued(dataset)
        now = dt.datetime.now(dt.UTC)
        assert reports_retry_due(now=now) == 1
        assert receiver.records() == []
        assert reports_retry_due(now=now + 60 * S) == 4
        received = receiver.records(CASE_NUMBER)
        assert [r["dataset"] for r in received] == [
            "application", "acceptance", "step", "completion",
        ]  # fmt: skip
        assert set(ReportRecord.objects.values_list("status", flat=True)) == {"sent"}

    def test_wrong_secret_is_a_permanent_failure(
        self, receiver: ProvincialReceiver, use_receiver: Callable[..., None]
    ) -> None:
        use_receiver(receiver.records_url, secret="not-the-secret")
        failed = report_deliver(report_id=_queued().pk)
        assert (failed.status, failed.attempts) == (ReportStatus.FAILED, 1)
        assert failed.last_error == "BAD_SIGNATURE: HTTP 401"
        assert receiver.records() == []

    def test_unknown_app_id_is_a_permanent_failure(
        self, receiver: ProvincialReceiver, use_receiver: Callable[..., None]
    ) -> None:
        use_receiver(receiver.records_url, app_id="someone-else")
        failed = report_deliver(report_id=_queued().pk)
        assert (failed.status, failed.last_error) == ("failed", "UNKNOWN_APP_ID: HTTP 401")

    def test_a_clock_far_off_is_refused(
        self, receiver: ProvincialReceiver, receiver_clock: ReceiverClock
    ) -> None:
        receiver_clock.offset = 301
        failed = report_deliver(report_id=_queued().pk)
        assert (failed.status, failed.last_error) == ("failed", "STALE_TIMESTAMP: HTTP 401")

    def test_outage_then_recovery_delivers_exactly_once(self, receiver: ProvincialReceiver) -> None:
        receiver.fail_next(2, status=503, code="UNAVAILABLE")
        now = dt.datetime.now(dt.UTC)
        record = _queued()
        down = report_deliver(report_id=record.pk, now=now)
        assert (down.status, down.last_error) == ("pending", "UNAVAILABLE: HTTP 503")
        assert reports_retry_due(now=now + 59 * S) == 0
        assert reports_retry_due(now=now + 60 * S) == 1  # still down
        assert ReportRecord.objects.get(pk=record.pk).next_attempt_at == now + 180 * S
        assert reports_retry_due(now=now + 180 * S) == 1
        sent = ReportRecord.objects.get(pk=record.pk)
        assert (sent.status, sent.attempts, sent.last_error) == (ReportStatus.SENT, 3, "")
        # Later sweeps and a stray delivery task change nothing.
        assert reports_retry_due(now=now + 3600 * S) == 0
        assert report_deliver(report_id=record.pk).attempts == 3
        assert len(receiver.records()) == 1
        assert receiver.requests_seen == 3

    def test_an_answer_lost_to_a_timeout_is_retried_and_kept_once(
        self, receiver: ProvincialReceiver, configure: Callable[..., None]
    ) -> None:
        configure(TIMEOUT_SECONDS=0.5)
        receiver.delay_next(2.0)  # stores the record, answers after the client gave up
        now = dt.datetime.now(dt.UTC)
        record = _queued()
        timed_out = report_deliver(report_id=record.pk, now=now)
        assert (timed_out.status, timed_out.last_error) == ("pending", "TIMEOUT")
        [stored] = receiver.records()
        retried = report_deliver(report_id=record.pk, now=now + 60 * S)
        assert retried.status == ReportStatus.SENT
        assert retried.receipt_id == stored["receipt_id"]  # the duplicate answer's receipt
        assert len(receiver.records()) == 1

    def test_the_receiver_refuses_data_its_rules_refuse(self, receiver: ProvincialReceiver) -> None:
        record = _queued()
        # A record written before a rule tightened, say: it no longer passes.
        ReportRecord.objects.filter(pk=record.pk).update(payload=application(phone="110"))
        failed = report_deliver(report_id=record.pk)
        assert (failed.status, failed.last_error) == (
            ReportStatus.FAILED, "INVALID_DATA: HTTP 422 fields=data.phone",
        )  # fmt: skip
        assert receiver.records() == []


@pytest.mark.django_db
def test_receiver_down_then_up_delivers_exactly_once(
    use_receiver: Callable[..., None], receiver_clock: ReceiverClock
) -> None:
    port = _free_port()
    use_receiver(f"http://127.0.0.1:{port}{RECORDS_PATH}")
    now = dt.datetime.now(dt.UTC)
    record = _queued()
    down = report_deliver(report_id=record.pk, now=now)
    assert (down.status, down.last_error) == (ReportStatus.PENDING, "CONNECTION_ERROR")
    with ProvincialReceiver(
        app_id=APP_ID, app_secret=APP_SECRET, port=port, clock=receiver_clock
    ) as receiver:
        assert reports_retry_due(now=now + 60 * S) == 1
        assert reports_retry_due(now=now + 3600 * S) == 0
        assert ReportRecord.objects.get(pk=record.pk).status == ReportStatus.SENT
        assert len(receiver.records()) == 1


class TestReceiverRules:
    """What the receiver itself enforces, as the real platform does."""

    def test_a_signed_record_is_stored(self, receiver: ProvincialReceiver) -> None:
        body = _body()
        response = _post(receiver, body, _backend(receiver).signed_headers(body))
        assert response.status_code == 200
        assert response.json()["code"] == "OK"
        assert receiver.records()[0]["receipt_id"] == response.json()["receipt_id"]

    def test_the_signature_covers_method_path_app_time_nonce_and_body(self) -> None:
        args = {
            "secret": "s", "method": "post", "path": RECORDS_PATH, "app_id": "a",
            "timestamp": "1764300000", "nonce": "n", "body": b"{}",
        }  # fmt: skip
        base = report_signature(**args)
        assert len(base) == 64 and base == report_signature(**{**args, "method": "POST"})
        changes: list[tuple[str, Any]] = [
            ("secret", "t"), ("path", "/x"), ("app_id", "b"), ("timestamp", "1764300001"),
            ("nonce", "m"), ("body", b"{ }"),
        ]  # fmt: skip
        for name, other in changes:
            assert report_signature(**{**args, name: other}) != base, name

    def test_a_tampered_body_fails_the_signature(self, receiver: ProvincialReceiver) -> None:
        body = _body()
        headers = _backend(receiver).signed_headers(body)
        tampered = _body(phone="13800001111")
        response = _post(receiver, tampered, headers)
        assert (response.status_code, response.json()) == (401, {"code": "BAD_SIGNATURE"})
        assert receiver.records() == []

    def test_a_replayed_request_is_refused(self, receiver: ProvincialReceiver) -> None:
        body = _body()
        headers = _backend(receiver).signed_headers(body)
        assert _post(receiver, body, headers).json()["code"] == "OK"
        replay = _post(receiver, body, headers)
        assert (replay.status_code, replay.json()) == (409, {"code": "NONCE_REPLAYED"})
        assert len(receiver.records()) == 1

    def test_a_stale_timestamp_is_refused(self, receiver: ProvincialReceiver) -> None:
        body = _body()
        stale = int(time.time()) - 301
        headers = _backend(receiver).signed_headers(body, timestamp=stale)
        response = _post(receiver, body, headers)
        assert (response.status_code, response.json()) == (401, {"code": "STALE_TIMESTAMP"})

    def test_a_repeated_record_id_is_kept_once(self, receiver: ProvincialReceiver) -> None:
        backend = _backend(receiver)
        send = {"record_id": RECORD_ID, "dataset": "application", "case_number": CASE_NUMBER}
        first = backend.send(**send, data=application())
        again = backend.send(**send, data=application())
        assert first == again
        assert len(receiver.records()) == 1

    def test_a_later_record_of_an_unknown_case_is_a_temporary_refusal(
        self, receiver: ProvincialReceiver
    ) -> None:
        with pytest.raises(ReportDeliveryError) as excinfo:
            _backend(receiver).send(
                record_id=RECORD_ID, dataset="acceptance", case_number=CASE_NUMBER,
                data=acceptance(),
            )  # fmt: skip
        assert (excinfo.value.code, excinfo.value.temporary) == ("CASE_UNKNOWN", True)
        receiver.strict_order = False
        assert _backend(receiver).send(
            record_id=RECORD_ID, dataset="acceptance", case_number=CASE_NUMBER, data=acceptance()
        )

    def test_invalid_data_names_the_fields_and_not_the_values(
        self, receiver: ProvincialReceiver
    ) -> None:
        with pytest.raises(ReportDeliveryError) as excinfo:
            _backend(receiver).send(
                record_id=RECORD_ID, dataset="application", case_number=CASE_NUMBER,
                data=application(phone="12345", applicant_id_number="621002199001011230"),
            )  # fmt: skip
        error = excinfo.value
        assert (error.code, error.temporary) == ("INVALID_DATA", False)
        assert error.detail == "HTTP 422 fields=data.phone,data.applicant_id_number"
        assert "12345" not in str(error) and "621002199001011230" not in str(error)

    def test_bad_requests(self, receiver: ProvincialReceiver) -> None:
        backend = _backend(receiver)
        for body in (b"not json", b"[]"):
            response = _post(receiver, body, backend.signed_headers(body))
            assert (response.status_code, response.json()) == (400, {"code": "BAD_REQUEST"})
        wrong_path = requests.post(receiver.base_url + "/other", data=b"{}", timeout=5)
        assert wrong_path.status_code == 404
        huge = b"x" * (256 * 1024 + 1)
        response = _post(receiver, huge, backend.signed_headers(huge))
        assert response.status_code == 413

    def test_records_are_listed_by_case_over_http(self, receiver: ProvincialReceiver) -> None:
        _backend(receiver).send(
            record_id=RECORD_ID, dataset="application", case_number=CASE_NUMBER, data=application()
        )
        listed = requests.get(
            receiver.base_url + "/records", params={"case_number": CASE_NUMBER}, timeout=5
        ).json()["records"]
        assert [r["record_id"] for r in listed] == [RECORD_ID]
        other = requests.get(
            receiver.base_url + "/records", params={"case_number": "X"}, timeout=5
        ).json()
        assert other == {"records": []}

    def test_a_store_file_keeps_record_ids_across_restarts(self, tmp_path: Path) -> None:
        store = tmp_path / "received.jsonl"
        send = {"record_id": RECORD_ID, "dataset": "application", "case_number": CASE_NUMBER}
        with ProvincialReceiver(app_id=APP_ID, app_secret=APP_SECRET, store_file=store) as first:
            receipt = _backend(first).send(**send, data=application())
        with ProvincialReceiver(app_id=APP_ID, app_secret=APP_SECRET, store_file=store) as second:
            assert _backend(second).send(**send, data=application()) == receipt
            assert len(second.records()) == 1
            # The restarted receiver still knows the case: its acceptance is taken.
            assert _backend(second).send(
                record_id="5d1c7a36-1f0e-4c2b-8a8e-3f0b5b8f9e21", dataset="acceptance",
                case_number=CASE_NUMBER, data=acceptance(),
            )  # fmt: skip
        assert [json.loads(line)["dataset"] for line in store.read_text().splitlines()] == [
            "application", "acceptance",
        ]  # fmt: skip


def test_a_bad_answer_without_a_receipt_is_temporary(receiver: ProvincialReceiver) -> None:
    class Answer:
        status_code = 200

        def json(self) -> Any:
            return {"code": "OK"}

    with pytest.raises(ReportDeliveryError) as excinfo:
        HttpReportingBackend._receipt(Answer())
    assert (excinfo.value.code, excinfo.value.temporary) == ("BAD_RESPONSE", True)


def test_command_needs_the_app_id_and_secret(configure: Callable[..., None]) -> None:
    configure(APP_ID="", APP_SECRET="")
    with pytest.raises(CommandError, match="--app-id"):
        call_command("reporting_receiver", "--port", "0")


@pytest.fixture
def receiver_process(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "yiwang"), "reporting_receiver", "--port", str(port),
        "--app-id", APP_ID, "--app-secret", APP_SECRET, "--fail-first", "1",
    ]  # fmt: skip
    env = {**os.environ, "YIWANG_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/records", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_serves_the_protocol(receiver_process: str) -> None:
    backend = HttpReportingBackend(
        url=receiver_process + RECORDS_PATH, app_id=APP_ID, app_secret=APP_SECRET
    )
    send = {"record_id": RECORD_ID, "dataset": "application", "case_number": CASE_NUMBER}
    with pytest.raises(ReportDeliveryError, match="UNAVAILABLE"):  # --fail-first 1
        backend.send(**send, data=application())
    receipt = backend.send(**send, data=application())
    listed = requests.get(receiver_process + "/records", timeout=5).json()["records"]
    assert [(r["receipt_id"], r["data"]["phone"]) for r in listed] == [(receipt, PHONE)]
