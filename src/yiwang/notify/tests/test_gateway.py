"""`HttpGatewayBackend` against the fake gateway over real HTTP, and the fake gateway's rules."""

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

import pytest
import requests  # type: ignore[import-untyped,unused-ignore]
from django.core.management import CommandError, call_command

from yiwang.notify.backends import HttpGatewayBackend
from yiwang.notify.errors import SmsDeliveryError
from yiwang.notify.fakegateway import FakeSmsGateway
from yiwang.notify.models import MessageStatus, OutboxMessage
from yiwang.notify.services import message_deliver, messages_retry_due, sms_send
from yiwang.notify.tests.conftest import APP_KEY, APP_SECRET, GatewayClock

PHONE = "13912345678"
S = dt.timedelta(seconds=1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _queued(code: str = "482913") -> OutboxMessage:
    return sms_send(
        phone=PHONE, template="verification_code", params={"code": code, "minutes": "5"},
        category="verification",
    )  # fmt: skip


def _backend(gateway: FakeSmsGateway, secret: str = APP_SECRET) -> HttpGatewayBackend:
    return HttpGatewayBackend(
        url=gateway.send_url, app_key=APP_KEY, app_secret=secret, sign_name="庆阳政务", timeout=5
    )


@pytest.mark.django_db
class TestDelivery:
    @pytest.fixture(autouse=True)
    def _use(self, gateway: FakeSmsGateway, use_gateway: Callable[..., None]) -> None:
        use_gateway(gateway.send_url)

    def test_success(self, gateway: FakeSmsGateway) -> None:
        message = _queued()
        sent = message_deliver(message_id=message.pk)
        assert sent.status == MessageStatus.SENT
        [received] = gateway.messages(PHONE)
        assert sent.provider_message_id == received["message_id"]
        assert received["message_id"].startswith("fake-")
        assert received["text"] == message.text
        assert received["sign_name"] == "庆阳政务"
        assert received["template"] == "verification_code"
        assert received["params"] == {"code": "482913", "minutes": "5"}
        assert received["client_msg_id"] == str(message.client_msg_id)

    def test_wrong_secret_is_a_permanent_failure(
        self, gateway: FakeSmsGateway, use_gateway: Callable[..., None]
    ) -> None:
        use_gateway(gateway.send_url, secret="not-the-secret")
        failed = message_deliver(message_id=_queued().pk)
        assert (failed.status, failed.attempts) == (MessageStatus.FAILED, 1)
        assert failed.last_error == "BAD_SIGNATURE: HTTP 401"
        assert failed.next_attempt_at is None
        assert gateway.messages() == []

    def test_gateway_rate_limit_is_temporary_and_retried_later(
        self, gateway: FakeSmsGateway, gateway_clock: GatewayClock
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        assert message_deliver(message_id=_queued("111111").pk, now=now).status == "sent"
        limited = message_deliver(message_id=_queued("222222").pk, now=now)
        assert (limited.status, limited.attempts) == (MessageStatus.PENDING, 1)
        assert limited.last_error == "RATE_LIMITED: HTTP 429"
        assert limited.next_attempt_at == now + 60 * S
        assert len(gateway.messages(PHONE)) == 1

        gateway_clock.offset = 61  # the gateway's minute has passed
        assert messages_retry_due(now=now + 61 * S) == 1
        retried = OutboxMessage.objects.get(pk=limited.pk)
        assert (retried.status, retried.attempts) == (MessageStatus.SENT, 2)
        assert [m["params"]["code"] for m in gateway.messages(PHONE)] == ["111111", "222222"]

    def test_a_5xx_is_temporary(self, gateway: FakeSmsGateway) -> None:
        gateway.fail_next(1, status=503, code="UNAVAILABLE")
        now = dt.datetime.now(dt.UTC)
        failed = message_deliver(message_id=_queued().pk, now=now)
        assert (failed.status, failed.last_error) == ("pending", "UNAVAILABLE: HTTP 503")
        assert message_deliver(message_id=failed.pk, now=now + 60 * S).status == "sent"
        assert len(gateway.messages(PHONE)) == 1


@pytest.mark.django_db
def test_gateway_down_then_up_sends_exactly_once(
    use_gateway: Callable[..., None], gateway_clock: GatewayClock
) -> None:
    port = _free_port()
    use_gateway(f"http://127.0.0.1:{port}/v1/sms/send")
    now = dt.datetime.now(dt.UTC)
    message = _queued()

    down = message_deliver(message_id=message.pk, now=now)
    assert (down.status, down.attempts) == (MessageStatus.PENDING, 1)
    assert down.last_error == "CONNECTION_ERROR"
    assert down.next_attempt_at == now + 60 * S
    assert messages_retry_due(now=now + 30 * S) == 0  # still backing off

    with FakeSmsGateway(
        app_key=APP_KEY, app_secret=APP_SECRET, port=port, clock=gateway_clock
    ) as gateway:
        assert messages_retry_due(now=now + 60 * S) == 1
        # Later sweeps and a stray delivery task change nothing.
        assert messages_retry_due(now=now + 3600 * S) == 0
        again = message_deliver(message_id=message.pk, now=now + 3600 * S)
        assert (again.status, again.attempts) == (MessageStatus.SENT, 2)
        assert len(gateway.messages(PHONE)) == 1
        assert gateway.requests_seen == 1


class TestGatewayRules:
    """What the fake gateway itself enforces, as the real one does."""

    def _post(
        self, gateway: FakeSmsGateway, body: bytes, headers: dict[str, str]
    ) -> requests.Response:
        return requests.post(gateway.send_url, data=body, headers=headers, timeout=5)

    def _body(self, phone: str = PHONE, client_msg_id: str = "c-1") -> bytes:
        payload = {"phone": phone, "sign_name": "庆阳政务", "template": "t", "params": {},
                   "text": "【庆阳政务】测试", "client_msg_id": client_msg_id}  # fmt: skip
        return json.dumps(payload, ensure_ascii=False).encode()

    def test_invalid_phone_is_permanent(self, gateway: FakeSmsGateway) -> None:
        with pytest.raises(SmsDeliveryError) as excinfo:
            _backend(gateway).send(phone="12345678901", text="【庆阳政务】测试", message_id=1)
        assert (excinfo.value.code, excinfo.value.temporary) == ("INVALID_PHONE", False)

    def test_stale_timestamp_is_refused(self, gateway: FakeSmsGateway) -> None:
        body = self._body()
        stale = int(time.time()) - 301
        response = self._post(
            gateway, body, _backend(gateway).signed_headers(body, timestamp=stale)
        )
        assert (response.status_code, response.json()) == (401, {"code": "STALE_TIMESTAMP"})
        assert gateway.messages() == []

    def test_replayed_nonce_is_refused(self, gateway: FakeSmsGateway) -> None:
        body = self._body()
        headers = _backend(gateway).signed_headers(body)
        assert self._post(gateway, body, headers).json()["code"] == "OK"
        replay = self._post(gateway, body, headers)
        assert (replay.status_code, replay.json()) == (409, {"code": "NONCE_REPLAYED"})

    def test_tampered_body_fails_the_signature(self, gateway: FakeSmsGateway) -> None:
        body = self._body()
        headers = _backend(gateway).signed_headers(body)
        response = self._post(gateway, self._body(phone="13800001111"), headers)
        assert (response.status_code, response.json()) == (401, {"code": "BAD_SIGNATURE"})

    def test_unknown_app_key_is_refused(self, gateway: FakeSmsGateway) -> None:
        backend = HttpGatewayBackend(url=gateway.send_url, app_key="other", app_secret=APP_SECRET)
        with pytest.raises(SmsDeliveryError) as excinfo:
            backend.send(phone=PHONE, text="【庆阳政务】测试", message_id=1)
        assert (excinfo.value.code, excinfo.value.temporary) == ("UNKNOWN_APP_KEY", False)

    def test_a_repeated_client_msg_id_is_accepted_once(self, gateway: FakeSmsGateway) -> None:
        backend = _backend(gateway)
        first = backend.send(
            phone=PHONE, text="【庆阳政务】测试", message_id=1, client_msg_id="u-1"
        )
        again = backend.send(
            phone=PHONE, text="【庆阳政务】测试", message_id=1, client_msg_id="u-1"
        )
        assert first == again
        assert len(gateway.messages(PHONE)) == 1

    def test_messages_are_listed_by_number_over_http(self, gateway: FakeSmsGateway) -> None:
        gateway.per_phone_per_minute = 5
        backend = _backend(gateway)
        backend.send(phone=PHONE, text="【庆阳政务】一", message_id=1)
        backend.send(phone="13800001111", text="【庆阳政务】二", message_id=2)
        listed = requests.get(gateway.base_url + "/messages", params={"phone": PHONE}, timeout=5)
        assert [m["text"] for m in listed.json()["messages"]] == ["【庆阳政务】一"]


def test_command_needs_the_app_key_and_secret(configure: Callable[..., None]) -> None:
    configure(GATEWAY_APP_KEY="", GATEWAY_APP_SECRET="")
    with pytest.raises(CommandError, match="--app-key"):
        call_command("sms_gateway", "--port", "0")


@pytest.fixture
def gateway_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "yiwang"), "sms_gateway", "--port", str(port),
        "--app-key", APP_KEY, "--app-secret", APP_SECRET,
    ]  # fmt: skip
    env = {**os.environ, "YIWANG_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/messages", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_serves_the_protocol(
    gateway_process: tuple[str, subprocess.Popen[str]],
) -> None:
    base, _process = gateway_process
    backend = HttpGatewayBackend(url=base + "/v1/sms/send", app_key=APP_KEY, app_secret=APP_SECRET)
    provider_id = backend.send(phone=PHONE, text="【庆阳政务】命令行网关", message_id=1)
    listed = requests.get(base + "/messages", params={"phone": PHONE}, timeout=5).json()
    assert [(m["message_id"], m["text"]) for m in listed["messages"]] == [
        (provider_id, "【庆阳政务】命令行网关")
    ]
