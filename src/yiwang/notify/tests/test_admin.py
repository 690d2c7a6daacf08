"""The outbox admin: read-only, masked numbers, no text, and "重新发送" for failed messages.

`admin_client` (src/yiwang/conftest.py) is a superuser past the second factor.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from yiwang.accounts.models import User
from yiwang.accounts.session_keys import SECOND_FACTOR
from yiwang.core.models import AuditRecord
from yiwang.notify.models import MessageStatus, OutboxMessage
from yiwang.notify.services import sms_send

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
CHANGELIST = "/admin/notify/outboxmessage/"


def _message(status: str = MessageStatus.FAILED) -> OutboxMessage:
    message = sms_send(
        phone=PHONE, template="verification_code", params={"code": "482913", "minutes": "5"}
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, attempts=5, next_attempt_at=None, last_error="CONNECTION_ERROR"
    )
    return message


def test_list_shows_the_masked_number_and_never_the_code(admin_client: Client) -> None:
    message = _message()
    html = admin_client.get(CHANGELIST).content.decode()
    assert "139****5678" in html
    assert PHONE not in html
    assert "482913" not in html
    detail = admin_client.get(f"{CHANGELIST}{message.pk}/change/").content.decode()
    assert "139****5678" in detail and "code、minutes" in detail
    assert PHONE not in detail and "482913" not in detail


def test_search_by_the_full_number(admin_client: Client) -> None:
    _message()
    assert "139****5678" in admin_client.get(CHANGELIST, {"q": PHONE}).content.decode()
    assert "139****5678" not in admin_client.get(CHANGELIST, {"q": "5678"}).content.decode()


def test_no_adding_editing_or_deleting(admin_client: Client) -> None:
    message = _message()
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{message.pk}/delete/").status_code == 403
    admin_client.post(f"{CHANGELIST}{message.pk}/change/", {"status": "sent"})
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.FAILED


def test_resend_action_requeues_failed_messages_only(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    failed = _message(MessageStatus.FAILED)
    sent = _message(MessageStatus.SENT)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    html = response.content.decode()
    assert "已重新发送 1 条短信。" in html
    assert "1 条短信不是“发送失败”状态，未重新发送。" in html
    assert len(callbacks) == 1
    requeued = OutboxMessage.objects.get(pk=failed.pk)
    assert (requeued.status, requeued.attempts) == (MessageStatus.PENDING, 0)
    assert OutboxMessage.objects.get(pk=sent.pk).status == MessageStatus.SENT
    record = AuditRecord.objects.get(action="notify.message_resend")
    assert record.actor.endswith(":root") and record.object_id == str(failed.pk)


def test_staff_without_the_resend_permission_cannot_resend(client: Client) -> None:
    staff = User.objects.create_user(username="viewer", password="Yiwang@2026", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(staff)
    session = client.session
    session[SECOND_FACTOR] = "totp"  # past the admin site's second factor, as `admin_client`
    session.save()
    failed = _message()
    page = client.get(CHANGELIST).content.decode()
    assert "139****5678" in page
    assert "重新发送" not in page
    client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]})
    assert OutboxMessage.objects.get(pk=failed.pk).status == MessageStatus.FAILED
