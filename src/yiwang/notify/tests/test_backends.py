"""The local backends, reading codes "like a phone would", backend selection, the signature."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from yiwang.notify.backends import (
    ConsoleBackend,
    FileBackend,
    HttpGatewayBackend,
    gateway_signature,
    get_sms_backend,
    last_code_for,
    read_sent,
)
from yiwang.notify.models import MessageStatus
from yiwang.notify.services import message_deliver, sms_send

PHONE = "13912345678"
OTHER = "13800001111"


def test_console_backend_prints_the_masked_number_and_the_text() -> None:
    stream = io.StringIO()
    provider_id = ConsoleBackend(stream).send(
        phone=PHONE, text="【庆阳政务】您的验证码为482913。", message_id=7
    )
    assert provider_id == "console-7"
    assert stream.getvalue() == "[短信 #7] 139****5678：【庆阳政务】您的验证码为482913。\n"


def test_file_backend_appends_one_json_line_per_message(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "phone.jsonl"
    backend = FileBackend(path)
    assert backend.send(phone=PHONE, text="第一条", message_id=1) == "file-1"
    backend.send(phone=OTHER, text="第二条", message_id=2, template="case_submitted")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert (first["message_id"], first["phone"], first["text"]) == (1, PHONE, "第一条")
    assert first["sent_at"].startswith("20")
    assert [m["template"] for m in read_sent(path)] == ["", "case_submitted"]


def test_the_default_file_comes_from_the_settings(notify_conf: dict[str, str]) -> None:
    FileBackend().send(phone=PHONE, text="默认位置", message_id=3)
    assert Path(notify_conf["SMS_FILE"]).exists()
    assert read_sent()[0]["text"] == "默认位置"


def test_read_sent_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_sent(tmp_path / "none.jsonl") == []
    assert last_code_for(PHONE, tmp_path / "none.jsonl") is None


def test_last_code_for_reads_the_last_verification_message_to_that_number(
    tmp_path: Path,
) -> None:
    path = tmp_path / "phone.jsonl"
    backend = FileBackend(path)
    send = backend.send
    send(phone=PHONE, text="【庆阳政务】您的验证码为111111，5分钟内有效。", message_id=1,
         template="verification_code")  # fmt: skip
    send(phone=PHONE, text="【庆阳政务】您的验证码为2468，5分钟内有效。", message_id=2,
         template="verification_code")  # fmt: skip
    # Later messages that are not verification codes do not hide it: a case number has digits.
    send(phone=PHONE, text="【庆阳政务】您的办件已提交，办件编号62100020261128，查询密码5678。",
         message_id=3, template="case_submitted")  # fmt: skip
    send(phone=OTHER, text="【庆阳政务】您的验证码为99999999，5分钟内有效。", message_id=4,
         template="verification_code")  # fmt: skip
    # A message from an older file without the template: recognized by its wording.
    send(phone="13700002222", text="【庆阳政务】验证码：731902，请勿泄露。", message_id=5)
    assert last_code_for(PHONE, path) == "2468"
    assert last_code_for(OTHER, path) == "99999999"
    assert last_code_for("13700002222", path) == "731902"
    assert last_code_for("13600003333", path) is None


@pytest.mark.django_db
def test_last_code_for_after_a_real_send() -> None:
    message = sms_send(
        phone=PHONE, template="verification_code", params={"code": "305117", "minutes": "5"}
    )
    assert last_code_for(PHONE) is None  # not delivered yet
    assert message_deliver(message_id=message.pk).status == MessageStatus.SENT
    assert last_code_for(PHONE) == "305117"


def test_get_sms_backend_builds_the_configured_one(configure: Callable[..., None]) -> None:
    assert isinstance(get_sms_backend(), FileBackend)
    configure(SMS_BACKEND="yiwang.notify.backends.ConsoleBackend")
    assert isinstance(get_sms_backend(), ConsoleBackend)
    configure(SMS_BACKEND="pathlib.Path")
    with pytest.raises(ImproperlyConfigured, match="is not an SmsBackend"):
        get_sms_backend()


def test_http_backend_needs_its_url_key_and_secret(configure: Callable[..., None]) -> None:
    configure(GATEWAY_URL="http://127.0.0.1:9911/v1/sms/send", GATEWAY_APP_KEY="",
              GATEWAY_APP_SECRET="")  # fmt: skip
    with pytest.raises(ImproperlyConfigured) as excinfo:
        HttpGatewayBackend()
    assert str(excinfo.value) == (
        "HttpGatewayBackend needs SMS_GATEWAY_APP_KEY, SMS_GATEWAY_APP_SECRET"
    )


def test_signature_matches_the_documented_algorithm() -> None:
    # Computed independently with openssl, from the string in docs/sms.md:
    #   printf 'POST\n/v1/sms/send\n1764300000\nabc123\n<sha256 hex of body>' \
    #     | openssl dgst -sha256 -hmac test-secret
    body = b'{"phone":"13912345678","text":"hi"}'
    signature = gateway_signature(
        secret="test-secret",
        method="post",
        path="/v1/sms/send",
        timestamp="1764300000",
        nonce="abc123",
        body=body,
    )
    assert signature == "2075a2207ecae6c6cebf272541908693c818093c90db774bda45b994357f46c3"


def test_signed_headers_carry_key_timestamp_nonce_and_signature() -> None:
    backend = HttpGatewayBackend(
        url="http://gw.example.cn/v1/sms/send?x=1", app_key="k", app_secret="s"
    )
    headers = backend.signed_headers(b"{}", timestamp=1764300000)
    assert headers["X-App-Key"] == "k"
    assert headers["X-Timestamp"] == "1764300000"
    assert len(headers["X-Nonce"]) == 32
    assert headers["X-Nonce"] != backend.signed_headers(b"{}")["X-Nonce"]
    assert headers["X-Signature"] == gateway_signature(
        secret="s", method="POST", path="/v1/sms/send", timestamp="1764300000",
        nonce=headers["X-Nonce"], body=b"{}",
    )  # fmt: skip
